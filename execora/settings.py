"""Execora settings: one module, driven by environment variables.

With no variables at all this runs on embedded defaults that need no server
(SQLite under var/, in-memory channel layer, filesystem Celery broker, local
files, console WhatsApp, local speech and intent providers). Each variable in
.env.example switches one backend to its production counterpart.
"""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from execora.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("EXECORA_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("DJANGO_DEBUG", default=True)

_INSECURE_DEV_KEY = "django-insecure-execora-embedded-demo-key-change-me"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _INSECURE_DEV_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "execora",
    "customers",
    "products",
    "ledger",
    "invoices",
    "reminders",
    "voice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "execora.urls"
ASGI_APPLICATION = "execora.asgi.application"
WSGI_APPLICATION = "execora.wsgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'execora.sqlite3'}")
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # The worker, beat and server share the file: wait for a lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Under ASGI every request runs its sync code in a thread of its own, so a
    # persistent (CONN_MAX_AGE) connection is never reused: each request would
    # open one. A per-process psycopg pool hands each request an open connection
    # instead (0 switches it off and CONN_MAX_AGE applies again). The size is a cap,
    # not a reservation: the pool opens what concurrent requests use (a request
    # waiting on a row lock still holds its connection) and closes idle ones.
    DATABASE_POOL_MAX_SIZE = env_int("DATABASE_POOL_MAX_SIZE", 40)
    DATABASE_POOL_MIN_SIZE = env_int("DATABASE_POOL_MIN_SIZE", 1)
    DATABASE_POOL_TIMEOUT = env_int("DATABASE_POOL_TIMEOUT", 10)
    if DATABASE_POOL_MAX_SIZE < 0:
        raise ImproperlyConfigured("DATABASE_POOL_MAX_SIZE must be 0 (no pool) or more")
    if DATABASE_POOL_MAX_SIZE and not 0 <= DATABASE_POOL_MIN_SIZE <= DATABASE_POOL_MAX_SIZE:
        raise ImproperlyConfigured(
            "DATABASE_POOL_MIN_SIZE must be between 0 and DATABASE_POOL_MAX_SIZE"
        )
    if DATABASE_POOL_TIMEOUT < 1:
        raise ImproperlyConfigured("DATABASE_POOL_TIMEOUT must be at least 1 second")
    if DATABASE_POOL_MAX_SIZE:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them; Django must not
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": DATABASE_POOL_MIN_SIZE,
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": DATABASE_POOL_TIMEOUT,  # seconds a request waits for a free connection
        }
        from execora.db_pool import register_fork_handler

        register_fork_handler()  # a forked child (Celery prefork) opens a pool of its own
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, Celery --------------------------------------
REDIS_URL = env_str("REDIS_URL")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("CHANNEL_PREFIX", "execora")},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "execora"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Without Redis the broker is kombu's filesystem transport: messages are files
# under var/celery, so a worker and beat started beside the server need nothing else.
CELERY_BROKER_DIR = VAR_DIR / "celery" / "broker"
CELERY_RESULTS_DIR = VAR_DIR / "celery" / "results"
if REDIS_URL:
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
    CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
else:
    CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
    CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", f"file://{CELERY_RESULTS_DIR}")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
# The database, not the broker, is the source of truth for scheduled work: a
# task is acknowledged only after it ran, and redelivered if its worker died.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600)
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = CELERY_VISIBILITY_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Kolkata"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic work; the database scheduler copies these entries into its tables at start.
CELERY_BEAT_SCHEDULE = {
    "purge-idempotency-records": {"task": "execora.idempotency_purge", "schedule": 3600.0},
}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# --- Files ------------------------------------------------------------------
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []

AWS_STORAGE_BUCKET_NAME = env_str("S3_BUCKET")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env_str("S3_REGION", "us-east-1")
    AWS_ACCESS_KEY_ID = env_str("S3_ACCESS_KEY_ID") or None
    AWS_SECRET_ACCESS_KEY = env_str("S3_SECRET_ACCESS_KEY") or None
    AWS_QUERYSTRING_EXPIRE = env_int("S3_URL_EXPIRY_SECONDS", 3600)
    AWS_DEFAULT_ACL = None
    AWS_S3_ADDRESSING_STYLE = "path"  # MinIO and most S3-compatible servers
    # Pre-signed links signed with SigV4, whose X-Amz-Expires every S3-compatible server checks.
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    _default_storage = {"BACKEND": "storages.backends.s3.S3Storage"}
else:
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Auth, i18n -------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("hi", "हिन्दी")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Kolkata"
USE_I18N = True
USE_TZ = True

