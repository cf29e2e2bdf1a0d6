"""The signed-in users kept in the shared cache (`accounts/backends.py`), and forgetting them.

On Redis (a hosted service), each session's member is also kept under the session's own
key, so a signed-in request reads its session and its member in one round trip
(`accounts/sessions.py`); each user's set of such keys lets a change forget them all.

Every way a user, a membership or a household changes must forget the users it touches:
saves and deletes through the signals in `backends.py`, and a queryset's `update()` or
`bulk_create()`, which send none, through the querysets of those models, which call
`forget_members` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from typing import Any

from django.core.cache import cache
from django.db import transaction

MEMBER_CACHE_SECONDS = 300


def member_cache_key(user_id: Any) -> str:
    return f"member:{user_id}"


# What the session's load found under its key: (session key, the member kept there or None).
read_with_session: ContextVar[tuple[str, Any] | None] = ContextVar(
    "read_with_session", default=None
)


def session_member_key(session_key: str) -> str:
    return f"member-of-session:{session_key}"


def _sessions_of(user_id: Any) -> str:
    return f"member-sessions:{user_id}"


def keeps_session_members() -> bool:
    """Only Redis can add to a set and empty it atomically (core/cache.py)."""
    return hasattr(cache, "add_to_set")


def member_read_with_session(user_id: Any) -> Any:
    """The member the session's load found beside it, if it is this user's."""
    found = read_with_session.get()
    if found is None or found[1] is None or str(found[1][0].pk) != str(user_id):
        return None
    return found[1]


def keep_with_session(user_id: Any, member: Any) -> None:
    """Keeps the member under the key of the session being read, for its next request."""
    found = read_with_session.get()
    read_with_session.set(None)  # once per session's load
    if found is None or not keeps_session_members():
        return
    key = session_member_key(found[0])
    cache.set(key, member, MEMBER_CACHE_SECONDS)
    cache.add_to_set(  # type: ignore[attr-defined]
        _sessions_of(user_id), cache.make_and_validate_key(key), MEMBER_CACHE_SECONDS
    )


def forget_members(user_ids: Iterable[Any]) -> None:
    """Drops the cached users now and again once the change that made them stale is
    committed, for a request that read the database in between. One that read it before
    the commit and writes its copy after the second drop is the race left; the copy's
    timeout bounds it."""
    ids = {user_id for user_id in user_ids if user_id is not None}
    if not ids:
        return
    keys = [member_cache_key(user_id) for user_id in ids]

    def drop() -> None:
        cache.delete_many(keys)
        if keeps_session_members():
            for user_id in ids:
                cache.delete_made(cache.take_set(_sessions_of(user_id)))  # type: ignore[attr-defined]

    drop()
    transaction.on_commit(drop)
