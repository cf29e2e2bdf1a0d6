"""Photos in real Chromium: Grandpa, on a share link at 390 px, takes two photos while
his phone is offline (a JPEG that says it was taken sideways, with a GPS position, and
an iPhone's HEIC); they wait on the phone ("2 waiting"), go once the connection is back,
and Rachel, away in Albuquerque, sees them upright on her Home and her timeline, at
Denver times, without a reload. What the server keeps has no GPS left in it.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.journal.tests.away import away_with_grandpas_link
from homefront.photos import testing
from homefront.photos.models import Photo
from homefront.photos.models import PhotoImage
from homefront.testing.browser import AWAY_ZONE
from homefront.testing.browser import HOME_ZONE
from homefront.testing.browser import PHONE
from homefront.testing.browser import POLLED
from homefront.testing.browser import clock
from homefront.testing.browser import offline
from homefront.testing.browser import open_quick_log
from homefront.testing.browser import rachels_laptop
from homefront.testing.browser import screenshots

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

UPRIGHT = "img => img.complete && img.naturalHeight > img.naturalWidth"
LANDSCAPE = "img => img.complete && img.naturalWidth > img.naturalHeight"


shot = screenshots("photos")


def add_photos(page: Page, files: list[dict[str, Any]], caption: str = "") -> None:
    """Chooses `files` on the quick log and adds them, with their caption if any."""
    page.get_by_label("Take or choose photos").set_input_files(files)
    if caption:
        page.get_by_label("Caption (optional)").fill(caption)
    page.get_by_role("button", name="Add photos").click()


def shot_of_the_photos(page: Page, name: str) -> None:
    """The quick log's photos, none of them on the server yet."""
    assert not Photo.objects.exists()
    page.locator("#photos").scroll_into_view_if_needed()
    shot(page, name)


def test_grandpa_sends_two_photos_taken_offline_and_rachel_sees_them_upright(
    page: Page, context: BrowserContext, browser: Browser, live_server
) -> None:
    trip, rachel, girls, _link, quick_log = away_with_grandpas_link()
    url = live_server.url
    sideways = testing.phone_jpeg(3000, 2000, orientation=6)  # a 6 MP phone JPEG with GPS
    heic = testing.phone_heic(1200, 800)

    # Rachel, in Albuquerque, has her Home and her timeline open on her laptop.
    with rachels_laptop(browser, url, rachel) as rachels:
        expect(rachels.get_by_role("heading", name="Today with the kids")).to_be_visible()
        timeline = rachels.context.new_page()
        timeline.goto(f"{url}/trips/{trip.pk}/journal/")
        for opened in (rachels, timeline):
            opened.evaluate("window.stillTheSamePage = true")

        # Grandpa opens the quick log from his link; his phone loses its connection.
        open_quick_log(page, url + quick_log)
        with offline(context):
            add_photos(
                page,
                [
                    {"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": sideways},
                    {"name": "IMG_0002.HEIC", "mimeType": "image/heic", "buffer": heic},
                ],
                caption="Raw currants in the garden",
            )
            status = page.locator("#photo-status")
            expect(status).to_contain_text("2 waiting")
            expect(status).to_contain_text("offline")
            shot_of_the_photos(page, "01-offline-2-waiting-390")

        # Back online: both are sent, once.
        expect(status).to_have_text("Photos sent", timeout=15_000)
        expect(page.locator("#photo-problems")).to_be_empty()
        photos = list(Photo.objects.order_by("pk"))
        assert len(photos) == 2
        assert {photo.caption for photo in photos} == {"Raw currants in the garden"}
        for photo in photos:
            assert set(photo.children.all()) == set(girls)
        for image in PhotoImage.objects.all():
            stored = Image.open(io.BytesIO(bytes(image.data)))
            assert not stored.getexif(), "the GPS position must not be kept"
            assert b"PhoneMaker" not in bytes(image.data)
        shot(page, "02-sent-390")

        # Rachel's Home and timeline show them without a reload, upright, at Denver times.
        jpeg, heif = photos
        kids = rachels.locator("#kids-today")
        expect(kids.locator("a.photo-thumb")).to_have_count(2, timeout=POLLED)
        expect(kids).to_contain_text(clock(jpeg.taken_at, AWAY_ZONE))
        assert clock(jpeg.taken_at, AWAY_ZONE) != clock(jpeg.taken_at, HOME_ZONE)
        upright = kids.locator(f"a[href='{reverse('photos:photo', args=[jpeg.pk])}'] img")
        rachels.wait_for_function(UPRIGHT, arg=upright.element_handle())
        landscape = kids.locator(f"a[href='{reverse('photos:photo', args=[heif.pk])}'] img")
        rachels.wait_for_function(LANDSCAPE, arg=landscape.element_handle())
        shot(rachels, "03-home-1280")

        latest = timeline.locator("#latest")
        expect(latest.locator("a.photo-thumb")).to_have_count(2, timeout=POLLED)
        entry = timeline.locator(f"#entry-{jpeg.entry_id}")
        expect(entry.locator("time")).to_have_text(clock(jpeg.taken_at, AWAY_ZONE))
        for opened in (rachels, timeline):
            assert opened.evaluate("window.stillTheSamePage") is True

        # A tap opens the photo large, upright; a swipe goes to the day's other one.
        latest.locator("a.photo-thumb").first.click()
        viewer = timeline.locator("dialog.photo-viewer")
        expect(viewer).to_be_visible()
        expect(viewer.locator("figcaption")).to_contain_text("(1/2)")
        timeline.wait_for_function(
            "() => { const img = document.querySelector('dialog.photo-viewer img');"
            " return img.complete && img.naturalWidth > 0; }"
        )
        timeline.set_viewport_size(PHONE)
        shot(timeline, "04-viewer-390")
        box = viewer.bounding_box()
        assert box is not None
        middle = box["y"] + box["height"] / 2
        timeline.mouse.move(box["x"] + box["width"] * 0.8, middle)
        timeline.mouse.down()
        timeline.mouse.move(box["x"] + box["width"] * 0.2, middle, steps=5)
        timeline.mouse.up()
        expect(viewer.locator("figcaption")).to_contain_text("(2/2)")
        timeline.keyboard.press("Escape")
        shot(timeline, "05-timeline-390")


def test_a_queued_file_the_server_refuses_shows_why_and_can_be_dropped(
    page: Page, live_server
) -> None:
    page.goto(live_server.url + away_with_grandpas_link().quick_log)
    add_photos(
        page, [{"name": "shopping.jpg", "mimeType": "image/jpeg", "buffer": b"milk, bread\n" * 40}]
    )
    refusal = page.locator("#photo-problems .photo-refused")
    expect(refusal).to_contain_text("shopping.jpg")
    expect(refusal).to_contain_text("This file is not a photo Homefront can read.")
    shot_of_the_photos(page, "06-refused-390")
    refusal.get_by_role("button", name="Drop it").click()
    expect(refusal).to_have_count(0)
    assert (
        page.evaluate(
            "() => new Promise(done => { const open = indexedDB.open('homefront-photos');"
            " open.onsuccess = () => { const count = open.result.transaction('photos')"
            ".objectStore('photos').count(); count.onsuccess = () => done(count.result); }; })"
        )
        == 0
    )
