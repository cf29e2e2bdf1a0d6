"""A trip's prep for tests: `comfort`, an item of comfort planned for the children."""

from __future__ import annotations

from datetime import date
from typing import Any

from homefront.prep.models import Category
from homefront.prep.models import PrepTask
from homefront.trips.models import Trip


def comfort(trip: Trip, title: str, due_on: date, **fields: Any) -> PrepTask:
    """A comfort item on the trip's prep, ready by `due_on`: for one night
    (`comfort_night`), for when the children miss their parent (`comfort_when_missed`),
    or neither."""
    return PrepTask.objects.create(
        trip=trip, title=title, category=Category.COMFORT, due_on=due_on, **fields
    )
