"""Forms for the case pages. They parse and check what was typed; every rule of the work lives in the services."""

from django import forms
from django.core.exceptions import ValidationError

from safeguard.forms import DateInput
from safeguard.people import person_name

from .errors import CaseError
from .language import wording_prompts
from .models import (
    AGGRAVATING_FACTORS,
    CRITERIA,
    QUESTIONS,
    Answer,
    FourC,
    HarmKind,
    HowCameToLight,
    Incident,
    Part,
)
from .pupil_picker import FIND_PUPIL, PupilPicker, pupil_field, pupil_search_field

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# The browser's own picker shows dates in the order of its language (21/11/2026 in English (UK), 11/21/2026 in
# English (US)), so the hints give an example in words, which fits every order.
DATETIME_HINT = "Use the date picker, or type the date and time, e.g. 21 November 2026, 14:30."
DATE_HINT = "Use the date picker, or type the date, e.g. 21 November 2026."


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_FORMAT)


def when_field(label, *, required=True, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput(),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
        help_text=help_text or DATETIME_HINT,
    )


def needed(field, when):
    """Mark a field that is needed only sometimes (`when`, e.g. "to manage in school") as such, not as optional."""
    field.requirement_note = f"needed {when}"
    return field


def verbatim_field(label, *, help_text="", rows=10):
    """Words kept exactly as they were said or written (the child's own words, a person's own account): not trimmed,
    not even of spaces or blank lines, and never read for wording prompts, which are for the staff's own words."""
    field = forms.CharField(
        label=label, required=False, strip=False, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )
    field.verbatim = True
    return field


def form_wording_prompts(form):
    """Wording prompts (incidents.language) on a valid form's free text: every text area, except verbatim words.

    Every form is read this way, so a new text box is covered without anyone having to remember it.
    """
    texts = [
        # A box's accessible name says which of several boxes labelled alike ("Notes") the prompt is about.
        (field.widget.attrs.get("aria-label") or field.label, form.cleaned_data.get(name) or "")
        for name, field in form.fields.items()
        if isinstance(field.widget, forms.Textarea) and not getattr(field, "verbatim", False)
    ]
    return wording_prompts(texts)


def attach_errors(form, error):
    """Show a service's refusal on the form: each problem beside its field where it has one, else at the top.

    Nothing the person typed is lost: the bound form is shown again with their input.
    """
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    problems = error.problems if isinstance(error, CaseError) else error.messages
    for problem in problems:
        field = getattr(problem, "field", None)
        form.add_error(field if field in form.fields else None, str(problem))


class PeopleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


class PeopleMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


# --- Logging a concern --------------------------------------------------------------------------------------


