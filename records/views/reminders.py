"""A person's reminders in one place (issue 10 §5): read-only; the reminder job writes them."""

from django.shortcuts import render
from django.utils import timezone

from incidents.models import Incident
from safeguard.access import capability_required
from safeguard.audit import listed

from .. import reminder_selectors as selectors


@capability_required("see_reminders")
def reminder_list(request):
    """Open reminders first, longest late first, then those of things since done."""
    open_reminders = list(selectors.open_reminders_for_user(request.user, request.school))
    done = list(selectors.done_reminders_for_user(request.user, request.school))
    listed(request, Incident, sorted({r.incident_id for r in (*open_reminders, *done) if r.incident_id}))
    context = {"open_reminders": open_reminders, "done": done, "now": timezone.now()}
    return render(request, "records/reminders/list.html", context)
