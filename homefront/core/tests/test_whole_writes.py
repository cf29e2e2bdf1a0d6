"""Writes whole or not at all: every request that writes more than one row writes them in
one transaction, so a failure half-way (a full disk, a constraint, a bug, a killed
process) leaves nothing behind.

Homefront uses explicit `transaction.atomic` around each multi-row write, not
`ATOMIC_REQUESTS` (see docs/architecture.md, "Writes"). These tests keep that honest:

- Every URL of the project (the live resolver, walked as test_isolation.py walks it) is
  posted to as a parent with the form its page shows, and every API write operation
  is called with a body that works; then the deeper writes a default form does not
  reach (a trip with its prep plan, an entry logged, edited, deleted and restored, a
  phone-tree move, a batch of entries, a share link's log, a sign-up). Each write
  statement is noted with the transaction it ran in; more than one transaction in one
  request fails the test, unless the request is listed in STAGED with the reason.
- A database trigger that fails the second row of a multi-row write (the way a full
  disk would, half-way) shows that nothing of the first row is left.
"""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import resolve
from django.urls import reverse
from django.utils import timezone

from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.tests import test_isolation
from homefront.households.tests.test_isolation import API_ENDPOINTS
from homefront.households.tests.test_isolation import ENDPOINTS
from homefront.households.tests.test_isolation import JSON_BODY
from homefront.households.tests.test_isolation import TOKEN_CHECKS
from homefront.households.tests.test_isolation import api_body
from homefront.households.tests.test_isolation import api_target
from homefront.households.tests.test_isolation import params
from homefront.households.tests.test_isolation import payload
from homefront.households.tests.test_isolation import send
from homefront.households.tests.test_isolation import urls_of
from homefront.journal.models import JournalEntry
from homefront.photos import testing as photo_testing
from homefront.prep.models import PrepTask
from homefront.testing.trips import api_trip
from homefront.trips.models import Trip

family = test_isolation.family

WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
# Rows that are the visitor's state or the server's bookkeeping, not the household's:
# a session, a cached counter, django-axes' log of sign-ins. Losing one of them with
# the rest of a failed request, or keeping it, changes nothing a person relies on.
# The worker's schedule is brought forward after a write (notify/due.py, a signal): in
# its transaction when it has one, else just after it; one lost to a crash in between
# delays that household's planning by at most a day (notify/plan/planning.py, AT_LEAST_EVERY).
BOOKKEEPING = re.compile(r"^(django_session|homefront_cache|axes_\w+|notify_schedule)$")
# ...and an API token's "last used" time, written as the request is authenticated.
TOKEN_USED = re.compile(r'^UPDATE "api_accesstoken" SET "last_used_at" = \S+ WHERE')

# Requests that write in more than one transaction on purpose, and why.
STAGED: dict[str, str] = {
    # A message is stored and claimed (each a commit of its own) before the network call,
    # so no transaction is held open while a mail server or a push service answers, and
    # a process killed mid-send leaves a visible claim that is retried, never a lost
    # message. Its outcome (the attempt and the message's state) is then written whole.
    "notify:send_test": "stored, claimed, then its outcome",
}


@dataclass
class Writes:
    """The tables each write statement touched, with the transaction it ran in."""

    seen: list[tuple[str, int]] = field(default_factory=list)
    counter: Iterator[int] = field(default_factory=itertools.count)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        # Noted once the statement ran: a lone write to household data opens the
        # transaction it runs in, with its data version (households/versions.py).
        result = execute(sql, params, many, context)
        match = WRITE.match(sql)
        if match and not (BOOKKEEPING.match(match.group(1)) or TOKEN_USED.match(sql)):
            # The test's own atomic blocks (pytest-django's) are not the request's.
            blocks = [b for b in connection.atomic_blocks if not b._from_testcase]
            # Outside any atomic block, a statement is a transaction of its own.
            self.seen.append((match.group(1), id(blocks[0]) if blocks else -next(self.counter)))
        return result

    @property
    def transactions(self) -> list[list[str]]:
        grouped: dict[int, list[str]] = {}
        for table, key in self.seen:
            grouped.setdefault(key, []).append(table)
        return list(grouped.values())