class ConcernForm(forms.Form):
    """What the member of staff saw or was told. Everything may be left for later in a draft."""

    came_to_light_at = when_field("When it came to light", required=False)
    occurred_at = when_field("When it happened", required=False, help_text=f"If you know. {DATETIME_HINT}")
    location = forms.CharField(
        label="Where", required=False, max_length=200, help_text=Incident._meta.get_field("location").help_text
    )
    how_came_to_light = forms.ChoiceField(
        label="How it came to light",
        required=False,
        choices=[("", "Choose one")] + HowCameToLight.choices,
    )
    how_came_to_light_detail = forms.CharField(
        label="More about how it came to light", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    categories = forms.MultipleChoiceField(
        label="Which of the 4Cs", required=False, choices=FourC.choices, widget=forms.CheckboxSelectMultiple
    )
    harm_kind = forms.ChoiceField(label="Kind of harm", required=False, choices=[("", "Choose one")] + HarmKind.choices)
    harm_other = needed(forms.CharField(label="Kind of harm, if other", required=False, max_length=200), "for other")
    childs_words = verbatim_field("The child's own words", help_text=Incident._meta.get_field("childs_words").help_text)
    observations = forms.CharField(
        label="Your observations",
        required=False,
        widget=forms.Textarea,
        help_text=Incident._meta.get_field("observations").help_text,
    )
    imagery_description = forms.CharField(
        label="Images or videos, described in words",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=Incident._meta.get_field("imagery_description").help_text,
    )

    # A draft may leave anything out; these are needed before it can be submitted (incidents.workflow says so).
    NEEDED_TO_SUBMIT = ("came_to_light_at", "location", "how_came_to_light", "categories", "harm_kind")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.NEEDED_TO_SUBMIT:
            needed(self.fields[name], "to submit")

    @classmethod
    def initial_from(cls, incident):
        initial = {name: getattr(incident, name) for name in cls.base_fields if name != "categories"}
        initial["categories"] = [c.value for c in incident.categories]
        return initial


class PersonForm(PupilPicker, forms.Form):
    """One person involved: a pupil from the register, found by name, or someone who is not a pupil here."""

    pupil_search = pupil_search_field()
    pupil = pupil_field(label="Pupil", not_offered="That pupil is not on this school's roll. Search for them again.")
    other_name = forms.CharField(label="Or their name, if not a pupil here", required=False, max_length=200)
    other_description = forms.CharField(
        label="Who they are",
        required=False,
        help_text="E.g. 'a pupil at another school', 'an online contact, age unknown'.",
    )
    other_is_adult = forms.BooleanField(label="An adult, or believed to be one", required=False)
    other_setting = forms.CharField(label="Their school or setting", required=False, max_length=200)
    # A row may be left empty; the person's part is needed for each one added (clean() says so).
    part = needed(
        forms.ChoiceField(label="Their part", required=False, choices=[("", "Choose one")] + Part.choices),
        "for each person added",
    )
    own_account = verbatim_field("Their own account", rows=3, help_text="In their own words where possible.")
    OTHER_PERSON_FIELDS = ("other_name", "other_description", "other_is_adult", "other_setting")

    def __init__(self, *args, finder, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_pupils(finder)
        self.search_step = False  # set by the formset while it answers a Search button: nothing is checked yet

    def clean(self):
        data = super().clean()
        if not self.has_changed() or self.search_step:
            return data
        pupil, other = data.get("pupil"), (data.get("other_name") or data.get("other_description") or "").strip()
        if pupil is None and not other and not self.has_error("pupil"):  # a refused id says so already
            if data.get("pupil_search"):
                self.add_error("pupil", "Choose one of the pupils found, or empty the search box.")
            else:
                self.add_error("pupil", "Choose a pupil, or give the person's name or a description.")
        if pupil is not None and other:
            self.add_error("other_name", "Leave this empty when you choose a pupil from the register.")
        if not data.get("part"):
            self.add_error("part", "Choose this person's part.")
        return data

    def service_kwargs(self):
        data = self.cleaned_data
        if data["pupil"] is not None:
            return {"pupil": data["pupil"], "part": data["part"], "own_account": data["own_account"]}
        return {name: data[name] for name in (*self.OTHER_PERSON_FIELDS, "part", "own_account")}


class BasePeopleFormSet(forms.BaseFormSet):
    def __init__(self, *args, finder, **kwargs):
        self.finder = finder
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"finder": self.finder}

    def find_pupils(self):
        """Answer a pupil picker's Search button pressed without JavaScript; return whether it was pressed.

        Each row searching for a pupil is offered the pupils found, and nothing is checked or saved: the page comes
        back with everything typed, for the person to choose and carry on.
        """
        if FIND_PUPIL not in self.data:
            return False
        for form in self.forms:
            form.search_step = True
            if form.wants_search(self.data[FIND_PUPIL]):
                form.find_pupils()
        return True

    @property
    def filled(self):
        """The rows the person filled in (empty rows are left out)."""
        return [form for form in self.forms if form.has_changed()]


PeopleFormSet = forms.formset_factory(PersonForm, formset=BasePeopleFormSet, extra=2, max_num=20)


class ClassifyForm(forms.Form):
    """The team's correction of the 4Cs and kind of harm; the concern as first reported stays in the history."""

    categories = forms.MultipleChoiceField(
        label="Which of the 4Cs", choices=FourC.choices, widget=forms.CheckboxSelectMultiple
    )
    harm_kind = forms.ChoiceField(label="Kind of harm", choices=[("", "Choose one")] + HarmKind.choices)
    harm_other = needed(forms.CharField(label="Kind of harm, if other", required=False, max_length=200), "for other")
    reason = forms.CharField(label="Why it is changing", widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))


# --- The safeguarding team's work ---------------------------------------------------------------------------


def _answer_field(label):
    return forms.ChoiceField(label=label, choices=Answer.choices, widget=forms.RadioSelect)


def _notes_field(question):
    # Fourteen fields share the visible label "Notes"; each one's accessible name says which answer it explains.
    textarea = forms.Textarea(attrs={"rows": 2, "aria-label": f"Notes on: {question}"})
    return forms.CharField(label="Notes", required=False, widget=textarea)


