"""What the trips add up to: nights away over time per parent, new foods tried while a
parent was away, prep that keeps proving unnecessary, and a next step the family can take
(a goal on the family calendar). For each action: success, wrong method, caregiver 403,
outsider 404, bad input refused with a message and nothing saved."""

from __future__ import annotations

import re
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homefront.accounts.models import User
from homefront.households.models import Child
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.prep.models import PrepTask
from homefront.prep.models import TemplateItem
from homefront.testing.pages import plain
from homefront.testing.pages import section
from homefront.testing.pages import text
from homefront.testing.zones import NY
from homefront.testing.zones import ny
from homefront.trips.models import Goal
from homefront.trips.models import Trip

# Tuesday 17 November 2026, 9:00 in New York.
NOW = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
TODAY = date(2026, 11, 17)
COMFORT = "Comfort notes or small presents for the kids"


def away(household, traveller: User, first_night: date, nights: int, **fields: Any) -> Trip:
    """Leaves at 9:00 on the first night's day, back at 18:00 the day after the last night."""
    return Trip.objects.create(
        household=household,
        traveller=traveller,
        starts_at=datetime.combine(first_night, time(9), tzinfo=NY),
        ends_at=datetime.combine(first_night + timedelta(days=nights), time(18), tzinfo=NY),
        destination_zone="Europe/Lisbon",
        **fields,
    )


def insights(client: Client) -> str:
    response = client.get(reverse("debrief:insights"))
    assert response.status_code == 200
    return text(response)


