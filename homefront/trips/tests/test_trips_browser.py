"""The story's trip, planned in real Chromium on a phone, and the night it left uncovered.

Rachel plans her first long trip (Thursday morning to Sunday night, Albuquerque):
David is at home, so he is in charge of all three nights. Then David adds a
work trip that takes him away on the Friday night too. Homefront flags that
night on the trip, the calendar and the home page, until Rachel names Grandma
Judy, the backup caregiver, for it, right on the trip page without a reload.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.demo.household import DAVID
from homefront.demo.household import RACHEL
from homefront.demo.household import the_levins
from homefront.testing.browser import HOME_ZONE
from homefront.testing.browser import PHONE
from homefront.testing.browser import fill_in_the_trip
from homefront.testing.browser import log_in
from homefront.testing.browser import no_reload
from homefront.testing.browser import screenshots
from homefront.testing.household import PASSWORD
from homefront.testing.household import grandma_judy
from homefront.trips.models import Cover
from homefront.trips.models import Trip
from homefront.trips.models import TripKind

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


shot = screenshots("trips-journey")


def day_label(day: date) -> str:
    """A date as the pages write it ("D j M"), e.g. "Fri 12 Jun"."""
    return f"{day:%a} {day.day} {day:%b}"


def next_thursday() -> date:
    """A Thursday at least two days ahead at home, so the trip is still upcoming."""
    today = datetime.now(ZoneInfo(HOME_ZONE)).date()
    ahead = (3 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 2 else ahead + 7)


def plan_trip(page: Page, **trip: Any) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trips").click()
    page.get_by_role("button", name="+ Plan a trip").click()
    fill_in_the_trip(page, **trip)


def night_row(page: Page, night: date) -> Locator:
    return page.locator(f"#night-{night.isoformat()}")


def who(row: Locator) -> Locator:
    """The row's text without its select (whose options name everybody)."""
    return row.locator(".grow")


def chosen(page: Page, night: date) -> Locator:
    """The option showing in the night's "who is in charge" select."""
    return page.get_by_label(f"In charge on {day_label(night)}").locator("option:checked")


def agenda_entry(page: Page, day: date) -> Locator:
    return page.locator(".agenda li").filter(has_text=day_label(day))


def month_cell(page: Page, day: date) -> Locator:
    number = page.locator(".day-number", has_text=re.compile(rf"^{day.day}$"))
    return page.locator(".month-grid td:not(.other-month)").filter(has=number)


