"""Reads for transfers of child protection files (issue 10 §2): each transfer's state and clock, the school's list,
a pupil's transfers and files received, and their entries in the pupil's chronology.

**The clock.** Keeping Children Safe in Education asks that the file reach the new school within 5 school days of
the pupil leaving (or of the start of a new term, for a pupil who leaves in a holiday), separately from the main
pupil file, securely, with confirmation of receipt. (The seeds name only "transfer when a pupil leaves the school"
among Ofsted's recording points; the 5 school days are issue 10's and KCSIE's.) So the clock starts on the leaving
date and counts 5 school days in the school's calendar: a pupil leaving at the end of the summer term is due by the
5th day of the autumn term. It does not restart when the file is sent late: the file is confirmed by then, or the
transfer is overdue and escalated. Where the school's term dates do not reach that far, it counts working days
instead, which falls due sooner, never later, and the page says so.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.utils import timezone

from safeguard import calendar, policy
from safeguard.extensions import TimelineEntry
from safeguard.memberships import roles_in_school

from .report_models import Report, ReportKind, ReportState
from .transfer_models import FileReceived, FileTransfer, TransferEvent, TransferEventKind

SCHOOL_DAYS = 5
# A clock of 5 school days (or working days) ends at least 5 days after the leaving date, so a transfer that left
# fewer days ago cannot be overdue: the reminder rule reads only older ones.
SHORTEST_CLOCK = datetime.timedelta(days=SCHOOL_DAYS)


@dataclass(frozen=True)
class Clock:
    due_on: datetime.date  # receipt is confirmed by the end of this day
    in_school_days: bool  # False: the term dates do not reach it, so it counts working days

    def overdue(self, today):
        return today > self.due_on


def transfer_clock(school, leaving_on):
    """When the file's receipt is due: 5 school days after the leaving date (working days where terms are missing)."""
    try:
        return Clock(calendar.add_school_days(school, leaving_on, SCHOOL_DAYS), True)
    except calendar.NoTermDates:
        return Clock(calendar.add_working_days(school, leaving_on, SCHOOL_DAYS), False)


def _event(kind, field="at"):
    return Subquery(TransferEvent.objects.filter(transfer=OuterRef("pk"), kind=kind).values(field)[:1])


def with_state(transfers):
    """Transfers annotated with when each step happened (sent_at, confirmed_at, cancelled_at): one query."""
    return transfers.annotate(
        sent_at=_event(TransferEventKind.SENT),
        confirmed_at=_event(TransferEventKind.CONFIRMED),
        cancelled_at=_event(TransferEventKind.CANCELLED),
    )


def open_transfers():
    """Transfers neither confirmed nor cancelled."""
    ended = TransferEvent.objects.filter(
        transfer=OuterRef("pk"), kind__in=[TransferEventKind.CONFIRMED, TransferEventKind.CANCELLED]
    )
    return FileTransfer.objects.exclude(Exists(ended))


def transfers_for_user(user, school):
    """The school's transfers, for its DSL team; none for anyone else."""
    if not policy.can(roles_in_school(user, school), "work_cases"):
        return FileTransfer.objects.none()
    return with_state(FileTransfer.objects.filter(school=school)).select_related("pupil", "started_by")


def files_received_for_user(user, school):
    """Files received from other schools, for the school's DSL team; none for anyone else."""
    if not policy.can(roles_in_school(user, school), "work_cases"):
        return FileReceived.objects.none()
    return FileReceived.objects.filter(school=school).select_related("pupil", "received_by")


def get_transfer_for_user_or_404(user, school, pupil, pk):
    try:
        return transfers_for_user(user, school).get(pk=pk, pupil=pupil)
    except (FileTransfer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def with_clocks(transfers, school, today=None):
    """Each transfer of `school` with its `clock`, `overdue` and `state` (its calendar read once)."""
    today = today or timezone.localdate()
    for transfer in transfers:
        transfer.clock = transfer_clock(school, transfer.leaving_on)
        transfer.is_open = not (transfer.confirmed_at or transfer.cancelled_at)
        transfer.overdue = transfer.is_open and transfer.clock.overdue(today)
    return transfers


def overdue_first(transfers):
    """Open transfers before ended ones, overdue first, soonest due first; ended ones newest first."""
    open_ones = sorted((t for t in transfers if t.is_open), key=lambda t: (not t.overdue, t.clock.due_on, t.pk))
    ended = sorted((t for t in transfers if not t.is_open), key=lambda t: (t.started_at, t.pk), reverse=True)
    return open_ones + ended


def open_transfers_with_clocks(user, school, today=None):
    """The school's open transfers, overdue first (open ones are few: a school's leavers waiting for receipt)."""
    transfers = transfers_for_user(user, school).filter(pk__in=open_transfers().values("pk"))
    return overdue_first(with_clocks(list(transfers), school, today))


def ready_pupil_files(pupil):
    """The rendered child protection files of `pupil` that may be sent, newest first."""
    return Report.objects.filter(
        school=pupil.school_id, pupil=pupil, kind=ReportKind.PUPIL_FILE, state=ReportState.READY
    ).order_by("-finished_at", "-pk")


def pupil_timeline_entries(user, school, pupil):
    """The pupil's transfers (each step) and files received, as chronology entries, for those who see the school's
    cases (the chronology's readers): three queries."""
    if pupil.school_id != school.pk or not policy.can(roles_in_school(user, school), "view_cases"):
        return []
    entries = []
    for received in FileReceived.objects.filter(pupil=pupil).select_related("received_by"):
        entries.append(
            TimelineEntry(
                at=received.received_at,
                heading=f"Child protection file received from {received.other_school}",
                text=f"From {received.contact_name}, {received.get_method_display().lower()}. {received.summary}",
                author=received.received_by,
                record=received,
            )
        )
    transfers = list(FileTransfer.objects.filter(pupil=pupil).select_related("started_by"))
    for transfer in transfers:
        entries.append(
            TimelineEntry(
                at=transfer.started_at,
                heading=f"Transfer of the child protection file to {transfer.other_school} started",
                text=f"Leaving on {transfer.leaving_on:%d %B %Y}. {transfer.reason}".strip(),
                author=transfer.started_by,
                record=transfer,
            )
        )
    events = TransferEvent.objects.filter(transfer__in=transfers).select_related("transfer", "recorded_by")
    for event in events:
        entries.append(
            TimelineEntry(
                at=event.at,
                heading=f"{event.get_kind_display()}: transfer to {event.transfer.other_school}",
                text=event_summary(event),
                author=event.recorded_by,
                record=event,
            )
        )
    return entries


def event_summary(event):
    """One line saying what an event records."""
    if event.kind == TransferEventKind.SENT:
        reference = f", reference {event.reference}" if event.reference else ""
        return f"{event.get_send_method_display()}{reference}. SHA-256 of the file sent: {event.report_sha256}."
    if event.kind == TransferEventKind.CONFIRMED:
        return f"Confirmed by {event.confirmed_by} ({event.get_confirmation_method_display().lower()})."
    return f"Reason: {event.reason}"
