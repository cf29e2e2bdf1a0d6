"""Trips for tests: `make_trip` for any trip, and the `trip` fixture, the week in Denver
that most tests of the journal, the photos and the brief act on."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pytest

from homefront.testing.zones import ny
from homefront.trips.models import Cover, Trip

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


@pytest.fixture
def trip(family: Family) -> Trip:
    """Pat in Denver from Wednesday 11 November 2026 7:30 to Sunday 15 November 18:00
    (New York time); the caregiver covers the first night. A test module with a trip of
    its own defines its own `trip`."""
    trip = make_trip(
        family.household,
        family.parent,
        ny(2026, 11, 11, 7, 30),
        ny(2026, 11, 15, 18),
        destination="Denver",
        destination_zone="America/Denver",
    )
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 11), member=family.caregiver
    )
    return trip
