"""Forms for transfers of child protection files: they parse what was typed; the rules live in
records.services.transfers."""

from django import forms

from incidents.forms import when_field
from safeguard.forms import DateInput

from .transfer_models import URN, ConfirmationMethod, SendMethod

CHOOSE = [("", "Choose one")]


def _text(label, *, required=True, help_text=""):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": 3}), help_text=help_text
    )


class ContactFields(forms.Form):
    other_school = forms.CharField(label="School", max_length=200)
    other_urn = forms.CharField(label="URN", max_length=8, required=False, validators=[URN], help_text="If known.")
    contact_name = forms.CharField(label="Their designated safeguarding lead", max_length=200)
    contact_email = forms.EmailField(label="Their email", required=False, help_text="Their email or phone, or both.")
    contact_phone = forms.CharField(label="Their phone", max_length=40, required=False)


class TransferStartForm(ContactFields):
    leaving_on = forms.DateField(label="The day the pupil leaves (or left)", widget=DateInput())
    reason = _text("Why the pupil is leaving", required=False, help_text="Optional, e.g. 'the family is moving'.")
    field_order = ["other_school", "other_urn", "contact_name", "contact_email", "contact_phone", "leaving_on"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other_school"].label = "The school the pupil is moving to"


class TransferSentForm(forms.Form):
    report = forms.ModelChoiceField(
        label="The child protection file sent",
        queryset=None,
        empty_label="Choose one",
        help_text="A ready report of this pupil's file; its SHA-256 is kept with this entry.",
    )
    sent_at = when_field("When it was sent")
    method = forms.ChoiceField(label="How it was sent", choices=CHOOSE + SendMethod.choices)
    reference = forms.CharField(
        label="Reference", max_length=200, required=False, help_text="The transfer service's or the courier's."
    )

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports
        self.fields["report"].label_from_instance = lambda report: (
            f"Made {report.finished_at or report.requested_at:%d %B %Y, %H:%M}, {report.pages or '?'} pages"
        )


class TransferConfirmedForm(forms.Form):
    confirmed_at = when_field("When receipt was confirmed")
    confirmed_by = forms.CharField(label="Who confirmed it at the receiving school", max_length=200)
    method = forms.ChoiceField(label="How the confirmation came", choices=CHOOSE + ConfirmationMethod.choices)


class TransferCancelForm(forms.Form):
    reason = _text("Why the transfer is cancelled", help_text="E.g. 'the pupil is staying', 'the wrong school'.")


class FileReceivedForm(ContactFields):
    received_at = when_field("When it was received")
    method = forms.ChoiceField(label="How it came", choices=CHOOSE + SendMethod.choices)
    summary = _text(
        "What the file holds",
        help_text="In words: the concerns, referrals and agencies involved, and anything the team must act on now.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other_school"].label = "The school it came from"
