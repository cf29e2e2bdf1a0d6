"""A trip's plan against what was logged, and what the trips add up to over time.

Everything is computed from a fixed number of queries that return plain values,
not model instances, so the pages cost the same number of queries with ten
journal entries or five thousand, and little time per entry.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from statistics import mean
from typing import Any

from django.core.cache import cache
from django.db.models import Count
from django.db.models import Max
from django.db.models import Min
from django.db.models import Q
from django.db.models import Sum
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Lower
from django.db.models.functions import Trim

from homefront.households.models import Child
from homefront.households.models import FoodKind
from homefront.households.models import Routine
from homefront.households.models import RoutineKind
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.prep.models import Category
from homefront.prep.models import PrepTask
from homefront.trips.models import Goal
from homefront.trips.models import Trip

EVENING_FROM = time(16, 0)
SUMMARY_SECONDS = 24 * 3600


@dataclass(frozen=True, slots=True)
class Logged:
    kind: str
    local_time: time
    food: str | None


@dataclass
class ChildDay:
    day: date
    bath_planned: bool = False
    baths: int = 0
    usual_bedtime: time | None = None
    asleep_at: time | None = None
    meals: int = 0
    naps: int = 0
    new_foods: list[str] = field(default_factory=list)
    doses_due: int = 0
    doses_given: int = 0
    missed_parent: int = 0
    incidents: int = 0

    @property
    def bedtime_shift(self) -> int | None:
        """Minutes later (+) or earlier (−) than usual."""
        if self.usual_bedtime is None or self.asleep_at is None:
            return None
        usual = datetime.combine(self.day, self.usual_bedtime)
        logged = datetime.combine(self.day, self.asleep_at)
        if self.asleep_at < time(12, 0):  # fell asleep after midnight
            logged += timedelta(days=1)
        return round((logged - usual).total_seconds() / 60)

    def expect(self, routine: Routine) -> None:
        """What the day's routines promise: a bath, a usual bedtime."""
        if routine.kind == RoutineKind.BATH:
            self.bath_planned = True
        elif routine.kind == RoutineKind.BEDTIME:
            self.usual_bedtime = routine.time

    def count(self, entry: Logged) -> None:
        match entry.kind:
            case Kind.BATH:
                self.baths += 1
            case Kind.ASLEEP:
                self._fell_asleep(entry.local_time)
            case Kind.MEAL:
                self.meals += 1
            case Kind.NAP:
                self.naps += 1
            case Kind.NEW_FOOD:
                self.new_foods.append(entry.food or "something new")
            case Kind.MEDICINE:
                self.doses_given += 1
            case Kind.MISSED_PARENT:
                self.missed_parent += 1
            case Kind.INCIDENT:
                self.incidents += 1

    def _fell_asleep(self, local: time) -> None:
        # The first "asleep" of the evening (or of the night after it) is its bedtime.
        if self.asleep_at is None and (local >= EVENING_FROM or local < time(5, 0)):
            self.asleep_at = local


def _summed(count: str) -> Any:
    """A child's `count` over all the days of the trip."""
    return property(lambda debrief: sum(getattr(day, count) for day in debrief.days))


@dataclass
class ChildDebrief:
    child: Child
    days: list[ChildDay]

    baths_planned = _summed("bath_planned")
    baths_given = _summed("baths")

    @property
    def average_bedtime_shift(self) -> int | None:
        shifts = [d.bedtime_shift for d in self.days if d.bedtime_shift is not None]
        return round(mean(shifts)) if shifts else None

    @property
    def new_foods(self) -> list[str]:
        return sorted({food for d in self.days for food in d.new_foods})

    doses_due = _summed("doses_due")
    doses_given = _summed("doses_given")
    missed_parent = _summed("missed_parent")
    incidents = _summed("incidents")
    meals = _summed("meals")


@dataclass
class ComfortItem:
    task: PrepTask
    used: int


@dataclass
class Debrief:
    trip: Trip
    children: list[ChildDebrief]
    comfort: list[ComfortItem]
    tasks: list[PrepTask]
    entry_count: int
    finished: bool


