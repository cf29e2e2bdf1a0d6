"""The child's photo, weight and height where a caregiver or a stranger needs them: the
brief (also through a share link), the fridge sheet, the emergency card and its PDF; and
the readiness page's reminder to renew them every six months."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from datetime import timedelta
from io import BytesIO

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from homefront.handoff.models import ShareLink
from homefront.handoff.tests.test_brief import NOW  # noqa: F401 (frozen_time's: the same Monday as the brief's tests)
from homefront.handoff.tests.test_brief import pdf_pages
from homefront.handoff.tests.test_brief import pdf_text
from homefront.handoff.tests.test_brief import poppler
from homefront.handoff.tests.test_brief import save_pdf
from homefront.handoff.tests.test_brief import trip  # noqa: F401 (a fixture)
from homefront.households.child_photo import replace_photo
from homefront.households.measurements import Units
from homefront.households.models import Child
from homefront.households.models import Household
from homefront.photos.processing import process_photo
from homefront.photos.testing import phone_jpeg

pytestmark = pytest.mark.usefixtures("frozen_time")

LABEL = "A photo and weight of each child from the last six months"
INLINE_PHOTO = re.compile(
    r'<img src="data:image/jpeg;base64,[A-Za-z0-9+/=]{500,}" alt="Photo of (\w+)"'
)


@pytest.fixture
def described(family):
    """Maya with a photo (red above blue once upright), her weight and height, in pounds."""
    Household.objects.filter(pk=family.household.pk).update(units=Units.US)
    Child.objects.filter(pk=family.child.pk).update(
        weight_grams=16556, height_mm=1041, measured_on=date(2026, 10, 1)
    )
    replace_photo(family.child, process_photo(phone_jpeg(600, 400, orientation=6)))
    family.child.refresh_from_db()
    return family


def photos_in_pdf(path) -> list[str]:
    """The images a PDF holds, as `pdfimages -list` lists them (one line each)."""
    out = subprocess.run(
        [poppler("pdfimages"), "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout
    return [line for line in out.splitlines()[2:] if line.strip()]


def rendered(path, tmp_path, dpi: int = 150) -> Image.Image:
    """The PDF's first page as an image, `dpi` dots to the inch."""
    first_page = [poppler("pdftoppm"), "-png", "-r", str(dpi), "-f", "1", "-l", "1"]
    subprocess.run(
        [*first_page, str(path), str(tmp_path / "page")], check=True, capture_output=True
    )
    (png,) = sorted(tmp_path.glob("page*.png"))
    return Image.open(BytesIO(png.read_bytes())).convert("RGB")


def the_photo_region(page: Image.Image) -> tuple[int, int]:
    """Where the test photo's blue half is drawn on the page (its top row, its left end):
    nothing else on a card or a brief is that blue."""
    blue = [
        (y, x)
        for y in range(page.height)
        for x in range(0, page.width, 2)
        if (pixel := page.getpixel((x, y)))[2] > 170 and pixel[0] < 80 and pixel[1] < 80
    ]
    assert blue, "the child's photo is not on the page"
    return min(blue)


def test_the_emergency_card_pdf_shows_the_photo_weight_and_height_on_one_page(described, tmp_path):
    client = described.client_for(described.parent)
    pdf = save_pdf(client.get(reverse("handoff:emergency_card_pdf")), tmp_path / "card.pdf")

    assert pdf_pages(pdf) == 1
    assert len(photos_in_pdf(pdf)) == 1
    text = pdf_text(pdf)
    assert "36.5 lb (16.6 kg)" in text
    assert "3 ft 5 in (104.1 cm)" in text
    page = rendered(pdf, tmp_path)
    top, left = the_photo_region(page)
    # Upright: the red half (the phone's left, turned by orientation 6) above the blue.
    red_above = page.getpixel((left + 2, max(top - 4, 0)))
    assert red_above[0] > 170
    assert red_above[2] < 100


