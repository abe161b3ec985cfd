"""Settings for meritflow, read from environment variables only.

With nothing set, the project runs in development mode on SQLite with the in-memory channel layer and the
console e-mail back-end. ``MERITFLOW_MODE=production`` turns on the production defaults and refuses to start
without ``SECRET_KEY``. The variables are listed in ``docs/deployment.md``.
"""

import datetime
import ipaddress
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from config.storage import media_storage

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

MODE = env.str("MERITFLOW_MODE", default="development")
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured("MERITFLOW_MODE must be 'development' or 'production'.")
PRODUCTION = MODE == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("Production mode needs SECRET_KEY (at least 50 random characters).")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-key-never-used-in-production-0123456789")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production mode needs ALLOWED_HOSTS (the host names the site answers to).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    # Before django.contrib.admin, so the account pages (password change...) use viewflow's templates.
    "viewflow",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "treebeard",
    "channels",
    "django_tasks_db",
    "viewflow.workflow",
    "web",
    "org_hierarchy",
    "audit",
    "notifications",
    "nominations",
    "documents",
    "workflows",
    "reports",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    # First, so that every log line written while serving the request carries its id.
    "config.logs.RequestIdMiddleware",
    # GETs of the heavy read-only pages read from the replica when there is one; early, so that nothing of an
    # earlier request's choice survives into this one's session and user reads.
    "config.routers.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header of every response (SECURE_CSP below), with a fresh nonce per request.
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user verified once they typed a second-factor code in this session.
    "django_otp.middleware.OTPMiddleware",
    # Nothing is visible without logging in, except views marked login_not_required (the login page...).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Instead of LocaleMiddleware: the account's language, else the switch's cookie, else Vietnamese.
    "config.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before the auditors' guard, so that an auditor who has not typed their code yet is sent to do it first.
    "config.two_factor.TwoFactorRequiredMiddleware",
    # Auditors read and never write: any state-changing request from someone holding only auditor seats is a 403.
    "audit.middleware.AuditorReadOnlyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTH_USER_MODEL = "org_hierarchy.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"

# Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords in a row for one account, or from one
# client address, further attempts are refused for LOGIN_LOCKOUT_MINUTES or until an administrator unlocks them
# (Administration → Sign-in lockouts). A successful sign-in clears the count. Behind a reverse proxy, the address
# is the proxy's X-Forwarded-For when LOGIN_CLIENT_IP_HEADER says so (see docs/deployment.md).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Our administration unlocks (with a ledger entry); axes' own pages would delete attempts unrecorded.
AXES_ENABLE_ADMIN = False
# Successful sign-ins are not logged a second time: the sessions and the ledger say enough.
AXES_DISABLE_ACCESS_LOG = True
if _client_ip_header := env.str("LOGIN_CLIENT_IP_HEADER", default=""):
    AXES_IPWARE_META_PRECEDENCE_ORDER = (_client_ip_header, "REMOTE_ADDR")
LOGIN_REDIRECT_URL = "/"

# Two-factor authentication (django-otp): whoever holds one of these roles (or is a superuser) must enrol an
# authenticator app and type its code, or a recovery code, after signing in. On by default in production for the
# roles that sign, vote, appraise, administer and audit; off in development (the demo and the tests).
# An empty MFA_REQUIRED_ROLES= turns the requirement off.
MFA_REQUIRED_ROLES = [
    role
    for role in env.list(
        "MFA_REQUIRED_ROLES", default=["approver", "secretary", "appraiser", "admin", "auditor"] if PRODUCTION else []
    )
    if role
]
MFA_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = "meritflow"
LOGOUT_REDIRECT_URL = "login"
# How long a password link (an invitation of an imported account, a password reset) stays valid, in days.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_LINK_DAYS", default=3) * 24 * 3600

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.shell",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The PostgreSQL role the application runs as when DATABASE_URL's role is not the tables' owner: ``migrate``, run
# with the owner's URL, grants it what it needs and no more (audit.roles, docs/deployment.md "Database roles").
DATABASE_RUNTIME_ROLE = env.str("DATABASE_RUNTIME_ROLE", default="")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Under ASGI every request runs its database work in a fresh thread, so persistent connections would pile up
    # (one per thread) until the server's limit; reuse connections through a pooler such as PgBouncer instead.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # SQLite serialises writers. A transaction that starts as a reader and then writes cannot wait for another
    # writer (SQLite answers "database is locked" at once), so every transaction takes the write lock when it
    # begins, and waits up to the busy timeout for it: two people confirming one step then queue up, and the
    # second is told the step is done, as on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
