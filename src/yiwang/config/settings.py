"""Settings, read only from the environment (12-factor) with safe embedded defaults.

The embedded default (no variables set) is a development/demo platform on SQLite under
./var. `YIWANG_ENV=production` turns on every production safeguard and refuses to start
without a real secret key. docs/operations.md lists every variable.
"""

import json
import os
import urllib.parse
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from yiwang.config.env import env_bool, env_int, env_list, trusted_networks

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("YIWANG_DATA_DIR", Path.cwd() / "var")).resolve()

ENVIRONMENT = os.environ.get("YIWANG_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"YIWANG_ENV must be development, test or production, not {ENVIRONMENT!r}")
PRODUCTION = ENVIRONMENT == "production"

_DEV_SECRET = "insecure-development-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
if PRODUCTION and (SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
# City brands (docs/brands.md) answer on their own host names: list them here in production
# (never "*"); outside production every *.localhost name is accepted for the demo's cities
# (browsers resolve *.localhost to the loopback address).
ALLOWED_HOSTS += env_list("YIWANG_BRAND_HOSTS", default=[] if PRODUCTION else [".localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

# The name shown across the portal; each province deploys its own.
PLATFORM_NAME = os.environ.get("YIWANG_PLATFORM_NAME", "山东省一网通办政务服务平台")
PLATFORM_SHORT_NAME = os.environ.get("YIWANG_PLATFORM_SHORT_NAME", "一网通办")
# Seconds each process keeps the published city brands before reading them again.
BRAND_CACHE_SECONDS = env_int("YIWANG_BRAND_CACHE_SECONDS", default=0 if ENVIRONMENT == "test" else 30)
# The region the portal opens on (12-digit statistical code); the region switcher changes it.
DEFAULT_REGION_CODE = os.environ.get("YIWANG_DEFAULT_REGION", "370000000000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "yiwang.accounts.apps.LoginGuardConfig",  # django-axes, named in Chinese
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "oauth2_provider",
    "yiwang.core",
    "yiwang.ledger",
    "yiwang.workcalendar",
    "yiwang.accounts",
    "yiwang.notifications",
    "yiwang.brands",
    "yiwang.catalog",
    "yiwang.exchange",
    "yiwang.licenses",
    "yiwang.cases",
    "yiwang.ratings",
    "yiwang.reviews",
    "yiwang.supervision",
    "yiwang.demo",
    "yiwang.portal",
    "yiwang.workbench",
    "yiwang.api",
]

MIDDLEWARE = [
    # First: the request id every log line carries, and the per-route metrics (it times all below).
    "yiwang.core.observability.ObservabilityMiddleware",
    # What a request reads once (the user's staff posts): memoised for the request only.
    "yiwang.core.request_memo.RequestMemoMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "yiwang.core.middleware.SecurityHeadersMiddleware",
    "yiwang.core.middleware.ControlCharacterMiddleware",
    "yiwang.core.middleware.ApiProblemMiddleware",
    "yiwang.core.middleware.RequestBudgetMiddleware",
    "yiwang.core.replica.ReplicaReadMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "yiwang.core.caching.NoStoreMiddleware",
    "yiwang.brands.middleware.BrandMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "yiwang.core.middleware.DomainErrorMiddleware",
    # Last, as django-axes asks: turns a login refused for a lockout into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "yiwang.config.urls"
WSGI_APPLICATION = "yiwang.config.wsgi.application"

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
                "yiwang.core.context_processors.platform",
                "yiwang.brands.context_processors.brand",
                "yiwang.notifications.context_processors.inbox",
                "yiwang.portal.display.display",
            ],
        },
    },
]

# Database: DATABASE_URL, or SQLite in WAL mode under the data directory.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'yiwang.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE makes a write
        # transaction take the lock at BEGIN instead of failing half-way with "locked".
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("YIWANG_SQLITE_TEST_NAME") or None}
# Behind PgBouncer in transaction pooling (ADR 0032, docs/operations.md §4 and §5b): each transaction
# (each query, in autocommit) may run on another server connection, so nothing may rely on
# session state: no server-side cursors (a named cursor lives in one session), no prepared
# statements (psycopg's automatic ones), and the web's session-level timeouts are set by the
# pooler's database entry (connect_query) instead of by the request-budget middleware.
DATABASE_POOL_MODE = os.environ.get("DATABASE_POOL_MODE", "session")
if DATABASE_POOL_MODE not in ("session", "transaction"):
    raise ImproperlyConfigured("DATABASE_POOL_MODE must be session or transaction.")
