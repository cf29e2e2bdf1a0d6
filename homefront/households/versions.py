"""The household's data version: one number that moves with every write to its data.

`Household.data_version` changes in the same transaction as each write to a household's
data (its profile, trips, covers, prep, journal, photos, share links, members...), so a
page or fragment computed at version V can be kept under V and served as long as the
version is V: it can never show data older than what was committed before it was asked
for. Conditional GET (`core/conditional.py`) and the cached fragments build on it.

Where it is moved:

- **Every request** (`DataVersionMiddleware`): while a request runs, each statement that
  writes a table of household data (anything but the bookkeeping in `BOOKKEEPING`) moves
  the version of the request's households in the same transaction; a write outside any
  transaction is wrapped in one with it. The request's households are its member's (all
  of them, for a grandparent in two families), its API token's, its share link's
  (`access.act_as_share_link`), and any a view names with `note_writes_to`. So a new view,
  form or API operation needs nothing: its writes are seen where they are executed.
- **Outside a request** (a management command, the worker, a script): call
  `bump(household_id)` inside the transaction of the write, or run the writes inside
  `watching(household_id)`. A view that writes to a household the request does not
  belong to yet (accepting an invitation) calls `note_writes_to(request, household_id)`
  before writing.

`core/tests/test_data_version.py` walks every URL and API operation as every actor and
fails when a request changed a household's rows and its version did not move, or a
read moved it. A write that ended up changing nothing may move it (an update to the
same value): a page is rendered again for nothing, never shown stale.

Each move adds a random step, so a version is never reused: not after a database is
restored from a backup while the shared cache kept pages of later versions, not by
another test database reusing a household's id.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection
from django.db import transaction
from django.http import HttpRequest
from django.http import HttpResponse

# Rows that are a visitor's or the server's bookkeeping, not the household's data: a
# session, a cached value or counter, the sign-in log, the worker's schedule and queue.
BOOKKEEPING = re.compile(
    r"^(django_session|homefront_cache|axes_\w+|notify_schedule|django_tasks\w*"
    r"|households_household_version)$"
)
# Single columns written as a side effect of reading: when a token, a feed or a user
# last did something. Written alone, they change nothing a page shows as data.
TRACES = re.compile(
    r'^UPDATE "?(api_accesstoken|trips_calendarfeed|accounts_user)"? SET '
    r'"?(last_used_at|last_fetched_at|last_login)"? = \S+ WHERE',
    re.IGNORECASE,
)
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
MOVE = "UPDATE households_household SET data_version = data_version + %s WHERE id IN ({})"
# A step up to 2**20: 2**43 moves before a signed 64-bit column is full.
STEP_BITS = 20


def bump(*household_ids: int) -> None:
    """Moves the data version of these households. Call it inside the transaction that
    writes their data, wherever no request's `DataVersionMiddleware` sees the write (a
    management command, the worker); inside a request the middleware already does."""
    ids = sorted({int(pk) for pk in household_ids if pk is not None})
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            MOVE.format(", ".join(["%s"] * len(ids))),
            [1 + secrets.randbits(STEP_BITS), *ids],
        )


def versions_of(household_ids: Iterable[int]) -> dict[int, int]:
    """The current versions, read from the database (never from a cached household)."""
    ids = sorted(set(household_ids))
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, data_version FROM households_household WHERE id IN ({})".format(  # noqa: S608
                ", ".join(["%s"] * len(ids))
            ),
            ids,
        )
        return {int(pk): int(version) for pk, version in cursor.fetchall()}


def is_household_write(sql: str) -> bool:
    if sql.startswith(MOVE[:48]):  # a version moving, by another watcher
        return False
    match = WRITE.match(sql)
    if match is None:
        return False
    return not (BOOKKEEPING.match(match.group(1)) or TRACES.match(sql.lstrip()))


def in_transaction() -> bool:
    """Inside a transaction of the code's own (a test case's wrapping block is not one:
    there a lone statement would commit alone outside the test)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class _Watcher:
    """An execute wrapper: with each write to household data, the version moves.

    A write inside a transaction moves it right after, in that transaction. A write
    outside any (a lone `save()`) would commit alone: it opens a transaction instead,
    moves the version and runs in it, and so does the rest of the request or block, up
    to `finish()`: the request's writes commit together, the version with them.
    """

    def __init__(self, households: Callable[[], set[int]]) -> None:
        self.households = households
        self.moving = False
        self.opened: Any = None

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if self.moving or not is_household_write(sql):
            return execute(sql, params, many, context)
        ids = self.households()
        if not ids:
            return execute(sql, params, many, context)
        if not in_transaction():
            self.opened = transaction.atomic()
            self.opened.__enter__()
        try:
            result = execute(sql, params, many, context)
            self._move(ids)
        except BaseException as error:
            # A write that fails straight in the transaction opened here (a full disk)
            # ends it now, as the lone statement it was would have: the outage page
            # can then read the database.
            if self.opened is not None and connection.atomic_blocks[-1] is self.opened:
                self.finish(error)
            raise
        return result

    def _move(self, ids: set[int]) -> None:
        self.moving = True
        try:
            bump(*ids)
        finally:
            self.moving = False

    def finish(self, error: BaseException | None = None, *, failed: bool = False) -> None:
        """Commits the transaction a lone write opened; rolls it back on an error."""
        opened, self.opened = self.opened, None
        if opened is None or not any(block is opened for block in connection.atomic_blocks):
            return  # ended already, with the write that failed in it
        if failed and error is None:
            transaction.set_rollback(True)
        if error is None:
            opened.__exit__(None, None, None)
        else:
            opened.__exit__(type(error), error, error.__traceback__)


