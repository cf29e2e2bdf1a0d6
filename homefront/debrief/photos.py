"""The trip in photos: every photo of the trip, day by day in the home's time zone, for
the debrief. The rows only; the pictures come through the photos' own guarded view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from itertools import groupby

from homefront.photos.models import Photo
from homefront.trips.models import Trip


@dataclass
class PhotoDay:
    day: date
    photos: list[Photo]


def trip_in_photos(trip: Trip) -> list[PhotoDay]:
    """One query, however many photos: the images are fetched by the browser, lazily."""
    zone = trip.household.zone
    photos = list(
        Photo.objects.shown()
        .filter(trip=trip)
        .only("pk", "caption", "taken_at", "thumbnail_width", "thumbnail_height", "trip_id")
        .order_by("taken_at", "pk")
    )
    return [
        PhotoDay(day, list(of_day))
        for day, of_day in groupby(photos, key=lambda photo: photo.taken_at.astimezone(zone).date())
    ]
