"""Writes to cases: logging a concern, the people involved, the review meeting, actions, notes, closure.

Every function takes the acting person as `actor`, locks the case row, checks the person's object permission,
refuses changes to a closed case (except reopening, and the records app's signed addenda), saves through
audited_save and adds a line to the chronology. State moves go through workflow.case_transition only.

A service that stamps the time takes an optional `recorded_at`, which back-dates the record, its history and its
chronology line: the demo and the tests seed past cases with it, and no view passes it.
"""

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from safeguard import outbox, policy
from safeguard.audit import audited_bulk_create, audited_save
from safeguard.memberships import roles_in_school
from safeguard.people import person_name
from safeguard.roles import DSL_TEAM
from safeguard.selectors import dsl_team_for_school

from .chronology import chronology_record, history_reason
from .dates import Dated, check_dates
from .errors import CasePermissionDenied, CaseReadOnly, Problem, RuleBroken
from .models import (
    AGGRAVATING_FACTORS,
    CRITERIA,
    QUESTIONS,
    Action,
    ActionStatus,
    Answer,
    CaseState,
    Closure,
    EntryKind,
    FourC,
    Incident,
    InitialReviewMeeting,
    Involvement,
    MeetingAttendee,
    Notification,
    NotificationKind,
    Part,
    Reopening,
)
from .reauth import reauthenticate
from .workflow import CHANGE, SUBMIT, case_transition

CLOSED_MESSAGE = (
    "This case is closed and signed off, so it cannot be changed. Add later information as an addendum, "
    "or reopen the case with a reason."
)
DRAFT_MESSAGE = "This concern has not been submitted yet, so the safeguarding team cannot work on it."

# What the member of staff writes when logging a concern (the categories come as a list of FourC values).
DETAIL_FIELDS = (
    "occurred_at",
    "came_to_light_at",
    "location",
    "how_came_to_light",
    "how_came_to_light_detail",
    "categories",
    "harm_kind",
    "harm_other",
    "childs_words",
    "observations",
    "imagery_description",
)
MEETING_FIELDS = frozenset(
    name for field, _ in QUESTIONS + CRITERIA + AGGRAVATING_FACTORS for name in (field, f"{field}_notes")
)
# Where a meeting that requires a referral moves the case: every state before a referral is made.
BEFORE_REFERRAL = (
    CaseState.REPORTED,
    CaseState.REOPENED,
    CaseState.UNDER_REVIEW,
    CaseState.AWAITING_SIGN_OFF,
    CaseState.MANAGED_IN_SCHOOL,
)


# --- Shared by the case services (and by the referrals app) -------------------------------------------------


def lock_case(*, actor, incident, permission=CHANGE, allow_closed=False):
    """Lock and return a fresh copy of the case, after checking `permission` and that it may be changed.

    With the reporter's permission (SUBMIT) only their own unsubmitted draft may be changed; with the team's,
    only a submitted case that is not closed (unless `allow_closed`, for addenda and reopening).
    """
    return _check_locked(actor, Incident.objects.select_for_update().get(pk=incident.pk), permission, allow_closed)


def _check_locked(actor, case, permission, allow_closed=False):
    if not policy.case_permits(actor, case, permission):
        raise CasePermissionDenied(f"You cannot make changes to case {case}.")
    if permission == SUBMIT:
        if case.state != CaseState.DRAFT or case.reported_by_id != actor.pk:
            raise CaseReadOnly("This concern has been submitted. Anything further goes to the safeguarding team.")
    elif case.state == CaseState.DRAFT:
        raise CaseReadOnly(DRAFT_MESSAGE)
    elif case.state == CaseState.CLOSED and not allow_closed:
        raise CaseReadOnly(CLOSED_MESSAGE)
    return case


def require_text(value, message):
    """`value` stripped, or a refusal with `message` when nothing was written."""
    if not (value or "").strip():
        raise RuleBroken(message)
    return value.strip()


