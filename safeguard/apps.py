from django.apps import AppConfig


class SafeguardConfig(AppConfig):
    name = "safeguard"
    verbose_name = "Safeguard core"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import audit  # noqa: F401  (connects the history guard)
        from .db import app_role_grant_after_migrate

        # After every migrate, once: the application's role then has rights on every table, new ones included.
        post_migrate.connect(app_role_grant_after_migrate, sender=self)
