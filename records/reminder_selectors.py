"""Reads of a person's reminders, scoped through the cases they may still see."""

from django.db.models import Exists, OuterRef, Q, Subquery

from incidents.selectors import incident_list_for_user
from safeguard import policy
from safeguard.memberships import roles_in_school

from .reminder_models import Reminder, ReminderDone

OPEN_SHOWN = 100
DONE_SHOWN = 20


def reminders_for_user(user, school):
    """The user's reminders in `school` about cases they may see today, each with `done_at` (None while open).

    A role that has ended gives nothing; a case restricted since, or another school's, is left out as the case
    lists leave it out (incidents.selectors). A reminder tied to no case (a file transfer) is the school team's.
    """
    roles = roles_in_school(user, school)
    if not roles:
        return Reminder.objects.none()
    visible = Q(incident__in=incident_list_for_user(user, school).values("pk"))
    if policy.can(roles, "view_cases"):
        visible |= Q(incident__isnull=True)
    done = ReminderDone.objects.filter(event=OuterRef("event"))
    return (
        Reminder.objects.filter(visible, recipient=user, school=school)
        .annotate(is_open=~Exists(done), done_at=Subquery(done.values("done_at")[:1]))
        .select_related("incident")
    )


def open_reminders_for_user(user, school):
    """The user's open reminders, longest late first (at most OPEN_SHOWN)."""
    return reminders_for_user(user, school).filter(is_open=True).order_by("due_at", "pk")[:OPEN_SHOWN]


def done_reminders_for_user(user, school):
    """The user's reminders of things since done, the latest first (at most DONE_SHOWN)."""
    return reminders_for_user(user, school).filter(is_open=False).order_by("-done_at", "-pk")[:DONE_SHOWN]
