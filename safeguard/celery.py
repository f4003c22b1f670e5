"""The Celery application: JSON only, bounded in time, acknowledged after the work is done."""

import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safeguard.settings.local")

app = Celery("safeguard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def _hand_over_unsent(**kwargs):
    # A worker starting (after the broker or the workers were down) sends what waited, without waiting for the beat.
    from .outbox import dispatch_unsent

    dispatch_unsent()
