"""Settings for the workers the fault tests start and kill. Redis gives an unacknowledged job to another worker
after the visibility timeout: 2 seconds here, checked every second, in place of 15 minutes (safeguard/settings/
base.py says why 15), unless the test asks for the usual one to show that something else gives the job back."""

import os

from safeguard.settings.test import *  # noqa: F403
from safeguard.settings.test import CELERY_BROKER_TRANSPORT_OPTIONS

if os.environ.get("TEST_USUAL_VISIBILITY_TIMEOUT") != "1":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "visibility_timeout": 2,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
