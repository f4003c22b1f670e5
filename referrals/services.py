"""Writes for the decision, its sign-off, referrals and their follow-up, and telling parents.

Each takes the acting person as `actor`, locks the case through incidents.services.lock_case (which checks the
object permission and refuses changes to a closed case), saves through audited_save, writes the chronology,
and moves the case only through incidents.workflow.case_transition. As in incidents.services, an optional
`recorded_at` back-dates what a service stamps with the time, for the demo and tests only.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from incidents.chronology import chronology_record
from incidents.dates import Dated, check_dates
from incidents.errors import CasePermissionDenied, Problem, RuleBroken
from incidents.models import Answer, CaseState, EntryKind, Incident, Involvement
from incidents.reauth import reauthenticate
from incidents.selectors import latest_meeting
from incidents.services import lock_case, require_text
from incidents.workflow import SIGN_OFF, case_transition
from safeguard import policy
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.people import person_name
from safeguard.roles import DSL_TEAM, Role

from .guards import criteria_problems, needs_police_or_social_care
from .models import (
    ANNEX_A,
    NOTIFICATIONS,
    POLICE_OR_SOCIAL_CARE,
    Agency,
    ContactMethod,
    Decision,
    DecisionKind,
    DecisionStatus,
    Escalation,
    FollowUp,
    Outcome,
    ParentContact,
    Referral,
    Signatory,
    SignOff,
    SignOffOutcome,
)
from .selectors import active_signatories, pending_decision, sign_off_refusal, signatories_sign

# The model's fields for each Annex A question: its answer (yes, no, not yet known) and its notes.
ANNEX_FIELDS = frozenset(name for field, _ in ANNEX_A for name in (f"{field}_answer", field))
ANSWERS = frozenset(Answer.values)


# --- The decision -------------------------------------------------------------------------------------------


def _manage_in_school_problems(case, meeting, plan, annex_a, factor_reasons):
    """Everything a decision to manage in school still lacks, as problems tied to their fields."""
    problems = list(criteria_problems(case))
    problems += [
        Problem(
            f"Annex A asks every question of a decision not to refer. Please answer: {question}",
            field=f"{field}_answer",
        )
        for field, question in ANNEX_A
        if annex_a.get(f"{field}_answer") not in ANSWERS
    ]
    # Seed 004 §3.3: aggravating factors point to a referral. Managing in school despite one needs its reason.
    for name, label in meeting.aggravating_factors if meeting else []:
        if not (factor_reasons.get(name) or "").strip():
            problems.append(
                Problem(
                    f"The review meeting recorded an aggravating factor ({label[0].lower()}{label[1:]}). Please "
                    "give the reason the school can manage the case despite it.",
                    field=f"reason_{name}",
                )
            )
    if not plan.strip():
        problems.append(
            Problem("Please write the plan: how the school will support the pupils and manage the risk.", field="plan")
        )
    return problems


@transaction.atomic
def decision_record(*, actor, incident, kind, reasons, plan="", annex_a=None, factor_reasons=None, recorded_at=None):
    """Record the decision: refer, or manage in school (every criterion and questions 1 and 2 'no', Annex A
    answered, a reason for each aggravating factor the meeting found, a plan).

    A decision to manage in school goes to the headteacher for sign-off; until signed off the case is not
    managed in school. It is refused, naming the answers, if the latest review meeting requires a referral.
    """
    kind = DecisionKind(kind)
    annex_a, factor_reasons = dict(annex_a or {}), dict(factor_reasons or {})
    unknown = set(annex_a) - ANNEX_FIELDS
    if unknown:
        raise TypeError(f"Unknown Annex A answers: {', '.join(sorted(unknown))}")
    case = lock_case(actor=actor, incident=incident)
    reasons = require_text(reasons, Problem("Please give the reasons for the decision.", field="reasons"))
    meeting = latest_meeting(case)
    now = recorded_at or timezone.now()

    if kind == DecisionKind.REFER:
        decision = audited_save(
            Decision(
                incident=case,
                meeting=meeting,
                kind=kind,
                status=DecisionStatus.RECORDED,
                decided_by=actor,
                reasons=reasons,
                plan=plan,
                decided_at=now,
            ),
            actor=actor,
            reason="Decision to refer recorded",
            at=now,
        )
        text = f"Decision: refer. {reasons}"
        chronology_record(incident=case, author=actor, kind=EntryKind.DECISION, text=text, recorded_at=now)
        return decision

    # Seed 004 §3.3, seed 001 §7.2: if any criterion holds, the case must be referred. The service refuses,
    # whatever page or script asks, so the rule cannot be missed.
    if case.state != CaseState.UNDER_REVIEW:
        # A case needing a referral is refused by naming what requires it, not only by its state.
        raise RuleBroken(
            " ".join(criteria_problems(case))
            or f"A decision to manage in school is made on a case under review; this case is "
            f"{CaseState(case.state).label.lower()}."
        )
    problems = _manage_in_school_problems(case, meeting, plan, annex_a, factor_reasons)
    if problems:
        raise RuleBroken(" ".join(problems), problems)

    factors = dict(meeting.aggravating_factors)
    decision = audited_save(
        Decision(
            incident=case,
            meeting=meeting,
            kind=kind,
            status=DecisionStatus.PENDING_SIGN_OFF,
            decided_by=actor,
            reasons=reasons,
            plan=plan.strip(),
            decided_at=now,
            factor_reasons={name: factor_reasons[name].strip() for name in factors},
            **{field: value.strip() for field, value in annex_a.items()},
        ),
        actor=actor,
        reason="Decision to manage in school recorded",
        at=now,
    )
    despite = "".join(f" Despite: {factors[name]}. Because: {why}" for name, why in decision.factor_reasons.items())
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.DECISION,
        text=f"Decision: manage in school, without a referral. Reasons: {reasons}{despite} Plan: {decision.plan}",
        recorded_at=now,
    )
    # Where a named signatory signs (the head is also on the DSL team), they are named on this case while the
    # decision waits for them, and on nothing else.
    if signatories_sign(case.school):
        policy.case_name(case, [s.user for s in active_signatories(case.school)], policy.SIGNATORY_PERMS)
    case_transition(
        actor=actor,
        incident=case,
        to_state=CaseState.AWAITING_SIGN_OFF,
        reason="Decision not to refer recorded",
        recorded_at=now,
    )
    return decision


def _signatories_unname(case):
    """Signatories see a case only while a decision on it waits for them (the signed decisions stay theirs to see)."""
    signatories = policy.named_case_users(case, SIGN_OFF).values_list("user", flat=True)
    policy.case_unname(case, list(signatories), policy.SIGNATORY_PERMS)


def decision_overtaken(*, actor, incident, now, **_):
    """A decision waiting for sign-off when a referral becomes required, or is made, is overtaken: it stays on
    record, and no longer waits for anyone (registered with the workflow for those moves)."""
    waiting = pending_decision(incident)
    if waiting is None:
        return
    waiting.status = DecisionStatus.SUPERSEDED
    audited_save(waiting, actor=actor, reason="Overtaken by a referral", update_fields=["status"], at=now)
    _signatories_unname(incident)


def decision_sign_off(*, actor, decision, outcome, comment="", password=None, otp_token=None, recorded_at=None):
    """Sign off, or send back with a comment, a decision not to refer; asks again for the password or a code.

    Only the headteacher (or, where the head is also the DSL, a signatory the head has named) may sign, and
    never the person who made the decision.
    """
    outcome = SignOffOutcome(outcome)
    if outcome == SignOffOutcome.SENT_BACK and not (comment or "").strip():
        raise RuleBroken(Problem("Please say why the decision is being sent back.", field="comment"))
    refusal = sign_off_refusal(actor, decision)
    if refusal:
        raise CasePermissionDenied(refusal)
    method = reauthenticate(user=actor, password=password, otp_token=otp_token)
    now = recorded_at or timezone.now()
    return _decision_sign_off(actor=actor, decision=decision, outcome=outcome, comment=comment, method=method, now=now)


@transaction.atomic
def _decision_sign_off(*, actor, decision, outcome, comment, method, now):
    case = lock_case(actor=actor, incident=decision.incident, permission=SIGN_OFF)
    decision = Decision.objects.select_for_update().get(pk=decision.pk, incident=case)
    refusal = sign_off_refusal(actor, decision)  # again, under the lock: it may have changed meanwhile
    if refusal:
        raise CasePermissionDenied(refusal)
    comment = (comment or "").strip()
    audited_save(
        SignOff(
            decision=decision,
            signed_by=actor,
            outcome=outcome,
            comment=comment,
            reauthenticated_with=method,
            signed_at=now,
        ),
        actor=actor,
        reason=f"Decision {outcome.label.lower()}",
        at=now,
    )
    decision.status = DecisionStatus(outcome.value)
    audited_save(decision, actor=actor, reason=f"Decision {outcome.label.lower()}", update_fields=["status"], at=now)
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.SIGN_OFF,
        text=f"Decision not to refer {outcome.label.lower()} by {person_name(actor)}."
        + (f" {comment}" if comment else ""),
        recorded_at=now,
    )
    if outcome == SignOffOutcome.SIGNED_OFF:
        to_state, reason = CaseState.MANAGED_IN_SCHOOL, "Signed off: managed in school"
    else:
        to_state, reason = CaseState.UNDER_REVIEW, f"Sent back: {comment}"
    case_transition(actor=actor, incident=case, to_state=to_state, reason=reason, recorded_at=now)
    _signatories_unname(case)  # after the move, which checks the signatory's permission
    return decision


# --- Signatories --------------------------------------------------------------------------------------------


@transaction.atomic
def signatory_designate(*, actor, school, user, reason):
    """Name a senior leader to sign off decisions not to refer where the headteacher is also the DSL."""
    if not policy.can(roles_in_school(actor, school), "designate_signatory"):
        raise PermissionDenied("Only the headteacher can name a signatory.")
    reason = require_text(reason, "Please say why this person is being named as a signatory.")
    roles = roles_in_school(user, school) - {Role.INSPECTOR, Role.TRUST_LEAD}
    if not roles:
        raise RuleBroken(f"{person_name(user)} does not work at this school.")
    if roles & DSL_TEAM:
        raise RuleBroken("A signatory checks the safeguarding team's decisions, so cannot be a member of that team.")
    if Signatory.objects.filter(school=school, user=user, ended_at__isnull=True).exists():
        raise RuleBroken(f"{person_name(user)} is already a signatory.")
    signatory = audited_save(
        Signatory(school=school, user=user, reason=reason, designated_by=actor), actor=actor, reason="Signatory named"
    )
    if signatories_sign(school):
        for case in _cases_awaiting_sign_off(school):
            policy.case_name(case, [user], policy.SIGNATORY_PERMS)
    return signatory


@transaction.atomic
def signatory_end(*, actor, signatory):
    """End a signatory's designation now."""
    if not policy.can(roles_in_school(actor, signatory.school), "designate_signatory"):
        raise PermissionDenied("Only the headteacher can end a signatory's designation.")
    signatory = Signatory.objects.select_for_update().get(pk=signatory.pk)
    if signatory.ended_at is None:
        signatory.ended_at, signatory.ended_by = timezone.now(), actor
        audited_save(signatory, actor=actor, reason="Signatory ended", update_fields=["ended_at", "ended_by"])
        for case in _cases_awaiting_sign_off(signatory.school):
            policy.case_unname(case, [signatory.user], policy.SIGNATORY_PERMS)
    return signatory


