"""Settings shared by every environment; each value that differs between deployments comes from the environment."""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# Every list read here is a page or a few dozen rows: a server-side cursor (what .iterator() opens on PostgreSQL,
# as form choice fields do) would cost three round trips where one fetch serves.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# Each web and worker process keeps its database connection between requests, checked before reuse: a new
# PostgreSQL connection per request costs a backend process and a cold catalogue cache for every table a page reads.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Two database roles in production: migrations run as the owner of the tables (DATABASE_URL of the migrate step
# only), and web, worker and beat connect as this role, which owns nothing and may only add to the audit trail, so
# nothing the application runs can rewrite it or switch its triggers off. When it is set, `migrate` creates the
# role if it is missing (with this password, if given) and grants it exactly that (safeguard.db.app_role_grant).
# Empty, as in the demo: one role does everything.
SAFEGUARD_DB_APP_ROLE = env("SAFEGUARD_DB_APP_ROLE", default="")
SAFEGUARD_DB_APP_PASSWORD = env("SAFEGUARD_DB_APP_PASSWORD", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "guardian",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_filters",
    "safeguard",
    "incidents",
    "referrals",
    "records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages never ask for the camera, microphone or location: the browser refuses them to any script.
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "safeguard.middleware.IdleTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's pages hold case data: no browser, proxy or back button may keep a copy.
    "safeguard.middleware.NoStoreWhenSignedInMiddleware",
    # Every view needs a signed-in user unless it is marked login_not_required: protection by default.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "safeguard.middleware.TwoFactorRequiredMiddleware",
    "safeguard.middleware.CurrentSchoolMiddleware",
    # Every record a page shows is in the access log: written once the page is answered.
    "safeguard.middleware.AccessLogMiddleware",
    "axes.middleware.AxesMiddleware",
    # request.htmx: which search box asked (HX-Trigger-Name) when a pupil picker searches as someone types.
    "django_htmx.middleware.HtmxMiddleware",
    "safeguard.middleware.NotFoundPageMiddleware",
]

PERMISSIONS_POLICY = {"camera": [], "microphone": [], "geolocation": [], "payment": [], "usb": []}

ROOT_URLCONF = "safeguard.urls"
# Widgets render through TEMPLATES, so templates/django/forms/ can replace Django's slower select.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "safeguard.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safeguard.context_processors.navigation",
            ],
        },
    },
]

AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out account is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions are read from the cache and written through to the database, so a page costs no query for its
# session and a session outlives a cache restart. Every web process must share the cache (Redis in production):
# a process-local cache would keep a signed-out session alive in another process.
CACHES = {"default": env.cache_url("DJANGO_CACHE_URL", default="locmemcache://")}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Idle timeout: the session lives SAFEGUARD_IDLE_TIMEOUT_MINUTES past the last request, renewed (at most once a
# minute) by safeguard.middleware.IdleTimeoutMiddleware.
SESSION_COOKIE_AGE = env.int("SAFEGUARD_IDLE_TIMEOUT_MINUTES", default=30) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Two-factor sign-in for every role that sees case data (domain.md: DSL team, heads, trust leads, inspectors).
SAFEGUARD_TWO_FACTOR_REQUIRED = env.bool("SAFEGUARD_TWO_FACTOR_REQUIRED", default=True)
OTP_TOTP_ISSUER = "Safeguard"

# Guardian: no anonymous user, and object permissions live in direct-foreign-key tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# The admin never shows a two-factor device's secret key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sign-in lockout (safeguard/lockout.py): an account is paused at the address the failures came from, never
# everywhere, so nobody can keep a DSL out of their account by typing wrong passwords for it. A higher limit per
# address, over all accounts, stops password spraying; it is higher because a school's staff share one connection.
AXES_HANDLER = "safeguard.lockout.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("SAFEGUARD_LOCKOUT_FAILURES", default=5)
SAFEGUARD_LOCKOUT_ADDRESS_FAILURES = env.int("SAFEGUARD_LOCKOUT_ADDRESS_FAILURES", default=30)
AXES_COOLOFF_TIME = env.float("SAFEGUARD_LOCKOUT_HOURS", default=1.0)
AXES_RESET_ON_SUCCESS = True
# Tries during a pause are refused unchecked and not counted, so staff retrying behind a paused school connection do
# not keep it paused: it ends on time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "safeguard.lockout.lockout_response"
# Behind a reverse proxy every request arrives from the proxy: the client's address is read from the
# X-Forwarded-For entry the proxies added, never from what the client wrote there itself.
SAFEGUARD_PROXY_COUNT = env.int("SAFEGUARD_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "safeguard.lockout.client_address"

# Everything is served from static/: no CDN, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Case documents (records.documents): a folder outside the web root and static files, which no URL serves; each
# download goes through a view that checks the person may see the case. Never under STATIC_ROOT or static/.
SAFEGUARD_ATTACHMENTS_ROOT = env.path("SAFEGUARD_ATTACHMENTS_ROOT", default=BASE_DIR / "var" / "attachments")
# Retention (records, issue 9 §8): a pupil's child protection file is reviewed this many years after their birth,
# and the review queue shows the files whose review falls within the next SAFEGUARD_RETENTION_QUEUE_MONTHS.
SAFEGUARD_RETENTION_YEARS = env.int("SAFEGUARD_RETENTION_YEARS", default=25)
SAFEGUARD_RETENTION_QUEUE_MONTHS = env.int("SAFEGUARD_RETENTION_QUEUE_MONTHS", default=6)
SAFEGUARD_ATTACHMENT_MAX_MB = env.int("SAFEGUARD_ATTACHMENT_MAX_MB", default=20)
# PDF reports (records.report_models): kept like documents, outside the web root, served only by a checked view.
SAFEGUARD_REPORTS_ROOT = env.path("SAFEGUARD_REPORTS_ROOT", default=BASE_DIR / "var" / "reports")
# The protective marking printed on every page of every report (Government Security Classifications).
SAFEGUARD_REPORT_MARKING = env("SAFEGUARD_REPORT_MARKING", default="OFFICIAL-SENSITIVE")
# Inspector access (records.inspection_models): a grant lasts this many days unless the school chooses otherwise
# (never more than records.services.inspection.MAX_DAYS).
SAFEGUARD_INSPECTOR_ACCESS_DAYS = env.int("SAFEGUARD_INSPECTOR_ACCESS_DAYS", default=3)
# Reminders (records.reminders, issue 10 §5): a referral with no outcome this many working days after it was made is
# chased; a reminder still not dealt with this many working days after it fell due goes to the DSL and headteacher.
SAFEGUARD_REFERRAL_OUTCOME_DAYS = env.int("SAFEGUARD_REFERRAL_OUTCOME_DAYS", default=10)
SAFEGUARD_REMINDER_ESCALATE_DAYS = env.int("SAFEGUARD_REMINDER_ESCALATE_DAYS", default=2)

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="safeguard@localhost")

# Celery: without a broker URL, jobs run in-process (the embedded demo); with one, a worker runs them.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# A job is acknowledged when it is done, and a worker that dies mid-job gives it back (the jobs are idempotent).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process keeps what a large PDF made it allocate (WeasyPrint's layout, fonts and their subsets): Python
# rarely gives freed memory back to the system, so each child is replaced after this many tasks, which bounds a
# worker's memory however many reports it renders.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=50)
# Publishing happens after a page's transaction commits (safeguard/outbox.py): with Redis down it must fail within
# about a second, not retry, so that the page answers at once; the outbox tries again later.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Redis gives a message that a worker took but never acknowledged to another worker after this long. It must
    # exceed the longest job (the 300 s time limit) plus the wait of one prefetched message behind it (another
    # 300 s), or a slow job would run twice at once: 900 s leaves a margin. A dead worker's job restarts after it.
    "visibility_timeout": 900,
    "socket_connect_timeout": 1,
    # One attempt to connect when publishing, no retries with pauses between (the worker's own connection keeps
    # retrying under broker_connection_retry).
    "max_retries": 0,
    # Bounds a command to a Redis that hangs without closing the connection, so that a page still answers within
    # 2 s (the worker's blocking reads wait only for a socket that is ready, and have their own health check).
    "socket_timeout": 1,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "dispatch-outbox": {
        "task": "safeguard.tasks.outbox_dispatch",
        "schedule": 60.0,
    },
    # A report whose worker was killed mid-render is failed (with a Retry button), never left "rendering".
    "recover-reports": {
        "task": "records.tasks.reports_recover",
        "schedule": 300.0,
    },
    "end-expired-memberships": {
        "task": "safeguard.tasks.memberships_end_expired",
        "schedule": crontab(minute=5),
    },
    "send-reminders": {
        "task": "records.tasks.reminders_send",
        "schedule": crontab(minute="*/15"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    # WeasyPrint and the font subsetter it uses log every step of every PDF at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("weasyprint", "weasyprint.progress", "fontTools")},
}

# History is a record, never a way back: the admin offers no "revert".
SIMPLE_HISTORY_REVERT_DISABLED = True
AXES_VERBOSE = False
