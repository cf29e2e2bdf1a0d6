"""Two `homefront worker` processes at once on one SQLite file, against the push service
and the webhook receiver on 127.0.0.1: twenty pushes and twenty webhooks each arrive
exactly once, the pushes to a parent in quiet hours wait, and three photos make one
push. The workers make the installation's VAPID key between them: the same one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from homefront.notify.tests.receivers import Browser
from homefront.notify.tests.receivers import PushService
from homefront.notify.tests.receivers import WebhookReceiver
from homefront.notify.tests.receivers import b64url
from homefront.notify.tests.receivers import verify_vapid
from homefront.notify.tests.test_delivery import environment
from homefront.notify.tests.test_delivery import query
from homefront.testing.command import PROJECT
from homefront.testing.command import run_homefront
from homefront.testing.ports import free_port
from homefront.testing.ports import wait_until
from homefront.testing.receivers import serving

COUNT = 20

MAKE = """
import json
from datetime import datetime, time, timedelta
from uuid import uuid4
from django.utils import timezone
from homefront.accounts.models import User
from homefront.households.models import Child, Household, Membership, Role
from homefront.journal.entries import Author, store
from homefront.notify import push, webhooks
from homefront.notify.events import photo_added
from homefront.notify.models import Message, MessageKind
from homefront.trips.models import Trip

now = timezone.now()
household = Household.objects.create(name="Pushers", time_zone="UTC")
def person(name, role, quiet_from, quiet_until):
    user = User.objects.create_user(email=name + "@example.com", password="a long test password",
                                    name=name, quiet_from=quiet_from, quiet_until=quiet_until)
    Membership.objects.create(household=household, user=user, role=role)
    return user
# Quiet hours from 0:00 to 0:00: none. The sleeper's hold the next three hours, whatever now is.
awake = person("Awake", Role.PARENT, time(0), time(0))
hour = now.hour
sleeper = person("Sleeper", Role.PARENT, time(hour), time((hour + 3) % 24))
carer = person("Carer", Role.CAREGIVER, time(0), time(0))
maya = Child.objects.create(household=household, name="Maya", birth_date="2022-05-12")
noa = Child.objects.create(household=household, name="Noa", birth_date="2023-11-02")
trip = Trip.objects.create(household=household, traveller=awake, destination="Home",
                           starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=2),
                           destination_zone="UTC")
push.subscribe(household, awake, SUBSCRIPTIONS["awake"], "Awake's phone")
push.subscribe(household, sleeper, SUBSCRIPTIONS["sleeper"], "Sleeper's phone")
hook, secret = webhooks.add(household, "HA", HOOK, ["entry.logged"])
ids = []
for number in range(COUNT):
    [outcome] = store(trip, Author(user=carer), [{"uuid": str(uuid4()), "kind": "incident",
        "children": [maya.pk], "occurred_at": (now - timedelta(minutes=number)).isoformat(),
        "text": f"Bump {number:02d}"}])
    ids.append(str(outcome.entry.uuid))
for number, names in ((1, ["Maya"]), (2, ["Noa"]), (3, ["Maya", "Noa"])):
    photo_added(trip, number, names, carer.pk)
