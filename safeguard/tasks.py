from celery import shared_task

from . import services


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def memberships_end_expired():
    """Hourly: remove access whose end date has passed (requests already refuse it; this tidies the grants)."""
    return services.memberships_end_expired()
