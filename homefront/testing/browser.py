"""What the browser journeys (`*_browser.py`, Playwright in Debian's Chromium) do the same
way, their fixtures reaching them through the root conftest: the Chromium they run, the
family's phone they run on, the clock at ten in the morning, signing a member in and out,
taking the phone offline, opening the quick log, filling in a trip, screenshots,
checking that a page neither reloaded nor overflowed, and Rachel's laptop while she is
away. The sign-in form itself, full-page pictures and the service worker's kept pages are
homefront/core/tests/browser.py's; where the journeys of a trip under way start, the
demo's Levins with Rachel away, is homefront/journal/tests/away.py's.

scripts/screenshots.py reads the Chromium flags here without Django set up, so nothing
here imports a model at import time."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import time
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import ViewportSize
from playwright.sync_api import expect

from homefront.core.tests.browser import full_page_shot
from homefront.core.tests.browser import sign_in

if TYPE_CHECKING:
    from homefront.accounts.models import User

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
HOME_ZONE = "America/New_York"  # the demo household's
AWAY_ZONE = "America/Denver"  # Rachel's, away in Albuquerque
# The timeline asks for its newest part every 10 s; two rounds and some slack.
POLLED = 25_000
# A Levin's phone at home: what every journey's pages open on unless it says otherwise.
AT_HOME_ON_A_PHONE: dict[str, Any] = {
    "viewport": PHONE,
    "locale": "en-US",
    "timezone_id": HOME_ZONE,
}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"  # git-ignored


@pytest.fixture
def ten_in_the_morning() -> Iterator[datetime]:
    """Today at home, 10:00, the clock running. The live server runs in this process, so
    it reads the same clock; the browser keeps its own, which no page relies on."""
    zone = ZoneInfo(HOME_ZONE)
    morning = datetime.combine(datetime.now(zone).date(), time(10, 0), tzinfo=zone)
    with time_machine.travel(morning, tick=True):
        yield morning


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Browser tests need Debian's Chromium at /usr/bin/chromium "
            "(apt-get install chromium); .ci/run installs it."
        )
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_FLAGS}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """Every journey's page opens on a phone of the family's, at home."""
    return {**browser_context_args, **AT_HOME_ON_A_PHONE}


def log_in(page: Page, base_url: str, user: User) -> None:
    """A member of the test family signs in through the form."""
    from homefront.testing.household import PASSWORD  # the module holds models

    sign_in(page, base_url, user.email, PASSWORD)


def log_in_without_the_form(page: Page, base_url: str, user: User) -> None:
    """The member's session cookie, for a journey about another page."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base_url}]
    )


def log_out(page: Page, base_url: str) -> None:
    page.goto(base_url + "/account/")
    page.get_by_role("button", name="Log out").click()


@contextmanager
def offline(context: BrowserContext) -> Iterator[None]:
    """The phone without a connection, until the block ends."""
    context.set_offline(True)
    try:
        yield
    finally:
        context.set_offline(False)


def open_quick_log(page: Page, address: str) -> Any:
    """Opens the quick log (a member's or a link's); the server's response."""
    response = page.goto(address)
    expect(page.get_by_role("heading", name="Log the day")).to_be_visible()
    return response


def screenshots(journey: str) -> Callable[[Page, str], None]:
    """A journey's full-page screenshots, each saved as screenshots/<journey>-<name>.png."""

    def shot(page: Page, name: str) -> None:
        full_page_shot(page, SCREENSHOTS / f"{journey}-{name}.png")

    return shot


@contextmanager
def no_reload(page: Page) -> Iterator[None]:
    """What the block does to `page` happens in place: no reload, no navigation."""
    navigations = watch_for_reloads(page)
    yield
    assert_no_reload(page, navigations)


def watch_for_reloads(page: Page) -> list[str]:
    """A window variable a reload would wipe, and every navigation from now on."""
    page.evaluate("window.stillTheSamePage = true")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    return navigations


def assert_no_reload(page: Page, navigations: list[str]) -> None:
    assert page.evaluate("window.stillTheSamePage") is True
    assert navigations == []


def fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width}px wide on a {PHONE['width']}px screen"


def shows_nothing_offline(page: Page, address: str, words: tuple[str, ...]) -> None:
    """Opened with no connection, `address` is the offline page, with none of `words`."""
    with offline(page.context):
        page.goto(address)
        expect(page.get_by_role("heading", name="Offline")).to_be_visible()
        body = page.locator("body")
        for word in words:
            expect(body).not_to_contain_text(word)


def fill_in_the_trip(
    page: Page,
    *,
    leaves: datetime,
    back: datetime,
    traveller: str = "Rachel Levin",
    destination: str = "Albuquerque",
    zone: str = "America/Denver",
    kind: str = "Planned",
) -> None:
    """The "Plan a trip" form, open on `page`, filled in as a parent would: the story's
    trip, Rachel's to Albuquerque, unless told otherwise."""
    expect(page.get_by_role("heading", name="Plan a trip")).to_be_visible()
    page.get_by_label("Who is going away?").select_option(label=traveller)
    # Both time boxes are labelled just "at", so they are found by id.
    page.get_by_label("Leaves on").fill(leaves.date().isoformat())
    page.locator("#id_start_time").fill(f"{leaves:%H:%M}")
    page.get_by_label("Back on").fill(back.date().isoformat())
    page.locator("#id_end_time").fill(f"{back:%H:%M}")
    page.get_by_label("Where to?").fill(destination)
    # As a parent would, wait for the zone the place suggests before going on: the
    # suggestion arrives while typing, and under load it can arrive after the next field.
    expect(page.locator("p[role=status]").filter(has_text=zone)).to_be_visible()
    page.get_by_label("Time zone there").fill(zone)
    page.get_by_label(kind, exact=True).check()


def clock(moment: datetime, zone: str) -> str:
    """A moment as the timeline writes it ("g:i A"), e.g. "7:05 PM", worked out here."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


@contextmanager
def rachels_laptop(browser: Browser, url: str, rachel: User) -> Iterator[Page]:
    """Rachel, away in Albuquerque, signed in on her laptop, which keeps Denver time."""
    laptop = browser.new_context(viewport=DESKTOP, locale="en-US", timezone_id=AWAY_ZONE)
    try:
        page = laptop.new_page()
        log_in(page, url, rachel)
        yield page
    finally:
        laptop.close()
