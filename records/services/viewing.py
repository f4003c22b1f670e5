"""The imagery-viewing log (domain.md §4; seed 004 §5.1): who viewed imagery, why, who else was there, that the
headteacher was told, and what followed; signed by the viewer and by the headteacher.

Viewing is exceptional, so every condition the guidance sets is a refusal here, whoever calls: one of the three
allowed reasons only; the DSL, or a member of the team the headteacher has delegated, as the one viewer; another
member of staff present; the headteacher told; same sex as the pupil, or the reason it could not be.
"""

from django.db import transaction
from django.utils import timezone

from incidents.chronology import chronology_record
from incidents.dates import Dated, check_dates
from incidents.errors import CasePermissionDenied, Problem, RuleBroken
from incidents.models import EntryKind, Involvement, Notification, NotificationKind
from incidents.reauth import reauthenticate
from incidents.services import lock_case, notification_emails_send, require_text
from safeguard import outbox, policy
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.people import person_name
from safeguard.roles import Role

from ..viewing_models import ImageryViewing, ViewingDelegation, ViewingReason, ViewingSignature, ViewingSigner

WORKING_ROLES = frozenset({Role.STAFF, Role.DSL, Role.DEPUTY_DSL, Role.HEADTEACHER})


# --- Delegation ---------------------------------------------------------------------------------------------


def open_delegation(school, user):
    return ViewingDelegation.objects.filter(school=school, user=user, ended_at__isnull=True).first()


def viewer_refusal(user, school):
    """Why `user` may not be the one person who views imagery at `school`, or None if they may.

    The DSL may; another member of the safeguarding team only with the headteacher's delegated authority, and
    only while they are still in the team.
    """
    roles = roles_in_school(user, school)
    if Role.DSL in roles:
        return None
    if Role.DEPUTY_DSL in roles and open_delegation(school, user) is not None:
        return None
    return (
        f"{person_name(user)} cannot view imagery: only the DSL, or a member of the safeguarding team the headteacher "
        "has given delegated authority, may do so."
    )


@transaction.atomic
def viewing_delegate(*, actor, school, user, reason):
    """The headteacher gives a deputy DSL authority to view imagery when it is unavoidable."""
    if not policy.can(roles_in_school(actor, school), "delegate_viewing"):
        raise CasePermissionDenied("Only the headteacher can delegate the viewing of imagery.")
    reason = require_text(reason, Problem("Please say why this person is given the authority.", field="reason"))
    roles = roles_in_school(user, school)
    if Role.DSL in roles:
        raise RuleBroken(Problem(f"{person_name(user)} is the DSL, who needs no delegation.", field="user"))
    if Role.DEPUTY_DSL not in roles:
        raise RuleBroken(
            Problem("Viewing may be delegated only to a member of the safeguarding team (a deputy DSL).", field="user")
        )
    if open_delegation(school, user) is not None:
        raise RuleBroken(Problem(f"{person_name(user)} already has delegated authority.", field="user"))
    return audited_save(
        ViewingDelegation(school=school, user=user, reason=reason, granted_by=actor),
        actor=actor,
        reason="Viewing of imagery delegated",
    )


@transaction.atomic
def viewing_delegation_end(*, actor, delegation):
    """End a delegation now (the headteacher)."""
    if not policy.can(roles_in_school(actor, delegation.school), "delegate_viewing"):
        raise CasePermissionDenied("Only the headteacher can end a delegation.")
    delegation = ViewingDelegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.ended_at is None:
        delegation.ended_at, delegation.ended_by = timezone.now(), actor
        audited_save(delegation, actor=actor, reason="Delegation ended", update_fields=["ended_at", "ended_by"])
    return delegation


# --- Recording a viewing ------------------------------------------------------------------------------------


def _reason(value):
    if value not in ViewingReason.values:
        raise RuleBroken(
            Problem(
                "Imagery may be viewed only for one of the three reasons the guidance allows. If none of them "
                "applies, do not view it: decide on what the pupils have told you.",
                field="reason",
            )
        )
    return ViewingReason(value)


