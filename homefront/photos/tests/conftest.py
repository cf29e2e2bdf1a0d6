"""What the photos tests share: time frozen on the second evening of a trip to Denver."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine

from homefront.trips.models import Cover, Trip

NOW = datetime(2026, 11, 13, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def trip(family) -> Trip:
    trip = Trip.objects.create(
        household=family.household,
        traveller=family.parent,
        starts_at=datetime(2026, 11, 11, 12, 30, tzinfo=UTC),
        ends_at=datetime(2026, 11, 15, 23, 0, tzinfo=UTC),
        destination="Denver",
        destination_zone="America/Denver",
    )
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 11), member=family.caregiver
    )
    return trip
