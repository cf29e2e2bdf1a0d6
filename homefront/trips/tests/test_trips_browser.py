"""The story's trip, planned in real Chromium on a phone, and the night it left uncovered.

Rachel plans her first long trip (Thursday morning to Sunday night, Albuquerque):
David is at home, so he is in charge of all three nights. Then David adds a
work trip that takes him away on the Friday night too. Homefront flags that
night on the trip, the calendar and the home page, until Rachel names Grandma
Judy, the backup caregiver, for it, right on the trip page without a reload.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from homefront.accounts.models import User
from homefront.core.tests.browser import full_page_shot, sign_in
from homefront.households.models import (
    Child,
    Contact,
    ContactRole,
    Household,
    Membership,
    Role,
    Routine,
    RoutineKind,
)
from homefront.trips.models import Cover, Trip, TripKind

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[3] / "screenshots"  # git-ignored
PASSWORD = "correct horse battery staple"
HOME_ZONE = "America/New_York"


@pytest.fixture
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "viewport": PHONE}


def shot(page: Page, name: str) -> None:
    full_page_shot(page, SCREENSHOTS / f"trips-journey-{name}.png")


def day_label(day: date) -> str:
    """A date as the pages write it ("D j M"), e.g. "Fri 12 Jun"."""
    return f"{day:%a} {day.day} {day:%b}"


def next_thursday() -> date:
    """A Thursday at least two days ahead at home, so the trip is still upcoming."""
    today = datetime.now(ZoneInfo(HOME_ZONE)).date()
    ahead = (3 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 2 else ahead + 7)


def log_in(page: Page, base_url: str, email: str) -> None:
    sign_in(page, base_url, email, PASSWORD)


def plan_trip(
    page: Page,
    *,
    traveller: str,
    leaves: datetime,
    back: datetime,
    destination: str,
    zone: str,
    kind: str,
) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trips").click()
    page.get_by_role("button", name="+ Plan a trip").click()
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
    household = Household.objects.create(name="The Levins", time_zone=HOME_ZONE)
    rachel = User.objects.create_user(
        email="rachel@example.com", password=PASSWORD, name="Rachel Levin"
    )
    david = User.objects.create_user(
        email="david@example.com", password=PASSWORD, name="David Levin"
    )
    Membership.objects.create(household=household, user=rachel, role=Role.PARENT)
    Membership.objects.create(household=household, user=david, role=Role.PARENT)
    today = household.today()
    maya = Child.objects.create(
        household=household, name="Maya", birth_date=today - timedelta(days=4 * 365 + 180)
    )
    noa = Child.objects.create(
        household=household, name="Noa", birth_date=today - timedelta(days=3 * 365 + 30)
    )
    for child, bedtime in ((maya, time(19, 30)), (noa, time(19, 0))):
        Routine.objects.create(child=child, kind=RoutineKind.WAKE, time=time(6, 45))
        Routine.objects.create(child=child, kind=RoutineKind.DINNER, time=time(17, 45))
        Routine.objects.create(
            child=child,
            kind=RoutineKind.BEDTIME,
            time=bedtime,
            steps="Pyjamas\nBrush teeth\nTwo books\nThe moon song",
        )
    judy = Contact(
        household=household,
        name="Grandma Judy",
        relation="Rachel's mother",
        phone="+1 619 555 0187",
        roles=[ContactRole.BACKUP],
    )
    judy.save()
    assert judy.backup_order == 1

    thursday = next_thursday()
    friday, saturday, sunday = (thursday + timedelta(days=n) for n in (1, 2, 3))
    url = live_server.url

    # 2. Rachel plans the story's trip: Thursday 7:30 to Sunday 21:00, Albuquerque.
    log_in(page, url, "rachel@example.com")
    plan_trip(
        page,
        traveller="Rachel Levin",
        leaves=datetime.combine(thursday, time(7, 30)),
        back=datetime.combine(sunday, time(21, 0)),
        destination="Albuquerque",
        zone="America/Denver",
        kind="Planned",
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
        log_in(davids, url, "david@example.com")
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
    page.evaluate("window.stillTheSamePage = true")
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    select = page.get_by_label(f"In charge on {day_label(friday)}")
    select.select_option(label="Grandma Judy (backup caregiver)")

    expect(who(friday_row)).to_contain_text("Grandma Judy")
    expect(who(friday_row)).not_to_contain_text("Nobody in charge")
    expect(who(friday_row)).not_to_contain_text("(at home)")
    expect(friday_row).not_to_have_class(re.compile(r"\bis-uncovered\b"))
    expect(page.get_by_label(f"In charge on {day_label(friday)}")).to_have_value(
        f"contact:{judy.pk}"
    )
    assert page.evaluate("window.stillTheSamePage") is True
    assert navigations == []
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
    household = Household.objects.create(name="The Levins", time_zone=HOME_ZONE)
    rachel = User.objects.create_user(
        email="rachel@example.com", password=PASSWORD, name="Rachel Levin"
    )
    Membership.objects.create(household=household, user=rachel, role=Role.PARENT)
    log_in(page, live_server.url, "rachel@example.com")
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
