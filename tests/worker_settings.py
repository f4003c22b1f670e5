"""Settings for the worker the fault test starts and kills: Redis gives an unacknowledged job to another worker
after 2 seconds, checked every second, instead of 15 minutes (safeguard/settings/base.py says why 15)."""

from safeguard.settings.test import *  # noqa: F403
from safeguard.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": 2,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
