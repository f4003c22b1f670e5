"""The app's production settings, plus the query counter, for the benchmark only.

Served by gunicorn with DATABASE_URL pointing at the bench database. Static files are collected into a
temporary BENCH_STATIC_ROOT, since whitenoise's manifest storage refuses to render a page without its manifest.
"""

import os

from safeguard.settings.production import *  # noqa: F403
from safeguard.settings.production import MIDDLEWARE

MIDDLEWARE = ["bench.counting.QueryCountMiddleware", *MIDDLEWARE]
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
