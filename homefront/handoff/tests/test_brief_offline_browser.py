"""The brief on the caregiver's phone works offline once opened, like the sheet on the
fridge, in real Chromium.

Rachel makes a link nine days before her trip; Grandma Judy opens it on her phone, and
later, with no connection, opens it again: Maya's peanut allergy and the numbers to call
are there, with a note that this is the copy from when it was last brought up to date.
Once Rachel stops the link, Judy's next visit online gets the 404 and the phone keeps
nothing of the brief; a link whose last day has passed is gone from the phone too, with
no connection to say so. Rachel's own brief, kept on her phone, is gone once she logs out.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.core.tests.browser import KEPT
from homefront.core.tests.browser import KEPT_PAGES
from homefront.core.tests.browser import wait_until_kept
from homefront.handoff.models import ShareLink
from homefront.handoff.tests.test_handoff_browser import ALLERGY_ADVICE
from homefront.handoff.tests.test_handoff_browser import JUDYS_PHONE
from homefront.handoff.tests.test_handoff_browser import maya_and_grandma_judy
from homefront.handoff.tests.test_handoff_browser import shot
from homefront.testing.browser import PHONE
from homefront.testing.browser import log_in
from homefront.testing.browser import log_out
from homefront.testing.browser import offline
from homefront.testing.browser import shows_nothing_offline
from homefront.testing.household import three_nights_from
from homefront.trips.models import Trip

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

COPY_FROM = re.compile(
    r"^You are offline: this is the copy from \w{3} \d{1,2} \w{3}, \d{1,2}:\d\d [AP]M$"
)

# The phone's clock cannot be moved on, so the kept copy's moment is moved back instead.
MOMENT_PASSED = f"""async (path) => {{
  const cache = await caches.open("{KEPT_PAGES}");
  const key = (await cache.keys()).find((request) => new URL(request.url).pathname === path);
  const kept = await cache.match(key);
  const headers = new Headers(kept.headers);
  headers.set("Homefront-Keep-Until", "2020-01-01T00:00:00+00:00");
  await cache.put(key, new Response(await kept.text(), {{ headers }}));
}}"""


def nine_days_ahead() -> Trip:
    levins, _judy = maya_and_grandma_judy()
    nine_days = levins.household.today() + timedelta(days=9)
    return three_nights_from(levins.household, levins.rachel, nine_days)


HOUSEHOLD_WORDS = ("The Levins", "Maya", "Rachel", "Peanuts", JUDYS_PHONE)


def expect_the_brief_offline(page: Page, brought_up_to_date: str) -> None:
    expect(page.get_by_role("note")).to_contain_text("Maya: allergic to Peanuts")
    expect(page.get_by_role("note")).to_contain_text(ALLERGY_ADVICE)
    expect(page.get_by_role("link", name=JUDYS_PHONE)).to_be_visible()
    note = page.locator("#offline-copy")
    expect(note).to_be_visible()
    expect(note).to_have_text(COPY_FROM)
    expect(note.locator("time")).to_have_text(brought_up_to_date)


def open_kept(page: Page, path: str) -> str:
    """Opens a brief online and waits for the phone to keep it; its "brought up to date"."""
    page.goto(path)
    expect(page.get_by_text("allergic to Peanuts").first).to_be_visible()
    expect(page.locator("#offline-copy")).to_be_hidden()
    wait_until_kept(page, re.sub(r"^https?://[^/]+", "", path))
    return page.locator("#brought-up-to-date time").inner_text()


def test_a_links_brief_opens_offline_until_the_link_is_stopped_or_over(
    browser: Browser, live_server
) -> None:
    trip = nine_days_ahead()
    link, token = ShareLink.issue(trip, trip.traveller, label="Grandma Judy")
    brief = f"/s/{token}/"
    judys: BrowserContext = browser.new_context(viewport=PHONE, locale="en-US")
    try:
        phone = judys.new_page()
        brought_up_to_date = open_kept(phone, live_server.url + brief)
        expect(phone.locator("#brought-up-to-date")).to_have_text(
            f"Brought up to date {brought_up_to_date}"
        )
        # The page handed itself to the worker: one opening, not a second fetch of it.
        assert link.opens.count() == 1

        with offline(judys):
            phone.reload()
            expect_the_brief_offline(phone, brought_up_to_date)
            shot(phone, "04-brief-offline-390")
        expect(phone.locator("#offline-copy")).to_be_hidden()

        # Rachel stops the link. Online, the phone gets the 404 and drops its copy.
        ShareLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
        response = phone.reload()
        assert response is not None
        assert response.status == 404
        expect(phone.get_by_role("heading", name="Nothing here")).to_be_visible()
        assert phone.evaluate(KEPT) == []
        shows_nothing_offline(phone, live_server.url + brief, HOUSEHOLD_WORDS)

        # Another link, kept on the phone, whose last day passes while it is offline.
        _later, later_token = ShareLink.issue(trip, trip.traveller, label="Grandma Judy")
        later = f"/s/{later_token}/"
        open_kept(phone, live_server.url + later)
        phone.evaluate(MOMENT_PASSED, later)
        shows_nothing_offline(phone, live_server.url + later, HOUSEHOLD_WORDS)
        assert phone.evaluate(KEPT) == []
    finally:
        judys.close()


def test_a_members_brief_kept_offline_is_gone_after_logout(
    page: Page, context: BrowserContext, live_server
) -> None:
    trip = nine_days_ahead()
    url = live_server.url
    brief = f"/trips/{trip.pk}/brief/"
    log_in(page, url, trip.traveller)
    brought_up_to_date = open_kept(page, url + brief)

    with offline(context):
        page.reload()
        expect_the_brief_offline(page, brought_up_to_date)

    log_out(page, url)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.evaluate(KEPT) == []
    shows_nothing_offline(page, url + brief, HOUSEHOLD_WORDS)