@contextmanager
def noted() -> Iterator[Writes]:
    writes = Writes()
    with connection.execute_wrapper(writes):
        yield writes


def assert_whole(name: str, writes: Writes, what: str) -> None:
    transactions = writes.transactions
    if name in STAGED:
        return
    assert len(transactions) <= 1, (
        f"{what} wrote in {len(transactions)} transactions: {transactions}. Wrap the "
        "writes in one transaction.atomic(), or list the view in STAGED with the reason."
    )


# -- Every URL, as its page posts it ----------------------------------------------------------

POSTABLE = [e for e in ENDPOINTS if e.name not in TOKEN_CHECKS]


@pytest.mark.parametrize("endpoint", params(POSTABLE))
def test_every_form_writes_in_one_transaction(family, endpoint):
    client = family.client_for(family.parent)
    for target in urls_of(family, endpoint):
        data = payload(client, target.url, family)
        with noted() as writes:
            response = send(client, "post", target.url, {}, data)
        assert response.status_code < 500, target
        assert_whole(endpoint.name, writes, f"POST {target}")


def _api_writes() -> list[Any]:
    """Every write operation of the JSON API, from its OpenAPI description."""
    from homefront.api.api import api

    by_name = {endpoint.name: endpoint for endpoint in API_ENDPOINTS}
    found = []
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method in sorted(set(operations) - {"get"}):
            name = resolve(path.replace("{pk}", "1")).view_name
            found.append(pytest.param(by_name[name], method, id=f"{method.upper()} {path}"))
    return found


API_WRITES = _api_writes()


def test_the_api_has_write_operations_to_check():
    assert len(API_WRITES) >= 4, API_WRITES


@pytest.mark.parametrize(("endpoint", "method"), API_WRITES)
def test_every_api_write_is_one_transaction(family, endpoint, method):
    under_way(family)
    target = api_target(family, endpoint)
    body = api_body(family) | {
        "birth_date": "2023-01-02",
        **future_trip(family),
    }
    headers = {"Authorization": f"Bearer {family.api_secret}"}
    with noted() as writes:
        if target.url.endswith("/photos"):  # a photo goes as a file in a form
            photo = photo_testing.Rewinding(photo_testing.phone_jpeg(), "IMG_0004.jpg")
            response = Client().post(
                target.url,
                {"photo": photo, "uuid": str(uuid.uuid4()), "children": [family.child.pk]},
                headers=headers,
            )
        else:
            response = getattr(Client(), method)(
                target.url, json.dumps(body), content_type="application/json", headers=headers
            )
    assert response.status_code < 300, (target.url, response.content[:500])
    assert_whole(endpoint.name, writes, f"{method.upper()} {target.url}")


# -- The deeper writes ---------------------------------------------------------------------


def under_way(family: Any) -> Trip:
    """The family's trip, moved to have started yesterday, so its journal is open."""
    now = timezone.now()
    Trip.objects.filter(pk=family.trip.pk).update(
        starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2)
    )
    family.trip.refresh_from_db()
    return family.trip


def future_trip(family: Any) -> dict[str, str]:
    """A trip a month from now, long enough to get a prep plan, as the API takes it."""
    return api_trip(family, 30, 4, "Lisbon", destination_zone="Europe/Lisbon", kind="planned")


def entry(family: Any, **fields: Any) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "kind": "note",
        "children": [family.child.pk],
        "occurred_at": timezone.now().isoformat(),
        "text": "Built a den",
        **fields,
    }


Request = tuple[Client, str, dict[str, Any]]


