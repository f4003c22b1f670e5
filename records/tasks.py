from celery import shared_task

from .services import inspection, viewing


# Queued through the outbox (safeguard/outbox.py), which retries it and runs it once.
@shared_task
def imagery_viewed_email(incident_id):
    """After a viewing of imagery is recorded: email the headteacher who was told, once (safe to run twice)."""
    return viewing.imagery_viewed_email_send(incident_id=incident_id)


@shared_task
def inspection_notice_email(grant_id, link_base):
    """After inspector access is given: email the inspector (inviting them if new), once (safe to run twice)."""
    return inspection.inspection_notice_send(grant_id=grant_id, link_base=link_base)
