from celery import shared_task

from . import services


# OSError covers SMTP failures: retried a few times, and the sent marker stops a retry emailing anyone twice.
@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=3, default_retry_delay=60)
def concern_reported_email(incident_id):
    """After a concern is submitted: email each alerted member of the DSL team once (safe to run twice)."""
    return services.concern_reported_email_send(incident_id=incident_id)
