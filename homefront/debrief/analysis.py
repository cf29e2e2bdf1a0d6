"""A trip's plan against what was logged, and what the trips add up to over time.

Everything is computed in Python from a fixed number of queries, so the pages
cost the same with ten journal entries or five thousand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import mean

from homefront.households.models import Child, FoodKind, RoutineKind
from homefront.journal.models import JournalEntry, Kind
from homefront.prep.models import Category, PrepTask
from homefront.trips.models import Goal, Trip

EVENING_FROM = time(16, 0)


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


@dataclass
class ChildDebrief:
    child: Child
    days: list[ChildDay]

    @property
    def baths_planned(self) -> int:
        return sum(d.bath_planned for d in self.days)

    @property
    def baths_given(self) -> int:
        return sum(d.baths for d in self.days)

    @property
    def average_bedtime_shift(self) -> int | None:
        shifts = [d.bedtime_shift for d in self.days if d.bedtime_shift is not None]
        return round(mean(shifts)) if shifts else None

    @property
    def new_foods(self) -> list[str]:
        return sorted({food for d in self.days for food in d.new_foods})

    @property
    def doses_due(self) -> int:
        return sum(d.doses_due for d in self.days)

    @property
    def doses_given(self) -> int:
        return sum(d.doses_given for d in self.days)

    @property
    def missed_parent(self) -> int:
        return sum(d.missed_parent for d in self.days)

    @property
    def incidents(self) -> int:
        return sum(d.incidents for d in self.days)

    @property
    def meals(self) -> int:
        return sum(d.meals for d in self.days)


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
    zone = trip.household.zone
    children = list(
        Child.objects.filter(household_id=trip.household_id)
        .select_related("household")
        .prefetch_related("routines", "medicines")
    )
    entries = list(
        JournalEntry.objects.alive()
        .filter(trip=trip)
        .only("kind", "occurred_at", "details", "comfort_task_id")
        .prefetch_related("children")
        .order_by("occurred_at")
    )
    first, last = trip.local_start.date(), min(trip.local_end.date(), now.astimezone(zone).date())
    days = [first + timedelta(days=n) for n in range(max((last - first).days + 1, 0))]
    by_child_day: dict[tuple[int, date], list[JournalEntry]] = defaultdict(list)
    for entry in entries:
        day = entry.occurred_at.astimezone(zone).date()
        if entry.occurred_at.astimezone(zone).time() < time(5, 0):
            day -= timedelta(days=1)  # a night waking belongs to the evening before
        for child in entry.children.all():
            by_child_day[(child.pk, day)].append(entry)
    results = []
    for child in children:
        routines = list(child.routines.all())
        child_days = []
        for day in days:
            summary = ChildDay(day=day)
            for routine in routines:
                if not routine.occurs_on(day):
                    continue
                if routine.kind == RoutineKind.BATH:
                    summary.bath_planned = True
                elif routine.kind == RoutineKind.BEDTIME:
                    summary.usual_bedtime = routine.time
            for medicine in child.medicines.all():
                for at in medicine.time_list:
                    due = datetime.combine(day, at, tzinfo=zone)
                    if trip.starts_at <= due < min(trip.ends_at, now):
                        summary.doses_due += 1
            for entry in by_child_day.get((child.pk, day), []):
                local = entry.occurred_at.astimezone(zone).time()
                match entry.kind:
                    case Kind.BATH:
                        summary.baths += 1
                    case Kind.ASLEEP if local >= EVENING_FROM or local < time(5, 0):
                        if summary.asleep_at is None:
                            summary.asleep_at = local
                    case Kind.MEAL:
                        summary.meals += 1
                    case Kind.NAP:
                        summary.naps += 1
                    case Kind.NEW_FOOD:
                        summary.new_foods.append(entry.details.get("food", "something new"))
                    case Kind.MEDICINE:
                        summary.doses_given += 1
                    case Kind.MISSED_PARENT:
                        summary.missed_parent += 1
                    case Kind.INCIDENT:
                        summary.incidents += 1
            child_days.append(summary)
        results.append(ChildDebrief(child, child_days))
    tasks = list(
        PrepTask.objects.filter(trip=trip).select_related("trip__traveller", "trip__household")
    )
    uses: dict[int, int] = defaultdict(int)
    for entry in entries:
        if entry.kind == Kind.COMFORT_USED and entry.comfort_task_id:
            uses[entry.comfort_task_id] += 1
    comfort = [
        ComfortItem(task, uses[task.pk])
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
        entry_count=len(entries),
        finished=now >= trip.ends_at,
    )


@dataclass(frozen=True)
class NewFood:
    child: Child
    food: str
    tried_on: date
    trip: Trip
    already_liked: bool


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
    entries = (
        JournalEntry.objects.alive()
        .filter(trip__in=household_trips, kind=Kind.NEW_FOOD)
        .prefetch_related("children")
        .order_by("occurred_at")
    )
    for entry in entries:
        food = str(entry.details.get("food", "")).strip()
        if not food:
            continue
        for child in entry.children.all():
            key = (child.pk, food.casefold())
            if key in seen or child.pk not in by_id:
                continue
            seen.add(key)
            result.append(
                NewFood(
                    child=by_id[child.pk],
                    food=food,
                    tried_on=entry.occurred_at.astimezone(
                        trips[entry.trip_id].household.zone
                    ).date(),
                    trip=trips[entry.trip_id],
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