def _set_details(incident, details):
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown concern details: {', '.join(sorted(unknown))}")
    changed = []
    for name, value in details.items():
        if name == "categories":
            chosen = {FourC(c) for c in value or ()}
            for category, field in Incident.CATEGORY_FIELDS.items():
                if getattr(incident, field) != (category in chosen):
                    setattr(incident, field, category in chosen)
                    changed.append(field)
            continue
        if value is None and name not in ("occurred_at", "came_to_light_at"):
            value = ""
        if getattr(incident, name) != value:
            setattr(incident, name, value)
            changed.append(name)
    check_dates(
        Dated("occurred_at", incident.occurred_at),
        Dated("came_to_light_at", incident.came_to_light_at, incident.occurred_at, "when it happened"),
    )
    return changed


# --- Logging a concern --------------------------------------------------------------------------------------


@transaction.atomic
def concern_draft_create(*, actor, school, recorded_at=None, **details):
    """Start a concern as a draft the writer can finish later; only they (and, once submitted, the team) see it."""
    return _draft_create(actor=actor, school=school, recorded_at=recorded_at, **details)


def _draft_create(*, actor, school, recorded_at=None, **details):
    # In the caller's transaction: concern_save calls this inside its own, so it needs no savepoint of its own.
    if not policy.can(roles_in_school(actor, school), "log_concern"):
        raise PermissionDenied("Only members of staff at this school can log a concern here.")
    now = recorded_at or timezone.now()
    incident = Incident(school=school, reported_by=actor, created_at=now, state_changed_at=now)
    _set_details(incident, details)
    audited_save(incident, actor=actor, reason="Concern started as a draft", at=now)
    policy.reporter_name(incident)
    return incident


@transaction.atomic
def concern_draft_update(*, actor, incident, **details):
    """Change a draft concern's details; only its writer may, and only until it is submitted."""
    case = lock_case(actor=actor, incident=incident, permission=SUBMIT)
    changed = _set_details(case, details)
    if changed:
        audited_save(case, actor=actor, reason="Draft concern updated", update_fields=changed)
    return case


def _notify_dsl_team(case, actor, now):
    recipients = {m.user for m in dsl_team_for_school(case.school)} - {actor}
    audited_bulk_create(
        Notification,
        [
            Notification(
                recipient=user,
                incident=case,
                kind=NotificationKind.CONCERN_REPORTED,
                triggered_by=actor,
                created_at=now,
            )
            for user in sorted(recipients, key=lambda user: user.pk)
        ],
        actor=actor,
        reason="The safeguarding team alerted to a new concern",
        at=now,
    )
    # The email is a row written with the concern: it goes once the concern is saved for good, and is not lost
    # if the broker is down at that moment.
    outbox.enqueue("incidents.tasks.concern_reported_email", incident_id=case.pk)


@transaction.atomic
def concern_submit(*, actor, incident, recorded_at=None):
    """Submit a draft concern: it goes to the safeguarding team, who are alerted in the app and by email."""
    case = case_transition(
        actor=actor,
        incident=incident,
        to_state=CaseState.REPORTED,
        reason="Submitted by the member of staff",
        recorded_at=recorded_at,
    )
    _notify_dsl_team(case, actor, case.state_changed_at)
    return case


@transaction.atomic
def concern_save(*, actor, school, draft=None, involvements=(), **details):
    """Save a concern as its writer's draft (a new one, or `draft` updated), with the people in `involvements`
    (keyword dicts for involvement_add) added, locking the draft once for all of them."""
    return _concern_save(actor=actor, school=school, draft=draft, involvements=involvements, **details)


def _concern_save(*, actor, school, draft, involvements, **details):
    # In the caller's transaction: concern_log calls this inside its own, so it needs no savepoint of its own.
    if draft is None:
        # New in this transaction, so no one else can see it yet: nothing to lock.
        case = _draft_create(actor=actor, school=school, **details)
    else:
        case = concern_draft_update(actor=actor, incident=draft, **details)
    for involvement in involvements:
        _involvement_create(actor=actor, case=case, **involvement)
    return case


@transaction.atomic
def concern_log(*, actor, school, involvements, draft=None, **details):
    """Log and submit a concern (a new one, or `draft` finished) in one step, or, if it is refused, change nothing;
    `involvements` is a list of keyword dicts for involvement_add."""
    incident = _concern_save(actor=actor, school=school, draft=draft, involvements=involvements, **details)
    return concern_submit(actor=actor, incident=incident)