# --- Security (secure by default whenever DEBUG is off) ------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Probes come over plain HTTP from the orchestrator, never through the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# --- Providers (the default path is fully local) --------------------------------
WHATSAPP_BACKEND = env_choice("WHATSAPP_BACKEND", ("console", "cloud"), "console")
STT_PROVIDER = env_choice("STT_PROVIDER", ("local", "deepgram", "none"), "local")
INTENT_PROVIDER = env_choice("INTENT_PROVIDER", ("local", "openai", "hybrid"), "local")
TTS_PROVIDER = env_choice("TTS_PROVIDER", ("local", "openai", "elevenlabs", "none"), "local")

# --- Demo -------------------------------------------------------------------
EXECORA_DEMO_PASSWORD = env_str("EXECORA_DEMO_PASSWORD", "execora-demo")

# --- Logging: JSON lines outside DEBUG, ids in `extra` ---------------------------
LOG_LEVEL = env_choice("LOG_LEVEL", ("debug", "info", "warning", "error"), "info").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain" if DEBUG else "json"}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- REST API v1 (execora.api) ---------------------------------------------------
INSTALLED_APPS += ["drf_spectacular_sidecar"]  # Swagger UI assets served locally, no CDN

# Every password check goes through the lockout (login page, admin, API token).
AUTHENTICATION_BACKENDS = ["execora.api.lockout.LockoutModelBackend"]
# How many proxies of ours append to X-Forwarded-For; 0 trusts only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Failed logins allowed per username, and per client address, in one window.
LOGIN_LOCKOUT_ATTEMPTS = env_int("LOGIN_LOCKOUT_ATTEMPTS", 5)
LOGIN_LOCKOUT_IP_ATTEMPTS = env_int("LOGIN_LOCKOUT_IP_ATTEMPTS", 20)
LOGIN_LOCKOUT_WINDOW_SECONDS = env_int("LOGIN_LOCKOUT_WINDOW_SECONDS", 900)
if min(LOGIN_LOCKOUT_ATTEMPTS, LOGIN_LOCKOUT_IP_ATTEMPTS, LOGIN_LOCKOUT_WINDOW_SECONDS) < 1:
    raise ImproperlyConfigured("LOGIN_LOCKOUT_* must be at least 1")

API_THROTTLE_USER = env_str("API_THROTTLE_USER", "120/min")
API_THROTTLE_ANON = env_str("API_THROTTLE_ANON", "30/min")
for _name, _rate in (
    ("API_THROTTLE_USER", API_THROTTLE_USER),
    ("API_THROTTLE_ANON", API_THROTTLE_ANON),
):
    # Empty switches a throttle off; anything else must be what DRF parses.
    _count, _, _period = _rate.partition("/")
    if _rate and not (
        _count.isdigit() and int(_count) > 0 and _period in {"s", "sec", "min", "hour", "day"}
    ):
        raise ImproperlyConfigured(f"{_name}={_rate!r}: use e.g. 120/min (s, min, hour, day)")

# Idempotency-Key records are kept at least a day, as CONTRACTS.md promises.
IDEMPOTENCY_TTL_HOURS = env_int("IDEMPOTENCY_TTL_HOURS", 24)
if IDEMPOTENCY_TTL_HOURS < 24:
    raise ImproperlyConfigured("IDEMPOTENCY_TTL_HOURS must be at least 24")
