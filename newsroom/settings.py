"""Newsroom settings: one module, every environment-dependent value read from the environment."""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
import dj_email_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NEWSROOM_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

DEVELOPMENT_SECRET_KEY = "django-insecure-newsroom-development-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    sys.exit(
        "Refusing to start: DJANGO_DEBUG=0 needs DJANGO_SECRET_KEY (a long random string kept out of the repository)."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Absolute links in feeds and sitemaps; empty means "the request's host".
NEWSROOM_SITE_URL = os.environ.get("NEWSROOM_SITE_URL", "").rstrip("/")
NEWSROOM_SITE_NAME = os.environ.get("NEWSROOM_SITE_NAME", "Newsroom")
NEWSROOM_WEATHER_URL = os.environ.get("NEWSROOM_WEATHER_URL", "https://api.open-meteo.com/v1/forecast")
NEWSROOM_WEATHER_TIMEOUT = float(os.environ.get("NEWSROOM_WEATHER_TIMEOUT", 5))
NEWSROOM_DEFAULT_CITY = os.environ.get("NEWSROOM_DEFAULT_CITY", "severo-kazakhstanskaya-oblast/petropavlovsk")

INSTALLED_APPS = [
    # The admin with two-factor sign-in for staff (newsroom/admin_site.py).
    "newsroom.apps.NewsroomAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "ckeditor",
    "ckeditor_uploader",
    "taggit",
    "import_export",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "imagekit",
    # The task queue: jobs in PostgreSQL tables made by its migrations, run by `manage.py worker`.
    "procrastinate.contrib.django",
    "newsroom.background",
    "regions",
    "articles",
    "parties",
]

# Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks);
# those headers are removed from every other request (newsroom/proxy.py).
NEWSROOM_TRUSTED_PROXIES = env_list("NEWSROOM_TRUSTED_PROXIES", [])

MIDDLEWARE = [
    # Outermost: times everything and sees the proxy's own address, to trust its X-Request-ID or not.
    "newsroom.observability.ObservabilityMiddleware",
    "newsroom.proxy.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise and the page cache, which answer on their own: static files and cache hits get them too.
    "newsroom.middleware.SecurityHeadersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Old addresses of an imported site, only where the site answers 404 (and WordPress's /?p=ID): above the page
    # cache, which drops query parameters pages do not read, and so that a cached 404 still redirects.
    "articles.legacy_redirects.LegacyRedirectMiddleware",
    # Cache hits are answered here, before the rest of the stack (see newsroom/page_cache.py).
    "newsroom.page_cache.PublicPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, deciding as it does for i18n_patterns without a default prefix (/kk/…), once.
    "newsroom.middleware.PathLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # django-otp's and Django's messages' middleware, for the admin and the editor's uploads only: a reader's
    # request does not pay for them (newsroom/middleware.py).
    "newsroom.middleware.StaffOTPMiddleware",
    "newsroom.middleware.StaffMessageMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Five failed logins for one user name from one address lock it out for 15 minutes; thirty from one
# address, whatever the names, lock the address (newsroom/login_throttle.py). The address is the
# client's, as newsroom/proxy.py read it from a trusted proxy.
AXES_HANDLER = "newsroom.login_throttle.LoginThrottle"
AXES_CLIENT_IP_CALLABLE = "newsroom.proxy.client_address"
AXES_FAILURE_LIMIT = int(os.environ.get("NEWSROOM_LOGIN_FAILURE_LIMIT", 5))
NEWSROOM_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("NEWSROOM_LOGIN_ADDRESS_FAILURE_LIMIT", 30))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("NEWSROOM_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Two-factor sign-in (TOTP app + single-use recovery codes): once a person has it, every sign-in asks for a code.
# Required, when on, for moderators and superusers; on by default whenever DEBUG is off (`make run` turns it off
# for its demo users).
NEWSROOM_REQUIRE_2FA = env_bool("NEWSROOM_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = NEWSROOM_SITE_NAME

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "newsroom.context_processors.site",
            ],
        },
    },
]

