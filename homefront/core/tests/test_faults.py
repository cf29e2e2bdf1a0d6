"""Faults against a real server (`homefront serve`, see servers.py), on SQLite or, when the
tests run there, on PostgreSQL:

- killed with SIGKILL half-way through saving a 500-entry offline batch, restarted, sent
  the same batch again: each entry stored exactly once, none half-saved (a batch is one
  transaction);
- a background worker stopped with SIGTERM in the middle of a batch of messages, then
  started again: each message arrives at a real mail server exactly once;
- a database that turns read-only, or a full disk, while people post the quick-log form,
  the offline batch and a prep tick: a clear 503 page (or JSON error for the phone's
  queue) without any traceback or SQL, nothing half-saved, and everything works again
  once the fault is lifted; and only such outages are a 503: a bug stays a 500.

SQLite's faults come from PRAGMAs set on each server connection (servers.py): the same
SQLITE_READONLY and SQLITE_FULL errors a read-only file or a full disk give, which this
root-run suite cannot get from chmod. PostgreSQL's come from the database: it is made
read-only for new sessions and the server's sessions are ended, as on a failover to a
standby; a full disk is PostgreSQL's own disk_full error, raised by a trigger on the
journal's history table, so it strikes half-way through saving an entry.
"""

from __future__ import annotations

import http.client
import signal
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django import db as django_db
from django.db import DatabaseError
from django.db import connection

from homefront.core.middleware import Fault
from homefront.core.middleware import database_fault
from homefront.core.tests.servers import FAULT_FULL
from homefront.core.tests.servers import FAULT_READ_ONLY
from homefront.core.tests.servers import PAUSE_JOURNAL_AT
from homefront.core.tests.servers import PAUSED
from homefront.core.tests.servers import Reply
from homefront.core.tests.servers import Server
from homefront.core.tests.servers import Site
from homefront.core.tests.servers import Visitor
from homefront.core.tests.servers import due_messages
from homefront.core.tests.servers import mailing_site
from homefront.core.tests.servers import new_site
from homefront.core.tests.servers import seed
from homefront.core.tests.servers import state
from homefront.journal.models import EntryChange
from homefront.notify.models import Attempt
from homefront.notify.models import Message
from homefront.testing.command import Background
from homefront.testing.ports import WAIT
from homefront.testing.ports import wait_until

NOTE = "Long day. " * 490  # 4,900 characters: more than a database page holds


@pytest.fixture
def site(transactional_db, tmp_path, tmp_path_factory) -> Site:
    return new_site(tmp_path / "site", tmp_path_factory.getbasetemp())


