"""The case state machine: one table of allowed moves and one function that makes every move.

No view, task or command changes a case's state any other way (design.md, invariant 1). The function locks the
case, checks the person's object permission, runs the rules for the step, saves, and records who, when and why
in the history and the chronology.

Rules that depend on records kept by an app above this one (a decision signed off, a referral's outcome) are
registered by that app with `register_guard`, so the same rules hold whoever calls. Moves whose safety rests
on such a rule fail closed: if no app has registered a guard for them, they are refused.
"""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from safeguard import policy
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.policy import CHANGE, OWN_DRAFT, SIGN_OFF
from safeguard.roles import DSL_TEAM

from .chronology import chronology_record, history_reason
from .errors import CasePermissionDenied, IllegalTransition, Problem, TransitionRefused
from .models import ActionStatus, CaseReferenceCounter, CaseState, EntryKind, Incident

S = CaseState
SUBMIT = OWN_DRAFT


@dataclass(frozen=True)
class Move:
    permission: str  # the object permission the person needs on the case
    description: str  # what the move means, for the chronology and for refusals


# Every allowed move. Anything not here is refused with IllegalTransition.
TRANSITIONS = {
    (S.DRAFT, S.REPORTED): Move(SUBMIT, "Concern submitted to the safeguarding team"),
    (S.REPORTED, S.UNDER_REVIEW): Move(CHANGE, "Review started"),
    # A child in immediate danger is referred at once (seed 001 §4.1, 999), before any meeting is held.
    (S.REPORTED, S.REFERRED): Move(CHANGE, "Referred"),
    (S.UNDER_REVIEW, S.AWAITING_SIGN_OFF): Move(CHANGE, "Decision to manage in school sent for sign-off"),
    (S.UNDER_REVIEW, S.REFERRED): Move(CHANGE, "Referred"),
    (S.AWAITING_SIGN_OFF, S.MANAGED_IN_SCHOOL): Move(SIGN_OFF, "Decision to manage in school signed off"),
    (S.AWAITING_SIGN_OFF, S.UNDER_REVIEW): Move(SIGN_OFF, "Decision sent back for review"),
    (S.AWAITING_SIGN_OFF, S.REFERRED): Move(CHANGE, "Referred instead of managed in school"),
    # A school can escalate at any time when new information comes (seed 001 §7.2).
    (S.MANAGED_IN_SCHOOL, S.REFERRED): Move(CHANGE, "Escalated to a referral"),
    # A review meeting found that a referral is required (question 1 or 2, or a criterion, answered yes). Whatever
    # the case said before, it now says only that, until the police or children's social care are told.
    **{
        (frm, S.REFERRAL_REQUIRED): Move(CHANGE, "A review meeting found that a referral is required")
        for frm in (S.REPORTED, S.REOPENED, S.UNDER_REVIEW, S.AWAITING_SIGN_OFF, S.MANAGED_IN_SCHOOL)
    },
    (S.REFERRAL_REQUIRED, S.REFERRED): Move(CHANGE, "Referred"),
    # A later meeting, on new information, found that no referral is required after all.
    (S.REFERRAL_REQUIRED, S.UNDER_REVIEW): Move(CHANGE, "A further review meeting found no referral is required"),
    (S.MANAGED_IN_SCHOOL, S.CLOSED): Move(CHANGE, "Closed and signed off"),
    (S.REFERRED, S.CLOSED): Move(CHANGE, "Closed and signed off"),
    (S.CLOSED, S.REOPENED): Move(CHANGE, "Reopened"),
    (S.REOPENED, S.UNDER_REVIEW): Move(CHANGE, "Review started again"),
    (S.REOPENED, S.REFERRED): Move(CHANGE, "Referred"),
}