# DATABASE_URL unset: an embedded PostgreSQL (pgserver) under var/, started on first connection.
EMBEDDED_DATABASE_DIR = VAR_DIR / "pgdata"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "newsroom.embedded_postgres",
            "NAME": os.environ.get("NEWSROOM_EMBEDDED_DB_NAME", "newsroom"),
            "CONN_MAX_AGE": 60,
        }
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Parameters bound by the server, so psycopg prepares a statement a connection has run five times (the
# generation's read, a story's, a list's): PostgreSQL plans it once per connection instead of on every request.
# 0 turns preparing off, for a connection pooler in transaction mode that cannot carry prepared statements.
DATABASE_PREPARE_THRESHOLD = int(os.environ.get("DATABASE_PREPARE_THRESHOLD", 5))
DATABASES["default"].setdefault("OPTIONS", {}).update(
    server_side_binding=True, prepare_threshold=DATABASE_PREPARE_THRESHOLD or None
)
# `manage.py backup` (newsroom/backups/): where archives go (a folder of mode 0700), how many stay, and where
# pg_dump/pg_restore are when neither pgserver's bundled ones nor those on the PATH match the server.
NEWSROOM_BACKUP_DIR = Path(os.environ.get("NEWSROOM_BACKUP_DIR", VAR_DIR / "backups"))
NEWSROOM_BACKUP_KEEP = int(os.environ.get("NEWSROOM_BACKUP_KEEP", 14))
NEWSROOM_PG_BIN_DIR = os.environ.get("NEWSROOM_PG_BIN_DIR", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

if os.environ.get("REDIS_URL"):
    # Shared by every app server: kept blocks, pages and sessions (read through it, written to PostgreSQL too,
    # so a Redis restart signs nobody out). Unreachable, it answers as a miss (newsroom/shared_cache.py) within
    # half a second. Login lock-outs stay in PostgreSQL (django-axes): a Redis restart must not lift one.
    CACHES = {
        "default": {
            "BACKEND": "newsroom.shared_cache.ForgivingRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Room for the page cache of a whole site (Django's default keeps only 300 entries).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("NEWSROOM_LOCAL_CACHE_ENTRIES", 5000))},
        }
    }

# Anonymous public pages are kept this long at most; any content change makes them stale at once.
NEWSROOM_PAGE_CACHE_SECONDS = int(os.environ.get("NEWSROOM_PAGE_CACHE_SECONDS", 300))
# A page is stored at its Nth miss in a process: from the second, a crawler reading each story once fills nothing.
NEWSROOM_PAGE_CACHE_STORE_AFTER = max(1, int(os.environ.get("NEWSROOM_PAGE_CACHE_STORE_AFTER", 2)))
# The edge cache (newsroom/edge.py, README «Edge cache»): the Varnish servers (or a CDN's purge endpoint) that
# keep anonymous pages, purged by surrogate key on every change; none by default. An edge answers with a
# page it already has for this long while the origin fails (PostgreSQL down): a day.
NEWSROOM_EDGE_PURGE_URLS = env_list("NEWSROOM_EDGE_PURGE_URLS", [])
NEWSROOM_EDGE_STALE_IF_ERROR_SECONDS = int(os.environ.get("NEWSROOM_EDGE_STALE_IF_ERROR_SECONDS", 24 * 3600))
# Views and shares counted from one client address (an IPv6 /64) per 30 minutes, across all stories.
NEWSROOM_COUNTS_PER_ADDRESS = int(os.environ.get("NEWSROOM_COUNTS_PER_ADDRESS", 100))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский")), ("kk", _("Қазақша"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Almaty")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "newsroom.staticfiles.AppDirectoriesFinder",  # without CKEditor's test pages
]
# Production serves photos from an origin of its own without the site's cookies, e.g. https://media.example.kz/.
MEDIA_URL = os.environ.get("NEWSROOM_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Local mode (make run) serves uploads from the app; real deployments use a storage backend.
NEWSROOM_SERVE_MEDIA = env_bool("NEWSROOM_SERVE_MEDIA", DEBUG)
# Uploads on the local disk by default; on S3-compatible object storage when a bucket is given.
if os.environ.get("NEWSROOM_S3_BUCKET"):
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["NEWSROOM_S3_BUCKET"],
            "endpoint_url": os.environ.get("NEWSROOM_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("NEWSROOM_S3_REGION") or None,
            "access_key": os.environ.get("NEWSROOM_S3_ACCESS_KEY") or None,
            "secret_key": os.environ.get("NEWSROOM_S3_SECRET_KEY") or None,
            "custom_domain": os.environ.get("NEWSROOM_S3_CUSTOM_DOMAIN") or None,
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
        },
    }
