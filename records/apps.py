from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Evidence and records"

    def ready(self):
        # The case pages live in incidents and referrals, below this app: it adds its panels to them from here.
        from incidents.models import CaseState, NotificationKind
        from incidents.selectors import register_notification_pending
        from incidents.workflow import register_effect, register_guard

        from . import demo_steps, guards, panels, reminder_rules
        from .selectors.viewing import headteacher_notification_pending
        from .services import deletion, seals

        guards.register()
        panels.register()
        reminder_rules.register()
        # A case managed in school closes only once every deletion request is answered.
        register_guard(CaseState.CLOSED, deletion.deletion_answered)
        # Closing a case seals its record, in the same transaction as the closure (issue 9 §5).
        register_effect(CaseState.CLOSED, seals.seal_on_close)
        # The headteacher's "Imagery viewed" alert stays until they have signed each viewing's record.
        register_notification_pending(NotificationKind.IMAGERY_VIEWED, headteacher_notification_pending)
        demo_steps.register_demo_steps()  # the records steps of the demo's stories
