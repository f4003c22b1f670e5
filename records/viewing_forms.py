"""Forms for the imagery-viewing log and device custody. They parse what was typed; the rules live in the services
(records.services.viewing and .custody), which refuse whatever page or script calls them."""

from django import forms

from incidents.forms import PeopleChoiceField, ReauthForm, needed, when_field
from referrals.forms import InvolvementChoiceField

from .viewing_models import NEXT_STEPS, CustodyStep, ViewingReason


def _text(label, *, required=True, rows=3, help_text=""):
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


def yes_no(label, *, required=True, help_text=""):
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=required,
        widget=forms.RadioSelect,
        help_text=help_text,
    )


# --- Imagery viewing ----------------------------------------------------------------------------------------


class ViewingForm(forms.Form):
    involvement = InvolvementChoiceField(label="The pupil in the imagery", queryset=None, empty_label="Choose a pupil")
    viewed_by = PeopleChoiceField(
        label="Who viewed it",
        queryset=None,
        empty_label="Choose one person",
        help_text="One person only: the DSL, or a member of the team the headteacher has delegated.",
    )
    viewed_at = when_field("When it was viewed")
    present = PeopleChoiceField(
        label="Another member of staff present", queryset=None, empty_label="Choose a member of staff"
    )
    others_present = forms.CharField(label="Anyone else present", required=False, max_length=300)
    reason = forms.ChoiceField(
        label="Why it was viewed",
        choices=ViewingReason.choices,
        widget=forms.RadioSelect,
        help_text="Imagery is viewed only for one of these reasons. If none applies, do not view it.",
    )
    why = _text("Why viewing was necessary", help_text="What could not be found out any other way.")
    same_sex = yes_no("Is the viewer the same sex as the pupil?")
    not_same_sex_reason = needed(
        _text("Why it was not possible for someone of the same sex to view it", required=False), "if not"
    )
    head_told = PeopleChoiceField(label="The headteacher told", queryset=None, empty_label="Choose the headteacher")
    head_told_at = when_field("When the headteacher was told")
    what_followed = _text("What followed", rows=4, help_text="The actions taken after viewing, and by whom.")
    not_copied = forms.BooleanField(
        label="I confirm the imagery was not copied, printed, shared or saved (doing so is illegal)", required=False
    )

    def __init__(self, *args, pupils, team, staff, heads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["involvement"].queryset = pupils
        self.fields["viewed_by"].queryset = team
        self.fields["present"].queryset = staff
        self.fields["head_told"].queryset = heads
        self.fields["not_copied"].requirement_note = "needed"


class ViewingSignForm(ReauthForm):
    """The viewer or the headteacher signs the record; the password or a code confirms it."""


class DelegationForm(forms.Form):
    user = PeopleChoiceField(label="Member of the safeguarding team", queryset=None, empty_label="Choose one")
    reason = _text("Why they are given this authority")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates


# --- Device custody -----------------------------------------------------------------------------------------

STEP_DETAILS = ("by", "switched_off", "disconnected", "where", "officer", "reference", "returned_to", "notes")


class _StepFields(forms.Form):
    at = when_field("When")
    by = needed(
        PeopleChoiceField(label="By which member of staff", queryset=None, required=False, empty_label="Choose one"),
        "to confiscate or lock away",
    )
    switched_off = needed(yes_no("Switched off?", required=False), "when confiscated")
    disconnected = needed(
        yes_no("Disconnected from every network (flight mode, Wi-Fi and data off)?", required=False),
        "when confiscated",
    )
    where = needed(forms.CharField(label="Where it is locked away", required=False, max_length=300), "to lock away")
    officer = needed(
        forms.CharField(label="The officer (name, rank and number)", required=False, max_length=200),
        "for the police",
    )
    reference = needed(forms.CharField(label="The police reference", required=False, max_length=100), "for the police")
    returned_to = needed(forms.CharField(label="Returned to", required=False, max_length=200), "when returned")
    notes = needed(_text("Notes", required=False, help_text="For a refusal: what was said and done."), "for a refusal")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = staff

    def step_details(self):
        return {name: self.cleaned_data[name] for name in ("at", *STEP_DETAILS)}

    def detail_fields(self):
        return [self[name] for name in STEP_DETAILS]


class DeviceForm(_StepFields):
    involvement = InvolvementChoiceField(
        label="Whose device", queryset=None, required=False, empty_label="Not a person in this case"
    )
    owner_other = needed(
        forms.CharField(
            label="Or whose, if not a person in this case",
            required=False,
            max_length=200,
            help_text="E.g. 'a school laptop, IT suite 2'.",
        ),
        "if not a person in this case",
    )
    description = forms.CharField(
        label="What it is", max_length=300, help_text="Make, model and colour, e.g. 'black iPhone 13 in a blue case'."
    )
    first_step = forms.ChoiceField(
        label="What happened",
        choices=[(step.value, step.label) for step in NEXT_STEPS[None]],
        widget=forms.RadioSelect,
    )
    field_order = ["involvement", "owner_other", "description", "first_step", "at"]

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["involvement"].queryset = people


class CustodyStepForm(_StepFields):
    step = forms.ChoiceField(label="The next step", widget=forms.RadioSelect)
    field_order = ["step", "at"]

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(CustodyStep(step).value, CustodyStep(step).label) for step in steps]
