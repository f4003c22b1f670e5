"""Forms for retention: a legal hold, its lifting, and the DSL's signed decision on a file."""

from django import forms

from incidents.forms import ReauthForm
from safeguard.forms import DateInput

from .retention_models import RetentionOutcome


def _reason(label, help_text=""):
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 3}), help_text=help_text)


class LegalHoldForm(forms.Form):
    reason = _reason("Why the file must be kept", "E.g. 'a claim against the school', 'a request from the police'.")


class LegalHoldLiftForm(forms.Form):
    reason = _reason("Why the hold is lifted")


class RetentionDecisionForm(ReauthForm):
    outcome = forms.ChoiceField(label="Decision", choices=RetentionOutcome.choices, widget=forms.RadioSelect)
    next_review_on = forms.DateField(
        label="Review again on",
        required=False,
        widget=DateInput(),
        help_text="Only when keeping the file until a later review date.",
    )
    reason = _reason("Why", "Kept with the file: e.g. 'the pupil's younger sibling has an open case'.")
    field_order = ["outcome", "next_review_on", "reason", "password", "otp_token"]