@contextmanager
def _installed(watcher: _Watcher) -> Iterator[None]:
    """Like `connection.execute_wrapper`, but removed by identity: a wrapper appended
    after it meanwhile (by a `connection_created` handler) stays, and this one goes."""
    wrappers = connection.execute_wrappers
    wrappers.append(watcher)
    try:
        yield
    finally:
        if watcher in wrappers:
            wrappers.remove(watcher)


@contextmanager
def watching(*household_ids: int) -> Iterator[None]:
    """Every write in the block moves these households' versions (for commands)."""
    ids = {int(pk) for pk in household_ids}
    watcher = _Watcher(lambda: ids)
    try:
        with _installed(watcher):
            yield
    except BaseException as error:
        watcher.finish(error)
        raise
    watcher.finish()


def note_writes_to(request: HttpRequest, household_id: int) -> None:
    """Tells the middleware that this request writes to `household_id` as well, one the
    request's member does not belong to yet (accepting an invitation)."""
    noted: set[int] = request.__dict__.setdefault("_households_written", set())
    noted.add(int(household_id))


def households_of(request: HttpRequest) -> set[int]:
    """The households a request's writes belong to, as it stands now."""
    ids = {m.household_id for m in getattr(request, "memberships", ())}
    for holder in (request, getattr(request, "_actor", None)):
        household = getattr(holder, "household", None)
        if household is not None:
            ids.add(household.pk)
    ids |= request.__dict__.get("_households_written", set())
    return ids


class DataVersionMiddleware:
    """Moves the data version of the request's households with every write it makes.

    Sits after `DatabaseFaultMiddleware`: a view's database error rolls back the writes
    of the request here, then becomes the outage page there."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        watcher = _Watcher(lambda: households_of(request))
        inside = _IN_REQUEST.set(True)
        try:
            with _installed(watcher):
                response = self.get_response(request)
        except BaseException as error:
            watcher.finish(error)
            raise
        finally:
            _IN_REQUEST.reset(inside)
        watcher.finish(failed=response.status_code >= 500)
        return response


_IN_REQUEST: ContextVar[bool] = ContextVar("homefront_in_request", default=False)


def in_request() -> bool:
    """Whether a request's `DataVersionMiddleware` watches the writes made now."""
    return _IN_REQUEST.get()
