"""Retention (issue 9 §8): the review queue, each pupil's file, legal holds, and the DSL's signed decisions."""

from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from incidents.views.common import form_page
from safeguard.access import capability_required
from safeguard.audit import listed, shown
from safeguard.keyset import keyset_page
from safeguard.models import Pupil

from .. import retention_selectors as selectors
from ..retention_forms import LegalHoldForm, LegalHoldLiftForm, RetentionDecisionForm
from ..retention_models import RetentionOutcome
from ..services import retention as services

PAGE_SIZE = 25


def _page(request, queryset, *, key, descending):
    return keyset_page(
        queryset,
        key=key,
        descending=descending,
        size=PAGE_SIZE,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )


@capability_required("work_cases")
def retention_queue(request):
    """The files whose review date has passed or comes within the queue's months, soonest first."""
    page = _page(
        request, selectors.review_queue_for_user(request.user, request.school), key="review_at", descending=False
    )
    listed(request, Pupil, [pupil.pk for pupil in page])
    context = {"page": page, "horizon": selectors.queue_horizon(), "query": ""}
    return render(request, "records/retention/queue.html", context)


@capability_required("work_cases")
def retention_file(request, pk):
    """One pupil's file: its review date, legal holds and decisions."""
    pupil = selectors.get_file_for_user_or_404(request.user, request.school, pk)
    shown(request, Pupil, [pupil.pk])
    holds = list(selectors.holds_for(pupil))
    context = {
        "pupil": pupil,
        "review_on": pupil.review_at.date(),
        "holds": holds,
        "standing_hold": next((hold for hold in holds if not hasattr(hold, "lift")), None),
        "decisions": list(selectors.decisions_for(pupil)),
    }
    return render(request, "records/retention/file.html", context)


def _file_url(pupil):
    return reverse("records:retention_file", args=[pupil.pk])


@capability_required("work_cases")
def legal_hold_new(request, pk):
    pupil = selectors.get_file_for_user_or_404(request.user, request.school, pk)
    form = LegalHoldForm(request.POST or None)

    def perform(data):
        return services.legal_hold_place(actor=request.user, pupil=pupil, reason=data["reason"])

    return form_page(
        request,
        None,
        form,
        perform,
        "records/retention/hold_form.html",
        "The file is on legal hold: it will not be disposed of while the hold stands.",
        then=_file_url(pupil),
        pupil=pupil,
    )


@capability_required("work_cases")
def legal_hold_lift(request, pk, hid):
    pupil = selectors.get_file_for_user_or_404(request.user, request.school, pk)
    hold = get_object_or_404(selectors.holds_for(pupil).filter(lift__isnull=True), pk=hid)
    form = LegalHoldLiftForm(request.POST or None)

    def perform(data):
        return services.legal_hold_lift(actor=request.user, hold=hold, reason=data["reason"])

    return form_page(
        request,
        None,
        form,
        perform,
        "records/retention/lift_form.html",
        "The legal hold is lifted.",
        then=_file_url(pupil),
        pupil=pupil,
        hold=hold,
    )


@capability_required("work_cases")
def retention_decide(request, pk):
    """The DSL's decision on the file, signed with their password or code (the service checks both)."""
    pupil = selectors.get_file_for_user_or_404(request.user, request.school, pk)
    form = RetentionDecisionForm(request.POST or None)

    def perform(data):
        return services.retention_decide(
            actor=request.user,
            pupil=pupil,
            outcome=data["outcome"],
            reason=data["reason"],
            next_review_on=data["next_review_on"],
            **form.secrets(),
        )

    def then(decision):
        if decision.outcome == RetentionOutcome.DISPOSE:
            return reverse("records:retention_disposals")
        return _file_url(pupil)

    return form_page(
        request,
        None,
        form,
        perform,
        "records/retention/decide_form.html",
        "The decision is recorded.",
        then=then,
        pupil=pupil,
        review_on=pupil.review_at.date(),
    )


@capability_required("work_cases")
def retention_disposals(request):
    """The entries saying which files were disposed of, by whom and why, newest first."""
    page = _page(request, selectors.disposals_for_user(request.user, request.school), key="decided_at", descending=True)
    return render(request, "records/retention/disposals.html", {"page": page, "query": ""})
