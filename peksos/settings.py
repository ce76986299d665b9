"""PEKSOS settings: one module, driven by environment variables.

With no variables set, PEKSOS runs the embedded default: SQLite, Celery tasks run
eagerly in-process, files on disk and e-mail to the console. Setting DATABASE_URL,
CELERY_BROKER_URL, etc. switches to the real services. Every variable is listed in
`.env.example` and the README. A secret can also be read from `NAME_FILE`.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read NAME, or the contents of the file named by NAME_FILE (Docker secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value == "":
        return default
    return value.lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def _dev_secret_key() -> str:
    """A per-checkout random key for the embedded default, kept out of git."""
    path = BASE_DIR / "var" / "secret_key"
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# True behind HTTPS (production): secure cookies, HSTS, SSL redirect, a SECRET_KEY required.
HTTPS = env_bool("PEKSOS_HTTPS", False)
if HTTPS and not env("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set when PEKSOS_HTTPS=1 (production).")
SECRET_KEY = env("SECRET_KEY") or _dev_secret_key()
# Children's identifying fields (monitoring) are encrypted at rest with these Fernet keys,
# comma-separated: the first encrypts, every one decrypts (key rotation: docs/monitoring.md).
# Unset in the embedded default: one key derived from SECRET_KEY (var/secret_key), never a
# constant; production must set its own, kept apart from the database and its backups.
MONITORING_ENCRYPTION_KEYS = env_list("MONITORING_ENCRYPTION_KEYS")
if HTTPS and not MONITORING_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "MONITORING_ENCRYPTION_KEYS must be set when PEKSOS_HTTPS=1 (production)."
    )
if not MONITORING_ENCRYPTION_KEYS:
    import base64
    import hashlib

    MONITORING_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(
            hashlib.sha256(b"peksos-monitoring-dev-key\x00" + SECRET_KEY.encode()).digest()
        ).decode()
    ]
# A closed child's record is destroyed this many days after its closure (UU PDP: data is
# destroyed when its retention ends). A policy of the Dinas: 5 years unless it decides
# otherwise (docs/monitoring.md, "Retention and destruction").
MONITORING_RETENTION_DAYS = int(env("MONITORING_RETENTION_DAYS", str(5 * 365)))
# A closed SOS Desk case (its text, messages, notes, files) is destroyed this many days after
# its closure, leaving a destruction record (sosdesk/retention.py). Same policy by default.
SOSDESK_RETENTION_DAYS = int(env("SOSDESK_RETENTION_DAYS", str(5 * 365)))
# Number of reverse proxies in front of PEKSOS whose X-Forwarded-For may be trusted.
PROXY_COUNT = int(env("PROXY_COUNT", "0"))
# `make run` sets this: demo users exist and the login page says so.
DEMO = env_bool("PEKSOS_DEMO", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    # PEKSOS, floor by floor (docs/design.md §1): imports only point down this list.
    "peksos.core",
    "peksos.accounts",
    "peksos.notifications",
    "schools",
    "people",
    "visits",
    "activities",
    "sosdesk",
    "forum",
    "monitoring",
    "reports",
    "home",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "peksos.core.middleware.RequestIdMiddleware",
    "peksos.core.middleware.RejectNulBytesMiddleware",  # before anything reads the database
    "peksos.core.dbrouter.PrimaryAfterWriteMiddleware",  # with a read replica only
    "django.contrib.sessions.middleware.SessionMiddleware",
    "peksos.core.middleware.IndonesianFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "peksos.accounts.middleware.SessionLimitsMiddleware",
    "peksos.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "peksos.core.middleware.NoStoreForUsersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peksos.urls"
WSGI_APPLICATION = "peksos.wsgi.application"

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
                "peksos.core.context_processors.peksos",
                "home.navigation.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# Behind PgBouncer in transaction mode (DB_TRANSACTION_POOLING=1, docs/deployment.md): a
# connection is closed after each request (the pooler keeps the server's), no server-side
# cursors (a cursor would outlive the transaction's server connection) and no prepared
# statements (psycopg's prepare_threshold None, Django's default, said here explicitly).
TRANSACTION_POOLING = env_bool("DB_TRANSACTION_POOLING", False)


def _database(url: str) -> dict:
    database = dj_database_url.parse(
        url,
        conn_max_age=0 if TRANSACTION_POOLING else int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    if TRANSACTION_POOLING:
        database["DISABLE_SERVER_SIDE_CURSORS"] = True
        database.setdefault("OPTIONS", {})["prepare_threshold"] = None
    return database


DATABASES = {
    "default": _database(env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'peksos.sqlite3'}")
}
# A streaming read replica (PostgreSQL) for the heavy, lag-tolerant reads that opt in
# (peksos/core/dbrouter.py). Unset: every read on `default`, as on one machine.
if env("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = _database(env("DATABASE_REPLICA_URL"))
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    # Tests read the replica's copy of the test database the primary streams to it.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["peksos.core.dbrouter.ReplicaRouter"]
# Reads stay on the primary while the replica is further behind than this, and for this long
# after a user's save; the replica's lag is asked at most every REPLICA_CHECK_SECONDS.
REPLICA_MAX_LAG_SECONDS = float(env("REPLICA_MAX_LAG_SECONDS", "10"))
REPLICA_CHECK_SECONDS = float(env("REPLICA_CHECK_SECONDS", "5"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Several users at once on one file (issue #21): WAL lets readers run beside the writer;
    # IMMEDIATE makes every transaction take the write lock at BEGIN, so a transaction that
    # reads and then writes waits its turn instead of failing with "database is locked" when
    # another connection wrote in between (SQLite cannot upgrade a stale read snapshot);
    # `timeout` is how long a connection waits for that lock (SQLite's busy timeout).
    # select_for_update() is a no-op on SQLite: the IMMEDIATE write lock already serialises
    # every transaction that would have taken a row lock on PostgreSQL.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, login, second factor --------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "peksos.accounts.backends.AddressLimitBackend",  # ≤ 20 failures an hour per address
    "axes.backends.AxesStandaloneBackend",
    "peksos.accounts.backends.UsernameOrEmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
PASSWORD_RESET_EMAIL_LIMIT = 3  # reset e-mails an hour per typed e-mail address ...
PASSWORD_RESET_ADDRESS_LIMIT = 10  # ... and requests an hour per client address (throttle.py)
# Staff roles must use TOTP; `make run`'s demo may turn this off (the login page says so).
REQUIRE_2FA = env_bool("PEKSOS_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "PEKSOS Kota Metro"

# Login throttling lives in the database (django-axes), never in Redis.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 asks to lock by IP address too. Axes has one failure limit for all parameters, and
# at 5 an IP lock would shut out a whole school or family behind one shared (NAT) address.
# The per-address limit is separate and higher (docs/quality.md S3): peksos.accounts.throttle with
# AddressLimitBackend, in the database as well, so W006 does not apply.
SILENCED_SYSTEM_CHECKS = [
    "axes.W006",
    # Indexes with INCLUDE columns (counts read from the index alone) are a PostgreSQL
    # optimisation; SQLite, the embedded default, builds them without those columns.
    "models.W040",
]
LOGIN_ADDRESS_LIMIT = 20  # failed logins per client address ...
LOGIN_ADDRESS_WINDOW = timedelta(hours=1)  # ... in this window
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_FORM_FIELD = "username"
# Count failures per account, however the login is spelled (case, username or e-mail).
AXES_USERNAME_CALLABLE = "peksos.accounts.backends.lockout_key"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "peksos.core.audit.client_ip"

# Sessions live in the database. Idle and absolute limits per role group are enforced by
# peksos.accounts.middleware.SessionLimitsMiddleware; the cookie lives as long as the longest.
SESSION_IDLE_STAFF = timedelta(minutes=int(env("SESSION_IDLE_STAFF_MINUTES", "30")))
SESSION_IDLE_COMMUNITY = timedelta(hours=int(env("SESSION_IDLE_COMMUNITY_HOURS", "72")))
SESSION_ABSOLUTE_STAFF = timedelta(hours=int(env("SESSION_ABSOLUTE_STAFF_HOURS", "12")))
SESSION_ABSOLUTE_COMMUNITY = timedelta(days=int(env("SESSION_ABSOLUTE_COMMUNITY_DAYS", "30")))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_COMMUNITY.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# The maps' base layer (schools/tiles.py). Empty: no tiles, the markers on a plain background.
# "osm": OpenStreetMap's standard tiles, with their attribution. The pages that show a map
# widen the CSP's img-src for this host only (schools.tiles.allow_tiles).
OSM_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_TILE_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)
MAP_TILE_URL = env("MAP_TILE_URL")
if MAP_TILE_URL.lower() == "osm":
    MAP_TILE_URL = OSM_TILE_URL
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION") or (
    OSM_TILE_ATTRIBUTION if MAP_TILE_URL == OSM_TILE_URL else ""
)
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *env_list("CSP_IMG_SRC")],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# --- Cache: only for transient, losable values (e.g. import progress). Sessions and login
# throttling live in the database, never here. Shared between web and workers through Redis.
CACHE_URL = env("CACHE_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "var" / "static")
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# Validated uploads (photos, case attachments): never served by a URL (no /media/ route,
# WhiteNoise serves STATIC_ROOT only); only permission-checked views stream them
# (peksos/core/uploads.py: PrivateStorage, attachment_response).
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT") or MEDIA_ROOT / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Media on S3-compatible object storage (django-storages) when MEDIA_S3_BUCKET is set, instead
# of MEDIA_ROOT on a disk several machines cannot share: one private bucket, report files under
# reports/ (expired by the lifecycle rule `manage.py media_bucket` sets), the validated uploads
# under private/ (peksos/core/objectstore.py). No object is public: the permission-checked
# views stream them, or hand out a pre-signed URL of MEDIA_S3_URL_SECONDS after the same check.
MEDIA_S3 = (
    {
        "bucket_name": env("MEDIA_S3_BUCKET"),
        "endpoint_url": env("MEDIA_S3_ENDPOINT_URL") or None,
        "region_name": env("MEDIA_S3_REGION") or None,
        "access_key": env("MEDIA_S3_ACCESS_KEY") or None,  # unset: the instance's role
        "secret_key": env("MEDIA_S3_SECRET_KEY") or None,
        "addressing_style": env("MEDIA_S3_ADDRESSING_STYLE") or None,  # "path" for some
        "default_acl": None,  # no ACL on objects: the bucket's own (private)
        "querystring_auth": True,
        "querystring_expire": int(env("MEDIA_S3_URL_SECONDS", "60")),
        "file_overwrite": True,  # names are generated (uuid) or a report's own
        "signature_version": "s3v4",
    }
    if env("MEDIA_S3_BUCKET")
    else {}
)
if MEDIA_S3:
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": MEDIA_S3}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ---------------------------------------------------------------------------
MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": int(env("EMAIL_PORT", "25")),
            "username": env("EMAIL_HOST_USER"),
            "password": env("EMAIL_HOST_PASSWORD"),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "timeout": 10,
        }
        if env("EMAIL_BACKEND", "").endswith("smtp.EmailBackend")
        # Each e-mail a file in EMAIL_FILE_PATH (bench/cluster.py counts them for duplicates).
        else {"file_path": env("EMAIL_FILE_PATH")}
        if env("EMAIL_BACKEND", "").endswith("filebased.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "PEKSOS Kota Metro <noreply@peksos.metrokota.go.id>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery ---------------------------------------------------------------------------
# No broker configured: tasks run eagerly in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "peksos")
# PDF reports (up to 5 minutes each) on a queue of their own when this is set, so that a
# worker busy with reports never holds up e-mail (docs/quality.md P6; docker-compose.yml runs a
# worker per queue). Unset: the default queue.
CELERY_TASK_ROUTES = {
    "reports.tasks.render_report": {"queue": env("CELERY_REPORTS_QUEUE", CELERY_TASK_DEFAULT_QUEUE)}
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Seconds a task may run (a report's render). A report running longer is taken for dead and
# claimable again; the drill bench/drill_worker_killed.py lowers it to recover in seconds.
CELERY_TASK_TIME_LIMIT = int(env("CELERY_TASK_TIME_LIMIT", "360"))
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT * 5 // 6  # 300 for 360
CELERY_WORKER_MAX_MEMORY_PER_CHILD = 600_000  # KiB: WeasyPrint renders are memory-hungry
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,  # longer than the longest task
    "socket_timeout": 3,
    "socket_connect_timeout": 3,
    "max_retries": 0,  # never retry a publish inside a request: the outbox retries
    "interval_start": 0,
}
# `make run`'s broker needs no server: kombu's filesystem transport, messages as files under
# var/broker (CELERY_BROKER_URL=filesystem://). One folder serves as both ends of the queue.
if (CELERY_BROKER_URL or "").startswith("filesystem://"):
    BROKER_DIR = Path(env("CELERY_BROKER_DIR") or BASE_DIR / "var" / "broker")
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_TASK_PUBLISH_RETRY = False  # a vanished Redis never hangs a request: the outbox retries
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_BEAT_SCHEDULE = {
    "relay-outbox": {"task": "peksos.core.tasks.relay_outbox", "schedule": 5.0},
    "escalate-overdue-cases": {
        "task": "sosdesk.tasks.escalate_overdue_cases",
        "schedule": crontab(minute="*/15"),
    },
    "refresh-desks-working": {
        "task": "sosdesk.tasks.refresh_desks_working",
        "schedule": crontab(hour=1, minute=30),
    },
    "reports-monthly-city": {
        "task": "reports.tasks.monthly_city_report",
        "schedule": crontab(hour=1, minute=5),  # daily: idempotent, catches up a missed 1st
    },
    "forum-remind-unanswered": {
        "task": "forum.tasks.remind_unanswered",
        "schedule": crontab(hour=7, minute=30),
    },
    # The daily e-mail of the notifications a user chose to receive once a day (16:30 WIB).
    "notifications-daily-summary": {
        "task": "peksos.notifications.tasks.send_daily_summaries",
        "schedule": crontab(hour=16, minute=30),
    },
    "visit-reminders": {
        "task": "visits.tasks.send_visit_reminders",
        "schedule": crontab(hour=16, minute=0),
    },
    # The register-wide figures (peksos/core/tallies.py): delta rows folded every minute;
    # every contribution derived again from the source rows nightly, drift repaired and
    # reported.
    "compact-tallies": {
        "task": "peksos.core.tasks.compact_tallies",
        "schedule": crontab(minute="*"),
    },
    "check-tallies": {
        "task": "schools.tasks.check_tallies",
        "schedule": crontab(hour=20, minute=40),  # 03:40 WIB
    },
    "purge-expired-sessions": {
        "task": "peksos.accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=2, minute=15),
    },
    "monitoring-remind-observations": {
        "task": "monitoring.tasks.remind_observations",
        "schedule": crontab(hour=8, minute=0),
    },
    "monitoring-destroy-expired-records": {
        "task": "monitoring.tasks.destroy_expired_records",
        "schedule": crontab(hour=3, minute=10),
    },
    "sosdesk-destroy-expired-cases": {
        "task": "sosdesk.tasks.destroy_expired_cases",
        "schedule": crontab(hour=3, minute=25),
    },
}
# Impact report PDFs are kept this many days, then deleted (the report row stays).
REPORT_FILE_DAYS = int(env("REPORT_FILE_DAYS", "30"))
# Seconds after typing the password during which files may be downloaded without typing it
# again (peksos/accounts/reauth.py).
REAUTH_MAX_AGE = int(env("REAUTH_MAX_AGE", "900"))
# An invitation link to a new account works once, for this many days (people/services.py).
INVITATION_DAYS = int(env("INVITATION_DAYS", "7"))
# The address links in e-mails start with when no request is at hand (manage.py import_users).
SITE_URL = env("SITE_URL", "http://localhost:8000")
# The outbox relay runs right after commit when tasks are eager (embedded default);
# with a broker, beat (every 5 s) and an after-commit nudge deliver it.
OUTBOX_MAX_ATTEMPTS = 12

# --- Logging: no sensitive values; request id on every line ---------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "peksos.core.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
