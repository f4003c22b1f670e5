"""Writes for transfers of child protection files (issue 10 §2): start a transfer when a pupil leaves, record the
file sent and its receipt confirmed, cancel with a reason; record a file received from another school.

Only the DSL team of the pupil's school does any of it. Each write locks the transfer's row (so two people cannot
record the same step at once), saves one new row through audited_save (its history names the actor), and never
changes a row: the transfer's state is its events (records.transfer_models). The file sent is a rendered pupil-file
report of that pupil, and its SHA-256 is kept with the event, so what went can be checked against the PDF later.
`recorded_at` is given only by back-dated seeding (the demo, tests).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.dates import Dated, check_dates
from incidents.errors import CasePermissionDenied, Problem, RuleBroken
from incidents.services import require_text
from safeguard.audit import audited_save
from safeguard.memberships import roles_in_school
from safeguard.roles import DSL_TEAM

from ..report_models import ReportKind, ReportState
from ..transfer_models import FileReceived, FileTransfer, TransferEvent, TransferEventKind

# A transfer is started around the day a pupil leaves; a date further off is a typing slip (and no calendar reaches it).
LEAVING_WITHIN_DAYS = 366


def _team_only(actor, pupil):
    if not roles_in_school(actor, pupil.school) & DSL_TEAM:
        raise CasePermissionDenied("Only the pupil's school's safeguarding team transfers or receives their file.")


def _save_new(instance, *, actor, reason, recorded_at):
    assert instance.pk is None  # noqa: S101  (append-only: a row is written once)
    return audited_save(instance, actor=actor, reason=reason, at=recorded_at)


def _contact(other_school, contact_name, contact_email, contact_phone):
    other_school = require_text(other_school, Problem("Name the school.", field="other_school"))
    contact_name = require_text(contact_name, Problem("Name their designated safeguarding lead.", field="contact_name"))
    if not (contact_email or "").strip() and not (contact_phone or "").strip():
        raise RuleBroken(Problem("Give their email or phone number.", field="contact_email"))
    return {
        "other_school": other_school,
        "contact_name": contact_name,
        "contact_email": (contact_email or "").strip(),
        "contact_phone": (contact_phone or "").strip(),
    }


@transaction.atomic
def transfer_start(
    *,
    actor,
    pupil,
    other_school,
    contact_name,
    leaving_on,
    other_urn="",
    contact_email="",
    contact_phone="",
    reason="",
    recorded_at=None,
):
    """Start the transfer of `pupil`'s child protection file to the school they are moving to."""
    _team_only(actor, pupil)
    today = timezone.localdate()
    if leaving_on is None or abs((leaving_on - today).days) > LEAVING_WITHIN_DAYS:
        raise ValidationError({"leaving_on": "Give the day the pupil leaves, or left, within a year of today."})
    transfer = FileTransfer(
        school=pupil.school,
        pupil=pupil,
        other_urn=(other_urn or "").strip(),
        leaving_on=leaving_on,
        reason=(reason or "").strip(),
        started_by=actor,
        **_contact(other_school, contact_name, contact_email, contact_phone),
    )
    if recorded_at is not None:
        transfer.started_at = recorded_at
    return _save_new(transfer, actor=actor, reason="Transfer of the file started", recorded_at=recorded_at)


def _lock(transfer):
    """Lock the transfer and return its events so far, by kind; refuse anything after a cancellation."""
    FileTransfer.objects.select_for_update().get(pk=transfer.pk)
    events = {event.kind: event for event in TransferEvent.objects.filter(transfer=transfer)}
    if TransferEventKind.CANCELLED in events:
        raise RuleBroken("This transfer was cancelled: nothing more is recorded on it. Start a new one if needed.")
    return events


def _record(transfer, *, actor, kind, at, recorded_at, **details):
    return _save_new(
        TransferEvent(
            transfer=transfer,
            kind=kind,
            at=at,
            recorded_by=actor,
            recorded_at=recorded_at or timezone.now(),
            **details,
        ),
        actor=actor,
        reason=TransferEventKind(kind).label,
        recorded_at=recorded_at,
    )


