"""The brief on paper stays short however long the trip: days that share a plan are printed
once, the children side by side, and the nights run together; the allergy stays on page 1.
Pages are counted in the real PDF, for the demo family (two children with photos, weekday
daycare, a bath every other day, house notes), in English and in Hebrew."""

from __future__ import annotations

import subprocess
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from homefront.accounts.models import User
from homefront.handoff.brief import build_brief
from homefront.handoff.tests.test_brief import pdf_pages
from homefront.handoff.tests.test_brief import pdf_text
from homefront.handoff.tests.test_brief import poppler
from homefront.handoff.tests.test_brief import save_pdf
from homefront.handoff.tests.test_child_on_paper import photos_in_pdf
from homefront.households.child_photo import replace_photo
from homefront.households.models import Household
from homefront.photos.processing import process_photo
from homefront.photos.testing import phone_jpeg
from homefront.prep.models import Category
from homefront.prep.models import PrepTask
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# Monday 9 November 2026, 9:00 in Boston: a week before the trips below.
NOW = datetime(2026, 11, 9, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
MONDAY = date(2026, 11, 16)


@pytest.fixture
def demo(db) -> Household:
    call_command("demo", stdout=StringIO())
    household = Household.objects.get()
    for child in household.children.all():
        replace_photo(child, process_photo(phone_jpeg(600, 400)))
    return household


@pytest.fixture
def rachel(demo) -> User:
    return User.objects.get(email="rachel@demo.homefront.invalid")


def away(household: Household, traveller: User, nights: int) -> Trip:
    """From Monday 16 November, 9:00, for that many nights, back at 6 PM."""
    return Trip.objects.create(
        household=household,
        traveller=traveller,
        starts_at=datetime.combine(MONDAY, time(9), tzinfo=household.zone),
        ends_at=datetime.combine(MONDAY + timedelta(days=nights), time(18), tzinfo=household.zone),
        destination="Lisbon",
        destination_zone="Europe/Lisbon",
    )


def brief_pdf(user: User, trip: Trip, path: Path) -> Path:
    client = Client()
    client.force_login(user)
    return save_pdf(client.get(reverse("handoff:brief_pdf", args=[trip.pk])), path)


def first_page_text(path: Path) -> str:
    out = subprocess.run(
        [poppler("pdftotext"), "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return " ".join(out.split())


def test_two_nights_fit_on_two_pages_with_everything_a_caregiver_needs(demo, rachel, tmp_path):
    pdf = brief_pdf(rachel, away(demo, rachel, nights=2), tmp_path / "brief.pdf")

    assert pdf_pages(pdf) <= 2
    page_one = first_page_text(pdf)
    assert "Noa: allergic to Peanuts" in page_one
    assert "EpiPen Jr" in page_one
    text = pdf_text(pdf)
    # Who to call, the parents, the doctor, the children with their photos, the house.
    for words in ("Sarah Cohen", "+1 617 555 0142", "+1 617 555 0111", "Dr. Anita Patel"):
        assert words in text
    assert len(photos_in_pdf(pdf)) == 2
    assert "Bins out Tuesday night." in text
    # Each of the three days is a plan of its own; the first and last say from and until when.
    assert "Mon 16 Nov from 9:00 AM" in text
    assert "Tue 17 Nov" in text
    assert "Wed 18 Nov until 6:00 PM" in text
    assert "Pyjamas · Brush teeth · Two books" in text


def test_a_fortnight_fits_on_four_pages_with_the_allergy_on_the_first(demo, rachel, tmp_path):
    pdf = brief_pdf(rachel, away(demo, rachel, nights=14), tmp_path / "brief.pdf")

    assert pdf_pages(pdf) <= 4
    assert "Noa: allergic to Peanuts" in first_page_text(pdf)
    text = pdf_text(pdf)
    # The nights in three lines: David is in Chicago on two of them, and nobody is named yet.
    assert "Mon 16 Nov Night: David Levin in charge" in text
    assert "Tue 17 Nov – Wed 18 Nov Night: nobody named yet" in text
    assert "Thu 19 Nov – Sun 29 Nov Night: David Levin in charge" in text
    assert "Mon 30 Nov until 6:00 PM" in text


def test_a_fortnight_in_hebrew_fits_too_with_the_allergy_on_the_first_page(demo, rachel, tmp_path):
    User.objects.filter(pk=rachel.pk).update(language="he")
    pdf = brief_pdf(rachel, away(demo, rachel, nights=14), tmp_path / "brief.pdf")

    assert pdf_pages(pdf) <= 4
    page_one = first_page_text(pdf)
    assert "Peanuts" in page_one
    assert "למי להתקשר" in page_one  # "Who to call": the page speaks Hebrew
    assert "+1 617 555 0142" in page_one  # a phone number's digits stay in order


def test_each_day_is_in_exactly_one_group_whose_days_share_the_plan(demo, rachel):
    trip = away(demo, rachel, nights=14)
    brief = build_brief(trip, show_sensitive=False)

    groups = brief.day_groups

    grouped = sorted(day.day for group in groups for day in group.days)
    assert grouped == [day.day for day in brief.days]
    for group in groups:
        assert all(day.same_plan_as(group.days[0]) for day in group.days)
    firsts = [group.days[0] for group in groups]
    assert not any(a.same_plan_as(b) for i, a in enumerate(firsts) for b in firsts[i + 1 :])
    # Far fewer plans than days: weekdays with and without a bath, weekends, and the ends.
    assert len(groups) <= 8 < len(brief.days)
    # Spans run together: Noa's daycare days (Mon, Wed, Fri) are never one run with Tuesday.
    first, *_ = groups
    assert [(s.first, s.last, s.starts_trip) for s in first.spans] == [(MONDAY, MONDAY, True)]


def test_nights_run_together_until_the_adult_changes_or_something_is_planned(demo, rachel):
    trip = away(demo, rachel, nights=5)
    judy = User.objects.get(email="judy@demo.homefront.invalid")
    Cover.objects.create(household=demo, night=MONDAY + timedelta(days=2), member=judy)
    PrepTask.objects.create(
        trip=trip,
        title="Open the card from Mum",
        category=Category.COMFORT,
        due_on=MONDAY,
        comfort_night=MONDAY + timedelta(days=4),
    )

    runs = build_brief(trip, show_sensitive=False).night_runs

    # David is in Chicago on Tuesday and Wednesday night; Judy takes Wednesday.
    assert [(r.first.day, r.last.day, r.night.adult_name, len(r.comfort)) for r in runs] == [
        (16, 16, "David Levin", 0),
        (17, 17, None, 0),
        (18, 18, "Judy Stern", 0),
        (19, 19, "David Levin", 0),
        (20, 20, "David Levin", 1),
    ]
