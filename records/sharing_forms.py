"""Forms for information sharing and inter-agency meetings. They parse what was typed; the rules (a reason either
way, a lawful basis, attendance or the reason for absence) live in records.services.sharing."""

from django import forms

from incidents.forms import PeopleChoiceField, PeopleMultipleChoiceField, needed, when_field
from referrals.models import Agency, ContactMethod
from safeguard.forms import DateInput

from .models import AgencyMeetingKind, LawfulBasis, Recipient

CHOOSE = [("", "Choose one")]
YES_NO = [("yes", "Yes"), ("no", "No")]
# How many actions for the school one meeting's page offers to add to the case's actions at once.
MEETING_ACTION_ROWS = 3


def _text(label, *, required=True, rows=3, help_text=""):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


def _yes_no(label, help_text=""):
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda value: value == "yes", widget=forms.RadioSelect, help_text=help_text
    )


class CorrectionMixin:
    def add_correction_field(self, correcting):
        if correcting:
            self.fields["correction_note"] = _text(
                "What was wrong with the earlier entry",
                help_text="The earlier entry stays on record, marked as corrected.",
            )


class SharingForm(CorrectionMixin, forms.Form):
    shared = _yes_no(
        "Was the information shared?",
        help_text="Record a decision not to share, with its reason, just as you would a sharing.",
    )
    recipient = forms.ChoiceField(label="With whom", choices=Recipient.choices, widget=forms.RadioSelect)
    agency = needed(forms.ChoiceField(label="Agency", required=False, choices=CHOOSE + Agency.choices), "for an agency")
    agency_other = needed(forms.CharField(label="Agency, if another", required=False, max_length=200), "for another")
    recipient_name = needed(
        forms.CharField(
            label="Name",
            required=False,
            max_length=200,
            help_text="The person and their role, or the school or setting; for an agency, who there (optional).",
        ),
        "for a person or a school",
    )
    information = _text("What was shared", help_text="If not shared: what was asked for, or considered.")
    at = when_field("When")
    reason = _text("Why", help_text="Why it was shared, or the reason for not sharing it.")
    decided_by = PeopleChoiceField(label="Who decided", queryset=None, empty_label="Choose one")
    method = needed(forms.ChoiceField(label="How", required=False, choices=CHOOSE + ContactMethod.choices), "if shared")
    lawful_basis = needed(
        forms.ChoiceField(
            label="Lawful basis",
            required=False,
            choices=LawfulBasis.choices,
            initial=LawfulBasis.SAFEGUARDING,
            help_text="Data protection is no barrier to sharing information to keep a child safe.",
        ),
        "if shared",
    )
    lawful_basis_other = needed(
        forms.CharField(label="The other lawful basis", required=False, max_length=300), "for another basis"
    )

    def __init__(self, *args, staff, correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_by"].queryset = staff
        self.add_correction_field(correcting)


class AgencyMeetingForm(CorrectionMixin, forms.Form):
    kind = forms.ChoiceField(label="Kind of meeting", choices=AgencyMeetingKind.choices, widget=forms.RadioSelect)
    kind_other = needed(forms.CharField(label="Kind, if another", required=False, max_length=200), "for another")
    held_at = when_field("When it was held")
    called_by = forms.CharField(
        label="Called by", required=False, max_length=200, help_text="E.g. children's social care, the police."
    )
    invited = PeopleMultipleChoiceField(
        label="Invited from the school", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    attended = PeopleMultipleChoiceField(
        label="Attended from the school", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    no_attendance_reason = needed(
        _text("Why no one from the school attended", required=False), "if no one from the school attended"
    )
    report_sent = _yes_no("Did the school send a report?")
    others_present = _text("Others there", required=False, help_text="Agencies and people, with their roles.")
    outcome = _text("Outcome", help_text="E.g. a child protection plan, a section 47 enquiry, no further action.")
    actions_for_school = _text("Actions for the school", required=False)

    def __init__(self, *args, staff, correcting=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invited"].queryset = staff
        self.fields["attended"].queryset = staff
        for i in range(1, MEETING_ACTION_ROWS + 1):
            self.fields[f"action_{i}"] = forms.CharField(
                label=f"Action {i} for the case's actions", required=False, max_length=1000
            )
            self.fields[f"action_{i}_owner"] = PeopleChoiceField(
                label=f"Who will do action {i}", queryset=staff, required=False, empty_label="Not decided"
            )
            self.fields[f"action_{i}_due_on"] = forms.DateField(
                label=f"Action {i} due by",
                required=False,
                widget=DateInput(),
            )
        self.add_correction_field(correcting)

    MAIN_FIELDS = (
        "kind",
        "kind_other",
        "held_at",
        "called_by",
        "invited",
        "attended",
        "no_attendance_reason",
        "report_sent",
        "others_present",
        "outcome",
        "actions_for_school",
    )

    def main_fields(self):
        return [self[name] for name in self.MAIN_FIELDS]

    def action_rows(self):
        return [
            [self[f"action_{i}"], self[f"action_{i}_owner"], self[f"action_{i}_due_on"]]
            for i in range(1, MEETING_ACTION_ROWS + 1)
        ]

    def actions(self):
        data = self.cleaned_data
        return [
            {
                "description": data[f"action_{i}"],
                "owner": data[f"action_{i}_owner"],
                "due_on": data[f"action_{i}_due_on"],
            }
            for i in range(1, MEETING_ACTION_ROWS + 1)
            if data.get(f"action_{i}", "").strip()
        ]