if DATABASE_POOL_MODE == "transaction" and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "prepare_threshold": None}
# A streaming replica for the public and supervision reads (core/replica.py, ADR 0022).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=True,
    )
    # Only web requests read there, so the request budget is the replica's statement timeout.
    _budget = env_int("DATABASE_STATEMENT_TIMEOUT_MS", default=5000)
    DATABASES["replica"]["OPTIONS"] = {"options": f"-c statement_timeout={_budget}", "connect_timeout": 2}
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests: the same database under both names
    DATABASE_ROUTERS = ["yiwang.core.replica.ReplicaRouter"]
REPLICA_READ_ROUTES = env_list(
    "REPLICA_READ_ROUTES",
    default=[
        "portal:guide",
        "portal:item",
        "portal:disclosure",
        "portal:public_data",
        "portal:ledger_entry",
        "portal:ratings",
        "workbench:supervision",
    ],
)
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", default=5)
REPLICA_CHECK_SECONDS = env_int("REPLICA_CHECK_SECONDS", default=1)
# After any unsafe request the client reads from the primary this long (its own writes).
READ_YOUR_WRITES_SECONDS = env_int("READ_YOUR_WRITES_SECONDS", default=REPLICA_MAX_LAG_SECONDS + 10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The request-time budget (core.middleware.RequestBudgetMiddleware), web requests only: a
# query running longer is stopped (503); on PostgreSQL a transaction left idle this long is
# ended. The worker and migrations do not pass the middleware and may run longer. 0 = off.
DATABASE_STATEMENT_TIMEOUT_MS = env_int("DATABASE_STATEMENT_TIMEOUT_MS", default=5000)
# Tests hold one transaction open across many requests (and hypothesis may think for seconds
# between them), so the idle timeout is off there by default.
DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = env_int(
    "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS", default=0 if ENVIRONMENT == "test" else 10000
)

AUTH_USER_MODEL = "accounts.User"
# AxesStandaloneBackend first: it refuses every authenticate() (our login page, /admin/login/)
# for an account locked out at the client's address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "yiwang.accounts.backends.PasswordBackend",
    "yiwang.accounts.backends.OidcBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENVIRONMENT == "test":
    # Tests create many users; a slow hash there proves nothing. Never used outside tests.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Login throttling (django-axes, attempts kept in the database so every web process and host
# sees the same counts): LOGIN_MAX_FAILURES wrong passwords for one account from one client
# address lock that pair (never other accounts, never other addresses) until
# LOGIN_FAILURE_WINDOW_SECONDS have passed since the last failure; a success clears the pair.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", default=5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed; none by default,
# so the client address is REMOTE_ADDR (yiwang.accounts.client_address).
TRUSTED_PROXIES = trusted_networks("YIWANG_TRUSTED_PROXIES")
AXES_VERBOSE = False  # no start-up banner; failures are still logged (without the password)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(seconds=LOGIN_FAILURE_WINDOW_SECONDS)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A guess during a lockout is refused unchecked and does not move the time we told the person.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "yiwang.accounts.client_address.client_address"
AXES_LOCKOUT_CALLABLE = "yiwang.accounts.lockout.lockout_response"

# Identity providers: "password" always; "oidc" plugs in the national unified identity
# platform (docs/operations.md) when its variables are set.
IDENTITY_PROVIDERS = env_list("YIWANG_IDENTITY_PROVIDERS", default=["password"])
# The unified identity platform (统一身份认证, OpenID Connect; ADR 0031, docs/operations.md §7a).
# On when the issuer and client are set: the login page then offers "统一身份认证登录".
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_ENABLED = bool(OIDC_ISSUER and OIDC_CLIENT_ID and OIDC_CLIENT_SECRET)
_issuer_url = urllib.parse.urlsplit(OIDC_ISSUER)
OIDC_ORIGIN = f"{_issuer_url.scheme}://{_issuer_url.netloc}" if OIDC_ENABLED else ""
if OIDC_ENABLED and "oidc" not in IDENTITY_PROVIDERS:
    IDENTITY_PROVIDERS = [*IDENTITY_PROVIDERS, "oidc"]
OIDC_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile phone id_number")
OIDC_ID_NUMBER_CLAIM = os.environ.get("OIDC_ID_NUMBER_CLAIM", "id_number")  # the 居民身份证号 the platform asserts
OIDC_SIGNING_ALGORITHMS = env_list("OIDC_SIGNING_ALGORITHMS", default=["RS256", "ES256"])
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", "5"))  # seconds for each call to the platform, retry included
OIDC_DISCOVERY_CACHE_SECONDS = env_int("OIDC_DISCOVERY_CACHE_SECONDS", default=3600)
OIDC_CLOCK_SKEW_SECONDS = env_int("OIDC_CLOCK_SKEW_SECONDS", default=60)
OIDC_REDIRECT_URI = os.environ.get("OIDC_REDIRECT_URI", "")  # default: <this site>/accounts/oidc/callback/
OIDC_ALLOW_STAFF = env_bool("OIDC_ALLOW_STAFF", default=False)  # staff accounts may sign in through it
OIDC_PROVIDER_LOGOUT = env_bool("OIDC_PROVIDER_LOGOUT", default=True)  # RP-initiated logout when advertised

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    # Materials are personal data: never served by a public URL, only through views that
    # check permission and log the read.
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

# Cache: Redis when REDIS_URL is set (several web processes share the cached values).
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "yiwang.core.redis_cache.RedisCache", "LOCATION": REDIS_URL}  # Django's, clients reused
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "yiwang_cache"}
    )
}
# Sessions (ADR 0035): with Redis, read from the cache and written through to PostgreSQL (a
# logged-in request then makes no session query); without it, from the table (the database
# cache would be a query too).
SESSION_ENGINE = "yiwang.accounts.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"