# A PostgreSQL streaming replica for the heavy read-only pages (config/routers.py); tests use the primary.
_replica_url = env.str("DATABASE_REPLICA_URL", default="")
if _replica_url:
    DATABASES["replica"] = {
        **env.db_url_config(_replica_url),
        "CONN_MAX_AGE": DATABASES["default"].get("CONN_MAX_AGE", 0),
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["config.routers.ReplicaRouter"]
# The pages whose GETs read from the replica: statistics, exports, the auditor's search (URL names).
REPLICA_READ_VIEWS = frozenset(
    {
        "audit:ledger",
        "audit:export",
        "reports:statistics",
        "reports:statistics_export",
        "reports:nominees",
    }
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The covering indexes' INCLUDE columns serve PostgreSQL, production's database; SQLite (development, the tests)
# builds them on their key columns alone, which is all that W040 says.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [REDIS_URL]}},
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format in both languages: dd/mm/yyyy, 24-hour time (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Uploaded files on the local disk (MEDIA_ROOT), or in an S3-compatible object store (see config/storage.py).
STORAGES = {
    "default": media_storage(env.str("MEDIA_STORAGE_URL", default="")),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# With the nginx site of deploy/, files on the local disk are sent by nginx: the view answers with this internal
# location + the file's name in X-Accel-Redirect (e.g. /protected-media/) after checking the reader's scope.
MEDIA_ACCEL_REDIRECT = env.str("MEDIA_ACCEL_REDIRECT", default="")
MERITFLOW_MAX_UPLOAD_MB = env.int("MERITFLOW_MAX_UPLOAD_MB", default=20)
# The council-vote page posts three fields per nominee and the sign page two: a list of 20,000 (the import's
# limit) must still reach the form, so Django's default of 1,000 fields would refuse a 334-nominee vote.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 3 * 20_000 + 100

# One URL (smtp+tls://user:password@host:587, smtp+ssl://..., consolemail://, filemail:////abs/dir) becomes Django's
# MAILERS; the EMAIL_HOST-style settings are deprecated since Django 6.1.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_mailer_options = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_FILE_PATH": "file_path",
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {
            option: _email[key] for key, option in _mailer_options.items() if _email.get(key) not in (None, "")
        },
    }
}
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"]["timeout"] = env.int("EMAIL_TIMEOUT", default=30)
# Background work goes through Django's tasks framework: the e-mail outbox on the "default" queue, the decisions'
# documents on the "documents" queue, the webhooks' deliveries on the "webhooks" queue (each has its worker, so a
# long rendering or a slow receiver never holds e-mail back).
# "database" stores each task in PostgreSQL for the `manage.py db_worker` processes; "immediate" runs it at once
# in the process that asked (development: nothing else to start).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database" if PRODUCTION else "immediate")
_task_backends = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
if TASKS_BACKEND not in _task_backends:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' or 'immediate'.")
TASKS = {"default": {"BACKEND": _task_backends[TASKS_BACKEND], "QUEUES": ["default", "documents", "webhooks"]}}

DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="meritflow@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Absolute links in e-mails (notifications, digests) and the demo's login address start with this address;
# ``make run`` sets it to the address it serves.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Signed checkpoints of the audit ledger (audit.anchoring, docs/deployment.md). The private key is read only by
# ``manage.py audit_checkpoint``; verification needs the public key(s) and read access to the checkpoints.
AUDIT_CHECKPOINT_KEY = env.str("AUDIT_CHECKPOINT_KEY", default="")
AUDIT_CHECKPOINT_PUBLIC_KEYS = env.list("AUDIT_CHECKPOINT_PUBLIC_KEY", default=[])
AUDIT_CHECKPOINT_DIR = env.path("AUDIT_CHECKPOINT_DIR", default=BASE_DIR / "var" / "checkpoints")
AUDIT_CHECKPOINT_STORAGE = env.str("AUDIT_CHECKPOINT_STORAGE", default="")
AUDIT_CHECKPOINT_MAX_AGE = datetime.timedelta(hours=env.float("AUDIT_CHECKPOINT_MAX_AGE_HOURS", default=3))
AUDIT_CHECKPOINT_EMAIL = env.list("AUDIT_CHECKPOINT_EMAIL", default=[])
# What sends the checkpoint's copies: the outbox's service (audit and notifications are sibling layers that do not
# import each other, so the settings connect them).
AUDIT_CHECKPOINT_MAILER = "notifications.services.emails_send"

# The decision and its certificates (documents/). A signer may date a decision up to this many days ahead of the
# day it is signed (a ceremony set for a date), never before the dossier reached the deciding stage.
MERITFLOW_DECISION_DATE_MARGIN_DAYS = env.int("MERITFLOW_DECISION_DATE_MARGIN_DAYS", default=7)
# How the documents are written (Decree 30/2020 Art 13 and Annex I). An issuer whose name starts with a collegial
# body signs "TM." (on behalf of) that body, with its head's and deputy's titles when the signer's account has no
# position; a signer whose position starts with the acting prefix signs "Q." (acting); a deputy with a delegation
# signs "KT." (for) the head. The place line is the issuer's name without the body and the division type, unless
# ``places`` names it. Certificates are printed on ``certificate_page`` (a CSS page size).
MERITFLOW_DOCUMENTS = {
    "collegial_bodies": {"Ủy ban nhân dân": {"head": "Chủ tịch", "deputy": "Phó Chủ tịch"}},
    "name_prefixes": ["Ủy ban nhân dân", "Công an"],
    "default_titles": {"head": "Thủ trưởng", "deputy": "Cấp phó"},
    "acting_prefix": "Quyền",
    "places": {"Bộ Công an": "Hà Nội", "Chính phủ": "Hà Nội"},
    "certificate_page": env.str("MERITFLOW_CERTIFICATE_PAGE", default="A4 landscape"),
    # A decision's printing set is rendered this many certificates at a time and joined: the worker's memory
    # follows the batch, not the decision's size.
    "certificate_batch": env.int("MERITFLOW_CERTIFICATE_BATCH", default=50),
}
# The public verification page: at most this many lookups per client address per minute.
MERITFLOW_VERIFY_PER_MINUTE = env.int("MERITFLOW_VERIFY_PER_MINUTE", default=20)

# The REST API (api/, docs/api/README.md): service-account tokens or the browser's session, problem details
# (RFC 9457) for every error, and a throttle per token (per user for sessions, per address without either).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.ApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_RATE_PER_TOKEN", default="600/minute"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "EXCEPTION_HANDLER": "api.problems.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "meritflow API",
    "DESCRIPTION": "Commendation dossiers, steps, decisions and certificates for integrating systems (LGSP/NGSP).",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_problem_responses",
    ],
}
# A token is valid for at most this many days (an administrator chooses less when issuing it).
API_TOKEN_MAX_DAYS = env.int("API_TOKEN_MAX_DAYS", default=365)
# Outgoing webhooks (api.webhooks, docs/api/README.md): each POST waits at most WEBHOOK_TIMEOUT seconds; a failed
# one is tried again after WEBHOOK_RETRY_BASE_SECONDS, doubled at each attempt, and given up after
# WEBHOOK_MAX_ATTEMPTS (8 attempts over about two hours by default). Subscriptions need https; plain http to the
# loopback address is accepted where WEBHOOK_ALLOW_HTTP_LOOPBACK is on (development and tests, off in production).
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=60)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_ALLOW_HTTP_LOOPBACK = env.bool("WEBHOOK_ALLOW_HTTP_LOOPBACK", default=not PRODUCTION)
# Receivers in private or reserved networks are refused (the server must not be made to probe its own network),
# except in these networks (CIDR, comma-separated), e.g. the provincial integration platform's internal range.
WEBHOOK_ALLOWED_NETWORKS = [
    str(ipaddress.ip_network(network, strict=False)) for network in env.list("WEBHOOK_ALLOWED_NETWORKS", default=[])
]

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