# A key still "in progress" after this long, and not locked by a live request, is taken over.
IDEMPOTENCY_STALE_SECONDS = 60

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes "no credentials" a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "execora.api.permissions.IsShopMember",
        "execora.api.permissions.OwnerOnly",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "execora.api.throttling.UserRateThrottle",
        "execora.api.throttling.AnonRateThrottle",
    ],
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "execora.api.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "execora.api.schema.ExecoraAutoSchema",
    "EXCEPTION_HANDLER": "execora.api.exceptions.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,  # money travels as "500.00", never a float
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Execora API",
    "DESCRIPTION": (
        "The books of one kirana shop: customers, products, invoices, payments, ledger.\n\n"
        "Authenticate with `POST /api/v1/auth/token/` and send `Authorization: Token <token>`. "
        "Every object belongs to the caller's shop; another shop's id is a 404. Money and "
        "quantities are decimal strings. Errors share one body: "
        '`{"detail": ..., "code": ..., "errors": {field: [...]}}`. POST invoices, payments '
        "and commands honour an `Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "ENUM_NAME_OVERRIDES": {
        "MembershipRoleEnum": "execora.models.Membership.Role",
        "InvoiceStatusEnum": "invoices.models.InvoiceStatus",
        "PaymentModeEnum": "ledger.models.PaymentMode",
        # The command statuses, shared by commands and voice/commands answers.
        "CommandStatusEnum": "voice.serializers.STATUSES",
        "WhatsAppMessageStatusEnum": "reminders.models.WhatsAppMessage.Status",
    },
}

# --- Documents (invoice and statement PDFs, docs/documents.md) -------------------------
# How long a pre-signed S3 link to a PDF works (the API's ?link=true and WhatsApp by link).
DOCUMENT_LINK_EXPIRY_SECONDS = env_int("S3_URL_EXPIRY_SECONDS", 3600)
# How WhatsApp gets a PDF: "link" (WhatsApp downloads a pre-signed URL), "upload" (POST
# /media first), "auto": link on S3, upload for local files (which have no public URL).
WHATSAPP_DOCUMENT_DELIVERY = env_choice(
    "WHATSAPP_DOCUMENT_DELIVERY", ("auto", "link", "upload"), "auto"
)