# Background work (ADR 0003): django-tasks with the database backend by default, RQ on
# Redis for scale-out, immediate execution in tests.
TASKS_BACKEND = os.environ.get("YIWANG_TASKS_BACKEND", "database")
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "django_tasks_rq.RQBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND], "QUEUES": ["default"]}}
if TASKS_BACKEND == "rq":
    # RQ keeps its queue in Redis: YIWANG_RQ_URL, else the cache's REDIS_URL.
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": os.environ.get("YIWANG_RQ_URL") or REDIS_URL or "redis://127.0.0.1:6379/0"}}
# The outbox is drained by the worker's periodic job (PERIODIC_TASKS, every 2 s); backends
# that push (RQ, immediate) are also kicked after each commit that queued messages. The
# database backend is not: its worker polls too, so the kick would only add a row per commit.
# A worker's claim on the e-mail/SMS rows it is sending; a worker killed mid-send leaves its
# rows to the others after this long (notifications.services.messages_deliver_pending).
NOTIFICATIONS_CLAIM_LEASE_SECONDS = env_int("NOTIFICATIONS_CLAIM_LEASE_SECONDS", default=300)
NOTIFICATIONS_KICK_AFTER_COMMIT = env_bool("NOTIFICATIONS_KICK_AFTER_COMMIT", default=TASKS_BACKEND != "database")

# Security: secure by default, relaxed only where plain-http local demo needs it.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", default=PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=31536000 if PRODUCTION else 0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", default=PRODUCTION) else None
)
# One strict policy for every page: only our own scripts, styles and images. Forms post only
# here; the logout form's answer may also lead to the identity platform (RP-initiated logout,
# ADR 0031), which browsers check against form-action too.
_FORM_ACTION = " ".join(["'self'", *([OIDC_ORIGIN] if OIDC_ENABLED else [])])
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    f"form-action {_FORM_ACTION}; frame-ancestors 'none'"
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CSRF_FAILURE_VIEW = "yiwang.config.errors.csrf_failure"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The working-day calendar is seeded from chinese-calendar for these years.
CALENDAR_SEED_YEARS = range(2025, 2027)
# Years after the last published one that get a provisional (暂定) projection (ADR 0011), and
# the jobs enqueued after every change of the calendar in force (they re-derive due dates).
CALENDAR_PROVISIONAL_YEARS = env_int("CALENDAR_PROVISIONAL_YEARS", default=2)
CALENDAR_CHANGE_TASKS = ["yiwang.cases.tasks.calendar_rederive"]