# --- People involved ----------------------------------------------------------------------------------------


def _lock_for_involvement(actor, incident):
    """A draft is changed by its writer; a submitted case by the safeguarding team."""
    case = Incident.objects.select_for_update().get(pk=incident.pk)
    return _check_locked(actor, case, SUBMIT if case.state == CaseState.DRAFT else CHANGE)


@transaction.atomic
def involvement_add(*, actor, incident, recorded_at=None, **person):
    """Add a pupil from the register, or a person who is not a pupil here, to a case with their part."""
    case = _lock_for_involvement(actor, incident)
    return _involvement_create(actor=actor, case=case, recorded_at=recorded_at, **person)


def _involvement_create(
    *,
    actor,
    case,
    part,
    pupil=None,
    other_name="",
    other_description="",
    other_is_adult=False,
    other_setting="",
    own_account="",
    recorded_at=None,
):
    """Add a person to `case`, already locked and checked by the caller."""
    now = recorded_at or timezone.now()
    involvement = audited_save(
        Involvement(
            incident=case,
            pupil=pupil,
            other_name=other_name.strip(),
            other_description=other_description.strip(),
            other_is_adult=other_is_adult,
            other_setting=other_setting.strip(),
            part=Part(part),
            own_account=own_account,
            added_by=actor,
            added_at=now,
        ),
        actor=actor,
        reason="Person involved added",
        at=now,
    )
    if case.state != CaseState.DRAFT:
        chronology_record(
            incident=case,
            author=actor,
            kind=EntryKind.INVOLVEMENT,
            text=f"Added {involvement.name}: {involvement.get_part_display().lower()}.",
            recorded_at=now,
        )
    return involvement


@transaction.atomic
def involvement_remove(*, actor, involvement, reason):
    """Take a person off a case (added in error), with the reason; the record of them remains."""
    reason = require_text(reason, "Please say why this person is being taken off the case.")
    case = _lock_for_involvement(actor, involvement.incident)
    involvement = Involvement.objects.select_for_update().get(pk=involvement.pk, incident=case)
    if involvement.removed_at is None:
        involvement.removed_at, involvement.removed_by, involvement.removed_reason = timezone.now(), actor, reason
        audited_save(
            involvement,
            actor=actor,
            reason=history_reason(f"Taken off the case: {reason}"),
            update_fields=["removed_at", "removed_by", "removed_reason"],
        )
        if case.state != CaseState.DRAFT:
            chronology_record(
                incident=case, author=actor, kind=EntryKind.INVOLVEMENT, text=f"{involvement.name} taken off: {reason}"
            )
    return involvement


@transaction.atomic
def involvement_record_account(*, actor, involvement, own_account):
    """Record a person's own account where none was recorded yet; anything further is a chronology note.

    The account is kept exactly as given, spaces and blank lines too.
    """
    require_text(own_account, "Please write down their account.")
    case = _lock_for_involvement(actor, involvement.incident)
    involvement = Involvement.objects.select_for_update().get(pk=involvement.pk, incident=case)
    if case.state != CaseState.DRAFT and involvement.own_account.strip():
        raise RuleBroken("An account is already recorded for this person. Add anything further as a note.")
    involvement.own_account = own_account
    audited_save(involvement, actor=actor, reason="Own account recorded", update_fields=["own_account"])
    if case.state != CaseState.DRAFT:
        chronology_record(
            incident=case, author=actor, kind=EntryKind.INVOLVEMENT, text=f"Account recorded for {involvement.name}."
        )
    return involvement


# --- The safeguarding team's work ---------------------------------------------------------------------------


@transaction.atomic
def incident_assign_owner(*, actor, incident, owner):
    """Make a DSL or deputy DSL of the school the case's owner."""
    case = lock_case(actor=actor, incident=incident)
    if owner is not None and not roles_in_school(owner, case.school) & DSL_TEAM:
        raise RuleBroken(f"{person_name(owner)} is not a DSL or deputy DSL at this school.")
    if case.owner_id != (owner.pk if owner else None):
        case.owner = owner
        audited_save(case, actor=actor, reason="Case owner changed", update_fields=["owner"])
        chronology_record(
            incident=case,
            author=actor,
            kind=EntryKind.OWNER,
            text=f"Case owner: {person_name(owner)}." if owner else "Case owner removed.",
        )
    return case


