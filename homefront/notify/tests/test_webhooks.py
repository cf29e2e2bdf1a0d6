"""Webhooks against a real receiver on 127.0.0.1 (tests/receivers.py) that checks every
signature with the secret the parent was shown and refuses replays: adding one (the
secret shown once), what is posted for each event, private addresses refused at save
and at send, redirects, a receiver that hangs, and the test button."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from homefront.handoff.models import ShareLink
from homefront.handoff.models import ShareLinkOpen
from homefront.notify import webhooks
from homefront.notify.delivery import deliver_due
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import Status
from homefront.notify.models import Webhook
from homefront.notify.plan import plan_all
from homefront.notify.tests.receivers import WebhookReceiver
from homefront.testing.journal import logged
from homefront.testing.ports import wait_until
from homefront.testing.receivers import serving
from homefront.testing.trips import trip_to
from homefront.trips.models import Trip

NOW = datetime(2027, 1, 13, 15, 0, tzinfo=UTC)  # 10:00 in New York
ALL_EVENTS = [event for event, _label in webhooks.EVENTS]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with serving(WebhookReceiver()) as server:
        yield server


@pytest.fixture
def allowed(settings) -> None:
    settings.ALLOW_PRIVATE_TARGETS = True


def add(family, receiver: WebhookReceiver, path: str, events: list[str] | None = None) -> Any:
    response = family.client_for(family.parent).post(
        reverse("notify:webhooks"),
        {"name": "Home Assistant", "url": receiver.url(path), "events": events or ALL_EVENTS},
    )
    if response.status_code == 200 and response.context["secret"]:
        receiver.secrets[path] = response.context["secret"]
    return response


def test_a_parent_adds_a_webhook_and_sees_its_secret_once(family, receiver, allowed):
    response = add(family, receiver, "/hook")
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("whsec_")
    assert secret in response.content.decode()
    [hook] = Webhook.objects.all()
    assert (hook.name, hook.channel.target, hook.events) == (
        "Home Assistant",
        receiver.url("/hook"),
        ALL_EVENTS,
    )
    again = family.client_for(family.parent).get(reverse("notify:webhooks"))
    assert secret not in again.content.decode()
    assert receiver.url("/hook") in again.content.decode()


def test_a_webhook_to_127_0_0_1_is_refused_by_default(family, receiver):
    response = add(family, receiver, "/hook")
    assert response.status_code == 422
    assert "loopback, private or link-local" in response.context["form"].errors["url"][0]
    assert not Channel.objects.filter(kind=ChannelKind.WEBHOOK).exists()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://example.org/hook", "Use an http:// or https:// URL."),
        ("http://10.0.0.7/hook", "loopback, private or link-local"),
        ("http://169.254.169.254/latest/meta-data", "loopback, private or link-local"),
        ("http://[::1]:8123/hook", "loopback, private or link-local"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback, private or link-local"),
        ("http://localhost:8123/hook", "loopback, private or link-local"),
        ("http://user:pass@example.org/hook", "no user name or password"),
        ("http://does-not-exist.invalid/hook", "does not resolve"),
    ],
)
def test_bad_webhook_urls_are_refused_next_to_the_field(family, url, error):
    response = family.client_for(family.parent).post(
        reverse("notify:webhooks"), {"name": "HA", "url": url, "events": ALL_EVENTS}
    )
    assert response.status_code == 422
    assert error in " ".join(response.context["form"].errors["url"])
    assert not Channel.objects.filter(kind=ChannelKind.WEBHOOK).exists()


def test_no_events_and_no_name_are_refused(family, allowed, receiver):
    response = family.client_for(family.parent).post(
        reverse("notify:webhooks"), {"name": "", "url": receiver.url("/x")}
    )
    assert response.status_code == 422
    assert set(response.context["form"].errors) == {"name", "events"}
    assert not Webhook.objects.exists()


def test_an_entry_is_posted_signed_and_a_replay_is_refused(
    family, receiver, allowed, frozen_time, settings
):
    add(family, receiver, "/entries", [webhooks.Event.ENTRY_LOGGED])
    trip = trip_to(
        family, "Denver", "America/Denver", NOW - timedelta(days=1), NOW + timedelta(days=2)
    )
    entry_id = str(uuid.uuid4())
    logged(trip, family.caregiver, "asleep", family.child, NOW, uuid=entry_id)
    assert deliver_due("worker", NOW) == ["sent"]
    [delivery] = receiver.accepted
    assert delivery.body["type"] == "entry.logged"
    assert delivery.body["data"] == {
        "id": entry_id,
        "trip": trip.pk,
        "kind": "asleep",
        "occurred_at": NOW.isoformat(),
        "children": ["Maya"],
        "summary": "Asleep",
        "path": reverse("journal:timeline", args=[trip.pk]),
    }
    assert receiver.refused == []

    # The same request again, word for word: the receiver has seen its id.
    message = Message.objects.get(channel__kind=ChannelKind.WEBHOOK)
    body = webhooks.body_of(message)
    secret = receiver.secrets["/entries"]
    stamp = int(NOW.timestamp())
    headers = {
        "webhook-id": delivery.id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": webhooks.signature(secret, delivery.id, stamp, body),
        "Content-Type": "application/json",
    }
    request = urllib.request.Request(  # noqa: S310 (http to the test's receiver)
        receiver.url("/entries"), body, headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as replay:  # noqa: S310
        assert replay.status == 204  # "done already": not acted on a second time
    # A body changed on the way, or a stale timestamp, fails the signature or the window.
    for changed_body, changed_stamp in (
        (body.replace(b"Asleep", b"Awake!"), stamp),
        (body, stamp - 3600),
    ):
        headers["webhook-id"] = "msg_other"
        headers["webhook-timestamp"] = str(changed_stamp)
        headers["webhook-signature"] = webhooks.signature(secret, "msg_other", stamp, body)
        forged = urllib.request.Request(  # noqa: S310
            receiver.url("/entries"), changed_body, headers, method="POST"
        )
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(forged, timeout=5)  # noqa: S310
    assert [why for _path, why in receiver.refused] == [
        "replayed",
        "bad signature",
        "timestamp too old or new",
    ]
    assert len(receiver.accepted) == 1


def test_an_address_refused_at_send_even_when_saved_while_allowed(
    family, receiver, allowed, frozen_time, settings
):
    """Saved while private addresses were allowed, or a name that resolved to a public
    address then and a private one now: checked again at each send."""
    add(family, receiver, "/later", [webhooks.Event.ENTRY_LOGGED])
    Channel.objects.filter(kind=ChannelKind.WEBHOOK).update(
        target=receiver.url("/later").replace("127.0.0.1", "localhost")
    )
    settings.ALLOW_PRIVATE_TARGETS = False
    channel = Channel.objects.get(kind=ChannelKind.WEBHOOK)
    webhooks.announce(family.household, webhooks.Event.ENTRY_LOGGED, "k", {"x": 1})
    assert deliver_due("worker", NOW) == ["failed"]
    message = Message.objects.get(channel=channel)
    assert "loopback, private or link-local" in message.last_error
    assert receiver.accepted == []
    assert receiver.refused == []


def test_a_redirect_is_not_followed(family, receiver, allowed, frozen_time):
    add(family, receiver, "/moved", [webhooks.Event.ENTRY_LOGGED])
    receiver.answers["/moved"] = 307
    webhooks.announce(family.household, webhooks.Event.ENTRY_LOGGED, "k", {"x": 1})
    assert deliver_due("worker", NOW) == ["failed"]
    assert "redirect" in Message.objects.get().last_error


def test_a_receiver_that_hangs_is_cut_off_and_tried_again(
    family, receiver, allowed, frozen_time, monkeypatch
):
    monkeypatch.setattr(webhooks, "TIMEOUT", 0.5)
    add(family, receiver, "/slow", [webhooks.Event.ENTRY_LOGGED])
    webhooks.announce(family.household, webhooks.Event.ENTRY_LOGGED, "k", {"x": 1})
    receiver.hang.set()
    try:
        assert deliver_due("worker", NOW) == ["retry"]
    finally:
        receiver.hang.clear()
    message = Message.objects.get()
    assert "timed out" in message.last_error
    assert message.due_at == NOW + timedelta(minutes=1)
    assert deliver_due("worker", NOW + timedelta(minutes=1)) == ["sent"]
    # The hung request reached the receiver after all, under the same id: the receiver
    # acted on it once and took the retry for the replay it is.
    wait_until(lambda: len(receiver.accepted) + len(receiver.refused) == 2, "both to land")
    assert [d.id for d in receiver.accepted] == [f"msg_{message.pk}"]
    assert receiver.refused == [("/slow", "replayed")]


def test_the_test_button_posts_a_signed_test_event(family, receiver, allowed):
    add(family, receiver, "/test", [webhooks.Event.TRIP_STARTED])
    channel = Channel.objects.get(kind=ChannelKind.WEBHOOK)
    response = family.client_for(family.parent).post(
        reverse("notify:send_test", args=[channel.pk]), follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("notify:webhooks")
    assert "Test sent to Home Assistant." in response.content.decode()
    [delivery] = receiver.accepted
    assert delivery.body["type"] == "webhook.test"
    page = family.client_for(family.parent).get(reverse("notify:webhooks")).content.decode()
    assert "A test from Homefront" in page  # the delivery log of the webhook


def test_a_test_to_a_dead_receiver_says_why(family, receiver, allowed):
    add(family, receiver, "/dead", [webhooks.Event.TRIP_STARTED])
    receiver.answers["/dead"] = 500
    channel = Channel.objects.get(kind=ChannelKind.WEBHOOK)
    response = family.client_for(family.parent).post(
        reverse("notify:send_test", args=[channel.pk]), follow=True
    )
    assert "The webhook answered 500." in response.content.decode()
    assert Message.objects.get().status == Status.FAILED


def test_timed_events_trip_start_and_end_medicine_due_and_missed_and_a_first_open(
    family, receiver, allowed
):
    add(family, receiver, "/ha", [e for e in ALL_EVENTS if e != webhooks.Event.NIGHT_UNCOVERED])
    start = datetime(2027, 1, 14, 12, 0, tzinfo=UTC)  # Thursday 7:00 in New York
    trip = trip_to(family, "Denver", "America/Denver", start, start + timedelta(days=2))
    link, _token = ShareLink.issue(trip, family.parent, label="Grandma", days_before=7)

    def round_at(moment: datetime) -> list[str]:
        with time_machine.travel(moment, tick=False):
            plan_all(moment)
            deliver_due("worker", moment)
        return [d.body["type"] for d in receiver.accepted]

    with time_machine.travel(start - timedelta(hours=1), tick=False):
        ShareLinkOpen.objects.create(link=link)
    assert round_at(start - timedelta(minutes=30)) == ["share_link.opened"]
    # Vitamin D at 8:00 in New York (13:00 UTC): the trip starts at 12:00.
    assert round_at(start)[-1] == "trip.started"
    assert round_at(start + timedelta(hours=1))[-1] == "medicine.due"
    # Not logged by 9:00: missed.
    assert round_at(start + timedelta(hours=2))[-1] == "medicine.missed"
    missed = receiver.accepted[-1].body["data"]
    assert (missed["child"], missed["medicine"], missed["trip"]) == ("Maya", "Vitamin D", trip.pk)
    # The next morning's dose is logged in time: due, not missed.
    next_dose = start + timedelta(days=1, hours=1)
    with time_machine.travel(next_dose, tick=False):
        dose = family.child.medicines.get().pk
        at = next_dose + timedelta(minutes=10)
        logged(trip, family.caregiver, "medicine", family.child, at, medicine=dose)
    round_at(next_dose + timedelta(hours=1, minutes=5))
    types = [d.body["type"] for d in receiver.accepted]
    assert types.count("medicine.missed") == 1
    assert types.count("medicine.due") == 2
    assert round_at(trip.ends_at + timedelta(minutes=1))[-1] == "trip.ended"
    # Each once, however many rounds.
    round_at(trip.ends_at + timedelta(minutes=30))
    types = [d.body["type"] for d in receiver.accepted]
    assert types.count("trip.started") == types.count("trip.ended") == 1
    assert types.count("share_link.opened") == 1
    assert receiver.refused == []


def test_a_night_with_nobody_in_charge_is_posted_once(family, receiver, allowed, frozen_time):
    add(family, receiver, "/nights", [webhooks.Event.NIGHT_UNCOVERED])
    for person in (family.parent, family.caregiver):
        from homefront.households.models import Membership
        from homefront.households.models import Role

        Membership.objects.filter(user=person).update(role=Role.PARENT)
        Trip.objects.create(
            household=family.household,
            traveller=person,
            starts_at=NOW + timedelta(days=2),
            ends_at=NOW + timedelta(days=3),
            destination="Denver",
            destination_zone="America/Denver",
        )
    plan_all(NOW)
    deliver_due("worker", NOW)
    plan_all(NOW + timedelta(minutes=5))
    deliver_due("worker", NOW + timedelta(minutes=5))
    nights = [d.body["data"]["night"] for d in receiver.accepted]
    assert nights == ["2027-01-15"]
