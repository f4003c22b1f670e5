"""Forms for the decision, sign-off, referrals and parents pages. They parse and check what was typed; the rules of
the work (the immediate-referral criteria, who may sign, what an escalation needs) live in the services."""

from django import forms

from incidents.forms import PeopleChoiceField, ReauthForm, needed, when_field
from incidents.models import Answer

from .models import ANNEX_A, ANNEX_A_NOTES, Agency, ContactMethod, Decision, DecisionKind, SignOffOutcome, outcomes_for

CHOOSE = [("", "Choose one")]


def _text(label, *, required=True, rows=3, help_text="", widget_attrs=None, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows, **(widget_attrs or {})}),
        help_text=help_text,
        **kwargs,
    )


# --- The decision and its sign-off ----------------------------------------------------------------------------

TO_MANAGE = "to manage in school"


class DecisionForm(forms.Form):
    """Refer, or manage in school with the plan, the Annex A risk assessment (seed 004 Annex A) and a reason for each
    aggravating factor the review meeting found."""

    kind = forms.ChoiceField(label="The decision", choices=DecisionKind.choices, widget=forms.RadioSelect)
    reasons = _text(
        "Reasons for the decision",
        rows=4,
        help_text="What the decision rests on. Where the school does not refer, record why not.",
    )
    plan = needed(
        _text("The plan", required=False, rows=4, help_text=Decision._meta.get_field("plan").help_text), TO_MANAGE
    )

    def __init__(self, *args, manage_allowed, factors=(), **kwargs):
        super().__init__(*args, **kwargs)
        for field, question in ANNEX_A:
            self.fields[f"{field}_answer"] = needed(
                forms.ChoiceField(label=question, choices=Answer.choices, widget=forms.RadioSelect, required=False),
                TO_MANAGE,
            )
            self.fields[field] = _text(
                ANNEX_A_NOTES[field], required=False, rows=2, widget_attrs={"aria-label": f"Notes on: {question}"}
            )
        self.factors = list(factors)
        for name, label in self.factors:
            self.fields[f"reason_{name}"] = needed(
                _text(
                    f"Why the school can manage the case despite this: {label[0].lower()}{label[1:]}", required=False
                ),
                TO_MANAGE,
            )
        self.manage_allowed = manage_allowed
        if not manage_allowed:
            # Only "refer" is offered. Whatever is posted, the service refuses to manage in school here.
            self.fields["kind"].widget.choices = [(k, label) for k, label in DecisionKind.choices if k == "refer"]
            self.fields["kind"].initial = DecisionKind.REFER

    def factor_fields(self):
        return [f"reason_{name}" for name, _ in self.factors]

    def annex_pairs(self):
        return [(self[f"{field}_answer"], self[field]) for field, _ in ANNEX_A]

    def factor_reason_fields(self):
        return [self[name] for name in self.factor_fields()]

    def annex_a(self):
        return {name: self.cleaned_data[name] for field, _ in ANNEX_A for name in (f"{field}_answer", field)}

    def factor_reasons(self):
        return {name: self.cleaned_data[f"reason_{name}"] for name, _ in self.factors}


class SignOffForm(ReauthForm):
    """Sign off a decision not to refer, or send it back with a comment; the password or a code confirms it."""

    outcome = forms.ChoiceField(
        label="Your decision",
        choices=[
            (SignOffOutcome.SIGNED_OFF, "Sign off: the case is managed in school, without a referral"),
            (SignOffOutcome.SENT_BACK, "Send back to the safeguarding team to look at again"),
        ],
        widget=forms.RadioSelect,
    )
    comment = needed(
        _text("Comment", required=False, help_text="Say what should be looked at again."), "to send it back"
    )
    field_order = ["outcome", "comment", "password", "otp_token"]


# --- Referrals and their follow-up ----------------------------------------------------------------------------


