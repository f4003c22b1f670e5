from celery import shared_task

from . import services


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def memberships_end_expired():
    """Hourly: end memberships whose last day has passed (requests already refuse them; this puts the end on record)."""
    return services.memberships_end_expired()
