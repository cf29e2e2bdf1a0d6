"""A hosted service in miniature: two app servers (`homefront serve --no-worker`, each
with gunicorn's two workers, on ports of their own) and two `homefront worker`s, on one
PostgreSQL database and one Redis, as a load balancer would spread people over them.

Behind the `multiserver` marker: `make test` leaves it out, `make test-multiserver`
(which .ci/run calls on PostgreSQL after the two `make test` runs) runs only it.
"""

from __future__ import annotations

import http.client
import secrets
import signal
import subprocess
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection

from homefront.core.tests.servers import Server
from homefront.core.tests.servers import Site
from homefront.core.tests.servers import Visitor
from homefront.core.tests.servers import due_messages
from homefront.core.tests.servers import forged_links
from homefront.core.tests.servers import fresh_minute
from homefront.core.tests.servers import mailing_site
from homefront.core.tests.servers import new_site
from homefront.core.tests.servers import seed
from homefront.core.tests.servers import state
from homefront.core.tests.test_faults import Worker
from homefront.core.tests.test_faults import entries
from homefront.core.tests.test_faults import outbox
from homefront.core.tests.test_faults import results
from homefront.testing.ports import WAIT
from homefront.testing.ports import free_port
from homefront.testing.ports import wait_until
from homefront.testing.receivers import Mailbox

pytestmark = pytest.mark.multiserver

# The machine's Redis, in a database number of this test's own.
REDIS_URL = "redis://127.0.0.1:6379/5"
PASSWORD = "x" * 20  # servers.away_household's


@pytest.fixture
def on_postgresql(transactional_db: None) -> None:
    if connection.vendor != "postgresql":
        pytest.fail(
            "The multi-server test needs PostgreSQL, which every server shares: "
            "DATABASE_URL=postgres://… make test-multiserver"
        )


class PrivateRedis:
    """A redis-server of this test's own on a free port, so stopping it stops nobody
    else's; it keeps nothing on disk."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        wait_until(lambda: self._answers(client), "the private Redis to answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=WAIT)

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False


def real_password(email: str) -> None:
    """The tests' fast hasher is unknown to the servers: hash as production does. (It
    ends the sessions `seed` made for that person: they carry the old hash's digest.)"""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from homefront.accounts.models import User

    hasher = Argon2PasswordHasher()
    User.objects.filter(email=email).update(password=hasher.encode(PASSWORD, hasher.salt()))


def sign_in(server: Server, email: str) -> Visitor:
    """Through the login form, as a person does."""
    visitor = Visitor(server)
    reply = visitor.post_form("/account/login/", {"username": email, "password": PASSWORD})
    assert reply.status == 302, reply.text[:500]
    assert "sessionid" in visitor.cookies
    return visitor


def on(server: Server, visitor: Visitor) -> Visitor:
    """The same browser, its next request sent by the load balancer to `server`."""
    moved = Visitor(server)
    moved.cookies = dict(visitor.cookies)
    moved.csrf = visitor.cookies["csrftoken"]  # signing in rotated it
    return moved


def test_two_servers_and_two_workers_share_one_database_and_one_redis(
    on_postgresql, tmp_path, tmp_path_factory, smtp
):
    mailbox, smtp_port = smtp
    redis.Redis.from_url(REDIS_URL).flushdb()
    site = mailing_site(
        tmp_path / "site",
        tmp_path_factory.getbasetemp(),
        smtp_port,
        HOMEFRONT_CACHE_URL=REDIS_URL,
        HOMEFRONT_SERVERS="2",
    )
    seeded = seed(site)
    site.fill(real_password, email="pat@example.com")
    keys = site.fill(due_messages, count=20)
    workers = [Worker(site, "worker-1"), Worker(site, "worker-2")]
    with (
        Server(site, name="a", background_worker=False) as a,
        Server(site, name="b", background_worker=False) as b,
    ):
        try:
            a.started()
            b.started()
            sessions_hold_across_servers(a, b)
            kept_pages_are_fresh_on_both_servers(seeded, a, b)
            the_share_link_budget_is_one_for_both(a, b)
            failed_logins_lock_out_on_every_server(a, b)
            a_sync_split_between_servers_stores_each_entry_once(site, seeded, a, b)
            reminders_are_delivered_once(site, keys, mailbox)
            a_killed_server_loses_nothing_it_acknowledged(site, seeded, a, b)
        finally:
            for worker in workers:
                worker.close()
    for worker in workers:
        assert "Traceback" not in worker.text(), worker.text()
    assert "Traceback" not in b.text(), b.text()


