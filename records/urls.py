from django.urls import path  # noqa: F401  (the sections' pages are added below)

from .views import deletion

app_name = "records"

urlpatterns = []

# Deletion requests (per pupil, with a deadline) and their answers; take-down reports and their follow-ups.
urlpatterns += [
    path("cases/<int:pk>/deletion-and-take-down/", deletion.deletion_section, name="deletion_section"),
    path("cases/<int:pk>/deletion/new/", deletion.deletion_request_new, name="deletion_request_new"),
    path("cases/<int:pk>/deletion/<int:rid>/confirm/", deletion.deletion_confirm, name="deletion_confirm"),
    path("cases/<int:pk>/deletion/<int:rid>/refuse/", deletion.deletion_refuse, name="deletion_refuse"),
    path("cases/<int:pk>/take-down/new/", deletion.takedown_new, name="takedown_new"),
    path("cases/<int:pk>/take-down/<int:tid>/follow-up/", deletion.takedown_follow_up, name="takedown_follow_up"),
]
