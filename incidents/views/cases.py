"""The safeguarding team's and overseers' view of the school's cases: lists, one case, one pupil's chronology."""

from django.core.paginator import Paginator
from django.shortcuts import render

from safeguard import extensions, policy
from safeguard.access import capability_required
from safeguard.audit import log_access
from safeguard.selectors import get_pupil_for_user_or_404

from .. import selectors, services
from ..filters import CaseFilter
from ..models import CRITERIA, QUESTIONS, CaseState
from ..pupil_picker import FIND_PUPIL
from ..workflow import NEXT_STEP
from .common import case_for, meeting_answers, team_members

PAGE_SIZE = 25


@capability_required("view_cases")
def case_list(request):
    cases = selectors.incident_list_for_user(request.user, request.school)
    finder = selectors.pupil_finder_for_cases(request.user, request.school)
    found = CaseFilter(request.GET or None, cases, finder=finder, team=team_members(request.school))
    if found.form.wants_search(request.GET.get(FIND_PUPIL)):  # the picker's Search, without JavaScript
        found.form.find_pupils()
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    for step in ("page", FIND_PUPIL):  # the next page keeps the filters, not the step that led to them
        query.pop(step, None)
    context = {"filter": found, "form": found.form, "page": page, "query": query.urlencode()}
    return render(request, "incidents/case_list.html", context)


@capability_required("view_cases")
def inbox(request):
    cases = selectors.inbox_for_user(request.user, request.school)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "incidents/inbox.html", {"page": page, "query": ""})


@capability_required("view_cases")
def case_detail(request, pk):
    case = case_for(request, pk)
    log_access(user=request.user, obj=case, school=request.school)
    for notification in selectors.notifications_for_user(request.user).filter(incident=case):
        services.notification_mark_read(actor=request.user, notification=notification)
    meeting = selectors.latest_meeting(case)
    can_work = policy.can(request.roles, "work_cases")
    people = list(selectors.case_involvements(case))
    for person in people:  # age on the date the criteria are judged on (under 13 is one of them)
        person.age = person.pupil.age_on(case.incident_date) if person.pupil else None
    context = {
        "case": case,
        "next_step": NEXT_STEP[CaseState(case.state)],
        "people": people,
        "team": team_members(request.school) if can_work else [],
        "meeting": meeting,
        "meeting_questions": meeting_answers(meeting, QUESTIONS),
        "meeting_criteria": meeting_answers(meeting, CRITERIA),
        "actions": selectors.case_actions(case),
        "chronology": selectors.case_chronology(case),
        "can_work": can_work,
        "is_open": case.state != CaseState.CLOSED,
        "can_meet": can_work and case.state in (CaseState.REPORTED, CaseState.UNDER_REVIEW, CaseState.REOPENED),
        "can_close": can_work and case.state in (CaseState.REFERRED, CaseState.MANAGED_IN_SCHOOL),
    }
    context["panels"] = extensions.render_panels("case", request, **context)
    return render(request, "incidents/case_detail.html", context)


@capability_required("view_cases")
def pupil_chronology(request, pk):
    pupil = get_pupil_for_user_or_404(request.user, request.school, pk)
    log_access(user=request.user, obj=pupil, school=request.school)
    entries = selectors.pupil_chronology_for_user(request.user, request.school, pupil)
    return render(request, "incidents/pupil_chronology.html", {"pupil": pupil, "entries": entries})
