"""Rules on case moves that rest on decisions and referrals, registered with incidents.workflow on start-up.

They read the database, not the caller's arguments, so they hold whoever asks for the move: a case is managed
in school only after a signed-off decision, and is closed only with an outcome.
"""

from incidents.models import Answer, CaseState
from incidents.selectors import latest_meeting
from incidents.workflow import register_guard

from .models import Decision, DecisionKind, DecisionStatus, Referral

S = CaseState


def _latest_manage_decision(incident):
    return Decision.objects.filter(incident=incident, kind=DecisionKind.MANAGE_IN_SCHOOL).order_by("-pk").first()


def criteria_problems(incident):
    """Why the latest review meeting does not allow managing in school, if it does not (seed 004 §3.3)."""
    meeting = latest_meeting(incident)
    if meeting is None:
        return ["No initial review meeting has been recorded, so the six criteria have not been answered."]
    problems = []
    met = meeting.criteria_met
    if met:
        problems.append(
            "The initial review meeting found that this must be referred to the police or children's social care, "
            "because: " + "; ".join(met) + ". It cannot be managed in school."
        )
    unknown = meeting.criteria_answered(Answer.NOT_YET_KNOWN)
    if unknown:
        problems.append(
            "Managing in school needs every criterion answered 'no'. Not yet known: " + "; ".join(unknown) + "."
        )
    return problems


def decision_pending(*, incident, **_):
    decision = _latest_manage_decision(incident)
    if decision is None or decision.status != DecisionStatus.PENDING_SIGN_OFF:
        yield "A decision to manage in school must be recorded before it can go for sign-off."
    yield from criteria_problems(incident)


def decision_signed_off(*, incident, **_):
    decision = _latest_manage_decision(incident)
    signature = getattr(decision, "sign_off", None) if decision else None
    if decision is None or decision.status != DecisionStatus.SIGNED_OFF or signature is None:
        yield "A case is managed in school only once the decision not to refer has been signed off."
    elif signature.signed_by_id == decision.decided_by_id:
        yield "The person who made the decision cannot also sign it off."
    yield from criteria_problems(incident)


def decision_sent_back(*, incident, from_state, **_):
    if from_state != S.AWAITING_SIGN_OFF:
        return
    decision = _latest_manage_decision(incident)
    if decision is None or decision.status != DecisionStatus.SENT_BACK:
        yield "A decision waiting for sign-off goes back for review only when the signatory sends it back."


def referral_recorded(*, incident, **_):
    if not Referral.objects.filter(incident=incident, recorded_at__gte=incident.state_changed_at).exists():
        yield "Record the referral (agency, when, by whom, how, what was shared) to mark the case as referred."


def outcome_known(*, incident, **_):
    referrals = list(Referral.objects.filter(incident=incident))
    if referrals:
        waiting = [r.agency_name for r in referrals if not r.outcome]
        if waiting:
            yield (
                "Each referral needs its outcome before the case can be closed. Still waiting for: "
                + ", ".join(waiting)
                + "."
            )
        return
    decision = _latest_manage_decision(incident)
    if decision is None or decision.status != DecisionStatus.SIGNED_OFF:
        yield "A case is closed with an outcome: each referral's outcome, or a signed-off decision to manage in school."
    meeting = latest_meeting(incident)
    if meeting is not None and meeting.criteria_met:
        yield (
            "The latest review meeting found that a referral is needed ("
            + "; ".join(meeting.criteria_met)
            + "), so the case cannot be closed without one."
        )


def register():
    """Install these rules with the one transition service (called from ReferralsConfig.ready)."""
    register_guard(S.AWAITING_SIGN_OFF, decision_pending)
    register_guard(S.MANAGED_IN_SCHOOL, decision_signed_off)
    register_guard(S.UNDER_REVIEW, decision_sent_back)
    register_guard(S.REFERRED, referral_recorded)
    register_guard(S.CLOSED, outcome_known)