def _cases_awaiting_sign_off(school):
    return Incident.objects.filter(
        school=school, decisions__kind=DecisionKind.MANAGE_IN_SCHOOL, decisions__status=DecisionStatus.PENDING_SIGN_OFF
    ).distinct()


# --- Referrals ----------------------------------------------------------------------------------------------

ESCALATING_FROM = (CaseState.AWAITING_SIGN_OFF, CaseState.MANAGED_IN_SCHOOL)


@transaction.atomic
def referral_make(
    *,
    actor,
    incident,
    agency,
    method,
    information_shared,
    made_at=None,
    made_by=None,
    agency_other="",
    reference_number="",
    contact_name="",
    contact_details="",
    reason="",
    recorded_at=None,
):
    """Record a referral to another agency; the case becomes referred, keeping everything recorded before.

    From a case managed in school (or waiting for sign-off) this is an escalation, and `reason` says why. Where
    the review meeting requires a referral, or a new concern is referred at once, only the police or children's
    social care make the case referred; a report to CEOP or the IWF is recorded, and never moves the case.
    """
    check_dates(Dated("made_at", made_at))
    case = lock_case(actor=actor, incident=incident)
    agency = Agency(agency)
    moves = agency not in NOTIFICATIONS and case.state != CaseState.REFERRED
    if moves and needs_police_or_social_care(case, case.state) and agency not in POLICE_OR_SOCIAL_CARE:
        moves = False  # recorded, but the case still needs its referral to the police or social care
    if moves and case.state in ESCALATING_FROM and not (reason or "").strip():
        raise RuleBroken(Problem("Please say why the case is being escalated to a referral.", field="reason"))
    made_by, now = made_by or actor, recorded_at or timezone.now()
    if not roles_in_school(made_by, case.school):
        raise RuleBroken(f"{person_name(made_by)} does not work at this school.")
    referral = audited_save(
        Referral(
            incident=case,
            agency=agency,
            agency_other=agency_other.strip(),
            made_at=made_at or now,
            made_by=made_by,
            method=ContactMethod(method),
            reference_number=reference_number.strip(),
            contact_name=contact_name.strip(),
            contact_details=contact_details.strip(),
            information_shared=information_shared,
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason="Referral recorded",
        at=now,
    )
    reference = f" Reference {referral.reference_number}." if referral.reference_number else ""
    what = "Reported to" if agency in NOTIFICATIONS else "Referred to"
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.REFERRAL,
        at=referral.made_at,
        recorded_at=now,
        text=(
            f"{what} {referral.agency_name} by {person_name(made_by)} ({referral.get_method_display().lower()})."
            f"{reference} Shared: {information_shared}"
        ),
    )
    if moves:
        why = reason.strip() or f"Referral made to {referral.agency_name}"
        case_transition(actor=actor, incident=case, to_state=CaseState.REFERRED, reason=why, recorded_at=now)
    return referral


