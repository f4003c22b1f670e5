from django.apps import AppConfig


class SafeguardConfig(AppConfig):
    name = "safeguard"
    verbose_name = "Safeguard core"

    def ready(self):
        from . import audit  # noqa: F401  (connects the history guard)
