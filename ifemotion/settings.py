"""IF.emotion Clinician settings: one file, driven by environment variables (see README)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from ifemotion import runtime
from ifemotion.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("IFEMOTION_VAR_DIR", str(BASE_DIR / "var")))

# Next to a running `make run`, manage.py commands use its Redis, secret key and DEBUG unless the
# environment says otherwise (ifemotion/runtime.py). Never a Redis that nobody configured.
DEV_SERVER = runtime.running(VAR_DIR)
DEBUG = env_bool("DEBUG", DEV_SERVER.debug if DEV_SERVER else False)
SECRET_KEY = env_str("SECRET_KEY") or (DEV_SERVER.secret_key if DEV_SERVER else "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is required unless DEBUG=1 "
            "(next to a running `make run`, manage.py finds it by itself)"
        )
    SECRET_KEY = "insecure-development-key-only-for-DEBUG"  # noqa: S105 - refused above outside DEBUG
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    # Django's admin, answering 403 (not a redirect loop) to signed-in non-admins.
    "ifemotion.accounts.admin_site.ClinicAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",  # serves the API docs page's Swagger UI files locally, never from a CDN
    "ifemotion.accounts",
    "ifemotion.preferences",  # each user's display preferences (time zone)
    "sessions_app",
    "sessions_app.archive",
    "sessions_app.archive.search",
    "sessions_app.dashboard",
    "sessions_app.demo",
    "sessions_app.risk",
    "sessions_app.notes",
    "sessions_app.review",
    "exports_app",
]

AUTH_USER_MODEL = "accounts.User"

MIDDLEWARE = [
    # First: the real client address behind the configured proxies (TRUSTED_PROXIES).
    "ifemotion.accounts.client_address.TrustedProxyMiddleware",
    # Request latency per view for /metrics (ifemotion/ops/metrics.py).
    "ifemotion.ops.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ifemotion.accounts.middleware.SessionTimeoutMiddleware",
    "ifemotion.accounts.middleware.MFARequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "ifemotion.accounts.middleware.ContentSecurityPolicyMiddleware",
    # axes last: it turns a lockout raised during authenticate() into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# --- Identity, authentication and access (dashboard) ---------------------------------------------
AUTHENTICATION_BACKENDS = [
    # axes first: it refuses locked-out credentials before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "review:inbox"
LOGOUT_REDIRECT_URL = "accounts:login"
# Roles that must pass TOTP two-factor after the password. Empty it (MFA_REQUIRED_ROLES=) to disable.
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", ["clinician", "admin"])
EXPORT_ROLES = env_list("EXPORT_ROLES", ["therapist", "clinician"])
# Admins hold no assignments (separation of duties): emergency access is their audited path to a record.
BREAK_GLASS_ROLES = env_list("BREAK_GLASS_ROLES", ["therapist", "clinician", "admin"])
BREAK_GLASS_MINUTES = env_int("BREAK_GLASS_MINUTES", 60, minimum=1)
OTP_TOTP_ISSUER = "IF.emotion Clinician"
# Automatic logoff: idle and absolute limits, enforced server-side by SessionTimeoutMiddleware.
# Django sessions live in the database (never in Redis): with Redis down people can still log in
# and read archived records.
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 15 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT_SECONDS = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 3600, minimum=300)
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Login lockout (django-axes, database handler: works while Redis is down).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_float("AXES_COOLOFF_HOURS", 0.25, minimum=0.01)
# One lock per (username, address) pair: one person's typos, or an attacker guessing, never lock out
# colleagues (a clinic behind one NAT address) nor the same user elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "ifemotion.accounts.client_address.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/login_locked.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)

ROOT_URLCONF = "ifemotion.urls"
WSGI_APPLICATION = "ifemotion.wsgi.application"

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
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    # The embedded default: SQLite under var/, so a new user needs no database server.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE_URL = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock at BEGIN (no "database is locked" upgrade failures between gunicorn
    # workers, and the audit chain is appended in order); WAL lets readers proceed meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        # "timeout" (the busy timeout) is DATABASE_WAIT_SECONDS, set below.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests get a file too, not Django's shared-cache in-memory database: shared-cache SQLite fails
    # concurrent writers at once ("table is locked") instead of waiting, unlike the real file.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: live conversation state. One URL configures the cache and the state layer. ----------
# No default: without REDIS_URL (or the dev server's, or a Cluster/Sentinel) live records answer
# "unavailable: no Redis is configured" rather than reading whatever Redis listens on 6379.
REDIS_URL = env_str("REDIS_URL") or (DEV_SERVER.redis_url if DEV_SERVER else "")
REDIS_SOCKET_TIMEOUT = env_float("REDIS_SOCKET_TIMEOUT", 1.0, minimum=0.05)
REDIS_CONNECT_TIMEOUT = env_float("REDIS_CONNECT_TIMEOUT", 0.5, minimum=0.05)
REDIS_MAX_CONNECTIONS = env_int("REDIS_MAX_CONNECTIONS", 50, minimum=1)
# Scale-out: a Redis Cluster (comma-separated host:port seeds) or Sentinel-managed Redis. Either one
# replaces REDIS_URL for live state; the Django cache (rate-limit counters) then uses the database,
# since django-redis speaks neither the cluster protocol nor follows a failover by itself.
REDIS_CLUSTER_NODES = env_list("REDIS_CLUSTER_NODES", [])
REDIS_SENTINELS = env_list("REDIS_SENTINELS", [])
REDIS_SENTINEL_MASTER = env_str("REDIS_SENTINEL_MASTER", "mymaster")
REDIS_PASSWORD = env_str("REDIS_PASSWORD")
if REDIS_CLUSTER_NODES and REDIS_SENTINELS:
    raise ImproperlyConfigured("set REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both")


def redis_cache(location: str) -> dict[str, object]:
    """The Django cache on a Redis server; the state layer shares its connection pool."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            # A blocking pool fails fast (after the connect timeout) when exhausted instead of
            # opening connections without bound; never IGNORE_EXCEPTIONS: PHI writes must not vanish.
            "CONNECTION_POOL_CLASS": "redis.BlockingConnectionPool",
            # Adds the state layer's timeouts and no-retry policy (see sessions_app/state/connection.py).
            "CONNECTION_FACTORY": "sessions_app.state.connection.DjangoRedisConnectionFactory",
            "CONNECTION_POOL_KWARGS": {
                "max_connections": REDIS_MAX_CONNECTIONS,
                "timeout": REDIS_CONNECT_TIMEOUT,
            },
            "IGNORE_EXCEPTIONS": False,
        },
        "KEY_PREFIX": "ifemotion-cache",
    }