_MADE = "when the referral was made"


def _lock_referral(actor, referral):
    case = lock_case(actor=actor, incident=referral.incident)
    return case, Referral.objects.select_for_update().get(pk=referral.pk, incident=case)


@transaction.atomic
def referral_acknowledge(*, actor, referral, acknowledged_at=None, notes="", recorded_at=None):
    """Record that the agency acknowledged the referral."""
    case, referral = _lock_referral(actor, referral)
    check_dates(Dated("acknowledged_at", acknowledged_at, referral.made_at, _MADE))
    if referral.acknowledged_at is None:
        now = recorded_at or timezone.now()
        referral.acknowledged_at = acknowledged_at or now
        audited_save(referral, actor=actor, reason="Referral acknowledged", update_fields=["acknowledged_at"], at=now)
        chronology_record(
            incident=case,
            author=actor,
            kind=EntryKind.FOLLOW_UP,
            at=referral.acknowledged_at,
            recorded_at=now,
            text=f"{referral.agency_name} acknowledged the referral. {notes}".strip(),
        )
    return referral


@transaction.atomic
def referral_follow_up(*, actor, referral, method, notes, at=None, response_received=False, recorded_at=None):
    """Record an attempt to reach the agency (every one counts: Ofsted looks for tenacity), and any answer."""
    notes = require_text(notes, "Please note what was said or done.")
    case, referral = _lock_referral(actor, referral)
    check_dates(Dated("at", at, referral.made_at, _MADE))
    now = recorded_at or timezone.now()
    follow_up = audited_save(
        FollowUp(
            referral=referral,
            at=at or now,
            by=actor,
            method=ContactMethod(method),
            notes=notes,
            response_received=response_received,
        ),
        actor=actor,
        reason="Follow-up recorded",
        at=now,
    )
    if response_received and referral.acknowledged_at is None:
        referral.acknowledged_at = follow_up.at
        audited_save(referral, actor=actor, reason="Referral acknowledged", update_fields=["acknowledged_at"], at=now)
    answer = "An answer came." if response_received else "No answer yet."
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.FOLLOW_UP,
        at=follow_up.at,
        recorded_at=now,
        text=f"Followed up with {referral.agency_name} ({follow_up.get_method_display().lower()}). {answer} {notes}",
    )
    return follow_up


