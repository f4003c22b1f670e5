"""Logging a concern (any member of staff), and seeing what one reported: never the team's later work."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from safeguard.access import capability_required
from safeguard.audit import listed, shown
from safeguard.selectors import dsl_team_for_school

from .. import selectors, services
from ..errors import CaseError
from ..forms import ConcernForm, PeopleFormSet, attach_errors
from ..models import CaseState, Incident
from .common import wording_to_check

REMOVED_FROM_DRAFT = "Taken off by the writer before submitting"


@capability_required("log_concern")
def concern_new(request):
    return _concern_page(request, None)


@capability_required("log_concern")
def concern_edit(request, pk):
    draft = selectors.get_own_draft_for_user_or_404(request.user, request.school, pk)
    shown(request, Incident, [draft.pk])
    return _concern_page(request, draft)


def _save(request, draft, form, people):
    # Submitting saves and submits in one step, or changes nothing: a refused submission leaves no blank draft.
    save = services.concern_log if "submit" in request.POST else services.concern_save
    return save(
        actor=request.user,
        school=request.school,
        draft=draft,
        involvements=[person.service_kwargs() for person in people.filled],
        **form.cleaned_data,
    )


def _concern_page(request, draft):
    """One page for the whole concern: save it as a draft to finish later, or submit it to the team."""
    finder = selectors.pupil_finder_to_name(request.user, request.school)
    initial = ConcernForm.initial_from(draft) if draft else None
    form = ConcernForm(request.POST or None, initial=initial)
    people = PeopleFormSet(request.POST or None, finder=finder, prefix="people")
    prompts = []
    searching = people.find_pupils()  # a Search button without JavaScript: show the pupils found, save nothing
    valid = request.method == "POST" and not searching and form.is_valid() and people.is_valid()
    if valid and not (prompts := wording_to_check(request, form)):
        try:
            case = _save(request, draft, form, people)
        except (CaseError, ValidationError) as error:
            attach_errors(form, error)  # nothing was saved; the page keeps everything typed
        else:
            if case.state == CaseState.DRAFT:
                messages.success(request, "Your draft is saved. Only you can see it until you submit it.")
                return redirect("incidents:concern_edit", pk=case.pk)
            messages.success(
                request,
                f"Thank you. Your concern {case.reference} has reached the safeguarding team, who have been "
                "alerted. If a child is in immediate danger, call 999 now.",
            )
            return redirect("incidents:own_report", pk=case.pk)
    context = {
        "form": form,
        "people": people,
        "draft": draft,
        "added": selectors.case_involvements(draft) if draft else [],
        "dsl_team": dsl_team_for_school(request.school),
        "wording_prompts": prompts,
    }
    return render(request, "incidents/concern_form.html", context)


@require_POST
@capability_required("log_concern")
def concern_person_remove(request, pk, person_pk):
    draft = selectors.get_own_draft_for_user_or_404(request.user, request.school, pk)
    person = get_object_or_404(selectors.case_involvements(draft), pk=person_pk)
    services.involvement_remove(actor=request.user, involvement=person, reason=REMOVED_FROM_DRAFT)
    messages.success(request, f"{person.name} is no longer on this draft.")
    return redirect("incidents:concern_edit", pk=draft.pk)


@capability_required("log_concern")
def own_report_list(request):
    reports = list(selectors.own_report_list_for_user(request.user, request.school))
    listed(request, Incident, [report["pk"] for report in reports])
    return render(request, "incidents/own_report_list.html", {"own_reports": reports})


@capability_required("log_concern")
def own_report(request, pk):
    report = selectors.get_own_report_for_user_or_404(request.user, request.school, pk)
    if not report.received:
        return redirect("incidents:concern_edit", pk=pk)
    # The report is a snapshot, not the case itself; the access log names the case it was read from.
    shown(request, Incident, [report.pk])
    return render(request, "incidents/own_report.html", {"report": report})