# What the safeguarding team does next, for the case page.
NEXT_STEP = {
    S.DRAFT: "The member of staff finishes and submits the concern.",
    S.REPORTED: "Hold the initial review meeting.",
    S.UNDER_REVIEW: "Decide: refer, or manage in school if no immediate-referral criterion is met.",
    S.AWAITING_SIGN_OFF: "The headteacher signs off the decision not to refer, or sends it back.",
    S.REFERRAL_REQUIRED: "Refer to the police or children's social care now: a review meeting found it is required.",
    S.REFERRED: "Follow up each referral until its outcome is known.",
    S.MANAGED_IN_SCHOOL: "Carry out the plan; escalate to a referral if new information comes.",
    S.CLOSED: "Closed and signed off. Add later information as an addendum, or reopen with a reason.",
    S.REOPENED: "Review the new information: hold a review meeting, or refer.",
}

# Moves into these states rest on records kept by the referrals app; without its guards they are refused.
GUARD_REQUIRED = frozenset({S.AWAITING_SIGN_OFF, S.MANAGED_IN_SCHOOL, S.REFERRAL_REQUIRED, S.REFERRED, S.CLOSED})

_guards = {}  # to_state -> {name: guard}
_effects = {}  # to_state -> {name: effect}


def _key(function):
    return f"{function.__module__}.{function.__qualname__}"


def register_guard(to_state, guard):
    """Run `guard(actor=, incident=, from_state=, to_state=)` before every move into `to_state`.

    The guard returns an iterable of problems in plain English (empty when the step may go ahead). Registering
    the same function twice has no further effect, so AppConfig.ready() may run more than once.
    """
    _guards.setdefault(CaseState(to_state), {})[_key(guard)] = guard


def register_effect(to_state, effect):
    """Run `effect(actor=, incident=, from_state=, now=)` inside every move into `to_state`, after the case is saved:
    what the records kept by an app above this one must do when a case enters the state (a decision waiting for
    sign-off is overtaken when a referral becomes required, say), so the case and its records never disagree."""
    _effects.setdefault(CaseState(to_state), {})[_key(effect)] = effect


def allowed_moves(state):
    """The states a case in `state` may move to."""
    return [to for (frm, to) in TRANSITIONS if frm == state]


def _illegal_message(from_state, to_state):
    options = allowed_moves(from_state)
    if from_state == to_state:
        return f"The case is already {S(from_state).label.lower()}."
    where = (
        "From here it can move only to: " + ", ".join(S(o).label.lower() for o in options) + "."
        if options
        else "It cannot move on from here."
    )
    return f"A case that is {S(from_state).label.lower()} cannot become {S(to_state).label.lower()}. {where}"


@transaction.atomic
def case_transition(*, actor, incident, to_state, reason, recorded_at=None):
    """Move a case to `to_state`, if the table allows it, the person may, and every rule for the step is met.

    `recorded_at` back-dates the move, for the demo and tests only (as for every service that takes it).
    """
    to_state = CaseState(to_state)
    # The school comes with the case (its name starts the reference); only the case's row is locked.
    case = Incident.objects.select_for_update(of=("self",)).select_related("school").get(pk=incident.pk)
    from_state = CaseState(case.state)
    move = TRANSITIONS.get((from_state, to_state))
    if move is None:
        raise IllegalTransition(_illegal_message(from_state, to_state))
    if not (reason or "").strip():
        raise TransitionRefused("Please say why the case is moving on.")
    if not policy.case_permits(actor, case, move.permission):
        raise CasePermissionDenied(f"You cannot make this change to case {case}: {move.description.lower()}.")

    problems = []
    for guard in _OWN_GUARDS.get(to_state, ()):
        problems.extend(guard(actor=actor, incident=case, from_state=from_state, to_state=to_state))
    registered = _guards.get(to_state, {})
    if to_state in GUARD_REQUIRED and not registered:
        problems.append("The rules for this step are not installed, so the move is refused.")
    for guard in registered.values():
        problems.extend(guard(actor=actor, incident=case, from_state=from_state, to_state=to_state))
    if problems:
        raise TransitionRefused(" ".join(problems), problems)

    now = recorded_at or timezone.now()
    case.state, case.state_changed_at = to_state, now
    fields = ["state", "state_changed_at"]
    fields += _ON_ENTER.get(to_state, lambda **kw: [])(actor=actor, case=case, now=now)
    audited_save(
        case, actor=actor, reason=history_reason(f"{move.description}: {reason}"), update_fields=fields, at=now
    )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.REPORTED if to_state == S.REPORTED else EntryKind.STATE,
        text=f"{move.description} ({S(from_state).label} → {to_state.label}). {reason}",
        recorded_at=now,
    )
    for effect in _effects.get(to_state, {}).values():
        effect(actor=actor, incident=case, from_state=from_state, now=now)
    for name in fields:  # keep the caller's copy in step with the saved case
        setattr(incident, name, getattr(case, name))
    return case


