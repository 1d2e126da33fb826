"""Settings shared by every environment.

Values that differ between machines come from the environment (see README.md,
"Configuration"). The environment-specific modules (dev, prod, test) import
everything from here and override what they must.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean from the environment; refuse values that are not booleans."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc served from here, not from a CDN
    "simple_history",
    "axes",
    "catalogue",
]

MIDDLEWARE = [
    # First: answers /healthz and /readyz before host checks and redirects.
    "catalogue.health.HealthMiddleware",
    # Outside the replica middleware: a database error the replica retry could not
    # save becomes a 503 page.
    "catalogue.outage.DatabaseOutageMiddleware",
    "catalogue.replicas.ReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must be last: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # AxesStandaloneBackend must come first: it refuses locked-out credentials.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "archive_site.urls"

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

WSGI_APPLICATION = "archive_site.wsgi.application"
ASGI_APPLICATION = "archive_site.asgi.application"

# Problems found in the environment's configuration: reported by `manage.py check`
# (catalogue/checks.py) with the variable's name, never its value (URLs carry passwords).
CONFIGURATION_ERRORS: list[str] = []

# Behind PgBouncer in transaction mode a client's statements may run on any server
# session: no server-side cursors, and the catalogue version is asked without PREPARE.
DATABASE_TRANSACTION_POOLING = env_bool("DATABASE_TRANSACTION_POOLING", False)


def database_config(url: str) -> dict:
    return dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        disable_server_side_cursors=DATABASE_TRANSACTION_POOLING,
    )


# DATABASE_URL: e.g. postgres://postgres@127.0.0.1:5432/treaty_archive
# Default: an SQLite file in the project folder (ignored by git).
DATABASES = {"default": database_config(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while a curator saves; a busy timeout avoids
    # "database is locked" under the development server's threads.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"].setdefault("TEST", {"NAME": ""})  # in-memory test database

# DATABASE_REPLICA_URLS: comma-separated PostgreSQL streaming replicas of DATABASE_URL,
# read by public requests (catalogue/replicas.py). None by default.
DATABASE_REPLICAS: list[str] = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    try:
        _replica = database_config(_url)
    except ValueError:
        CONFIGURATION_ERRORS.append(f"DATABASE_REPLICA_URLS: entry {_number} is not a database URL.")
        continue
    if _replica["ENGINE"] != "django.db.backends.postgresql" or not _replica.get("NAME"):
        CONFIGURATION_ERRORS.append(
            f"DATABASE_REPLICA_URLS: entry {_number} must be a postgres://user@host:port/name URL "
            "of a streaming replica of DATABASE_URL."
        )
        continue
    # A replica that does not answer quickly is skipped for the primary.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    _replica["TEST"] = {"MIRROR": "default"}  # test runs read the test database through it
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
if DATABASE_REPLICAS and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    CONFIGURATION_ERRORS.append("DATABASE_REPLICA_URLS needs DATABASE_URL to be the PostgreSQL primary.")
    for _alias in DATABASE_REPLICAS:
        del DATABASES[_alias]
    DATABASE_REPLICAS = []
DATABASE_ROUTERS = ["catalogue.replicas.ReplicaRouter"]
# How long after a write (any POST) a browser reads from the primary rather than a replica.
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", "15"))
# How long a replica found unreachable is left out before it is tried again.
REPLICA_RETRY_SECONDS = int(os.environ.get("REPLICA_RETRY_SECONDS", "5"))
# The Retry-After of the 503 page answered while the database is unreachable.
OUTAGE_RETRY_AFTER_SECONDS = int(os.environ.get("OUTAGE_RETRY_AFTER_SECONDS", "5"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")

# Uploaded scans: the largest file accepted, in bytes (README states it).
SCAN_MAX_UPLOAD_BYTES = int(os.environ.get("SCAN_MAX_UPLOAD_BYTES", str(40 * 1024 * 1024)))
# Decompression-bomb guard: the most pixels a scan may decode to.
SCAN_MAX_PIXELS = int(os.environ.get("SCAN_MAX_PIXELS", str(120_000_000)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Caching: the local-memory cache by default; REDIS_URL switches to a shared Redis
# cache (several server processes or machines share cached pages). A Redis that is
# down or slow is skipped (catalogue/cache.py): pages are served uncached.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "treaty-archive",
        "TIMEOUT": 600,
    }
}
if REDIS_URL:
    from redis.connection import parse_url as _parse_redis_url

    try:
        _parse_redis_url(REDIS_URL)
    except ValueError:
        CONFIGURATION_ERRORS.append(
            "REDIS_URL is not a Redis URL (redis://host:port/db, rediss://... or unix://...); "
            "the local-memory cache is used instead."
        )
    else:
        CACHES["default"] = {
            "BACKEND": "catalogue.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 600,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }

# django-axes: lock an account/IP pair after five failed admin logins in a row.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "1"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Treaty Archive API",
    "DESCRIPTION": "Read-only access to the published catalogue of treaties.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Several choice sets are called "kind": name each one in the schema.
    "ENUM_NAME_OVERRIDES": {
        "SourceKindEnum": "catalogue.models.Source.Kind",
        "ProtocolKindEnum": "catalogue.models.ProtocolKind",
        "TitleKindEnum": "catalogue.models.TreatyTitle.Kind",
        "StateNameKindEnum": "catalogue.models.StateName.Kind",
        "RelationKindEnum": "catalogue.models.RelationKind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Where the public site lives, for permalinks in citations and exports.
SITE_BASE_URL = os.environ.get("SITE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = os.environ.get("SITE_NAME", "Treaty Archive")

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
