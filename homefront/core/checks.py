"""Configuration mistakes reported by `homefront check`, before any request is served."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error
from django.core.checks import Tags
from django.core.checks import Warning
from django.core.checks import register
from django.core.management.base import BaseCommand


@register(Tags.security, deploy=True)
def production_settings(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if settings.PRODUCTION and not settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "HOMEFRONT_ALLOWED_HOSTS is empty in production.",
                hint="Set it to the host name(s) Homefront is served under, e.g. home.example.org.",
                id="homefront.E001",
            )
        )
    if settings.PRODUCTION and settings.DEBUG:
        problems.append(
            Error(
                "HOMEFRONT_DEBUG is on in production: it shows internals to visitors.",
                hint="Unset HOMEFRONT_DEBUG.",
                id="homefront.E002",
            )
        )
    return problems


@register(Tags.database)
def database_engine(app_configs: Any, **kwargs: Any) -> list[Error]:
    engine = settings.DATABASES["default"]["ENGINE"]
    supported = ("django.db.backends.sqlite3", "django.db.backends.postgresql")
    if engine not in supported:
        return [
            Error(
                f"DATABASE_URL selects {engine}, which Homefront does not support.",
                hint="Use a postgres:// URL, or leave DATABASE_URL unset for SQLite.",
                id="homefront.E003",
            )
        ]
    return []


_PER_PROCESS_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)
_PER_MACHINE_CACHES = ("django.core.cache.backends.filebased.FileBasedCache",)
_DATABASE_CACHES = (
    "homefront.core.cache.DatabaseCache",
    "django.core.cache.backends.db.DatabaseCache",
)


def on_postgresql() -> bool:
    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")


@register(Tags.security, Tags.caches, deploy=True)
def shared_state(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    """What every process and server must share: the key that signs sessions, and the cache
    every throttle counts in."""
    problems: list[Error | Warning] = []
    servers: int = settings.SERVERS
    postgresql = on_postgresql()
    if settings.PRODUCTION and not settings.SECRET_KEY_CONFIGURED:
        problems.append(
            Error(
                "HOMEFRONT_SECRET_KEY is not set in production: the key generated into the "
                "data folder is this machine's alone, and sessions and links signed with it "
                "are refused by any other server and lost with the folder.",
                hint="Set HOMEFRONT_SECRET_KEY_FILE (or HOMEFRONT_SECRET_KEY) to the same "
                "secret of 50 characters or more on every server.",
                id="homefront.E004",
            )
        )
    backend = settings.CACHES["default"]["BACKEND"]
    if backend in _PER_PROCESS_CACHES and (settings.PRODUCTION or servers > 1):
        problems.append(
            Error(
                f"The cache ({backend}) is each process's own: every throttle (share links, "
                "API tokens) would allow its budget once per process.",
                hint="Leave CACHES as Homefront sets it, or set HOMEFRONT_CACHE_URL.",
                id="homefront.E005",
            )
        )
    if servers > 1:
        if not postgresql:
            problems.append(
                Error(
                    f"HOMEFRONT_SERVERS is {servers}, but the database is a SQLite file, "
                    "which one machine alone can serve.",
                    hint="Set DATABASE_URL to a PostgreSQL database every server reaches.",
                    id="homefront.E006",
                )
            )
        shared = settings.CACHE_URL or (backend in _DATABASE_CACHES and postgresql)
        if not shared and backend not in _PER_PROCESS_CACHES:
            problems.append(
                Error(
                    f"HOMEFRONT_SERVERS is {servers}, but the cache ({backend}) is not shared "
                    "by the servers: each would count its own throttles.",
                    hint="Set HOMEFRONT_CACHE_URL to a Redis every server reaches.",
                    id="homefront.E007",
                )
            )
        elif shared and not settings.CACHE_URL:
            problems.append(
                Warning(
                    f"HOMEFRONT_SERVERS is {servers} and the cache is a PostgreSQL table: "
                    "shared, but every throttled request writes to the database.",
                    hint="Set HOMEFRONT_CACHE_URL to a Redis every server reaches.",
                    id="homefront.W001",
                )
            )
    return problems


# Run by `check --deploy` and at the start of `serve` and `worker` (`at_start_up`), not
# before every command: `backup` or `export` must still work while Redis is down.
START_UP = "homefront-start-up"


def at_start_up(command: BaseCommand) -> None:
    """Errors stop the command (SystemCheckError); warnings are printed."""
    command.check(tags=[START_UP], include_deployment_checks=True)


@register(Tags.caches, START_UP, deploy=True)
def cache_reachable(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    """A Redis that does not answer stops a production server or worker at start-up;
    locally, pages would work without it."""
    if not settings.CACHE_URL:
        return []
    from django.core.cache import caches

    from homefront.core.cache import CacheUnavailable
    from homefront.core.cache import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return []
    try:
        cache.ping()
    except CacheUnavailable as error:
        message = f"HOMEFRONT_CACHE_URL: Redis does not answer ({error})."
        if settings.PRODUCTION:
            return [
                Error(
                    message,
                    hint="Start Redis, or correct the address; the throttles of share links "
                    "and API tokens refuse every request without it.",
                    id="homefront.E008",
                )
            ]
        return [
            Warning(
                message,
                hint="Pages work without it, but share links and API tokens answer 429 "
                "until it does.",
                id="homefront.W002",
            )
        ]
    return []