# --- Rules this app knows itself ---------------------------------------------------------------------------


def _submission_complete(*, actor, incident, **_):
    """A concern reaches the team complete enough to act on; a draft may be saved half-written."""
    if incident.reported_by_id != actor.pk:
        yield "Only the person who wrote this concern can submit it."
    if incident.came_to_light_at is None:
        yield Problem("Say when it came to light.", field="came_to_light_at")
    if not incident.location.strip():
        yield Problem("Say where it happened or came to light.", field="location")
    if not incident.how_came_to_light:
        yield Problem("Say how it came to light.", field="how_came_to_light")
    if not incident.categories:
        yield Problem("Choose at least one of the 4Cs: content, contact, conduct or commerce.", field="categories")
    if not incident.harm_kind:
        yield Problem("Choose the kind of harm.", field="harm_kind")
    if not (incident.childs_words.strip() or incident.observations.strip()):
        yield Problem("Write down what the child said, or what you saw or were told.", field="childs_words")
    if not incident.involvements.current().exists():
        yield "Add at least one person involved: a pupil from the register, or someone else."


def _closure_recorded(*, actor, incident, **_):
    """Closing is signed by a DSL or deputy, with a summary, and leaves no action unaccounted for."""
    if not roles_in_school(actor, incident.school) & DSL_TEAM:
        yield "Only the DSL or a deputy DSL can close a case."
    if not incident.review_meetings.exists():
        # A child in immediate danger is referred first (seed 001 §4.1); the meeting is still held afterwards.
        yield "A review meeting must be recorded before the case can close, even where it was referred at once."
    if not incident.closures.filter(closed_at__gte=incident.state_changed_at).exists():
        yield "A closure summary, signed by the DSL, is needed to close the case."
    open_actions = incident.actions.filter(status=ActionStatus.OPEN).count()
    if open_actions:
        yield (
            f"{open_actions} action{'s are' if open_actions > 1 else ' is'} still open: "
            "mark each one done, not taken, or carried over with the reason."
        )


def _reopening_recorded(*, incident, **_):
    if not incident.reopenings.filter(reopened_at__gte=incident.state_changed_at).exists():
        yield "Say why the case is being reopened."


_OWN_GUARDS = {
    S.REPORTED: [_submission_complete],
    S.CLOSED: [_closure_recorded],
    S.REOPENED: [_reopening_recorded],
}


# --- What entering a state stamps on the case --------------------------------------------------------------


def school_prefix(school):
    """The letters that start a school's case references: the initials of its name, e.g. 'OHS' for Oak Hill School."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z']*", school.name) if w.lower() not in {"of", "the", "and"}]
    return "".join(word[0] for word in words).upper()[:5] or "CASE"


def _next_reference(case, now):
    # The school's counter row for the year is locked, so two concerns submitted at once cannot take one number.
    counter, _ = CaseReferenceCounter.objects.select_for_update().get_or_create(
        school_id=case.school_id, year=timezone.localdate(now).year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{school_prefix(case.school)}-{counter.year}-{counter.last:04d}"


def _enter_reported(*, case, now, **_):
    case.submitted_at = now
    case.reference = _next_reference(case, now)
    return ["submitted_at", "reference"]


def _enter_closed(*, actor, case, now):
    case.closed_at, case.closed_by = now, actor
    return ["closed_at", "closed_by"]


_ON_ENTER = {S.REPORTED: _enter_reported, S.CLOSED: _enter_closed}