class ReviewMeetingForm(forms.Form):
    """A review meeting: who was there, the seven questions, the six criteria and the five aggravating factors."""

    held_at = when_field("When the meeting was held")
    attendees = PeopleMultipleChoiceField(
        label="Staff present",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="At least one member of the safeguarding team.",
        error_messages={"required": "Name at least one member of the safeguarding team who was at the meeting."},
    )
    other_attendees = forms.CharField(
        label="Others present",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Name and role of each person present who has no account here.",
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = staff
        for name, label in QUESTIONS + CRITERIA + AGGRAVATING_FACTORS:
            self.fields[name] = _answer_field(label)
            self.fields[f"{name}_notes"] = _notes_field(label)

    def pairs(self, items):
        return [(self[name], self[f"{name}_notes"]) for name, _ in items]

    def questions(self):
        return self.pairs(QUESTIONS)

    def criteria(self):
        return self.pairs(CRITERIA)

    def factors(self):
        return self.pairs(AGGRAVATING_FACTORS)

    def answers(self):
        about_meeting = ("held_at", "attendees", "other_attendees")
        return {name: value for name, value in self.cleaned_data.items() if name not in about_meeting}


class OwnerForm(forms.Form):
    owner = PeopleChoiceField(label="Case owner", queryset=None, empty_label="No owner")

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = team
        self.fields["owner"].required = False


class ActionForm(forms.Form):
    TO_DO, NOT_TAKEN = "to_do", "not_taken"
    kind = forms.ChoiceField(
        label="Is this",
        choices=[(TO_DO, "Something to do"), (NOT_TAKEN, "Something considered and decided against")],
        widget=forms.RadioSelect,
        initial=TO_DO,
    )
    description = forms.CharField(label="What", widget=forms.Textarea(attrs={"rows": 2}))
    owner = PeopleChoiceField(label="Who will do it", queryset=None, required=False, empty_label="Not yet decided")
    due_on = forms.DateField(label="Due by", required=False, widget=DateInput(), help_text=DATE_HINT)
    reason = needed(
        forms.CharField(
            label="Why it was decided against",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="Actions not taken are recorded with their justification.",
        ),
        "if decided against",
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = staff


class ActionResolveForm(forms.Form):
    DONE, NOT_TAKEN = "done", "not_taken"
    outcome = forms.ChoiceField(
        label="This action was",
        choices=[(DONE, "Done"), (NOT_TAKEN, "Not taken")],
        widget=forms.RadioSelect,
    )
    notes = needed(
        forms.CharField(
            label="Notes, or why it was not taken", required=False, widget=forms.Textarea(attrs={"rows": 2})
        ),
        "if not taken",
    )


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 4}))
    correction = forms.BooleanField(
        label="This corrects an earlier entry (the earlier entry stays as it was)", required=False
    )


class ReauthForm(forms.Form):
    """Asks again for the password or a two-factor code before a signature."""

    password = forms.CharField(
        label="Your password",
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="To sign, enter your password, or a code from your authenticator app below.",
    )
    otp_token = forms.CharField(
        label="A six-digit code from your authenticator app",
        required=False,
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One of the two is needed (the service checks it), so neither is marked optional.
        self.fields["password"].requirement_note = "or a code"
        self.fields["otp_token"].requirement_note = "instead of the password"

    def secrets(self):
        return {"password": self.cleaned_data["password"], "otp_token": self.cleaned_data["otp_token"]}


class CloseForm(ReauthForm):
    summary = forms.CharField(
        label="Closure summary",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The outcome, what was done, and how the pupils are now.",
    )
    field_order = ["summary"]

    def __init__(self, *args, open_actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_actions = list(open_actions)
        for action in self.open_actions:
            self.fields[f"carry_{action.pk}"] = needed(
                forms.CharField(
                    label=f"Why '{action.description[:60]}' is carried over",
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text="This action is still open. Mark it done first, or say why it carries over.",
                ),
                "to close, unless it is done first",
            )
        self.order_fields(["summary", *[f"carry_{a.pk}" for a in self.open_actions], "password", "otp_token"])

    def carried_over(self):
        """The open actions given a reason to carry over; the rest stay open, and the service says so."""
        reasons = {a.pk: self.cleaned_data[f"carry_{a.pk}"].strip() for a in self.open_actions}
        return {pk: why for pk, why in reasons.items() if why}


class RestrictionForm(forms.Form):
    """Who may see a case: named members of the team, and why (incidents.restriction)."""

    members = PeopleMultipleChoiceField(
        label="Who may see this case",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Everyone else in the team will not see that the case exists. Include at least one DSL or deputy.",
    )
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: a member of the team knows the family. Only the people named here will read this.",
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = candidates
        needed(self.fields["members"], "to restrict the case")
