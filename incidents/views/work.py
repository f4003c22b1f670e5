"""The safeguarding team's work on a case: review meeting, owner, people, actions, notes, closing and after.

Each page finds the case through the scoped selector and calls one service; the services hold every rule.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from safeguard import policy
from safeguard.access import capability_required

from .. import restriction, selectors, services
from ..errors import CaseError
from ..forms import (
    ActionForm,
    ActionResolveForm,
    ClassifyForm,
    CloseForm,
    NoteForm,
    OwnerForm,
    PeopleFormSet,
    ReasonForm,
    RestrictionForm,
    ReviewMeetingForm,
    attach_errors,
)
from ..models import ActionStatus
from .common import case_for, form_page, team_members, working_staff


@capability_required("work_cases")
def review_meeting(request, pk):
    case = case_for(request, pk)
    form = ReviewMeetingForm(request.POST or None, staff=working_staff(request.school))

    def perform(data):
        services.review_meeting_record(
            actor=request.user,
            incident=case,
            held_at=data["held_at"],
            attendees=list(data["attendees"]),
            other_attendees=data["other_attendees"],
            answers=form.answers(),
        )

    suggestions = {s.criterion: s for s in selectors.criteria_suggestions(case)}
    first = not case.review_meetings.exists()
    name = "Initial review meeting" if first else "Further review meeting"
    return form_page(
        request,
        case,
        form,
        perform,
        "incidents/review_meeting_form.html",
        f"The {name.lower()} is recorded.",
        first_meeting=first,
        meeting_name=name,
        suggestions=suggestions,
        criteria=[(answer, notes, suggestions.get(answer.name)) for answer, notes in form.criteria()],
    )


@capability_required("work_cases")
def owner_set(request, pk):
    case = case_for(request, pk)
    form = OwnerForm(request.POST or None, team=team_members(request.school), initial={"owner": case.owner})

    def perform(data):
        services.incident_assign_owner(actor=request.user, incident=case, owner=data["owner"])

    return form_page(request, case, form, perform, "incidents/owner_form.html", "The case owner is updated.")


@capability_required("work_cases")
def person_add(request, pk):
    case = case_for(request, pk)
    finder = selectors.pupil_finder_to_name(request.user, request.school)
    people = PeopleFormSet(request.POST or None, finder=finder, prefix="people")
    if request.method == "POST" and not people.find_pupils() and people.is_valid():
        try:
            with transaction.atomic():
                for person in people.filled:
                    services.involvement_add(actor=request.user, incident=case, **person.service_kwargs())
        except (CaseError, ValidationError) as error:
            attach_errors(people.forms[0], error)
        else:
            messages.success(request, "The case's people are updated.")
            return redirect(case.get_absolute_url())
    return render(request, "incidents/person_form.html", {"case": case, "people": people})


@capability_required("work_cases")
def person_remove(request, pk, person_pk):
    case = case_for(request, pk)
    person = get_object_or_404(selectors.case_involvements(case), pk=person_pk)
    form = ReasonForm(request.POST or None)

    def perform(data):
        services.involvement_remove(actor=request.user, involvement=person, reason=data["reason"])

    return form_page(
        request,
        case,
        form,
        perform,
        "incidents/person_remove.html",
        f"{person.name} is taken off the case; the record of them stays.",
        person=person,
    )


@capability_required("work_cases")
def action_add(request, pk):
    case = case_for(request, pk)
    form = ActionForm(request.POST or None, staff=working_staff(request.school))

    def perform(data):
        if data["kind"] == ActionForm.NOT_TAKEN:
            services.action_record_not_taken(
                actor=request.user, incident=case, description=data["description"], reason=data["reason"]
            )
        else:
            services.action_add(
                actor=request.user,
                incident=case,
                description=data["description"],
                owner=data["owner"],
                due_on=data["due_on"],
            )

    return form_page(request, case, form, perform, "incidents/action_form.html", "The action is recorded.")


@capability_required("work_cases")
def action_resolve(request, pk, action_pk):
    case = case_for(request, pk)
    action = get_object_or_404(selectors.case_actions(case), pk=action_pk, status=ActionStatus.OPEN)
    form = ActionResolveForm(request.POST or None)

    def perform(data):
        if data["outcome"] == ActionResolveForm.NOT_TAKEN:
            services.action_not_taken(actor=request.user, action=action, reason=data["notes"])
        else:
            services.action_complete(actor=request.user, action=action, notes=data["notes"])

    return form_page(
        request, case, form, perform, "incidents/action_resolve.html", "The action is updated.", action=action
    )


@capability_required("work_cases")
def classify(request, pk):
    case = case_for(request, pk)
    initial = {
        "categories": [c.value for c in case.categories],
        "harm_kind": case.harm_kind,
        "harm_other": case.harm_other,
    }
    form = ClassifyForm(request.POST or None, initial=initial)

    def perform(data):
        services.incident_classify(actor=request.user, incident=case, **data)

    return form_page(request, case, form, perform, "incidents/classify_form.html", "The category is corrected.")


@capability_required("work_cases")
def note_add(request, pk):
    case = case_for(request, pk)
    form = NoteForm(request.POST or None)

    def perform(data):
        services.note_add(actor=request.user, incident=case, text=data["text"], correction=data["correction"])

    return form_page(request, case, form, perform, "incidents/note_form.html", "The note is added to the chronology.")


@capability_required("work_cases")
def case_close(request, pk):
    case = case_for(request, pk)
    open_actions = selectors.case_actions(case).filter(status=ActionStatus.OPEN)
    form = CloseForm(request.POST or None, open_actions=open_actions)

    def perform(data):
        services.case_close(
            actor=request.user,
            incident=case,
            summary=data["summary"],
            carried_over=form.carried_over(),
            **form.secrets(),
        )

    return form_page(request, case, form, perform, "incidents/close_form.html", "The case is closed and signed off.")


@capability_required("work_cases")
def case_reopen(request, pk):
    case = case_for(request, pk)
    form = ReasonForm(request.POST or None)

    def perform(data):
        services.case_reopen(actor=request.user, incident=case, reason=data["reason"])

    return form_page(request, case, form, perform, "incidents/reopen_form.html", "The case is reopened.")


@capability_required("restrict_cases")
def case_restriction(request, pk):
    """Restrict the case to named members of the team, change who they are, or let the whole team see it again."""
    case = case_for(request, pk)
    members = list(restriction.restriction_members(case))
    form = RestrictionForm(
        request.POST or None,
        candidates=restriction.restriction_candidates(request.school),
        initial={"members": members or [request.user]},
    )
    lifting = "lift" in request.POST

    def perform(data):
        if lifting:
            return restriction.case_unrestrict(actor=request.user, incident=case, reason=data["reason"])
        return restriction.case_restrict(
            actor=request.user, incident=case, members=data["members"], reason=data["reason"]
        )

    def success(changed):
        if not changed.restricted:
            return "The whole safeguarding team can see this case again."
        return "Only the people you named can see this case now."

    def then(changed):
        # Someone who restricted a case away from themselves (they know the family) can no longer open it.
        still_sees = policy.case_permits(request.user, changed, policy.VIEW)
        return changed.get_absolute_url() if still_sees else reverse("incidents:case_list")

    return form_page(request, case, form, perform, "incidents/restriction_form.html", success, then, members=members)
