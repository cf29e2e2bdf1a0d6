"""What the browser journeys add to the Levins they build with the demo loader's
`the_levins` (homefront/demo/household.py, which tests import themselves: the helpers
here stay clear of the demo app): the one password everyone signs in with, Rachel's
trips as the journeys have them, and Grandma Judy as the one backup caregiver."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from django.utils import timezone

from homefront.accounts.models import User
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Household
from homefront.testing.trips import make_trip
from homefront.trips.models import Trip
from homefront.trips.models import TripKind

PASSWORD = "correct horse battery staple"  # noqa: S105 (the test family's)
JUDYS_PHONE = "+1 619 555 0187"  # the demo's Judy Stern's


def away_between(
    household: Household, traveller: User, leaves: datetime, back: datetime, **fields: Any
) -> Trip:
    """Away from `leaves` to `back`, in Albuquerque (Denver time) unless `fields` say
    otherwise."""
    where = {"destination": "Albuquerque", "destination_zone": "America/Denver"}
    return make_trip(household, traveller, leaves, back, **{**where, **fields})


def away_now(household: Household, traveller: User) -> Trip:
    """Left yesterday, back in two days."""
    now = timezone.now()
    return away_between(household, traveller, now - timedelta(days=1), now + timedelta(days=2))


def three_nights_from(household: Household, traveller: User, day: date) -> Trip:
    """A planned trip: `day` at 9:00 to 18:00 three days later, home time."""
    zone = household.zone
    return away_between(
        household,
        traveller,
        datetime.combine(day, time(9, 0), tzinfo=zone),
        datetime.combine(day + timedelta(days=3), time(18, 0), tzinfo=zone),
        kind=TripKind.PLANNED,
    )


def grandma_judy(household: Household) -> Contact:
    """Rachel's mother, the demo's Judy Stern, as the girls call her: the one backup
    caregiver, so first in the phone tree."""
    judy = Contact(
        household=household,
        name="Grandma Judy",
        relation="Rachel's mother",
        phone=JUDYS_PHONE,
        roles=[ContactRole.BACKUP],
    )
    judy.save()
    return judy