def debrief(trip: Trip, now: datetime) -> Debrief:
    children = list(
        Child.objects.filter(household_id=trip.household_id)
        .select_related("household")
        .prefetch_related("routines", "medicines")
    )
    finished = now >= trip.ends_at
    key = _summary_key(trip, children, None if finished else now)
    days_by_child: dict[int, list[ChildDay]] | None = cache.get(key)
    if days_by_child is None:
        days_by_child = _days_by_child(trip, children, now)
        cache.set(key, days_by_child, SUMMARY_SECONDS)
    results = [ChildDebrief(child, days_by_child[child.pk]) for child in children]
    tasks = list(
        PrepTask.objects.filter(trip=trip).select_related("trip__traveller", "trip__household")
    )
    alive = JournalEntry.objects.alive().filter(trip=trip)
    uses = dict(
        alive.filter(kind=Kind.COMFORT_USED, comfort_task__isnull=False)
        .values("comfort_task_id")
        .annotate(used=Count("pk"))
        .values_list("comfort_task_id", "used")
    )
    comfort = [
        ComfortItem(task, uses.get(task.pk, 0))
        for task in tasks
        if task.comfort_night
        or task.comfort_when_missed
        or (task.category == Category.COMFORT and not task.essential)
    ]
    return Debrief(
        trip=trip,
        children=results,
        comfort=comfort,
        tasks=tasks,
        entry_count=alive.count(),
        finished=finished,
    )


def _summary_key(trip: Trip, children: list[Child], now: datetime | None) -> str:
    """What the day-by-day summary depends on: the journal (every write adds an entry,
    bumps a version or stamps `updated_at`), the children's routines and medicines,
    and, while the trip lasts, the present minute. A key made of all of them is
    never stale, so no write has to remember to invalidate it."""
    journal = JournalEntry.objects.filter(trip=trip).aggregate(
        entries=Count("pk"), versions=Sum("version"), changed=Max("updated_at")
    )
    facts = (
        trip.pk,
        trip.starts_at,
        trip.ends_at,
        trip.household.time_zone,
        journal,
        now and now.replace(second=0, microsecond=0),
        [
            (
                child.pk,
                [
                    (r.kind, r.time, r.weekdays, r.every_n_days, r.starts_on)
                    for r in child.routines.all()
                ],
                [(m.pk, m.time_list) for m in child.medicines.all()],
            )
            for child in children
        ],
    )
    return "debrief:" + hashlib.sha256(repr(facts).encode()).hexdigest()


def _days_by_child(trip: Trip, children: list[Child], now: datetime) -> dict[int, list[ChildDay]]:
    zone = trip.household.zone
    logged = _logged_by_child_and_day(trip)
    first, last = trip.local_start.date(), min(trip.local_end.date(), now.astimezone(zone).date())
    days = [first + timedelta(days=n) for n in range(max((last - first).days + 1, 0))]
    return {
        child.pk: [
            _child_day(trip, child, day, logged.get((child.pk, day), []), now) for day in days
        ]
        for child in children
    }


def _logged_by_child_and_day(trip: Trip) -> dict[tuple[int, date], list[Logged]]:
    zone = trip.household.zone
    # One row per entry and child, as plain values: building thousands of model
    # instances (and their JSON) cost a long trip's debrief seconds.
    logged = (
        JournalEntry.children.through.objects.filter(
            journalentry__trip=trip, journalentry__deleted_at__isnull=True
        )
        # In the order they happened: the first "asleep" of an evening is its bedtime.
        .order_by("journalentry__occurred_at", "journalentry_id")
        .values_list(
            "child_id",
            "journalentry__kind",
            "journalentry__occurred_at",
            KeyTextTransform("food", "journalentry__details"),
        )
    )
    by_child_day: dict[tuple[int, date], list[Logged]] = defaultdict(list)
    for child_id, kind, occurred_at, food in logged:
        local = occurred_at.astimezone(zone)
        day = local.date()
        if local.time() < time(5, 0):
            day -= timedelta(days=1)  # a night waking belongs to the evening before
        by_child_day[(child_id, day)].append(Logged(kind, local.time(), food))
    return by_child_day


