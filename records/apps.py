from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Evidence and records"

    def ready(self):
        # The case pages live in incidents and referrals, below this app: it adds its panels to them from here.
        from . import panels

        panels.register()

        # Deletion and take-down: a case managed in school closes only once every deletion request is answered.
        from incidents.models import CaseState
        from incidents.workflow import register_guard

        from .services import deletion

        register_guard(CaseState.CLOSED, deletion.deletion_answered)