NINJA_PAGINATION_PER_PAGE = 50

# Logs (docs/operations.md §Observability): LOG_FORMAT=json writes one JSON object a line
# (python-json-logger) for a log collector; every record carries the request's id. One line
# per request on `yiwang.request` when LOG_REQUESTS is on (the default with JSON).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be plain or json.")
LOG_REQUESTS = env_bool("LOG_REQUESTS", default=LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "yiwang.core.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
        "warnings": {"()": "yiwang.core.observability.WarningCounter"},
    },
    "root": {"handlers": ["console", "warnings"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # The worker runs the ledger integration every 2 s: log task failures, not each run.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "yiwang.request": {"level": "INFO" if LOG_REQUESTS else "WARNING"},
    },
}
# /metrics (Prometheus): with a token, scrapers send `Authorization: Bearer <token>`; without
# one only the loopback address may read it.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

# The ledger (区块链+审批): see yiwang/ledger/config.py and docs/operations.md.
LEDGER_ORIGIN = os.environ.get("LEDGER_ORIGIN", "yiwang.local/ledger")
LEDGER_HASH = os.environ.get("LEDGER_HASH", "sha256")
LEDGER_SIGNING_KEY = os.environ.get("LEDGER_SIGNING_KEY", "")
if PRODUCTION and not LEDGER_SIGNING_KEY:
    raise ImproperlyConfigured("LEDGER_SIGNING_KEY must be set in production (yiwang ledger keygen prints one).")
LEDGER_KEY_FILE = DATA_DIR / "ledger-signing.key"
# The e-license issuer key (docs/licenses.md): its own signed-note key, never the log key.
LICENSE_KEY_NAME = os.environ.get("YIWANG_LICENSE_KEY_NAME", "yiwang.local/license")
LICENSE_SIGNING_KEY = os.environ.get("YIWANG_LICENSE_SIGNING_KEY", "")
if PRODUCTION and not LICENSE_SIGNING_KEY:
    raise ImproperlyConfigured(
        "YIWANG_LICENSE_SIGNING_KEY must be set in production (yiwang ledger keygen --name <host>/license)."
    )
LICENSE_KEY_FILE = DATA_DIR / "license-signing.key"