def test_a_second_trip_uncovers_a_night_and_a_backup_caregiver_covers_it(
    page: Page, browser: Browser, live_server
) -> None:
    # 1. The Levins: two parents, two daughters with routines, Grandma Judy as backup.
    levins = the_levins(PASSWORD, people=(RACHEL, DAVID))
    household, rachel, david = levins.household, levins.rachel, levins.david
    judy = grandma_judy(household)
    assert judy.backup_order == 1

    thursday = next_thursday()
    friday, saturday, sunday = (thursday + timedelta(days=n) for n in (1, 2, 3))
    url = live_server.url

    # 2. Rachel plans the story's trip: Thursday 7:30 to Sunday 21:00, Albuquerque.
    log_in(page, url, rachel)
    plan_trip(
        page,
        leaves=datetime.combine(thursday, time(7, 30)),
        back=datetime.combine(sunday, time(21, 0)),
    )
    shot(page, "01-plan-trip")
    page.get_by_role("button", name="Save trip").click()

    expect(page.get_by_role("status")).to_have_text("Trip planned: 3 nights away.")
    # The arrow is drawn, not read (aria-hidden, mirrored in Hebrew): the h1's text, not its name.
    expect(page.get_by_role("heading", level=1)).to_have_text("Rachel → Albuquerque")
    trip_url = page.url
    assert re.search(r"/trips/\d+/$", trip_url)
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text(f"Thursday {thursday.day} {thursday:%B}, 7:30 AM")
    expect(facts).to_contain_text(f"Sunday {sunday.day} {sunday:%B}, 9:00 PM")
    expect(facts).to_contain_text("America/Denver")
    expect(page.locator("dl.facts dt:has-text('Nights away') + dd")).to_have_text("3")
    nights = page.locator("ul.nights > li")
    expect(nights).to_have_count(3)
    for night in (thursday, friday, saturday):
        row = night_row(page, night)
        expect(who(row)).to_contain_text(day_label(night))
        expect(who(row)).to_contain_text("David Levin (at home)")
    expect(page.get_by_text("Nobody in charge")).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(chosen(page, thursday)).to_have_text("A parent at home (default)")
    shot(page, "02-trip-covered")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Calendar").click()
    expect(page.get_by_role("heading", name="The next 60 days")).to_be_visible()
    for night in (thursday, friday, saturday):
        entry = agenda_entry(page, night)
        expect(entry).to_contain_text("Rachel away · Albuquerque")
        expect(entry).to_contain_text("Night: David Levin")
    expect(agenda_entry(page, sunday)).to_contain_text("Rachel away")
    expect(agenda_entry(page, sunday)).not_to_contain_text("Night:")
    expect(page.locator(".uncovered-label")).to_have_count(0)
    expect(page.locator(".is-uncovered")).to_have_count(0)

    # 3. David, on his own phone, adds a work trip: away Friday 6:00 to Saturday 20:00.
    context = browser.new_context(viewport=PHONE)
    try:
        davids = context.new_page()
        log_in(davids, url, david)
        plan_trip(
            davids,
            traveller="David Levin",
            leaves=datetime.combine(friday, time(6, 0)),
            back=datetime.combine(saturday, time(20, 0)),
            destination="Chicago",
            zone="America/Chicago",
            kind="Work",
        )
        davids.get_by_role("button", name="Save trip").click()
        expect(davids.get_by_role("status")).to_have_text("Trip planned: 1 night away.")
        expect(davids.get_by_role("heading", level=1)).to_have_text("David → Chicago")
        friday_row = night_row(davids, friday)
        expect(who(friday_row)).to_contain_text("Nobody in charge")
        expect(who(friday_row)).to_contain_text("Away: Rachel, David")
        shot(davids, "03-second-trip")
    finally:
        context.close()

    # The Friday night is flagged on Rachel's trip, the calendar and the home page.
    page.goto(trip_url)
    expect(page.get_by_role("alert")).to_have_text(
        "⚠ 1 night with no parent at home and nobody named."
    )
    friday_row = night_row(page, friday)
    expect(friday_row).to_have_class(re.compile(r"\bis-uncovered\b"))
    expect(who(friday_row)).to_contain_text("Nobody in charge")
    expect(who(friday_row)).to_contain_text("Away: Rachel, David")
    for night in (thursday, saturday):
        expect(who(night_row(page, night))).to_contain_text("David Levin (at home)")
    expect(chosen(page, friday)).to_have_text("Nobody yet: choose someone")
    # On a phone the select has a line of its own: its choices are readable.
    box = page.get_by_label(f"In charge on {day_label(friday)}").bounding_box()
    assert box is not None
    assert box["width"] > 300
    shot(page, "04-trip-uncovered")

    page.goto(f"{url}/calendar/")
    expect(agenda_entry(page, friday)).to_contain_text("Night: nobody in charge")
    expect(agenda_entry(page, friday)).to_contain_text("David away · Chicago")
    expect(agenda_entry(page, friday)).to_have_class(re.compile(r"\bis-uncovered\b"))
    expect(page.locator(".agenda li.is-uncovered")).to_have_count(1)
    page.goto(f"{url}/calendar/{friday.year}/{friday.month}/")
    expect(month_cell(page, friday)).to_have_class(re.compile(r"\bis-uncovered\b"))
    expect(month_cell(page, friday)).to_contain_text("Rachel")
    expect(month_cell(page, friday)).to_contain_text("David")
    expect(page.locator(".month-grid td.is-uncovered")).to_have_count(1)
    shot(page, "05-calendar-uncovered")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("1 night with no parent at home and nobody in charge")
    expect(alert.get_by_role("link", name=day_label(friday))).to_have_attribute(
        "href", re.compile(rf"{re.escape(trip_url.removeprefix(url))}#nights$")
    )
    shot(page, "06-home-uncovered")

    # 4. On the trip page Rachel names Grandma Judy for Friday, without a reload.
    alert.get_by_role("link", name=day_label(friday)).click()
    expect(page).to_have_url(re.compile(r"#nights$"))
    friday_row = night_row(page, friday)
    expect(who(friday_row)).to_contain_text("Nobody in charge")
    with no_reload(page):
        select = page.get_by_label(f"In charge on {day_label(friday)}")
        select.select_option(label="Grandma Judy (backup caregiver)")

        expect(who(friday_row)).to_contain_text("Grandma Judy")
        expect(who(friday_row)).not_to_contain_text("Nobody in charge")
        expect(who(friday_row)).not_to_contain_text("(at home)")
        expect(friday_row).not_to_have_class(re.compile(r"\bis-uncovered\b"))
        expect(page.get_by_label(f"In charge on {day_label(friday)}")).to_have_value(
            f"contact:{judy.pk}"
        )
    shot(page, "07-judy-named")

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rachel → Albuquerque")
    expect(page.get_by_role("alert")).to_have_count(0)
    expect(who(night_row(page, friday))).to_contain_text("Grandma Judy")
    expect(page.get_by_label(f"In charge on {day_label(friday)}")).to_have_value(
        f"contact:{judy.pk}"
    )
    expect(page.get_by_text("Nobody in charge")).to_have_count(0)

    page.goto(f"{url}/calendar/")
    expect(agenda_entry(page, friday)).to_contain_text("Night: Grandma Judy")
    expect(agenda_entry(page, thursday)).to_contain_text("Night: David Levin")
    expect(agenda_entry(page, saturday)).to_contain_text("Night: David Levin")
    expect(page.locator(".uncovered-label")).to_have_count(0)
    expect(page.locator(".is-uncovered")).to_have_count(0)
    page.goto(f"{url}/calendar/{friday.year}/{friday.month}/")
    expect(month_cell(page, friday)).not_to_have_class(re.compile(r"\bis-uncovered\b"))
    expect(month_cell(page, friday).locator(".night-cover")).to_have_text("☾ Grandma Judy")
    expect(page.locator(".is-uncovered")).to_have_count(0)
    shot(page, "08-calendar-covered")

    page.goto(url)
    expect(page.get_by_role("heading", name="Hello, Rachel")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)

    # 5. What the database holds.
    trips = list(Trip.objects.order_by("starts_at"))
    assert [(t.traveller, t.kind, t.nights) for t in trips] == [
        (rachel, TripKind.PLANNED, 3),
        (david, TripKind.WORK, 1),
    ]
    assert trips[0].destination_zone == "America/Denver"
    zone = ZoneInfo(HOME_ZONE)
    assert trips[0].starts_at == datetime.combine(thursday, time(7, 30), tzinfo=zone)
    assert trips[0].ends_at == datetime.combine(sunday, time(21, 0), tzinfo=zone)
    cover = Cover.objects.get()
    assert (cover.household, cover.night, cover.contact, cover.member) == (
        household,
        friday,
        judy,
        None,
    )