def sessions_hold_across_servers(a: Server, b: Server) -> None:
    parent = sign_in(a, "pat@example.com")
    home = on(b, parent).get("/")
    assert home.status == 200, home.text[:500]
    assert "Pat" in home.text
    assert on(b, parent).get("/calendar/").status == 200
    # Signing out on B ends the session on A too.
    assert on(b, parent).post_form("/account/logout/", {}).status == 302
    assert on(a, parent).get("/calendar/").status == 302


def the_share_link_budget_is_one_for_both(a: Server, b: Server) -> None:
    """And so is every other guessing budget: calendar feeds, API tokens."""
    fresh_minute(need=30)
    statuses = forged_links([a, b], 100)
    assert Counter(statuses) == {404: 30, 429: 70}
    # Each server gave some of the 404s: the budget spent on one held on the other.
    assert Counter(statuses[0::2])[404]
    assert Counter(statuses[1::2])[404]
    assert Counter(forged_links([a, b], 100, kind="feed")) == {404: 30, 429: 70}
    assert Counter(forged_links([a, b], 100, kind="api")) == {401: 30, 429: 70}


def kept_pages_are_fresh_on_both_servers(seeded: dict[str, Any], a: Server, b: Server) -> None:
    """A page one server kept in Redis under its tag (core/conditional.py) is the other's
    too, and neither serves it once anything changed: an entry logged through B (the
    offline queue) or A (the share link's quick log) is on the very next page from
    either, whatever tag the browser sends."""
    parent = sign_in(a, "pat@example.com")
    trip = seeded["trip"]
    timeline = f"/trips/{trip}/journal/"
    on(a, parent).get(timeline)
    kept = on(a, parent).get(timeline)
    tag = kept.headers["ETag"]
    assert on(b, parent).get(timeline, {"If-None-Match": tag}).status == 304
    note = entries(seeded, 1)[0] | {"kind": "note", "text": "Fed the ducks", "details": {}}
    synced = Visitor(b, seeded["sessions"]["carer"]).post_json(
        f"/trips/{trip}/journal/sync/", {"entries": [note]}
    )
    assert synced.status == 200, synced.text[:500]
    for server in (a, b):
        page = on(server, parent).get(timeline, {"If-None-Match": tag})
        assert page.status == 200, page.status
        assert "Fed the ducks" in page.text
        assert page.headers["ETag"] != tag
    tag = on(a, parent).get(timeline).headers["ETag"]
    logged = Visitor(a).post_form(
        f"/s/{seeded['token']}/log/",
        {
            "uuid": str(uuid.uuid4()),
            "kind": "note",
            "text": "Puddle jumping",
            "children": [seeded["maya"]],
        },
    )
    assert logged.status == 302, logged.text[:500]
    for server in (b, a):
        page = on(server, parent).get(timeline, {"If-None-Match": tag})
        assert (page.status, "Puddle jumping" in page.text) == (200, True)


def failed_logins_lock_out_on_every_server(a: Server, b: Server) -> None:
    """axes counts failures in the database, which both servers share: five wrong
    passwords spread over A and B lock the account out of both, the right one too."""

    def try_password(server: Server, password: str) -> int:
        form = {"username": "pat@example.com", "password": password}
        return Visitor(server).post_form("/account/login/", form).status

    wrong = [try_password((a, b)[number % 2], "not the password") for number in range(5)]
    assert wrong == [200, 200, 200, 200, 429]
    assert try_password(a, PASSWORD) == 429
    assert try_password(b, PASSWORD) == 429


def a_sync_split_between_servers_stores_each_entry_once(
    site: Site, seeded: dict[str, Any], a: Server, b: Server
) -> None:
    url = f"/trips/{seeded['trip']}/journal/sync/"
    session = seeded["sessions"]["carer"]
    sent = entries(seeded, 120)
    first = sent[:60]
    earlier = {each["uuid"] for each in state(site)["entries"]}  # logged by tests before
    # The first half through A; then the whole queue (the phone never heard back about
    # the first half) through A and B at the same moment.
    assert results(Visitor(a, session).post_json(url, {"entries": first})) == [
        (entry["uuid"], "stored") for entry in first
    ]
    replies: dict[str, Any] = {}

    def send(name: str, server: Server) -> None:
        replies[name] = Visitor(server, session).post_json(url, {"entries": sent})

    senders = [threading.Thread(target=send, args=pair) for pair in (("a", a), ("b", b))]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(timeout=WAIT)
    for reply in replies.values():
        assert reply.status == 200, reply.text[:500]
    for entry, on_a, on_b in zip(sent, results(replies["a"]), results(replies["b"]), strict=True):
        assert on_a[0] == on_b[0] == entry["uuid"]
        outcomes = sorted([on_a[1], on_b[1]])
        if entry in first:
            assert outcomes == ["duplicate", "duplicate"]
        else:  # stored by one server, found stored by the other
            assert outcomes == ["duplicate", "stored"]
    stored = [each["uuid"] for each in state(site)["entries"] if each["uuid"] not in earlier]
    assert Counter(stored) == Counter(entry["uuid"] for entry in sent)


