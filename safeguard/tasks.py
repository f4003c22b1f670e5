from celery import shared_task

from . import enrolment, outbox, services


@shared_task(acks_late=True, max_retries=3, default_retry_delay=60)
def memberships_end_expired():
    """Hourly: end memberships whose last day has passed (requests already refuse them; this puts the end on record)."""
    return services.memberships_end_expired()


# The product's emails to one person, queued through the outbox (safeguard/outbox.py), which retries them and runs
# each once.
@shared_task
def invitation_email(membership_id, actor_id, link_base):
    """A new role, and for someone new the one-time link to choose a password."""
    services.invitation_email_send(membership_id=membership_id, actor_id=actor_id, link_base=link_base)


@shared_task
def enrolment_link_email(user_id, link_base):
    """The one-time link that lets a person link an authenticator app."""
    enrolment.enrolment_link_email_send(user_id=user_id, link_base=link_base)


# OSError covers SMTP failures: retried a few times, then left for the dispatcher with its error on the row.
@shared_task(acks_late=True, ignore_result=True, autoretry_for=(OSError,), max_retries=3, default_retry_delay=60)
def outbox_deliver(message_id):
    """Run one outbox message's job, once: a copy of a message already done does nothing."""
    return outbox.deliver(message_id)


# Expires before the next run: after the broker was down, a backlog of dispatches would only repeat each other.
@shared_task(ignore_result=True, expires=55)
def outbox_dispatch():
    """Every minute: hand the broker anything the outbox holds that was never taken, or taken and lost."""
    return outbox.dispatch_unsent()
