"""The embedded demo: SQLite, in-process background jobs, email written to files in demo-mail/."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "demo-only-not-secret-" + "x" * 40)
os.environ.setdefault("DJANGO_DEBUG", "true")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
os.environ.setdefault("SAFEGUARD_TWO_FACTOR_REQUIRED", "false")

from .base import *  # noqa: E402, F403

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
STATIC_ROOT = None  # runserver serves static/ directly; nothing is collected for the demo
# One file of mail per sending: the demo's alerts can be read there without filling the console (gitignored).
EMAIL_FILE_PATH = BASE_DIR / "demo-mail"  # noqa: F405
