"""Delivery against real servers on 127.0.0.1: an SMTP server (aiosmtpd) and an HTTP
receiver for Apprise's json:// URLs.

- Two `homefront worker` processes at once, on one SQLite file: each due message
  arrives exactly once, and both stop cleanly on SIGTERM.
- A worker killed in the middle of a send leaves its claim; ten minutes later the
  message is released and sent, once.
- In this process, against the test database: an unreachable mail server is retried
  with backoff until it fails for good, and the delivery log shows why; a mail server
  that refuses the address fails at once.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from homefront.notify.delivery import STUCK_AFTER
from homefront.notify.delivery import backoff
from homefront.notify.delivery import deliver
from homefront.notify.delivery import deliver_due
from homefront.notify.drafts import Draft
from homefront.notify.drafts import make
from homefront.notify.models import MAX_ATTEMPTS
from homefront.notify.models import Attempt
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.models import Status
from homefront.testing.command import Background
from homefront.testing.command import clean_environment
from homefront.testing.command import run_homefront
from homefront.testing.ports import free_port
from homefront.testing.ports import wait_until
from homefront.testing.receivers import Hooks
from homefront.testing.receivers import Mailbox
from homefront.testing.receivers import serving
from homefront.testing.receivers import smtp_server

NOW = datetime(2027, 1, 12, 15, 0, tzinfo=UTC)  # Tuesday, 10:00 in New York


# -- The servers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Mailbox, int]]:
    """One mail server for the module: the data folder's settings name its port."""
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def hooks() -> Iterator[Hooks]:
    with serving(Hooks()) as server:
        yield server


@pytest.fixture
def mailbox(smtp) -> Mailbox:
    smtp[0].reset()
    return smtp[0]


# -- The `homefront` command in a data folder of its own -----------------------------------


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory, smtp) -> Path:
    folder = tmp_path_factory.mktemp("homefront-data")
    setup = homefront("setup", "--no-demo", data_dir=folder, smtp_port=smtp[1])
    assert setup.returncode == 0, setup.stderr
    return folder


def environment(data_dir: Path, smtp_port: int) -> dict[str, str]:
    return clean_environment(
        HOMEFRONT_DATA_DIR=str(data_dir),
        HOMEFRONT_EMAIL_HOST="127.0.0.1",
        HOMEFRONT_EMAIL_PORT=str(smtp_port),
        HOMEFRONT_EMAIL_USE_TLS="false",
        HOMEFRONT_LOG_LEVEL="INFO",
    )


def homefront(*args: str, data_dir: Path, smtp_port: int) -> subprocess.CompletedProcess[str]:
    return run_homefront(*args, env=environment(data_dir, smtp_port))


class Worker(Background):
    """`homefront worker` in the background, its output in a file."""

    def __init__(self, data_dir: Path, smtp_port: int, name: str, *args: str) -> None:
        env, log = environment(data_dir, smtp_port), data_dir / f"{name}.log"
        super().__init__("worker", *args, env=env, log=log)


MAKE_HOUSEHOLD = """
import json
from datetime import time, timedelta
from django.utils import timezone
from homefront.accounts.models import User
from homefront.households.models import Household, Membership, Role
from homefront.notify.models import Channel
from homefront.notify.drafts import Draft, make

household = Household.objects.create(name=NAME, time_zone="America/New_York")
# No quiet hours: the messages go whatever the time of day the tests run at.
person = User.objects.create_user(
    email=NAME.lower() + "@example.com", password="a long test password", name=NAME,
    quiet_from=time(0), quiet_until=time(0),
)
Membership.objects.create(household=household, user=person, role=ROLE)
keys = []
for kind, target in TARGETS:
    channel = Channel(household=household, user=person, kind=kind, target=target)
    channel.full_clean()
    channel.save()
    for number in range(COUNT):
        draft = Draft("test", f"{NAME}-{number}", f"{NAME} {number:02d}", ["Line one.", "Two."],
                      timezone.now() - timedelta(minutes=1))
        keys.append(make(channel, draft).idempotency_key)
print(json.dumps({"household": household.pk, "keys": keys}))
"""


