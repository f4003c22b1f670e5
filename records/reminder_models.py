"""Reminders (issue 10 §5): what the reminder job (records/reminders.py) told whom, and when each thing was done.

The job writes these, not a person, so they are append-only instead of audited (PostgreSQL refuses UPDATE, DELETE
and TRUNCATE, as for the access log and the outbox): a table never changed is its own history, and no history row
could truthfully name who made the change. So the email's sent marker and the moment a thing was done are rows of
their own, never a column set later.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from incidents.models import Incident
from safeguard.models import School


class ReminderStep(models.IntegerChoices):
    OWNER = 1, "To the person responsible"
    ESCALATED = 2, "Escalated to the DSL and headteacher"


class Reminder(models.Model):
    """One reminder of one late thing (an `event`, e.g. "referral:12:unacknowledged") to one person, at one step.

    The unique constraint is what makes a reminder go once, however often the job runs and even when two runs
    overlap: each run inserts what it found, and the database keeps the first of each.
    """

    event = models.CharField(max_length=120)
    rule = models.CharField(max_length=60)
    step = models.PositiveSmallIntegerField(choices=ReminderStep.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    summary = models.CharField(max_length=300)  # names no child: it goes into an email
    url = models.CharField(max_length=300)
    due_at = models.DateTimeField()  # when the thing fell due, for either step
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # The job run that wrote the row: that run alone queues its email.
    run = models.UUIDField(editable=False)

    class Meta:
        ordering = ["due_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "step", "recipient"], name="reminder_once_per_event_step_person")
        ]
        indexes = [
            # A person's Reminders page reads one range of this index.
            models.Index(fields=["recipient", "school", "due_at"], name="reminder_for_person"),
            models.Index(fields=["run"], name="reminder_run"),
        ]

    def __str__(self):
        return f"{self.get_step_display()}: {self.summary}"


class ReminderEmail(models.Model):
    """The email of a reminder, sent: at most one per reminder (the sent marker, see reminder_emails_send)."""

    reminder = models.OneToOneField(Reminder, on_delete=models.PROTECT, related_name="email")
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Emailed {timezone.localtime(self.sent_at):%d %B %Y %H:%M}"


class ReminderDone(models.Model):
    """The moment the job first found a reminded thing done (its rule no longer finds it late): the reminders of
    that event stop being open, and stay on record."""

    event = models.CharField(max_length=120, unique=True)
    done_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.event} done {timezone.localtime(self.done_at):%d %B %Y %H:%M}"
