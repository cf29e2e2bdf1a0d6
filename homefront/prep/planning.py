"""Turns the household's template into each trip's prep tasks and packing list."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from homefront.households.models import Household
from homefront.prep import schedule
from homefront.prep.models import Category
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.prep.models import TemplateItem
from homefront.prep.models import Who
from homefront.trips.models import Trip
from homefront.trips.models import TripKind

SUDDEN_SPREAD = timedelta(hours=3)
# What a trip's task keeps of the checklist item it was planned from.
COPIED_TO_TASKS = ("title", "category", "essential", "days_before", "who")

DEFAULT_TEMPLATE: list[tuple[str, str, bool, int, str]] = [
    # title, category, essential, days before, who
    (
        "Tell the kids about the trip, with a calendar they can see",
        Category.COMFORT,
        True,
        4,
        Who.TRAVELLER,
    ),
    ("Check who is in charge each night", Category.HANDOFF, True, 4, Who.TRAVELLER),
    ("Tell daycare who drops off and picks up", Category.HANDOFF, True, 3, Who.TRAVELLER),
    ("Medicines stocked for the days away", Category.HOME, True, 3, Who.ANYONE),
    ("Comfort notes or small presents for the kids", Category.COMFORT, False, 3, Who.TRAVELLER),
    ("Laundry: the kids' clothes for the days away", Category.HOME, False, 3, Who.ANYONE),
    ("Tickets, ID and itinerary shared", Category.TRAVEL, True, 2, Who.TRAVELLER),
    ("Groceries for the days away", Category.HOME, False, 2, Who.STAYS),
    ("Tidy up the house", Category.HOME, False, 2, Who.ANYONE),
    ("Walk the one staying through the brief", Category.HANDOFF, True, 1, Who.TRAVELLER),
    ("Pack your bag (packing list)", Category.TRAVEL, True, 1, Who.TRAVELLER),
    ("Charge phone, laptop and chargers", Category.TRAVEL, True, 0, Who.TRAVELLER),
]
DEFAULT_PACKING: list[tuple[str, int, int]] = [
    # name, per night, extra
    ("Underwear", 1, 1),
    ("Socks", 1, 1),
    ("T-shirts", 1, 0),
    ("Pyjamas", 0, 1),
    ("Toothbrush and toiletries", 0, 1),
    ("Phone charger", 0, 1),
    ("Your medicines", 0, 1),
    ("ID and tickets", 0, 1),
]


def default_template(household: Household) -> list[TemplateItem]:
    """The checklist a new household starts with, unsaved."""
    items = [
        TemplateItem(
            household=household,
            title=title,
            category=category,
            essential=essential,
            days_before=days_before,
            who=who,
            position=index,
        )
        for index, (title, category, essential, days_before, who) in enumerate(DEFAULT_TEMPLATE)
    ]
    items += [
        TemplateItem(
            household=household,
            title=name,
            category=Category.PACKING,
            essential=True,
            days_before=1,
            who=Who.TRAVELLER,
            per_night=per_night,
            extra=extra,
            position=index,
        )
        for index, (name, per_night, extra) in enumerate(DEFAULT_PACKING)
    ]
    return items


def seed_template(household: Household) -> None:
    TemplateItem.objects.bulk_create(default_template(household))


def _sudden_due_times(count: int, now: datetime, departure: datetime) -> list[datetime]:
    window = min(max(departure - now, timedelta(minutes=30)), SUDDEN_SPREAD)
    return [now + window * (index + 1) / (count + 1) for index in range(count)]


@transaction.atomic
def plan_trip(trip: Trip, today: date | None = None) -> schedule.Plan:
    """Creates the trip's prep tasks and packing list. `today` defaults to the household's."""
    household = trip.household
    today = today or household.today()
    departure = trip.local_start.date()
    sudden = trip.kind == TripKind.SHORT_NOTICE
    items = [
        item
        for item in TemplateItem.objects.in_household(household).tasks()
        if item.applies_to(trip) and (item.essential or not sudden)
    ]
    per_day = 10_000 if sudden else household.prep_tasks_per_day
    wanted = [schedule.Wanted(str(item.pk), item.essential, item.days_before) for item in items]
    result = schedule.plan(wanted, today, departure, per_day)
    planned = [item for item in items if str(item.pk) in result.due]
    due_times = _sudden_due_times(len(planned), timezone.now(), trip.starts_at) if sudden else []
    PrepTask.objects.bulk_create(
        PrepTask(
            trip=trip,
            template_item=item,
            **{name: getattr(item, name) for name in COPIED_TO_TASKS},
            due_on=(
                due_times[index].astimezone(household.zone).date()
                if sudden
                else result.due[str(item.pk)]
            ),
            due_at=due_times[index] if sudden else None,
        )
        for index, item in enumerate(planned)
    )
    _start_packing_list(trip)
    return result


def replan_open_tasks(trip: Trip) -> schedule.Plan:
    """After the departure moved: unfinished tasks follow it; finished ones stay as done."""
    household = trip.household
    open_tasks = list(trip.prep_tasks.filter(done_at__isnull=True))
    wanted = [schedule.Wanted(str(t.pk), t.essential, t.days_before) for t in open_tasks]
    result = schedule.plan(
        wanted, household.today(), trip.local_start.date(), household.prep_tasks_per_day
    )
    left_out = set(result.left_out)
    for task in open_tasks:
        key = str(task.pk)
        if key in left_out and task.template_item_id and not task.notes:
            # An optional task from the checklist that no longer fits: dropped, as
            # it would not have been planned for a trip this close.
            task.delete()
            continue
        new_day = result.due.get(key, min(task.due_on, trip.local_start.date()))
        if task.due_on != new_day:
            task.due_on = new_day
            task.save(update_fields=["due_on"])
    return result


def _start_packing_list(trip: Trip) -> None:
    """The traveller's list from their last trip, items they added included;
    the household's packing template for a first trip."""
    previous = (
        Trip.objects.filter(
            household=trip.household,
            traveller=trip.traveller,
            starts_at__lt=trip.starts_at,
            packing_items__isnull=False,
        )
        .exclude(pk=trip.pk)
        .order_by("-starts_at")
        .first()
    )
    if previous is not None:
        source = [(i.name, i.per_night, i.extra) for i in previous.packing_items.all()]
    else:
        source = [
            (i.title, i.per_night, i.extra)
            for i in TemplateItem.objects.in_household(trip.household).packing()
            if i.applies_to(trip)
        ]
    PackingItem.objects.bulk_create(
        PackingItem(trip=trip, name=name, per_night=per_night, extra=extra, position=index)
        for index, (name, per_night, extra) in enumerate(source)
    )


def unneeded_suggestions(household: Household) -> dict[int, int]:
    """Template items not needed on each of their last three trips: item id -> 3."""
    marked = (
        PrepTask.objects.in_household(household)
        .filter(template_item__isnull=False, needed__isnull=False)
        .order_by("template_item_id", "-trip__starts_at")
        .values_list("template_item_id", "needed")
    )
    last_three: dict[int, list[bool]] = {}
    for item_id, needed in marked:
        history = last_three.setdefault(item_id, [])
        if len(history) < 3:
            history.append(needed)
    return {item: 3 for item, history in last_three.items() if history == [False, False, False]}
