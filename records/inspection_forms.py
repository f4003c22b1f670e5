"""Forms for inspector access: the signed grant, and its revocation."""

from django import forms
from django.conf import settings

from incidents.forms import ReauthForm, when_field

from .services.inspection import MAX_DAYS


class InspectionGrantForm(ReauthForm):
    email = forms.EmailField(
        label="The inspector's email address",
        max_length=254,
        help_text="Someone new gets an email with a link to choose their password; they then set up an "
        "authenticator app.",
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    case_references = forms.CharField(
        label="Cases to share",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Their references, separated by commas or on separate lines, e.g. RA-2026-0003.",
    )
    reports = forms.MultipleChoiceField(
        label="Reports to share", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    starts_at = when_field("Access starts", required=False, help_text="Leave empty to start now.")
    days = forms.IntegerField(
        label="For how many days",
        min_value=1,
        max_value=MAX_DAYS,
        help_text=f"At most {MAX_DAYS}. Access ends by itself at the end, and can be revoked at any time.",
    )
    reason = forms.CharField(
        label="Why",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the grant. For example, 'Ofsted inspection, lead inspector'.",
    )
    field_order = ["email", "first_name", "last_name", "case_references", "reports", "starts_at", "days", "reason"]

    def __init__(self, *args, reports=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.SAFEGUARD_INSPECTOR_ACCESS_DAYS
        self.fields["reports"].choices = [(str(report.pk), report_label(report)) for report in reports]
        if not reports:
            self.fields["reports"].help_text = "No report of this school is ready to share yet."
        for name in ("first_name", "last_name"):
            self.fields[name].requirement_note = "needed for someone new"
        self.fields["case_references"].requirement_note = "a case or a report is needed"

    def references(self):
        """The case references typed, each once, in capitals."""
        text = self.cleaned_data["case_references"].replace(",", "\n")
        return list(dict.fromkeys(ref.strip().upper() for ref in text.splitlines() if ref.strip()))


class InspectionRevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why access ends now",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the grant. For example, 'The inspection finished early'.",
    )


def report_label(report):
    """What a report covers, in a few words."""
    if report.incident_id:
        covers = f"case {report.incident.reference}"
    elif report.pupil_id:
        covers = f"the file of {report.pupil}"
    else:
        covers = report.period_label or f"{report.period_start:%d %b %Y} to {report.period_end:%d %b %Y}"
    return f"{report.get_kind_display()}: {covers}, made {report.requested_at:%d %b %Y}"
