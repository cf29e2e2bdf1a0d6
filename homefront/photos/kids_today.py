""" "Today with the kids": what the parent who is away sees first on Home during a trip.

The latest photos and entries of their trip, and the next good time to call, all in the
time zone where they are. A fixed number of queries, however many photos the trip has.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from homefront.households.models import Child
from homefront.journal.models import JournalEntry
from homefront.photos.models import Photo
from homefront.trips.calls import call_days
from homefront.trips.models import Trip

PHOTOS_SHOWN = 6
ENTRIES_SHOWN = 5


@dataclass
class KidsToday:
    trip: Trip
    zone: str
    photos: list[Photo] = field(default_factory=list)
    entries: list[JournalEntry] = field(default_factory=list)
    next_call: tuple[datetime, datetime] | None = None


def kids_today(user: Any, trips_away: list[Trip], now: datetime) -> KidsToday | None:
    """For a parent away on one of `trips_away` now: their trip's latest; else None."""
    trip = next((t for t in trips_away if t.traveller_id == getattr(user, "pk", None)), None)
    if trip is None:
        return None
    photos = list(
        Photo.objects.shown()
        .filter(trip=trip)
        .select_related("entry")
        .order_by("-taken_at", "-pk")[:PHOTOS_SHOWN]
    )
    entries = list(
        JournalEntry.objects.alive()
        .filter(trip=trip)
        .select_related("author", "share_link", "medicine", "comfort_task")
        .prefetch_related("children", "photos")
        .order_by("-occurred_at", "-pk")[:ENTRIES_SHOWN]
    )
    return KidsToday(
        trip=trip,
        zone=trip.destination_zone or trip.household.time_zone,
        photos=photos,
        entries=entries,
        next_call=next_good_time_to_call(trip, now),
    )


def next_good_time_to_call(trip: Trip, now: datetime) -> tuple[datetime, datetime] | None:
    """The next window when every child is awake, home and not napping (trips/calls.py),
    in the traveller's zone; None when no routine says so."""
    if not trip.destination_zone:
        return None
    children = list(
        Child.objects.filter(household_id=trip.household_id).prefetch_related("routines")
    )
    for day in call_days(trip, children):
        for start, end in day.windows:
            if end > now:
                return (max(start, now.astimezone(start.tzinfo)), end)
    return None
