from celery import shared_task

from . import services


# Queued through the outbox (safeguard/outbox.py), which retries it and runs it once.
@shared_task
def concern_reported_email(incident_id):
    """After a concern is submitted: email each alerted member of the DSL team once (safe to run twice)."""
    return services.concern_reported_email_send(incident_id=incident_id)