@transaction.atomic
def transfer_sent(*, actor, transfer, report, sent_at, method, reference="", recorded_at=None):
    """Record that the file went: which rendered pupil file (its SHA-256 kept with the entry), when and how."""
    _team_only(actor, transfer.pupil)
    events = _lock(transfer)
    if TransferEventKind.SENT in events:
        raise RuleBroken("The file's sending is already recorded on this transfer.")
    if report is None or report.kind != ReportKind.PUPIL_FILE or report.pupil_id != transfer.pupil_id:
        raise RuleBroken(Problem("Choose a child protection file report of this pupil.", field="report"))
    if report.state != ReportState.READY:
        raise RuleBroken(Problem("This report is not ready yet: send it once it has been made.", field="report"))
    check_dates(Dated("sent_at", sent_at))
    return _record(
        transfer,
        actor=actor,
        kind=TransferEventKind.SENT,
        at=sent_at,
        recorded_at=recorded_at,
        report=report,
        report_sha256=report.sha256,
        send_method=method,
        reference=(reference or "").strip(),
    )


@transaction.atomic
def transfer_confirmed(*, actor, transfer, confirmed_at, confirmed_by, method, recorded_at=None):
    """Record that the receiving school confirmed receipt: who there, when, and how the confirmation came."""
    _team_only(actor, transfer.pupil)
    events = _lock(transfer)
    sent = events.get(TransferEventKind.SENT)
    if sent is None:
        raise RuleBroken("Record that the file was sent before its receipt is confirmed.")
    if TransferEventKind.CONFIRMED in events:
        raise RuleBroken("Receipt is already confirmed on this transfer.")
    confirmed_by = require_text(
        confirmed_by, Problem("Name who confirmed receipt at the receiving school.", field="confirmed_by")
    )
    check_dates(Dated("confirmed_at", confirmed_at, sent.at, "when the file was sent"))
    return _record(
        transfer,
        actor=actor,
        kind=TransferEventKind.CONFIRMED,
        at=confirmed_at,
        recorded_at=recorded_at,
        confirmed_by=confirmed_by,
        confirmation_method=method,
    )


@transaction.atomic
def transfer_cancel(*, actor, transfer, reason, recorded_at=None):
    """Cancel a transfer with the reason (the pupil stays, the wrong school was named); it stays on record."""
    _team_only(actor, transfer.pupil)
    events = _lock(transfer)
    if TransferEventKind.CONFIRMED in events:
        raise RuleBroken("Receipt is confirmed: the transfer is complete and cannot be cancelled.")
    reason = require_text(reason, Problem("Say why the transfer is cancelled.", field="reason"))
    return _record(
        transfer,
        actor=actor,
        kind=TransferEventKind.CANCELLED,
        at=recorded_at or timezone.now(),
        recorded_at=recorded_at,
        reason=reason,
    )


@transaction.atomic
def file_received_record(
    *,
    actor,
    pupil,
    other_school,
    contact_name,
    received_at,
    method,
    summary,
    other_urn="",
    contact_email="",
    contact_phone="",
    recorded_at=None,
):
    """Record a child protection file received from the pupil's previous school; it joins their chronology."""
    _team_only(actor, pupil)
    summary = require_text(summary, Problem("Say in words what the file holds.", field="summary"))
    check_dates(Dated("received_at", received_at))
    received = FileReceived(
        school=pupil.school,
        pupil=pupil,
        other_urn=(other_urn or "").strip(),
        received_at=received_at,
        method=method,
        summary=summary,
        received_by=actor,
        **_contact(other_school, contact_name, contact_email, contact_phone),
    )
    if recorded_at is not None:
        received.recorded_at = recorded_at
    return _save_new(received, actor=actor, reason="File received from another school", recorded_at=recorded_at)
