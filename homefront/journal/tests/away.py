"""Where the journeys of a trip under way start: the demo's Levins with Rachel away now, and
the link she made Grandpa to log the girls' day. The journal's, the photos' and the push
journeys share it; it lives beside the tests, which may build on the demo household, not in
homefront/testing, which may not."""

from __future__ import annotations

from typing import Any
from typing import NamedTuple

from homefront.accounts.models import User
from homefront.demo.household import RACHEL
from homefront.demo.household import the_levins
from homefront.handoff.models import ShareLink
from homefront.households.models import Child
from homefront.testing.household import PASSWORD
from homefront.testing.household import away_now
from homefront.trips.models import Trip


def the_levins_away() -> tuple[Trip, User, list[Child]]:
    """Rachel, away now: left yesterday for Albuquerque, back in two days; Maya and Noa."""
    levins = the_levins(PASSWORD, people=(RACHEL,))
    return away_now(levins.household, levins.rachel), levins.rachel, levins.girls


class AwayWithALink(NamedTuple):
    trip: Trip
    rachel: User
    girls: list[Child]
    link: ShareLink
    quick_log: str  # the path of the link's quick log


def away_with_grandpas_link(label: str = "Grandpa", **link: Any) -> AwayWithALink:
    """The Levins with Rachel away now, and the link she made Grandpa for her trip, working
    from two days before it to a day after."""
    trip, rachel, girls = the_levins_away()
    share_link, token = ShareLink.issue(
        trip, trip.traveller, label=label, days_before=2, days_after=1, **link
    )
    return AwayWithALink(trip, rachel, girls, share_link, f"/s/{token}/log/")
