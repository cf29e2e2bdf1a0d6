"""The time zones the tests' households live in and travel to, and moments in them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

NY = ZoneInfo("America/New_York")  # the test household's (conftest's `family`)
DENVER = ZoneInfo("America/Denver")


def ny(year: int, month: int, day: int, hour: int, minute: int = 0, *, fold: int = 0) -> datetime:
    """A wall-clock time at home in New York; `fold=1` is the second 1:30 of the night
    the clocks go back."""
    return datetime(year, month, day, hour, minute, fold=fold, tzinfo=NY)


def denver(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A wall-clock time where the trip goes."""
    return datetime(year, month, day, hour, minute, tzinfo=DENVER)


# What a form says of a time zone that does not exist, Mars/Olympus.
NOT_A_ZONE = "“Mars/Olympus” is not a time zone we know."
