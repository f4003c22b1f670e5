from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Decisions and referrals"

    def ready(self):
        # The case transition service lives in incidents, below this app; these rules ride on every move it makes.
        from . import guards, panels

        guards.register()
        panels.register()
