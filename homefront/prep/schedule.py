"""Spreads a trip's preparation over the days before leaving.

A pure function of its input, so the same trip always gets the same plan and
property tests can try any trip length, lead time, template and daily limit.

The rules:
- nothing is due after the departure day;
- at most `per_day` tasks on any day, unless the essentials alone do not fit,
  in which case every essential is still planned, in order, and the plan says so;
- essentials are placed first, each as close to its ideal day as room allows,
  earlier rather than later;
- optional tasks never go on the last evening (the day before leaving) or the
  day itself, never push a day over the limit, and are left out when there is
  no room: a calm plan beats a complete one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import timedelta


@dataclass(frozen=True)
class Wanted:
    key: str
    essential: bool
    days_before: int


@dataclass(frozen=True)
class Plan:
    due: dict[str, date]
    left_out: tuple[str, ...]
    crowded: bool


def plan(wanted: list[Wanted], today: date, departure: date, per_day: int) -> Plan:
    first_day = min(today, departure)
    days = [first_day + timedelta(days=n) for n in range((departure - first_day).days + 1)]
    load = dict.fromkeys(days, 0)
    due: dict[str, date] = {}
    left_out: list[str] = []
    crowded = False
    ordered = sorted(wanted, key=lambda w: (not w.essential, -w.days_before, w.key))
    last_optional_day = departure - timedelta(days=2)
    for item in ordered:
        latest = departure if item.essential else last_optional_day
        allowed = [day for day in days if day <= latest]
        if not allowed:
            left_out.append(item.key)
            continue
        ideal = min(max(departure - timedelta(days=item.days_before), allowed[0]), allowed[-1])
        # Nearest day with room: the ideal day, then earlier ones, then later ones.
        earlier = [d for d in reversed(allowed) if d <= ideal]
        later = [d for d in allowed if d > ideal]
        choice = next((d for d in earlier + later if load[d] < per_day), None)
        if choice is None:
            if not item.essential:
                left_out.append(item.key)
                continue
            crowded = True
            choice = min(allowed, key=lambda d: (load[d], abs((d - ideal).days), d))
        due[item.key] = choice
        load[choice] += 1
    return Plan(due=due, left_out=tuple(left_out), crowded=crowded)
