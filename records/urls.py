from django.urls import path  # noqa: F401  (the sections' pages are added below)

from .views import sharing

app_name = "records"

urlpatterns = []

# Information sharing (and decisions not to share), and inter-agency meetings; corrections are new entries.
urlpatterns += [
    path("cases/<int:pk>/sharing-and-meetings/", sharing.case_sharing, name="case_sharing"),
    path("cases/<int:pk>/sharing/new/", sharing.sharing_new, name="sharing_new"),
    path("cases/<int:pk>/sharing/<int:sid>/correct/", sharing.sharing_correct, name="sharing_correct"),
    path("cases/<int:pk>/agency-meetings/new/", sharing.meeting_new, name="meeting_new"),
    path("cases/<int:pk>/agency-meetings/<int:mid>/correct/", sharing.meeting_correct, name="meeting_correct"),
]
