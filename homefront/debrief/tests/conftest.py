"""What the debrief's tests share: the demo household two weeks after its story's trip."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from io import StringIO

import pytest

from homefront.accounts.models import User
from homefront.demo.household import load_demo
from homefront.households.models import Household
from homefront.trips.models import Trip

# Tuesday 24 November 2026, 10:00 in New York: the demo's story trip was "two weeks ago".
DEMO_NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


@pytest.fixture
def story(db, frozen_time) -> tuple[Household, Trip, User]:
    """The demo household at DEMO_NOW, its story's trip to Albuquerque, and Rachel, who
    went."""
    frozen_time.move_to(DEMO_NOW)
    household = load_demo(StringIO())
    trip = Trip.objects.in_household(household).get(destination="Albuquerque, New Mexico")
    rachel = User.objects.get(email="rachel@demo.homefront.invalid")
    return household, trip, rachel