@transaction.atomic
def incident_classify(*, actor, incident, categories, harm_kind, reason, harm_other=""):
    """Correct the 4Cs and kind of harm, with the reason; the concern as first reported stays in the history."""
    reason = require_text(reason, "Please say why the category is changing.")
    case = lock_case(actor=actor, incident=incident)
    if not categories:
        raise RuleBroken("Choose at least one of the 4Cs.")
    changed = _set_details(case, {"categories": categories, "harm_kind": harm_kind, "harm_other": harm_other})
    if changed:
        audited_save(case, actor=actor, reason=history_reason(f"Category corrected: {reason}"), update_fields=changed)
        chronology_record(
            incident=case,
            author=actor,
            kind=EntryKind.CLASSIFICATION,
            text=f"Category now {', '.join(FourC(c).label.split(':')[0] for c in case.categories)}; "
            f"{case.get_harm_kind_display().lower()}. {reason}",
        )
    return case


@transaction.atomic
def review_meeting_record(*, actor, incident, held_at, answers, attendees=(), other_attendees="", recorded_at=None):
    """Record a review meeting: `answers` maps each question, criterion and aggravating factor (and its `_notes`)
    to a value. The first is the initial review meeting; a later one records new information, in any open state.

    The case then says what the meeting found: a referral required (question 1 or 2, or a criterion, answered
    yes) moves any case not yet referred to "referral required"; otherwise a new or reopened case is under review.
    """
    case = lock_case(actor=actor, incident=incident)
    check_dates(Dated("held_at", held_at, case.came_to_light_at, "when the concern came to light"))
    unknown = set(answers) - MEETING_FIELDS
    if unknown:
        raise TypeError(f"Unknown meeting answers: {', '.join(sorted(unknown))}")
    attendees = list(dict.fromkeys(attendees))
    strangers = [str(user) for user in attendees if not roles_in_school(user, case.school)]
    if strangers:
        raise RuleBroken(
            f"{', '.join(strangers)} does not work at this school; add them under 'others present' instead."
        )
    if not any(roles_in_school(user, case.school) & DSL_TEAM for user in attendees):
        raise RuleBroken(
            Problem("Name at least one member of the safeguarding team who was at the meeting.", field="attendees")
        )
    first = not case.review_meetings.exists()
    now = recorded_at or timezone.now()
    meeting = InitialReviewMeeting(
        incident=case, held_at=held_at, other_attendees=other_attendees, recorded_by=actor, recorded_at=now, **answers
    )
    audited_save(meeting, actor=actor, reason="Review meeting recorded", at=now)
    for user in attendees:
        audited_save(MeetingAttendee(meeting=meeting, user=user), actor=actor, reason="Attendance recorded", at=now)
    required = meeting.referral_required_by
    factors = meeting.answered(AGGRAVATING_FACTORS, Answer.YES)
    found = ("Referral required: " + "; ".join(required) + "." if required else "No answer requires a referral.") + (
        " Aggravating factors: " + "; ".join(factors) + "." if factors else ""
    )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.REVIEW_MEETING,
        at=held_at,
        recorded_at=now,
        text=f"{'Initial' if first else 'Further'} review meeting held. {found}",
    )
    if required and case.state in BEFORE_REFERRAL:
        case_transition(
            actor=actor,
            incident=case,
            to_state=CaseState.REFERRAL_REQUIRED,
            reason="; ".join(required),
            recorded_at=now,
        )
    elif not required and case.state in (CaseState.REPORTED, CaseState.REOPENED, CaseState.REFERRAL_REQUIRED):
        case_transition(
            actor=actor, incident=case, to_state=CaseState.UNDER_REVIEW, reason="Review meeting held", recorded_at=now
        )
    return meeting