# The photos' minute of gathering has passed (the sleeper's wait for the end of quiet hours).
Message.objects.filter(kind=MessageKind.PHOTOS, channel__user=awake).update(due_at=now)
print(json.dumps({"household": household.pk, "secret": secret, "ids": ids}))
"""


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("homefront-push-data")
    setup = run(folder, "setup", "--no-demo")
    assert setup.returncode == 0, setup.stderr
    return folder


def env(data_dir: Path) -> dict[str, str]:
    return {
        **environment(data_dir, free_port()),
        "HOMEFRONT_ALLOW_PRIVATE_TARGETS": "true",  # the receivers listen on 127.0.0.1
    }


@pytest.fixture
def receivers() -> Iterator[tuple[PushService, WebhookReceiver]]:
    with serving(PushService()) as pushes, serving(WebhookReceiver()) as hooks:
        yield pushes, hooks


def run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A busy machine runs the migrations slowly.
    return run_homefront(*args, env=env(data_dir), timeout=600)


def shell(data_dir: Path, code: str) -> dict[str, Any]:
    result = run(data_dir, "shell", "-v", "0", "-c", code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_workers_send_twenty_pushes_and_twenty_webhooks_once_each(data_dir, receivers):
    pushes, hooks = receivers
    phones = {
        "awake": Browser(f"{pushes.origin}/push/awake"),
        "sleeper": Browser(f"{pushes.origin}/push/sleeper"),
    }
    subscriptions = {name: phone.subscription() for name, phone in phones.items()}
    made = shell(
        data_dir,
        f"COUNT = {COUNT}\nSUBSCRIPTIONS = {subscriptions!r}\nHOOK = {hooks.url('/ha')!r}\n" + MAKE,
    )
    hooks.secrets["/ha"] = made["secret"]
    # Each worker's first webhook waits at the receiver until the other is posting too.
    hooks.hang.set()
    logs = [data_dir / f"pusher-{n}.log" for n in (1, 2)]
    outputs = [log.open("w") for log in logs]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "homefront.cli", "worker", "--interval", "0.5"],
            env=env(data_dir),
            cwd=PROJECT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        for output in outputs
    ]
    try:
        wait_until(lambda: hooks.held >= 2, "both workers to be posting", seconds=180)
        hooks.hang.clear()
        wait_until(
            lambda: len(hooks.accepted) >= COUNT and len(pushes.pushes_to("/push/awake")) > COUNT,
            "every push and webhook to arrive",
            seconds=180,
        )

        def settled() -> bool:
            rows = query(
                data_dir,
                "SELECT count(*) FROM notify_message WHERE household_id = ?"
                " AND status IN ('sending') ",
                made["household"],
            )
            return rows[0][0] == 0

        wait_until(settled, "the workers to finish what they claimed")
    finally:
        for worker in workers:
            worker.terminate()
        codes = [worker.wait(timeout=60) for worker in workers]
        for output in outputs:
            output.close()
    texts = [log.read_text() for log in logs]
    assert codes == [0, 0], texts
    assert all("Traceback" not in text for text in texts), texts

    # Webhooks: each entry once, every signature good (the receiver refuses others).
    assert hooks.refused == []
    delivered = Counter(d.body["data"]["id"] for d in hooks.accepted)
    assert delivered == Counter(made["ids"])

    # Pushes, decrypted with each phone's own key; signed by the one installation key.
    key_pem = (data_dir / "vapid_private_key.pem").read_bytes()
    public = serialization.load_pem_private_key(key_pem, None).public_key()
    installation = b64url(
        public.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    shown = []  # the entries' and photos' pushes (an evening digest may come too)
    for push in pushes.pushes_to("/push/awake"):
        assert verify_vapid(push.headers["authorization"], pushes.origin)["key"] == installation
        item = json.loads(phones["awake"].decrypt(push.body))
        if item["tag"].startswith(("entry-", "photos-")):
            shown.append(item)
    tags = Counter(item["tag"] for item in shown)
    assert all(count == 1 for count in tags.values()), tags
    incidents = [item for item in shown if item["title"] == "Maya: Incident"]
    assert len(incidents) == COUNT
    assert len({item["tag"] for item in incidents}) == COUNT  # one per entry
    # Three photos, one push.
    [photos] = [item for item in shown if item["tag"].startswith("photos-")]
    assert photos["title"] == "3 new photos of Maya and Noa"
    assert len(shown) == COUNT + 1
    # The sleeper's quiet hours hold: nothing reached their phone; it waits.
    assert [phones["sleeper"].decrypt(p.body) for p in pushes.pushes_to("/push/sleeper")] == []
    waiting = query(
        data_dir,
        "SELECT count(*) FROM notify_message m JOIN notify_channel c ON c.id = m.channel_id"
        " WHERE c.target = ? AND m.status = 'pending' AND m.kind IN ('entry', 'photos')",
        phones["sleeper"].endpoint,
    )
    assert waiting[0][0] == COUNT + 1
    # Each message claimed and sent once: one attempt each.
    attempts = query(
        data_dir,
        "SELECT m.id, count(a.id) FROM notify_message m JOIN notify_attempt a"
        " ON a.message_id = m.id WHERE m.household_id = ?"
        " AND m.kind IN ('entry', 'photos', 'webhook') GROUP BY m.id",
        made["household"],
    )
    assert len(attempts) == 2 * COUNT + 1
    assert all(count == 1 for _id, count in attempts)
    senders = query(
        data_dir,
        "SELECT DISTINCT a.worker FROM notify_attempt a JOIN notify_message m"
        " ON m.id = a.message_id WHERE m.household_id = ?",
        made["household"],
    )
    assert len(senders) == 2, "one worker sent everything"
    assert os.stat(data_dir / "vapid_private_key.pem").st_mode & 0o777 == 0o600
