"""Back home, Rachel reads the debrief on her phone: the trip in photos, day by day, and a
tap on one opens it full size."""

from __future__ import annotations

from io import StringIO

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.demo.household import load_demo
from homefront.households.models import Child
from homefront.journal.models import JournalEntry
from homefront.photos.testing import store_photo_for
from homefront.testing.browser import SCREENSHOTS
from homefront.testing.browser import log_in
from homefront.testing.household import PASSWORD
from homefront.trips.models import Trip

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_the_trip_in_photos_on_a_phone(page: Page, live_server):
    household = load_demo(StringIO())
    trip = Trip.objects.in_household(household).get(destination="Albuquerque, New Mexico")
    maya = Child.objects.get(household=household, name="Maya")
    entries = list(JournalEntry.objects.filter(trip=trip).order_by("occurred_at"))[::3][:6]
    photos = [store_photo_for(entry, maya) for entry in entries]
    rachel = trip.traveller
    rachel.set_password(PASSWORD)
    rachel.save()
    log_in(page, live_server.url, rachel)

    page.goto(f"{live_server.url}/trips/{trip.pk}/debrief/")
    heading = page.get_by_role("heading", name="The trip in photos")
    heading.scroll_into_view_if_needed()
    section = page.locator("section.trip-photos")
    expect(section.get_by_role("img")).to_have_count(len(photos))
    # Every thumbnail loaded through the guarded view (none broken).
    loaded = section.locator("img").evaluate_all(
        "images => images.every(img => img.complete && img.naturalWidth > 0)"
    )
    assert loaded
    page.screenshot(path=SCREENSHOTS / "debrief-trip-in-photos.png")

    section.locator("a.photo-thumb").first.click()
    expect(page).to_have_url(f"{live_server.url}/photos/{photos[0].pk}/")
