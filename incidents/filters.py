"""The case list's filters (django-filter): pupil (chosen with a pupil picker), 4C category, state, owner, dates,
and a pupil's name."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from safeguard import extensions
from safeguard.models import Pupil

from .forms import DateInput, PeopleChoiceField
from .models import CaseState, FourC, Incident, Involvement
from .pupil_picker import SEARCH_LABEL, PupilPicker, pupil_field_options
from .selectors import case_ids_for_pupil

# Each word of a name search is one indexed lookup: a few words find anyone, hundreds would tie up the database.
SEARCH_MAX_WORDS, SEARCH_MAX_LENGTH = 5, 100


def few_words(text):
    if len(text.split()) > SEARCH_MAX_WORDS:
        raise ValidationError(f"Search for at most {SEARCH_MAX_WORDS} words: a name, or a case reference.")


def pupils_named(school, word):
    """The school's pupils with `word` in a name: read through the school's index, or the names' trigram indexes
    on PostgreSQL (safeguard.db.name_search_index), whichever the planner finds cheaper."""
    return Pupil.objects.filter(extensions.pupils_shown(), school=school).filter(
        Q(first_name__icontains=word) | Q(last_name__icontains=word)
    )


class PeopleFilter(django_filters.ModelChoiceFilter):
    field_class = PeopleChoiceField


class CaseFilterForm(PupilPicker, forms.Form):
    """The filters' form: its pupil is chosen with a pupil picker (incidents.pupil_picker)."""


class CaseFilter(django_filters.FilterSet):
    """Narrows a list already scoped by incidents.selectors.incident_list_for_user; every filter is optional.

    `finder` (the pupils, as incidents.selectors.pupil_finder_for_cases finds them) and `team` are the choices,
    scoped by the caller to the current school.
    """

    q = django_filters.CharFilter(
        label="Pupil name or case reference",
        method="by_name_or_reference",
        max_length=SEARCH_MAX_LENGTH,
        validators=[few_words],
    )
    pupil = django_filters.ModelChoiceFilter(
        label="Pupil",
        queryset=None,
        method="by_pupil",
        **pupil_field_options(not_offered="That pupil is not on this school's register. Search for them again."),
    )
    # The picker's search box finds the pupil to filter by; it narrows nothing itself.
    pupil_search = django_filters.CharFilter(label=SEARCH_LABEL, method="finds_only")
    state = django_filters.ChoiceFilter(
        label="State", choices=[c for c in CaseState.choices if c[0] != CaseState.DRAFT], empty_label="Any"
    )
    category = django_filters.ChoiceFilter(
        label="Category", choices=FourC.choices, method="by_category", empty_label="Any"
    )
    owner = PeopleFilter(label="Owner", queryset=None, empty_label="Anyone")
    date_from = django_filters.DateFilter(
        label="Came to light on or after", field_name="came_to_light_at", lookup_expr="date__gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label="Came to light on or before", field_name="came_to_light_at", lookup_expr="date__lte", widget=DateInput()
    )

    class Meta:
        model = Incident
        fields = []
        form = CaseFilterForm

    def __init__(self, data=None, queryset=None, *, school, finder, team, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.school = school
        self.filters["pupil"].queryset = finder.pupils
        self.filters["owner"].queryset = team
        self.form.offer_pupils(finder)

    def finds_only(self, cases, name, text):
        return cases

    def by_pupil(self, cases, name, pupil):
        return cases.filter(pk__in=case_ids_for_pupil(pupil))

    def by_category(self, cases, name, category):
        return cases.filter(**{Incident.CATEGORY_FIELDS[FourC(category)]: True})

    def by_name_or_reference(self, cases, name, text):
        # Each word finds the few cases of this school with a pupil or another person of that name (an indexed
        # lookup, pupils_named; trigram indexes on PostgreSQL), or with that reference, as one set of ids: the
        # list then reads just those cases, never every case of the school to test each one.
        current = Involvement.objects.current().order_by()  # no ORDER BY inside a UNION
        for word in text.split():
            as_pupil = current.filter(pupil__in=pupils_named(self.school, word)).values("incident")
            as_other = current.filter(incident__school=self.school, other_name__icontains=word).values("incident")
            # References are written in capitals (incidents.workflow), so the unique index answers this exactly.
            by_reference = Incident.objects.filter(school=self.school, reference=word.upper()).order_by().values("pk")
            cases = cases.filter(pk__in=as_pupil.union(as_other, by_reference))
        return cases
