"""Tests: PostgreSQL and Redis when DATABASE_URL and CELERY_BROKER_URL are set, SQLite and eager jobs otherwise."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-not-secret-" + "x" * 40)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from .base import *  # noqa: E402, F403
from .base import DATABASES, STORAGES

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = ":memory:"
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "tests.postgresql"  # empties the test database past the TRUNCATE guard
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
SAFEGUARD_TWO_FACTOR_REQUIRED = True
AXES_FAILURE_LIMIT = 3
SAFEGUARD_LOCKOUT_ADDRESS_FAILURES = 8
STATIC_ROOT = None  # tests and the demo serve static files from the finders; nothing is collected
# Documents the tests attach go to the system's temporary folder, never into the working tree.
SAFEGUARD_ATTACHMENTS_ROOT = Path(tempfile.gettempdir()) / "safeguard-test-attachments"
