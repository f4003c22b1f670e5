"""Forms for deletion requests and take-down reports. They parse what was typed; the rules live in the services."""

from django import forms

from incidents.forms import PeopleChoiceField, needed, when_field
from referrals.forms import CHOOSE, InvolvementChoiceField, _text
from referrals.models import ContactMethod

from .deletion_models import (
    DELETION_PLACES,
    TAKEDOWN_RESULTS,
    DeletionRequest,
    TakedownReport,
    TakedownRoute,
    WhereDeleted,
    WhoAnswered,
)


class DeletionRequestForm(forms.Form):
    involvement = InvolvementChoiceField(label="Pupil", queryset=None, empty_label="Choose a pupil")
    asked_at = when_field("When they were asked")
    asked_by = PeopleChoiceField(label="Asked by", queryset=None, empty_label="Choose one")
    deadline = when_field(
        "Delete by",
        help_text="The deadline for deleting it from every device, cloud storage and social media account. "
        "Offered: the end of the next school day.",
    )
    told_consequences = forms.BooleanField(
        label=DeletionRequest._meta.get_field("told_consequences").verbose_name, required=False
    )
    where_held = _text(
        "Where it is known to be held",
        required=False,
        help_text=DeletionRequest._meta.get_field("where_held").help_text,
    )

    def __init__(self, *args, involvements, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["involvement"].queryset = involvements
        self.fields["asked_by"].queryset = staff


class _AnswerForm(forms.Form):
    at = when_field("When")
    who = forms.ChoiceField(label="Who answered", choices=WhoAnswered.choices, widget=forms.RadioSelect)
    who_name = needed(
        forms.CharField(label="Their name", required=False, max_length=200, help_text="E.g. 'mother, Ms Ali'."),
        "for a parent, carer or someone else",
    )
    method = forms.ChoiceField(label="How", choices=CHOOSE + ContactMethod.choices)


class DeletionConfirmForm(_AnswerForm):
    checked_by = PeopleChoiceField(
        label="Checked by",
        queryset=None,
        empty_label="Choose one",
        help_text="The member of staff who took the confirmation and checked it, without looking at any imagery.",
    )
    notes = _text("Notes", required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checked_by"].queryset = staff
        for field, label in DELETION_PLACES:
            self.fields[field] = forms.ChoiceField(label=label, choices=WhereDeleted.choices, widget=forms.RadioSelect)
        self.order_fields(["at", "who", "who_name", "method", *(f for f, _ in DELETION_PLACES), "checked_by"])


class DeletionRefuseForm(_AnswerForm):
    notes = _text("What was said", help_text="Their words where possible, and what they were told.")


class TakedownReportForm(forms.Form):
    platform = forms.CharField(
        label="Platform or site", max_length=200, help_text=TakedownReport._meta.get_field("platform").help_text
    )
    route = forms.ChoiceField(label="How it was reported", choices=CHOOSE + TakedownRoute.choices)
    made_at = when_field("When it was reported")
    reference = forms.CharField(
        label="Reference", required=False, max_length=100, help_text="The report's reference or case number, if given."
    )
    result = forms.ChoiceField(
        label="The result",
        required=False,
        choices=[("", "Not known yet")] + [(o.value, o.label) for o in TAKEDOWN_RESULTS],
    )
    result_at = needed(when_field("When the result came", required=False), "with a result")
    notes = _text("Notes", required=False)


class TakedownFollowUpForm(forms.Form):
    made_at = when_field("When it was followed up")
    reference = forms.CharField(label="New reference", required=False, max_length=100, help_text="If one was given.")
    result = TakedownReportForm.base_fields["result"]
    result_at = TakedownReportForm.base_fields["result_at"]
    notes = needed(_text("What was done or said", required=False), "without a result")
