"""Many people at once against a real server: `homefront serve` (gunicorn's two
worker processes as production runs them, and the background worker beside them), on a SQLite file
in WAL mode with IMMEDIATE transactions, or on PostgreSQL when the tests run there.

Ten clients at once: two of the parent's devices and a grandmother's share link send
offline batches; the caregiver (on two phones) and the share link post the plain
quick-log form; two more of the caregiver's phones send the very same batches at the
very same moment; the parent and the caregiver tick the same prep tasks, half of them
through htmx. Every request succeeds, nobody sees "database is locked" or a traceback,
and the database then holds exactly every entry sent, each once and whole, by its
sender, and every tick.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest

from homefront.core.tests.servers import Reply
from homefront.core.tests.servers import Server
from homefront.core.tests.servers import Site
from homefront.core.tests.servers import Visitor
from homefront.core.tests.servers import new_site
from homefront.core.tests.servers import seed
from homefront.core.tests.servers import state

BATCHES = 4  # per sending client
BATCH = 20  # entries per batch
FORMS = 8  # entries per form-posting client
TASKS = 20

# What the entries say, in turn: kind, details, note.
CONTENTS = [
    ("meal", {"amount": "most", "what": "pasta"}, ""),
    ("bath", {}, ""),
    ("asleep", {}, ""),
    ("mood", {"mood": "happy"}, ""),
    ("note", {}, "Drew a rocket for Mum."),
    ("woke", {"when": "night"}, ""),
]


@pytest.fixture
def site(transactional_db, tmp_path, tmp_path_factory) -> Site:
    return new_site(tmp_path / "site", tmp_path_factory.getbasetemp())


class Journey:
    """What the clients sent, who sent it, and every reply they got."""

    def __init__(self, seeded: dict[str, Any]) -> None:
        self.seeded = seeded
        self.lock = threading.Lock()
        self.sent: dict[str, tuple[str, list[int]]] = {}  # uuid: who, children
        self.batches: list[tuple[str, list[str]]] = []  # who, uuids
        self.replies: list[tuple[str, Reply]] = []
        self.ticks: Counter[int] = Counter()
        self.counter = 0
        self.now = datetime.now(UTC)

    def entry(self, who: str) -> dict[str, Any]:
        with self.lock:
            self.counter += 1
            number = self.counter
        kind, details, text = CONTENTS[number % len(CONTENTS)]
        maya, noa = self.seeded["maya"], self.seeded["noa"]
        children = [[maya], [noa], [maya, noa]][number % 3]
        made = {
            "uuid": str(uuid.uuid4()),
            "kind": kind,
            "children": children,
            "occurred_at": (self.now - timedelta(minutes=number % 600)).isoformat(),
            "details": details,
            "text": text,
        }
        with self.lock:
            self.sent[made["uuid"]] = (who, children)
        return made

    def got(self, what: str, reply: Reply) -> Reply:
        with self.lock:
            self.replies.append((what, reply))
        return reply


def results(reply: Reply) -> list[tuple[str, str]]:
    return [(result["uuid"], result["status"]) for result in reply.json()["results"]]


def test_many_people_logging_and_ticking_at_once_lose_nothing(site):
    seeded = seed(site, tasks=TASKS)
    trip, token = seeded["trip"], seeded["token"]
    sessions = seeded["sessions"]
    journey = Journey(seeded)
    sync_url = f"/trips/{trip}/journal/sync/"
    log_url = f"/trips/{trip}/journal/log/"
    shared_sync_url = f"/s/{token}/journal/sync/"
    shared_log_url = f"/s/{token}/log/"
    prep_url = f"/trips/{trip}/prep/"

    with Server(site, name="busy") as server:
        server.started()
        people = {
            "parent": lambda: Visitor(server, sessions["parent"]),
            "carer": lambda: Visitor(server, sessions["carer"]),
            "link": lambda: Visitor(server),
        }
        clients = 10
        start = threading.Barrier(clients, timeout=60)
        twins = threading.Barrier(2, timeout=60)
        twin_batches = [[journey.entry("carer") for _ in range(BATCH)] for _ in range(BATCHES)]

        def sender(who: str, url: str) -> None:
            visitor = people[who]()
            start.wait()
            for _ in range(BATCHES):
                batch = [journey.entry(who) for _ in range(BATCH)]
                reply = journey.got(f"{who} sync", visitor.post_json(url, {"entries": batch}))
                if reply.status == 200:
                    with journey.lock:
                        journey.batches.append((who, [e["uuid"] for e in batch]))

        def form_poster(who: str, url: str) -> None:
            visitor = people[who]()
            page = journey.got(f"{who} opens the log", visitor.get(url))
            assert page.status == 200, page.text[:500]
            start.wait()
            for _ in range(FORMS):
                sent = journey.entry(who)
                fields = {
                    "uuid": sent["uuid"],
                    "kind": sent["kind"],
                    "children": sent["children"],
                    "chosen": "",
                    "text": sent["text"],
                    **sent["details"],
                }
                reply = journey.got(f"{who} form", visitor.post_form(url, fields))
                if reply.status == 302 and reply.headers["Location"] == url:
                    journey.got(f"{who} form, then the log", visitor.get(url))

        def twin() -> None:
            """Two phones of the caregiver send each batch at the same moment."""
            visitor = people["carer"]()
            start.wait()
            for batch in twin_batches:
                twins.wait()
                journey.got("twin sync", visitor.post_json(sync_url, {"entries": batch}))

        def ticker(who: str, order: int) -> None:
            visitor = people[who]()
            start.wait()
            for number, task in enumerate(seeded["tasks"][::order]):
                htmx = {"HX-Request": "true"} if number % 2 else {}
                reply = visitor.post_form(f"/prep/tasks/{task}/tick/", {"done": "1"}, htmx)
                journey.got(f"{who} tick{' (htmx)' if htmx else ''} {task}", reply)
                with journey.lock:
                    journey.ticks[task] += 1

        jobs = [
            (sender, "parent", sync_url),
            (sender, "parent", sync_url),
            (sender, "link", shared_sync_url),
            (form_poster, "carer", log_url),
            (form_poster, "carer", log_url),
            (form_poster, "link", shared_log_url),
            (twin,),
            (twin,),
            (ticker, "parent", 1),
            (ticker, "carer", -1),
        ]
        assert len(jobs) == clients
        with ThreadPoolExecutor(clients) as pool:
            futures = [pool.submit(*job) for job in jobs]
            for future in futures:
                future.result(timeout=120)
        log = server.text()
        assert server.stop() == 0, log

    # Every request succeeded, and nobody saw the database's troubles.
    def expected(what: str, reply: Reply) -> bool:
        if "sync" in what:
            return reply.status == 200 and reply.headers["Content-Type"] == "application/json"
        if what.endswith(" form"):
            return reply.status == 302 and reply.headers["Location"].endswith("/log/")
        if "tick (htmx)" in what:
            task = what.rsplit(" ", 1)[1]
            return reply.status == 200 and f'<li id="task-{task}" class="task is-done">' in (
                reply.text
            )
        if "tick" in what:
            return reply.status == 302 and reply.headers["Location"] == prep_url
        return reply.status == 200  # the log page, after a form was sent

    bad = [(what, r.status, r.text[:300]) for what, r in journey.replies if not expected(what, r)]
    assert not bad, bad
    for what, reply in journey.replies:
        assert "database is locked" not in reply.text.lower(), what
        assert "Traceback" not in reply.text, what
    after_forms = [r for what, r in journey.replies if what.endswith("then the log")]
    assert len(after_forms) == 3 * FORMS
    assert all("Logged: " in reply.text for reply in after_forms)
    assert "database is locked" not in log
    assert "Traceback" not in log, log

    # Each batch said what became of each of its entries: all stored, but for the twins,
    # whose every entry was stored by one and found a duplicate by the other.
    sync_replies = [(what, r) for what, r in journey.replies if what.endswith("sync")]
    assert len(sync_replies) == 3 * BATCHES + 2 * BATCHES
    for what, reply in sync_replies:
        if what != "twin sync":
            assert {status for _, status in results(reply)} == {"stored"}, what
    twin_outcomes: dict[str, list[str]] = {}
    for what, reply in sync_replies:
        if what == "twin sync":
            for entry_uuid, status in results(reply):
                twin_outcomes.setdefault(entry_uuid, []).append(status)
    assert set(twin_outcomes) == {e["uuid"] for batch in twin_batches for e in batch}
    assert all(sorted(s) == ["duplicate", "stored"] for s in twin_outcomes.values())

    # The database holds exactly what was sent: each entry once, whole, by its sender.
    stored = state(site)
    entries = stored["entries"]
    assert len(entries) == len(journey.sent) == (3 * BATCHES + BATCHES) * BATCH + 3 * FORMS
    assert {e["uuid"] for e in entries} == set(journey.sent)
    authors = {"parent": seeded["parent"], "carer": seeded["carer"], "link": None}
    for entry in entries:
        who, children = journey.sent[entry["uuid"]]
        assert entry["children"] == sorted(children)
        assert entry["changes"] == ["created"]
        assert entry["author"] == authors[who]
        assert entry["link"] == (seeded["link"] if who == "link" else None)
    assert stored["links"] == sum(len(children) for _, children in journey.sent.values())
    assert stored["changes"] == len(entries)

    # A batch is one transaction: where writers take turns (SQLite), its entries sit side by
    # side, never interleaved with another batch's.
    if not site.postgresql:
        order = {e["uuid"]: position for position, e in enumerate(entries)}
        for who, uuids in journey.batches:
            positions = sorted(order[u] for u in uuids)
            assert positions == list(range(positions[0], positions[0] + len(uuids))), who

    # Every task ticked by both, done once, by one of them.
    assert set(journey.ticks.values()) == {2}
    assert set(stored["done"]) == set(seeded["tasks"])
    assert set(stored["done"].values()) <= {seeded["parent"], seeded["carer"]}
