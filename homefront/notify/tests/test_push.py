"""Web Push against a real push service on 127.0.0.1 (tests/receivers.py) that decrypts
each push with the subscription's own private key and checks its VAPID token against the
installation's public key: subscribing from the page, what pushes and to whom, quiet
hours where the person is (across a change of clocks), photo batches, dead
subscriptions, and bad subscriptions refused with a message."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from homefront.journal.entries import Author
from homefront.journal.entries import store
from homefront.notify import vapid
from homefront.notify.delivery import deliver_due
from homefront.notify.events import PHOTO_EVERY
from homefront.notify.events import PHOTO_GATHER
from homefront.notify.events import photo_added
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.models import PushChoices
from homefront.notify.models import Status
from homefront.notify.tests.receivers import Browser
from homefront.notify.tests.receivers import PushService
from homefront.notify.tests.receivers import verify_vapid
from homefront.testing.journal import logged
from homefront.testing.receivers import serving
from homefront.testing.trips import trip_to
from homefront.trips.models import Trip

# Wednesday 13 January 2027, 15:00 UTC: 10:00 in New York, 08:00 in Denver.
NOW = datetime(2027, 1, 13, 15, 0, tzinfo=UTC)


@pytest.fixture
def push_service(settings) -> Iterator[PushService]:
    settings.ALLOW_PRIVATE_TARGETS = True  # the stand-in listens on 127.0.0.1
    with serving(PushService()) as service:
        yield service


@pytest.fixture
def denver_trip(family) -> Trip:
    """The parent is away in Denver from yesterday until Saturday; the caregiver covers."""
    return trip_to(
        family, "Denver", "America/Denver", NOW - timedelta(days=1), NOW + timedelta(days=3)
    )


def subscribe(client, browser: Browser, name: str = "Pat's phone") -> Any:
    return client.post(
        reverse("notify:push_subscribe"),
        {"subscription": browser.subscription(), "name": name},
        content_type="application/json",
    )


def log(trip: Trip, user, kind: str, child, when: datetime | None = None) -> None:
    outcome = logged(trip, user, kind, child, when or NOW)
    assert outcome.status == "stored", outcome.errors


def decrypted(browser: Browser, service: PushService, path: str) -> list[dict[str, Any]]:
    shown = []
    for push in service.pushes_to(path):
        token = verify_vapid(push.headers["authorization"], service.origin)
        assert token["key"] == vapid.public_key()
        assert push.headers["content-encoding"] == "aes128gcm"
        shown.append(json.loads(browser.decrypt(push.body)))
    return shown


def test_a_push_arrives_encrypted_to_the_device_and_signed_by_the_installation(
    family, push_service, frozen_time, denver_trip
):
    browser = Browser(f"{push_service.origin}/push/pats-phone")
    response = subscribe(family.client_for(family.parent), browser)
    assert response.status_code == 201, response.content
    device = Channel.objects.get(kind=ChannelKind.PUSH, user=family.parent)
    assert device.push_device.name == "Pat's phone"

    log(denver_trip, family.caregiver, "asleep", family.child)
    assert deliver_due("worker", NOW) == ["sent"]

    [shown] = decrypted(browser, push_service, "/push/pats-phone")
    assert shown["title"] == "Maya: Asleep"
    assert shown["body"].endswith("Asleep")
    assert shown["url"] == reverse("journal:timeline", args=[denver_trip.pk])
    # 08:00 where Pat is, not 10:00 at home.
    assert shown["body"].startswith("8 a.m.") or shown["body"].startswith("08:00"), shown
    # Sent once: the next round has nothing to send, and the log says so.
    assert deliver_due("worker", NOW + timedelta(minutes=5)) == []
    message = Message.objects.get(channel=device)
    assert (message.status, message.attempts) == (Status.SENT, 1)


def test_the_author_and_a_caregiver_who_covers_nothing_get_no_push(
    family, push_service, frozen_time, denver_trip
):
    carers = Browser(f"{push_service.origin}/push/cams-phone")
    assert subscribe(family.client_for(family.caregiver), carers, "Cam's").status_code == 201
    log(denver_trip, family.caregiver, "incident", family.child)
    # Cam wrote it; and Cam covers no night of the Denver trip, so may not read its journal.
    assert not Message.objects.filter(kind=MessageKind.ENTRY).exists()


def test_incidents_always_push_other_kinds_only_when_chosen(
    family, push_service, frozen_time, denver_trip
):
    browser = Browser(f"{push_service.origin}/push/pats")
    subscribe(family.client_for(family.parent), browser)
    log(denver_trip, family.caregiver, "bath", family.child)
    assert not Message.objects.filter(kind=MessageKind.ENTRY).exists()

    response = family.client_for(family.parent).post(
        reverse("notify:push_choices"), {"entry_kinds": ["bath"], "photos": "on"}
    )
    assert response.status_code == 302
    choices = PushChoices.objects.get(user=family.parent)
    assert (choices.entry_kinds, choices.sleep, choices.photos) == (["bath"], False, True)

    log(denver_trip, family.caregiver, "bath", family.child, NOW + timedelta(minutes=1))
    log(denver_trip, family.caregiver, "asleep", family.child, NOW + timedelta(minutes=2))
    log(denver_trip, family.caregiver, "incident", family.child, NOW + timedelta(minutes=3))
    deliver_due("worker", NOW + timedelta(minutes=5))
    titles = [shown["title"] for shown in decrypted(browser, push_service, "/push/pats")]
    assert sorted(titles) == ["Maya: Bath", "Maya: Incident"]


def test_a_410_from_the_push_service_removes_the_device(
    family, push_service, frozen_time, denver_trip
):
    browser = Browser(f"{push_service.origin}/push/gone")
    subscribe(family.client_for(family.parent), browser)
    push_service.answers["/push/gone"] = 410
    log(denver_trip, family.caregiver, "incident", family.child)
    assert deliver_due("worker", NOW) == ["removed"]
    assert len(push_service.pushes_to("/push/gone")) == 1
    assert not Channel.objects.filter(kind=ChannelKind.PUSH).exists()
    page = family.client_for(family.parent).get(reverse("notify:channels"))
    assert "Pat's phone" not in page.content.decode()


def test_a_failing_push_service_is_retried(family, push_service, frozen_time, denver_trip):
    browser = Browser(f"{push_service.origin}/push/busy")
    subscribe(family.client_for(family.parent), browser)
    push_service.answers["/push/busy"] = 503
    log(denver_trip, family.caregiver, "incident", family.child)
    assert deliver_due("worker", NOW) == ["retry"]
    push_service.answers["/push/busy"] = 201
    assert deliver_due("worker", NOW + timedelta(minutes=1)) == ["sent"]
    assert [s["title"] for s in decrypted(browser, push_service, "/push/busy")] == [
        "Maya: Incident"
    ] * 2  # the first try reached the service too; its answer was 503


def test_three_photos_make_one_push_that_a_later_one_replaces(
    family, push_service, frozen_time, denver_trip
):
    browser = Browser(f"{push_service.origin}/push/photos")
    subscribe(family.client_for(family.parent), browser)
    noa = family.child.__class__.objects.create(
        household=family.household, name="Noa", birth_date=family.child.birth_date
    )
    photo_added(denver_trip, 1, ["Maya"], family.caregiver.pk)
    frozen_time.shift(timedelta(seconds=20))
    photo_added(denver_trip, 2, ["Maya", "Noa"], family.caregiver.pk)
    photo_added(denver_trip, 2, ["Maya", "Noa"], family.caregiver.pk)  # told twice: once
    frozen_time.shift(timedelta(seconds=20))
    photo_added(denver_trip, 3, [noa.name], family.caregiver.pk)
    [waiting] = Message.objects.filter(kind=MessageKind.PHOTOS)
    assert waiting.due_at == NOW + PHOTO_GATHER
    assert deliver_due("worker", NOW + timedelta(seconds=50)) == []  # still gathering
    assert deliver_due("worker", NOW + PHOTO_GATHER) == ["sent"]
    [shown] = decrypted(browser, push_service, "/push/photos")
    assert shown["title"] == "3 new photos of Maya and Noa"
    assert shown["tag"] == f"photos-{denver_trip.pk}"
    assert shown["url"] == reverse("journal:timeline", args=[denver_trip.pk])

    # A photo soon after waits until a few minutes after that push, under the same tag.
    frozen_time.move_to(NOW + PHOTO_GATHER + timedelta(seconds=30))
    photo_added(denver_trip, 4, ["Maya"], family.caregiver.pk)
    later = Message.objects.get(kind=MessageKind.PHOTOS, status=Status.PENDING)
    assert later.due_at == NOW + PHOTO_GATHER + PHOTO_EVERY
    assert later.data["tag"] == shown["tag"]


def test_quiet_hours_hold_where_the_traveller_is_across_the_change_of_clocks(
    family, push_service, denver_trip
):
    """Sunday 14 March 2027, clocks go forward in Denver at 2:00. An incident logged at
    4:30 in the morning there waits for the end of Pat's quiet hours, 7:00 in Denver:
    13:00 UTC (MDT); not 14:00 (7:00 MST, the zone before the change) nor 11:00 (7:00 in
    New York, home)."""
    moment = datetime(2027, 3, 14, 10, 30, tzinfo=UTC)  # 4:30 MDT
    Trip.objects.filter(pk=denver_trip.pk).update(
        starts_at=moment - timedelta(days=2), ends_at=moment + timedelta(days=2)
    )
    denver_trip.refresh_from_db()
    with time_machine.travel(moment, tick=False):
        browser = Browser(f"{push_service.origin}/push/night")
        subscribe(family.client_for(family.parent), browser)
        log(denver_trip, family.caregiver, "incident", family.child, moment)
        [message] = Message.objects.filter(kind=MessageKind.ENTRY)
        assert message.due_at == datetime(2027, 3, 14, 13, 0, tzinfo=UTC)
        assert deliver_due("worker", moment) == []
        assert deliver_due("worker", datetime(2027, 3, 14, 12, 59, tzinfo=UTC)) == []
        assert deliver_due("worker", datetime(2027, 3, 14, 13, 0, tzinfo=UTC)) == ["sent"]
    assert len(decrypted(browser, push_service, "/push/night")) == 1


def test_back_home_the_quiet_hours_are_homes(family, push_service):
    """Without a trip under way, the same 4:30 Denver moment is 6:30 in New York: held
    until 7:00 there, 11:00 UTC (EDT, after that same night's change)."""
    moment = datetime(2027, 3, 14, 10, 30, tzinfo=UTC)
    trip = Trip.objects.create(
        household=family.household,
        traveller=family.caregiver,  # the caregiver travels; the parent is home
        starts_at=moment - timedelta(days=1),
        ends_at=moment + timedelta(days=1),
        destination="Denver",
        destination_zone="America/Denver",
    )
    with time_machine.travel(moment, tick=False):
        subscribe(family.client_for(family.parent), Browser(f"{push_service.origin}/push/home"))
        log(trip, family.caregiver, "incident", family.child, moment)
        [message] = Message.objects.filter(kind=MessageKind.ENTRY)
    assert message.due_at == datetime(2027, 3, 14, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda s: s["keys"].update(p256dh="AAAA"), "public key of the wrong length"),
        (lambda s: s["keys"].update(auth="!!!"), "not base64url"),
        (lambda s: s["keys"].pop("auth"), "secret of the wrong length"),
        (lambda s: s.update(endpoint="ftp://push.example/x"), "http:// or https://"),
        (lambda s: s.update(endpoint="https://push.example/" + "x" * 600), "too long"),
        (lambda s: s.pop("keys"), "missing its keys"),
    ],
)
def test_a_bad_subscription_is_refused_with_a_message(family, push_service, change, error):
    subscription = Browser(f"{push_service.origin}/push/bad").subscription()
    change(subscription)
    response = family.client_for(family.parent).post(
        reverse("notify:push_subscribe"),
        {"subscription": subscription, "name": "Phone"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert error in response.json()["error"]
    assert not Channel.objects.filter(kind=ChannelKind.PUSH).exists()


def test_a_point_off_the_curve_a_nameless_device_and_a_huge_body_are_refused(family, push_service):
    client = family.client_for(family.parent)
    url = reverse("notify:push_subscribe")
    subscription = Browser(f"{push_service.origin}/push/bad").subscription()
    off_curve = dict(subscription, keys=dict(subscription["keys"], p256dh="BA" + "A" * 85))
    for body, error in (
        ({"subscription": off_curve, "name": "Phone"}, "not a P-256 point"),
        ({"subscription": subscription, "name": "  "}, "Give this device a name"),
        ({"subscription": subscription, "name": "x" * 9000}, "too large"),
    ):
        response = client.post(url, body, content_type="application/json")
        assert response.status_code == 422, body
        assert error in response.json()["error"]
    assert not Channel.objects.filter(kind=ChannelKind.PUSH).exists()


@pytest.mark.parametrize(
    ("setting", "value", "service", "error"),
    [
        pytest.param(
            "PRODUCTION", True, "http://push.example.org/x", "https://", id="production-https-only"
        ),
        pytest.param(
            "ALLOW_PRIVATE_TARGETS",
            False,
            "http://127.0.0.1:9/push",
            "loopback, private or link-local",
            id="private-address-unless-allowed",
        ),
    ],
)
def test_a_push_service_the_settings_rule_out_is_refused(
    family, settings, setting, value, service, error
):
    setattr(settings, setting, value)
    response = subscribe(family.client_for(family.parent), Browser(service), "Phone")
    assert response.status_code == 422
    assert error in response.json()["error"]


def test_the_service_worker_renews_a_changed_subscription(family, push_service):
    client = family.client_for(family.parent)
    old = Browser(f"{push_service.origin}/push/old")
    subscribe(client, old)
    new = Browser(f"{push_service.origin}/push/new")
    response = client.post(
        reverse("notify:push_resubscribe"),
        {"old_endpoint": old.endpoint, "subscription": new.subscription()},
        content_type="application/json",
    )
    assert response.status_code == 200
    [device] = Channel.objects.filter(kind=ChannelKind.PUSH)
    assert device.target == new.endpoint
    assert device.push_device.name == "Pat's phone"
    # Someone else's device, or one never seen: nothing to renew.
    other = family.client_for(family.caregiver).post(
        reverse("notify:push_resubscribe"),
        {"old_endpoint": new.endpoint, "subscription": old.subscription()},
        content_type="application/json",
    )
    assert other.status_code == 404


def test_the_page_lists_devices_and_a_test_reaches_one(family, push_service, frozen_time):
    browser = Browser(f"{push_service.origin}/push/test")
    client = family.client_for(family.parent)
    subscribe(client, browser, "Kitchen tablet")
    page = client.get(reverse("notify:channels"))
    text = page.content.decode()
    assert "Kitchen tablet" in text
    assert vapid.public_key() in text
    device = Channel.objects.get(kind=ChannelKind.PUSH)
    response = client.post(reverse("notify:send_test", args=[device.pk]), follow=True)
    assert "Test sent to Kitchen tablet." in response.content.decode()
    [shown] = decrypted(browser, push_service, "/push/test")
    assert shown["title"] == "A test from Homefront"
    assert shown["url"] == reverse("notify:channels")
    client.post(reverse("notify:delete_channel", args=[device.pk]))
    assert not Channel.objects.filter(kind=ChannelKind.PUSH).exists()


def test_the_vapid_key_is_made_once_and_kept_beside_the_secret_key(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.VAPID_PRIVATE_KEY = None
    vapid.installation_key.cache_clear()
    try:
        first = vapid.public_key()
        assert (tmp_path / vapid.KEY_FILE_NAME).stat().st_mode & 0o777 == 0o600
        vapid.installation_key.cache_clear()
        assert vapid.public_key() == first
        settings.VAPID_PRIVATE_KEY = (tmp_path / vapid.KEY_FILE_NAME).read_text()
        settings.DATA_DIR = tmp_path / "elsewhere"
        vapid.installation_key.cache_clear()
        assert vapid.public_key() == first  # the same key, given by the setting
        assert not (tmp_path / "elsewhere").exists()
    finally:
        vapid.installation_key.cache_clear()


def test_photos_taken_on_the_quick_log_push_as_one_batch(
    family, push_service, frozen_time, denver_trip
):
    """The photos app's own store: two photos of Maya by the caregiver, one push."""
    from homefront.photos import store as photos
    from homefront.photos.testing import phone_jpeg

    browser = Browser(f"{push_service.origin}/push/real-photos")
    subscribe(family.client_for(family.parent), browser)
    for _ in range(2):
        outcome = photos.store(
            denver_trip,
            Author(user=family.caregiver),
            photos.Sent(uuid=str(uuid.uuid4()), upload=phone_jpeg(), children=[family.child.pk]),
        )
        assert outcome.status == "stored", outcome.errors
    assert deliver_due("worker", NOW + PHOTO_GATHER) == ["sent"]
    [shown] = decrypted(browser, push_service, "/push/real-photos")
    assert shown["title"] == "2 new photos of Maya"
    assert Message.objects.filter(kind=MessageKind.ENTRY).count() == 0  # not also as entries


def test_several_servers_need_one_vapid_key_given(settings):
    from homefront.notify.checks import one_vapid_key

    settings.SERVERS, settings.VAPID_PRIVATE_KEY = 2, None
    [error] = one_vapid_key(None)
    assert error.id == "homefront.E020"
    settings.VAPID_PRIVATE_KEY = "given"
    assert one_vapid_key(None) == []


def test_a_push_speaks_the_recipients_language(family, push_service, frozen_time, denver_trip):
    family.parent.language = "es"
    family.parent.save(update_fields=["language"])
    browser = Browser(f"{push_service.origin}/push/es")
    subscribe(family.client_for(family.parent), browser)
    photo_added(denver_trip, 1, ["Maya"], family.caregiver.pk)
    photo_added(denver_trip, 2, ["Noa"], family.caregiver.pk)
    deliver_due("worker", NOW + PHOTO_GATHER)
    [shown] = decrypted(browser, push_service, "/push/es")
    assert shown["title"] == "2 fotos nuevas de Maya y Noa"
    assert shown["body"] == "Abre la cronología para verlas."
    assert shown["lang"] == "es"


def test_leave_now_reaches_the_caregiver_who_covers_on_their_phone(
    family, push_service, frozen_time
):
    from homefront.notify.plan import leave_now
    from homefront.trips.models import Cover

    trip = trip_to(family, "Hospital", "America/New_York", NOW, NOW + timedelta(days=2))
    Cover.objects.create(
        household=family.household, night=trip.nights_list[0], member=family.caregiver
    )
    browser = Browser(f"{push_service.origin}/push/cam")
    subscribe(family.client_for(family.caregiver), browser, "Cam's phone")
    [message] = leave_now(trip, "http://testserver/brief")
    assert message.channel.kind == ChannelKind.PUSH
    assert deliver_due("worker", NOW) == ["sent"]
    [shown] = decrypted(browser, push_service, "/push/cam")
    assert shown["title"] == "Can you take over? It's urgent"
    assert shown["url"] == reverse("handoff:brief", args=[trip.pk])


def test_a_batch_of_entries_costs_the_same_queries_with_devices_and_webhooks(
    family, push_service, frozen_time, denver_trip
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from homefront.notify import webhooks

    subscribe(family.client_for(family.parent), Browser(f"{push_service.origin}/push/q"))
    webhooks.add(family.household, "HA", "https://1.1.1.1/hook", [webhooks.Event.ENTRY_LOGGED])

    def queries(count: int) -> int:
        raws = [
            {
                "uuid": str(uuid.uuid4()),
                "kind": "incident",
                "children": [family.child.pk],
                "occurred_at": NOW.isoformat(),
            }
            for _ in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            store(denver_trip, Author(user=family.caregiver), raws)
        return len(captured.captured_queries)

    assert queries(1) == queries(10)
    assert Message.objects.filter(kind=MessageKind.ENTRY).count() == 11
    assert Message.objects.filter(kind=MessageKind.WEBHOOK).count() == 11


def test_a_huge_message_is_cut_to_what_a_push_carries(family, push_service, frozen_time):
    from homefront.notify.push import MAX_PLAINTEXT
    from homefront.notify.push import plaintext

    browser = Browser(f"{push_service.origin}/push/long")
    subscribe(family.client_for(family.parent), browser)
    device = Channel.objects.get(kind=ChannelKind.PUSH)
    message = Message.objects.create(
        household=family.household,
        channel=device,
        kind=MessageKind.TEST,
        idempotency_key="long",
        subject="A long one",
        text="",
        due_at=NOW,
        data={"body": "ä" * 20_000, "url": "/"},
    )
    assert len(plaintext(message)) <= MAX_PLAINTEXT
    assert deliver_due("worker", NOW) == ["sent"]
    [shown] = decrypted(browser, push_service, "/push/long")
    assert shown["title"] == "A long one"
    assert shown["body"].startswith("ää")
    assert len(push_service.pushes_to("/push/long")[0].body) <= 4096


def test_tapping_a_planned_message_opens_its_page(family):
    from homefront.handoff.models import ShareLink
    from homefront.notify.push import notification

    trip = trip_to(family, "Kyoto", "Asia/Tokyo", NOW + timedelta(days=3), NOW + timedelta(days=5))
    link, _token = ShareLink.issue(trip, family.parent, label="Grandma", days_before=7)
    pages = {
        (MessageKind.PREP_DIGEST, "prep:2027-01-13"): reverse("prep:today"),
        (MessageKind.LEAVING_TOMORROW, f"leaving:{trip.pk}"): reverse(
            "trips:detail", args=[trip.pk]
        ),
        (MessageKind.JOURNAL_DIGEST, f"journal:{trip.pk}:2027-01-13"): reverse(
            "journal:timeline", args=[trip.pk]
        ),
        (MessageKind.UNCOVERED_NIGHT, "uncovered:2027-02-15"): reverse(
            "trips:calendar_month", args=[2027, 2]
        ),
        (MessageKind.SHARE_OPENED, f"share-opened:{link.pk}"): reverse(
            "handoff:share_links", args=[trip.pk]
        ),
        (MessageKind.LEAVE_NOW, f"leave-now:{trip.pk}"): reverse("handoff:brief", args=[trip.pk]),
        (MessageKind.READINESS_REVIEW, "readiness:123"): reverse("handoff:readiness"),
    }
    for (kind, key), page in pages.items():
        message = Message(kind=kind, idempotency_key=f"{key}:channel-1", subject="x", text="y")
        assert notification(message)["url"] == page, kind
