"""Who is in charge of the children on each night a parent is away.

A night needs cover when at least one parent is away. A parent at home covers
by default; otherwise the adult named for that night does; otherwise the
night is uncovered, and Homefront says so until someone is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from homefront.accounts.models import User
from homefront.households.models import Household
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.trips.models import Cover
from homefront.trips.models import Trip


@dataclass
class Night:
    night: date
    trips: list[Trip] = field(default_factory=list)
    cover: Cover | None = None
    parent_at_home: User | None = None

    @property
    def away(self) -> list[User]:
        return [trip.traveller for trip in self.trips]

    @property
    def adult_name(self) -> str | None:
        if self.cover is not None:
            return self.cover.adult_name
        if self.parent_at_home is not None:
            return str(self.parent_at_home)
        return None

    @property
    def uncovered(self) -> bool:
        return self.adult_name is None

    @property
    def named(self) -> bool:
        return self.cover is not None

    @property
    def cover_value(self) -> str:
        """The cover as the choice value of the cover form."""
        if self.cover is None:
            return ""
        if self.cover.member_id:
            return f"member:{self.cover.member_id}"
        return f"contact:{self.cover.contact_id}"


@dataclass
class FamilyNights:
    """Trips and covers of a stretch of days, loaded in three queries."""

    household: Household
    trips: list[Trip]
    covers: dict[date, Cover]
    parents: list[User]

    @classmethod
    def load(cls, household: Household, first: date, last: date) -> FamilyNights:
        zone = household.zone
        window_start = datetime.combine(first - timedelta(days=1), time(0), tzinfo=zone)
        window_end = datetime.combine(last + timedelta(days=2), time(0), tzinfo=zone)
        trips = list(
            Trip.objects.in_household(household)
            .active()
            .overlapping(window_start, window_end)
            .select_related("traveller", "household")
        )
        covers = {
            cover.night: cover
            for cover in Cover.objects.in_household(household)
            .filter(night__gte=first, night__lte=last)
            .select_related("member", "contact")
        }
        parents = [
            membership.user
            for membership in Membership.objects.in_household(household)
            .filter(role=Role.PARENT)
            .select_related("user")
            .order_by("joined_at")
        ]
        return cls(household=household, trips=trips, covers=covers, parents=parents)

    def night(self, night: date) -> Night | None:
        """The night's plan, or None when no parent is away."""
        away_trips = [trip for trip in self.trips if trip.is_away_on_night(night)]
        if not away_trips:
            return None
        away_ids = {trip.traveller_id for trip in away_trips}
        at_home = next((p for p in self.parents if p.pk not in away_ids), None)
        return Night(
            night=night,
            trips=away_trips,
            cover=self.covers.get(night),
            parent_at_home=at_home,
        )

    def nights_between(self, first: date, last: date) -> list[Night]:
        nights = []
        day = first
        while day <= last:
            plan = self.night(day)
            if plan is not None:
                nights.append(plan)
            day += timedelta(days=1)
        return nights

    def uncovered_between(self, first: date, last: date) -> list[Night]:
        return [night for night in self.nights_between(first, last) if night.uncovered]


def trip_nights(trip: Trip) -> list[Night]:
    nights = trip.nights_list
    if not nights:
        return []
    family = FamilyNights.load(trip.household, nights[0], nights[-1])
    plans = [family.night(night) for night in nights]
    return [plan for plan in plans if plan is not None]
