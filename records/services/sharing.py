"""Writes for information sharing and inter-agency meetings (issue 9, sections 6 and 7).

Each takes the acting person as `actor`, locks the case through incidents.services.lock_case (the safeguarding
team's permission; a closed case takes addenda only), saves through audited_save and writes the chronology. What
is written is never changed: a correction is a new entry naming the one it corrects, which stays on record. As in
the case services, `recorded_at` back-dates what is stamped with the time, for the demo and tests only.
"""

from django.db import transaction
from django.utils import timezone

from incidents.chronology import chronology_record
from incidents.dates import Dated, check_dates
from incidents.errors import Problem, RuleBroken
from incidents.models import EntryKind
from incidents.services import action_add, lock_case, require_text
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.people import person_name
from safeguard.roles import Role

from ..models import (
    AgencyMeeting,
    AgencyMeetingAction,
    AgencyMeetingKind,
    AgencyMeetingStaff,
    InformationSharing,
    LawfulBasis,
    Recipient,
)

CAME_TO_LIGHT = "when the concern came to light"
# Overseers and inspectors read the school's records; they do not work in it.
NOT_SCHOOL_STAFF = frozenset({Role.INSPECTOR, Role.TRUST_LEAD})


def _sentence(text):
    """`text` ending as a sentence does, so that chronology lines built from several answers read as prose."""
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _works_here(user, school):
    return bool(roles_in_school(user, school) - NOT_SCHOOL_STAFF)


def _correcting(model, case, corrects, correction_note):
    """The entry of `case` that `corrects` names, locked, if it may still be corrected; and the note saying why."""
    if corrects is None:
        return None, ""
    note = require_text(correction_note, Problem("Please say what was wrong with the entry.", field="correction_note"))
    entry = model.objects.select_for_update().filter(pk=corrects.pk, incident=case).first()
    if entry is None:
        raise RuleBroken("The entry to correct is not part of this case.")
    if hasattr(entry, "corrected_by"):
        raise RuleBroken("This entry has already been corrected. Correct the newer entry instead.")
    return entry, note


# --- Information sharing --------------------------------------------------------------------------------------


def _sharing_kind(shared, earlier_shared):
    """The chronology kind of a sharing entry. A correction's kind says whether it changed a sharing into a decision
    not to share or back, so the case page counts the current entries from the chronology it loads anyway."""
    if earlier_shared is None:
        return EntryKind.SHARING if shared else EntryKind.NOT_SHARED
    if earlier_shared == shared:
        return EntryKind.SHARING_CORRECTED
    return EntryKind.CORRECTED_TO_SHARED if shared else EntryKind.CORRECTED_TO_NOT_SHARED