class ReferralForm(forms.Form):
    agency = forms.ChoiceField(label="Agency", choices=CHOOSE + Agency.choices)
    agency_other = needed(forms.CharField(label="Agency, if another", required=False, max_length=200), "for another")
    made_at = when_field("When the referral was made")
    made_by = PeopleChoiceField(
        label="Made by", queryset=None, empty_label="Choose one", help_text="The member of staff who made it."
    )
    method = forms.ChoiceField(label="How", choices=CHOOSE + ContactMethod.choices)
    reference_number = forms.CharField(
        label="Reference number", required=False, max_length=100, help_text="The agency's reference, if given."
    )
    contact_name = forms.CharField(
        label="Who we spoke to", required=False, max_length=200, help_text="Their name and role."
    )
    contact_details = forms.CharField(label="Their contact details", required=False, max_length=300)
    information_shared = _text("What was shared", rows=4, help_text="What the school told the agency, and about whom.")
    reason = _text(
        "Why the case is being escalated to a referral",
        help_text="Say what has changed since the decision to manage in school.",
        error_messages={"required": "Please say why the case is being escalated to a referral."},
    )

    def __init__(self, *args, staff, escalating, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["made_by"].queryset = staff
        if not escalating:
            del self.fields["reason"]


class FollowUpForm(forms.Form):
    at = when_field("When")
    method = forms.ChoiceField(label="How", choices=CHOOSE + ContactMethod.choices)
    notes = _text("What was said or done", help_text="Who you spoke to or wrote to, and what they said.")
    response_received = forms.BooleanField(label="An answer came from the agency", required=False)


class EscalationForm(forms.Form):
    to_whom = forms.CharField(
        label="Escalated to", max_length=300, help_text="Name and role, e.g. 'the MASH team manager'."
    )
    reason = _text(
        "Why", help_text="E.g. no acknowledgement after one working day, or the answer did not keep the child safe."
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="The outcome", widget=forms.RadioSelect)
    outcome_at = when_field("When the outcome was given")
    outcome_notes = needed(_text("Notes", required=False), "to describe another outcome")

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = outcomes_for(agency)


# --- Parents and carers ---------------------------------------------------------------------------------------


class InvolvementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.get_part_display().lower()})"


class ParentContactForm(forms.Form):
    involvement = InvolvementChoiceField(label="Pupil", queryset=None, empty_label="Choose a pupil")
    told = forms.TypedChoiceField(
        label="Were their parents or carers told?",
        choices=[("yes", "Yes, they were told"), ("no", "No, not told")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    told_at = needed(when_field("When they were told", required=False), "if told")
    told_by = needed(
        PeopleChoiceField(
            label="Told by", queryset=None, required=False, empty_label="Someone not on the school staff"
        ),
        "if told by staff",
    )
    told_by_other = needed(
        forms.CharField(
            label="Or told by, if not school staff",
            required=False,
            max_length=200,
            help_text="E.g. a police officer, with their role.",
        ),
        "if told by someone not on the staff",
    )
    contact_name = forms.CharField(
        label="Who was told", required=False, max_length=200, help_text="E.g. 'mother, Ms Smith'."
    )
    method = needed(forms.ChoiceField(label="How", required=False, choices=CHOOSE + ContactMethod.choices), "if told")
    reasons_not_told = needed(
        _text(
            "The reasons they were not told",
            required=False,
            help_text="Parents are told early unless that would put the child at risk. Record why they were not.",
        ),
        "if not told",
    )

    TOLD_FIELDS = ("told_at", "told_by", "told_by_other", "contact_name", "method")

    def __init__(self, *args, involvements, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["involvement"].queryset = involvements
        self.fields["told_by"].queryset = staff

    def told_fields(self):
        return [self[name] for name in self.TOLD_FIELDS]


# --- Signatories ----------------------------------------------------------------------------------------------


class SignatoryForm(forms.Form):
    user = PeopleChoiceField(
        label="Who", queryset=None, empty_label="Choose one", help_text="A senior leader outside the safeguarding team."
    )
    reason = _text("Why they are named", help_text="E.g. 'The headteacher is also the DSL this year.'")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