def reminders_are_delivered_once(site: Site, keys: list[str], mailbox: Mailbox) -> None:
    wait_until(lambda: sum(mailbox.keys().values()) >= len(keys), "20 reminders to arrive")
    # Once every message is marked sent, no worker can claim one again.
    wait_until(
        lambda: all(status == "sent" for status, *_ in outbox(site).values()),
        "every message to be marked sent",
    )
    assert mailbox.keys() == Counter(dict.fromkeys(keys, 1))


def a_killed_server_loses_nothing_it_acknowledged(
    site: Site, seeded: dict[str, Any], a: Server, b: Server
) -> None:
    """Four phones send small batches to A until it dies under them, then send again to
    B what A never answered, as their queues do."""
    url = f"/trips/{seeded['trip']}/journal/sync/"
    session = seeded["sessions"]["carer"]
    before = {each["uuid"] for each in state(site)["entries"]}
    lock = threading.Lock()
    acknowledged: list[str] = []
    unanswered: list[dict[str, Any]] = []
    refused: list[str] = []
    dead = threading.Event()

    def phone() -> None:
        while not dead.is_set():
            batch = entries(seeded, 5)
            try:
                reply = Visitor(a, session).post_json(url, {"entries": batch})
            except (OSError, http.client.HTTPException):
                with lock:
                    unanswered.extend(batch)
                return
            with lock:
                if reply.status == 200:
                    acknowledged.extend(each["uuid"] for each in batch)
                else:
                    refused.append(reply.text[:500])
                    unanswered.extend(batch)

    phones = [threading.Thread(target=phone) for _ in range(4)]
    for each in phones:
        each.start()
    wait_until(lambda: len(acknowledged) >= 40, "A to acknowledge a few batches")
    assert a.kill() == -signal.SIGKILL
    dead.set()
    for each in phones:
        each.join(timeout=WAIT)
    assert not refused, refused

    stored = Counter(each["uuid"] for each in state(site)["entries"])
    assert all(stored[key] == 1 for key in acknowledged)
    resent = Visitor(b, session).post_json(url, {"entries": unanswered})
    assert resent.status == 200, resent.text[:500]
    assert {status for _uuid, status in results(resent)} <= {"stored", "duplicate"}
    stored = Counter(each["uuid"] for each in state(site)["entries"])
    sent = set(acknowledged) | {each["uuid"] for each in unanswered}
    assert set(stored) == before | sent
    assert set(stored.values()) == {1}


def test_with_redis_stopped_pages_answer_and_forged_links_are_refused(
    on_postgresql, tmp_path, tmp_path_factory
):
    private = PrivateRedis(tmp_path)
    private.start()
    site = new_site(
        tmp_path / "site",
        tmp_path_factory.getbasetemp(),
        HOMEFRONT_CACHE_URL=private.url,
        HOMEFRONT_SERVERS="2",
    )
    seeded = seed(site)
    site.fill(real_password, email="pat@example.com")
    try:
        with (
            Server(site, name="a", background_worker=False) as a,
            Server(site, name="b", background_worker=False) as b,
        ):
            a.started()
            b.started()
            parent = sign_in(a, "pat@example.com")
            assert on(b, parent).get("/").status == 200
            forged = f"/s/{secrets.token_urlsafe(32)}/"
            assert Visitor(b).get(forged).status == 404
            link = f"/s/{seeded['token']}/"
            assert Visitor(a).get(link).status == 200

            private.stop()

            for server in (a, b):
                assert Visitor(server).get("/healthz").status == 200
                assert Visitor(server).get("/account/login/").status == 200
                home = on(server, parent).get("/")  # the session, from the database
                assert home.status == 200, home.text[:500]
                assert "Pat" in home.text
                trip = on(server, parent).get(f"/trips/{seeded['trip']}/")
                assert trip.status == 200, trip.text[:500]
                # A guesser is refused, and so, until Redis is back, is the real link.
                assert Visitor(server).get(forged).status == 429
                assert Visitor(server).get(link).status == 429
                api = Visitor(server).get(
                    "/api/v1/journal-entries", headers={"Authorization": "Bearer hf_forged"}
                )
                assert api.status == 429

            private.start()  # back, empty

            # Each process leaves a failed Redis alone for a few seconds, then counts again.
            for server in (a, b):
                wait_until(
                    lambda server=server: (
                        Visitor(server).get(link).status == 200
                        and Visitor(server).get(forged).status == 404
                    ),
                    "share links to be counted again once Redis is back",
                )
                assert on(server, parent).get("/").status == 200
        for server in (a, b):
            assert "Traceback" not in server.text(), server.text()
    finally:
        private.stop()
