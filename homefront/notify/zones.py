"""Where a person is when a message reaches them, for their quiet hours and their
morning: the destination of a trip they are away on, else their own zone, else home.
So a 7:30 reminder reaches a parent in Denver at 7:30 in Denver, not 5:30."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import translation

from homefront.accounts.models import User
from homefront.households.models import Household
from homefront.trips.models import Trip


def away_on(user_id: int, moment: datetime, trips: Iterable[Trip]) -> Trip | None:
    for trip in trips:
        if trip.traveller_id == user_id and trip.starts_at <= moment < trip.ends_at:
            return trip
    return None


def zone_at(
    user: User | None, household: Household, moment: datetime, trips: Iterable[Trip] | None = None
) -> ZoneInfo:
    """The zone `user` is in at `moment`; `trips`, when given, are the household's trips
    that may hold it (else they are looked up: one query)."""
    if user is None:
        return household.zone
    if trips is None:
        trips = (
            Trip.objects.in_household(household)
            .active()
            .filter(traveller=user, starts_at__lte=moment, ends_at__gt=moment)
        )
    trip = away_on(user.pk, moment, trips)
    if trip is not None:
        return trip.away_zone
    return ZoneInfo(user.time_zone) if user.time_zone else household.zone


def language_of(user: User | None) -> str:
    """The person's language (the i18n work adds it to accounts), else the site's."""
    chosen = getattr(user, "language", "") if user is not None else ""
    return chosen or settings.LANGUAGE_CODE


def speaking(user: User | None) -> translation.override:
    return translation.override(language_of(user))
