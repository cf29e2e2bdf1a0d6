"""A parent adds a child's photo and weight from her phone, and the brief shows them.

Rachel opens Maya's page at 390 px, chooses a photo from her phone (a JPEG her camera
wrote sideways with orientation 6 and a GPS position), and sees it upright. She types
Maya's weight in pounds; the page shows pounds and kilograms. The brief of her trip,
the one Grandma reads, starts the kids' section with Maya's face and weight.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.core.tests.browser import full_page_shot
from homefront.demo.household import RACHEL
from homefront.demo.household import the_levins
from homefront.households.models import Child
from homefront.photos.testing import phone_jpeg
from homefront.testing.browser import SCREENSHOTS
from homefront.testing.browser import log_in
from homefront.testing.household import PASSWORD
from homefront.testing.household import away_between

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def shows_her_photo_and_weight(page: Page, address: str, part: str, picture: str) -> None:
    """The page at `address` shows Maya's face and weight in its `part`."""
    page.goto(address)
    shown = page.locator(part)
    expect(shown.get_by_role("img", name="Photo of Maya")).to_be_visible()
    expect(shown.get_by_text("36.5 lb (16.6 kg)")).to_be_visible()
    full_page_shot(page, SCREENSHOTS / f"{picture}-child-photo.png")


def test_a_parent_adds_a_photo_and_weight_and_the_brief_shows_them(page: Page, live_server):
    # The demo's Maya, her weight and height not taken yet.
    levins = the_levins(PASSWORD, people=(RACHEL,), girls=("Maya",))
    maya, rachel = levins.maya, levins.rachel
    Child.objects.filter(pk=maya.pk).update(weight_grams=None, height_mm=None, measured_on=None)
    start = timezone.now() + timedelta(days=2)
    trip = away_between(levins.household, rachel, start, start + timedelta(days=3))
    url = live_server.url
    log_in(page, url, rachel)

    page.goto(f"{url}/children/{maya.pk}/")
    page.get_by_label("A recent photo").set_input_files(
        {"name": "IMG_2041.JPG", "mimeType": "image/jpeg", "buffer": phone_jpeg(1200, 800)}
    )
    page.get_by_role("button", name="Add the photo").click()
    expect(page.get_by_text("Maya's photo is saved.")).to_be_visible()
    photo = page.get_by_role("img", name="Photo of Maya")
    expect(photo).to_be_visible()
    # Upright on the page: the browser drew the picture taller than wide (it was stored
    # sideways with orientation 6) and it is not stretched. Visible comes before loaded.
    page.wait_for_function("img => img.complete", arg=photo.element_handle())
    natural = photo.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural[1] > natural[0]
    served = page.request.get(url + photo.get_attribute("src"))
    assert served.headers["cache-control"].startswith("private")
    assert not Image.open(io.BytesIO(served.body())).getexif()

    page.get_by_role("link", name="Add weight and height").click()
    page.get_by_label("Weight (lb)").fill("365")  # a slipped decimal point
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("a child weighs between 1.1 and 330.7 lb")).to_be_visible()
    full_page_shot(page, SCREENSHOTS / "profile-child-weight-refused.png")
    page.get_by_label("Weight (lb)").fill("36.5")
    page.get_by_label("Height (inches)").fill("41")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("36.5 lb (16.6 kg)")).to_be_visible()
    expect(page.get_by_text("3 ft 5 in (104.1 cm)")).to_be_visible()
    full_page_shot(page, SCREENSHOTS / "profile-child-photo.png")

    shows_her_photo_and_weight(page, f"{url}/trips/{trip.pk}/brief/", ".brief-child", "brief")

    page.goto(f"{url}/ready/")
    expect(
        page.get_by_text("A photo and weight of each child from the last six months")
    ).to_be_visible()
    full_page_shot(page, SCREENSHOTS / "readiness-child-photo.png")

    shows_her_photo_and_weight(page, f"{url}/emergency-card/", ".wallet-card", "emergency-card")