@transaction.atomic
def referral_escalate(*, actor, referral, to_whom, reason, at=None, recorded_at=None):
    """Record escalating a referral (e.g. no acknowledgement after a working day), to whom and why."""
    to_whom = require_text(to_whom, "Please say to whom it was escalated.")
    reason = require_text(reason, "Please say why it was escalated.")
    case, referral = _lock_referral(actor, referral)
    check_dates(Dated("at", at, referral.made_at, _MADE))
    now = recorded_at or timezone.now()
    escalation = audited_save(
        Escalation(referral=referral, at=at or now, by=actor, to_whom=to_whom, reason=reason),
        actor=actor,
        reason="Referral escalated",
        at=now,
    )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.ESCALATION,
        at=escalation.at,
        recorded_at=now,
        text=f"Referral to {referral.agency_name} escalated to {to_whom}. {reason}",
    )
    return escalation


@transaction.atomic
def referral_record_outcome(*, actor, referral, outcome, outcome_at=None, notes="", recorded_at=None):
    """Record the agency's outcome (e.g. Outcome 21, section 47 enquiry). Once recorded it stands; add notes after."""
    case, referral = _lock_referral(actor, referral)
    check_dates(Dated("outcome_at", outcome_at, referral.made_at, _MADE))
    if referral.outcome:
        raise RuleBroken(
            f"An outcome is already recorded ({referral.get_outcome_display()}). Add anything further as a note."
        )
    now = recorded_at or timezone.now()
    referral.outcome = Outcome(outcome)
    referral.outcome_at = outcome_at or now
    referral.outcome_notes = notes.strip()
    referral.outcome_recorded_by = actor
    fields = ["outcome", "outcome_at", "outcome_notes", "outcome_recorded_by"]
    if referral.acknowledged_at is None:
        referral.acknowledged_at = referral.outcome_at
        fields.append("acknowledged_at")
    audited_save(referral, actor=actor, reason="Referral outcome recorded", update_fields=fields, at=now)
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.OUTCOME,
        at=referral.outcome_at,
        recorded_at=now,
        text=f"Outcome from {referral.agency_name}: {referral.get_outcome_display()}. {referral.outcome_notes}".strip(),
    )
    return referral