def trip_with_a_plan(family: Any) -> Request:
    client = family.client_for(family.parent)
    url = reverse("trips:create")
    trip = future_trip(family)
    data = payload(client, url, family) | {k: v for k, v in trip.items() if k != "kind"}
    return client, url, data


def trip_moved(family: Any) -> Request:
    client = family.client_for(family.parent)
    url = reverse("trips:edit", args=[family.trip.pk])
    data = payload(client, url, family) | {
        k: v for k, v in future_trip(family).items() if k != "kind"
    }
    return client, url, data


def entry_logged(family: Any) -> Request:
    under_way(family)
    client = family.client_for(family.parent)
    url = reverse("journal:log", args=[family.trip.pk])
    return client, url, {"uuid": str(uuid.uuid4()), "kind": "bath", "children": [family.child.pk]}


def batch_synced(family: Any) -> Request:
    under_way(family)
    client = family.client_for(family.parent)
    url = reverse("journal:sync", args=[family.trip.pk])
    return client, url, {JSON_BODY: {"entries": [entry(family), entry(family, kind="bath")]}}


def shared_log(family: Any) -> Request:
    under_way(family)
    url = reverse("journal:shared_log", args=[family.share_token])
    return Client(), url, {"uuid": str(uuid.uuid4()), "kind": "bath", "children": [family.child.pk]}


def shared_batch(family: Any) -> Request:
    under_way(family)
    url = reverse("journal:shared_sync", args=[family.share_token])
    return Client(), url, {JSON_BODY: {"entries": [entry(family), entry(family, kind="bath")]}}


def entry_edited(family: Any) -> Request:
    under_way(family)
    client = family.client_for(family.parent)
    logged: JournalEntry = family.journal_entry
    JournalEntry.objects.filter(pk=logged.pk).update(occurred_at=timezone.now())
    url = reverse("journal:edit_entry", args=[logged.pk])
    data = payload(client, url, family) | {
        "children": [str(family.child.pk)],
        "text": "Lost a tooth at tea",
        "version": "1",
    }
    return client, url, data


def entry_restored(family: Any) -> Request:
    client = family.client_for(family.parent)
    logged: JournalEntry = family.journal_entry
    client.post(reverse("journal:delete_entry", args=[logged.pk]), {"version": 1})
    return client, reverse("journal:restore_entry", args=[logged.pk]), {"version": "2"}


def backup_moved_up(family: Any) -> Request:
    uncle = Contact(
        household=family.household, name="Uncle Sam", phone="55501", roles=[ContactRole.BACKUP]
    )
    uncle.save()
    tree = Contact.phone_tree(family.household.pk)
    url = reverse("households:contact_move_up", args=[uncle.pk])
    return family.client_for(family.parent), url, {"tree": [str(pk) for pk in tree]}


def backup_deleted(family: Any) -> Request:
    for name in ("Uncle Sam", "Aunt Jo"):
        Contact(household=family.household, name=name, phone="5", roles=["backup"]).save()
    url = reverse("households:contact_delete", args=[family.contact.pk])
    return family.client_for(family.parent), url, {}


def signed_up(family: Any) -> Request:
    data = {
        "name": "Sam New",
        "email": "sam.new@example.com",
        "password1": "a long enough passphrase 42",
        "password2": "a long enough passphrase 42",
    }
    return Client(), reverse("accounts:signup"), data


DEEPER: dict[str, Callable[[Any], Request]] = {
    "a trip with its prep plan": trip_with_a_plan,
    "a trip moved, its plan with it": trip_moved,
    "an entry logged": entry_logged,
    "a batch of entries": batch_synced,
    "an entry logged through a share link": shared_log,
    "a batch through a share link": shared_batch,
    "an entry edited": entry_edited,
    "an entry restored": entry_restored,
    "a backup moved up": backup_moved_up,
    "a backup deleted, the tree renumbered": backup_deleted,
    "a sign-up": signed_up,
}