@transaction.atomic
def action_add(*, actor, incident, description, owner=None, due_on=None, recorded_at=None):
    """Add an action to a case, with who will do it and by when."""
    case = lock_case(actor=actor, incident=incident)
    if owner is not None and not roles_in_school(owner, case.school):
        raise RuleBroken(f"{person_name(owner)} does not work at this school.")
    now = recorded_at or timezone.now()
    action = audited_save(
        Action(incident=case, description=description, owner=owner, due_on=due_on, created_by=actor, created_at=now),
        actor=actor,
        reason="Action added",
        at=now,
    )
    due = f", due {due_on:%d %B %Y}" if due_on else ""
    who = f" for {person_name(owner)}" if owner else ""
    chronology_record(
        incident=case, author=actor, kind=EntryKind.ACTION, text=f"Action{who}{due}: {description}", recorded_at=now
    )
    return action


def _lock_open_action(actor, action):
    case = lock_case(actor=actor, incident=action.incident)
    action = Action.objects.select_for_update().get(pk=action.pk, incident=case)
    if action.status != ActionStatus.OPEN:
        raise RuleBroken(f"This action is already {action.get_status_display().lower()}.")
    return case, action


@transaction.atomic
def action_complete(*, actor, action, notes="", done_at=None, recorded_at=None):
    """Mark an action done, by whom and when."""
    check_dates(Dated("done_at", done_at))
    case, action = _lock_open_action(actor, action)
    now = recorded_at or timezone.now()
    action.status, action.done_at, action.done_by, action.done_notes = (
        ActionStatus.DONE,
        done_at or now,
        actor,
        notes,
    )
    fields = ["status", "done_at", "done_by", "done_notes"]
    audited_save(action, actor=actor, reason="Action done", update_fields=fields, at=now)
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.ACTION,
        text=f"Done: {action.description}. {notes}".strip(),
        recorded_at=now,
    )
    return action


@transaction.atomic
def action_not_taken(*, actor, action, reason):
    """Record that a planned action was not taken, and why (seed 002: actions not taken, with justification)."""
    reason = require_text(reason, "Please give the reason the action was not taken.")
    case, action = _lock_open_action(actor, action)
    action.status, action.not_taken_reason = ActionStatus.NOT_TAKEN, reason
    audited_save(action, actor=actor, reason="Action not taken", update_fields=["status", "not_taken_reason"])
    chronology_record(
        incident=case, author=actor, kind=EntryKind.ACTION, text=f"Not taken: {action.description}. Why: {reason}"
    )
    return action


@transaction.atomic
def action_record_not_taken(*, actor, incident, description, reason, recorded_at=None):
    """Record an action considered and decided against, with the justification (seed 002)."""
    reason = require_text(reason, "Please give the reason the action was not taken.")
    case = lock_case(actor=actor, incident=incident)
    now = recorded_at or timezone.now()
    action = audited_save(
        Action(
            incident=case,
            description=description,
            status=ActionStatus.NOT_TAKEN,
            not_taken_reason=reason,
            created_by=actor,
            created_at=now,
        ),
        actor=actor,
        reason="Action considered and not taken",
        at=now,
    )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.ACTION,
        text=f"Not taken: {description}. Why: {reason}",
        recorded_at=now,
    )
    return action


@transaction.atomic
def note_add(*, actor, incident, text, correction=False, recorded_at=None):
    """Add a note to an open case's chronology; a correction is a new entry, never an edit of an old one."""
    text = require_text(text, "Please write the note.")
    case = lock_case(actor=actor, incident=incident)
    kind = EntryKind.CORRECTION if correction else EntryKind.NOTE
    return chronology_record(incident=case, author=actor, kind=kind, text=text, recorded_at=recorded_at)


# --- Closing and reopening (an addendum to a sealed record is records.services.seals.addendum_add) ------------------


def case_close(*, actor, incident, summary, carried_over=None, password=None, otp_token=None, recorded_at=None):
    """Close and sign off a case (DSL or deputy), after asking again for the password or a two-factor code.

    `carried_over` maps the id of each still-open action to the reason it is carried over. The rules for
    closing (each referral has its outcome, or the decision to manage in school was signed off) are checked by
    the transition.
    """
    method = reauthenticate(user=actor, password=password, otp_token=otp_token)
    return _case_close(
        actor=actor,
        incident=incident,
        summary=summary,
        carried_over=carried_over,
        method=method,
        now=recorded_at or timezone.now(),
    )