def make_household(
    data_dir: Path, smtp_port: int, name: str, role: str, targets: list[tuple[str, str]], count: int
) -> dict[str, Any]:
    code = (
        f"NAME = {name!r}\nROLE = {role!r}\nTARGETS = {targets!r}\nCOUNT = {count!r}\n"
        + MAKE_HOUSEHOLD
    )
    result = homefront("shell", "-v", "0", "-c", code, data_dir=data_dir, smtp_port=smtp_port)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def query(data_dir: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """The worker's database, read (or, with no worker running, written) directly."""
    connection = sqlite3.connect(data_dir / "homefront.sqlite3", timeout=20)
    try:
        with connection:
            return connection.execute(sql, params).fetchall()
    finally:
        connection.close()


def messages_of(data_dir: Path, household: int) -> list[dict[str, Any]]:
    rows = query(
        data_dir,
        "SELECT m.id, m.idempotency_key, m.subject, m.status, m.attempts, m.due_at, c.kind,"
        " c.target, m.claimed_by FROM notify_message m"
        " JOIN notify_channel c ON c.id = m.channel_id WHERE m.household_id = ?",
        household,
    )
    names = ("id", "key", "subject", "status", "attempts", "due_at", "kind", "target", "claimed")
    return [dict(zip(names, row, strict=True)) for row in rows]


def attempts_of(data_dir: Path, message_id: int) -> list[tuple[int, str, str]]:
    return query(
        data_dir,
        "SELECT ok, worker, error FROM notify_attempt WHERE message_id = ? ORDER BY id",
        message_id,
    )


def due(row: dict[str, Any]) -> bool:
    moment = datetime.fromisoformat(row["due_at"])
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment <= datetime.now(UTC)


# -- Two workers at once ---------------------------------------------------------------------


def test_two_workers_at_once_send_each_due_message_exactly_once(data_dir, smtp, mailbox, hooks):
    port = smtp[1]
    hook = f"/hook-twins-{free_port()}"
    made = make_household(
        data_dir,
        port,
        "Twins",
        "parent",
        [
            ("email", "twins@example.com"),
            ("apprise", f"json://127.0.0.1:{hooks.server_port}{hook}"),
        ],
        count=10,
    )
    household, keys = made["household"], made["keys"]
    assert len(keys) == 20
    # Each worker's first email waits at the server until the other worker is sending
    # too: the two really work the same list at the same time.
    mailbox.gate.clear()

    workers = [Worker(data_dir, port, f"twin-{n}", "--interval", "0.5") for n in (1, 2)]
    try:
        wait_until(lambda: all(w.started() for w in workers), "both workers to start")
        wait_until(lambda: mailbox.held >= 2, "both workers to be sending")
        mailbox.gate.set()

        def all_sent() -> bool:
            rows = messages_of(data_dir, household)
            mine = {r["key"]: r for r in rows if r["key"] in keys}
            return len(mine) == len(keys) and all(
                r["status"] == "sent" for r in rows if r["key"] in keys or due(r)
            )

        wait_until(all_sent, "every due message to be sent")
        codes = [worker.stop() for worker in workers]
        logs = [worker.text() for worker in workers]
    finally:
        for worker in workers:
            worker.close()
    assert codes == [0, 0], logs
    for text in logs:
        assert "stopped." in text
        assert "Traceback" not in text, text

    rows = messages_of(data_dir, household)
    sent = [row for row in rows if row["status"] == "sent"]
    assert {row["key"] for row in sent} >= set(keys)  # and the readiness review, when due
    senders = Counter()
    for row in sent:
        [(ok, worker, error)] = attempts_of(data_dir, row["id"])
        assert (ok, error) == (1, ""), row
        assert row["attempts"] == 1
        senders[worker] += 1
    assert len(senders) == 2, f"one worker sent everything: {senders}"

    emails = mailbox.keys()
    assert all(count == 1 for count in emails.values()), emails
    assert {row["key"] for row in sent if row["kind"] == "email"} == set(emails)
    titles = hooks.titles(hook)
    assert all(count == 1 for count in titles.values()), titles
    assert Counter(row["subject"] for row in sent if row["kind"] == "apprise") == titles
    assert {f"Twins {n:02d}" for n in range(10)} <= set(titles)
    [letter] = [m for m in mailbox.received if m["Subject"] == "Twins 07"]
    assert letter["To"] == "twins@example.com"
    assert letter.get_body(("plain",)).get_content().splitlines()[:2] == ["Line one.", "Two."]
    assert "<h1" in letter.get_body(("html",)).get_content()


def test_a_worker_killed_mid_send_leaves_a_claim_that_is_released_after_ten_minutes(
    data_dir, smtp, mailbox
):
    port = smtp[1]
    made = make_household(
        data_dir, port, "Sitter", "caregiver", [("email", "sitter@example.com")], count=1
    )
    household, [key] = made["household"], made["keys"]
    mailbox.gate.clear()

    worker = Worker(data_dir, port, "doomed", "--interval", "0.5")
    try:
        wait_until(lambda: mailbox.held >= 1, "the worker to be in the middle of the send")
        worker.process.kill()  # SIGKILL: no chance to tidy up
        assert worker.process.wait(timeout=10) == -signal.SIGKILL
    finally:
        worker.close()
    mailbox.gate.set()

    [row] = messages_of(data_dir, household)
    assert (row["key"], row["status"], row["attempts"]) == (key, "sending", 0)
    assert row["claimed"]
    assert attempts_of(data_dir, row["id"]) == []

    # A worker soon after leaves the claim alone: the first one may only be slow.
    again = homefront("worker", "--once", data_dir=data_dir, smtp_port=port)
    assert again.returncode == 0, again.stderr
    [row] = messages_of(data_dir, household)
    assert row["status"] == "sending"
    assert mailbox.keys()[key] == 0

    # Ten minutes on, the claim is stale: the next round sends it, once.
    stale = (datetime.now(UTC) - STUCK_AFTER - timedelta(seconds=30)).replace(tzinfo=None)
    query(
        data_dir,
        "UPDATE notify_message SET claimed_at = ? WHERE id = ?",
        stale.isoformat(sep=" "),
        row["id"],
    )
    for _ in range(2):
        done = homefront("worker", "--once", data_dir=data_dir, smtp_port=port)
        assert done.returncode == 0, done.stderr
    [row] = messages_of(data_dir, household)
    assert (row["status"], row["attempts"]) == ("sent", 1)
    [(ok, _worker, _error)] = attempts_of(data_dir, row["id"])
    assert ok == 1
    assert mailbox.keys()[key] == 1


# -- In this process: failures, retries, the delivery log ---------------------------------


@pytest.fixture
def smtp_settings(settings, smtp):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = smtp[1]
    settings.EMAIL_USE_TLS = False
    return settings


def one_message(family, target: str = "pat@example.com") -> Message:
    channel = Channel.objects.create(
        household=family.household, user=family.parent, kind=ChannelKind.EMAIL, target=target
    )
    draft = Draft(
        MessageKind.TEST, "in-process", "Hello Pat", ["A line."], NOW - timedelta(minutes=1)
    )
    message = make(channel, draft)
    assert message is not None
    return message


def test_a_real_mail_server_gets_the_message_once(family, frozen_time, smtp_settings, mailbox):
    message = one_message(family)

    assert deliver_due("w1") == ["sent"]
    assert deliver_due("w2") == []
    assert deliver(message.pk, "w2") == "taken"

    [letter] = mailbox.received
    assert letter["X-Homefront-Message"] == message.idempotency_key
    assert (letter["Subject"], letter["To"]) == ("Hello Pat", "pat@example.com")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.sent_at) == (Status.SENT, 1, NOW)
    assert message.claimed_by == "w1"


