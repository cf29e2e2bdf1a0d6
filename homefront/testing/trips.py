"""Trips for tests: `make_trip` for any trip, `trip_to` for one of Pat's, `outsiders_trip`
for one of the other household's, `api_trip` for the body that asks the API for one, and
the `trip` fixture, the week in Denver that most tests of the journal, the photos and the
brief act on."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

import pytest

from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip

if TYPE_CHECKING:
    from homefront.accounts.models import User
    from homefront.conftest import Family
    from homefront.households.models import Household


def make_trip(
    household: Household,
    traveller: User,
    start: datetime,
    end: datetime,
    *,
    destination_zone: str = "America/New_York",
    **fields: Any,
) -> Trip:
    """A trip, saved as the app saves one: an upcoming trip gets its prep planned from
    the household's checklist."""
    return Trip.objects.create(
        household=household,
        traveller=traveller,
        starts_at=start,
        ends_at=end,
        destination_zone=destination_zone,
        **fields,
    )


def trip_to(
    family: Family, destination: str, zone: str, start: datetime, end: datetime, **fields: Any
) -> Trip:
    """Pat, the test household's parent, away to `destination` in the time zone `zone`
    ("" for a trip that names no place)."""
    return make_trip(
        family.household,
        family.parent,
        start,
        end,
        destination=destination,
        destination_zone=zone,
        **fields,
    )


def outsiders_trip(
    family: Family, zone: str, start: datetime, end: datetime, **fields: Any
) -> Trip:
    """A trip of the outsider's, of the other household, in the time zone `zone`."""
    return make_trip(
        family.other_household, family.outsider, start, end, destination_zone=zone, **fields
    )


@pytest.fixture
def trip(family: Family) -> Trip:
    """Pat in Denver from Wednesday 11 November 2026 7:30 to Sunday 15 November 18:00
    (New York time); the caregiver covers the first night. A test module with a trip of
    its own defines its own `trip`."""
    trip = trip_to(
        family, "Denver", "America/Denver", ny(2026, 11, 11, 7, 30), ny(2026, 11, 15, 18)
    )
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 11), member=family.caregiver
    )
    return trip


def trip_to_kyoto(family: Family) -> Trip:
    """Pat in Kyoto from three days ahead at 9:00 to six days ahead at 18:00 (home time),
    the caregiver covering the first night: a trip still to come, whatever the date."""
    today = family.household.today()
    zone = family.household.zone
    leaves = datetime.combine(today + timedelta(days=3), time(9, 0), tzinfo=zone)
    back = datetime.combine(today + timedelta(days=6), time(18, 0), tzinfo=zone)
    trip = trip_to(family, "Kyoto", "Asia/Tokyo", leaves, back)
    Cover.objects.create(
        household=family.household, night=trip.nights_list[0], member=family.caregiver
    )
    return trip


def api_trip(
    family: Family, days_ahead: int, nights: int, destination: str, **fields: str
) -> dict[str, str]:
    """The JSON body asking the API for a trip `days_ahead` days from the household's
    today at 9:00, home `nights` days later at 18:00."""
    start = family.household.today() + timedelta(days=days_ahead)
    return {
        "start_date": start.isoformat(),
        "start_time": "09:00",
        "end_date": (start + timedelta(days=nights)).isoformat(),
        "end_time": "18:00",
        "destination": destination,
        **fields,
    }
