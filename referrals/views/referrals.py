"""Referrals to other agencies, and their follow-up until the outcome is known (Ofsted looks for tenacity)."""

from django.contrib import messages
from django.urls import reverse
from django.utils import timezone

from incidents.models import CaseState
from incidents.selectors import latest_meeting
from incidents.views.common import case_for, form_page, working_staff
from safeguard.access import capability_required

from .. import selectors, services
from ..forms import EscalationForm, FollowUpForm, OutcomeForm, ReferralForm
from ..guards import needs_police_or_social_care
from ..models import POLICE, Agency
from .common import referral_for


def _now():
    return timezone.localtime().replace(second=0, microsecond=0)


@capability_required("work_cases")
def referral_new(request, pk):
    case = case_for(request, pk)
    escalating = case.state in services.ESCALATING_FROM
    form = ReferralForm(
        request.POST or None,
        staff=working_staff(request.school),
        escalating=escalating,
        initial={
            "made_at": _now(),
            "made_by": request.user,
            # Another page may offer a referral to one agency (a refusal to delete offers the police): it is chosen.
            "agency": request.GET.get("agency") if request.GET.get("agency") in Agency.values else "",
        },
    )

    def perform(data):
        return services.referral_make(
            actor=request.user,
            incident=case,
            agency=data["agency"],
            agency_other=data["agency_other"],
            made_at=data["made_at"],
            made_by=data["made_by"],
            method=data["method"],
            reference_number=data["reference_number"],
            contact_name=data["contact_name"],
            contact_details=data["contact_details"],
            information_shared=data["information_shared"],
            reason=data.get("reason", ""),
        )

    def success(referral):
        if referral.incident.state == CaseState.REFERRED:
            return f"The referral to {referral.agency_name} is recorded."
        return (
            f"The report to {referral.agency_name} is recorded. The case still needs its referral to the police or "
            "children's social care."
        )

    def then(referral):
        # Parents are told when the police are informed (domain.md §5): the next page asks about each pupil.
        if referral.agency in POLICE and selectors.parents_not_recorded(case):
            messages.info(request, "The police are involved: record for each pupil whether their parents were told.")
            return reverse("referrals:parent_contact", args=[case.pk])
        return None

    return form_page(
        request,
        case,
        form,
        perform,
        "referrals/referral_form.html",
        success,
        then,
        escalating=escalating,
        police_or_social_care=needs_police_or_social_care(case, case.state),
        under_coercion=selectors.under_coercion(case, latest_meeting(case)),
    )


@capability_required("work_cases")
def follow_up(request, pk, rid):
    case = case_for(request, pk)
    referral = referral_for(case, rid)
    form = FollowUpForm(request.POST or None, initial={"at": _now()})

    def perform(data):
        return services.referral_follow_up(
            actor=request.user,
            referral=referral,
            at=data["at"],
            method=data["method"],
            notes=data["notes"],
            response_received=data["response_received"],
        )

    return form_page(
        request,
        case,
        form,
        perform,
        "referrals/follow_up_form.html",
        "The follow-up is recorded.",
        referral=referral,
    )


@capability_required("work_cases")
def escalate(request, pk, rid):
    case = case_for(request, pk)
    referral = referral_for(case, rid)
    form = EscalationForm(request.POST or None)

    def perform(data):
        return services.referral_escalate(
            actor=request.user, referral=referral, to_whom=data["to_whom"], reason=data["reason"]
        )

    return form_page(
        request,
        case,
        form,
        perform,
        "referrals/escalation_form.html",
        "The escalation is recorded.",
        referral=referral,
    )


@capability_required("work_cases")
def outcome(request, pk, rid):
    case = case_for(request, pk)
    referral = referral_for(case, rid)
    form = OutcomeForm(request.POST or None, agency=referral.agency, initial={"outcome_at": _now()})

    def perform(data):
        return services.referral_record_outcome(
            actor=request.user,
            referral=referral,
            outcome=data["outcome"],
            outcome_at=data["outcome_at"],
            notes=data["outcome_notes"],
        )

    return form_page(
        request,
        case,
        form,
        perform,
        "referrals/outcome_form.html",
        lambda done: f"The outcome from {done.agency_name} is recorded.",
        referral=referral,
    )
