"""What the API says: the shape of each object it returns and of each body it reads,
as the OpenAPI schema shows them."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field
from ninja import Schema

from homefront.households.models import Child
from homefront.households.models import Routine
from homefront.journal import entries
from homefront.journal.models import JournalEntry
from homefront.prep.models import PrepTask
from homefront.trips.models import Cover
from homefront.trips.models import Trip

MAX_ID = 2**53  # ids past this exist nowhere; refusing them early keeps databases calm
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2200, 12, 31)


class ChildOut(Schema):
    id: int
    name: str
    birth_date: date
    age: str
    notes: str
    # Metric whatever the household's units: grams and millimetres, with the date measured.
    weight_grams: int | None
    height_mm: int | None
    measured_on: date | None
    has_photo: bool

    @staticmethod
    def resolve_age(obj: Child) -> str:
        return obj.age()

    @staticmethod
    def resolve_has_photo(obj: Child) -> bool:
        return obj.photo_updated_at is not None


class ChildIn(Schema):
    name: str
    birth_date: date
    notes: str = ""


class RoutineOut(Schema):
    id: int
    child_id: int
    kind: str
    label: str
    title: str
    time: str = Field(description="Wall-clock time at home, HH:MM.")
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday")
    every_n_days: int
    starts_on: date | None
    steps: list[str]
    notes: str

    @staticmethod
    def resolve_time(obj: Routine) -> str:
        return obj.time.strftime("%H:%M")

    @staticmethod
    def resolve_weekdays(obj: Routine) -> list[int]:
        return obj.day_list

    @staticmethod
    def resolve_steps(obj: Routine) -> list[str]:
        return obj.step_list


class FoodOut(Schema):
    id: int
    child_id: int
    name: str
    kind: str
    severity: str
    what_to_do: str


class MedicineOut(Schema):
    id: int
    child_id: int
    name: str
    dose: str
    times: list[str]
    as_needed: bool
    min_interval_hours: int | None
    notes: str


class ContactOut(Schema):
    id: int
    name: str
    relation: str
    phone: str
    other_phone: str
    email: str
    address: str
    roles: list[str]
    backup_order: int | None
    notes: str


class NightOut(Schema):
    night: date = Field(description="The date the evening falls on.")
    cover: str | None = Field(description="Who is in charge that night; none named: null.")


class TripOut(Schema):
    id: int
    traveller_id: int
    traveller: str
    starts_at: datetime
    ends_at: datetime
    destination: str
    destination_zone: str
    kind: str
    state: str
    notes: str
    cancelled_at: datetime | None
    nights: list[NightOut]

    @staticmethod
    def resolve_traveller(obj: Trip) -> str:
        return str(obj.traveller)

    @staticmethod
    def resolve_state(obj: Trip) -> str:
        return str(obj.state())

    @staticmethod
    def resolve_nights(obj: Trip, context: dict[str, Any]) -> list[dict[str, Any]]:
        covers = household_covers(context["request"])
        return [{"night": night, "cover": covers.get(night)} for night in obj.nights_list]


def household_covers(request: HttpRequest) -> dict[date, str]:
    """Each named cover of the household, read once per request however many trips."""
    cached: dict[date, str] | None = getattr(request, "_api_covers", None)
    if cached is None:
        cached = {
            cover.night: cover.adult_name
            for cover in Cover.objects.in_household(request.household).select_related(  # type: ignore[attr-defined]
                "member", "contact"
            )
        }
        request._api_covers = cached  # type: ignore[attr-defined]
    return cached


class TripIn(Schema):
    """Dates and times as typed on the trip form: wall-clock times at home."""

    start_date: date = Field(ge=FIRST_DAY, le=LAST_DAY)
    start_time: time
    end_date: date = Field(ge=FIRST_DAY, le=LAST_DAY)
    end_time: time
    traveller: int | None = Field(
        None, ge=1, le=MAX_ID, description="A parent's user id; the token's owner by default."
    )
    start_fold: int | None = Field(
        None, ge=0, le=1, description="For a time that happens twice: 0 the first, 1 the second."
    )
    end_fold: int | None = Field(None, ge=0, le=1)
    destination: str = ""
    destination_zone: str | None = Field(None, description="The home zone by default.")
    kind: str = "planned"
    notes: str = ""


class PrepTaskOut(Schema):
    id: int
    trip_id: int
    title: str
    category: str
    essential: bool
    due_on: date
    due_at: datetime | None
    who: str
    done: bool
    done_at: datetime | None
    needed: bool | None
    notes: str

    @staticmethod
    def resolve_done(obj: PrepTask) -> bool:
        return obj.done_at is not None


class PrepTaskPatch(Schema):
    done: bool


class EntryOut(Schema):
    id: int
    uuid: UUID
    trip_id: int
    kind: str
    summary: str
    children: list[int]
    occurred_at: datetime
    details: dict[str, str]
    text: str
    medicine_id: int | None
    comfort_task_id: int | None
    author: str
    version: int
    created_at: datetime

    @staticmethod
    def resolve_children(obj: JournalEntry) -> list[int]:
        return sorted(child.pk for child in obj.children.all())

    @staticmethod
    def resolve_author(obj: JournalEntry) -> str:
        return obj.author_name

    @staticmethod
    def resolve_details(obj: JournalEntry) -> dict[str, str]:
        return {str(key): str(value) for key, value in (obj.details or {}).items()}


class SyncIn(Schema):
    entries: list[dict[str, Any]] = Field(max_length=entries.MAX_BATCH)


class SyncResult(Schema):
    uuid: str
    status: str = Field(description="stored, duplicate, conflict or invalid")
    errors: dict[str, str] | None = None
    warning: str | None = None


class SyncOut(Schema):
    results: list[SyncResult]


class ShareLinkOut(Schema):
    id: int
    label: str
    contact_id: int | None
    days_before: int
    days_after: int
    valid_from: datetime
    valid_until: datetime
    status: str
    created_at: datetime
    revoked_at: datetime | None