@transaction.atomic
def _case_close(*, actor, incident, summary, carried_over, method, now):
    summary = require_text(summary, "Please write a closure summary.")
    case = lock_case(actor=actor, incident=incident)
    if not roles_in_school(actor, case.school) & DSL_TEAM:
        raise CasePermissionDenied("Only the DSL or a deputy DSL can close a case.")
    for action_id, why in (carried_over or {}).items():
        action = Action.objects.select_for_update().filter(pk=action_id, incident=case).first()
        if action is None:
            raise RuleBroken("One of the actions to carry over is not part of this case.")
        if action.status != ActionStatus.OPEN:
            continue
        why = require_text(why, f"Please say why '{action.description[:60]}' is carried over.")
        action.status, action.carried_over_reason = ActionStatus.CARRIED_OVER, why
        fields = ["status", "carried_over_reason"]
        audited_save(action, actor=actor, reason="Carried over at closure", update_fields=fields, at=now)
        chronology_record(
            incident=case,
            author=actor,
            kind=EntryKind.ACTION,
            text=f"Carried over: {action.description}. Why: {why}",
            recorded_at=now,
        )
    audited_save(
        Closure(incident=case, summary=summary, closed_by=actor, reauthenticated_with=method, closed_at=now),
        actor=actor,
        reason="Closure signed",
        at=now,
    )
    chronology_record(
        incident=case, author=actor, kind=EntryKind.CLOSURE, text=f"Closure summary: {summary}", recorded_at=now
    )
    return case_transition(
        actor=actor, incident=case, to_state=CaseState.CLOSED, reason="Closure signed by the DSL", recorded_at=now
    )


@transaction.atomic
def case_reopen(*, actor, incident, reason):
    """Reopen a closed case, with the reason."""
    reason = require_text(reason, "Please say why the case is being reopened.")
    case = lock_case(actor=actor, incident=incident, allow_closed=True)
    audited_save(Reopening(incident=case, reason=reason, reopened_by=actor), actor=actor, reason="Case reopened")
    chronology_record(incident=case, author=actor, kind=EntryKind.REOPENING, text=reason)
    return case_transition(actor=actor, incident=case, to_state=CaseState.REOPENED, reason=reason)


# --- Notifications ------------------------------------------------------------------------------------------


def concern_reported_email_send(*, incident_id):
    """Email each alerted member of the DSL team once about a new concern. Safe to run twice; returns the count.

    The email names no child and holds no detail of the concern: email is not a safe place for case data.
    """
    return notification_emails_send(
        incident_id=incident_id,
        kind=NotificationKind.CONCERN_REPORTED,
        # Someone who has left the team since the concern was submitted is not told about it.
        still_concerned=lambda roles: bool(roles & DSL_TEAM),
        subject=lambda case: f"New safeguarding concern at {case.school}: {case.reference}",
        message=lambda case: (
            f"A new concern ({case.reference}) has been reported at {case.school}.\n\n"
            "Please sign in to Safeguard to read it. For the child's privacy, no details are sent by email."
        ),
        reason="Emailed to the safeguarding team",
    )


def notification_emails_send(*, incident_id, kind, still_concerned, subject, message, reason):
    """Email each recipient of the case's notifications of `kind` not yet emailed, once each: safe to run twice, or
    twice at once (each notification is taken under a row lock and marked as it is sent). Returns the count.

    `still_concerned(roles)` says, from the recipient's roles today, whether they should still be told; `subject`
    and `message` are functions of the case, and name no child.
    """
    sent = 0
    pending = Notification.objects.filter(incident_id=incident_id, kind=kind, emailed_at__isnull=True).values_list(
        "pk", flat=True
    )
    for pk in list(pending):
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient", "incident__school", "triggered_by")
                .get(pk=pk)
            )
            if notification.emailed_at is not None:
                continue  # another run sent it meanwhile
            recipient, case = notification.recipient, notification.incident
            if not still_concerned(roles_in_school(recipient, case.school)) or not recipient.email:
                continue
            send_mail(subject=subject(case), message=message(case), from_email=None, recipient_list=[recipient.email])
            notification.emailed_at = timezone.now()
            audited_save(notification, actor=notification.triggered_by, reason=reason, update_fields=["emailed_at"])
            sent += 1
    return sent
