"""Trip pages run a fixed number of queries, however many trips and covers there are."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from django.urls import reverse

from homefront.accounts.models import User
from homefront.testing.pages import query_counts
from homefront.testing.zones import NY
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# Tuesday 10 November 2026, 9:00 at home: the first trip is under way.
NOW = datetime(2026, 11, 10, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
FIRST_NIGHT = date(2026, 11, 9)
SLOTS = range(-20, 30)  # 50 trips, the first trip is slot 0


def add_trip(family, second: User, slot: int) -> Trip:
    """Slot s: three nights from day 3s; the second parent's trips (odd slots) leave a day
    earlier, so their first night is also the last night of the trip before: both away."""
    traveller = second if slot % 2 else family.parent
    first = FIRST_NIGHT + timedelta(days=3 * slot - (1 if slot % 2 else 0))
    last_morning = FIRST_NIGHT + timedelta(days=3 * slot + 3)
    trip = Trip(
        household=family.household,
        traveller=traveller,
        starts_at=datetime.combine(first, time(8), tzinfo=NY),
        ends_at=datetime.combine(last_morning, time(20), tzinfo=NY),
        destination=f"Place {slot}",
        destination_zone="Europe/London" if slot % 3 else "America/Denver",
    )
    trip.full_clean()  # the same traveller is never away twice at once
    trip.save()
    if slot % 2 and slot % 4 == 3:
        # Half of the nights both parents are away get somebody named.
        night = first
        if slot % 8 == 3:
            Cover.objects.create(household=family.household, night=night, contact=family.contact)
        else:
            Cover.objects.create(household=family.household, night=night, member=family.caregiver)
    return trip


def pages(trip: Trip) -> list[str]:
    return [
        "/",
        reverse("trips:calendar"),
        reverse("trips:calendar_month", args=[2026, 11]),
        reverse("trips:calendar_month", args=[2026, 12]),
        reverse("trips:list"),
        reverse("trips:history"),
        reverse("trips:detail", args=[trip.pk]),
    ]


@pytest.mark.parametrize("role", ["parent", "caregiver"])
def test_trip_pages_query_count_does_not_grow_with_trips(family, second, role):
    client = family.client_for(getattr(family, role))
    first = add_trip(family, second, 0)
    assert first.nights_list == [FIRST_NIGHT + timedelta(days=n) for n in range(3)]
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 10), contact=family.contact
    )
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 11), member=family.caregiver
    )
    # A past trip, so that the history has one in both cases.
    Trip.objects.create(
        household=family.household,
        traveller=second,
        starts_at=datetime(2026, 9, 1, 12, tzinfo=UTC),
        ends_at=datetime(2026, 9, 3, 12, tzinfo=UTC),
        destination_zone="America/New_York",
    )
    urls = pages(first)
    with_one = query_counts(client, urls)
    calendar_before = client.get(reverse("trips:calendar")).content.decode()

    for slot in SLOTS:
        if slot:
            add_trip(family, second, slot)
    assert Trip.objects.count() == 51
    assert Cover.objects.count() > 5
    with_fifty = query_counts(client, urls)

    assert with_fifty == with_one
    # The pages did show the extra trips and the nights nobody is named for.
    calendar = client.get(reverse("trips:calendar")).content.decode()
    assert calendar.count("away · Place") > calendar_before.count("away · Place") + 10
    assert "Night: nobody in charge" in calendar
    assert "Night: Grandma" in calendar
    assert "Night: Cam Carer" in calendar
    assert client.get("/").context["uncovered"]
    assert len(client.get(reverse("trips:list")).context["rows"]) > 20
    assert len(client.get(reverse("trips:history")).context["trips"]) > 10
