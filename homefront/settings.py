"""Homefront's one settings module, configured from the environment.

docs/configuration.md documents every variable read here.
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from homefront.env import ConfigurationError
from homefront.env import env_bool
from homefront.env import env_cache_url
from homefront.env import env_choice
from homefront.env import env_int
from homefront.env import env_list
from homefront.env import env_optional_str
from homefront.env import env_str

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent

# "local" serves plain http on this machine; "production" expects https
# behind a reverse proxy and turns on every transport protection.
ENVIRONMENT = env_choice("HOMEFRONT_ENV", "local", ("local", "production"))
PRODUCTION = ENVIRONMENT == "production"

DATA_DIR = Path(env_str("HOMEFRONT_DATA_DIR", str(PROJECT_DIR / "data"))).resolve()


# Whether the key was given: in production every server must sign with the same one.
SECRET_KEY_CONFIGURED = bool(env_optional_str("HOMEFRONT_SECRET_KEY"))


def _secret_key() -> str:
    given = env_optional_str("HOMEFRONT_SECRET_KEY")
    if given:
        if len(given) < 50:
            raise ConfigurationError("HOMEFRONT_SECRET_KEY must be at least 50 characters long.")
        return given
    # First run without a configured key: make one and keep it beside the
    # database, so sessions survive restarts and nobody ships a shared default.
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    key_file.touch(mode=0o600)
    key_file.write_text(key, encoding="utf-8")
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("HOMEFRONT_DEBUG", False)
ALLOWED_HOSTS = env_list(
    "HOMEFRONT_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = env_list("HOMEFRONT_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "homefront.accounts",
    "homefront.households",
    "homefront.trips",
    "homefront.prep",
    "homefront.handoff",
    "homefront.journal",
    "homefront.debrief",
    "homefront.notify",
    "homefront.api",
    "homefront.portability",
    "homefront.photos",
    "homefront.core",
    "homefront.demo",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "template_partials.apps.SimpleAppConfig",
    "django_htmx",
    "csp",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # the API docs from its own static files, not a CDN
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # django-htmx's request.htmx; a response whose view asked it varies on HX-Request.
    "homefront.core.htmx.HtmxMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "homefront.households.middleware.CurrentHouseholdMiddleware",
    # After the user is read: their account's language, else the browser's (i18n.py).
    "homefront.i18n.LanguageMiddleware",
    "axes.middleware.AxesMiddleware",
    # So it sees a view's database error first: an outage is a 503, not a 500.
    "homefront.core.middleware.DatabaseFaultMiddleware",
    # Every write a request makes moves its households' data version, in the write's
    # transaction (households/versions.py); a failed request's writes roll back here.
    "homefront.households.versions.DataVersionMiddleware",
]

ROOT_URLCONF = "homefront.urls"
WSGI_APPLICATION = "homefront.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homefront.households.context_processors.current_household",
            ],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]


def _database() -> dict[str, object]:
    url = env_optional_str("DATABASE_URL")
    if url:
        config: dict[str, object] = dict(
            dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        )
        if config["ENGINE"] == "django.db.backends.sqlite3":
            config["OPTIONS"] = _SQLITE_OPTIONS
        return config
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "homefront.sqlite3",
        "OPTIONS": _SQLITE_OPTIONS,
        # Each process keeps its connection (the PRAGMAs below run once per connection,
        # not once per request); measured in docs/deploy.md.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


# WAL lets readers carry on while one writer writes; IMMEDIATE takes the write
# lock at BEGIN so two writers queue on the busy timeout instead of failing
# with "database is locked" halfway through a transaction.
_SQLITE_OPTIONS = {
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA foreign_keys=ON;"
        "PRAGMA busy_timeout=20000;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}

DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state. Every throttle counts in the cache, so every process of every app server
# must see the same one (docs/deploy.md). With HOMEFRONT_CACHE_URL: Redis. Without: a
# table in Homefront's own database, which every process of one box shares. Sessions are
# read from the cache before the database (cached_db, with the member in the same round
# trip on Redis: accounts/sessions.py): they outlive a Redis restart or
# outage, and even the table is cheaper to read than the ORM's session query (measured
# in docs/deploy.md).
SERVERS = env_int("HOMEFRONT_SERVERS", 1, minimum=1)
CACHE_URL = env_cache_url("HOMEFRONT_CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "homefront.core.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "homefront",
            # A Redis that does not answer costs a request at most this, once: the
            # backend then leaves it alone for a few seconds.
            "OPTIONS": {"socket_connect_timeout": 1.0, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "homefront.core.cache.DatabaseCache",
            "LOCATION": "homefront_cache",  # made by core's first migration
            # Culling counts the rows on every write past this; live counters and
            # summaries of one box stay far below it.
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        }
    }
SESSION_ENGINE = "homefront.accounts.sessions"
# Signed-in pages and API reads rendered under a household's data version are kept in the
# cache above and served again while the version holds (core/conditional.py).
KEEP_PAGES = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "homefront.accounts.backends.MemberBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SIGNUP_OPEN = env_bool("HOMEFRONT_SIGNUP_OPEN", True)
INVITATION_DAYS = env_int("HOMEFRONT_INVITATION_DAYS", 7, minimum=1)

# Login throttling: after this many failures for one email from one address,
# that pair is locked out for the cool-off period.
AXES_FAILURE_LIMIT = env_int("HOMEFRONT_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("HOMEFRONT_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The login form posts the email in "username"; axes would otherwise look for
# "email" (USERNAME_FIELD), find nothing, and count every failure against no one.
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Proxies in front: every throttle (logins, share links, API tokens) counts the address
# the outermost proxy saw, not the proxy's own. axes' ipware setting would need an extra
# package and, by default, reads only REMOTE_ADDR anyway.
PROXY_COUNT = env_int("HOMEFRONT_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "homefront.core.ratelimit.client_address"

LANGUAGE_CODE = "en"
# Each name in its own language, as a language menu shows it; docs/translating.md adds one.
LANGUAGES = [("en", "English"), ("es", "Español"), ("he", "עברית")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Photos (homefront/photos): what one upload may weigh before it is even opened, how
# many pixels it may decode to (the largest phone cameras take 48 MP: 8064 x 6048 =
# 48.8 M, so 49 M lets every phone photo through and stops a decompression bomb),
# and how many re-encoded bytes one household's photos may take.
PHOTO_MAX_UPLOAD_BYTES = env_int("HOMEFRONT_PHOTO_MAX_UPLOAD_MB", 25, minimum=1) * 1024 * 1024
PHOTO_MAX_PIXELS = env_int("HOMEFRONT_PHOTO_MAX_MEGAPIXELS", 49, minimum=1) * 1_000_000
PHOTO_HOUSEHOLD_QUOTA_BYTES = env_int("HOMEFRONT_PHOTO_QUOTA_MB", 2000, minimum=1) * 1024 * 1024

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_HOST = env_optional_str("HOMEFRONT_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("HOMEFRONT_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("HOMEFRONT_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env_str("HOMEFRONT_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("HOMEFRONT_EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("HOMEFRONT_FROM_EMAIL", "Homefront <homefront@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Web Push (notify/vapid.py): the installation's VAPID private key; without it one is made
# on first use and kept in the data folder. The contact push services may write to.
VAPID_PRIVATE_KEY = env_optional_str("HOMEFRONT_VAPID_PRIVATE_KEY")
VAPID_CONTACT = env_str("HOMEFRONT_VAPID_CONTACT", "")
# Webhooks and push endpoints on loopback, private or link-local addresses (a Home
# Assistant on the LAN) are refused unless this allows them (notify/targets.py).
ALLOW_PRIVATE_TARGETS = env_bool("HOMEFRONT_ALLOW_PRIVATE_TARGETS", False)

# Security headers. No inline script or style anywhere, so the policy needs no
# 'unsafe-inline'.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("HOMEFRONT_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("HOMEFRONT_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HOMEFRONT_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HOMEFRONT_HSTS_PRELOAD", True)
if env_bool("HOMEFRONT_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("HOMEFRONT_LOG_LEVEL", "INFO").upper()},
}