def _child_day(
    trip: Trip, child: Child, day: date, logged: list[Logged], now: datetime
) -> ChildDay:
    summary = ChildDay(day=day)
    for routine in child.routines.all():
        if routine.occurs_on(day):
            summary.expect(routine)
    zone = trip.household.zone
    for medicine in child.medicines.all():
        for at in medicine.time_list:
            due = datetime.combine(day, at, tzinfo=zone)
            if trip.starts_at <= due < min(trip.ends_at, now):
                summary.doses_due += 1
    for entry in logged:
        summary.count(entry)
    return summary


@dataclass(frozen=True)
class NewFood:
    child: Child
    food: str
    tried_on: date
    trip: Trip
    already_liked: bool


def _first_tries(household_trips: list[Trip]) -> list[tuple[int, str, datetime, int]]:
    """(child, food, when, trip) of the first try of each food by each child, oldest
    first; cached under the state of the household's new-food entries."""
    entries = JournalEntry.objects.filter(
        household_id__in={trip.household_id for trip in household_trips},
        trip__in=household_trips,
        kind=Kind.NEW_FOOD,
    )
    state = entries.aggregate(
        entries=Count("pk"), versions=Sum("version"), changed=Max("updated_at")
    )
    key = (
        "first-tries:"
        + hashlib.sha256(
            repr((sorted(trip.pk for trip in household_trips), state)).encode()
        ).hexdigest()
    )
    found: list[tuple[int, str, datetime, int]] | None = cache.get(key)
    if found is not None:
        return found
    through = JournalEntry.children.through.objects.filter(
        journalentry__in=entries.filter(deleted_at__isnull=True)
    )
    food_text = Trim(KeyTextTransform("food", "journalentry__details"))
    # The first time of each child and food, grouped by the database: a family
    # that logs the same few foods for years sends back a handful of rows.
    firsts = through.values("child_id", folded=Lower(food_text)).annotate(
        first_at=Min("journalentry__occurred_at")
    )
    moments = Q()
    for first in firsts:
        moments |= Q(child_id=first["child_id"], journalentry__occurred_at=first["first_at"])
    found = (
        list(
            through.filter(moments)
            # Children of one entry in the family's own order, eldest first.
            .order_by(
                "journalentry__occurred_at", "journalentry_id", "child__birth_date", "child__name"
            )
            .values_list(
                "child_id", food_text, "journalentry__occurred_at", "journalentry__trip_id"
            )
        )
        if moments
        else []
    )
    cache.set(key, found, SUMMARY_SECONDS)
    return found


def new_foods_tried(household_trips: list[Trip], children: list[Child]) -> list[NewFood]:
    """New foods logged while a parent was away, first time per child and food."""
    by_id = {child.pk: child for child in children}
    liked = {
        (child.pk, food.name.casefold())
        for child in children
        for food in child.foods.all()
        if food.kind == FoodKind.LIKE
    }
    seen: set[tuple[int, str]] = set()
    result = []
    trips = {trip.pk: trip for trip in household_trips}
    tried = _first_tries(household_trips)
    for child_id, food_value, occurred_at, trip_id in tried:
        food = str(food_value or "").strip()
        if not food:
            continue
        key = (child_id, food.casefold())
        if key in seen or child_id not in by_id:
            continue
        seen.add(key)
        trip = trips[trip_id]
        result.append(
            NewFood(
                child=by_id[child_id],
                food=food,
                tried_on=occurred_at.astimezone(trip.household.zone).date(),
                trip=trip,
                already_liked=key in liked,
            )
        )
    return result


def suggest_next_step(
    own_trips: list[Trip], all_trips: list[Trip], goals: list[Goal], today: date
) -> tuple[int, date] | None:
    """One night longer than the traveller's longest trip so far, on the first stretch
    at least two weeks away with no trip or goal of anyone; None before any trip."""
    if not own_trips:
        return None
    nights = max(trip.nights for trip in own_trips) + 1
    taken = {night for trip in all_trips if not trip.cancelled_at for night in trip.nights_list}
    taken |= {goal.first_night + timedelta(days=n) for goal in goals for n in range(goal.nights)}
    start = today + timedelta(days=14)
    for offset in range(0, 180):
        first = start + timedelta(days=offset)
        wanted = {first + timedelta(days=n) for n in range(nights)}
        # A day either side too, so the family has a breather between trips.
        buffer = {first - timedelta(days=1), first + timedelta(days=nights)}
        if not (wanted | buffer) & taken:
            return nights, first
    return None