# --- WhatsApp / reminders ---------------------------------------------------------
# WHATSAPP_BACKEND (above) picks console or cloud; these configure the Cloud API.
WHATSAPP_API_BASE_URL = env_str("WHATSAPP_API_BASE_URL", "https://graph.facebook.com")
WHATSAPP_API_VERSION = env_str("WHATSAPP_API_VERSION", "v21.0")
WHATSAPP_PHONE_NUMBER_ID = env_str("WHATSAPP_PHONE_NUMBER_ID")
WHATSAPP_ACCESS_TOKEN = env_str("WHATSAPP_ACCESS_TOKEN")
# Signs the webhook's POSTs (X-Hub-Signature-256); without it every POST is refused.
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET")
# Echoed back by Meta in the webhook's GET handshake; without it the handshake is refused.
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN")
# The approved template for business-initiated reminders; body parameters
# {{1}} customer name, {{2}} shop name, {{3}} amount due, {{4}} UPI id.
WHATSAPP_TEMPLATE_NAME = env_str("WHATSAPP_TEMPLATE_NAME", "payment_reminder")
WHATSAPP_TEMPLATE_LANGUAGE = env_str("WHATSAPP_TEMPLATE_LANGUAGE", "en")
WHATSAPP_HTTP_TIMEOUT_SECONDS = env_int("WHATSAPP_HTTP_TIMEOUT_SECONDS", 15)
# The business number's throughput (Cloud API default 80/s) and the per-person gap
# (about one message per 6 s to the same user, else 131056).
WHATSAPP_MESSAGES_PER_SECOND = env_int("WHATSAPP_MESSAGES_PER_SECOND", 80)
WHATSAPP_RECIPIENT_INTERVAL_SECONDS = env_int("WHATSAPP_RECIPIENT_INTERVAL_SECONDS", 6)
if WHATSAPP_BACKEND == "cloud":
    _missing = [
        name
        for name in ("WHATSAPP_PHONE_NUMBER_ID", "WHATSAPP_ACCESS_TOKEN", "WHATSAPP_APP_SECRET")
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured(f"WHATSAPP_BACKEND=cloud needs {', '.join(_missing)}")
if WHATSAPP_MESSAGES_PER_SECOND < 1 or WHATSAPP_HTTP_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured(
        "WHATSAPP_MESSAGES_PER_SECOND and _HTTP_TIMEOUT_SECONDS must be >= 1"
    )

# Shop time when reminders may go (a shop's own hours in the admin override it).
REMINDER_SEND_WINDOW = env_str("REMINDER_SEND_WINDOW", "09:00-20:00")


def _parse_window(value: str) -> tuple[str, str]:
    """Parse "09:00-20:00" into ("09:00", "20:00") ("24:00" ends at midnight); else stop."""
    start, _, end = value.partition("-")
    for is_end, part in ((False, start), (True, end)):
        hours, _, minutes = part.partition(":")
        valid = (
            len(hours) == len(minutes) == 2
            and hours.isdigit()
            and minutes.isdigit()
            and int(minutes) < 60
            and (int(hours) < 24 or (is_end and part == "24:00"))
        )
        if not valid:
            raise ImproperlyConfigured(f"REMINDER_SEND_WINDOW={value!r}: use HH:MM-HH:MM")
    if start >= end:
        raise ImproperlyConfigured(f"REMINDER_SEND_WINDOW={value!r}: the start must come first")
    return start, end


REMINDER_SEND_FROM, REMINDER_SEND_UNTIL = _parse_window(REMINDER_SEND_WINDOW)

# How often beat runs the dispatcher, and how many reminders may be claimed or sending at once.
REMINDER_DISPATCH_INTERVAL_SECONDS = env_int("REMINDER_DISPATCH_INTERVAL_SECONDS", 5)
REMINDER_MAX_IN_FLIGHT = env_int("REMINDER_MAX_IN_FLIGHT", 500)
# A claimed or sending reminder whose worker has not finished within this is taken back.
REMINDER_LEASE_SECONDS = env_int("REMINDER_LEASE_SECONDS", 120)
# HTTP requests per reminder before it is failed; retries back off exponentially with jitter.
REMINDER_MAX_ATTEMPTS = env_int("REMINDER_MAX_ATTEMPTS", 6)
REMINDER_RETRY_BASE_SECONDS = env_int("REMINDER_RETRY_BASE_SECONDS", 30)
REMINDER_RETRY_MAX_SECONDS = env_int("REMINDER_RETRY_MAX_SECONDS", 3600)
# A send whose outcome is unknown (timeout, 5xx) is resent only if no status webhook
# settled it within this many seconds: the one window where a duplicate is possible.
REMINDER_UNKNOWN_RESEND_SECONDS = env_int("REMINDER_UNKNOWN_RESEND_SECONDS", 900)
# The Celery queue of the dispatcher and send tasks ("celery" is every worker's default).
REMINDERS_QUEUE = env_str("REMINDERS_QUEUE", "celery")
if min(REMINDER_DISPATCH_INTERVAL_SECONDS, REMINDER_MAX_IN_FLIGHT, REMINDER_MAX_ATTEMPTS) < 1:
    raise ImproperlyConfigured(
        "REMINDER_DISPATCH_INTERVAL_SECONDS, _MAX_IN_FLIGHT, _MAX_ATTEMPTS >= 1"
    )
# The lease must outlast a whole send: the pacing wait for a full batch plus the HTTP timeout.
_SEND_BUDGET = REMINDER_MAX_IN_FLIGHT / WHATSAPP_MESSAGES_PER_SECOND + WHATSAPP_HTTP_TIMEOUT_SECONDS
if REMINDER_LEASE_SECONDS <= _SEND_BUDGET:
    raise ImproperlyConfigured(
        f"REMINDER_LEASE_SECONDS={REMINDER_LEASE_SECONDS} must exceed "
        f"REMINDER_MAX_IN_FLIGHT / WHATSAPP_MESSAGES_PER_SECOND + WHATSAPP_HTTP_TIMEOUT_SECONDS "
        f"({_SEND_BUDGET:g})"
    )
# Celery's Django fix-up closes the database connection before and after every task
# unless this is set: a new PostgreSQL connection per task (~20 ms here, more than the
# rest of a reminder's send). Reuse it; execora.celery still drops one that is older than
# CONN_MAX_AGE or broken before each task, as Django does for each request.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
# httpx logs every request at INFO: one line per message sent is noise at 80 messages/s.
LOGGING["loggers"]["httpx"] = {"level": "WARNING"}
CELERY_BEAT_SCHEDULE["reminders-dispatch"] = {
    "task": "reminders.dispatch",
    "schedule": float(REMINDER_DISPATCH_INTERVAL_SECONDS),
    # A tick no worker ran in time is dropped (the next does the same work), so a
    # stopped worker does not come back to a pile of them. DatabaseScheduler's option name.
    "options": {"queue": REMINDERS_QUEUE, "expire_seconds": REMINDER_DISPATCH_INTERVAL_SECONDS * 3},
}

# --- Command engine / OpenAI ------------------------------------------------------
# INTENT_PROVIDER (above) picks local, openai or hybrid; these configure the LLM.
# Any OpenAI-compatible chat completions server works (a local llama.cpp or vLLM):
# point OPENAI_BASE_URL at it and give any non-empty key it accepts.
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL", "https://api.openai.com/v1")
OPENAI_MODEL = env_str("OPENAI_MODEL", "gpt-4o-mini")


def _env_fraction(name: str, default: str, *, low: float, high: float) -> float:
    raw = env_str(name, default)
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from None
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name}={raw!r}: must be between {low:g} and {high:g}")
    return value


