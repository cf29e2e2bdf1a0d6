"""Typed readers for the environment variables that configure Homefront.

Each reader fails loudly with the variable's name when a value cannot be
understood, so a typo stops the process at start-up instead of surfacing as a
strange behaviour later. Every variable read here is documented in
docs/configuration.md.
"""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigurationError(ValueError):
    """An environment variable holds a value Homefront cannot use."""


def _raw(name: str) -> str | None:
    """The variable's value, or the contents of the file named by NAME_FILE."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is not None and file_name is not None:
        raise ConfigurationError(f"Set either {name} or {name}_FILE, not both.")
    if file_name is not None:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigurationError(f"{name}_FILE: cannot read {file_name}: {error}") from error
    return value


def env_str(name: str, default: str) -> str:
    value = _raw(name)
    return default if value is None else value


def env_optional_str(name: str) -> str | None:
    value = _raw(name)
    return value or None


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env_str(name, default).strip().lower()
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


_CACHE_SCHEMES = ("redis", "rediss", "unix")


def env_cache_url(name: str) -> str | None:
    """A Redis URL (redis://[:password@]host[:port][/db], rediss:// for TLS, unix:///path),
    or None when unset: checked here so a typo stops start-up instead of every request."""
    from urllib.parse import urlsplit

    value = env_optional_str(name)
    if value is None:
        return None
    expected = "a Redis URL such as redis://127.0.0.1:6379/0"
    try:
        url = urlsplit(value.strip())
        port = url.port  # raises on a port that is not a number
    except ValueError:
        raise ConfigurationError(f"{name} must be {expected}, not {value!r}.") from None
    if url.scheme not in _CACHE_SCHEMES:
        raise ConfigurationError(f"{name} must be {expected}, not {value!r}.")
    if url.scheme == "unix":
        if not url.path:
            raise ConfigurationError(f"{name} must name the socket's path: unix:///path/redis.sock")
        return value.strip()
    if not url.hostname or port == 0:
        raise ConfigurationError(f"{name} must be {expected}, not {value!r}.")
    database = url.path.lstrip("/")
    if database and not database.isdigit():
        raise ConfigurationError(
            f"{name} must end with a database number (/0, /1 …), not {url.path!r}."
        )
    return value.strip()