else:
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
FILE_UPLOAD_PERMISSIONS = 0o644
NEWSROOM_MAX_UPLOAD_MB = int(os.environ.get("NEWSROOM_MAX_UPLOAD_MB", 20))
NEWSROOM_MAX_UPLOAD_MEGAPIXELS = int(os.environ.get("NEWSROOM_MAX_UPLOAD_MEGAPIXELS", 50))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Party registry imports (CSV/Excel), refused before the table is read. A national file of every party's
# organisations is a few thousand rows of 9 columns; 20 000 such rows are 4.5 MB as UTF-8 CSV, 0.7 MB as Excel.
NEWSROOM_IMPORT_MAX_MB = int(os.environ.get("NEWSROOM_IMPORT_MAX_MB", 5))
NEWSROOM_IMPORT_MAX_ROWS = int(os.environ.get("NEWSROOM_IMPORT_MAX_ROWS", 20000))
NEWSROOM_IMPORT_MAX_COLUMNS = int(os.environ.get("NEWSROOM_IMPORT_MAX_COLUMNS", 50))

# Cover renditions are made once, when the photo is saved, and never checked for at render time.
IMAGEKIT_DEFAULT_CACHEFILE_STRATEGY = "imagekit.cachefiles.strategies.Optimistic"
IMAGEKIT_CACHEFILE_DIR = "renditions"

# The editor's upload and browser are the photo library (articles/uploads.py): new pictures go to photos/. This
# folder holds the pictures uploaded before the library (migration 0028 made them library photos in place).
CKEDITOR_UPLOAD_PATH = "uploads/"
CKEDITOR_ALLOW_NONIMAGE_FILES = False
CKEDITOR_CONFIGS = {
    "default": {
        "language": "ru",
        "height": 480,
        "width": "100%",
        "toolbar": "Newsroom",
        "toolbar_Newsroom": [
            ["Format", "Bold", "Italic", "Underline", "Strike", "Subscript", "Superscript"],
            ["NumberedList", "BulletedList", "Blockquote"],
            ["Link", "Unlink", "Image", "Table", "HorizontalRule"],
            ["PasteText", "PasteFromWord", "RemoveFormat"],
            ["Undo", "Redo", "Source", "Maximize"],
        ],
        "format_tags": "p;h2;h3;h4",
        # Pasted and dropped pictures go through the same checked upload as the image dialog.
        "extraPlugins": "uploadimage",
        "uploadUrl": "/ckeditor/upload/?responseType=json",
        "removePlugins": "exportpdf",
        "pasteFromWordRemoveFontStyles": True,
        "forcePasteAsPlainText": False,
    }
}
# django-ckeditor bundles CKEditor 4.22, past its upstream end of life (ckeditor.W001). We keep it,
# contained: the editor runs only in the admin for staff, every body is sanitised on the server
# (articles/sanitize.py), and the admin has its own CSP. The editor is one widget setting.
SILENCED_SYSTEM_CHECKS = ["ckeditor.W001"]

_email = dj_email_url.parse(os.environ.get("EMAIL_URL", "console://"))
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"] or "localhost"
EMAIL_PORT = _email["EMAIL_PORT"] or 25
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"] or ""
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"] or ""
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "newsroom@example.org")

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"  # where signing in leads when `next` is missing or not a local address

