"""The story's four days of preparation, made calm, in real Chromium on a phone.

Rachel plans her trip to Albuquerque four days ahead. Homefront spreads the prep
over those days, at most three tasks a day, nothing optional on the last
evening or on the morning she leaves. She ticks off today's tasks from "Prep
today" without a reload. Then her mother is taken into intensive care: she
starts a short-notice trip to California leaving in two hours, and its plan
holds only the essentials, all due today, each by a time. Last, she ticks her
phone charger off that trip's packing list.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.demo.household import DAVID
from homefront.demo.household import RACHEL
from homefront.demo.household import the_levins
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.testing.browser import fill_in_the_trip
from homefront.testing.browser import log_in
from homefront.testing.browser import no_reload
from homefront.testing.browser import screenshots
from homefront.testing.household import PASSWORD
from homefront.trips.models import Trip
from homefront.trips.models import TripKind

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


shot = screenshots("prep-journey")


def plan_trip(page: Page, base_url: str, **trip: Any) -> None:
    page.goto(f"{base_url}/trips/new/")
    fill_in_the_trip(page, **trip)


def day_section(page: Page, day: date) -> Locator:
    """One day of a prep plan: its heading and its tasks."""
    return page.locator(f"section[aria-labelledby='day-{day.isoformat()}']")


def optional_tasks(scope: Locator) -> Locator:
    return scope.locator("li.task:not(:has(.badge.essential))")


def due_today(page: Page) -> Locator:
    """The tasks under "Today" on the "Prep today" page."""
    return page.get_by_role("region", name="Today", exact=True).locator("li.task")


def tick(row: Locator) -> Locator:
    return row.locator(".tick-button")


def test_prep_is_spread_over_the_days_ticked_in_place_and_short_notice_keeps_essentials(
    page: Page, live_server, ten_in_the_morning: datetime
) -> None:
    # 1. The Levins: Rachel, who leaves, and David, who stays with the girls.
    levins = the_levins(PASSWORD, people=(RACHEL, DAVID), girls=())
    household, rachel = levins.household, levins.rachel
    url = live_server.url
    today = household.today()
    departure = today + timedelta(days=4)
    eve = departure - timedelta(days=1)
    leaves = datetime.combine(departure, time(7, 30))
    back = datetime.combine(departure + timedelta(days=3), time(21, 0))

    log_in(page, url, rachel)
    # No trip is coming yet, so the home page offers no prep.
    expect(page.get_by_role("button", name="Prep today")).to_have_count(0)
    plan_trip(page, url, leaves=leaves, back=back)
    page.get_by_role("button", name="Save trip").click()
    expect(page.get_by_role("status")).to_have_text("Trip planned: 3 nights away.")
    # The arrow is drawn, not read (aria-hidden, mirrored in Hebrew): the h1's text, not its name.
    expect(page.get_by_role("heading", level=1)).to_have_text("Rachel → Albuquerque")
    shot(page, "01-trip-planned")

    # 2. The trip page leads to its prep plan: four days, calm ones.
    page.get_by_role("link", name="Prep plan").click()
    expect(page.get_by_role("heading", name="Prep plan")).to_be_visible()
    expect(
        page.get_by_text(f"Rachel → Albuquerque, leaves {departure:%a} {departure.day}")
    ).to_be_visible()
    tasks = page.locator("li.task")
    expect(tasks).to_have_count(12)
    expect(page.get_by_text("0 of 12 done")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)  # no crowded day
    plan_days = [today + timedelta(days=n) for n in range(5)]
    expect(page.locator("h2.prep-day")).to_have_count(len(plan_days))
    for day in plan_days:
        heading = page.locator(f"#day-{day.isoformat()}")
        expect(heading).to_contain_text(f"{day:%A} {day.day} {day:%B}")
        count = day_section(page, day).locator("li.task").count()
        assert 1 <= count <= 3, f"{count} tasks on {day}"
    expect(page.locator(f"#day-{today.isoformat()} .badge")).to_have_text("today")
    # The last evening and the morning of leaving hold essentials only.
    for day in (eve, departure):
        expect(day_section(page, day).locator("li.task").first).to_be_visible()
        expect(optional_tasks(day_section(page, day))).to_have_count(0)
    expect(day_section(page, departure)).to_contain_text("Charge phone, laptop and chargers")
    # The optional ones sit earlier, and all four made it into the plan.
    expect(optional_tasks(page.locator("main"))).to_have_count(4)
    # Who does what: the one leaving, the one staying, anyone.
    expect(page.locator("li.task", has_text="Groceries for the days away")).to_contain_text("David")
    expect(page.locator("li.task", has_text="Tickets, ID and itinerary shared")).to_contain_text(
        "Rachel"
    )
    shot(page, "02-prep-plan")

    # 3. From the home page to "Prep today": today's tasks, ticked without a reload.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    shot(page, "03-home")
    page.get_by_role("button", name="Prep today").click()
    expect(page.get_by_role("heading", name="Prep today")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You are on track: nothing is late.")
    progress = page.get_by_label("Prep done for this trip")
    expect(progress).to_have_count(1)
    expect(progress).to_have_attribute("max", "12")
    before = int(progress.get_attribute("value") or "")
    expect(page.locator(".trip-progress")).to_contain_text(f"{before} of 12 done")
    todays = due_today(page)
    expect(todays).to_have_count(3)  # today's share of the plan, no more
    rows = [page.locator(f"#{todays.nth(n).get_attribute('id')}") for n in range(2)]
    titles = [row.locator(".task-title").inner_text() for row in rows]
    shot(page, "04-prep-today")

    with no_reload(page):
        for row, title in zip(rows, titles, strict=True):
            expect(tick(row)).to_have_attribute("aria-pressed", "false")
            tick(row).click()
            expect(tick(row)).to_have_attribute("aria-pressed", "true")
            expect(tick(row)).to_have_accessible_name(f"Mark “{title}” not done")
            expect(row).to_have_class(re.compile(r"\bis-done\b"))
        expect(tick(todays.nth(2))).to_have_attribute("aria-pressed", "false")
    shot(page, "05-two-ticked")

    page.reload()
    expect(page.get_by_role("heading", name="Prep today")).to_be_visible()
    for row in rows:
        expect(tick(row)).to_have_attribute("aria-pressed", "true")
    expect(tick(due_today(page).nth(2))).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_label("Prep done for this trip")).to_have_attribute("value", str(before + 2))
    expect(page.locator(".trip-progress")).to_contain_text(f"{before + 2} of 12 done")
    assert before == 0

    # 4. Her mother is in intensive care: a short-notice trip, leaving in two hours.
    now = datetime.now(household.zone).replace(second=0, microsecond=0, tzinfo=None)
    sudden_leaves = now + timedelta(hours=2)
    assert sudden_leaves.date() == today
    sudden_back = sudden_leaves + timedelta(days=2)
    assert sudden_back.date() < departure  # well clear of the Albuquerque trip
    plan_trip(
        page,
        url,
        traveller="Rachel Levin",
        leaves=sudden_leaves,
        back=sudden_back,
        destination="Los Angeles",
        zone="America/Los_Angeles",
        kind="Short notice",
    )
    page.get_by_role("button", name="Save trip").click()
    expect(page.get_by_role("status")).to_have_text(re.compile(r"Trip planned: \d nights? away\."))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rachel → Los Angeles")
    expect(page.locator("dl.facts")).to_contain_text("Short notice")
    page.get_by_role("link", name="Prep plan").click()
    expect(page.get_by_role("heading", name="Prep plan")).to_be_visible()
    expect(page.get_by_text("Short notice: only the essentials")).to_be_visible()
    # No "crowded day" alarm: a sudden departure has no other days to spread over.
    expect(page.get_by_role("alert")).to_have_count(0)
    sudden_tasks = page.locator("li.task")
    expect(sudden_tasks).to_have_count(8)
    expect(optional_tasks(page.locator("main"))).to_have_count(0)
    expect(page.locator("li.task .badge.essential")).to_have_count(8)
    expect(page.locator("h2.prep-day")).to_have_count(1)
    expect(day_section(page, today).locator("li.task")).to_have_count(8)
    sudden = Trip.objects.get(kind=TripKind.SHORT_NOTICE)
    planned = list(sudden.prep_tasks.order_by("due_at"))
    assert [t.due_on for t in planned] == [today] * 8
    due_times = [t.due_at for t in planned]
    assert all(due_times), "every sudden task is due by a time"
    assert due_times == sorted(set(due_times)), "one after the other"
    assert due_times[0] > ten_in_the_morning, "due from now on"
    assert due_times[-1] < sudden.starts_at, "all before leaving"
    labels = [f"by {t.astimezone(household.zone):%-I:%M %p}" for t in due_times]
    who_lines = sudden_tasks.locator(".small.muted")
    for n, label in enumerate(labels):
        expect(who_lines.nth(n)).to_contain_text(label)
    expect(sudden_tasks.first).to_contain_text("Tell the kids about the trip")
    expect(sudden_tasks.last).to_contain_text("Charge phone, laptop and chargers")
    shot(page, "06-short-notice-plan")

    # Prep today now follows both trips, the one leaving first on top.
    page.goto(f"{url}/prep/today/")
    expect(page.locator(".trip-progress")).to_have_text(
        [
            re.compile(r"Rachel → Los Angeles.*0 of 8 done", re.DOTALL),
            re.compile(r"Albuquerque.*2 of 12 done", re.DOTALL),
        ]
    )
    expect(due_today(page)).to_have_count(3 + 8)
    expect(page.locator("h3.prep-trip")).to_have_text(
        [
            re.compile(r"^Rachel → Los Angeles, leaves "),
            re.compile(r"^Rachel → Albuquerque, leaves "),
        ]
    )
    per_trip = page.locator("h3.prep-trip + ul.tasks")
    expect(per_trip.first.locator("li.task")).to_have_count(8)
    expect(per_trip.last.locator("li.task")).to_have_count(3)
    shot(page, "07-prep-today-two-trips")

    # 5. The packing list of the sudden trip: the phone charger goes in the bag.
    page.goto(f"{url}/trips/{sudden.pk}/prep/")
    page.get_by_role("link", name="Packing list").click()
    expect(page.get_by_role("heading", name="Packing list")).to_be_visible()
    expect(page.locator("ul.packing > li")).to_have_count(8)
    expect(page.locator("ul.packing > li", has_text="Underwear")).to_contain_text(
        f"\N{MULTIPLICATION SIGN} {sudden.nights + 1}"
    )
    charger = page.locator("ul.packing > li", has_text="Phone charger")
    charger_id = charger.get_attribute("id")
    charger = page.locator(f"#{charger_id}")
    with no_reload(page):
        page.get_by_role("button", name="Packed: Phone charger").click()
        expect(page.get_by_role("button", name="Unpack Phone charger")).to_have_attribute(
            "aria-pressed", "true"
        )
        expect(charger).to_have_class(re.compile(r"\bis-done\b"))
    shot(page, "08-packing-ticked")
    page.reload()
    expect(page.get_by_role("button", name="Unpack Phone charger")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_text("1 of 8 packed.")).to_be_visible()

    # What the database holds.
    first = Trip.objects.get(kind=TripKind.PLANNED)
    done = PrepTask.objects.filter(trip=first, done_at__isnull=False)
    assert sorted(done.values_list("title", flat=True)) == sorted(titles)
    assert {t.done_by for t in done} == {rachel}
    assert set(done.values_list("due_on", flat=True)) == {today}
    assert not PrepTask.objects.filter(trip=sudden, done_at__isnull=False).exists()
    assert list(PackingItem.objects.filter(packed=True).values_list("trip", "name")) == [
        (sudden.pk, "Phone charger")
    ]
    assert first.prep_tasks.count() == 12
    assert max(first.prep_tasks.values_list("due_on", flat=True)) == departure