def entries(seeded: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """`count` entries as the offline queue sends them, for Maya, Noa or both."""
    now = datetime.now(UTC)
    maya, noa = seeded["maya"], seeded["noa"]
    return [
        {
            "uuid": str(uuid.uuid4()),
            "kind": ("bath", "meal", "asleep")[number % 3],
            "children": [[maya], [noa], [maya, noa]][number % 3],
            "occurred_at": (now - timedelta(minutes=number)).isoformat(),
            "details": {"amount": "some"} if number % 3 == 1 else {},
            "text": "",
        }
        for number in range(count)
    ]


def results(reply: Reply) -> list[tuple[str, str]]:
    return [(result["uuid"], result["status"]) for result in reply.json()["results"]]


def assert_whole(stored: dict[str, Any], sent: list[dict[str, Any]]) -> None:
    """The database holds exactly `sent`, in order, each entry once and whole: its
    children and its one "created" history row, and no rows of any other entry."""
    assert [e["uuid"] for e in stored["entries"]] == [e["uuid"] for e in sent]
    for entry, original in zip(stored["entries"], sent, strict=True):
        assert entry["children"] == sorted(original["children"])
        assert entry["changes"] == ["created"]
    assert stored["links"] == sum(len(e["children"]) for e in sent)
    assert stored["changes"] == len(sent)


# -- Killed in the middle of a batch ----------------------------------------------------------


def test_a_server_killed_half_way_through_a_batch_stores_each_entry_once_after_a_resend(site):
    seeded = seed(site)
    url = f"/trips/{seeded['trip']}/journal/sync/"
    batch = entries(seeded, 500)

    with Server(site, name="earlier", workers=1, background_worker=False) as server:
        server.started()
        earlier = Visitor(server, seeded["sessions"]["carer"]).post_json(
            url, {"entries": batch[:99]}
        )
    assert results(earlier) == [(e["uuid"], "stored") for e in batch[:99]]
    # The save of the whole batch stops after its entries and children rows, before
    # their history rows, and waits there to be killed.
    (site.data_dir / PAUSE_JOURNAL_AT).write_text("100")

    with Server(site, name="killed", faults=True, workers=1, background_worker=False) as server:
        server.started()
        phone = Visitor(server, seeded["sessions"]["carer"])
        outcome: dict[str, Any] = {}

        def send() -> None:
            try:
                outcome["reply"] = phone.post_json(url, {"entries": batch})
            except (OSError, http.client.HTTPException) as error:
                outcome["error"] = error

        sending = threading.Thread(target=send)
        sending.start()
        paused = wait_until(
            lambda: (site.data_dir / PAUSED).exists() and (site.data_dir / PAUSED).read_text(),
            "the batch's save to be half-way",
        )
        assert server.kill() == -signal.SIGKILL
        sending.join(timeout=WAIT)
    (site.data_dir / PAUSE_JOURNAL_AT).unlink()

    # The phone got no answer, so it keeps all 500 and sends them again later.
    assert "reply" not in outcome, outcome["reply"].text[:500]
    assert isinstance(outcome["error"], ConnectionError | http.client.HTTPException)
    # The batch is saved in one transaction: all of its new entries were written when the
    # server was killed, and not a row of them is left; the 99 stored before are whole.
    assert paused == "500"
    assert_whole(state(site), batch[:99])

    with Server(site, name="restarted", workers=1, background_worker=False) as server:
        server.started()
        phone = Visitor(server, seeded["sessions"]["carer"])
        resent = phone.post_json(url, {"entries": batch})

    assert resent.status == 200, resent.text[:500]
    assert results(resent) == [(e["uuid"], "duplicate") for e in batch[:99]] + [
        (e["uuid"], "stored") for e in batch[99:]
    ]
    assert_whole(state(site), batch)


# -- A background worker stopped in the middle of its messages -------------------------------


def outbox(site: Site) -> dict[str, list[Any]]:
    """Each message by its key: status, attempts, who claimed it, and each try's success."""
    tries: dict[int, list[bool]] = {}
    for message, ok in site.rows(Attempt, "message_id, ok"):
        tries.setdefault(message, []).append(bool(ok))
    return {
        key: [status, attempts, claimed_by, tries.get(pk, [])]
        for pk, key, status, attempts, claimed_by in site.rows(
            Message, "id, idempotency_key, status, attempts, claimed_by"
        )
    }


class Worker(Background):
    """`homefront worker` on the site, its output in a file."""

    def __init__(self, site: Site, name: str) -> None:
        site.publish()
        log = site.data_dir / f"{name}.log"
        super().__init__("worker", "--interval", "0.5", env=site.environment(), log=log, wait=WAIT)


def test_a_worker_stopped_mid_batch_sends_the_rest_after_a_restart_each_exactly_once(
    transactional_db, tmp_path, tmp_path_factory, smtp
):
    """What test_delivery.py does not cover: SIGTERM while a message is on its way, with
    more due behind it. (It covers SIGKILL mid-send and the claim released ten minutes
    later, two workers at once, and `deliver_due` stopping between messages.)"""
    mailbox, port = smtp
    site = mailing_site(tmp_path / "site", tmp_path_factory.getbasetemp(), port)
    keys = site.fill(due_messages, count=6)
    mailbox.gate.clear()  # the first message waits at the mail server

    first = Worker(site, "first")
    try:
        wait_until(lambda: mailbox.held >= 1, "the worker to be sending its first message")
        first.process.send_signal(signal.SIGTERM)
        wait_until(
            lambda: (
                "finishing the current message" in first.text() or first.process.poll() is not None
            ),
            "the worker to take the stop request",
        )
        mailbox.gate.set()
        assert first.process.wait(timeout=WAIT) == 0, first.text()
    finally:
        first.close()
    assert "stopped." in first.text()
    assert "Traceback" not in first.text(), first.text()

    # The message on its way was sent, once; the rest wait, unclaimed and untried.
    assert mailbox.keys() == Counter({keys[0]: 1})
    sent = outbox(site)
    status, attempts, claimed_by, tries = sent[keys[0]]
    assert (status, attempts, tries) == ("sent", 1, [True])
    assert claimed_by
    for key in keys[1:]:
        assert sent[key] == ["pending", 0, "", []], key

    second = Worker(site, "second")
    try:
        wait_until(lambda: sum(mailbox.keys().values()) >= len(keys), "the rest to be sent")
        second.process.send_signal(signal.SIGTERM)
        assert second.process.wait(timeout=WAIT) == 0, second.text()
    finally:
        second.close()

    assert mailbox.keys() == Counter(dict.fromkeys(keys, 1))
    sent = outbox(site)
    assert {key: sent[key][:2] + sent[key][3:] for key in keys} == {
        key: ["sent", 1, [True]] for key in keys
    }


# -- A read-only database, a full disk ---------------------------------------------------------


class Faults:
    """Makes the site's database read-only or full, and well again, as each engine can."""

    def __init__(self, site: Site) -> None:
        self.site = site

    def read_only(self) -> None:
        if self.site.postgresql:
            self._postgresql(
                f"ALTER DATABASE {self._name()} SET default_transaction_read_only = on"
            )
        else:
            (self.site.data_dir / FAULT_READ_ONLY).touch()

    def full(self, room: int) -> None:
        """Room for a little more: SQLite pages, or PostgreSQL history rows."""
        if self.site.postgresql:
            history = EntryChange._meta.db_table
            limit = EntryChange.objects.count() + room
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""
                    CREATE OR REPLACE FUNCTION homefront_test_disk_full() RETURNS trigger
                    LANGUAGE plpgsql AS $$
                    BEGIN
                        IF (SELECT count(*) FROM {history}) >= {limit} THEN
                            RAISE EXCEPTION 'could not extend file: No space left on device'
                                USING ERRCODE = 'disk_full', HINT = 'Check free disk space.';
                        END IF;
                        RETURN NEW;
                    END $$;
                    DROP TRIGGER IF EXISTS homefront_test_disk_full ON {history};
                    CREATE TRIGGER homefront_test_disk_full BEFORE INSERT ON {history}
                        FOR EACH ROW EXECUTE FUNCTION homefront_test_disk_full();
                    """  # noqa: S608  (model table names, a number)
                )
        else:
            self.site.sqlite("VACUUM")  # no free pages left for the database to reuse
            (self.site.data_dir / FAULT_FULL).write_text(str(room))

    def lift(self) -> None:
        if self.site.postgresql:
            with connection.cursor() as cursor:
                history = EntryChange._meta.db_table
                cursor.execute(f"DROP TRIGGER IF EXISTS homefront_test_disk_full ON {history}")
                cursor.execute("DROP FUNCTION IF EXISTS homefront_test_disk_full()")
            self._postgresql(f"ALTER DATABASE {self._name()} RESET default_transaction_read_only")
        else:
            for switch in (FAULT_READ_ONLY, FAULT_FULL):
                (self.site.data_dir / switch).unlink(missing_ok=True)

    def _name(self) -> str:
        return connection.ops.quote_name(connection.settings_dict["NAME"])

    def _postgresql(self, sql: str) -> None:
        """Runs `sql`, then ends the server's sessions: the new ones it opens get it."""
        with connection.cursor() as cursor:
            cursor.execute(sql)
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def faults(site) -> Iterator[Faults]:
    made = Faults(site)
    try:
        yield made
    finally:
        made.lift()  # never leave the test database read-only, or its trigger behind


# What a person must never see, whatever the database said.
INTERNALS = (
    "Traceback",
    "sqlite",
    "psycopg",
    "OperationalError",
    "InternalError",
    "INSERT",
    "UPDATE",
    "journal_",
    "readonly database",
    "read-only transaction",
    "database or disk is full",
    "No space left",
)


def assert_clear_503(reply: Reply, because: str, json: bool = False) -> None:
    assert reply.status == 503, (reply.status, reply.text[:500])
    assert reply.headers["Retry-After"] == "60"
    assert "no-store" in reply.headers["Cache-Control"]
    for internal in INTERNALS:
        assert internal not in reply.text, internal
    if json:
        assert reply.headers["Content-Type"] == "application/json"
        error = reply.json()["error"]
        assert error.startswith(f"Homefront cannot save right now: {because}.")
        assert "stays on this phone" in error
    else:
        assert reply.headers["Content-Type"].startswith("text/html")
        assert "<h1>Homefront cannot save right now</h1>" in reply.text
        assert "What you just sent was not saved" in reply.text
        assert f"that {because}." in reply.text
        assert 'class="topbar"' in reply.text  # the site's own page, with its way home


def form(entry: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "uuid": entry["uuid"],
        "kind": entry["kind"],
        "children": entry["children"],
        "chosen": "",
        "occurred_at": entry["occurred_at"],
        **entry["details"],
        **fields,
    }


def test_a_read_only_database_gets_a_clear_503_and_works_again_when_lifted(site, faults):
    seeded = seed(site, tasks=1)
    trip, token, [task] = seeded["trip"], seeded["token"], seeded["tasks"]
    log_url = f"/trips/{trip}/journal/log/"
    shared_sync_url = f"/s/{token}/journal/sync/"
    tick_url = f"/prep/tasks/{task}/tick/"
    [logged] = entries(seeded, 1)
    batch = entries(seeded, 3)

    with Server(site, name="read-only", faults=True, workers=1, background_worker=False) as server:
        server.started()
        carer = Visitor(server, seeded["sessions"]["carer"])
        parent = Visitor(server, seeded["sessions"]["parent"])
        grandma = Visitor(server)
        faults.read_only()

        # Reading still works; every write says, calmly, that it was not saved.
        assert carer.get(log_url).status == 200
        assert_clear_503(carer.post_form(log_url, form(logged)), "its database is read-only")
        assert_clear_503(
            grandma.post_json(shared_sync_url, {"entries": batch}),
            "its database is read-only",
            json=True,
        )
        assert_clear_503(parent.post_form(tick_url, {"done": "1"}), "its database is read-only")
        assert state(site) == {"entries": [], "links": 0, "changes": 0, "done": {}}

        faults.lift()
        # The same posts again, as the person or the phone's queue sends them.
        saved = carer.post_form(log_url, form(logged))
        synced = grandma.post_json(shared_sync_url, {"entries": batch})
        ticked = parent.post_form(tick_url, {"done": "1"})
        log = server.text()

    assert (saved.status, saved.headers["Location"]) == (302, log_url)
    assert synced.status == 200
    assert results(synced) == [(e["uuid"], "stored") for e in batch]
    assert ticked.status == 302
    after = state(site)
    assert_whole(after, [logged, *batch])
    assert after["done"] == {task: seeded["parent"]}
    # Whoever runs the server learns what happened.
    assert log.count("Could not serve POST") == 3
    assert ("read-only transaction" if site.postgresql else "readonly database") in log


def test_a_full_disk_leaves_nothing_half_saved_and_everything_works_again_when_lifted(site, faults):
    seeded = seed(site)
    trip = seeded["trip"]
    log_url = f"/trips/{trip}/journal/log/"
    sync_url = f"/trips/{trip}/journal/sync/"
    [noted] = entries(seeded, 1)
    noted = {**noted, "kind": "note", "details": {}, "text": NOTE}
    batch = entries(seeded, 200)

    with Server(site, name="full", faults=True, workers=1, background_worker=False) as server:
        server.started()
        carer = Visitor(server, seeded["sessions"]["carer"])
        parent = Visitor(server, seeded["sessions"]["parent"])

        # Full to the brim: the long note is not saved, not even in part.
        faults.full(room=0)
        assert_clear_503(carer.post_form(log_url, form(noted, text=NOTE)), "its disk is full")
        assert state(site)["entries"] == []

        # Room for a few: the batch, saved in one transaction, is not saved at all; the
        # first entries, sent alone, fit.
        saved = 2
        faults.full(room=60 if site.postgresql else 3)
        assert_clear_503(
            parent.post_json(sync_url, {"entries": batch}), "its disk is full", json=True
        )
        assert state(site)["entries"] == []
        first = parent.post_json(sync_url, {"entries": batch[:saved]})
        assert results(first) == [(e["uuid"], "stored") for e in batch[:saved]]
        assert_whole(state(site), batch[:saved])

        faults.lift()
        resent = parent.post_json(sync_url, {"entries": batch})
        again = carer.post_form(log_url, form(noted, text=NOTE))
        log = server.text()

    assert resent.status == 200, resent.text[:500]
    assert results(resent) == [(e["uuid"], "duplicate") for e in batch[:saved]] + [
        (e["uuid"], "stored") for e in batch[saved:]
    ]
    assert (again.status, again.headers["Location"]) == (302, log_url)
    assert_whole(state(site), [*batch, noted])
    assert log.count("Could not serve POST") == 2
    assert ("No space left on device" if site.postgresql else "database or disk is full") in log


# -- Which database errors are outages ----------------------------------------------------


def sqlite_error(folder: Path, *statements: str, other_writer: bool = False) -> sqlite3.Error:
    """The error SQLite itself raises for the last statement, on a new database file;
    with `other_writer`, while another connection is in the middle of writing to it."""
    path = folder / "errors.sqlite3"
    database = sqlite3.connect(path, timeout=0, isolation_level=None)
    database.execute("CREATE TABLE t (x TEXT UNIQUE)")
    writer = sqlite3.connect(path, isolation_level=None)
    if other_writer:
        writer.execute("BEGIN IMMEDIATE")
    try:
        *setup, failing = statements
        for statement in setup:
            database.execute(statement)
        with pytest.raises(sqlite3.Error) as raised:
            database.execute(failing, ("x" * 5000,) if "?" in failing else ())
        return raised.value
    finally:
        writer.close()
        database.close()


def as_django(cause: Exception) -> DatabaseError:
    """`cause` as Django raises it: as the django.db error of the same name, from it."""
    name = next(k.__name__ for k in type(cause).__mro__ if hasattr(django_db, k.__name__))
    try:
        raise getattr(django_db, name)(*cause.args) from cause
    except DatabaseError as error:
        return error


INSERT = "INSERT INTO t VALUES ('a')"


@pytest.mark.parametrize(
    ("cause", "fault"),
    [
        (lambda tmp: sqlite_error(tmp, "PRAGMA query_only = ON", INSERT), "READ_ONLY"),
        (
            lambda tmp: sqlite_error(tmp, "PRAGMA max_page_count = 2", "INSERT INTO t VALUES (?)"),
            "FULL",
        ),
        (lambda tmp: sqlite_error(tmp, INSERT, other_writer=True), "BUSY"),
        (lambda tmp: sqlite_error(tmp, "SELECT * FROM missing"), None),
        (lambda tmp: sqlite_error(tmp, INSERT, INSERT), None),
        (lambda tmp: psycopg.errors.ReadOnlySqlTransaction("read-only transaction"), "READ_ONLY"),
        (lambda tmp: psycopg.errors.DiskFull("No space left on device"), "FULL"),
        (lambda tmp: psycopg.errors.TooManyConnections("too many clients"), "BUSY"),
        (lambda tmp: psycopg.errors.AdminShutdown("terminating connection"), "UNREACHABLE"),
        (lambda tmp: psycopg.OperationalError("server closed the connection"), "UNREACHABLE"),
        (lambda tmp: psycopg.errors.UndefinedTable("relation does not exist"), None),
        (lambda tmp: psycopg.errors.UniqueViolation("duplicate key"), None),
    ],
)
def test_only_a_database_outage_is_a_503_and_a_bug_stays_a_500(cause, fault, tmp_path):
    error = as_django(cause(tmp_path))
    assert database_fault(error) == (Fault[fault] if fault else None)


def test_an_error_that_is_not_the_databases_is_left_alone():
    assert database_fault(ValueError("a bug")) is None