def test_an_unreachable_mail_server_is_retried_with_backoff_then_fails(
    family, frozen_time, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_USE_TLS = False
    message = one_message(family)

    moment = NOW
    for attempt in range(1, MAX_ATTEMPTS):
        assert deliver_due("w1") == ["retry"]
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Status.PENDING, attempt)
        assert message.due_at == moment + backoff(attempt)
        assert message.last_error.startswith("Could not reach the mail server: ")
        # Not before the backoff is over...
        frozen_time.move_to(message.due_at - timedelta(seconds=1))
        assert deliver_due("w1") == []
        # ...and then again.
        moment = message.due_at
        frozen_time.move_to(moment)
    assert [backoff(n) for n in range(1, MAX_ATTEMPTS)] == [
        timedelta(minutes=1),
        timedelta(minutes=4),
        timedelta(minutes=16),
        timedelta(minutes=64),
    ]

    assert deliver_due("w1") == ["failed"]
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    attempts = list(message.attempt_log.all())
    assert len(attempts) == MAX_ATTEMPTS
    assert not any(attempt.ok for attempt in attempts)
    assert all("Connection refused" in attempt.error for attempt in attempts)
    frozen_time.move_to(NOW + timedelta(days=1))
    assert deliver_due("w1") == []  # failed for good

    # The parent sees each attempt and why it failed.
    log = family.client_for(family.parent).get(reverse("notify:log"))
    assert log.status_code == 200
    page = log.content.decode()
    assert "Hello Pat" in page
    assert '<span class="badge">Failed</span>' in page
    assert f"{MAX_ATTEMPTS} attempts" in page
    assert page.count("failed — Could not reach the mail server:") == MAX_ATTEMPTS
    assert "Connection refused" in page
    assert 'class="is-uncovered"' in page
    # The log is for parents.
    refused = family.client_for(family.caregiver).get(reverse("notify:log"))
    assert refused.status_code == 403
    assert "Hello Pat" not in refused.content.decode()