def charts(body: str) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Per parent: the chart's text alternative and the table's (trip, nights) rows."""
    result = {}
    for figure in re.findall(r'<figure class="chart">(.*?)</figure>', body, re.DOTALL):
        name = plain(re.search(r"<figcaption>(.*?)</figcaption>", figure, re.DOTALL)[1])
        title = re.search(r'<title id="chart-\d+">(.*?)</title>', figure, re.DOTALL)
        rows = [
            (plain(trip), plain(nights))
            for trip, nights in re.findall(
                r"<tr><td>(<a .*?</a>)</td><td>(\d+)</td></tr>", figure, re.DOTALL
            )
        ]
        result[name] = (title[1] if title else "", rows)
    return result


def log_new_food(trip: Trip, child: Child, food: str, at: datetime) -> None:
    entry = JournalEntry.objects.create(
        uuid=uuid.uuid4(),
        trip=trip,
        kind=Kind.NEW_FOOD,
        occurred_at=at,
        details={"food": food},
        content_hash="test",
    )
    entry.children.set([child])


# -- Nights away over time ---------------------------------------------------------------------


def test_nights_away_per_parent_with_a_table_beside_each_chart(family, second):
    pat = family.parent
    first = away(family.household, pat, date(2026, 9, 4), 2, destination="Porto")
    away(family.household, pat, date(2026, 10, 9), 1, destination="Boston")
    away(family.household, second, date(2026, 8, 1), 3, destination="Denver")
    # Not counted: a cancelled trip, a trip still to come.
    away(family.household, pat, date(2026, 6, 1), 9, cancelled_at=timezone.now())
    away(family.household, pat, date(2026, 12, 10), 5, destination="Later")
    robin = User.objects.create_user(email="robin@example.com", password="x" * 20, name="Robin")
    Membership.objects.create(household=family.household, user=robin, role=Role.PARENT)

    body = insights(family.client_for(family.parent))

    found = charts(section(body, "Nights away over time"))
    assert list(found) == ["Pat", "Sam"]  # Robin has not been away yet; the carer is no parent
    title, rows = found["Pat"]
    assert title == "Nights away per trip for Pat, oldest first: 2, 1"
    assert rows == [("4 Sep 2026, Porto", "2"), ("9 Oct 2026, Boston", "1")]
    assert found["Sam"][1] == [("1 Aug 2026, Denver", "3")]
    figure = re.search(r'<figure class="chart">.*?</figure>', body, re.DOTALL)[0]
    assert 'role="img"' in figure
    assert len(re.findall(r'<rect [^>]*class="bar"', figure)) == 2
    assert f'href="{reverse("debrief:trip", args=[first.pk])}"' in figure


def test_the_demo_shows_one_two_three_nights_for_rachel_in_order(story):
    client = Client()
    client.force_login(story[2])

    found = charts(insights(client))

    assert list(found) == ["Rachel"]  # David's only trip is still to come
    title, rows = found["Rachel"]
    assert title == "Nights away per trip for Rachel, oldest first: 1, 2, 3"
    assert [(trip.split(", ", 1)[1], nights) for trip, nights in rows] == [
        ("Cape Cod", "1"),
        ("New York City", "2"),
        ("Albuquerque, New Mexico", "3"),
    ]


def test_before_any_trip_the_page_says_so(family):
    body = insights(family.client_for(family.parent))

    assert "No trips yet. Even one night away is a start." in body
    assert "Homefront suggests" not in body
    assert "None logged yet." in section(body, "New foods tried while a parent was away")


# -- New foods ----------------------------------------------------------------------------------


@pytest.fixture
def foods_trip(family) -> Trip:
    """A finished trip in which Maya tried kiwi (twice), hummus, and pasta she already likes."""
    Food.objects.create(child=family.child, name="Pasta", kind=FoodKind.LIKE)
    trip = away(family.household, family.parent, date(2026, 11, 4), 3)
    log_new_food(trip, family.child, "kiwi", ny(2026, 11, 5, 12))
    log_new_food(trip, family.child, "Kiwi", ny(2026, 11, 6, 12))
    log_new_food(trip, family.child, "hummus", ny(2026, 11, 6, 13))
    log_new_food(trip, family.child, "pasta", ny(2026, 11, 5, 18))
    # Still under way: its new foods wait until it is over.
    now = away(family.household, family.parent, date(2026, 11, 16), 3)
    log_new_food(now, family.child, "figs", ny(2026, 11, 16, 12))
    return trip


def new_foods(body: str) -> list[str]:
    items = re.findall(
        r"<li>(.*?)</li>", section(body, "New foods tried while a parent was away"), re.DOTALL
    )
    return [plain(item) for item in items]


def test_new_foods_tried_while_away_can_be_added_to_the_likes(family, foods_trip):
    client = family.client_for(family.parent)
    maya = family.child

    assert new_foods(insights(client)) == [
        "Maya: kiwi · 5 Nov 2026 Add to likes",
        "Maya: pasta · 5 Nov 2026 on the likes",
        "Maya: hummus · 6 Nov 2026 Add to likes",
    ]

    url = reverse("debrief:add_food_like", args=[maya.pk])
    response = client.post(url, {"food": "kiwi"})

    assert response.status_code == 302
    assert response["Location"] == reverse("debrief:insights") + "#new-foods"
    assert list(maya.foods.filter(name__iexact="kiwi").values_list("name", "kind")) == [
        ("kiwi", FoodKind.LIKE)
    ]
    body = insights(client)
    assert "kiwi added to what Maya likes." in body
    assert "Maya: kiwi · 5 Nov 2026 on the likes" in new_foods(body)

    # A second tap (or another spelling) adds nothing.
    for food in ("kiwi", " KIWI "):
        client.post(url, {"food": food})
    assert maya.foods.filter(name__iexact="kiwi").count() == 1
    assert "is already on Maya's list." in insights(client)


def test_adding_a_like_needs_a_food(family, foods_trip):
    client = family.client_for(family.parent)
    before = Food.objects.count()

    response = client.post(
        reverse("debrief:add_food_like", args=[family.child.pk]), {"food": "  "}, follow=True
    )

    assert "Which food?" in text(response)
    assert Food.objects.count() == before


def test_adding_a_like_is_a_post_for_a_parent_of_the_child(family, foods_trip):
    url = reverse("debrief:add_food_like", args=[family.child.pk])
    before = Food.objects.count()

    assert family.client_for(family.parent).get(url).status_code == 405
    caregiver = family.client_for(family.caregiver)
    assert caregiver.post(url, {"food": "kiwi"}).status_code == 403
    # Insights read every trip's journal: a caregiver sees none of them.
    assert caregiver.get(reverse("debrief:insights")).status_code == 403
    outsider = family.client_for(family.outsider)
    assert outsider.post(url, {"food": "kiwi"}).status_code == 404
    assert "kiwi" not in insights(outsider)
    assert Food.objects.count() == before


# -- Prep that keeps proving unnecessary ---------------------------------------------------------


def unneeded(body: str) -> str:
    return plain(section(body, "Prep that keeps proving unnecessary"))


def test_unneeded_prep_is_suggested_only_after_three_trips_in_a_row(family):
    item = TemplateItem.objects.in_household(family.household).get(title=COMFORT)
    client = family.client_for(family.parent)

    def trip_with_comfort(first_night: date, needed: bool | None) -> PrepTask:
        trip = away(family.household, family.parent, first_night, 2)
        return PrepTask.objects.create(
            trip=trip,
            template_item=item,
            title=item.title,
            category=item.category,
            due_on=first_night - timedelta(days=3),
            needed=needed,
        )

    trip_with_comfort(date(2026, 8, 1), False)
    trip_with_comfort(date(2026, 9, 1), False)
    assert COMFORT not in unneeded(insights(client))
    assert "Nothing yet: mark what was needed after each trip." in unneeded(insights(client))

    third = trip_with_comfort(date(2026, 10, 1), None)  # not answered yet
    assert COMFORT not in unneeded(insights(client))

    third.needed = False
    third.save(update_fields=["needed"])
    shown = unneeded(insights(client))
    assert f"{COMFORT} Not needed on the last three trips. Make it optional or drop it" in shown

    # Needed on the next trip: no longer "the last three".
    trip_with_comfort(date(2026, 11, 1), True)
    assert COMFORT not in unneeded(insights(client))


def test_the_demo_suggests_dropping_the_presents_and_the_tidying(story):
    client = Client()
    client.force_login(story[2])

    shown = unneeded(insights(client))

    assert COMFORT in shown
    assert "Tidy up the house" in shown
    assert "Pack your bag" not in shown
    new = new_foods(insights(client))
    assert new == [
        "Maya: raw currants · 6 Nov 2026 on the likes",
        "Noa: raw currants · 6 Nov 2026 on the likes",
    ]


# -- The next step, and goals ------------------------------------------------------------------


def suggestion(body: str) -> str:
    match = re.search(r'<p class="suggestion-box">(.*?)</p>', body, re.DOTALL)
    return plain(match[1]) if match else ""


def take_it_form(body: str) -> dict[str, str]:
    form = re.search(
        rf'<form method="post" action="{reverse("debrief:set_goal")}" class="inline-form">'
        r"(.*?)</form>",
        body,
        re.DOTALL,
    )
    assert form, "no Take it button"
    assert "Take it" in form[1]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form[1]))
    assert fields.pop("csrfmiddlewaretoken")
    return fields


@pytest.fixture
def booked(family, second) -> None:
    """Pat's longest trip so far: 2 nights. Sam is away on the nights of 2 and 3 December."""
    away(family.household, family.parent, date(2026, 10, 1), 2)
    away(family.household, family.parent, date(2026, 10, 20), 1)
    away(family.household, second, date(2026, 12, 2), 2)
    # A cancelled trip neither sets the record nor takes the dates.
    away(family.household, family.parent, date(2026, 12, 5), 10, cancelled_at=timezone.now())