# HTTPS-only cookies, HSTS and the SSL redirect are on whenever DEBUG is off;
# `make run` sets DJANGO_HTTPS=0 to serve plain HTTP on localhost.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = int(os.environ.get("NEWSROOM_SESSION_AGE", 8 * 3600))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Safe to believe on every request: newsroom/proxy.py removes it unless a trusted proxy sent it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# One JSON object a line in production, plain text in development; each record has its request id (newsroom/logs.py).
NEWSROOM_LOG_FORMAT = os.environ.get("NEWSROOM_LOG_FORMAT") or ("text" if DEBUG else "json")
if NEWSROOM_LOG_FORMAT not in {"json", "text"}:
    sys.exit(f"NEWSROOM_LOG_FORMAT must be json or text, not {NEWSROOM_LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "newsroom.logs.RequestIdFilter"}},
    "formatters": {"json": {"()": "newsroom.logs.JsonFormatter"}, "text": {"()": "newsroom.logs.TextFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": NEWSROOM_LOG_FORMAT}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "pgserver": {"level": "WARNING"},
        # runserver's own line per request would repeat newsroom.request's.
        "django.server": {"level": "WARNING"},
        # Every process that loads the task queue would otherwise list its schedules.
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
    },
}

# Background work (README, «Background work»): procrastinate's queue in PostgreSQL, run by `manage.py worker`.
PROCRASTINATE_WORKER_DEFAULTS = {"concurrency": int(os.environ.get("NEWSROOM_WORKER_CONCURRENCY", 2))}
# Retries of a workflow e-mail, after 2, 4, 8 … seconds and then every half hour: 80 span a day and a half.
NEWSROOM_MAIL_ATTEMPTS = int(os.environ.get("NEWSROOM_MAIL_ATTEMPTS", 80))
# /readyz wants a worker heartbeat this recent (a running worker beats every 10 seconds).
NEWSROOM_WORKER_SEEN_SECONDS = int(os.environ.get("NEWSROOM_WORKER_SEEN_SECONDS", 60))
# An upload nothing names is deleted only after this long: a story being written may not be saved yet.
NEWSROOM_UPLOAD_GRACE_HOURS = int(os.environ.get("NEWSROOM_UPLOAD_GRACE_HOURS", 24))
# Finished jobs are forgotten after this many days; failed ones stay, for the admin.
NEWSROOM_JOB_RETENTION_DAYS = int(os.environ.get("NEWSROOM_JOB_RETENTION_DAYS", 7))

# /metrics answers these client addresses or networks, and requests with `Authorization: Bearer <token>`; else 404.
NEWSROOM_METRICS_ALLOWED = env_list("NEWSROOM_METRICS_ALLOWED", [])
NEWSROOM_METRICS_TOKEN = os.environ.get("NEWSROOM_METRICS_TOKEN", "")
# Error reports go to Sentry only when a DSN is given (newsroom/error_reporting.py keeps personal data out).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SENTRY_ENVIRONMENT", "development" if DEBUG else "production")
SENTRY_RELEASE = os.environ.get("SENTRY_RELEASE", "")

# How long a "Поделиться черновиком" link lets someone without an account read a draft.
NEWSROOM_PREVIEW_LINK_HOURS = int(os.environ.get("NEWSROOM_PREVIEW_LINK_HOURS", 48))
# The article form keeps what is typed as a draft every few seconds (articles/drafts.py): how long an unsaved
# draft is offered back, and the largest one the server keeps (a long story with tables is some 100 KB).
NEWSROOM_DRAFT_DAYS = int(os.environ.get("NEWSROOM_DRAFT_DAYS", 14))
NEWSROOM_DRAFT_MAX_KB = int(os.environ.get("NEWSROOM_DRAFT_MAX_KB", 1024))

# Stories posted to Telegram channels (README «Telegram»): nothing is sent without a bot token. The token is a
# password (whoever holds it posts as the bot): it lives only in the environment and is kept out of the logs.
NEWSROOM_TELEGRAM_BOT_TOKEN = os.environ.get("NEWSROOM_TELEGRAM_BOT_TOKEN", "")
NEWSROOM_TELEGRAM_CHAT_ID = os.environ.get("NEWSROOM_TELEGRAM_CHAT_ID", "")
NEWSROOM_TELEGRAM_API_URL = os.environ.get("NEWSROOM_TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
