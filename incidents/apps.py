from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = "Concerns and cases"

    def ready(self):
        from . import panels

        panels.register()
