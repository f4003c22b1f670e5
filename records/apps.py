from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "Evidence and records"

    def ready(self):
        # The case pages live in incidents and referrals, below this app: it adds its panels to them from here.
        from . import guards, panels

        guards.register()
        panels.register()
