from django.urls import path

from .views import attachments, seals, sharing

app_name = "records"

urlpatterns = [
    # Documents: the team attaches and withdraws; whoever may open the case downloads.
    path("cases/<int:pk>/documents/", attachments.attachment_list, name="attachment_list"),
    path("cases/<int:pk>/documents/new/", attachments.attachment_add, name="attachment_add"),
    path("cases/<int:pk>/documents/<int:attachment_pk>/", attachments.attachment_download, name="attachment_download"),
    path(
        "cases/<int:pk>/documents/<int:attachment_pk>/withdraw/",
        attachments.attachment_withdraw,
        name="attachment_withdraw",
    ),
    # Information sharing (and decisions not to share), and inter-agency meetings; corrections are new entries.
    path("cases/<int:pk>/sharing-and-meetings/", sharing.case_sharing, name="case_sharing"),
    path("cases/<int:pk>/sharing/new/", sharing.sharing_new, name="sharing_new"),
    path("cases/<int:pk>/sharing/<int:sid>/correct/", sharing.sharing_correct, name="sharing_correct"),
    path("cases/<int:pk>/agency-meetings/new/", sharing.meeting_new, name="meeting_new"),
    path("cases/<int:pk>/agency-meetings/<int:mid>/correct/", sharing.meeting_correct, name="meeting_correct"),
    # Sealed records: a signed addendum to a closed case; the DSL team's check of every seal.
    path("cases/<int:pk>/addenda/new/", seals.addendum_add, name="addendum_add"),
    path("records/seals/", seals.seal_check, name="seal_check"),
]
