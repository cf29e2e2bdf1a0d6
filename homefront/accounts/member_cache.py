"""The signed-in users kept in the shared cache (`accounts/backends.py`), and forgetting them.

Every way a user, a membership or a household changes must forget the users it touches:
saves and deletes through the signals in `backends.py`, and a queryset's `update()` or
`bulk_create()`, which send none, through the querysets of those models, which call
`forget_members` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db import transaction

MEMBER_CACHE_SECONDS = 300


def member_cache_key(user_id: Any) -> str:
    return f"member:{user_id}"


def forget_members(user_ids: Iterable[Any]) -> None:
    """Drops the cached users now and again once the change that made them stale is
    committed, for a request that read the database in between. One that read it before
    the commit and writes its copy after the second drop is the race left; the copy's
    timeout bounds it."""
    keys = [member_cache_key(user_id) for user_id in set(user_ids) if user_id is not None]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