def test_a_zone_typed_by_hand_is_not_undone_by_a_late_suggestion(page: Page, live_server) -> None:
    rachel = the_levins(PASSWORD, people=(RACHEL,), girls=()).rachel
    log_in(page, live_server.url, rachel)
    page.goto(live_server.url + "/trips/new/")
    # The suggestion for the destination is held back until the parent has typed a zone.
    held: list = []
    page.route("**/trips/new/zone/**", lambda route: held.append(route))
    page.get_by_label("Where to?").fill("Lisbon")
    page.wait_for_function("() => document.querySelector('#zone-field') !== null")
    for _ in range(50):
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "typing the destination asked for its zone"
    zone = page.get_by_label("Time zone there")
    zone.fill("Europe/Madrid")
    with page.expect_response("**/trips/new/zone/**"):
        for route in held:
            route.continue_()
    page.wait_for_timeout(300)  # htmx swaps right after the answer, or not at all
    expect(zone).to_have_value("Europe/Madrid")
    # Without a zone typed by hand, the destination's zone is suggested as before.
    page.unroute("**/trips/new/zone/**")
    page.goto(live_server.url + "/trips/new/")
    page.get_by_label("Where to?").fill("Lisbon")
    expect(page.get_by_label("Time zone there")).to_have_value("Europe/Lisbon")
