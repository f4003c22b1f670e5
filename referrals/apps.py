from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Decisions and referrals"

    def ready(self):
        # The case transition service lives in incidents, below this app; these rules ride on every move it makes.
        from incidents.models import CaseState
        from incidents.workflow import register_effect

        from . import guards, panels, services

        guards.register()
        register_effect(CaseState.REFERRAL_REQUIRED, services.decision_overtaken)
        register_effect(CaseState.REFERRED, services.decision_overtaken)
        panels.register()
