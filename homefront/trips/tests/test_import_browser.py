"""A work calendar imported again, in real Chromium on a phone, after the parent moved
the return by hand and the calendar moved it too: both are shown, the parent's stays."""

from __future__ import annotations

import re
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from icalendar import Event
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.core.tests.browser import full_page_shot
from homefront.core.tests.browser import sign_in
from homefront.testing.browser import SCREENSHOTS
from homefront.trips.models import Trip

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

HOME = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
UID = "kickoff@example.com"


def kickoff(first_day: datetime, back: time) -> bytes:
    """A three-day meeting in Chicago, from 9:00 on `first_day`, back on its third day."""
    item = Event()
    item.add("uid", UID)
    item.add("summary", "Sales kickoff")
    item.add("location", "Chicago")
    item.add("dtstamp", datetime.now(CHICAGO))
    item.add("dtstart", first_day.replace(hour=9))
    last_day = first_day + timedelta(days=2)
    item.add("dtend", last_day.replace(hour=back.hour, minute=back.minute))
    calendar = Calendar()
    calendar.add("prodid", "-//Example Corp//Outlook 16.0//EN")
    calendar.add("version", "2.0")
    calendar.add_component(item)
    return calendar.to_ical()


def import_calendar(page: Page, base_url: str, data: bytes) -> None:
    page.goto(f"{base_url}/trips/import/")
    page.get_by_label("Work calendar file (.ics)").set_input_files(
        files=[{"name": "work.ics", "mimeType": "text/calendar", "buffer": data}]
    )
    page.get_by_role("button", name="Read the calendar").click()
    expect(page.get_by_role("heading", name="Choose the trips to import")).to_be_visible()


def test_a_return_moved_in_both_places_is_shown_and_the_parents_stays(
    page: Page, live_server, family
):
    base = live_server.url
    in_a_month = datetime.now(CHICAGO).date() + timedelta(days=30)
    first_day = datetime.combine(in_a_month, time(0), tzinfo=CHICAGO)
    sign_in(page, base, family.parent.email, "a long test password")

    import_calendar(page, base, kickoff(first_day, time(17, 0)))
    page.get_by_role("button", name="Import the ticked events").click()
    expect(page.get_by_role("status")).to_have_text("1 trip added.")
    trip = Trip.objects.get(imported_uid=UID)
    # The parent stays until noon the day after; the calendar then moves the end to 20:00.
    parents_return = datetime.combine(
        trip.local_end.date() + timedelta(days=1), time(12, 0), tzinfo=HOME
    )
    trip.ends_at = parents_return
    trip.save(update_fields=["ends_at"])

    import_calendar(page, base, kickoff(first_day, time(20, 0)))
    conflicts = page.get_by_role("group", name="Changed in Homefront and in the calendar")
    expect(conflicts).to_contain_text(f"yours is {parents_return:%a} {parents_return.day}")
    expect(conflicts).to_contain_text("12:00 PM, the calendar now says")
    expect(conflicts).to_contain_text("9:00 PM")  # 20:00 in Chicago, at home in New York
    take = page.get_by_label("Take the calendar's return")
    expect(take).not_to_be_checked()
    full_page_shot(page, SCREENSHOTS / "trips-reimport-conflict.png")
    page.get_by_role("button", name="Import the ticked events").click()

    expect(
        page.get_by_text(re.compile(r"Kept your own return \(the calendar says"))
    ).to_be_visible()
    assert Trip.objects.get(pk=trip.pk).ends_at == parents_return
