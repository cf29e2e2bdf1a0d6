"""Real Homefront servers for tests: `homefront serve` (gunicorn, as production runs
it) in a data folder of its own, on a free port of 127.0.0.1, on the test's database.

- `Site`: a data folder and a database. The test fills pytest-django's test database
  (`Site.fill`, e.g. with `away_household` or `due_messages`); on PostgreSQL the server
  uses that very database (the test must use `transactional_db`, so what either side
  writes is committed and the other sees it); on SQLite the site's WAL-mode file starts
  as a copy of it, made with SQLite's backup API when the first server starts. `state()`
  and `Site.rows()` read the site's database back in plain SQL.
- `Server`: `homefront serve` on the site, started in a process group of its own, so a
  test can SIGKILL the master, its workers and the background worker at once.
- `Visitor`: one person's browser, with their session and CSRF cookies.

Run as a module (`python -m homefront.core.tests.servers serve ...`), this file is the
same `homefront` command with test-only switches installed first, each a file in the
data folder: `FAULT_READ_ONLY` and `FAULT_FULL` make each new SQLite connection
read-only or full (`PRAGMA query_only`, `PRAGMA max_page_count`: the very errors a
read-only file or a full disk give, which chmod cannot cause for root);
`PAUSE_JOURNAL_AT` holds a journal save half-way (its entries and children written,
their history not yet) once that many entries exist, and writes `PAUSED` (the count), so
a test can kill the server there.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from typing import Self
from urllib.parse import parse_qsl
from urllib.parse import quote
from urllib.parse import urlencode
from urllib.parse import urlsplit

from homefront.testing.command import PROJECT
from homefront.testing.command import clean_environment
from homefront.testing.ports import WAIT
from homefront.testing.ports import free_port
from homefront.testing.ports import wait_until

DATABASE = "homefront.sqlite3"

FAULT_READ_ONLY = "fault-read-only"
FAULT_FULL = "fault-full"  # holds how many pages more the database may grow by
PAUSE_JOURNAL_AT = "pause-journal-at"  # holds the entry count at which a save waits
PAUSED = "paused"  # written by the paused save: the entries it sees, its own among them


# -- A data folder and its database ------------------------------------------------------


@dataclass
class Site:
    data_dir: Path
    database_url: str | None = None  # None: SQLite in the data folder
    env: dict[str, str] = field(default_factory=dict)

    @property
    def postgresql(self) -> bool:
        return self.database_url is not None

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / DATABASE

    def environment(self) -> dict[str, str]:
        from django.conf import settings

        env = clean_environment(
            HOMEFRONT_DATA_DIR=str(self.data_dir),
            # This process's key, so the sessions it makes are good on the server too.
            HOMEFRONT_SECRET_KEY=settings.SECRET_KEY,
            HOMEFRONT_LOG_LEVEL="INFO",
            **self.env,
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env

    def fill(self, function: Callable[..., Any], **kwargs: Any) -> Any:
        """Runs `function(**kwargs)` on this process's test database, before any server
        or worker starts on the site, and returns its result through JSON. On SQLite the
        site's database is then a copy of the test database (see `publish`)."""
        assert not self.sqlite_file.exists(), "fill the database before the server starts"
        return json.loads(json.dumps(function(**kwargs)))

    def publish(self) -> None:
        """On SQLite, before the first server or worker starts: the site's database file
        becomes a copy of this process's test database, migrated by pytest-django and
        filled by the test. On PostgreSQL, both already use the same database."""
        if self.postgresql or self.sqlite_file.exists():
            return
        from django.db import connection

        connection.ensure_connection()
        copy = sqlite3.connect(self.sqlite_file)
        try:
            connection.connection.backup(copy)
            copy.execute("PRAGMA journal_mode = WAL")  # as a database `setup` made is
        finally:
            copy.close()

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        """Reads the site's database from this process: the SQLite file directly, or the
        PostgreSQL test database on the test's own connection."""
        if not self.postgresql:
            return self.sqlite(sql)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def rows(self, model: Any, columns: str, where: str = "") -> list[tuple[Any, ...]]:
        """The columns of a model's table, in the order the rows were stored."""
        condition = f" WHERE {where}" if where else ""
        table = model._meta.db_table
        return self.query(f"SELECT {columns} FROM {table}{condition} ORDER BY id")  # noqa: S608

    def sqlite(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        """The SQLite database, directly (no server may be writing)."""
        connection = sqlite3.connect(self.sqlite_file, timeout=20, isolation_level=None)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()


def prepared_static(base: Path) -> Path:
    """Once per test session (`base` is pytest's base temp): the static files, collected
    as `homefront setup` does but without the 20 s its storage spends compressing 25 MB;
    whitenoise serves the same hashed names from the same manifest either way."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    folder = base / "homefront-static"
    if (folder / "staticfiles.json").exists():  # the manifest is written last
        return folder
    manifest = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": manifest}
    with override_settings(STATIC_ROOT=folder, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return folder


def new_site(folder: Path, base: Path, **env: str) -> Site:
    """A site in `folder`, on the test's database: the PostgreSQL test database itself
    when the tests run on PostgreSQL, else a SQLite file copied from the test database
    when the first server starts."""
    from django.db import connection

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "static").symlink_to(prepared_static(base), target_is_directory=True)
    if connection.vendor != "postgresql":
        return Site(folder, None, env)
    url = urlsplit(os.environ["DATABASE_URL"])
    # A commit need not wait for PostgreSQL's disk: the crashes tested are the app
    # server's, and each journal entry is a commit of its own.
    query = [*parse_qsl(url.query), ("options", "-c synchronous_commit=off")]
    name = connection.settings_dict["NAME"]
    test_url = url._replace(path="/" + quote(name), query=urlencode(query)).geturl()
    return Site(folder, test_url, env)


def mailing_site(folder: Path, base: Path, smtp_port: int, **env: str) -> Site:
    """A site (see `new_site`) whose mail goes to the SMTP server on `smtp_port` of
    127.0.0.1, in plain text as a test's server speaks it."""
    return new_site(
        folder,
        base,
        HOMEFRONT_EMAIL_HOST="127.0.0.1",
        HOMEFRONT_EMAIL_PORT=str(smtp_port),
        HOMEFRONT_EMAIL_USE_TLS="false",
        **env,
    )


# -- The server ---------------------------------------------------------------------------


class Server:
    """`homefront serve` on a site: gunicorn configured as in production; with
    `faults`, through this module, so the test switches above work."""

    def __init__(
        self,
        site: Site,
        *,
        name: str = "server",
        faults: bool = False,
        workers: int = 2,
        threads: int | None = None,
        background_worker: bool = True,
    ) -> None:
        site.publish()
        self.site = site
        self.port = free_port()
        self.log = site.data_dir / f"{name}.log"
        module = "homefront.core.tests.servers" if faults else "homefront.cli"
        command = [
            sys.executable,
            "-m",
            module,
            "serve",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
        ]
        if threads is not None:
            command += ["--threads", str(threads)]
        if not background_worker:
            command.append("--no-worker")
        self.output = self.log.open("w")
        self.process = subprocess.Popen(
            command,
            env=site.environment(),
            cwd=PROJECT,
            stdout=self.output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the master and all it starts
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def started(self) -> Self:
        def healthy() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"The server exited at start:\n{self.text()}")
            try:
                return Visitor(self).get("/healthz").status == 200
            except OSError:
                return False

        wait_until(healthy, "the server to answer /healthz")
        return self

    def kill(self) -> int:
        """SIGKILL to the master, its workers and the background worker: no goodbyes."""
        os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.wait(timeout=WAIT)

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it: requests in flight finish first."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=WAIT)
        self._kill_stragglers()
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.kill()
        self._kill_stragglers()
        self.output.close()

    def _kill_stragglers(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


# -- A person's browser ------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class Visitor:
    """One browser: its cookies (a session when signed in, the CSRF cookie), nothing else.
    Redirects are not followed, so a test sees them."""

    def __init__(self, server: Server, session: str | None = None) -> None:
        self.port = server.port
        self.csrf = secrets.token_hex(16)  # a CSRF secret of 32 letters and digits
        self.cookies: dict[str, str] = {"csrftoken": self.csrf}
        if session:
            self.cookies["sessionid"] = session

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=WAIT)
        try:
            cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
            connection.request(
                method, path, body=body, headers={"Cookie": cookie, **(headers or {})}
            )
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.coded_value
            return Reply(response.status, dict(response.headers.items()), text)
        finally:
            connection.close()

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        return self.request("GET", path, headers=headers)

    def post_form(
        self, path: str, fields: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Reply:
        body = urlencode({**fields, "csrfmiddlewaretoken": self.csrf}, doseq=True).encode()
        return self.request(
            "POST",
            path,
            body,
            {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )

    def post_json(self, path: str, data: Any) -> Reply:
        """As the journal's offline queue sends a batch."""
        return self.request(
            "POST",
            path,
            json.dumps(data).encode(),
            {
                "Content-Type": "application/json",
                "Accept": "application/json",
                "X-CSRFToken": self.csrf,
            },
        )


# -- A guesser -----------------------------------------------------------------------------


def fresh_minute(need: float = 20) -> None:
    """Returns once at least `need` seconds of this minute are left: every throttle counts
    per address per minute, so a burst that crossed into the next would get two budgets.
    A server's clock is this machine's, so there is no other way to hold it still."""
    left = 60 - time.time() % 60
    if left < need:
        time.sleep(left + 0.2)


def forged_links(
    servers: list[Server], count: int, at_once: int = 8, kind: str = "share"
) -> list[int]:
    """`count` share links (or calendar feeds, or API tokens) nobody issued, tried
    `at_once` at a time from 127.0.0.1 (one address), each at the next server in turn;
    the statuses, in the order sent."""
    from concurrent.futures import ThreadPoolExecutor

    def open_one(number: int) -> int:
        server = servers[number % len(servers)]
        secret = secrets.token_urlsafe(32)
        if kind == "api":
            bearer = {"Authorization": f"Bearer hf_{secret}"}
            return Visitor(server).get("/api/v1/journal-entries", headers=bearer).status
        path = f"/feed/{secret}.ics" if kind == "feed" else f"/s/{secret}/"
        return Visitor(server).get(path).status

    with ThreadPoolExecutor(at_once) as pool:
        return list(pool.map(open_one, range(count)))


# -- A household to act on -----------------------------------------------------------------


def seed(site: Site, tasks: int = 0) -> dict[str, Any]:
    """A household away right now: a parent, a caregiver covering every night, Maya and
    Noa, a share link for Grandma Judy, and `tasks` prep tasks; with both sessions."""
    return site.fill(away_household, tasks=tasks)


def away_household(tasks: int) -> dict[str, Any]:
    from django.test import Client
    from django.utils import timezone

    from homefront.accounts.models import User
    from homefront.handoff.models import ShareLink
    from homefront.households.models import Child
    from homefront.households.models import Household
    from homefront.households.models import Membership
    from homefront.households.models import Role
    from homefront.prep.models import PrepTask
    from homefront.trips.models import Cover
    from homefront.trips.models import Trip

    household = Household.objects.create(name="The Racers", time_zone="America/New_York")
    parent = User.objects.create_user(email="pat@example.com", password="x" * 20, name="Pat")
    carer = User.objects.create_user(email="cam@example.com", password="x" * 20, name="Cam")
    Membership.objects.create(household=household, user=parent, role=Role.PARENT)
    Membership.objects.create(household=household, user=carer, role=Role.CAREGIVER)
    maya = Child.objects.create(household=household, name="Maya", birth_date=date(2022, 5, 12))
    noa = Child.objects.create(household=household, name="Noa", birth_date=date(2023, 8, 1))
    now = timezone.now()
    # Away since yesterday, back in three days; the caregiver covers every night.
    trip = Trip.objects.create(
        household=household,
        traveller=parent,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=3),
        destination="Denver",
        destination_zone="America/Denver",
    )
    for night in trip.nights_list:
        Cover.objects.update_or_create(household=household, night=night, defaults={"member": carer})
    link, token = ShareLink.issue(trip, parent, label="Grandma Judy")
    due = trip.local_start.date()
    made = [PrepTask.objects.create(trip=trip, title=f"Task {n}", due_on=due) for n in range(tasks)]

    def session(user: User) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    return {
        "trip": trip.pk,
        "maya": maya.pk,
        "noa": noa.pk,
        "link": link.pk,
        "token": token,
        "parent": parent.pk,
        "carer": carer.pk,
        "tasks": [task.pk for task in made],
        "sessions": {"parent": session(parent), "carer": session(carer)},
    }


def due_messages(count: int) -> list[str]:
    """`count` email messages due now for a caregiver without quiet hours (so they go
    whatever the time of day, and no parent's quarterly review joins them); their keys."""
    from datetime import time as time_of_day

    from django.utils import timezone

    from homefront.accounts.models import User
    from homefront.households.models import Household
    from homefront.households.models import Membership
    from homefront.households.models import Role
    from homefront.notify.drafts import Draft
    from homefront.notify.drafts import make
    from homefront.notify.models import Channel

    household = Household.objects.create(name="The Senders", time_zone="America/New_York")
    person = User.objects.create_user(
        email="sam@example.com",
        password="x" * 20,
        name="Sam",
        quiet_from=time_of_day(0),
        quiet_until=time_of_day(0),
    )
    Membership.objects.create(household=household, user=person, role=Role.CAREGIVER)
    channel = Channel(household=household, user=person, kind="email", target="sam@example.com")
    channel.full_clean()
    channel.save()
    keys = []
    for number in range(count):
        moment = timezone.now() - timedelta(minutes=1)
        draft = Draft("test", f"batch-{number}", f"Message {number:02d}", ["A line."], moment)
        message = make(channel, draft)
        assert message is not None
        keys.append(message.idempotency_key)
    return keys


def state(site: Site) -> dict[str, Any]:
    """Every journal entry in the site's database, in the order they were stored, with
    its children, author and history; the counts of child links and history rows; and
    who ticked each prep task done, by task id. Read in plain SQL, from this process."""
    from homefront.journal.models import EntryChange
    from homefront.journal.models import JournalEntry
    from homefront.prep.models import PrepTask

    children: dict[int, list[int]] = {}
    for entry, child in site.rows(JournalEntry.children.through, "journalentry_id, child_id"):
        children.setdefault(entry, []).append(child)
    changes: dict[int, list[str]] = {}
    for entry, action in site.rows(EntryChange, "entry_id, action"):
        changes.setdefault(entry, []).append(action)
    rows = site.rows(JournalEntry, "id, uuid, kind, author_id, share_link_id")
    done = site.rows(PrepTask, "id, done_by_id", where="done_at IS NOT NULL")
    return {
        "entries": [
            {
                "uuid": str(uuid.UUID(str(key))),
                "kind": kind,
                "children": sorted(children.get(pk, [])),
                "author": author,
                "link": link,
                "changes": changes.get(pk, []),
            }
            for pk, key, kind, author, link in rows
        ],
        "links": sum(len(each) for each in children.values()),
        "changes": sum(len(each) for each in changes.values()),
        "done": dict(done),
    }


# -- Run as a module: the `homefront` command with the test switches -------------------------


def _install_switches() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "homefront.settings")
    django.setup()
    from django.conf import settings
    from django.db.backends.signals import connection_created

    from homefront.journal.models import EntryChange
    from homefront.journal.models import JournalEntry

    folder = Path(settings.DATA_DIR)
    # The switches act on each new connection, and a connection otherwise outlives the
    # request (CONN_MAX_AGE): here each request opens its own, so a switch turned on or
    # off between two requests applies to the second, as a real fault would.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0

    def sqlite_faults(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.vendor != "sqlite":
            return
        raw = connection.connection
        if (folder / FAULT_READ_ONLY).exists():
            raw.execute("PRAGMA query_only = ON")
        if (folder / FAULT_FULL).exists():
            room = int((folder / FAULT_FULL).read_text() or 0)
            pages = raw.execute("PRAGMA page_count").fetchone()[0]
            raw.execute(f"PRAGMA max_page_count = {pages + room}")

    history = f'INSERT INTO "{EntryChange._meta.db_table}"'

    def pause(execute: Any, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        switch = folder / PAUSE_JOURNAL_AT
        # Counted inside the saving transaction: its own entries are there already.
        if (
            sql.startswith(history)
            and switch.exists()
            and JournalEntry.objects.count() >= int(switch.read_text())
        ):
            (folder / PAUSED).write_text(str(JournalEntry.objects.count()))
            time.sleep(WAIT)  # until the test kills the server
        return execute(sql, params, many, context)

    def switches(sender: Any, connection: Any, **kwargs: Any) -> None:
        sqlite_faults(sender, connection)
        if pause not in connection.execute_wrappers:
            connection.execute_wrappers.append(pause)

    connection_created.connect(switches, weak=False)


if __name__ == "__main__":
    _install_switches()
    from homefront.cli import main

    main()