# A spoken command waits on this; past it the local parse is used (hybrid) or the
# command is refused (openai). Seconds, fractions allowed.
OPENAI_TIMEOUT_SECONDS = _env_fraction("OPENAI_TIMEOUT_SECONDS", "4", low=0.1, high=120)
# Below this confidence hybrid asks the LLM, and a write asks the user "haan ya nahi?".
INTENT_CONFIDENCE_THRESHOLD = _env_fraction("INTENT_CONFIDENCE_THRESHOLD", "0.7", low=0, high=1)
# How long a question to the user ("haan ya nahi?") stays open.
COMMAND_CONFIRM_TIMEOUT_SECONDS = env_int("COMMAND_CONFIRM_TIMEOUT_SECONDS", 120)
if COMMAND_CONFIRM_TIMEOUT_SECONDS < 1:
    raise ImproperlyConfigured("COMMAND_CONFIRM_TIMEOUT_SECONDS must be at least 1")
if INTENT_PROVIDER == "openai" and not OPENAI_API_KEY:
    raise ImproperlyConfigured("INTENT_PROVIDER=openai needs OPENAI_API_KEY")
# Replies come from templates; `openai` lets the LLM phrase them more naturally, kept
# only when every figure and name survives (voice/engine/phrasing.py).
REPLY_PROVIDER = env_choice("REPLY_PROVIDER", ("template", "openai"), "template")
REPLY_TIMEOUT_SECONDS = _env_fraction("REPLY_TIMEOUT_SECONDS", "1.5", low=0.1, high=30)
if REPLY_PROVIDER == "openai" and not OPENAI_API_KEY:
    raise ImproperlyConfigured("REPLY_PROVIDER=openai needs OPENAI_API_KEY")
# Conversations untouched this long are deleted (their questions expired long ago).
CELERY_BEAT_SCHEDULE["voice-conversations-purge"] = {
    "task": "voice.conversations_purge",
    "schedule": 3600.0,
}

# --- Voice: /ws/voice/, speech providers, recordings --------------------------------
# STT_PROVIDER and TTS_PROVIDER (above) pick the providers; these configure them.
DEEPGRAM_API_KEY = env_str("DEEPGRAM_API_KEY")
# The live-streaming host (wss://); a self-hosted Deepgram or a stand-in replaces it.
DEEPGRAM_BASE_URL = env_str("DEEPGRAM_BASE_URL", "wss://api.deepgram.com")
DEEPGRAM_MODEL = env_str("DEEPGRAM_MODEL", "nova-3")
# Milliseconds of silence after which Deepgram marks speech_final (hands-free end of utterance).
DEEPGRAM_ENDPOINTING_MS = env_int("DEEPGRAM_ENDPOINTING_MS", 300)
if STT_PROVIDER == "deepgram" and not DEEPGRAM_API_KEY:
    raise ImproperlyConfigured("STT_PROVIDER=deepgram needs DEEPGRAM_API_KEY")
