"""The debrief's "the trip in photos": each day of the trip with its photos, in the home's
time zone, shown through the photos' guarded view, with a query count that does not grow
with the photos."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homefront.debrief.photos import trip_in_photos
from homefront.debrief.tests.test_debrief import NOW  # noqa: F401 (frozen_time's)
from homefront.households.models import Child
from homefront.journal.models import JournalEntry
from homefront.photos.testing import store_photo_for
from homefront.trips.models import Trip

pytestmark = pytest.mark.usefixtures("frozen_time")


def photo_days(html: str) -> dict[str, list[str]]:
    """Day heading -> the photo URLs under it, in the section "The trip in photos"."""
    match = re.search(r'<section class="trip-photos".*?</section>', html, re.DOTALL)
    if not match:
        return {}
    days = re.split(r'<h3 class="timeline-day">', match[0])[1:]
    return {day.split("</h3>")[0]: re.findall(r'<img src="([^"]+)"', day) for day in days}


def photograph(trip: Trip, entries: list[JournalEntry]) -> list:
    maya = Child.objects.get(household=trip.household, name="Maya")
    return [store_photo_for(entry, maya) for entry in entries]


def test_each_day_shows_its_photos_in_order(story):
    household, trip, rachel = story
    entries = list(JournalEntry.objects.filter(trip=trip).order_by("occurred_at"))
    first_day = entries[0].occurred_at.astimezone(household.zone).date()
    on_first = [e for e in entries if e.occurred_at.astimezone(household.zone).date() == first_day]
    later = [e for e in entries if e.occurred_at.astimezone(household.zone).date() > first_day]
    photos = photograph(trip, [*on_first[:2], later[-1]])
    client_ = rachel_client(rachel)

    html = client_.get(reverse("debrief:trip", args=[trip.pk])).content.decode()

    days = photo_days(html)
    assert list(days.values()) == [
        [f"/photos/{photos[0].pk}/?size=thumbnail", f"/photos/{photos[1].pk}/?size=thumbnail"],
        [f"/photos/{photos[2].pk}/?size=thumbnail"],
    ]
    assert next(iter(days)) == f"{first_day:%A} {first_day.day} {first_day:%B}"
    assert "The trip in photos" in html
    # The images open through the photos' own view, which asks the access policy.
    assert client_.get(f"/photos/{photos[0].pk}/?size=thumbnail").status_code == 200


def test_a_photo_of_a_deleted_entry_is_left_out(story):
    _household, trip, rachel = story
    entries = list(JournalEntry.objects.filter(trip=trip).order_by("occurred_at")[:2])
    kept, gone = photograph(trip, entries)
    JournalEntry.objects.filter(pk=gone.entry_id).update(deleted_at=timezone.now())

    html = rachel_client(rachel).get(reverse("debrief:trip", args=[trip.pk])).content.decode()

    urls = [url for day in photo_days(html).values() for url in day]
    assert urls == [f"/photos/{kept.pk}/?size=thumbnail"]


def test_without_photos_there_is_no_section(story):
    _household, trip, rachel = story
    html = rachel_client(rachel).get(reverse("debrief:trip", args=[trip.pk])).content.decode()
    assert "The trip in photos" not in html


def test_the_queries_do_not_grow_with_the_photos(story, django_assert_num_queries):
    _household, trip, _rachel = story
    entries = list(JournalEntry.objects.filter(trip=trip).order_by("occurred_at"))
    trip = Trip.objects.select_related("household").get(pk=trip.pk)

    for entries_with_photos in (entries[:1], entries[1:9]):
        photograph(trip, entries_with_photos)
        with django_assert_num_queries(1):
            days = trip_in_photos(trip)
            assert sum(len(day.photos) for day in days) in (1, 9)
            assert all(photo.caption for day in days for photo in day.photos)


def rachel_client(rachel):
    client = Client()
    client.force_login(rachel)
    return client