def test_the_next_step_is_one_night_longer_on_free_dates_two_weeks_ahead(family, booked):
    body = insights(family.client_for(family.parent))

    # 1 December (two weeks ahead) would overlap Sam's trip; 4 December would leave the
    # night after Sam's last one: the first free stretch with a breather is 5–7 December.
    assert suggestion(body) == (
        "Homefront suggests 3 nights away, from the night of Saturday 5 December: one night "
        "longer than your longest so far, on dates with no other trip."
    )
    assert take_it_form(body) == {
        "traveller": str(family.parent.pk),
        "nights": "3",
        "first_night": "2026-12-05",
    }


def test_with_nothing_in_the_way_the_next_step_starts_two_weeks_ahead(family):
    away(family.household, family.parent, date(2026, 11, 1), 1)

    body = insights(family.client_for(family.parent))

    assert suggestion(body) == (
        "Homefront suggests 2 nights away, from the night of Tuesday 1 December: one night "
        "longer than your longest so far, on dates with no other trip."
    )
    assert TODAY + timedelta(days=14) == date(2026, 12, 1)


def agenda_goals(client: Client) -> dict[str, str]:
    """The agenda's days that show a goal: "Sat 5 Dec" -> the goal's words."""
    body = text(client.get(reverse("trips:calendar")))
    days = {}
    for item in re.findall(r"<li[^>]*>(.*?)</li>", body, re.DOTALL):
        marker = re.search(r'<span class="goal-marker">(.*?)</span>', item)
        if marker:
            day = re.search(r"<strong>(.*?)</strong>", item)
            days[day[1]] = marker[1]
    return days