def test_a_mail_server_that_refuses_the_address_fails_at_once(
    family, frozen_time, smtp_settings, mailbox
):
    mailbox.refused.add("gone@example.com")
    message = one_message(family, target="gone@example.com")

    assert deliver_due("w1") == ["failed"]

    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.FAILED, 1)
    assert message.last_error.startswith("The mail server refused the address: ")
    assert "550" in message.last_error
    [attempt] = message.attempt_log.all()
    assert (attempt.ok, attempt.worker) == (False, "w1")
    assert mailbox.received == []
    frozen_time.move_to(NOW + timedelta(hours=2))
    assert deliver_due("w1") == []


def test_a_claim_is_released_after_ten_minutes_not_before(family, frozen_time):
    message = one_message(family)
    Message.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claimed_by="killed", claimed_at=NOW
    )

    frozen_time.move_to(NOW + STUCK_AFTER - timedelta(seconds=1))
    assert deliver_due("w2") == []
    message.refresh_from_db()
    assert (message.status, message.claimed_by) == (Status.SENDING, "killed")

    frozen_time.move_to(NOW + STUCK_AFTER + timedelta(seconds=1))
    assert deliver_due("w2") == ["sent"]
    assert deliver_due("w3") == []
    [letter] = mail.outbox
    assert letter.extra_headers["X-Homefront-Message"] == message.idempotency_key
    [attempt] = Attempt.objects.all()
    assert (attempt.ok, attempt.worker) == (True, "w2")


def test_a_worker_asked_to_stop_sends_no_further_message(family, frozen_time):
    message = one_message(family)
    stopping = threading.Event()
    stopping.set()
    assert deliver_due("w1", stopping=stopping) == []
    message.refresh_from_db()
    assert message.status == Status.PENDING