# --- Parents and carers -------------------------------------------------------------------------------------


@transaction.atomic
def parent_contact_record(
    *,
    actor,
    involvement,
    told,
    told_at=None,
    told_by=None,
    told_by_other="",
    contact_name="",
    method="",
    reasons_not_told="",
    recorded_at=None,
):
    """Record that a pupil's parents or carers were told (when, by whom, how), or the reasons they were not."""
    check_dates(Dated("told_at", told_at if told else None))
    case = lock_case(actor=actor, incident=involvement.incident)
    now = recorded_at or timezone.now()
    involvement = Involvement.objects.get(pk=involvement.pk, incident=case)
    contact = audited_save(
        ParentContact(
            incident=case,
            involvement=involvement,
            told=told,
            told_at=told_at if told else None,
            told_by=told_by if told else None,
            told_by_other=told_by_other.strip() if told else "",
            contact_name=contact_name.strip(),
            method=method if told else "",
            reasons_not_told="" if told else reasons_not_told.strip(),
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason="Parents told" if told else "Parents not told, with reasons",
        at=now,
    )
    if told:
        by = person_name(told_by) if told_by else contact.told_by_other
        text = (
            f"Parents or carers of {involvement.name} told ({contact.contact_name or 'who: not recorded'}) "
            f"by {by}, {contact.get_method_display().lower()}, {timezone.localtime(told_at):%d %B %Y %H:%M}."
        )
    else:
        text = f"Parents or carers of {involvement.name} not told. Reasons: {contact.reasons_not_told}"
    chronology_record(incident=case, author=actor, kind=EntryKind.PARENT_CONTACT, text=text, recorded_at=now)
    return contact