@transaction.atomic
def sharing_record(
    *,
    actor,
    incident,
    shared,
    recipient,
    information,
    reason,
    decided_by,
    at=None,
    agency="",
    agency_other="",
    recipient_name="",
    method="",
    lawful_basis=LawfulBasis.SAFEGUARDING,
    lawful_basis_other="",
    corrects=None,
    correction_note="",
    recorded_at=None,
):
    """Record that information about the case was shared (with whom, what, when, how, why, who decided and on what
    lawful basis), or that the school decided not to share it, and why.

    The lawful basis is the safeguarding condition of the Data Protection Act 2018 unless another is chosen; "other"
    needs its description. `corrects` names an earlier entry this one corrects, with `correction_note` saying why.
    """
    case = lock_case(actor=actor, incident=incident)
    check_dates(Dated("at", at, case.came_to_light_at, CAME_TO_LIGHT))
    information = require_text(
        information,
        Problem(
            "Please say what was shared." if shared else "Please say what was asked for, or considered for sharing.",
            field="information",
        ),
    )
    # Guidance asks for a reason either way: why it was shared, and (just as much) why it was not.
    reason = require_text(
        reason,
        Problem(
            "Please say why it was shared." if shared else "Please give the reason for not sharing it.", field="reason"
        ),
    )
    if decided_by is None or not _works_here(decided_by, case.school):
        raise RuleBroken(Problem("Please name who decided: someone who works at this school.", field="decided_by"))
    earlier, note = _correcting(InformationSharing, case, corrects, correction_note)
    now = recorded_at or timezone.now()
    entry = audited_save(
        InformationSharing(
            incident=case,
            shared=bool(shared),
            recipient=Recipient(recipient),
            agency=agency if recipient == Recipient.AGENCY else "",
            agency_other=agency_other.strip() if recipient == Recipient.AGENCY else "",
            recipient_name=recipient_name.strip(),
            information=information,
            at=at or now,
            reason=reason,
            decided_by=decided_by,
            method=method if shared else "",
            lawful_basis=(lawful_basis or LawfulBasis.SAFEGUARDING) if shared else "",
            lawful_basis_other=lawful_basis_other.strip() if shared and lawful_basis == LawfulBasis.OTHER else "",
            corrects=earlier,
            correction_note=note,
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason=("Correction: " if earlier else "") + ("Information shared" if shared else "Decision not to share"),
        at=now,
    )
    if shared:
        text = (
            f"Information shared with {entry.recipient_label} ({entry.get_method_display().lower()}), decided by "
            f"{person_name(decided_by)}. What: {_sentence(information)} Why: {_sentence(reason)} "
            + _sentence(f"Lawful basis: {entry.lawful_basis_label}")
        )
    else:
        text = (
            f"Decided not to share with {entry.recipient_label}, decided by {person_name(decided_by)}. "
            f"Asked for: {_sentence(information)} Reason: {_sentence(reason)}"
        )
    if earlier:
        text = f"Correction of the entry of {timezone.localtime(earlier.at):%d %B %Y %H:%M} ({note}). {text}"
    kind = _sharing_kind(entry.shared, earlier.shared if earlier else None)
    chronology_record(incident=case, author=actor, kind=kind, at=entry.at, recorded_at=now, text=text)
    return entry


# --- Inter-agency meetings ------------------------------------------------------------------------------------


@transaction.atomic
def agency_meeting_record(
    *,
    actor,
    incident,
    kind,
    held_at,
    invited,
    attended,
    report_sent,
    outcome,
    kind_other="",
    called_by="",
    no_attendance_reason="",
    others_present="",
    actions_for_school="",
    actions=(),
    corrects=None,
    correction_note="",
    recorded_at=None,
):
    """Record an inter-agency meeting once held (strategy meeting, child protection conference, core group, team
    around the family): who from the school was invited, who attended, or why no one did (one or the other is
    needed: Ofsted looks for attendance), whether a report was sent, the outcome and the actions for the school.

    `actions` are dicts for incidents.services.action_add (description, owner, due_on): each becomes a case action,
    linked to the meeting.
    """
    case = lock_case(actor=actor, incident=incident)
    if held_at is None:
        raise RuleBroken(Problem("Please say when the meeting was held.", field="held_at"))
    check_dates(Dated("held_at", held_at, case.came_to_light_at, CAME_TO_LIGHT))
    invited, attended = list(dict.fromkeys(invited)), list(dict.fromkeys(attended))
    strangers = [person_name(user) for user in invited + attended if not _works_here(user, case.school)]
    if strangers:
        raise RuleBroken(
            Problem(
                f"{', '.join(dict.fromkeys(strangers))} does not work at this school; name them under 'others there'.",
                field="attended" if set(strangers) & {person_name(u) for u in attended} else "invited",
            )
        )
    no_attendance_reason = (no_attendance_reason or "").strip()
    if not attended and not no_attendance_reason:
        # Ofsted looks for attendance at inter-agency meetings (seed 004 §7): absence is recorded with its reason.
        raise RuleBroken(
            Problem("Please name who from the school attended, or say why no one did.", field="no_attendance_reason")
        )
    if attended and no_attendance_reason:
        raise RuleBroken(
            Problem(
                "Someone from the school attended, so there is no absence to explain. Leave this empty.",
                field="no_attendance_reason",
            )
        )
    outcome = require_text(outcome, Problem("Please record the outcome of the meeting.", field="outcome"))
    actions = [dict(action) for action in actions if (action.get("description") or "").strip()]
    earlier, note = _correcting(AgencyMeeting, case, corrects, correction_note)
    now = recorded_at or timezone.now()
    meeting = audited_save(
        AgencyMeeting(
            incident=case,
            kind=AgencyMeetingKind(kind),
            kind_other=kind_other.strip() if kind == AgencyMeetingKind.OTHER else "",
            held_at=held_at,
            called_by=called_by.strip(),
            no_attendance_reason=no_attendance_reason,
            report_sent=bool(report_sent),
            others_present=others_present.strip(),
            outcome=outcome,
            actions_for_school=actions_for_school.strip(),
            corrects=earlier,
            correction_note=note,
            recorded_by=actor,
            recorded_at=now,
        ),
        actor=actor,
        reason=("Correction: " if earlier else "") + "Inter-agency meeting recorded",
        at=now,
    )
    for user in dict.fromkeys(invited + attended):
        audited_save(
            AgencyMeetingStaff(meeting=meeting, user=user, invited=user in invited, attended=user in attended),
            actor=actor,
            reason="Invitation and attendance recorded",
            at=now,
        )
    there = (
        f"Attended by {', '.join(person_name(user) for user in attended)}."
        if attended
        else f"No one from the school attended: {no_attendance_reason}"
    )
    report = "A report was sent." if meeting.report_sent else "No report was sent."
    called = f" (called by {meeting.called_by})" if meeting.called_by else ""
    text = f"{meeting.kind_label} held{called}. {_sentence(there)} {report} Outcome: {_sentence(outcome)}"
    if meeting.actions_for_school:
        text += f" Actions for the school: {_sentence(meeting.actions_for_school)}"
    if earlier:
        text = f"Correction of the meeting of {timezone.localtime(earlier.held_at):%d %B %Y} ({note}). {text}"
    kind = EntryKind.AGENCY_MEETING_CORRECTED if earlier else EntryKind.AGENCY_MEETING
    chronology_record(incident=case, author=actor, kind=kind, at=held_at, recorded_at=now, text=text)
    for action in actions:
        made = action_add(actor=actor, incident=case, recorded_at=recorded_at, **action)
        audited_save(
            AgencyMeetingAction(meeting=meeting, action=made),
            actor=actor,
            reason="Action from an inter-agency meeting",
            at=now,
        )
    return meeting
