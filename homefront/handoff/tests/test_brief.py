"""The brief of a trip: what a caregiver reads, for exactly the days of the trip, who may read
it, its PDF, and a fixed number of queries however long the trip and however many children."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homefront.accounts.models import User
from homefront.households.models import SCHOOL_DAYS
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import Household
from homefront.households.models import HouseNote
from homefront.households.models import Medicine
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.models import Routine
from homefront.households.models import RoutineKind
from homefront.households.models import Severity
from homefront.prep.models import Category
from homefront.prep.models import PrepTask
from homefront.testing.trips import make_trip
from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# Monday 9 November 2026, 9:00 in New York: three days before the trip.
NOW = datetime(2026, 11, 9, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
BACKUP_PHONE = "+1 619 555 0187"
POPPLER_HINT = "Install Debian's poppler-utils (apt-get install poppler-utils)."


@pytest.fixture
def trip(family) -> Trip:
    """Thursday 12 November 7:30 to Sunday 15 November 18:00: three nights, four days."""
    return make_trip(
        family.household,
        family.parent,
        ny(2026, 11, 12, 7, 30),
        ny(2026, 11, 15, 18),
        destination="Denver",
        notes="Swimming moved to Friday this week.",
    )


@pytest.fixture
def full_profile(family, trip):
    """Daycare on weekdays, breakfast and wake-up every day, a second medicine, a second
    backup caregiver, and a comfort present for Friday night."""
    child = family.child
    Routine.objects.create(
        child=child,
        kind=RoutineKind.DROP_OFF,
        label="Drop-off at Little Acorns",
        time=time(8, 30),
        weekdays=SCHOOL_DAYS,
    )
    Routine.objects.create(child=child, kind=RoutineKind.WAKE, time=time(7))
    Routine.objects.create(child=child, kind=RoutineKind.BREAKFAST, time=time(7, 45))
    Medicine.objects.create(child=child, name="Amoxicillin", dose="5 ml", times=["08:00", "20:00"])
    Contact(
        household=family.household, name="Uncle Ben", phone="+1 619 555 0142", roles=["backup"]
    ).save()
    PrepTask.objects.create(
        trip=trip,
        title="Open the card from Mum",
        category=Category.COMFORT,
        due_on=date(2026, 11, 11),
        comfort_night=date(2026, 11, 13),
    )
    PrepTask.objects.create(
        trip=trip,
        title="The recorded bedtime story",
        category=Category.COMFORT,
        due_on=date(2026, 11, 11),
        comfort_when_missed=True,
    )


def day_sections(html: str) -> dict[str, str]:
    """The day sections of a brief, by their heading ("Thursday 12 November")."""
    sections = re.findall(r'<section class="brief-day"[^>]*>(.*?)</section>', html, re.DOTALL)
    return {re.search(r"<h2[^>]*>(.*?)</h2>", body).group(1): body for body in sections}


def doctor_line(html: str) -> str:
    return re.search(r"<dt>Doctor</dt><dd>(.*?)</dd>", html, re.DOTALL).group(1)


def brief_html(client, trip: Trip) -> str:
    response = client.get(reverse("handoff:brief", args=[trip.pk]))
    assert response.status_code == 200
    return response.content.decode()


# -- What the brief says ----------------------------------------------------------------------


def test_brief_puts_allergies_and_the_phone_tree_first(family, trip, full_profile):
    html = brief_html(family.client_for(family.parent), trip)

    allergy = html.index("Maya: allergic to Peanuts")
    assert 'class="badge severe"' in html
    assert "EpiPen, then call 911." in html
    assert allergy < html.index("Who to call") < html.index('class="brief-day"')

    tree = re.search(r'<ol class="phone-tree">(.*?)</ol>', html, re.DOTALL).group(1)
    assert tree.index("Grandma") < tree.index("Uncle Ben")
    assert f'<a href="tel:{BACKUP_PHONE.replace(" ", "")}">{BACKUP_PHONE}</a>' in tree
    assert '<a href="tel:+16195550142">+1 619 555 0142</a>' in tree


def test_brief_has_one_section_per_day_with_that_days_routine(family, trip, full_profile):
    html = brief_html(family.client_for(family.parent), trip)
    days = day_sections(html)

    assert list(days) == [
        "Thursday 12 November",
        "Friday 13 November",
        "Saturday 14 November",
        "Sunday 15 November",
    ]
    thursday, friday, saturday, sunday = days.values()
    # Daycare on weekdays only.
    assert "Drop-off at Little Acorns" in thursday
    assert "Drop-off at Little Acorns" in friday
    assert "Drop-off at Little Acorns" not in saturday
    assert "Drop-off at Little Acorns" not in sunday
    # On the first day, only what happens once the traveller has left (7:30)...
    assert "Wake up" not in thursday
    assert ">7:00 AM</time><div>Wake up" in friday
    # ...and on the last day only until they are back (18:00).
    assert "Bedtime" not in sunday
    assert ">7:45 AM</time><div>Breakfast" in sunday
    for body in (thursday, friday, saturday):
        assert ">7:30 PM</time><div>Bedtime<ol><li>Two books</li><li>Lights off</li></ol>" in (body)
        assert ">8:00 PM</time><div>Amoxicillin — 5 ml" in body
    for body in days.values():
        assert ">8:00 AM</time><div>Vitamin D — 1 gummy" in body
        assert ">8:00 AM</time><div>Amoxicillin — 5 ml" in body
    # The comfort present of a night, on that night only.
    assert "Tonight: Open the card from Mum" in friday
    assert sum("Open the card from Mum" in body for body in days.values()) == 1
    # Nobody is named and no other parent is at home: the brief says so.
    assert "nobody named yet" in thursday
    assert "Night:" not in sunday


def test_brief_says_whats_different_this_time(family, trip, full_profile):
    html = brief_html(family.client_for(family.parent), trip)

    assert "What's different this time:</strong> Swimming moved to Friday this week." in html
    assert "If they miss Pat: The recorded bedtime story." in html
    assert "Thursday 12 November, 7:30 AM" in html
    assert "Sunday 15 November, 6:00 PM" in html


def test_night_in_charge_shows_the_named_adult(family, trip):
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 12), contact=family.contact
    )
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 13), member=family.caregiver
    )

    days = day_sections(brief_html(family.client_for(family.parent), trip))

    assert "Grandma in charge" in days["Thursday 12 November"]
    assert "Cam Carer in charge" in days["Friday 13 November"]
    assert "nobody named yet" in days["Saturday 14 November"]


def test_doctor_not_set_links_to_the_fix_for_a_parent_only(family, trip):
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 13), member=family.caregiver
    )
    add = reverse("households:contact_create")

    as_parent = doctor_line(brief_html(family.client_for(family.parent), trip))
    as_caregiver = doctor_line(brief_html(family.client_for(family.caregiver), trip))

    assert "not set" in as_parent
    assert f'href="{add}"' in as_parent
    assert "not set" in as_caregiver
    assert "href" not in as_caregiver


def test_doctor_is_shown_with_a_tel_link_once_set(family, trip):
    Contact(
        household=family.household,
        name="Dr Okafor",
        phone="+1 619 555 0100",
        roles=[ContactRole.DOCTOR],
    ).save()

    line = doctor_line(brief_html(family.client_for(family.parent), trip))

    assert line == 'Dr Okafor — <a href="tel:+16195550100">+1 619 555 0100</a>'


# -- Sensitive notes and who may read the brief ------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "shown_to_caregiver"),
    [
        pytest.param(ny(2026, 11, 10, 12), False, id="days-before"),
        # The caregiver in charge may arrive the evening before: from a day before.
        pytest.param(ny(2026, 11, 11, 7, 29), False, id="a-day-and-a-minute-before"),
        pytest.param(ny(2026, 11, 11, 7, 30), True, id="a-day-before"),
        pytest.param(ny(2026, 11, 12, 7, 29), True, id="a-minute-before"),
        pytest.param(ny(2026, 11, 12, 7, 30), True, id="as-the-trip-starts"),
        pytest.param(ny(2026, 11, 13, 21), True, id="during"),
        pytest.param(ny(2026, 11, 15, 17, 59), True, id="last-minute"),
        pytest.param(ny(2026, 11, 15, 18), False, id="back-home"),
        pytest.param(ny(2026, 11, 20, 12), False, id="days-after"),
    ],
)
def test_sensitive_notes_for_the_covering_caregiver_only_while_the_trip_is_on(
    family, trip, frozen_time, moment, shown_to_caregiver
):
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 13), member=family.caregiver
    )
    frozen_time.move_to(moment)

    parent = brief_html(family.client_for(family.parent), trip)
    caregiver = brief_html(family.client_for(family.caregiver), trip)

    assert "Code 4815" in parent
    assert "Password: moon" in parent
    assert "Password: moon" in caregiver
    assert ("Code 4815" in caregiver) is shown_to_caregiver
    hint = "1 private note (codes) will show here from the day before the trip until it ends."
    assert (hint in caregiver) is not shown_to_caregiver
    assert hint not in parent


def test_a_caregiver_not_covering_a_trip_gets_404(family, trip, frozen_time):
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 13), member=family.caregiver
    )
    other = make_trip(family.household, family.parent, ny(2026, 12, 3, 8), ny(2026, 12, 6, 20))
    frozen_time.move_to(ny(2026, 12, 4, 12))  # the other trip is on: still nothing for them
    client = family.client_for(family.caregiver)

    for name in ("handoff:brief", "handoff:brief_pdf", "handoff:fridge"):
        response = client.get(reverse(name, args=[other.pk]))
        assert response.status_code == 404, name
        assert b"Code 4815" not in response.content
    assert client.get(reverse("handoff:brief", args=[trip.pk])).status_code == 200


def test_an_outsider_gets_404_for_every_brief(family, trip):
    other = make_trip(family.household, family.parent, ny(2026, 12, 3, 8), ny(2026, 12, 6, 20))
    client = family.client_for(family.outsider)

    for pk in (trip.pk, other.pk):
        for name in ("handoff:brief", "handoff:brief_pdf", "handoff:fridge"):
            response = client.get(reverse(name, args=[pk]))
            assert response.status_code == 404, name
            assert b"Maya" not in response.content


def test_the_brief_is_for_signed_in_members(client, family, trip):
    response = client.get(reverse("handoff:brief", args=[trip.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# -- Edge cases ------------------------------------------------------------------------------


def test_an_empty_household_gets_a_brief_with_not_set(db):
    household = Household.objects.create(name="The Empties", time_zone="America/New_York")
    parent = User.objects.create_user(
        email="empty@example.com", password="a long test password", name="Erin Empty"
    )
    Membership.objects.create(household=household, user=parent, role=Role.PARENT)
    trip = make_trip(household, parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 18))
    client = Client()
    client.force_login(parent)

    html = brief_html(client, trip)

    assert "No allergies recorded." in html
    assert "Backup caregiver: not set" in html
    assert '<span class="missing">not set</span>' in doctor_line(html)
    assert "Children: not set" in html
    assert "No house notes." in html
    assert "Not set yet: children, backup caregiver, doctor." in html
    assert len(day_sections(html)) == 4


def test_a_thirty_night_trip_has_thirty_one_days(family):
    trip = make_trip(family.household, family.parent, ny(2026, 12, 1, 8), ny(2026, 12, 31, 20))
    assert trip.nights == 30

    days = day_sections(brief_html(family.client_for(family.parent), trip))

    assert len(days) == 31
    assert next(iter(days)) == "Tuesday 1 December"
    assert list(days)[-1] == "Thursday 31 December"


def test_very_long_notes_render_in_full(family):
    trip_notes = ("Swimming is on Friday now, bring the blue towel. " * 60)[:2000].strip()
    house_text = "\n".join(
        f"Line {n}: the spare key is under the third flowerpot." for n in range(95)
    )
    HouseNote.objects.create(household=family.household, title="Everything", text=house_text)
    trip = make_trip(
        family.household,
        family.parent,
        ny(2026, 11, 12, 7, 30),
        ny(2026, 11, 15, 18),
        notes=trip_notes,
    )
    assert len(trip_notes) > 1900
    assert len(house_text) > 4900

    html = brief_html(family.client_for(family.parent), trip)

    assert trip_notes in html
    assert house_text in html


def test_a_profile_change_during_the_trip_shows_at_once(family, trip, frozen_time):
    frozen_time.move_to(ny(2026, 11, 13, 12))
    client = family.client_for(family.parent)
    before = brief_html(client, trip)
    assert "Two books" in before

    family.routine.steps = "Bath\nThree books\nThe moon song"
    family.routine.save()
    Food.objects.create(
        child=family.child,
        name="Sesame",
        kind=FoodKind.ALLERGY,
        severity=Severity.MODERATE,
        what_to_do="Antihistamine.",
    )
    family.contact.phone = "+1 619 555 0199"
    family.contact.save()

    after = brief_html(client, trip)

    assert "Two books" not in after
    assert "<li>Three books</li><li>The moon song</li>" in after
    assert "Maya: allergic to Sesame" in after
    assert "+1 619 555 0199" in after
    assert BACKUP_PHONE not in after


# -- PDF -------------------------------------------------------------------------------------


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.fail(f"{tool} is missing. {POPPLER_HINT}")
    return path


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        [poppler("pdftotext"), str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(out.split())


def pdf_pages(path: Path) -> int:
    out = subprocess.run(
        [poppler("pdfinfo"), str(path)], capture_output=True, check=True, text=True
    ).stdout
    return int(re.search(r"^Pages:\s+(\d+)$", out, re.MULTILINE).group(1))


def save_pdf(response, path: Path) -> Path:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path.write_bytes(response.content)
    return path


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit PNG, with nothing but the standard library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, compressed = 8, b""
    width = height = depth = colour = interlace = 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
    assert depth == 8
    assert interlace == 0
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[colour]
    raw = zlib.decompress(compressed)
    stride = width * channels
    previous = bytearray(stride)
    rows = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            up_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - up_left
                a, b, c = abs(guess - left), abs(guess - up), abs(guess - up_left)
                nearest = left if a <= b and a <= c else up if b <= c else up_left
                line[x] = (line[x] + nearest) & 0xFF
        rgb = bytes(line) if channels == 3 else bytes(line[i] for i in range(0, stride, channels))
        if channels in (1, 2):
            rgb = bytes(value for value in rgb for _ in range(3))
        elif channels == 4:
            rgb = bytes(v for i in range(0, stride, 4) for v in line[i : i + 3])
        rows.append(rgb)
        previous = line
    return width, height, rows


def test_brief_pdf_has_the_allergy_the_bedtime_and_the_backup_phone(family, trip, tmp_path):
    response = family.client_for(family.parent).get(reverse("handoff:brief_pdf", args=[trip.pk]))
    pdf = save_pdf(response, tmp_path / "brief.pdf")
    assert 'filename="brief-2026-11-12.pdf"' in response["Content-Disposition"]

    text = pdf_text(pdf)
    assert "Peanuts" in text
    assert "Two books" in text
    assert "Lights off" in text
    assert BACKUP_PHONE in text
    assert "Thursday 12 November" in text
    assert "Code 4815" in text  # a parent's copy

    subprocess.run(
        [
            poppler("pdftoppm"),
            "-png",
            "-r",
            "50",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
        capture_output=True,
    )
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 1
    width, height, rows = png_pixels(pngs[0].read_bytes())
    assert (width, height) == (425, 550)  # US letter at 50 dpi: the household is in New York
    pixels = [row[i : i + 3] for row in rows for i in range(0, len(row), 3)]
    ink = [p for p in pixels if min(p) < 200]
    assert len(ink) > len(pixels) // 100, "the first page is blank"
    red = [p for p in pixels if p[0] > 140 and p[1] < 90 and p[2] < 90]
    assert red, "the allergy is not in red on the first page"


def test_emergency_card_pdf_is_one_page_with_the_allergy_and_the_backup(family, tmp_path):
    response = family.client_for(family.parent).get(reverse("handoff:emergency_card_pdf"))
    pdf = save_pdf(response, tmp_path / "card.pdf")

    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert "Peanuts" in text
    assert BACKUP_PHONE in text
    assert "Maya" in text


# -- Queries ---------------------------------------------------------------------------------


def brief_queries(client, trip: Trip) -> int:
    url = reverse("handoff:brief", args=[trip.pk])
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def fill_nights(family, trip: Trip) -> None:
    for index, night in enumerate(trip.nights_list):
        if index % 2:
            Cover.objects.create(household=family.household, night=night, member=family.caregiver)
        else:
            Cover.objects.create(household=family.household, night=night, contact=family.contact)
        PrepTask.objects.create(
            trip=trip,
            title=f"Present {index}",
            category=Category.COMFORT,
            due_on=trip.local_start.date(),
            comfort_night=night,
        )


def add_child(family, n: int) -> Child:
    child = Child.objects.create(
        household=family.household, name=f"Kid {n}", birth_date=date(2020, 1, n)
    )
    Routine.objects.create(child=child, kind=RoutineKind.BEDTIME, time=time(19), steps="Bath\nSong")
    Routine.objects.create(
        child=child,
        kind=RoutineKind.DROP_OFF,
        time=time(8, 30),
        weekdays=SCHOOL_DAYS,
        label="School",
    )
    Food.objects.create(
        child=child, name=f"Nut {n}", kind=FoodKind.ALLERGY, severity="mild", what_to_do="Call."
    )
    Food.objects.create(child=child, name="Pasta", kind=FoodKind.LIKE)
    Medicine.objects.create(child=child, name="Drops", dose="2 drops", times=["09:00", "21:00"])
    return child


def test_brief_queries_do_not_grow_with_the_length_of_the_trip(family):
    short = make_trip(
        family.household, family.parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 18)
    )
    long = make_trip(family.household, family.parent, ny(2026, 12, 1, 8), ny(2026, 12, 21, 20))
    assert (short.nights, long.nights) == (3, 20)
    fill_nights(family, short)
    fill_nights(family, long)
    client = family.client_for(family.parent)

    assert brief_queries(client, long) == brief_queries(client, short)
    assert len(day_sections(brief_html(client, long))) == 21


def test_brief_queries_do_not_grow_with_the_number_of_children(family, trip):
    fill_nights(family, trip)
    client = family.client_for(family.parent)
    with_one = brief_queries(client, trip)

    for n in range(2, 7):
        add_child(family, n)
    assert Child.objects.filter(household=family.household).count() == 6
    with_six = brief_queries(client, trip)

    assert with_six == with_one
    html = brief_html(client, trip)
    assert html.count("allergic to Nut") == 5
