"""The transactional outbox: a background job is a row written in the same transaction as the change that needs it.

A service calls `enqueue(task_name, **kwargs)` in place of `task.delay(...)`. The row commits with the change (or
rolls back with it), and once the transaction commits, one quick attempt hands it to the broker. With the broker
down, that attempt fails within about a second, is logged, and the page still answers with success; the row waits
for the beat's dispatch (every minute) or a worker starting up, which hand over everything not yet done.

What "sent" means: `handed_over_at` is when the broker took the message, `done_at` when a worker finished the job.
The dispatcher hands over again what is not done: at once when the broker refused it, and after REDELIVER_AFTER
when the broker took it but no worker ever finished it (a broker that restarted without its data). A message that
is done is never run again. Until then a message may reach a worker twice (a worker that died mid-job, a copy
handed over again), so every job body must be idempotent: the concern email keeps a sent marker per person,
taken under a row lock, so two runs, even at once, email each person once.
"""

import datetime
import logging
from importlib import import_module

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from kombu.exceptions import OperationalError

from .celery import app
from .models import OutboxMessage

logger = logging.getLogger(__name__)

DELIVER_TASK = "safeguard.tasks.outbox_deliver"

# Longer than the broker's visibility timeout (15 minutes, after which Redis gives an unfinished message to another
# worker) plus a task's time limit: a message handed over and still not done after this was lost, not waiting.
REDELIVER_AFTER = datetime.timedelta(minutes=30)
BATCH = 100


def enqueue(task, **kwargs):
    """Write a job for the Celery task named `task` in the caller's transaction; hand it over once that commits.

    The row is kept, so `kwargs` hold ids and plain values only, never a secret (a sign-in or enrolment link) or
    case details: the task loads what it needs, and builds any link itself when it runs.
    """
    _task(task)  # a misspelt name fails here, inside the change's transaction, not later in a worker
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    # robust: whatever goes wrong in the hand-over is logged, and the page still says that the change was saved.
    transaction.on_commit(lambda: hand_over(message.pk), robust=True)
    return message


def hand_over(message_id):
    """Hand one message to the broker, unless it is done or another dispatcher holds it. Returns True if handed."""
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, done_at__isnull=True)
            .first()
        )
        return message is not None and _publish(message)


def dispatch_unsent():
    """Hand over every message that is due: never taken by the broker, or taken long ago and never done.

    Two dispatchers at once (the beat and a worker starting) each skip the rows the other has locked.
    Stops at the first refusal: the broker is down, and the next run will try again. Returns how many went.
    """
    due = Q(handed_over_at__isnull=True) | Q(handed_over_at__lt=timezone.now() - REDELIVER_AFTER)
    sent = 0
    with transaction.atomic():
        pending = OutboxMessage.objects.select_for_update(skip_locked=True).filter(due, done_at__isnull=True)
        for message in pending[:BATCH]:
            if not _publish(message):
                break
            sent += 1
    return sent


def _publish(message):
    message.attempts += 1
    try:
        _task(DELIVER_TASK).apply_async(args=[message.pk])
    except (OperationalError, OSError) as error:
        # The change itself is saved: say so in the log and leave the row for the next dispatch.
        logger.warning("Outbox: the broker did not take %s (%s); it will be sent later.", message, error)
        message.last_error = f"{type(error).__name__}: {error}"
        message.save(update_fields=["attempts", "last_error"])
        return False
    message.handed_over_at = timezone.now()
    message.save(update_fields=["attempts", "handed_over_at"])
    return True


def deliver(message_id):
    """Run the job of one message, unless it is done; then mark it done. Returns True if it ran now.

    The job runs outside any transaction of ours, so that what it finished stays finished if it fails half-way
    (the first of two emails stays marked sent); its own markers make a second run send no one a second email.
    """
    message = OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).first()
    if message is None:
        return False
    try:
        _task(message.task)(**message.kwargs)
    except Exception as error:
        # The reason stays on the row for whoever looks; the task's retries, then the dispatcher, try again.
        OutboxMessage.objects.filter(pk=message_id).update(last_error=f"{type(error).__name__}: {error}")
        raise
    OutboxMessage.objects.filter(pk=message_id).update(done_at=timezone.now(), last_error="")
    return True


def _task(name):
    if name not in app.tasks:
        # A task is named after its module, which registers it on import (a worker imports every app's tasks).
        import_module(name.rpartition(".")[0])
    return app.tasks[name]


def unsent():
    """Messages not done yet, oldest first: what an operator checks when email seems late."""
    return OutboxMessage.objects.filter(done_at__isnull=True)