# Periodic jobs the worker enqueues: dotted path of a django-tasks task -> seconds between runs.
PERIODIC_TASKS: dict[str, float] = {
    "yiwang.ledger.tasks.integrate": 2.0,
    "yiwang.notifications.tasks.deliver_pending": 2.0,
    "yiwang.notifications.tasks.redact_expired": 60.0,  # one-time codes out of stored SMS bodies
    "yiwang.cases.tasks.deemed_acceptance_sweep": 3600.0,
    "yiwang.cases.tasks.deadline_sweep": 3600.0,
    "yiwang.cases.tasks.assisted_expire_sweep": 3600.0,  # 帮办代办 drafts left unfinished (ADR 0029)
    "yiwang.licenses.tasks.expire_due": 3600.0,
    "yiwang.exchange.tasks.daily_sweep": 3600.0,
    "yiwang.exchange.tasks.deliver_webhooks": 2.0,
    "yiwang.ratings.tasks.daily_sweep": 3600.0,
    "yiwang.reviews.tasks.draw_waiting": 2.0,  # a panel is drawn once its seeding checkpoint exists
    "yiwang.reviews.tasks.daily_sweep": 3600.0,  # unanswered invitations expire and are replaced
    "yiwang.supervision.tasks.rules_sweep": 3600.0,
    "yiwang.supervision.tasks.publish_figures": 3600.0,  # once per closed month (idempotent)
    "yiwang.ledger.tasks.partitions_ensure": 3600.0,  # PostgreSQL: the coming months' partitions (ADR 0034)
}
# Monthly partitions (PostgreSQL, ADR 0034): how many months ahead `partitions ensure` keeps
# ready, and where `partitions archive` writes detached months unless told otherwise.
PARTITION_MONTHS_AHEAD = env_int("PARTITION_MONTHS_AHEAD", default=3)
PARTITION_ARCHIVE_DIR = Path(os.environ.get("YIWANG_PARTITION_ARCHIVE_DIR", DATA_DIR / "archive")).resolve()
# 帮办代办 (ADR 0029): the person's confirmation code lasts ASSISTED_CODE_MINUTES, is void after
# ASSISTED_CODE_ATTEMPTS wrong entries, is sent at most ASSISTED_CODE_SENDS times per application
# and not sooner than ASSISTED_RESEND_SECONDS apart; drafts untouched ASSISTED_DRAFT_DAYS expire.
ASSISTED_CODE_MINUTES = env_int("ASSISTED_CODE_MINUTES", default=10)
ASSISTED_CODE_ATTEMPTS = env_int("ASSISTED_CODE_ATTEMPTS", default=5)
ASSISTED_CODE_SENDS = env_int("ASSISTED_CODE_SENDS", default=5)
ASSISTED_RESEND_SECONDS = env_int("ASSISTED_RESEND_SECONDS", default=60)
ASSISTED_DRAFT_DAYS = env_int("ASSISTED_DRAFT_DAYS", default=30)
# Searches for a person (帮办 step 1: name + 证件号码) one helper may make per 10 minutes.
ASSISTED_LOOKUP_LIMIT = env_int("ASSISTED_LOOKUP_LIMIT", default=30)
# 专家云评审 (docs/reviews.md): an expert who reviewed a case of the same applicant within
# REVIEW_RECUSAL_DAYS days is recused; opinions are signed with per-expert Ed25519 keys derived
# from REVIEWS_SIGNING_SECRET (the platform holds them, ADR 0028: keep it apart from SECRET_KEY
# in production, and never change it once opinions are signed — the pool publishes the keys).
REVIEW_RECUSAL_DAYS = env_int("REVIEW_RECUSAL_DAYS", default=365)
REVIEWS_SIGNING_SECRET = os.environ.get("REVIEWS_SIGNING_SECRET", SECRET_KEY)
# 好差评 (docs/ratings.md): a bad review is verified and answered within RATINGS_RESPONSE_DAYS
# working days; a rater may add to a rating for RATINGS_ADDITION_DAYS days; the conclusion
# notice's one-time rating link lasts RATINGS_LINK_DAYS days. PUBLIC_URL (e.g.
# https://zwfw.example.gov.cn) prefixes links sent by e-mail or SMS; empty: site-relative.
RATINGS_RESPONSE_DAYS = env_int("RATINGS_RESPONSE_DAYS", default=3)
RATINGS_ADDITION_DAYS = env_int("RATINGS_ADDITION_DAYS", default=15)
RATINGS_LINK_DAYS = env_int("RATINGS_LINK_DAYS", default=30)
# 政务服务数据公开 (docs/supervision.md "Audit"): a closed month's public figures are published
# to the ledger this many working days after it ends, once its bad reviews have been answered
# (RATINGS_RESPONSE_DAYS) and additions and appeals mostly heard; later changes need a
# reasoned correction.
SUPERVISION_PUBLISH_AFTER_DAYS = env_int("SUPERVISION_PUBLISH_AFTER_DAYS", default=10)
PUBLIC_URL = os.environ.get("YIWANG_PUBLIC_URL", "").rstrip("/")
# Data sharing (docs/exchange.md): a provider answers a demand within this many working days
# (domain.md §7: 5–10 locally).
EXCHANGE_DEMAND_ANSWER_DAYS = env_int("EXCHANGE_DEMAND_ANSWER_DAYS", default=10)
# Other departments' systems (exchange/providers.py): EXCHANGE_SYSTEMS is JSON
# {"<system>": {"url": "https://…", "key": "…"}}; a read waits at most EXCHANGE_TIMEOUT seconds
# in all; after EXCHANGE_BREAKER_FAILURES failures in a row a system is skipped for
# EXCHANGE_BREAKER_SECONDS; at most EXCHANGE_MAX_CONCURRENT reads of one system are in flight
# per process (the rest are told "busy" at once).
EXCHANGE_SYSTEMS: dict[str, dict[str, str]] = json.loads(os.environ.get("EXCHANGE_SYSTEMS", "{}"))
EXCHANGE_TIMEOUT = float(os.environ.get("EXCHANGE_TIMEOUT", "3"))
EXCHANGE_BREAKER_FAILURES = env_int("EXCHANGE_BREAKER_FAILURES", default=5)
EXCHANGE_BREAKER_SECONDS = env_int("EXCHANGE_BREAKER_SECONDS", default=30)
EXCHANGE_MAX_CONCURRENT = env_int("EXCHANGE_MAX_CONCURRENT", default=4)
# API clients (docs/exchange.md "API clients and webhooks", ADR 0016): other systems get
# OAuth 2.0 access tokens by client credentials at POST /api/v1/oauth/token (django-oauth-
# toolkit; client secrets hashed at rest), scoped per client; tokens last
# EXCHANGE_TOKEN_SECONDS. Webhook pushes wait at most EXCHANGE_WEBHOOK_TIMEOUT seconds.
EXCHANGE_TOKEN_SECONDS = env_int("EXCHANGE_TOKEN_SECONDS", default=3600)
EXCHANGE_WEBHOOK_TIMEOUT = float(os.environ.get("EXCHANGE_WEBHOOK_TIMEOUT", "5"))
# Webhook targets must resolve to public addresses, or to one of these networks (a receiver on
# the 政务外网 at 10.x, say); in development and tests the loopback is allowed by default.
EXCHANGE_WEBHOOK_PRIVATE_NETWORKS = (
    trusted_networks("EXCHANGE_WEBHOOK_PRIVATE_NETWORKS")
    if "EXCHANGE_WEBHOOK_PRIVATE_NETWORKS" in os.environ
    else (() if ENVIRONMENT == "production" else ("127.0.0.0/8", "::1/128"))
)
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # DOT's own (swappable; named for migrations)
OAUTH2_PROVIDER = {
    "SCOPES": {"exchange.read": "读取共享数据", "exchange.subscribe": "订阅事件推送、查询推送记录"},
    "DEFAULT_SCOPES": ["exchange.read", "exchange.subscribe"],
    "SCOPES_BACKEND_CLASS": "yiwang.exchange.clients.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "yiwang.exchange.clients.ClientCredentialsValidator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": EXCHANGE_TOKEN_SECONDS,
}

