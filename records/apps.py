from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Evidence and records"

    def ready(self):
        # The case pages live in incidents and referrals, below this app: it adds its panels to them from here.
        from incidents.models import CaseState
        from incidents.workflow import register_effect

        from . import guards, panels
        from .services import seals

        guards.register()
        panels.register()
        # Closing a case seals its record, in the same transaction as the closure (issue 9 §5).
        register_effect(CaseState.CLOSED, seals.seal_on_close)
        seals.register_demo_steps()
