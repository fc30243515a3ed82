"""Maillage settings: one module, driven by environment variables.

Every variable is listed in `.env.example`. The defaults run on one laptop with nothing
else installed (SQLite in `var/`, in-memory channel layer, local-memory cache, console
e-mail). Production-like behaviour is switched on by `DEBUG=0` (the default).
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def _load_env_file(path):
    """Read KEY=VALUE lines of a local `.env` (made by `make run` from `.env.example`).

    Variables already in the environment win. Production sets real environment
    variables and has no `.env`.
    """
    try:
        lines = Path(path).read_text().splitlines()
    except (FileNotFoundError, IsADirectoryError):
        return
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        os.environ.setdefault(key.strip(), value.strip().strip('"').strip("'"))


_load_env_file(os.environ.get("MAILLAGE_ENV_FILE", BASE_DIR / ".env"))
VAR_DIR = Path(os.environ.get("MAILLAGE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1 (got {value!r}).")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {value!r}).") from None


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)


def _secret_key():
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG=0 (production mode) Maillage refuses to start "
            "without the SECRET_KEY environment variable; `make run` sets DEBUG=1 and "
            "generates a local key in var/secret_key."
        )
    # Development: a key kept in var/, generated once, never committed.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG=0 (production mode) list the host names the site "
        "answers to, comma-separated, for example ALLOWED_HOSTS=maillage.example.org."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Serve over HTTPS only (redirects, secure cookies, HSTS). On by default in production.
HTTPS = env_bool("HTTPS", not DEBUG)

INSTALLED_APPS = [
    "daphne",
    # Project apps first, so that their templates override third-party ones.
    "extranet",
    "core",
    "members",
    "directory",
    "website",
    "workgroups",
    "forum",
    "chat",
    "calendar_app",
    "workshops",
    "lending",
    "mediation",
    "files",
    "resources",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "extranet.staticfiles.MaillageStaticFilesConfig",  # django.contrib.staticfiles
    "django.contrib.humanize",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "csp",
    "channels",
    "django_htmx",
    "taggit",
    "modelcluster",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, static files included (extranet.security).
    "extranet.security.SiteCSPMiddleware",
    "core.middleware.RoleScopeMiddleware",
    # WhiteNoise answers static files itself, with its precompressed .gz/.br variants:
    # they never reach the compression below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # gzip of pages, JSON and CSV when the client accepts it; above every middleware that
    # reads or writes the body, so that it compresses last (docs/deployment.md: BREACH).
    "extranet.security.TextGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "extranet.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "extranet.middleware.DeskAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "extranet.urls"
ASGI_APPLICATION = "extranet.asgi.application"
WSGI_APPLICATION = "extranet.wsgi.application"

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
                "extranet.context_processors.desk",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or f"sqlite:///{VAR_DIR / 'maillage.sqlite3'}"
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
except Exception as exc:  # dj-database-url raises ValueError/KeyError on unknown schemes
    raise ImproperlyConfigured(
        f"DATABASE_URL is not a valid database URL ({exc}). Expected for example "
        "sqlite:///var/maillage.sqlite3 or postgres://user:password@127.0.0.1:5432/maillage."
    ) from None
if _db.get("ENGINE") not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
    raise ImproperlyConfigured(
        f"DATABASE_URL uses an unsupported engine ({_db.get('ENGINE')}): use sqlite:// or postgres://."
    )
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        # Writers take the lock at BEGIN, so concurrent writers wait instead of failing
        # half-way through; WAL lets readers go on while one writes.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # The test database's name: extranet/testing/settings.py.
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and channel layer ---------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "maillage"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 reads with a 5 s socket timeout by default, the length of
                # channels-redis's blocking BZPOPMIN: every idle websocket died with 1011
                # after 5 s. Allow the blocking read to return first.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 30}],
                "prefix": os.environ.get("CHANNELS_PREFIX", "maillage"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Number of server processes (`manage.py serve --workers N`); the in-memory channel layer
# only works inside one process, so more than one requires REDIS_URL (see extranet.asgi).
WEB_CONCURRENCY = env_int("WEB_CONCURRENCY", 1)

# --- Authentication (django-allauth) -----------------------------------------------------------
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "desk:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
# A member who mistypes or reuses an address is told so plainly: the directory of members
# is not secret inside the network, and a clear message beats a silent e-mail.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
# The extra fields (name, territory, venue) of allauth's own signup form, which keeps the
# e-mail and password fields. (ACCOUNT_FORMS["signup"] would replace the whole form.)
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Maillage] "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Maillage"
INVITATION_VALIDITY_DAYS = 14

# --- E-mail -----------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Maillage <ne-pas-repondre@maillage.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_URL = os.environ.get("EMAIL_URL", "").strip()


def _email_settings(url):
    """`console:`, `locmem:` or `smtp://user:password@host:587?tls=1` (or `?ssl=1`)."""
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.startswith("locmem:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL is not valid ({url!r}): use console:, or smtp://user:password@host:587?tls=1."
        )
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] == "1",
        "EMAIL_USE_SSL": parts.scheme == "smtps" or query.get("ssl", ["0"])[0] == "1",
    }


globals().update(_email_settings(EMAIL_URL))

# --- Internationalisation ------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# "12 h 30", month names in lower case (extranet/formats/fr/formats.py).
FORMAT_MODULE_PATH = ["extranet.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media files -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Leaflet and Leaflet.markercluster for the public map, served from their pip packages
    # (XStatic-*): /static/leaflet/leaflet.js, /static/leaflet-markercluster/...
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# With DEBUG=1 WhiteNoise serves files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
# Files browsers ask for at the root whatever the pages say (/favicon.ico,
# /apple-touch-icon.png): served by WhiteNoise from this folder, no 404 in the logs.
WHITENOISE_ROOT = BASE_DIR / "static" / "img" / "root"
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
# The files of spaces and resources: never under MEDIA_ROOT (nothing serves this folder; every
# download goes through a view that checked the permission, see FILES_SERVE).
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT", VAR_DIR / "files"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "files": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_FILES_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Where uploads are written while they arrive (chunk by chunk); best on the disk of
# PRIVATE_FILES_ROOT, so that storing a file is a rename. Empty: the system's temporary folder.
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
AVATAR_MAX_BYTES = 2 * 1024 * 1024

# Absolute address of the site, used in e-mails.
BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Public map of the venues (/annuaire/) ----------------------------------------------
# Tile server: any {z}/{x}/{y} raster URL (OpenStreetMap's by default: mind its usage
# policy for heavy traffic); the attribution is HTML shown on the map.
MAP_TILE_URL = os.environ.get("MAP_TILE_URL", "").strip() or "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
MAP_TILE_ATTRIBUTION = os.environ.get("MAP_TILE_ATTRIBUTION", "").strip() or (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)

# Geocoding in the venue form ("Trouver les coordonnées"): a search URL answering GeoJSON
# like the national address API, https://api-adresse.data.gouv.fr/search/ (empty: no
# third-party call, the button says so). Seconds before giving up.
GEOCODER_URL = os.environ.get("GEOCODER_URL", "").strip()
GEOCODER_TIMEOUT = env_int("GEOCODER_TIMEOUT", 5)


def _map_center(value):
    try:
        lat, lon = (float(part) for part in value.split(","))
    except ValueError:
        raise ImproperlyConfigured(f"MAP_CENTER must be 'latitude,longitude' (got {value!r}).") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ImproperlyConfigured(f"MAP_CENTER is not a point on Earth (got {value!r}).")
    return (lat, lon)


# Where the map opens when no venue has coordinates: "latitude,longitude" and a zoom level.
MAP_CENTER = _map_center(os.environ.get("MAP_CENTER", "").strip() or "46.6,2.4")
MAP_ZOOM = env_int("MAP_ZOOM", 6)

# --- Workshops (/bureau/ateliers/, /ateliers/) -----------------------------------------------
# How long a place freed on a full session is held for the next person on the waiting list.
WORKSHOP_OFFER_HOURS = env_int("WORKSHOP_OFFER_HOURS", 24)
# How long before a session its reminder goes out (run_workshop_tasks, from cron).
WORKSHOP_REMINDER_HOURS = env_int("WORKSHOP_REMINDER_HOURS", 48)
# A visitor's registration not confirmed by its e-mail link within this time is dropped.
WORKSHOP_CONFIRM_HOURS = env_int("WORKSHOP_CONFIRM_HOURS", 48)
# Visitors' names, e-mails and phones are erased this many days after their session
# (purge_workshop_registrants); counts and statistics stay.
WORKSHOP_RETENTION_DAYS = env_int("WORKSHOP_RETENTION_DAYS", 365)

# --- Vouchers, activity records, reports (/bureau/tickets/, /bureau/activites/, /bureau/rapports/)
# The only desk pages a partner organisation's account (a voucher prescriber) reaches; the
# first is where it lands.
PARTNER_DESK_PREFIXES = ("/bureau/tickets/",)
# Failed voucher code lookups allowed per person (and per address) in VOUCHER_GUESS_WINDOW seconds.
VOUCHER_GUESS_LIMIT = env_int("VOUCHER_GUESS_LIMIT", 10)
VOUCHER_GUESS_WINDOW = env_int("VOUCHER_GUESS_WINDOW", 900)
# How many days before a voucher's end its prescriber and venues are warned (run_voucher_tasks).
VOUCHER_WARNING_DAYS = env_int("VOUCHER_WARNING_DAYS", 30)
# Beneficiary data of vouchers ended (completed, expired, cancelled) this many days ago is
# erased (purge_voucher_beneficiaries); counts and statements stay.
VOUCHER_RETENTION_DAYS = env_int("VOUCHER_RETENTION_DAYS", 1095)

# --- Equipment lending (/bureau/materiel/)
# How long a period freed by a cancellation is held for the first request waiting for it.
LENDING_OFFER_HOURS = env_int("LENDING_OFFER_HOURS", 48)
# How many days before the pick-up and before the return their reminders go out (run_lending_tasks).
LENDING_REMINDER_DAYS = env_int("LENDING_REMINDER_DAYS", 2)
# The longest loan, in days (pick-up and return included), and how far ahead one may book.
LENDING_MAX_DAYS = env_int("LENDING_MAX_DAYS", 90)
LENDING_MAX_ADVANCE_DAYS = env_int("LENDING_MAX_ADVANCE_DAYS", 365)
# How many times a loan may be extended.
LENDING_MAX_RENEWALS = env_int("LENDING_MAX_RENEWALS", 2)

# --- Files and resource library (/bureau/fichiers/, /bureau/ressources/, /ressources/)
# Quotas in bytes: each space's files, each member's own (a coordinator may change one drive's).
FILES_QUOTA_SPACE = env_int("FILES_QUOTA_SPACE", 2 * 1024**3)
FILES_QUOTA_PERSONAL = env_int("FILES_QUOTA_PERSONAL", 500 * 1024**2)
# The largest file accepted, in bytes (also a resource's files).
FILES_MAX_SIZE = env_int("FILES_MAX_SIZE", 500 * 1024**2)
# Deleted files and folders stay this many days in the trash (purge_file_trash empties it).
FILES_TRASH_DAYS = env_int("FILES_TRASH_DAYS", 30)
# How downloads leave once allowed: "django" (the application streams them), "x-accel" (nginx
# sends FILES_ACCEL_PREFIX + the stored name, an `internal` location), or "redirect" (to the
# storage's own signed, short-lived URL: S3 with django-storages' querystring_auth).
FILES_SERVE = os.environ.get("FILES_SERVE", "django")
FILES_ACCEL_PREFIX = os.environ.get("FILES_ACCEL_PREFIX", "/_protected_files/")
# Text of PDF, ODT and DOCX files is extracted for search up to this size (bytes).
FILES_EXTRACT_MAX_SIZE = env_int("FILES_EXTRACT_MAX_SIZE", 30 * 1024**2)

# --- Wagtail ----------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Maillage"
WAGTAILADMIN_BASE_URL = BASE_URL
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "ods", "odp", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False  # accounts are managed by allauth
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAILUSERS_PASSWORD_ENABLED = False
# No third-party call by default: avatars without gravatar.com (initials instead).
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
# Monitors may probe /healthz over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
# The language cookie (footer switch) like the others: HTTPS only, not sent by cross-site
# requests. Not HttpOnly: harmless (it only holds "fr" or "en") and kept readable.
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = False
# Wagtail's live preview shows the page in a same-origin frame.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = [
    # security.W019 asks for X_FRAME_OPTIONS = "DENY"; Wagtail's preview panel needs
    # same-origin frames. Framing by other origins stays forbidden.
    "security.W019",
]

# Content-Security-Policy (django-csp 4, extranet.security): scripts, styles, fonts and
# images from the site only; no inline script or style, no eval, no plug-in, no framing.
# The JSON data blocks (<script type="application/json">) are data, not scripts: CSP does
# not block them. extranet.security adds the map's tile server (MAP_TILE_URL) to img-src
# and the site's websocket (BASE_URL) to connect-src, from their current values.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: and blob: for images made in the page (Leaflet, Wagtail's image chooser).
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        # No page may be framed; Wagtail's preview, framed by its own editor, is allowed
        # by a replacement on /cms/ only (extranet.security.ADMIN_REPLACEMENTS).
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "upgrade-insecure-requests": HTTPS,
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per background task (Wagtail's reference index) is noise.
        "django_tasks": {"level": "WARNING"},
    },
}