@transaction.atomic
def viewing_record(
    *,
    actor,
    incident,
    involvement,
    viewed_by,
    viewed_at,
    present,
    reason,
    why,
    same_sex,
    head_told,
    head_told_at,
    what_followed,
    not_copied,
    others_present="",
    not_same_sex_reason="",
    recorded_at=None,
):
    """Record that imagery was viewed; the headteacher told is alerted in Safeguard and by email.

    The record is complete once the viewer and the headteacher have each signed it (viewing_sign).
    """
    reason = _reason(reason)
    case = lock_case(actor=actor, incident=incident)
    check_dates(Dated("viewed_at", viewed_at), Dated("head_told_at", head_told_at))
    why = require_text(why, Problem("Please say why viewing the imagery was necessary.", field="why"))
    what_followed = require_text(what_followed, Problem("Please record what followed.", field="what_followed"))
    if not not_copied:
        raise RuleBroken(
            Problem(
                "Imagery must never be copied, printed, shared or saved: doing so is illegal. If it was, speak to "
                "the police before recording anything further.",
                field="not_copied",
            )
        )
    if not Involvement.objects.current().filter(pk=involvement.pk, incident=case, pupil__isnull=False).exists():
        raise RuleBroken(Problem("Choose a pupil involved in this case.", field="involvement"))
    refusal = viewer_refusal(viewed_by, case.school)
    if refusal:
        raise RuleBroken(Problem(refusal, field="viewed_by"))
    if present == viewed_by:
        raise RuleBroken(Problem("Another member of staff must be present, besides the viewer.", field="present"))
    if not roles_in_school(present, case.school) & WORKING_ROLES:
        raise RuleBroken(Problem(f"{person_name(present)} does not work at this school.", field="present"))
    if Role.HEADTEACHER not in roles_in_school(head_told, case.school):
        raise RuleBroken(Problem(f"{person_name(head_told)} is not this school's headteacher.", field="head_told"))
    not_same_sex_reason = (not_same_sex_reason or "").strip()
    if not same_sex and not not_same_sex_reason:
        raise RuleBroken(
            Problem(
                "Imagery is viewed by someone of the same sex as the pupil where possible. Please say why it was "
                "not possible.",
                field="not_same_sex_reason",
            )
        )
    now = recorded_at or timezone.now()
    viewing = audited_save(
        ImageryViewing(
            incident=case,
            involvement=involvement,
            viewed_by=viewed_by,
            viewed_at=viewed_at,
            present=present,
            others_present=(others_present or "").strip(),
            reason=reason,
            why=why,
            same_sex=same_sex,
            not_same_sex_reason="" if same_sex else not_same_sex_reason,
            head_told=head_told,
            head_told_at=head_told_at,
            what_followed=what_followed,
            not_copied=True,
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason="Imagery viewing recorded",
        at=now,
    )
    others = f" and {viewing.others_present}" if viewing.others_present else ""
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.IMAGERY_VIEWING,
        at=viewed_at,
        recorded_at=now,
        text=(
            f"Imagery viewed by {person_name(viewed_by)}, with {person_name(present)}{others} present. "
            f"Reason: {reason.label}. {why} The headteacher, {person_name(head_told)}, was told "
            f"{timezone.localtime(head_told_at):%d %B %Y %H:%M}. What followed: {what_followed}"
        ),
    )
    _tell_headteacher(case, head_told, actor, now)
    return viewing


def _tell_headteacher(case, head, actor, now):
    """Alert the headteacher in Safeguard and by email. One alert per person and case: a further viewing raises
    the same alert again (the history keeps the earlier one), so the email goes again."""
    notification = Notification.objects.filter(recipient=head, incident=case, kind=NotificationKind.IMAGERY_VIEWED)
    notification = notification.select_for_update().first()
    if notification is None:
        notification = Notification(
            recipient=head, incident=case, kind=NotificationKind.IMAGERY_VIEWED, triggered_by=actor, created_at=now
        )
        audited_save(notification, actor=actor, reason="The headteacher told of a viewing of imagery", at=now)
    else:
        notification.created_at, notification.triggered_by, notification.emailed_at = now, actor, None
        fields = ["created_at", "triggered_by", "emailed_at"]
        audited_save(
            notification, actor=actor, reason="The headteacher told of a further viewing", update_fields=fields
        )
    outbox.enqueue("records.tasks.imagery_viewed_email", incident_id=case.pk)


def imagery_viewed_email_send(*, incident_id):
    """Email each headteacher alerted to a viewing on this case, once. Safe to run twice; returns the count.

    The email names no child and says nothing of the imagery: email is not a safe place for case data.
    """
    return notification_emails_send(
        incident_id=incident_id,
        kind=NotificationKind.IMAGERY_VIEWED,
        still_concerned=lambda roles: Role.HEADTEACHER in roles,
        subject=lambda case: f"Imagery was viewed on case {case.reference} at {case.school}",
        message=lambda case: (
            f"A member of the safeguarding team has recorded viewing imagery on case {case.reference} at "
            f"{case.school}.\n\nPlease sign in to Safeguard to read the record and sign it. For the child's "
            "privacy, no details are sent by email."
        ),
        reason="Emailed to the headteacher",
    )


# --- Signatures ---------------------------------------------------------------------------------------------


def signer_for(user, viewing):
    """In which capacity `user` signs this viewing (ViewingSigner), or raise CasePermissionDenied with why not."""
    if user.pk == viewing.viewed_by_id:
        return ViewingSigner.VIEWER
    if Role.HEADTEACHER in roles_in_school(user, viewing.incident.school):
        return ViewingSigner.HEADTEACHER
    raise CasePermissionDenied("Only the person who viewed the imagery and the headteacher sign this record.")


def viewing_sign(*, actor, viewing, password=None, otp_token=None, recorded_at=None):
    """The viewer, or the headteacher, signs the record of a viewing; asks again for the password or a code."""
    signer_for(actor, viewing)  # refuse before asking for a secret
    method = reauthenticate(user=actor, password=password, otp_token=otp_token)
    return _viewing_sign(actor=actor, viewing=viewing, method=method, now=recorded_at or timezone.now())


@transaction.atomic
def _viewing_sign(*, actor, viewing, method, now):
    case = lock_case(actor=actor, incident=viewing.incident, permission=policy.VIEW)
    viewing = ImageryViewing.objects.select_related("incident__school").get(pk=viewing.pk, incident=case)
    signer = signer_for(actor, viewing)
    if ViewingSignature.objects.filter(viewing=viewing, signer=signer).exists():
        raise RuleBroken(f"{signer.label} has already signed this record.")
    signature = audited_save(
        ViewingSignature(viewing=viewing, signer=signer, signed_by=actor, signed_at=now, reauthenticated_with=method),
        actor=actor,
        reason="Imagery viewing signed",
        at=now,
    )
    chronology_record(
        incident=case,
        author=actor,
        kind=EntryKind.IMAGERY_VIEWING,
        recorded_at=now,
        text=(
            f"The record of the viewing on {timezone.localtime(viewing.viewed_at):%d %B %Y %H:%M} signed by "
            f"{person_name(actor)} ({signer.label.lower()})."
        ),
    )
    return signature
