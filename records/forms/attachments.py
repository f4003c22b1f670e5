"""The forms of a case's documents. They only collect input: every rule is the service's
(records.services.attachments), which refuses beside the field concerned."""

from django import forms
from django.conf import settings

from .. import documents


class AttachmentForm(forms.Form):
    # What the document is comes before the file: a file dropped for its size takes the fields after it with it.
    description = forms.CharField(
        label="What this document is",
        max_length=300,
        help_text="E.g. 'MASH referral form', 'Letter from the police, 3 March'.",
    )
    file = forms.FileField(
        label="Document",
        help_text="PDF, Word (.docx), OpenDocument text (.odt), plain text (.txt) or an email saved as .eml, up to "
        f"{settings.SAFEGUARD_ATTACHMENT_MAX_MB} MB. Never a photo or a video: describe in words what was seen.",
    )
    confirm_no_child_images = forms.BooleanField(
        label="This document may have pictures in it, such as a logo. I confirm that no picture in it shows a child.",
        required=False,
        help_text="Needed only when the document has pictures inside it; your confirmation is kept with the file.",
    )

    def __init__(self, *args, too_large=False, **kwargs):
        super().__init__(*args, **kwargs)
        if too_large:  # the upload was dropped as it arrived (records.views.attachments), so no file reached here
            limit = settings.SAFEGUARD_ATTACHMENT_MAX_MB
            self.fields["file"].error_messages["required"] = documents.TOO_LARGE.format(limit=limit)


class AttachmentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why it is being withdrawn",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E.g. 'The wrong letter was attached; the right one follows.' The document stays listed.",
    )
