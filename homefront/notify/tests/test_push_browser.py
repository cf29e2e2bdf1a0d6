"""The service worker in real Chromium: a parent opens the notifications page (which
installs /sw.js), the browser may show notifications, and a push made by Homefront's own
payload builder is delivered through the DevTools protocol
(`ServiceWorker.deliverPushMessage`): the notification shows, a later one with the same
tag replaces it, and tapping it opens the page the payload names."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.core.tests.browser import full_page_shot
from homefront.journal.tests.away import the_levins_away
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.push import plaintext
from homefront.testing.browser import DESKTOP
from homefront.testing.browser import SCREENSHOTS
from homefront.testing.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

SHOWN = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((n) => ({
    title: n.title, body: n.body, tag: n.tag, url: n.data && n.data.url }));
}"""
# What a tap on the photos' notification sets off in the worker: its click handler.
TAP = """async () => {
  const notification = (await self.registration.getNotifications()).find(
    (n) => n.tag.startsWith("photos-"));
  self.dispatchEvent(new NotificationEvent("notificationclick", { notification }));
}"""


def deliver(page: Page, context: BrowserContext, origin: str, payload: bytes) -> None:
    """Hands the push to the page's service worker as a push service would."""
    session = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    session.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    session.send("ServiceWorker.enable")
    for _ in range(50):
        if registrations:
            break
        page.wait_for_timeout(100)
    [registration] = [r for r in registrations if r["scopeURL"] == f"{origin}/"][:1]
    session.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": origin,
            "registrationId": registration["registrationId"],
            "data": payload.decode(),
        },
    )


def shown(page: Page, count: int) -> list[dict[str, Any]]:
    for _ in range(100):
        notes = page.evaluate(SHOWN)
        if len(notes) >= count:
            return notes
        page.wait_for_timeout(100)
    pytest.fail(f"{count} notification(s) were not shown: {page.evaluate(SHOWN)}")


def settled(page: Page, arrived) -> list[dict[str, Any]]:
    """The notifications once two reads in a row agree and show what was expected."""
    previous = None
    for _ in range(100):
        notes = page.evaluate(SHOWN)
        if notes == previous and arrived(notes):
            return notes
        previous = notes
        page.wait_for_timeout(100)
    pytest.fail(f"The notifications did not settle: {page.evaluate(SHOWN)}")


def photos_push(trip, count: int) -> bytes:
    message = Message(
        pk=7,
        kind=MessageKind.PHOTOS,
        subject=f"{count} new photos of Maya and Noa",
        data={
            "body": "Open the timeline to see them.",
            "url": reverse("journal:timeline", args=[trip.pk]),
            "tag": f"photos-{trip.pk}",
        },
    )
    return plaintext(message)


def test_a_push_shows_a_notification_and_tapping_it_opens_its_page(
    page: Page, context: BrowserContext, live_server
) -> None:
    trip, rachel, _girls = the_levins_away()
    origin = live_server.url
    context.grant_permissions(["notifications"], origin=origin)
    log_in(page, origin, rachel)
    page.goto(origin + reverse("notify:channels"))
    expect(page.get_by_role("heading", name="On this phone")).to_be_visible()
    # push.js installed the service worker, which now controls the page.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    expect(page.get_by_label("Name this device")).to_be_visible()
    full_page_shot(page, SCREENSHOTS / "notify-devices-390.png")

    deliver(page, context, origin, photos_push(trip, 2))
    [note] = shown(page, 1)
    assert note == {
        "title": "2 new photos of Maya and Noa",
        "body": "Open the timeline to see them.",
        "tag": f"photos-{trip.pk}",
        "url": origin + reverse("journal:timeline", args=[trip.pk]),
    }
    # A later batch with the same tag replaces it: still one notification.
    deliver(page, context, origin, photos_push(trip, 3))
    # Chromium replaces a tagged notification in two steps, so a read in between may
    # still see the old one: wait for the list to settle on the new one alone.
    notes = settled(page, lambda notes: any(n["title"].startswith("3 ") for n in notes))
    assert [n["title"] for n in notes] == ["3 new photos of Maya and Noa"]

    # A payload naming another site opens Homefront's home instead.
    hostile = json.dumps({"title": "Hi", "body": "x", "url": "https://evil.example/", "tag": "x"})
    deliver(page, context, origin, hostile.encode())
    notes = shown(page, 2)
    assert {n["url"] for n in notes if n["tag"] == "x"} == {origin + "/"}

    # Tapping the photos' notification: the open page goes to the timeline.
    [worker] = context.service_workers
    worker.evaluate(TAP)
    page.wait_for_url(origin + reverse("journal:timeline", args=[trip.pk]))
    expect(page.get_by_role("heading", name="The kids' days")).to_be_visible()


def test_a_parent_adds_a_webhook_copies_its_secret_and_tests_it(
    page: Page, live_server, settings
) -> None:
    from homefront.notify.tests.receivers import WebhookReceiver
    from homefront.testing.receivers import serving

    settings.ALLOW_PRIVATE_TARGETS = True
    _trip, rachel, _girls = the_levins_away()
    origin = live_server.url
    log_in(page, origin, rachel)
    page.goto(origin + reverse("notify:channels"))
    page.get_by_role("link", name="Webhooks (Home Assistant)").click()
    with serving(WebhookReceiver()) as receiver:
        # A typo'd address first: the message is next to the field, nothing is added.
        page.get_by_label("Name").fill("Home Assistant")
        page.get_by_label("URL").fill("http://no-such-host.invalid/api/webhook/x")
        page.get_by_label("An entry is logged").check()
        page.get_by_role("button", name="Add").click()
        expect(page.get_by_text("does not resolve")).to_be_visible()
        expect(page.get_by_text("No webhook yet.")).to_be_visible()
        page.get_by_label("URL").fill(receiver.url("/api/webhook/homefront"))
        page.get_by_role("button", name="Add").click()
        secret = page.locator("#webhook-secret").inner_text()
        assert secret.startswith("whsec_")
        receiver.secrets["/api/webhook/homefront"] = secret
        full_page_shot(page, SCREENSHOTS / "notify-webhook-added-390.png")
        page.set_viewport_size(DESKTOP)
        full_page_shot(page, SCREENSHOTS / "notify-webhook-added-1280.png")
        page.get_by_role("button", name="Send a test").click()
        expect(page.get_by_text("Test sent to Home Assistant.")).to_be_visible()
        # The secret was shown once: not on the page any more.
        expect(page.locator("#webhook-secret")).to_have_count(0)
        [delivery] = receiver.accepted
    assert delivery.body["type"] == "webhook.test"
    page.get_by_text("Recent deliveries").click()
    full_page_shot(page, SCREENSHOTS / "notify-webhooks-1280.png")
