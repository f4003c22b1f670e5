from celery import shared_task
from kombu.exceptions import OperationalError as KombuOperationalError

from . import reminders
from .services import inspection, reports, viewing


# Queued through the outbox (safeguard/outbox.py), which retries it and runs it once.
@shared_task
def imagery_viewed_email(incident_id):
    """After a viewing of imagery is recorded: email the headteacher who was told, once (safe to run twice)."""
    return viewing.imagery_viewed_email_send(incident_id=incident_id)


# The outbox runs a job by calling it, outside Celery's retry machinery, so this job only hands the render to a task
# of its own, which retries a database or broker error with back-off. A render that never succeeds is failed by
# reports_recover, with a Retry button.
@shared_task
def report_render(report_id):
    """After a report is asked for (or retried): render it in its own task."""
    report_render_attempt.apply_async(args=[report_id])


@shared_task(
    acks_late=True,
    ignore_result=True,
    autoretry_for=(*reports.TRANSIENT, KombuOperationalError),
    retry_backoff=5,  # 5 s, 10 s, 20 s, 40 s, 80 s, with jitter
    retry_backoff_max=300,
    max_retries=5,
)
def report_render_attempt(report_id):
    """Render one report; a second run of a report already made does nothing (records.services.reports)."""
    reports.report_render(report_id=report_id)


@shared_task(ignore_result=True, expires=240)
def reports_recover():
    """Every five minutes: fail the reports a killed worker left rendering, or a lost job left queued."""
    return reports.reports_recover()
@shared_task
def inspection_notice_email(grant_id, link_base):
    """After inspector access is given: email the inspector (inviting them if new), once (safe to run twice)."""
    return inspection.inspection_notice_send(grant_id=grant_id, link_base=link_base)
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
