"""Rules on case moves that rest on decisions and referrals, registered with incidents.workflow on start-up.

They read the database, not the caller's arguments, so they hold whoever asks for the move: a case is managed
in school only after a signed-off decision, is referred only by a referral the meeting's answers allow, and is
closed only with an outcome, a review meeting and a word on every pupil's parents.
"""

from incidents.models import REFERRAL_ANSWERS, Answer, CaseState
from incidents.selectors import latest_meeting
from incidents.workflow import register_guard

from .models import NOTIFICATIONS, POLICE_OR_SOCIAL_CARE, Decision, DecisionKind, DecisionStatus, Referral
from .selectors import parents_not_recorded

S = CaseState


def _latest_manage_decision(incident):
    return Decision.objects.filter(incident=incident, kind=DecisionKind.MANAGE_IN_SCHOOL).order_by("-pk").first()


def referral_required_by(incident):
    """What in the latest review meeting requires a referral to the police or children's social care, if anything."""
    meeting = latest_meeting(incident)
    return meeting.referral_required_by if meeting else []


def criteria_problems(incident):
    """Why the latest review meeting does not allow managing in school, if it does not (seed 004 §3.3).

    Questions 1 and 2 count as the six criteria do: a "yes" requires a referral, a "not yet known" waits for an
    answer.
    """
    meeting = latest_meeting(incident)
    if meeting is None:
        return ["No review meeting has been recorded, so the six criteria have not been answered."]
    problems = []
    required = meeting.referral_required_by
    if required:
        problems.append(
            "The review meeting found that this must be referred to the police or children's social care, "
            "because of " + "; ".join(required) + ". It cannot be managed in school."
        )
    unknown = meeting.answered(REFERRAL_ANSWERS, Answer.NOT_YET_KNOWN)
    if unknown:
        problems.append(
            "Managing in school needs questions 1 and 2 and every criterion answered 'no'. Not yet known: "
            + "; ".join(unknown)
            + "."
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


def back_under_review(*, incident, from_state, **_):
    if from_state == S.AWAITING_SIGN_OFF:
        decision = _latest_manage_decision(incident)
        if decision is None or decision.status != DecisionStatus.SENT_BACK:
            yield "A decision waiting for sign-off goes back for review only when the signatory sends it back."
    elif from_state == S.REFERRAL_REQUIRED and referral_required_by(incident):
        yield "The latest review meeting found that a referral is required: refer to the police or social care."


def referral_now_required(*, incident, **_):
    if not referral_required_by(incident):
        yield "A case needs a referral only when a review meeting answers question 1 or 2, or a criterion, yes."


def needs_police_or_social_care(incident, from_state):
    """Whether only a referral to the police or children's social care will do: the meeting found one required,
    or the case goes straight from a new concern to a referral (a child in immediate danger, seed 001 §4.1)."""
    return from_state in (S.REPORTED, S.REFERRAL_REQUIRED) or bool(referral_required_by(incident))


def referral_recorded(*, incident, from_state, **_):
    made = Referral.objects.filter(incident=incident, recorded_at__gte=incident.state_changed_at).exclude(
        agency__in=NOTIFICATIONS
    )
    if needs_police_or_social_care(incident, from_state):
        if not made.filter(agency__in=POLICE_OR_SOCIAL_CARE).exists():
            yield (
                "This case is referred once a referral is made to the police or to children's social care (MASH). "
                "A report to CEOP or the IWF is recorded too, but it is not a referral."
            )
    elif not made.exists():
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
    else:
        decision = _latest_manage_decision(incident)
        if decision is None or decision.status != DecisionStatus.SIGNED_OFF:
            yield (
                "A case is closed with an outcome: each referral's outcome, or a signed-off decision to manage "
                "in school."
            )
    required = referral_required_by(incident)
    if required and not any(r.agency in POLICE_OR_SOCIAL_CARE for r in referrals):
        yield (
            "The latest review meeting found that a referral to the police or children's social care is needed ("
            + "; ".join(required)
            + "), so the case cannot be closed without one."
        )


def parents_recorded(*, incident, **_):
    missing = parents_not_recorded(incident)
    if missing:
        yield (
            "Record for every pupil involved whether their parents or carers were told, or why not. Not yet "
            "recorded: " + ", ".join(involvement.name for involvement in missing) + "."
        )


def register():
    """Install these rules with the one transition service (called from ReferralsConfig.ready)."""
    register_guard(S.AWAITING_SIGN_OFF, decision_pending)
    register_guard(S.MANAGED_IN_SCHOOL, decision_signed_off)
    register_guard(S.UNDER_REVIEW, back_under_review)
    register_guard(S.REFERRAL_REQUIRED, referral_now_required)
    register_guard(S.REFERRED, referral_recorded)
    register_guard(S.CLOSED, outcome_known)
    register_guard(S.CLOSED, parents_recorded)
