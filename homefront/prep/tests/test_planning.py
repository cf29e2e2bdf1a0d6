"""From the household's template to each trip's prep tasks and packing list.

Time is frozen on Sunday 4 October 2026, 10:00 in New York: the story's trip leaves on
Thursday 8 October, four days ahead, and comes back on Sunday evening (three nights).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from io import StringIO

import pytest
from django.test import Client
from django.urls import reverse

from homefront.accounts.models import User
from homefront.demo.household import load_demo
from homefront.households.models import Household
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.prep.models import Category
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.prep.models import TemplateItem
from homefront.prep.planning import DEFAULT_PACKING
from homefront.prep.planning import DEFAULT_TEMPLATE
from homefront.prep.planning import SUDDEN_SPREAD
from homefront.prep.planning import unneeded_suggestions
from homefront.testing.trips import make_trip
from homefront.testing.zones import NY
from homefront.trips.models import Trip
from homefront.trips.models import TripKind

NOW = datetime(2026, 10, 4, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
TODAY = date(2026, 10, 4)
STORY_THURSDAY = date(2026, 10, 8)
DAY = timedelta(days=1)

ESSENTIALS = {title for title, _category, essential, _before, _who in DEFAULT_TEMPLATE if essential}
OPTIONAL = {
    title for title, _category, essential, _before, _who in DEFAULT_TEMPLATE if not essential
}
PACKING = [name for name, _per_night, _extra in DEFAULT_PACKING]
SUGGESTION = "Not needed on the last three trips"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=NY)


def leaving(
    family, leaves: datetime, nights: int = 3, traveller: User | None = None, **fields
) -> Trip:
    """A trip to Albuquerque leaving at `leaves` and coming home at 21:00 after `nights`
    nights."""
    return make_trip(
        family.household,
        traveller or family.parent,
        leaves,
        at(leaves.astimezone(NY).date() + nights * DAY, 21),
        destination="Albuquerque",
        destination_zone="America/Denver",
        **fields,
    )


def story_trip(family, **fields) -> Trip:
    return leaving(family, at(STORY_THURSDAY, 7, 30), **fields)


def tasks_of(trip: Trip) -> list[PrepTask]:
    return list(trip.prep_tasks.order_by("pk"))


def load(tasks: list[PrepTask]) -> Counter[date]:
    return Counter(task.due_on for task in tasks)


def second_parent(family) -> User:
    user = User.objects.create_user(
        email="other.parent@example.com", password="a long test password", name="Sam Parent"
    )
    Membership.objects.create(household=family.household, user=user, role=Role.PARENT)
    return user


def list_item_of(html: str, title: str) -> str:
    """The <li> of the checklist page that shows `title`."""
    items = [item for item in re.split(r"<li[ >]", html) if title in item]
    assert len(items) == 1, f"{title!r} is on the page {len(items)} times"
    return items[0].split("</li>")[0]


# The template


def test_a_new_household_gets_the_default_template(db):
    household = Household.objects.create(name="The Newcomers", time_zone="Europe/Paris")
    items = TemplateItem.objects.in_household(household)

    tasks = sorted(
        (item.title, item.category, item.essential, item.days_before, item.who)
        for item in items.tasks()
    )
    assert tasks == sorted(DEFAULT_TEMPLATE)
    packing = [(item.title, item.per_night, item.extra) for item in items.packing()]
    assert sorted(packing) == sorted(DEFAULT_PACKING)
    assert all(item.category == Category.PACKING for item in items.packing())


def test_every_household_gets_its_own_copy_of_the_template(family):
    ours = TemplateItem.objects.in_household(family.household)
    theirs = TemplateItem.objects.in_household(family.other_household)

    assert ours.count() == theirs.count() == len(DEFAULT_TEMPLATE) + len(DEFAULT_PACKING)
    assert not set(ours.values_list("pk", flat=True)) & set(theirs.values_list("pk", flat=True))


def test_packing_items_of_the_template_become_the_packing_list_and_the_others_tasks(family):
    TemplateItem.objects.create(
        household=family.household, title="Bunny's spare blanket", category=Category.PACKING
    )
    TemplateItem.objects.create(
        household=family.household,
        title="Water the plants",
        category=Category.HOME,
        days_before=2,
    )
    TemplateItem.objects.create(
        household=family.household,
        title="Out-of-office reply",
        category=Category.TRAVEL,
        trip_kinds=[TripKind.WORK],
    )

    trip = leaving(family, at(TODAY + 10 * DAY, 9))  # room for every optional task

    titles = {task.title for task in tasks_of(trip)}
    assert titles == ESSENTIALS | OPTIONAL | {"Water the plants"}
    assert not trip.prep_tasks.filter(category=Category.PACKING).exists()
    packing = list(trip.packing_items.values_list("name", flat=True))
    assert sorted(packing) == sorted([*PACKING, "Bunny's spare blanket"])
    assert [name for name in packing if name in PACKING] == PACKING  # in the template's order
    # Tasks keep what the template said about them.
    pack = trip.prep_tasks.get(title="Pack your bag (packing list)")
    assert (pack.category, pack.essential, pack.days_before) == (Category.TRAVEL, True, 1)
    assert pack.template_item.household == family.household


# Planning a trip


@pytest.mark.parametrize(
    ("lead_days", "per_day"), [(4, 3), (10, 2), (10, 1), (2, 5), (25, 3), (0, 10)]
)
def test_an_upcoming_trip_is_planned_calmly(family, lead_days, per_day):
    family.household.prep_tasks_per_day = per_day
    family.household.save()
    departure = TODAY + lead_days * DAY

    trip = leaving(family, at(departure, 18))

    tasks = tasks_of(trip)
    assert max(load(tasks).values()) <= per_day
    assert all(TODAY <= task.due_on <= departure for task in tasks)
    assert {task.title for task in tasks} >= ESSENTIALS
    for task in tasks:
        if not task.essential:
            assert task.due_on <= departure - 2 * DAY, task.title
    assert all(task.due_at is None and task.done_at is None for task in tasks)


def test_the_story_trip_four_days_ahead_gets_tasks_on_each_day_three_at_most(family):
    trip = story_trip(family)

    tasks = tasks_of(trip)
    assert {task.title for task in tasks} == ESSENTIALS | OPTIONAL
    days = load(tasks)
    assert set(days) == {STORY_THURSDAY - n * DAY for n in range(5)}
    assert max(days.values()) == 3
    due = {task.title: task.due_on for task in tasks}
    assert due["Charge phone, laptop and chargers"] == STORY_THURSDAY
    assert due["Pack your bag (packing list)"] == STORY_THURSDAY - DAY
    assert due["Tell the kids about the trip, with a calendar they can see"] == TODAY


def test_when_the_essentials_do_not_fit_they_are_all_planned_and_nothing_optional(family):
    family.household.prep_tasks_per_day = 1
    family.household.save()

    trip = leaving(family, at(TODAY + DAY, 9))

    tasks = tasks_of(trip)
    assert {task.title for task in tasks} == ESSENTIALS
    assert load(tasks) == {TODAY: 4, TODAY + DAY: 4}


def test_a_trip_created_in_the_past_gets_no_tasks(family):
    trip = leaving(family, at(TODAY - DAY, 9), nights=2)

    assert not trip.prep_tasks.exists()
    assert not trip.packing_items.exists()


def test_a_trip_created_cancelled_gets_no_tasks(family):
    trip = story_trip(family, cancelled_at=NOW)

    assert not trip.prep_tasks.exists()


def test_a_cancelled_trip_is_not_replanned_when_it_moves(family):
    trip = story_trip(family)
    before = sorted(trip.prep_tasks.values_list("pk", "due_on"))
    trip.cancelled_at = NOW
    trip.save(update_fields=["cancelled_at"])

    trip.starts_at -= 2 * DAY
    trip.ends_at -= 2 * DAY
    trip.save()

    assert sorted(trip.prep_tasks.values_list("pk", "due_on")) == before


@pytest.mark.parametrize("hours_ahead", [2, 6])
def test_a_short_notice_trip_gets_only_the_essentials_due_within_hours(family, hours_ahead):
    leaves = NOW + timedelta(hours=hours_ahead)

    trip = leaving(family, leaves, nights=2, kind=TripKind.SHORT_NOTICE)

    tasks = tasks_of(trip)
    assert {task.title for task in tasks} == ESSENTIALS
    assert all(task.due_on == TODAY for task in tasks)
    due_times = [task.due_at for task in tasks]
    assert due_times == sorted(due_times)
    assert len(set(due_times)) == len(due_times)
    for due_at in due_times:
        assert NOW < due_at < leaves
        assert due_at - NOW <= SUDDEN_SPREAD
    # The checklist page lists them in that order too.
    assert list(trip.prep_tasks.all()) == tasks
    # The packing list still comes along.
    assert list(trip.packing_items.values_list("name", flat=True)) == PACKING


def test_moving_the_departure_later_moves_open_tasks_and_leaves_done_ones(family):
    trip = story_trip(family)
    done = trip.prep_tasks.filter(
        title__in=["Charge phone, laptop and chargers", "Check who is in charge each night"]
    )
    done_before = dict(done.values_list("title", "due_on"))
    done.update(done_at=NOW, done_by=family.parent)
    new_departure = STORY_THURSDAY + 7 * DAY

    trip.starts_at = at(new_departure, 7, 30)
    trip.ends_at = at(new_departure + 3 * DAY, 21)
    trip.save()

    assert dict(trip.prep_tasks.filter(done_at__isnull=False).values_list("title", "due_on")) == (
        done_before
    )
    open_tasks = list(trip.prep_tasks.filter(done_at__isnull=True))
    due = {task.title: task.due_on for task in open_tasks}
    assert due["Pack your bag (packing list)"] == new_departure - DAY
    assert due["Walk the one staying through the brief"] == new_departure - DAY
    assert due["Tickets, ID and itinerary shared"] == new_departure - 2 * DAY
    assert due["Tell the kids about the trip, with a calendar they can see"] == (
        new_departure - 4 * DAY
    )
    assert all(TODAY <= day <= new_departure for day in due.values())
    assert max(load(open_tasks).values()) <= family.household.prep_tasks_per_day


def test_moving_the_departure_earlier_brings_open_tasks_before_it(family):
    trip = leaving(family, at(TODAY + 12 * DAY, 8))
    new_departure = TODAY + 6 * DAY

    trip.starts_at = at(new_departure, 8)
    trip.ends_at = at(new_departure + 3 * DAY, 21)
    trip.save()

    tasks = tasks_of(trip)
    assert {task.title for task in tasks} == ESSENTIALS | OPTIONAL
    assert all(TODAY <= task.due_on <= new_departure for task in tasks)
    assert max(load(tasks).values()) <= family.household.prep_tasks_per_day
    due = {task.title: task.due_on for task in tasks}
    assert due["Charge phone, laptop and chargers"] == new_departure
    for task in tasks:
        if not task.essential:
            assert task.due_on <= new_departure - 2 * DAY, task.title


def test_moving_the_departure_much_earlier_piles_nothing_on_the_departure_day(family):
    trip = leaving(family, at(TODAY + 12 * DAY, 8))
    hand_made = PrepTask.objects.create(
        trip=trip, title="Ask Sarah to water the plants", due_on=TODAY + 9 * DAY
    )
    new_departure = TODAY + 3 * DAY

    trip.starts_at = at(new_departure, 8)
    trip.ends_at = at(new_departure + 3 * DAY, 21)
    trip.save()

    tasks = tasks_of(trip)
    checklist_tasks = [task for task in tasks if task.pk != hand_made.pk]
    assert max(load(checklist_tasks).values()) <= family.household.prep_tasks_per_day
    for task in checklist_tasks:
        if not task.essential:
            assert task.due_on <= new_departure - 2 * DAY, task.title
    # What a parent added by hand is never dropped; it moves up to the departure.
    hand_made.refresh_from_db()
    assert hand_made.due_on <= new_departure


def test_moving_only_the_return_leaves_the_plan_alone(family):
    trip = story_trip(family)
    before = sorted(trip.prep_tasks.values_list("pk", "due_on"))

    trip.ends_at += DAY
    trip.save()

    assert sorted(trip.prep_tasks.values_list("pk", "due_on")) == before


# Packing


def test_the_first_packing_list_comes_from_the_template_counted_for_the_nights(family):
    trip = story_trip(family)

    assert trip.nights == 3
    counts = {item.name: item.quantity(trip.nights) for item in trip.packing_items.all()}
    assert counts["Underwear"] == 4
    assert counts["Socks"] == 4
    assert counts["T-shirts"] == 3
    assert counts["Pyjamas"] == 1
    assert list(counts) == PACKING


def test_what_a_traveller_adds_is_on_their_next_list_not_on_the_other_parents(family):
    first = story_trip(family)
    client = family.client_for(family.parent)
    response = client.post(
        reverse("prep:packing_add", args=[first.pk]),
        {"name": "Bunny's spare blanket", "per_night": 0, "extra": 2},
    )
    assert response.status_code == 302
    first.packing_items.filter(name="Socks").update(per_night=2)
    other_parent = second_parent(family)

    second = leaving(family, at(STORY_THURSDAY + 14 * DAY, 9), nights=1)
    theirs = leaving(family, at(STORY_THURSDAY + 21 * DAY, 9), traveller=other_parent)

    items = {item.name: (item.per_night, item.extra) for item in second.packing_items.all()}
    assert items["Bunny's spare blanket"] == (0, 2)
    assert items["Socks"] == (2, 1)  # the list as the traveller left it
    assert list(items)[-1] == "Bunny's spare blanket"
    assert not PackingItem.objects.filter(trip=second, packed=True).exists()
    their_items = list(theirs.packing_items.values_list("name", flat=True))
    assert their_items == PACKING
    assert theirs.packing_items.get(name="Socks").per_night == 1


# Prep that keeps proving unnecessary


def mark(trips: list[Trip], title: str, answers: list[bool | None]) -> None:
    for trip, answer in zip(trips, answers, strict=True):
        assert PrepTask.objects.filter(trip=trip, title=title).update(needed=answer) == 1


def weekly_trips(family, count: int) -> list[Trip]:
    return [leaving(family, at(TODAY + 7 * (n + 1) * DAY, 9), nights=1) for n in range(count)]


def item_pk(household: Household, title: str) -> int:
    return TemplateItem.objects.in_household(household).get(title=title).pk


def test_an_item_not_needed_on_its_last_three_trips_is_suggested(family):
    trips = weekly_trips(family, 5)
    # Oldest first; the latest trip is not answered yet.
    mark(trips, "Tidy up the house", [True, False, False, False, None])
    mark(trips, "Groceries for the days away", [False, False, True, False, False])
    mark(trips, "Laundry: the kids' clothes for the days away", [None, None, None, False, False])
    mark(trips, "Pack your bag (packing list)", [True, True, True, True, True])

    assert unneeded_suggestions(family.household) == {
        item_pk(family.household, "Tidy up the house"): 3
    }


def test_needed_once_among_the_last_three_trips_is_not_suggested(family):
    trips = weekly_trips(family, 4)
    mark(trips, "Tidy up the house", [False, False, False, True])

    assert unneeded_suggestions(family.household) == {}


def test_the_checklist_page_suggests_dropping_what_keeps_proving_unnecessary(family):
    trips = weekly_trips(family, 3)
    mark(trips, "Medicines stocked for the days away", [False, False, False])
    mark(trips, "Tidy up the house", [False, True, False])

    response = family.client_for(family.parent).get("/prep/checklist/")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count(SUGGESTION) == 1
    medicines = list_item_of(html, "Medicines stocked for the days away")
    assert SUGGESTION in medicines
    assert "Make it optional" in medicines  # an essential: the gentler step is offered
    assert SUGGESTION not in list_item_of(html, "Tidy up the house")


def test_the_other_household_sees_no_suggestion_from_ours(family):
    trips = weekly_trips(family, 3)
    mark(trips, "Tidy up the house", [False, False, False])

    assert unneeded_suggestions(family.other_household) == {}
    response = family.client_for(family.outsider).get("/prep/checklist/")
    assert SUGGESTION not in response.content.decode()


# The demo household


def test_the_demo_story_trip_was_prepared_and_the_comfort_presents_were_not_needed(db):
    household = load_demo(StringIO())
    story = Trip.objects.in_household(household).get(destination="Albuquerque, New Mexico")
    departure = story.local_start.date()
    tasks = tasks_of(story)

    assert {task.title for task in tasks} >= ESSENTIALS | OPTIONAL
    assert all(task.done for task in tasks)
    assert all(departure - 4 * DAY <= task.due_on <= departure for task in tasks)
    comfort = {task.title: task.needed for task in tasks if task.category == Category.COMFORT}
    assert comfort == {
        "Tell the kids about the trip, with a calendar they can see": True,
        "Comfort notes or small presents for the kids": False,
        "A card for each girl, to read on Friday at bedtime": False,
        "Small presents and new books, for when they miss me": False,
    }
    assert all(task.needed for task in tasks if task.essential)
    assert story.packing_items.exists()
    assert not story.packing_items.filter(packed=False).exists()


def test_the_demo_checklist_suggests_dropping_the_comfort_presents(db):
    household = load_demo(StringIO())
    rachel = User.objects.get(email="rachel@demo.homefront.invalid")
    client = Client()
    client.force_login(rachel)

    html = client.get(reverse("prep:template")).content.decode()

    assert SUGGESTION in list_item_of(html, "Comfort notes or small presents for the kids")
    assert SUGGESTION in list_item_of(html, "Tidy up the house")
    assert SUGGESTION not in list_item_of(html, "Pack your bag (packing list)")
    comfort = item_pk(household, "Comfort notes or small presents for the kids")
    assert comfort in unneeded_suggestions(household)
