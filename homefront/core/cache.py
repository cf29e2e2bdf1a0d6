"""The cache every process of an installation shares (settings.CACHES, docs/deploy.md).

Two backends, both Django's own with one change each:

- `DatabaseCache`, the default on one box: the table `homefront_cache` in Homefront's
  own database (made by migrate), so every gunicorn worker, the background worker and
  any command see the same counters. Django's `incr` is a get then a set, which loses
  counts when two processes increment at once; here it is one locked transaction. Reads
  leave expired rows to the database (`expires` in the query), where Django converted
  each row's date in Python and deleted the expired ones on the read: every signed-in
  request reads twice (the session, the member), and this is a third of their cost.
- `RedisCache`, with HOMEFRONT_CACHE_URL, for several app servers. When Redis does not
  answer, reads miss and writes are dropped, so every page keeps working (sessions fall
  back to the database); only `add` and `incr`, the throttles' counting, raise, so each
  throttle can refuse instead of letting guesses through uncounted. After a failure,
  Redis is left alone for a few seconds so an outage costs no time per request.
"""

from __future__ import annotations

import base64
import logging
import pickle
import time
from collections.abc import Callable
from typing import Any
from typing import TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import connections
from django.db import router
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger("homefront.cache")

T = TypeVar("T")

# How long a failed Redis is skipped before the next try.
REDIS_RETRY_SECONDS = 5.0


class CacheUnavailable(Exception):
    """The shared cache cannot be reached; counting is impossible right now."""


class DatabaseCache(DjangoDatabaseCache):
    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self.get_many([key], version=version).get(key, default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not key_map:
            return {}
        connection = connections[router.db_for_read(self.cache_model_class)]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        placeholders = ", ".join(["%s"] * len(key_map))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT cache_key, value FROM {table} "  # noqa: S608
                f"WHERE cache_key IN ({placeholders}) AND expires > %s",
                [*key_map, now],
            )
            rows = cursor.fetchall()
        return {
            key_map[made]: pickle.loads(  # noqa: S301
                base64.b64decode(connection.ops.process_clob(value).encode())
            )
            for made, value in rows
        }

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> Any:
        if delta == 0:  # a read: nothing to lock
            value = self.get(key, version=version)
            if value is None:
                raise ValueError(f"Key {key!r} not found.")
            return value
        made = self.make_and_validate_key(key, version=version)
        alias = router.db_for_write(self.cache_model_class)
        connection = connections[alias]
        table = connection.ops.quote_name(self._table)  # type: ignore[attr-defined]
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        # On SQLite the transaction begins IMMEDIATE (settings): it holds the write lock
        # from its first statement; on PostgreSQL the row lock does the same.
        with transaction.atomic(using=alias), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT value FROM {table} WHERE cache_key = %s AND expires > %s{lock}",  # noqa: S608
                [made, now],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key {key!r} not found.")
            value = pickle.loads(base64.b64decode(connection.ops.process_clob(row[0]).encode()))  # noqa: S301
            value += delta
            encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET value = %s WHERE cache_key = %s",  # noqa: S608
                [encoded, made],
            )
        return value


class KeptClientRedisCacheClient(RedisCacheClient):
    """Django makes a new `redis.Redis` for every cache call, over the same connection
    pool; building one fills its table of reply parsers, which cost a signed-in request
    more than its two round trips to Redis (docs/benchmarks.md). One client per pool is
    kept instead: a client is only the pool and those parsers, safe to share between
    threads, and the pool itself reconnects after a fork."""

    # Django's own, untyped in its stubs.
    _client: Callable[..., Any]
    _get_connection_pool_index: Callable[[bool], int]
    _get_connection_pool: Callable[[bool], Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(
                connection_pool=self._get_connection_pool(write)
            )
        return client


class RedisCache(DjangoRedisCache):
    _down_until = 0.0  # per process: each process finds out for itself

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = KeptClientRedisCacheClient

    def _call(self, what: str, call: Callable[[], T]) -> T:
        if time.monotonic() < self._down_until:
            raise CacheUnavailable("Redis did not answer a moment ago.")
        try:
            return call()
        except redis.RedisError as error:
            type(self)._down_until = time.monotonic() + REDIS_RETRY_SECONDS
            logger.warning("The shared cache (Redis) failed on %s: %s", what, error)
            raise CacheUnavailable(str(error)) from error

    def _quiet(self, what: str, call: Callable[[], T], fallback: T) -> T:
        try:
            return self._call(what, call)
        except CacheUnavailable:
            return fallback

    # Counting: raises CacheUnavailable, so a throttle can refuse.
    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._call("add", lambda: super(RedisCache, self).add(key, value, timeout, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        return self._call("incr", lambda: super(RedisCache, self).incr(key, delta, version))

    # Everything else degrades: a miss, or a write that did not happen.
    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._quiet(
            "get", lambda: super(RedisCache, self).get(key, default, version), default
        )

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._quiet("get_many", lambda: super(RedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._quiet("has_key", lambda: super(RedisCache, self).has_key(key, version), False)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._quiet("set", lambda: super(RedisCache, self).set(key, value, timeout, version), None)

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._quiet(
            "set_many", lambda: super(RedisCache, self).set_many(data, timeout, version), []
        )

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._quiet(
            "touch", lambda: super(RedisCache, self).touch(key, timeout, version), False
        )

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._quiet("delete", lambda: super(RedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._quiet("delete_many", lambda: super(RedisCache, self).delete_many(keys, version), None)

    # A set of keys, for the signed-in members kept under each session's key
    # (accounts/member_cache.py): Redis adds to it and empties it in one step each, so two
    # servers adding at once lose nothing, where a list read and written back would.
    def add_to_set(self, key: Any, member: str, timeout: int) -> None:
        made = self.make_and_validate_key(key)
        client = self._cache.get_client(write=True)  # type: ignore[attr-defined]

        def add() -> None:
            client.pipeline().sadd(made, member).expire(made, timeout).execute()

        self._quiet("add_to_set", add, None)

    def take_set(self, key: Any) -> list[str]:
        """The set's members, and the set gone, in one step."""
        made = self.make_and_validate_key(key)
        client = self._cache.get_client(write=True)  # type: ignore[attr-defined]

        def take() -> list[str]:
            members, _ = client.pipeline().smembers(made).delete(made).execute()
            return [m.decode() for m in members]

        return self._quiet("take_set", take, [])

    def delete_made(self, made_keys: list[str]) -> None:
        """Deletes keys already made by `make_key` (as `add_to_set` kept them)."""
        if made_keys:
            client = self._cache.get_client(write=True)  # type: ignore[attr-defined]
            self._quiet("delete_made", lambda: client.delete(*made_keys), None)

    def ping(self) -> None:
        """Raises CacheUnavailable unless Redis answers now (the start-up check)."""
        client = self._cache.get_client(write=True)  # type: ignore[attr-defined]
        try:
            client.ping()
        except redis.RedisError as error:
            raise CacheUnavailable(str(error)) from error