VIEWFLOW = {"AUTOREGISTER": True}

SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy, enforced on every response: scripts, styles, fonts and images come from this site
# only; no inline script, no inline event handler (onclick=...), no style="..." attribute and no <style> element
# but the one that carries the request's nonce (Turbo's progress bar, which reads it from <meta name="csp-nonce">).
# Pages may not be framed, forms post only here, and nothing is embedded as a plugin. The pages' own scripts and
# styles are static files (static/, <app>/static/); see docs/architecture.md "Content-Security-Policy".
SECURE_CSP = {
    "default-src": [CSP.SELF],
    # 'report-sample': a report quotes the start of what was refused.
    "script-src": [CSP.SELF, CSP.REPORT_SAMPLE],
    "style-src": [CSP.SELF, CSP.NONCE, CSP.REPORT_SAMPLE],
    # data: for the small images that the stylesheets and the two-factor QR code embed.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    # fetch() and the notification websocket to this site ('self' covers ws: and wss: on the same host).
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Where browsers send a report of each page they refused something on (e.g. an error tracker's security endpoint).
if _csp_report_uri := env.str("CSP_REPORT_URI", default=""):
    SECURE_CSP["report-uri"] = [_csp_report_uri]
SECURE_CONTENT_TYPE_NOSNIFF = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # The service manager and the orchestrator probe the workers over plain HTTP on loopback.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Error reports by e-mail go to these addresses (comma-separated), from SERVER_EMAIL.
ADMINS = env.list("ADMINS", default=[])
MANAGERS = ADMINS

# "json" writes one JSON object per line with the request's id (for a log collector); "text" is for a terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="json" if PRODUCTION else "text")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "config.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
        "mail_admins": {"class": "django.utils.log.AdminEmailHandler", "level": "ERROR", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {
            "handlers": ["console", *(["mail_admins"] if ADMINS else [])],
            "level": "ERROR",
            "propagate": False,
        },
        # WeasyPrint reports every rendering step at INFO; only its warnings (a missing font, an image) matter.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Error reporting to Sentry or any service that speaks its protocol, only when a DSN is given.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk

    from config.version import VERSION

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        release=f"meritflow@{VERSION}",
        environment=env.str("SENTRY_ENVIRONMENT", default=MODE),
        # Names, e-mail addresses and dossier contents stay out of the reports.
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
