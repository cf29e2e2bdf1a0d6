"""What a new trip can take from what Homefront knows: the traveller's last trip (or a past
trip to repeat), and the destination's time zone from its name."""

from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from homefront.core.places import Place
from homefront.core.places import places_named
from homefront.households.models import Household
from homefront.trips.models import Trip


def last_trip(household: Household, traveller_id: int) -> Trip | None:
    return (
        Trip.objects.in_household(household)
        .active()
        .filter(traveller_id=traveller_id)
        .select_related("household")
        .order_by("-starts_at")
        .first()
    )


def repeated(trip: Trip, today: date) -> dict[str, Any]:
    """A new trip like `trip`: its destination, zone, kind, leaving and return times, the
    same number of days, on the next of the same weekday from tomorrow, or from the day
    after `trip` ends when it is still ahead (so the form never starts on top of it)."""
    start, end = trip.local_start, trip.local_end
    first = max(today, end.date()) + timedelta(days=1)
    leaves_on = first + timedelta(days=(start.weekday() - first.weekday()) % 7)
    return {
        "traveller": trip.traveller_id,
        "destination": trip.destination,
        "destination_zone": trip.destination_zone,
        "kind": trip.kind,
        "start_date": leaves_on,
        "start_time": start.time().replace(tzinfo=None),
        "end_date": leaves_on + (end.date() - start.date()),
        "end_time": end.time().replace(tzinfo=None),
    }


def zone_candidates(destination: str) -> list[Place]:
    """The places a destination may be, one per zone: none for a place not known."""
    seen: set[str] = set()
    unique = []
    for place in places_named(destination) if destination.strip() else []:
        if place.zone not in seen:
            seen.add(place.zone)
            unique.append(place)
    return unique
