"""Settings shared by every deployment. Values come from the environment (12-factor).

Each deployment module (embedded, production, test) imports this one and sets only what differs.
`.env.example` lists every variable with a one-line explanation.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env("VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served from our static files (no CDN)
    "django_htmx",
    "axes",
    "crm",
    "callbacks",
    "reviews",
    "logistics",
    "retention",
    "letters",
    "reports",
]

MIDDLEWARE = [
    # First: every later layer (and the API's body limit) must see a chunked body with its length.
    "crm.middleware.ChunkedBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "crm.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crm.middleware.PageBodyLimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "crm.middleware.OneStoreMiddleware",
    "crm.middleware.DomainErrorPageMiddleware",
    # Last, as django-axes asks: answers a locked-out login with crm.lockout's page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reports.context_processors.manager_nav",
            ],
        },
    },
]

# SQLite under var/ is the embedded default; production and tests point DATABASE_URL at PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'crm.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the Celery worker write to one file: wait for the lock instead of failing,
    # and take the write lock at BEGIN so two writers never deadlock on a lock upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login brute-force protection (django-axes; docs/decisions/0015-login-lockout.md). The axes backend goes first:
# it refuses a locked-out user or address before any password is hashed, so a wrong-password loop costs a
# database read, not a PBKDF2 run. After AXES_FAILURE_LIMIT failures a username (from any address) and an
# address (for any username) are each locked for AXES_COOLOFF_MINUTES; every failure during the lock extends
# it. Failures are kept by axes (admin: Access attempts, Access failures); lockouts also go to the audit log.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "crm.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "crm.lockout.client_ip"
# How many reverse proxies in front of the app append to X-Forwarded-For (0: use the peer's address). The
# client address the lockout counts is the one the outermost trusted proxy saw.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Stored in UTC; every page converts to the store's own timezone explicitly (crm.timezones).
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
# Uploads (case evidence photos). Served only through views that check the user's stores, never directly.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and connections only from our
# own origin, no inline script or style, no plugins, no framing by other sites. Templates therefore carry no
# <script> bodies, on*="" handlers or style="" attributes: behaviour lives in static/js, looks in static/css
# (docs/decisions/0014-content-security-policy.md). data: images are Swagger UI's icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm.api.errors.exception_handler",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)
SPECTACULAR_SETTINGS = {
    "TITLE": "After-sales CRM API",
    "DESCRIPTION": "Orders, customers, delivery events and reviews pushed by order systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from drf-spectacular-sidecar's static files, so /api/docs works without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two answers share a field name with different choices (`result` of orders/reviews and of deliveries,
    # `status` of an order and of a follow-up): give each set its own name instead of a hashed one.
    "ENUM_NAME_OVERRIDES": {
        "UpsertResultEnum": ["created", "updated"],
        "DeliveryResultEnum": ["delivered", "already_delivered"],
        "OrderStatusEnum": "crm.models.Order.Status",
        "FollowUpStatusEnum": "callbacks.models.FollowUp.Status",
    },
    # /api/docs and /api/schema: anyone (API_DOCS_PUBLIC=true, the default outside production) or staff only.
    "SERVE_AUTHENTICATION": ["rest_framework.authentication.SessionAuthentication"],
    "SERVE_PERMISSIONS": ["crm.api.auth.ApiDocsAccess"],
}

# Celery. The embedded default is the filesystem transport: a broker that needs no server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # Kombu keeps its exchange table in ./control unless told otherwise.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
HEARTBEAT_INTERVAL_SECONDS = env.float("HEARTBEAT_INTERVAL_SECONDS", default=30.0)
# /healthz reports the worker down when its last heartbeat is older than this (three missed beats by default).
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env.float(
    "HEALTH_HEARTBEAT_MAX_AGE_SECONDS", default=3 * HEARTBEAT_INTERVAL_SECONDS + 10
)
# How often mid and bad reviews that arrived get their case opened (reviews.open_cases).
REVIEW_CASE_SWEEP_INTERVAL_SECONDS = env.float("REVIEW_CASE_SWEEP_INTERVAL_SECONDS", default=5.0)
# Processes that lay out a big letters batch (letters.printing); 0 means one per CPU core.
LETTERS_PDF_WORKERS = env.int("LETTERS_PDF_WORKERS", default=0)

# Telephony: a backend chosen like EMAIL_BACKEND. Console prints, in-memory keeps, Twilio sends.
TELEPHONY_BACKEND = env("TELEPHONY_BACKEND", default="callbacks.telephony.console.ConsoleBackend")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_FROM_NUMBER = env("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE_URL = env("TWILIO_API_BASE_URL", default="")
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=10.0)
# SMS dispatch (callbacks.services.dispatch): how often beat sweeps, how many rows a claim takes, how many
# sends run at once per worker, and after how long a row stuck in `sending` is looked up at the provider.
SMS_SWEEP_INTERVAL_SECONDS = env.float("SMS_SWEEP_INTERVAL_SECONDS", default=5.0)
SMS_BATCH_SIZE = env.int("SMS_BATCH_SIZE", default=100)
SMS_SEND_THREADS = env.int("SMS_SEND_THREADS", default=8)
SMS_RECONCILE_AFTER_SECONDS = env.float("SMS_RECONCILE_AFTER_SECONDS", default=60.0)
# Parcel tracking (logistics.tracking): a backend chosen like TELEPHONY_BACKEND. Console prints, in-memory keeps,
# Kuaidi100 subscribes each number at KUAIDI100_POLL_URL; its pushes are signed with KUAIDI100_SALT.
TRACKING_BACKEND = env("TRACKING_BACKEND", default="logistics.tracking.console.ConsoleBackend")
KUAIDI100_KEY = env("KUAIDI100_KEY", default="")
KUAIDI100_SALT = env("KUAIDI100_SALT", default="")
KUAIDI100_POLL_URL = env("KUAIDI100_POLL_URL", default="https://poll.kuaidi100.com/poll")
KUAIDI100_HTTP_TIMEOUT = env.float("KUAIDI100_HTTP_TIMEOUT", default=10.0)
# How often beat looks for delayed parcels and sends parcel notices (logistics.sweep).
LOGISTICS_SWEEP_INTERVAL_SECONDS = env.float("LOGISTICS_SWEEP_INTERVAL_SECONDS", default=60.0)
# Campaign test messages (retention): each user may send this many in any hour, to staff phones of the store only.
RETENTION_TEST_SENDS_PER_HOUR = env.int("RETENTION_TEST_SENDS_PER_HOUR", default=5)
# The address Twilio uses to reach our webhooks (status callbacks, TwiML).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback_below_500": {"()": "config.logging.NoTracebackBelow500"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["no_traceback_below_500"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Every line once: Django's own default config gives "django" a console handler of its own (with DEBUG),
        # and the line would propagate to ours too. Ours alone, through the root.
        "django": {"handlers": [], "level": env("LOG_LEVEL", default="INFO"), "propagate": True},
        # jieba (the review classifier's word splitter) gives its logger a stderr handler of its own at import:
        # that one alone, or each of its lines is written twice.
        "jieba": {"propagate": False},
        # The twilio client logs every request and response at INFO (phone numbers included): only problems.
        "twilio.http_client": {"level": "WARNING"},
        # django-axes tells every start and every failed login at INFO; failures are in its tables and lockouts
        # in the audit log, so the console gets only its warnings (a lockout).
        "axes": {"level": "WARNING"},
    },
}

# The order-system API (crm.api): per-token request rate, and the largest body a batch may have.
API_THROTTLE_RATE = env("API_THROTTLE_RATE", default="1200/min")
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=4 * 1024 * 1024)
# A page's whole request: the largest upload (a 10 MB evidence photo) with its form (crm.middleware).
PAGE_MAX_BODY_BYTES = env.int("PAGE_MAX_BODY_BYTES", default=12 * 1024 * 1024)
