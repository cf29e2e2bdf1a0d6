"""One planning of a household: what is known at its moment, the drafts it makes and the
moments something next comes due. Each kind of message (`household.py`) reads from it
and hands its drafts to one fan-out, `tell`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from homefront.households.models import Household
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.notify.drafts import Draft
from homefront.notify.models import Channel
from homefront.trips.cover import FamilyNights
from homefront.trips.models import Trip

UNCOVERED_AHEAD = 14
READINESS_EVERY = 90
# However well the writes keep the schedule, a household is planned again within a day:
# a write by queryset update, or a process killed between a write and its schedule's
# bump, costs at most that delay. Spread over four hours by id, so that households
# planned together (after an upgrade) do not come due together ever after.
AT_LEAST_EVERY = timedelta(hours=24)
SPREAD_MINUTES = 240


@dataclass
class Planning:
    household: Household
    now: datetime
    channels: list[Channel]
    parents: set[int]
    # Each member's own channels (a contact's channels belong to no member).
    by_user: dict[int, list[Channel]]
    # The household's trips not over for a day yet.
    trips: list[Trip]
    family: FamilyNights
    drafts: list[tuple[Channel, Draft]] = field(default_factory=list)
    # Each moment something can next become due; the earliest is when to plan again.
    next_at: list[datetime] = field(default_factory=list)

    @classmethod
    def load(cls, household: Household, now: datetime, channels: list[Channel]) -> Planning:
        parents = {
            m.user_id for m in Membership.objects.filter(household=household, role=Role.PARENT)
        }
        by_user: dict[int, list[Channel]] = {}
        for channel in channels:
            if channel.user_id:
                by_user.setdefault(channel.user_id, []).append(channel)
        trips = list(
            Trip.objects.in_household(household)
            .active()
            .filter(ends_at__gt=now - timedelta(days=1))
            .select_related("traveller", "household")
        )
        today = now.astimezone(household.zone).date()
        # Loaded a readiness period further than the alerts look, to know when the next
        # uncovered night comes within their reach.
        family = FamilyNights.load(
            household, today, today + timedelta(days=UNCOVERED_AHEAD + READINESS_EVERY)
        )
        at_the_latest = now + AT_LEAST_EVERY + timedelta(minutes=household.pk % SPREAD_MINUTES)
        return cls(
            household, now, channels, parents, by_user, trips, family, next_at=[at_the_latest]
        )

    @property
    def home(self) -> ZoneInfo:
        return self.household.zone

    @property
    def today(self) -> date:
        return self.now.astimezone(self.home).date()

    @cached_property
    def parent_channels(self) -> list[Channel]:
        return [
            channel
            for user_id in self.parents & self.by_user.keys()
            for channel in self.by_user[user_id]
        ]

    def traveller_channels(self, trip: Trip) -> list[Channel]:
        return self.by_user.get(trip.traveller_id, [])

    def tell(self, channels: Iterable[Channel], draft: Draft) -> None:
        """The one fan-out: the draft to each of these channels, put into words for each
        person, at their hour, when it is stored."""
        self.drafts += [(channel, draft) for channel in channels]

    def again_at(self, moment: datetime) -> None:
        self.next_at.append(moment)