# OpenAI text-to-speech (POST {OPENAI_BASE_URL}/audio/speech) reuses OPENAI_API_KEY/BASE_URL.
OPENAI_TTS_MODEL = env_str("OPENAI_TTS_MODEL", "gpt-4o-mini-tts")
OPENAI_TTS_VOICE = env_str("OPENAI_TTS_VOICE", "alloy")
ELEVENLABS_API_KEY = env_str("ELEVENLABS_API_KEY")
ELEVENLABS_BASE_URL = env_str("ELEVENLABS_BASE_URL", "https://api.elevenlabs.io")
ELEVENLABS_VOICE_ID = env_str("ELEVENLABS_VOICE_ID", "21m00Tcm4TlvDq8ikWAM")
ELEVENLABS_MODEL = env_str("ELEVENLABS_MODEL", "eleven_multilingual_v2")
TTS_TIMEOUT_SECONDS = _env_fraction("TTS_TIMEOUT_SECONDS", "10", low=0.1, high=120)
if TTS_PROVIDER == "openai" and not OPENAI_API_KEY:
    raise ImproperlyConfigured("TTS_PROVIDER=openai needs OPENAI_API_KEY")
if TTS_PROVIDER == "elevenlabs" and not ELEVENLABS_API_KEY:
    raise ImproperlyConfigured("TTS_PROVIDER=elevenlabs needs ELEVENLABS_API_KEY")
# Limits of one WebSocket connection; each breach is answered with an `error` frame.
VOICE_MAX_FRAME_BYTES = env_int("VOICE_MAX_FRAME_BYTES", 64 * 1024)
VOICE_MAX_UTTERANCE_SECONDS = env_int("VOICE_MAX_UTTERANCE_SECONDS", 30)
VOICE_MESSAGES_PER_SECOND = env_int("VOICE_MESSAGES_PER_SECOND", 10)
# Audio frames are counted apart: a browser sends 20 ms chunks, 50 a second.
VOICE_AUDIO_FRAMES_PER_SECOND = env_int("VOICE_AUDIO_FRAMES_PER_SECOND", 200)
VOICE_MAX_SESSIONS_PER_USER = env_int("VOICE_MAX_SESSIONS_PER_USER", 5)
# Hands-free acts only on speech that opens with "Suno Execora"/"Hey Execora", follows
# it within VOICE_WAKE_WINDOW_SECONDS, or answers a question it asked. 0 = every utterance.
VOICE_WAKE_PHRASE_REQUIRED = env_bool("VOICE_WAKE_PHRASE_REQUIRED", True)
VOICE_WAKE_WINDOW_SECONDS = env_int("VOICE_WAKE_WINDOW_SECONDS", 8)
# Hands-free audio with nothing recognised for this long is dropped (a quiet shop).
VOICE_HANDS_FREE_IDLE_SECONDS = env_int("VOICE_HANDS_FREE_IDLE_SECONDS", 8)
# What daphne itself accepts before the consumer sees a frame (bigger ones close the socket).
VOICE_WS_MAX_MESSAGE_BYTES = env_int("VOICE_WS_MAX_MESSAGE_BYTES", 16 * 1024 * 1024)
# POST /api/v1/voice/commands: the largest upload and the longest audio accepted.
VOICE_UPLOAD_MAX_BYTES = env_int("VOICE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024)
VOICE_UPLOAD_MAX_SECONDS = env_int("VOICE_UPLOAD_MAX_SECONDS", 30)
# Recorded command audio is deleted after this many days (the transcript row stays);
# the rows themselves after VOICE_SESSION_RETENTION_DAYS. 0 keeps no audio at all.
VOICE_AUDIO_RETENTION_DAYS = env_int("VOICE_AUDIO_RETENTION_DAYS", 30)
VOICE_SESSION_RETENTION_DAYS = env_int("VOICE_SESSION_RETENTION_DAYS", 365)
if (
    min(
        VOICE_MAX_FRAME_BYTES,
        VOICE_MAX_UTTERANCE_SECONDS,
        VOICE_MESSAGES_PER_SECOND,
        VOICE_AUDIO_FRAMES_PER_SECOND,
        VOICE_MAX_SESSIONS_PER_USER,
        VOICE_UPLOAD_MAX_BYTES,
        VOICE_UPLOAD_MAX_SECONDS,
        VOICE_WAKE_WINDOW_SECONDS,
        VOICE_HANDS_FREE_IDLE_SECONDS,
    )
    < 1
    or min(VOICE_AUDIO_RETENTION_DAYS, VOICE_SESSION_RETENTION_DAYS) < 0
):
    raise ImproperlyConfigured("VOICE_* limits must be at least 1 (retention days at least 0)")
CELERY_BEAT_SCHEDULE["voice-audio-purge"] = {"task": "voice.audio_purge", "schedule": 3600.0}