# The case engine: 预警 when a case or task has used this share of its time; material uploads
# (PDF, JPEG, PNG, OFD checked by content) up to this size; notification channel plugins
# (in_app / email / sms -> dotted class path; the offline defaults write e-mail and SMS to the log).
CASE_WARNING_SHARE = float(os.environ.get("CASE_WARNING_SHARE", "0.8"))
# 异地代收代办 (收受分离, docs/cross-region.md): the intake window hands an application over
# within this many working days of receiving it (local rules differ; 1 is the common one).
CROSS_REGION_HANDOVER_DAYS = env_int("CROSS_REGION_HANDOVER_DAYS", default=1)
CASE_UPLOAD_MAX_BYTES = env_int("CASE_UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
# Drafts: the largest form data (bytes of its JSON) and how many open drafts one applicant may keep.
CASE_DRAFT_MAX_BYTES = env_int("CASE_DRAFT_MAX_BYTES", default=64 * 1024)
CASE_DRAFT_MAX_OPEN = env_int("CASE_DRAFT_MAX_OPEN", default=20)
NOTIFICATION_CHANNELS = {
    "in_app": "yiwang.notifications.channels.InAppChannel",
    "email": os.environ.get("NOTIFICATION_EMAIL_CHANNEL", "yiwang.notifications.channels.LogChannel"),
    "sms": os.environ.get("NOTIFICATION_SMS_CHANNEL", "yiwang.notifications.channels.LogChannel"),
}
# E-mail (channels.EmailChannel; NOTIFICATION_EMAIL_CHANNEL=yiwang.notifications.channels.EmailChannel):
# Django's SMTP backend with these settings; the password only from the environment.
NOTIFICATION_EMAIL_BACKEND = os.environ.get("NOTIFICATION_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "一网通办 <noreply@yiwang.local>")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: set at most one.")
# SMS (channels.HttpSmsChannel; NOTIFICATION_SMS_CHANNEL=yiwang.notifications.channels.HttpSmsChannel):
# POST JSON {phone, text, template?} to SMS_GATEWAY_URL with "Authorization: Bearer <key>".
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_API_KEY = os.environ.get("SMS_GATEWAY_API_KEY", "")
SMS_GATEWAY_TEMPLATE = os.environ.get("SMS_GATEWAY_TEMPLATE", "")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "5"))