def test_the_brief_pdf_shows_the_photo_and_measurements(described, trip, tmp_path):  # noqa: F811
    client = described.client_for(described.parent)
    pdf = save_pdf(client.get(reverse("handoff:brief_pdf", args=[trip.pk])), tmp_path / "b.pdf")

    assert len(photos_in_pdf(pdf)) == 1
    assert "36.5 lb (16.6 kg)" in pdf_text(pdf)
    the_photo_region(rendered(pdf, tmp_path, dpi=60))


def test_the_brief_and_fridge_sheet_carry_the_photo_inside_the_page(described, trip):  # noqa: F811
    client = described.client_for(described.parent)

    for name in ("handoff:brief", "handoff:fridge"):
        html = client.get(reverse(name, args=[trip.pk])).content.decode()
        assert INLINE_PHOTO.search(html).group(1) == "Maya", name
        assert "36.5 lb (16.6 kg)" in html
        assert "/children/" not in re.sub(r'href="[^"]*"', "", html.split("<main")[1])


def test_a_share_link_shows_the_photo_without_another_door(described, trip):  # noqa: F811
    _link, token = ShareLink.issue(trip, described.parent, label="Grandma", days_before=7)

    html = Client().get(reverse("handoff:shared_brief", args=[token])).content.decode()

    assert INLINE_PHOTO.search(html).group(1) == "Maya"
    assert "3 ft 5 in (104.1 cm)" in html
    # The profile's photo URL stays closed to the link's holder.
    response = Client().get(reverse("households:child_photo", args=[described.child.pk]))
    assert response.status_code == 302
    assert response["Content-Type"] != "image/jpeg"


def test_without_a_photo_the_pages_show_no_broken_image(family, trip, tmp_path):  # noqa: F811
    client = family.client_for(family.parent)

    html = client.get(reverse("handoff:brief", args=[trip.pk])).content.decode()
    assert "data:image/jpeg" not in html
    assert "Photo of Maya" not in html
    pdf = save_pdf(client.get(reverse("handoff:emergency_card_pdf")), tmp_path / "card.pdf")
    assert photos_in_pdf(pdf) == []


# -- Readiness: six months -------------------------------------------------------------------


def check_of(client) -> tuple[bool, str]:
    response = client.get(reverse("handoff:readiness"))
    assert response.context is not None, (response.status_code, response.headers)
    checks = response.context["checks"]
    (check,) = [c for c in checks if c.label == LABEL]
    return check.ok, check.detail


def test_a_photo_and_weight_from_the_last_six_months_are_ready(described):
    assert check_of(described.client_for(described.parent)) == (True, "Up to date.")


def test_a_child_without_photo_or_weight_is_named(family):
    ok, detail = check_of(family.client_for(family.parent))

    assert not ok
    assert detail == "No photo of Maya; no weight for Maya."
    page = family.client_for(family.parent).get(reverse("handoff:readiness")).content.decode()
    assert f'href="{reverse("households:child", args=[family.child.pk])}"' in page
    assert "Update Maya" in page


def test_a_weight_older_than_six_months_is_flagged(described, frozen_time):
    # Weighed on 1 October: still fine on 1 April (182 days)...
    frozen_time.move_to("2027-04-01 14:00Z")
    Child.objects.filter(pk=described.child.pk).update(photo_updated_at="2027-03-30 12:00Z")
    assert check_of(described.client_for(described.parent))[0]

    # ...not a few days later (a new session: the old one has expired by then).
    frozen_time.shift(timedelta(days=3))

    ok, detail = check_of(described.client_for(described.parent))
    assert not ok
    assert detail == "Maya was weighed over six months ago (1 Oct 2026)."


def test_a_photo_older_than_six_months_is_flagged(described, frozen_time):
    Child.objects.filter(pk=described.child.pk).update(measured_on=date(2027, 5, 1))

    frozen_time.move_to("2027-05-12 14:00Z")  # the photo is from 9 Nov 2026: 184 days

    client = described.client_for(described.parent)
    ok, detail = check_of(client)
    assert not ok
    assert detail == "Maya's photo is over six months old."
    # A new photo puts it right.
    replace_photo(described.child, process_photo(phone_jpeg()))
    assert check_of(client) == (True, "Up to date.")
