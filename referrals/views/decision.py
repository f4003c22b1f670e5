"""The decision (refer, or manage in school) and the headteacher's sign-off of a decision not to refer."""

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from incidents.models import AGGRAVATING_FACTORS, REFERRAL_ANSWERS, Answer, CaseState
from incidents.selectors import latest_meeting
from incidents.views.common import case_for, form_page, meeting_answers
from safeguard import policy
from safeguard.access import capability_required

from .. import selectors, services
from ..forms import DecisionForm, SignOffForm
from ..guards import criteria_problems
from ..models import DecisionKind, SignOffOutcome


@capability_required("work_cases")
def decision(request, pk):
    case = case_for(request, pk)
    meeting = latest_meeting(case)
    problems = criteria_problems(case)
    # The page offers managing in school only where the service would accept it; the service decides either way.
    manage_allowed = case.state == CaseState.UNDER_REVIEW and not problems
    factors = meeting.aggravating_factors if meeting else []
    form = DecisionForm(request.POST or None, manage_allowed=manage_allowed, factors=factors)

    def perform(data):
        manage = data["kind"] == DecisionKind.MANAGE_IN_SCHOOL
        return services.decision_record(
            actor=request.user,
            incident=case,
            kind=data["kind"],
            reasons=data["reasons"],
            plan=data["plan"],
            annex_a=form.annex_a() if manage else None,
            factor_reasons=form.factor_reasons() if manage else None,
        )

    def success(made):
        if made.kind == DecisionKind.REFER:
            return "The decision to refer is recorded. Now record the referral."
        return "The decision to manage in school is recorded and sent to the headteacher for sign-off."

    def then(made):
        if made.kind == DecisionKind.REFER:
            return reverse("referrals:referral_new", args=[case.pk])
        return case.get_absolute_url()

    return form_page(
        request,
        case,
        form,
        perform,
        "referrals/decision_form.html",
        success,
        then,
        meeting=meeting,
        required_by=meeting.referral_required_by if meeting else [],
        criteria=meeting_answers(meeting, REFERRAL_ANSWERS),
        factors=meeting_answers(meeting, AGGRAVATING_FACTORS),
        factors_present=meeting.answered(AGGRAVATING_FACTORS, Answer.YES) if meeting else [],
        problems=problems,
        manage_allowed=manage_allowed,
        under_review=case.state == CaseState.UNDER_REVIEW,
    )


def sign_off(request, pk):
    """Sign off, or send back, the decision not to refer waiting on this case.

    No capability fits: a named signatory may be plain staff. The case is found through the scoped selector
    (404 if the person cannot see it), and the selectors say whether this person may sign (403 if not).
    """
    if request.school is None:
        raise Http404
    case = case_for(request, pk)
    pending = selectors.pending_decision(case)
    if pending is None:
        raise Http404
    refusal = selectors.sign_off_refusal(request.user, pending)
    if refusal is not None:
        # Everyone here can already see the case, so the reason gives nothing away.
        return render(request, "referrals/sign_off_refused.html", {"case": case, "refusal": refusal}, status=403)
    form = SignOffForm(request.POST or None)

    def perform(data):
        return services.decision_sign_off(
            actor=request.user,
            decision=pending,
            outcome=data["outcome"],
            comment=data["comment"],
            **form.secrets(),
        )

    def success(signed):
        if signed.status == SignOffOutcome.SIGNED_OFF:
            return "You have signed off the decision. The case is managed in school."
        return "The decision is sent back to the safeguarding team, with your comment."

    # A named signatory who is not on the team does not open case pages: they go back to their dashboard.
    then = case.get_absolute_url() if policy.can(request.roles, "view_cases") else reverse("dashboard")
    decision_ = selectors.decisions_for_case(case).get(pk=pending.pk)
    return form_page(
        request,
        case,
        form,
        perform,
        "referrals/sign_off_form.html",
        success,
        then,
        decision=decision_,
        criteria=meeting_answers(decision_.meeting, REFERRAL_ANSWERS),
        factors=meeting_answers(decision_.meeting, AGGRAVATING_FACTORS),
        earlier=[d for d in selectors.decisions_for_case(case) if d.pk != pending.pk],
    )