@pytest.mark.parametrize("what", list(DEEPER))
def test_the_deeper_writes_are_one_transaction_each(family, what, settings):
    settings.SIGNUP_OPEN = True
    client, url, data = DEEPER[what](family)
    with noted() as writes:
        response = send(client, "post", url, {}, data)
    form = response.context.get("form") if response.context else None
    assert response.status_code < 400, (url, response.status_code, form and form.errors)
    # Each really wrote more than one row, or this test proves nothing.
    assert len(writes.seen) > 1, writes.seen
    assert_whole(what, writes, f"{what} (POST {url})")


def test_a_new_trip_really_gets_a_prep_plan_here(family):
    """The trip above is one the planner plans for, so its write is a multi-row one."""
    client, url, data = trip_with_a_plan(family)
    send(client, "post", url, {}, data)
    trip = Trip.objects.exclude(pk=family.trip.pk).get(household=family.household)
    assert PrepTask.objects.filter(trip=trip).count() > 1


# -- A failure half-way leaves nothing ----------------------------------------------------------


@contextmanager
def failing(table: str, event: str, when: str = "") -> Iterator[None]:
    """A trigger that fails every row of `event` (INSERT or UPDATE) on `table` matching
    `when`, as a full disk would fail a write half-way: PostgreSQL's own disk_full error
    (a 503), SQLite's constraint error (a 500)."""
    name = f"homefront_test_half_way_{table}"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' "
                "USING ERRCODE = 'disk_full'; END $$"
            )
            condition = f"WHEN ({when})" if when else ""
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW {condition} "
                f"EXECUTE FUNCTION {name}()"
            )
        else:
            condition = f"WHEN {when}" if when else ""
            cursor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} {condition} "
                "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def broken_client(family: Any) -> Client:
    """The parent's browser, getting the error page a server would send."""
    client = Client(raise_request_exception=False)
    client.force_login(family.parent)
    return client


@pytest.mark.django_db(transaction=True)
def test_a_trip_whose_prep_plan_fails_half_way_is_not_saved_at_all(family):
    client = broken_client(family)
    _, url, data = trip_with_a_plan(family)
    trips = list(Trip.objects.values_list("pk", flat=True))

    with failing("prep_preptask", "INSERT"):
        response = send(client, "post", url, {}, data)

    assert response.status_code >= 500
    assert list(Trip.objects.values_list("pk", flat=True)) == trips  # the trip row too
    # ...and once the disk has room again, the same form saves the trip with its plan.
    assert send(client, "post", url, {}, data).status_code == 302
    trip = Trip.objects.exclude(pk__in=trips).get()
    assert PrepTask.objects.filter(trip=trip).count() > 1


@pytest.mark.django_db(transaction=True)
def test_a_delete_whose_history_row_fails_leaves_the_entry_as_it_was(family):
    client = broken_client(family)
    logged: JournalEntry = family.journal_entry
    url = reverse("journal:delete_entry", args=[logged.pk])

    with failing("journal_entrychange", "INSERT"):
        response = client.post(url, {"version": 1})

    assert response.status_code >= 500
    logged.refresh_from_db()
    assert (logged.deleted_at, logged.version) == (None, 1)
    assert list(logged.changes.values_list("action", flat=True)) == ["created"]


@pytest.mark.django_db(transaction=True)
def test_a_phone_tree_move_that_fails_half_way_moves_nobody(family):
    """The move's first statement takes the contact out of its place (NULL); the second,
    putting the one above in it, fails: the first must be undone too."""
    client = broken_client(family)
    _, url, data = backup_moved_up(family)
    before = Contact.phone_tree(family.household.pk)

    with failing(
        "households_contact",
        "UPDATE",
        "OLD.backup_order IS NOT NULL AND NEW.backup_order IS NOT NULL",
    ):
        response = client.post(url, data)

    assert response.status_code >= 500
    assert Contact.phone_tree(family.household.pk) == before
    places = Contact.objects.in_household(family.household).backups()
    assert [c.backup_order for c in places] == [1, 2]
