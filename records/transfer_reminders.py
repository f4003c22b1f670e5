"""The reminder rule for child protection file transfers (issue 10 §5): a transfer whose receipt is not confirmed
by the end of its clock (records.transfer_selectors: 5 school days from the leaving date) is escalated to the
person who started it, once per transfer (registered with the others in records.reminder_rules).
"""

import datetime

from django.urls import reverse
from django.utils import timezone

from safeguard import calendar

from .reminders import Due
from .transfer_selectors import SHORTEST_CLOCK, open_transfers, transfer_clock


def transfers_unconfirmed(now):
    """A `Due` for each transfer neither confirmed nor cancelled whose clock ran out before `now`: three queries
    however many (the transfers old enough to be late, then every school's terms and INSET days at once)."""
    today = timezone.localdate(now)
    transfers = list(
        open_transfers().filter(leaving_on__lte=today - SHORTEST_CLOCK).select_related("school").order_by("pk")
    )
    calendar.preload(transfers)  # each school's calendar read once, shared by its transfers
    for transfer in transfers:
        clock = transfer_clock(transfer.school, transfer.leaving_on)
        if not clock.overdue(today):
            continue
        # Late from the start of the day after the due date, in the school's time zone.
        late_from = datetime.datetime.combine(clock.due_on + datetime.timedelta(days=1), datetime.time())
        yield Due(
            event=f"transfer:{transfer.pk}:unconfirmed",
            school_id=transfer.school_id,
            incident_id=None,
            owner_id=transfer.started_by_id,
            due_at=timezone.make_aware(late_from),
            summary=(
                f"A child protection file transfer to {transfer.other_school} is not confirmed: receipt was due by "
                f"{clock.due_on:%d %B %Y}. Chase the receiving school's DSL."
            ),
            url=reverse("pupil_detail", args=[transfer.pupil_id]),
        )
