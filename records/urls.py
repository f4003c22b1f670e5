from django.urls import path  # noqa: F401  (the sections' pages are added below)

from .views import attachments

app_name = "records"

urlpatterns = []

# Documents (issue 9 §1).
urlpatterns += [
    path("cases/<int:pk>/documents/", attachments.attachment_list, name="attachment_list"),
    path("cases/<int:pk>/documents/new/", attachments.attachment_add, name="attachment_add"),
    path("cases/<int:pk>/documents/<int:attachment_pk>/", attachments.attachment_download, name="attachment_download"),
    path(
        "cases/<int:pk>/documents/<int:attachment_pk>/withdraw/",
        attachments.attachment_withdraw,
        name="attachment_withdraw",
    ),
]
