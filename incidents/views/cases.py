"""The safeguarding team's and overseers' view of the school's cases: lists, one case, one pupil's chronology."""

from django.shortcuts import render

from safeguard import extensions, policy
from safeguard.access import capability_required
from safeguard.audit import listed, shown
from safeguard.keyset import keyset_page
from safeguard.models import Pupil
from safeguard.selectors import get_pupil_for_user_or_404

from .. import selectors
from ..filters import CaseFilter
from ..models import AGGRAVATING_FACTORS, CRITERIA, QUESTIONS, CaseState, Incident
from ..pupil_picker import FIND_PUPIL
from ..workflow import NEXT_STEP
from .common import case_for, meeting_answers, team_members

PAGE_SIZE = 25


def _page(request, cases, *, key, descending, drop=()):
    """One keyset page of `cases`, and the other GET parameters (less `drop`) to carry to the pages beside it."""
    page = keyset_page(
        cases,
        key=key,
        descending=descending,
        size=PAGE_SIZE,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    query = request.GET.copy()
    for name in ("after", "before", *drop):
        query.pop(name, None)
    return page, query.urlencode()


@capability_required("view_cases")
def case_list(request):
    cases = selectors.incident_list_for_user(request.user, request.school)
    finder = selectors.pupil_finder_for_cases(request.user, request.school)
    found = CaseFilter(
        request.GET or None, cases, school=request.school, finder=finder, team=team_members(request.school)
    )
    if found.form.wants_search(request.GET.get(FIND_PUPIL)):  # the picker's Search, without JavaScript
        found.form.find_pupils()
    # The next page keeps the filters, not the step that led to them.
    page, query = _page(request, found.qs, key="came_to_light_at", descending=True, drop=(FIND_PUPIL,))
    listed(request, Incident, [case.pk for case in page])
    context = {"filter": found, "form": found.form, "page": page, "query": query}
    return render(request, "incidents/case_list.html", context)


@capability_required("view_cases")
def inbox(request):
    cases = selectors.inbox_for_user(request.user, request.school)
    page, query = _page(request, cases, key="submitted_at", descending=False)
    listed(request, Incident, [case.pk for case in page])
    return render(request, "incidents/inbox.html", {"page": page, "query": query})


@capability_required("read_case")
def case_detail(request, pk):
    case = case_for(request, pk)
    meeting = selectors.latest_meeting_with_attendance(case)
    can_work = policy.can(request.roles, "work_cases")
    people = list(selectors.case_involvements(case))
    for person in people:  # age on the date the criteria are judged on (under 13 is one of them)
        person.age = person.pupil.age_on(case.incident_date) if person.pupil else None
    context = {
        "case": case,
        "next_step": NEXT_STEP[CaseState(case.state)],
        "people": people,
        "meeting": meeting,
        "meeting_questions": meeting_answers(meeting, QUESTIONS),
        "meeting_criteria": meeting_answers(meeting, CRITERIA),
        "meeting_factors": meeting_answers(meeting, AGGRAVATING_FACTORS),
        "actions": selectors.case_actions(case),
        "chronology": selectors.case_chronology(case),
        "can_work": can_work,
        # An inspector reads the granted case only: never a pupil's other cases or register entry.
        "can_open_pupils": policy.can(request.roles, "view_cases"),
        "is_open": case.state != CaseState.CLOSED,
        # A review meeting, first or further (new information), may be recorded in any open state.
        "can_meet": can_work and case.state != CaseState.CLOSED,
        "can_close": can_work and case.state in (CaseState.REFERRED, CaseState.MANAGED_IN_SCHOOL),
    }
    context["panels"] = extensions.render_panels("case", request, **context)
    return render(request, "incidents/case_detail.html", context)


@capability_required("view_cases")
def pupil_chronology(request, pk):
    pupil = get_pupil_for_user_or_404(request.user, request.school, pk)
    entries = list(selectors.pupil_chronology_for_user(request.user, request.school, pupil))
    shown(request, Pupil, [pupil.pk])
    listed(request, Incident, [entry.incident_id for entry in entries])
    # Entries from outside the cases (records: a file received from another school, a transfer of the file).
    others = extensions.pupil_timeline(request.user, request.school, pupil)
    for entry in others:
        listed(request, type(entry.record), [entry.record.pk])
    entries = sorted([*entries, *others], key=lambda entry: entry.at)
    return render(request, "incidents/pupil_chronology.html", {"pupil": pupil, "entries": entries})