def month_goals(client: Client, year: int, month: int) -> dict[int, str]:
    body = text(client.get(reverse("trips:calendar_month", args=[year, month])))
    cells = {}
    for cell in re.findall(r'<td class="(?![^"]*other-month)[^"]*">(.*?)</td>', body, re.DOTALL):
        marker = re.search(r'<span class="goal-marker"[^>]*>(.*?)</span>', cell)
        if marker:
            day = re.search(r'<span class="day-number">(\d+)</span>', cell)
            cells[int(day[1])] = marker[1]
    return cells


def test_taking_the_suggestion_sets_a_goal_on_the_family_calendar(family, booked):
    client = family.client_for(family.parent)
    form = take_it_form(insights(client))

    response = client.post(reverse("debrief:set_goal"), form)

    assert response.status_code == 302
    assert response["Location"] == reverse("debrief:insights") + "#next-step"
    goal = Goal.objects.get()
    assert (goal.household, goal.traveller, goal.nights, goal.first_night, goal.dropped_at) == (
        family.household,
        family.parent,
        3,
        date(2026, 12, 5),
        None,
    )
    body = insights(client)
    assert "Goal set: 3 nights away from 5 Dec. It is on the family calendar." in body
    assert "Goal: Pat, 3 nights away from 5 Dec" in plain(section(body, "Next step"))

    expected = "Goal: Pat, 3 nights away"
    assert agenda_goals(client) == {
        "Sat 5 Dec": expected,
        "Sun 6 Dec": expected,
        "Mon 7 Dec": expected,
    }
    assert month_goals(client, 2026, 12) == {5: "Goal: Pat", 6: "Goal: Pat", 7: "Goal: Pat"}
    # Everyone in the household sees it, the caregiver too.
    assert agenda_goals(family.client_for(family.caregiver)) == agenda_goals(client)
    assert agenda_goals(family.client_for(family.outsider)) == {}


def test_setting_your_own_goal(family, second):
    client = family.client_for(family.parent)

    response = client.post(
        reverse("debrief:set_goal"),
        {
            "traveller": second.pk,
            "nights": "2",
            "first_night": "2027-01-15",
            "note": "A weekend with my sister",
        },
        follow=True,
    )

    assert response.status_code == 200
    goal = Goal.objects.get()
    assert (goal.traveller, goal.nights, goal.first_night, goal.note) == (
        second,
        2,
        date(2027, 1, 15),
        "A weekend with my sister",
    )
    assert "Goal: Sam, 2 nights away from 15 Jan — A weekend with my sister" in plain(
        section(text(response), "Next step")
    )
    assert month_goals(client, 2027, 1) == {15: "Goal: Sam", 16: "Goal: Sam"}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"nights": "0"}, "Nights At least one night."),
        ({"nights": "61"}, "Nights Ensure this value is less than or equal to 60."),
        ({"nights": ""}, "Nights This field is required."),
        ({"first_night": "2026-11-16"}, "From the night of A goal is for the days ahead."),
        ({"first_night": "someday"}, "From the night of Enter a valid date."),
        ({"traveller": "caregiver"}, "Who goes Select a valid choice."),
        ({"note": "x" * 101}, "at most 100 characters"),
    ],
)
def test_a_goal_with_bad_input_is_refused_with_a_message(family, fields, message):
    data = {"traveller": family.parent.pk, "nights": "2", "first_night": "2026-12-20"} | fields
    if data["traveller"] == "caregiver":
        data["traveller"] = family.caregiver.pk

    response = family.client_for(family.parent).post(reverse("debrief:set_goal"), data, follow=True)

    assert response.redirect_chain == [(reverse("debrief:insights") + "#next-step", 302)]
    messages = re.findall(r'<p class="message error">(.*?)</p>', text(response))
    assert len(messages) == 1
    assert message in messages[0]
    assert not Goal.objects.exists()


