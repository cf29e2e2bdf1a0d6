"""Configuration mistakes reported by `homefront check`, before any request is served."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


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
