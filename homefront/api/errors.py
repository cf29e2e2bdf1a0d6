"""The API's error answers, always {"detail": "a sentence a person can read"}: the schema
every operation documents, in a module of its own so routers api.py mounts can use it."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] | None = None


ERRORS: dict[Any, Any] = {frozenset({400, 401, 403, 404, 409, 413, 422, 429}): Error}
