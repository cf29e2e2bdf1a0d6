"""Hebrew in real Chromium at 390 px: Home, the brief and the quick log run right to left,
the main column's computed direction included, phone numbers left to right inside."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.accounts.models import User
from homefront.core.tests.browser import full_page_shot
from homefront.demo.household import RACHEL
from homefront.demo.household import the_levins
from homefront.handoff.models import ShareLink
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.testing.browser import DESKTOP
from homefront.testing.browser import PHONE
from homefront.testing.browser import SCREENSHOTS
from homefront.testing.household import PASSWORD
from homefront.testing.household import away_between
from homefront.trips.models import Trip

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

DIRECTION = "el => getComputedStyle(el).direction"


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "locale": "he-IL"}


def the_levins_away() -> tuple[Trip, User]:
    """The Levins at home in Jerusalem, away in Berlin since this morning: Rachel reads
    Hebrew and leaves no number of her own, so Savta Judy's is the brief's first; Maya."""
    levins = the_levins(PASSWORD, people=(RACHEL,), girls=("Maya",), time_zone="Asia/Jerusalem")
    rachel, household = levins.rachel, levins.household
    rachel.language, rachel.phone = "he", ""
    rachel.save(update_fields=["language", "phone"])
    Contact.objects.create(
        household=household, name="Savta Judy", phone="+972 50 123 4567", roles=[ContactRole.BACKUP]
    )
    now = timezone.now()
    trip = away_between(
        household,
        rachel,
        now - timedelta(hours=5),
        now + timedelta(days=2),
        destination="Berlin",
        destination_zone="Europe/Berlin",
    )
    return trip, rachel


def assert_right_to_left(page: Page) -> None:
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "he"
    main = page.locator("main")
    assert main.evaluate(DIRECTION) == "rtl"
    # The heading starts at the right edge of the column, as Hebrew is read.
    heading = page.locator("main h1").first.bounding_box()
    column = main.bounding_box()
    assert heading is not None
    assert column is not None
    assert heading["x"] + heading["width"] > column["x"] + column["width"] - 40


def test_home_the_brief_and_the_quick_log_run_right_to_left_in_hebrew(page: Page, live_server):
    trip, rachel = the_levins_away()
    _link, token = ShareLink.issue(trip, rachel, label="Savta Judy", language="he")
    url = live_server.url
    SCREENSHOTS.mkdir(exist_ok=True)

    # Rachel signs in (the form is in the browser's Hebrew) and sees Home.
    page.goto(f"{url}/account/login/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.locator("input[name=username]").fill(rachel.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("heading", name="שלום, Rachel")).to_be_visible()
    assert_right_to_left(page)
    full_page_shot(page, SCREENSHOTS / "rtl-01-home-390.png")
    page.set_viewport_size(DESKTOP)
    assert_right_to_left(page)
    full_page_shot(page, SCREENSHOTS / "rtl-01-home-desktop.png")
    page.set_viewport_size(PHONE)

    # Savta Judy opens the brief from her link: Hebrew, phone numbers left to right.
    page.context.clear_cookies()
    page.goto(f"{url}/s/{token}/")
    expect(page.get_by_role("heading", name="למי להתקשר")).to_be_visible()
    assert_right_to_left(page)
    phone = page.locator("a[href^='tel:']").first
    assert phone.evaluate(DIRECTION) == "ltr"
    expect(phone).to_have_text("+972 50 123 4567")
    full_page_shot(page, SCREENSHOTS / "rtl-02-brief-390.png")

    # and the quick log.
    page.goto(f"{url}/s/{token}/log/")
    expect(page.get_by_role("heading", name="לרשום את היום")).to_be_visible()
    assert_right_to_left(page)
    full_page_shot(page, SCREENSHOTS / "rtl-03-quick-log-390.png")
