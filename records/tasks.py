from celery import shared_task

from . import reminders
from .services import viewing


# Queued through the outbox (safeguard/outbox.py), which retries it and runs it once.
@shared_task
def imagery_viewed_email(incident_id):
    """After a viewing of imagery is recorded: email the headteacher who was told, once (safe to run twice)."""
    return viewing.imagery_viewed_email_send(incident_id=incident_id)


# Every 15 minutes from the beat; expires before the next run, since a backlog of runs would only repeat each other.
@shared_task(acks_late=True, ignore_result=True, expires=14 * 60)
def reminders_send():
    """Remind whoever is due a reminder, once each (safe to run twice, or twice at once)."""
    return reminders.reminders_send()


# Queued through the outbox by reminders_send.
@shared_task
def reminder_emails(reminder_ids):
    """Email each of these reminders once (safe to run twice)."""
    return reminders.reminder_emails_send(reminder_ids=reminder_ids)
