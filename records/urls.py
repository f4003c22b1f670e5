from django.urls import path  # noqa: F401  (the sections' pages are added below)

app_name = "records"

urlpatterns = []
