"""When to call home: the children's day, translated into the traveller's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from homefront.households.models import Child
from homefront.households.models import RoutineKind
from homefront.trips.models import Trip

SHOWN_KINDS = {
    RoutineKind.WAKE,
    RoutineKind.BREAKFAST,
    RoutineKind.LUNCH,
    RoutineKind.DINNER,
    RoutineKind.NAP,
    RoutineKind.BATH,
    RoutineKind.BEDTIME,
}
NAP_LENGTH = timedelta(minutes=90)
SHORTEST_WINDOW = timedelta(minutes=15)
USUAL_WAKE = time(7, 0)
USUAL_BEDTIME = time(19, 30)


@dataclass(frozen=True)
class Moment:
    title: str
    children: tuple[str, ...]
    home: datetime
    away: datetime


@dataclass
class CallDay:
    day: date
    moments: list[Moment] = field(default_factory=list)
    windows: list[tuple[datetime, datetime]] = field(default_factory=list)


Span = tuple[datetime, datetime]


def _subtract(spans: list[Span], cut: Span) -> list[Span]:
    result = []
    for start, end in spans:
        if cut[1] <= start or cut[0] >= end:
            result.append((start, end))
            continue
        if start < cut[0]:
            result.append((start, cut[0]))
        if cut[1] < end:
            result.append((cut[1], end))
    return result


def _intersect(a: list[Span], b: list[Span]) -> list[Span]:
    result = []
    for start_a, end_a in a:
        for start_b, end_b in b:
            start, end = max(start_a, start_b), min(end_a, end_b)
            if start < end:
                result.append((start, end))
    return sorted(result)


def _child_free_time(child: Child, day: date, trip: Trip) -> list[Span]:
    """When this child is awake, home and not napping, as UTC-aware spans."""
    zone = trip.home_zone

    def at(moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=zone)

    routines = [r for r in child.routines.all() if r.occurs_on(day)]
    wake = next((r.time for r in routines if r.kind == RoutineKind.WAKE), USUAL_WAKE)
    bedtime = next((r.time for r in routines if r.kind == RoutineKind.BEDTIME), USUAL_BEDTIME)
    free: list[Span] = [(at(wake), at(bedtime))]
    drop_off = next((r.time for r in routines if r.kind == RoutineKind.DROP_OFF), None)
    pick_up = next((r.time for r in routines if r.kind == RoutineKind.PICK_UP), None)
    if drop_off and pick_up and drop_off < pick_up:
        free = _subtract(free, (at(drop_off), at(pick_up)))
    for nap in (r for r in routines if r.kind == RoutineKind.NAP):
        free = _subtract(free, (at(nap.time), at(nap.time) + NAP_LENGTH))
    return free


def call_days(trip: Trip, children: list[Child]) -> list[CallDay]:
    """One entry per day of the trip; children must come with their routines prefetched."""
    home_zone, away_zone = trip.home_zone, trip.away_zone
    days = []
    day = trip.local_start.date()
    while day <= trip.local_end.date():
        grouped: dict[tuple[str, datetime], list[str]] = {}
        for child in children:
            for routine in child.routines.all():
                if routine.kind in SHOWN_KINDS and routine.occurs_on(day):
                    home = datetime.combine(day, routine.time, tzinfo=home_zone)
                    grouped.setdefault((routine.title, home), []).append(child.name)
        moments = [
            Moment(title=title, children=tuple(names), home=home, away=home.astimezone(away_zone))
            for (title, home), names in grouped.items()
            if trip.starts_at <= home < trip.ends_at
        ]
        moments.sort(key=lambda moment: moment.home)
        windows: list[Span] = [(trip.starts_at, trip.ends_at)] if children else []
        for child in children:
            windows = _intersect(windows, _child_free_time(child, day, trip))
        days.append(
            CallDay(
                day=day,
                moments=moments,
                windows=[
                    (start.astimezone(away_zone), end.astimezone(away_zone))
                    for start, end in windows
                    if end - start >= SHORTEST_WINDOW
                ],
            )
        )
        day += timedelta(days=1)
    return days