# Without Redis the cache (API rate-limit counters) lives in process memory; /healthz fails anyway.
CACHES = {
    "default": redis_cache(REDIS_URL)
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ifemotion-no-redis"}
}
DJANGO_REDIS_IGNORE_EXCEPTIONS = False
if REDIS_CLUSTER_NODES or REDIS_SENTINELS:
    # Rate-limit counters then live in the database (run `manage.py createcachetable` once).
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "ifemotion_cache"}
    }

# --- State-layer knobs ----------------------------------------------------------------------------
STATE_TTL_SECONDS = env_int("STATE_TTL_SECONDS", 7 * 24 * 3600, minimum=60)
STATE_MESSAGE_WINDOW = env_int("STATE_MESSAGE_WINDOW", 100, minimum=1)
STATE_MAX_MESSAGE_CHARS = env_int("STATE_MAX_MESSAGE_CHARS", 20_000, minimum=1)
STATE_MAX_NOTE_CHARS = env_int("STATE_MAX_NOTE_CHARS", 50_000, minimum=1)
STATE_DECODED_MESSAGES = env_int("STATE_DECODED_MESSAGES", 5_000, minimum=0)  # sessions_app/state/decoded.py
# A write slides a session's TTL only once it has dropped by more than this (see README, state layer).
STATE_TTL_SLACK_SECONDS = env_int("STATE_TTL_SLACK_SECONDS", STATE_TTL_SECONDS // 100, minimum=0)
if STATE_TTL_SLACK_SECONDS >= STATE_TTL_SECONDS:
    raise ImproperlyConfigured("STATE_TTL_SLACK_SECONDS must be below STATE_TTL_SECONDS")

# --- Archive: the record of truth in the database, searchable in ChromaDB (see README) ----------
# Sessions whose TTL is below this margin are snapshotted; /healthz fails when the archiver's last
# completed pass is older than it.
ARCHIVE_MARGIN_SECONDS = env_int("ARCHIVE_MARGIN_SECONDS", 24 * 3600, minimum=60)
# A closed, fully archived session idle this long is removed from Redis (0: as soon as archived).
ARCHIVE_DELETE_CLOSED_AFTER_SECONDS = env_int("ARCHIVE_DELETE_CLOSED_AFTER_SECONDS", 24 * 3600, minimum=0)
ARCHIVE_BATCH_SIZE = env_int("ARCHIVE_BATCH_SIZE", 1000, minimum=1)
ARCHIVE_LOCK_SECONDS = env_int("ARCHIVE_LOCK_SECONDS", 600, minimum=10)
CHROMA_PATH = Path(env_str("CHROMA_PATH", str(VAR_DIR / "chroma")))
CHROMA_URL = env_str("CHROMA_URL")  # e.g. http://127.0.0.1:8001; empty: embedded PersistentClient
CHROMA_TIMEOUT_SECONDS = env_float("CHROMA_TIMEOUT_SECONDS", 10.0, minimum=0.1)
# "wordllama": the model bundled in the wordllama wheel (semantic, no download); "local": a
# sentence-transformers / ONNX model directory at CHROMA_EMBEDDING_PATH; "lexical": hashed words (not
# semantic). "auto" (the old default) means wordllama. Changing it re-indexes (see README "Search").
CHROMA_EMBEDDING = env_str("CHROMA_EMBEDDING", "wordllama").strip().lower()
if CHROMA_EMBEDDING == "auto":
    CHROMA_EMBEDDING = "wordllama"
if CHROMA_EMBEDDING not in {"wordllama", "local", "lexical"}:
    raise ImproperlyConfigured(
        f"CHROMA_EMBEDDING must be wordllama, local or lexical, not {CHROMA_EMBEDDING!r}"
    )
CHROMA_EMBEDDING_PATH = env_str("CHROMA_EMBEDDING_PATH")
if CHROMA_EMBEDDING == "local" and not CHROMA_EMBEDDING_PATH:
    raise ImproperlyConfigured("CHROMA_EMBEDDING=local needs CHROMA_EMBEDDING_PATH (a model directory)")

# --- Exports: Markdown / PDF / JSON downloads (exports_app; see README "Exports") ----------------
# Each PDF renders in a separate process with these limits; beyond them the user is told to export a
# smaller range (HTTP 503 page) and the worker stays healthy.
PDF_RENDER_TIMEOUT_SECONDS = env_float("PDF_RENDER_TIMEOUT_SECONDS", 60.0, minimum=1.0)
PDF_RENDER_MEMORY_MB = env_int("PDF_RENDER_MEMORY_MB", 2048, minimum=256)  # address space of the renderer
# Refused before rendering starts (cheap, clear): more messages or more HTML than this.
PDF_MAX_MESSAGES = env_int("PDF_MAX_MESSAGES", 5000, minimum=1)
PDF_MAX_HTML_BYTES = env_int("PDF_MAX_HTML_BYTES", 16 * 1024 * 1024, minimum=1024)
# The session-list download: at most this many sessions in one ZIP.
EXPORT_ZIP_MAX_SESSIONS = env_int("EXPORT_ZIP_MAX_SESSIONS", 50, minimum=1)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: Secure, path /, no Domain: a sibling subdomain cannot plant or read them.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe health over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # axes logs every login at INFO, with usernames: the audit log is the place for that.
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO; fontTools logs subsetting details.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- HTTP API for the chatbot (sessions_app/api/; see README "HTTP API for the chatbot") -------
# Request bodies above this size are refused with 413 before they are read.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 256 * 1024, minimum=1024)
# Requests per token per minute (fixed window, counted in API_CACHE); more → 429 + Retry-After.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 600, minimum=1)
# The Django cache holding the rate-limit counters and the token-revocation marker.
API_CACHE = env_str("API_CACHE", "default")
# API audit rows wait in Redis and join the audit chain in batches (or after the delay); 0: at once.
API_AUDIT_BATCH = env_int("API_AUDIT_BATCH", 100, minimum=0)
API_AUDIT_MAX_DELAY_SECONDS = env_int("API_AUDIT_MAX_DELAY_SECONDS", 1, minimum=0)
# How long a process trusts a verified token (revocations reach all processes at once unless Redis is down).
API_TOKEN_CACHE_SECONDS = env_int("API_TOKEN_CACHE_SECONDS", 30, minimum=0)
# Retry-After (seconds) sent with 503 answers (Redis or the database unreachable).
API_RETRY_AFTER_SECONDS = env_int("API_RETRY_AFTER_SECONDS", 5, minimum=1)

# --- Review: inbox, read cursors, hold for review, daily digest (sessions_app/review; README "Review") --
# The digest (and the inbox) call out sessions leaving live storage within this many hours unreviewed.
REVIEW_DIGEST_WINDOW_HOURS = env_int("REVIEW_DIGEST_WINDOW_HOURS", 24, minimum=1)
# The inbox asks the server every this many seconds whether anything changed (204 when not).
REVIEW_INBOX_REFRESH_SECONDS = env_int("REVIEW_INBOX_REFRESH_SECONDS", 10, minimum=2)

# --- Risk flags (sessions_app/risk; see README "Risk flags") ---------------------------------------
# Acknowledgement deadlines by severity (minutes); an open flag past its deadline escalates.
RISK_ACK_MINUTES = {
    "high": env_int("RISK_ACK_MINUTES_HIGH", 15, minimum=1),
    "medium": env_int("RISK_ACK_MINUTES_MEDIUM", 240, minimum=1),
    "low": env_int("RISK_ACK_MINUTES_LOW", 1440, minimum=1),
}
# Escalation goes to the members of this Django group (their e-mail addresses) and to these addresses.
RISK_SUPERVISOR_GROUP = env_str("RISK_SUPERVISOR_GROUP", "risk-supervisors")
RISK_ESCALATION_EMAILS = env_list("RISK_ESCALATION_EMAILS", [])
# New flags of these severities are e-mailed to the client's assigned clinicians at once.
RISK_NOTIFY_SEVERITIES = env_list("RISK_NOTIFY_SEVERITIES", ["high", "medium"])
# The HTTP append assesses client messages in the request (the worker assesses the rest).
RISK_ASSESS_ON_API = env_bool("RISK_ASSESS_ON_API", True)

# --- Security (issue 11; see README "Security operations") -----------------------------------------
# Mail (password links, change notices, risk escalation, the review digest): the console under DEBUG.
_MAIL_BACKENDS = "django.core.mail.backends."
EMAIL_BACKEND = env_str("EMAIL_BACKEND", _MAIL_BACKENDS + ("console" if DEBUG else "smtp") + ".EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT_SECONDS", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "IF.emotion Clinician <no-reply@localhost>")
# Links in mails start with SITE_URL (https://clinic.example.org); empty: the requesting page's host.
SITE_URL = env_str("SITE_URL")
# A password link works once and for this long.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_SECONDS", 24 * 3600, minimum=300)
# Addresses (or networks) of reverse proxies whose X-Forwarded-For is believed; deploy/ sets nginx's.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Concurrent PDF renders per host and per user (lock files in PDF_SLOT_DIR); beyond: 429 + Retry-After.
PDF_MAX_CONCURRENT_RENDERS = env_int("PDF_MAX_CONCURRENT_RENDERS", 2, minimum=1)
PDF_MAX_CONCURRENT_RENDERS_PER_USER = env_int("PDF_MAX_CONCURRENT_RENDERS_PER_USER", 1, minimum=1)
PDF_BUSY_RETRY_AFTER_SECONDS = env_int("PDF_BUSY_RETRY_AFTER_SECONDS", 30, minimum=1)
PDF_SLOT_DIR = Path(env_str("PDF_SLOT_DIR", str(VAR_DIR / "pdf-slots")))
# Every database wait is bounded: a stalled or locked database answers 503 within about this long
# (SQLite busy timeout; PostgreSQL lock_timeout and connect timeout), never a hung worker or a 500.
DATABASE_WAIT_SECONDS = env_float("DATABASE_WAIT_SECONDS", 2.0, minimum=0.1)
# PostgreSQL statement_timeout of web workers only (wsgi.py sets IFEMOTION_WEB_PROCESS); 0: off.
DATABASE_STATEMENT_TIMEOUT_SECONDS = env_float("DATABASE_STATEMENT_TIMEOUT_SECONDS", 2.0, minimum=0.0)
_statement_timeout = DATABASE_STATEMENT_TIMEOUT_SECONDS if env_bool("IFEMOTION_WEB_PROCESS") else 0.0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"]["timeout"] = DATABASE_WAIT_SECONDS
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_options = DATABASES["default"].setdefault("OPTIONS", {})
    _pg_options.setdefault("connect_timeout", max(1, round(DATABASE_WAIT_SECONDS)))
    _pg_options["options"] = (
        f"{_pg_options.get('options', '')} -c lock_timeout={int(DATABASE_WAIT_SECONDS * 1000)}"
        f" -c statement_timeout={int(_statement_timeout * 1000)}"
    ).strip()
# /healthz details and /metrics: this host, or "Authorization: Bearer <OPERATOR_TOKEN>" (empty: host only).
OPERATOR_TOKEN = env_str("OPERATOR_TOKEN")
# Signed audit checkpoints (accounts/checkpoints.py): the HMAC key never in the database; an O_APPEND sink.
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY")
AUDIT_CHECKPOINT_KEY_FILE = env_str("AUDIT_CHECKPOINT_KEY_FILE")
AUDIT_CHECKPOINT_FILE = Path(env_str("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit" / "checkpoints.log")))
AUDIT_CHECKPOINT_SYSLOG = env_bool("AUDIT_CHECKPOINT_SYSLOG", False)
AUDIT_CHECKPOINT_MINUTES = env_int("AUDIT_CHECKPOINT_MINUTES", 10, minimum=1)
AUDIT_CHECKPOINTS_ENABLED = env_bool(
    "AUDIT_CHECKPOINTS", bool(AUDIT_CHECKPOINT_KEY or AUDIT_CHECKPOINT_KEY_FILE) or DEBUG
)
MIDDLEWARE += ["ifemotion.accounts.checkpoints.AuditCheckpointMiddleware"]
# No script reads the CSRF cookie (forms carry the token), so scripts may not either (found by make dast).
CSRF_COOKIE_HTTPONLY = True
# --- Search (sessions_app/archive/search; see README "Search") ------------------------------------
# How often ``index_search --loop`` polls live sessions: new messages are searchable within about this.
SEARCH_INDEX_INTERVAL_SECONDS = env_float("SEARCH_INDEX_INTERVAL_SECONDS", 10.0, minimum=1.0)
# --- Emotion vocabulary, client page, time zones (sessions_app/emotions.py; README "The client page") --
# "label:negative|neutral|positive, ..."; empty: the report's eight + a clinical set (emotions.py).
EMOTION_VOCABULARY = env_str("EMOTION_VOCABULARY")
# Labels added to (or re-valued in) the vocabulary above, same syntax.
EMOTION_VOCABULARY_EXTRA = env_str("EMOTION_VOCABULARY_EXTRA")
# Emotion updates with a confidence below this are drawn faded and marked "low confidence".
EMOTION_LOW_CONFIDENCE = env_float("EMOTION_LOW_CONFIDENCE", 0.5, minimum=0.0)
