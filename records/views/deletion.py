"""Deletion requests and their answers, and take-down reports (domain.md §4; seed 004 §5.2 and §8)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from incidents.models import CaseState
from incidents.selectors import case_involvements
from incidents.views.common import case_for, form_page, working_staff
from referrals.models import Agency
from safeguard import policy
from safeguard.access import capability_required

from .. import deletion_selectors as selectors
from ..deletion_forms import (
    DeletionConfirmForm,
    DeletionRefuseForm,
    DeletionRequestForm,
    TakedownFollowUpForm,
    TakedownReportForm,
)
from ..services import deletion as services

# A refusal offers the escalation: the referral page, with the police chosen (the DSL may choose otherwise).
POLICE_AGENCY = Agency.POLICE_101


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


def police_referral_url(case):
    return f"{reverse('referrals:referral_new', args=[case.pk])}?{urlencode({'agency': POLICE_AGENCY.value})}"


@capability_required("read_case")
def deletion_section(request, pk):
    """The case's deletion requests with their answers and overdue marks, and its take-down reports with their
    follow-ups: open to whoever may see the case, with the work links only for those who may work it."""
    case = case_for(request, pk)
    now = timezone.now()
    requests = selectors.deletion_requests_for_case(case, now)
    managed = case.state == CaseState.MANAGED_IN_SCHOOL
    is_open = case.state != CaseState.CLOSED
    can_work = policy.can(request.roles, "work_cases")
    asked = {r.involvement_id for r in requests}
    people = list(case_involvements(case).filter(pupil__isnull=False)) if managed else []
    context = {
        "case": case,
        # Deletion is asked for on a case managed in school; its record stays on the page whatever comes after.
        "show_deletion": managed or bool(requests),
        "deletion_requests": requests,
        "takedown_reports": selectors.takedown_reports_for_case(case),
        # Chased while the school manages the case; once referred, the police advise on the imagery.
        "deletion_overdue": [r for r in requests if r.overdue] if managed else [],
        # Seed 004 §5.2: when the school manages the case, every pupil involved is asked to delete the imagery.
        "deletion_not_asked": [p for p in people if p.pk not in asked],
        "deletion_refused": any(r.status == services.REFUSED for r in requests),
        "police_referral_url": police_referral_url(case),
        "can_request_deletion": can_work and managed,
        "can_answer_deletion": can_work and is_open,
        "can_escalate": can_work and is_open and case.state != CaseState.REFERRED,
        "can_report_takedown": can_work and is_open,
        "deletion_open": services.OPEN,
        "deletion_refused_status": services.REFUSED,
    }
    return render(request, "records/deletion/section.html", context)


@capability_required("work_cases")
def deletion_request_new(request, pk):
    case = case_for(request, pk)
    form = DeletionRequestForm(
        request.POST or None,
        involvements=case_involvements(case).filter(pupil__isnull=False),
        staff=working_staff(request.school),
        initial={"asked_at": _now(), "asked_by": request.user, "deadline": services.default_deadline(case.school)},
    )

    def perform(data):
        return services.deletion_request(
            actor=request.user,
            involvement=data["involvement"],
            asked_at=data["asked_at"],
            asked_by=data["asked_by"],
            deadline=data["deadline"],
            told_consequences=data["told_consequences"],
            where_held=data["where_held"],
        )

    return form_page(
        request,
        case,
        form,
        perform,
        "records/deletion/request_form.html",
        lambda done: f"The request to {done.involvement.name} to delete the imagery is recorded.",
    )


@capability_required("work_cases")
def deletion_confirm(request, pk, rid):
    case = case_for(request, pk)
    deletion = selectors.get_deletion_request_or_404(case, rid)
    form = DeletionConfirmForm(
        request.POST or None,
        staff=working_staff(request.school),
        initial={"at": _now(), "who": "pupil", "checked_by": request.user},
    )

    def perform(data):
        return services.deletion_confirm(
            actor=request.user,
            request=deletion,
            at=data["at"],
            who=data["who"],
            who_name=data["who_name"],
            method=data["method"],
            checked_by=data["checked_by"],
            devices=data["devices"],
            cloud_storage=data["cloud_storage"],
            social_media=data["social_media"],
            notes=data["notes"],
        )

    return form_page(
        request,
        case,
        form,
        perform,
        "records/deletion/confirm_form.html",
        f"The deletion is confirmed for {deletion.involvement.name}.",
        deletion=deletion,
    )


@capability_required("work_cases")
def deletion_refuse(request, pk, rid):
    case = case_for(request, pk)
    deletion = selectors.get_deletion_request_or_404(case, rid)
    form = DeletionRefuseForm(request.POST or None, initial={"at": _now(), "who": "pupil"})

    def perform(data):
        return services.deletion_refuse(
            actor=request.user,
            request=deletion,
            at=data["at"],
            who=data["who"],
            who_name=data["who_name"],
            method=data["method"],
            notes=data["notes"],
        )

    def then(response):
        # The escalation is offered at once: the referral page, with the police chosen. Going back is a choice too.
        messages.info(request, services.REFUSAL_ESCALATION)
        return police_referral_url(case)

    return form_page(
        request,
        case,
        form,
        perform,
        "records/deletion/refuse_form.html",
        f"The refusal to delete is recorded for {deletion.involvement.name}.",
        then,
        deletion=deletion,
    )


@capability_required("work_cases")
def takedown_new(request, pk):
    case = case_for(request, pk)
    form = TakedownReportForm(request.POST or None, initial={"made_at": _now()})

    def perform(data):
        return services.takedown_report(
            actor=request.user,
            incident=case,
            platform=data["platform"],
            route=data["route"],
            made_at=data["made_at"],
            reference=data["reference"],
            result=data["result"],
            result_at=data["result_at"],
            notes=data["notes"],
        )

    return form_page(
        request,
        case,
        form,
        perform,
        "records/deletion/takedown_form.html",
        lambda done: f"The take-down report to {done.platform} is recorded.",
    )


@capability_required("work_cases")
def takedown_follow_up(request, pk, tid):
    case = case_for(request, pk)
    report = selectors.get_takedown_report_or_404(case, tid)
    form = TakedownFollowUpForm(request.POST or None, initial={"made_at": _now()})

    def perform(data):
        return services.takedown_follow_up(
            actor=request.user,
            report=report,
            made_at=data["made_at"],
            reference=data["reference"],
            result=data["result"],
            result_at=data["result_at"],
            notes=data["notes"],
        )

    return form_page(
        request,
        case,
        form,
        perform,
        "records/deletion/takedown_follow_up_form.html",
        f"The follow-up of the report to {report.platform} is recorded.",
        report=report,
    )
