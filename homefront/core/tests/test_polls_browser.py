"""The polls in real Chromium ask conditionally: the timeline's and Home's.

Rachel is away; her timeline asks for its newest part every 10 s, and Home's "Away now"
card (tonight's adult in charge) every 30 s. The pages hold the family's secrets
(`no-store`), so Chromium would never send `If-None-Match` by itself: app.js sends the
last answer's tag back, the server answers 304 without rendering while nothing changed,
and htmx leaves the part as it is. When Grandpa logs a bath through his link, or David
names who is in charge tonight, the next poll brings it. The page's clock is
Playwright's, run forward, so the polls come without waiting; the server's is real.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.core.tests.browser import full_page_shot
from homefront.demo.household import DAVID
from homefront.demo.household import RACHEL
from homefront.demo.household import add_demo_member
from homefront.demo.household import the_levins
from homefront.handoff.models import ShareLink
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.testing.browser import SCREENSHOTS
from homefront.testing.browser import log_in
from homefront.testing.household import PASSWORD
from homefront.testing.household import away_now
from homefront.trips.models import Trip

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture(autouse=True)
def kept_pages(settings: Any) -> None:
    settings.KEEP_PAGES = True  # as configured; settings_test.py turns it off


def rachel_away() -> tuple[Trip, Child, str]:
    """Rachel away since yesterday, alone with Maya in the household, and Grandpa's link."""
    levins = the_levins(PASSWORD, people=(RACHEL,), girls=("Maya",))
    trip = away_now(levins.household, levins.rachel)
    _link, token = ShareLink.issue(trip, levins.rachel, label="Grandpa", days_before=7)
    return trip, levins.maya, token


def grandpa_logs_a_bath(token: str, child: Child) -> None:
    """Through the link's quick log, a real request: the household's version moves."""
    reply = Client().post(
        reverse("journal:shared_log", args=[token]),
        {"uuid": "0b8e2a4c-1d2e-4f3a-9b7c-5d6e7f8a9b0c", "kind": "bath", "children": [child.pk]},
    )
    assert reply.status_code == 302


def grandpa_in_charge_tonight(trip: Trip) -> None:
    """David, at home, names Grandpa in charge of tonight on the trip's page."""
    david = add_demo_member(trip.household, DAVID, PASSWORD)
    grandpa = Contact(
        household=trip.household, name="Grandpa Joe", phone="+1 505 555 0100", roles=["backup"]
    )
    grandpa.save()
    client = Client()
    client.force_login(david)
    tonight = trip.household.today()
    reply = client.post(
        reverse("trips:cover", args=[trip.pk, tonight.isoformat()]),
        {"adult": f"contact:{grandpa.pk}"},
    )
    assert reply.status_code in (200, 302), reply.status_code


class Polls:
    """The answers to one poll address, with what the browser sent."""

    def __init__(self, page: Page, marker: str) -> None:
        self.seen: list[tuple[int, str | None]] = []
        self.marker = marker
        page.on("response", self._note)

    def _note(self, response: Any) -> None:
        if self.marker in response.url:
            sent = response.request.headers.get("if-none-match")
            self.seen.append((response.status, sent))

    def statuses(self) -> list[int]:
        return [status for status, _ in self.seen]


def run_polls(page: Page, polls: Polls, count: int, every_ms: int) -> None:
    """Runs the page's clock forward until `count` more answers came."""
    wanted = len(polls.seen) + count
    for _ in range(count * 4):
        if len(polls.seen) >= wanted:
            return
        page.clock.run_for(every_ms)
        page.wait_for_timeout(400)
    raise AssertionError(f"{count} polls expected, got {polls.seen}")


def test_the_timeline_and_home_poll_conditionally(page: Page, live_server):
    trip, maya, token = rachel_away()
    page.clock.install()
    log_in(page, live_server.url, trip.traveller)

    # The timeline: the first poll gets the part and its tag, the next ones a 304.
    timeline = Polls(page, "part=latest")
    page.goto(f"{live_server.url}/trips/{trip.pk}/journal/")
    expect(page.locator("#latest")).to_contain_text("Nothing logged yet")
    run_polls(page, timeline, 3, 10_000)
    assert timeline.seen[0] == (200, None)
    assert 304 in timeline.statuses()[1:], timeline.seen
    assert all(sent for _status, sent in timeline.seen[1:]), timeline.seen
    expect(page.locator("#latest")).to_contain_text("Nothing logged yet")  # left as it was

    grandpa_logs_a_bath(token, maya)
    run_polls(page, timeline, 1, 10_000)
    assert timeline.statuses()[-1] == 200, timeline.seen
    expect(page.locator("#latest li.entry")).to_have_count(1)
    expect(page.locator("#latest")).to_contain_text("Bath")

    # Home: the "Away now" card polls while Rachel is away; when David names Grandpa
    # in charge tonight, the next poll says so.
    home = Polls(page, "part=away")
    page.goto(f"{live_server.url}/")
    card = page.locator("#away-now")
    expect(card).to_contain_text("Tonight: nobody in charge")
    run_polls(page, home, 3, 30_000)
    assert 304 in home.statuses()[1:], home.seen
    expect(card).to_contain_text("Tonight: nobody in charge")
    grandpa_in_charge_tonight(trip)
    run_polls(page, home, 1, 30_000)
    assert home.statuses()[-1] == 200, home.seen
    expect(card).to_contain_text("Tonight: Grandpa Joe in charge")
    full_page_shot(page, SCREENSHOTS / "home-away-now-390.png")