@pytest.fixture
def goal(family) -> Goal:
    """Pat's goal: two nights away from 20 December."""
    return Goal.objects.create(
        household=family.household,
        traveller=family.parent,
        nights=2,
        first_night=date(2026, 12, 20),
    )


def test_dropping_a_goal_hides_it(family, goal):
    client = family.client_for(family.parent)
    assert "Goal: Pat" in plain(insights(client))
    assert len(agenda_goals(client)) == 2

    response = client.post(reverse("debrief:drop_goal", args=[goal.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("debrief:insights") + "#next-step"
    goal.refresh_from_db()
    assert goal.dropped_at == timezone.now()
    body = insights(client)
    assert "Goal dropped." in body
    assert "Goal:" not in plain(body)
    assert agenda_goals(client) == {}
    assert month_goals(client, 2026, 12) == {}


def test_goals_are_set_and_dropped_by_parents_with_a_post(family, goal):
    data = {"traveller": family.parent.pk, "nights": "3", "first_night": "2027-01-10"}
    parent = family.client_for(family.parent)
    caregiver = family.client_for(family.caregiver)

    assert parent.get(reverse("debrief:set_goal")).status_code == 405
    assert parent.get(reverse("debrief:drop_goal", args=[goal.pk])).status_code == 405
    assert caregiver.post(reverse("debrief:set_goal"), data).status_code == 403
    assert caregiver.post(reverse("debrief:drop_goal", args=[goal.pk])).status_code == 403
    # Insights, goals with them, are the parents' page.
    assert caregiver.get(reverse("debrief:insights")).status_code == 403
    assert "Goal: Pat, 2 nights away from 20 Dec" in plain(insights(parent))
    assert list(Goal.objects.values_list("pk", "dropped_at")) == [(goal.pk, None)]


def test_an_outsider_cannot_drop_the_familys_goal(family, goal):
    outsider = family.client_for(family.outsider)

    response = outsider.post(reverse("debrief:drop_goal", args=[goal.pk]))

    assert response.status_code == 404
    goal.refresh_from_db()
    assert goal.dropped_at is None
    assert "Goal:" not in plain(insights(outsider))


def test_a_goal_for_the_outsiders_household_names_only_its_parents(family):
    """An outsider setting a goal with this family's parent as traveller is refused."""
    outsider = family.client_for(family.outsider)

    response = outsider.post(
        reverse("debrief:set_goal"),
        {"traveller": family.parent.pk, "nights": "2", "first_night": "2026-12-20"},
        follow=True,
    )

    assert "Who goes Select a valid choice." in text(response)
    assert not Goal.objects.exists()


def test_new_foods_follow_each_new_entry_delete_and_edit(family, foods_trip):
    """The first tries are cached under the state of the new-food entries: a new
    entry, a deleted one and an edited one each show at once."""
    client = family.client_for(family.parent)
    assert "Maya: figs" not in " ".join(new_foods(insights(client)))

    log_new_food(foods_trip, family.child, "mango", ny(2026, 11, 5, 9))
    assert new_foods(insights(client))[0] == "Maya: mango · 5 Nov 2026 Add to likes"

    mango = JournalEntry.objects.get(details__food="mango")
    JournalEntry.objects.filter(pk=mango.pk).update(
        deleted_at=timezone.now(), version=mango.version + 1
    )
    assert "mango" not in " ".join(new_foods(insights(client)))

    first_kiwi = JournalEntry.objects.get(details__food="kiwi")
    JournalEntry.objects.filter(pk=first_kiwi.pk).update(
        details={"food": "papaya"}, version=first_kiwi.version + 1
    )
    foods = new_foods(insights(client))
    assert "Maya: papaya · 5 Nov 2026 Add to likes" in foods
    assert "Maya: Kiwi · 6 Nov 2026 Add to likes" in foods  # the second try, as spelled
