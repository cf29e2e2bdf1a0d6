"""The handoff brief of one trip: everything a caregiver needs, for exactly its days."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext

from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import HouseNote
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.models import RoutineKind
from homefront.households.schedule import PlanItem
from homefront.households.schedule import day_plan
from homefront.prep.models import PrepTask
from homefront.trips.cover import FamilyNights
from homefront.trips.cover import Night
from homefront.trips.models import Trip

MAX_BRIEF_DAYS = 62


@dataclass
class ChildDay:
    child: Child
    items: list[PlanItem]


@dataclass
class BriefDay:
    day: date
    children: list[ChildDay]
    night: Night | None
    comfort: list[PrepTask] = field(default_factory=list)

    def same_plan_as(self, other: BriefDay) -> bool:
        return _plan_of(self) == _plan_of(other)


@dataclass
class DaySpan:
    """Consecutive days, "Tue 2 Feb – Fri 5 Feb"; the trip's first or last day among them
    starts or ends partway, and the printed brief says from or until when."""

    first: date
    last: date
    starts_trip: bool = False
    ends_trip: bool = False


@dataclass
class DayGroup:
    """Days whose plan is the same for every child: on paper, printed once."""

    days: list[BriefDay]
    spans: list[DaySpan]

    @property
    def children(self) -> list[ChildDay]:
        return self.days[0].children


@dataclass
class NightRun:
    """Consecutive nights with the same adult in charge and nothing special to do."""

    first: date
    last: date
    night: Night
    comfort: list[PrepTask]


@dataclass
class Brief:
    trip: Trip
    children: list[Child]
    allergies: list[Food]
    phone_tree: list[Contact]
    doctors: list[Contact]
    hospitals: list[Contact]
    other_contacts: list[Contact]
    parents: list[Membership]
    days: list[BriefDay]
    notes: list[HouseNote]
    sensitive_hidden: int
    comfort_when_missed: list[PrepTask]

    @property
    def missing(self) -> list[str]:
        """What the profile lacks for a good handoff, for a parent to fill in."""
        gaps = []
        if not self.children:
            gaps.append(gettext("children"))
        if not self.phone_tree:
            gaps.append(gettext("backup caregiver"))
        if not self.doctors:
            gaps.append(gettext("doctor"))
        for child in self.children:
            kinds = {routine.kind for routine in child.routines.all()}
            if RoutineKind.BEDTIME not in kinds:
                gaps.append(gettext("%(name)s's bedtime") % {"name": child.name})
        return gaps

    @property
    def day_groups(self) -> list[DayGroup]:
        """The days grouped by plan, in order of their first day. A fortnight of the same
        weekdays and weekends comes down to a handful of plans: a caregiver reads each once
        and the paper brief stays a few pages long."""
        groups: list[list[BriefDay]] = []
        for day in self.days:
            group = next((g for g in groups if g[0].same_plan_as(day)), None)
            if group is None:
                groups.append([day])
            else:
                group.append(day)
        first_day, last_day = self.trip.local_start.date(), self.trip.local_end.date()
        return [
            DayGroup(days=group, spans=_spans([d.day for d in group], first_day, last_day))
            for group in groups
        ]

    @property
    def night_runs(self) -> list[NightRun]:
        runs: list[NightRun] = []
        for day in self.days:
            if day.night is None:
                continue
            previous = runs[-1] if runs else None
            if (
                previous is not None
                and not previous.comfort
                and not day.comfort
                and previous.last + timedelta(days=1) == day.day
                and previous.night.adult_name == day.night.adult_name
            ):
                previous.last = day.day
            else:
                runs.append(NightRun(day.day, day.day, day.night, day.comfort))
        return runs


def _plan_of(day: BriefDay) -> list[tuple[object, ...]]:
    return [
        (entry.child.pk, *((i.at, i.kind, i.title, tuple(i.steps), i.notes) for i in entry.items))
        for entry in day.children
    ]


def _spans(days: list[date], first_day: date, last_day: date) -> list[DaySpan]:
    spans: list[DaySpan] = []
    for day in days:
        if spans and spans[-1].last + timedelta(days=1) == day:
            spans[-1].last = day
        else:
            spans.append(DaySpan(day, day))
    for span in spans:
        span.starts_trip = span.first == first_day
        span.ends_trip = span.last == last_day
    return spans


def build_brief(trip: Trip, *, show_sensitive: bool) -> Brief:
    """A fixed number of queries, however long the trip and however full the profile."""
    household = trip.household
    children = list(
        Child.objects.in_household(household)
        .select_related("household")
        .prefetch_related("routines", "foods", "medicines")
    )
    contacts = list(Contact.objects.in_household(household))
    first_day = trip.local_start.date()
    last_day = min(trip.local_end.date(), first_day + timedelta(days=MAX_BRIEF_DAYS))
    family = FamilyNights.load(household, first_day, last_day)
    tasks = list(
        PrepTask.objects.filter(trip=trip).filter(
            Q(comfort_when_missed=True) | Q(comfort_night__isnull=False)
        )
    )
    days = []
    day = first_day
    while day <= last_day:
        days.append(
            BriefDay(
                day=day,
                children=[
                    ChildDay(child, _during_trip(trip, day, day_plan(child, day)))
                    for child in children
                ],
                night=family.night(day),
                comfort=[task for task in tasks if task.comfort_night == day],
            )
        )
        day += timedelta(days=1)
    notes = list(HouseNote.objects.in_household(household))
    visible = [note for note in notes if show_sensitive or not note.sensitive]
    return Brief(
        trip=trip,
        children=children,
        allergies=[f for c in children for f in c.foods.all() if f.kind == FoodKind.ALLERGY],
        phone_tree=[c for c in contacts if c.backup_order is not None],
        doctors=[c for c in contacts if ContactRole.DOCTOR in c.roles],
        hospitals=[c for c in contacts if ContactRole.HOSPITAL in c.roles],
        other_contacts=[
            c
            for c in contacts
            if c.backup_order is None
            and ContactRole.DOCTOR not in c.roles
            and ContactRole.HOSPITAL not in c.roles
        ],
        parents=list(
            Membership.objects.in_household(household)
            .filter(role=Role.PARENT)
            .select_related("user")
        ),
        days=days,
        notes=visible,
        sensitive_hidden=len(notes) - len(visible),
        comfort_when_missed=[task for task in tasks if task.comfort_when_missed],
    )


def _during_trip(trip: Trip, day: date, items: list[PlanItem]) -> list[PlanItem]:
    """On the first and last day, only what happens while the traveller is away."""
    zone = trip.household.zone
    return [
        item
        for item in items
        if trip.starts_at <= datetime.combine(day, item.at, tzinfo=zone) < trip.ends_at
    ]
