"""Sessions as Django's cached_db keeps them, read with their member in one round trip.

On Redis (a hosted service), the session's load asks for its own key and its member's
(`accounts/member_cache.py`) at once, where the session and then the member took two
round trips on every signed-in request: under load each waits its turn for the cores
(docs/benchmarks.md). Elsewhere it is Django's cached_db, unchanged.
"""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends import cached_db

from homefront.accounts.member_cache import keeps_session_members
from homefront.accounts.member_cache import read_with_session
from homefront.accounts.member_cache import session_member_key


class SessionStore(cached_db.SessionStore):
    _cache: Any  # Django's, untyped in its stubs

    def load(self) -> dict[str, Any]:
        read_with_session.set(None)
        if not keeps_session_members() or self.session_key is None:
            return super().load()
        member_key = session_member_key(self.session_key)
        try:
            found = self._cache.get_many([self.cache_key, member_key])
        except Exception:  # as Django's: a key the cache refuses resets the session
            found = {}
        data = found.get(self.cache_key)
        read_with_session.set((self.session_key, found.get(member_key)))
        if data is None:
            return super().load()  # from the database, and kept again
        return data
