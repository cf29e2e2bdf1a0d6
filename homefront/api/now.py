"""GET /api/v1/now: the household at a glance, for a dashboard (Home Assistant's REST
sensors, docs/home-assistant.md): who is in charge tonight, the trip under way or next,
the next medicine due, the last entry logged. One call, a handful of queries."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

from django.utils import timezone
from ninja import Router
from ninja import Schema

from homefront.access import actor_of
from homefront.access import in_visible_trips
from homefront.access import visible_trips
from homefront.api.auth import ApiRequest
from homefront.api.errors import ERRORS
from homefront.households.models import Medicine
from homefront.journal.models import JournalEntry
from homefront.trips.cover import FamilyNights
from homefront.trips.models import Trip
from homefront.trips.models import TripQuerySet

now_router = Router(tags=["now"])


class TonightOut(Schema):
    night: date
    in_charge: str | None  # the adult named, or the parent at home; None: nobody
    away: list[str]  # the parents away that night
    uncovered: bool


class TripNowOut(Schema):
    id: int
    traveller: str
    destination: str
    state: str  # "away" while under way, else "upcoming"
    starts_at: datetime
    ends_at: datetime


class DoseOut(Schema):
    child: str
    medicine: str
    dose: str
    at: datetime


class EntryNowOut(Schema):
    kind: str
    summary: str
    children: list[str]
    occurred_at: datetime
    trip: int


class NowOut(Schema):
    tonight: TonightOut
    trip: TripNowOut | None
    next_medicine: DoseOut | None
    last_entry: EntryNowOut | None


def _tonight(request: ApiRequest, today: date) -> TonightOut:
    night = FamilyNights.load(request.household, today, today).night(today)
    if night is None:  # nobody away: the parents are home
        return TonightOut(night=today, in_charge=None, away=[], uncovered=False)
    return TonightOut(
        night=today,
        in_charge=night.adult_name,
        away=[str(person) for person in night.away],
        uncovered=night.uncovered,
    )


def _trip(request: ApiRequest, now: datetime) -> TripNowOut | None:
    trips: TripQuerySet = Trip.objects.in_household(request.household).active()
    trip = (
        visible_trips(actor_of(request), trips)
        .filter(ends_at__gt=now)
        .select_related("traveller", "household")
        .order_by("starts_at")
        .first()
    )
    if trip is None:
        return None
    return TripNowOut(
        id=trip.pk,
        traveller=str(trip.traveller),
        destination=trip.destination,
        state="away" if trip.starts_at <= now else "upcoming",
        starts_at=trip.starts_at,
        ends_at=trip.ends_at,
    )


def _next_dose(request: ApiRequest, now: datetime) -> DoseOut | None:
    zone = request.household.zone
    today = now.astimezone(zone).date()
    doses = [
        (datetime.combine(day, at, tzinfo=zone), medicine)
        for medicine in Medicine.objects.in_household(request.household)
        .filter(as_needed=False)
        .select_related("child")
        for day in (today, today + timedelta(days=1))
        for at in medicine.time_list
    ]
    upcoming = sorted(((at, m) for at, m in doses if at > now), key=lambda pair: pair[0])
    if not upcoming:
        return None
    at, medicine = upcoming[0]
    return DoseOut(child=medicine.child.name, medicine=medicine.name, dose=medicine.dose, at=at)


def _last_entry(request: ApiRequest) -> EntryNowOut | None:
    entry = (
        in_visible_trips(
            actor_of(request),
            JournalEntry.objects.alive().filter(trip__household=request.household),
        )
        .select_related("medicine", "comfort_task")
        .prefetch_related("children")
        .order_by("-occurred_at", "-pk")
        .first()
    )
    if entry is None:
        return None
    return EntryNowOut(
        kind=entry.kind,
        summary=entry.summary,
        children=[child.name for child in entry.children.all()],
        occurred_at=entry.occurred_at,
        trip=entry.trip_id,
    )


@now_router.get("/now", response={200: NowOut, **ERRORS}, url_name="now")
def household_now(request: ApiRequest) -> NowOut:
    now = timezone.now()
    return NowOut(
        tonight=_tonight(request, now.astimezone(request.household.zone).date()),
        trip=_trip(request, now),
        next_medicine=_next_dose(request, now),
        last_entry=_last_entry(request),
    )
