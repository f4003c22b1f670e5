"""The forms of a case's documents. They only collect input: every rule is the service's
(records.services.attachments), which refuses beside the field concerned."""

from django import forms
from django.conf import settings


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Document",
        help_text="PDF, Word (.docx), OpenDocument text (.odt), plain text (.txt) or an email saved as .eml, up to "
        f"{settings.SAFEGUARD_ATTACHMENT_MAX_MB} MB. Never a photo or a video: describe in words what was seen.",
    )
    description = forms.CharField(
        label="What this document is",
        max_length=300,
        help_text="E.g. 'MASH referral form', 'Letter from the police, 3 March'.",
    )
    confirm_no_child_images = forms.BooleanField(
        label="This document may have pictures in it, such as a logo. I confirm that no picture in it shows a child.",
        required=False,
        help_text="Needed only when the document has pictures inside it; your confirmation is kept with the file.",
    )


class AttachmentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why it is being withdrawn",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="E.g. 'The wrong letter was attached; the right one follows.' The document stays listed.",
    )
