"""The prep pages: the household's checklist, each trip's prep plan and packing list, and
today's prep across trips. For each view: what works, the wrong method, the wrong role, an
outsider, and bad input (a 422 with the message next to the field, nothing saved)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from homefront.accounts.models import User
from homefront.households.models import Household
from homefront.prep.models import Category
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.prep.models import TemplateItem
from homefront.prep.models import Who
from homefront.testing.households import add_parent
from homefront.testing.pages import field_error
from homefront.testing.pages import query_counts
from homefront.testing.pages import text
from homefront.testing.trips import make_trip
from homefront.testing.trips import outsiders_trip
from homefront.testing.trips import trip_to
from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# Monday 2 November 2026, 9:00 in the household's New York.
NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
TODAY = date(2026, 11, 2)
# The trip leaves Thursday 5 November at 9:00 and is back Sunday evening: 3 nights.
DEPARTURE = date(2026, 11, 5)
LEAVES, BACK = ny(2026, 11, 5, 9), ny(2026, 11, 8, 18)
NIGHTS = [date(2026, 11, 5), date(2026, 11, 6), date(2026, 11, 7)]
LONG = "x" * 10_000
LISBON = "Europe/Lisbon"


def in_charge(family: Any, *trips: Trip) -> None:
    """The caregiver named for the first night of each trip: a trip's prep is theirs to
    see and tick only then (a trip they cover no night of is a 404 to them)."""
    for trip in trips:
        Cover.objects.update_or_create(
            household=family.household,
            night=trip.nights_list[0],
            defaults={"member": family.caregiver, "contact": None},
        )


def add_task(trip: Trip, title: str, due_on: date, **extra: Any) -> PrepTask:
    return PrepTask.objects.create(trip=trip, title=title, due_on=due_on, **extra)


@pytest.fixture
def parent(family) -> Client:
    return family.client_for(family.parent)


@pytest.fixture
def caregiver(family) -> Client:
    return family.client_for(family.caregiver)


@pytest.fixture
def outsider(family) -> Client:
    return family.client_for(family.outsider)


@pytest.fixture
def trip(family) -> Trip:
    return trip_to(family, "Lisbon", LISBON, LEAVES, BACK)


@pytest.fixture
def task(trip) -> PrepTask:
    return add_task(trip, "Water the plants", date(2026, 11, 3))


@pytest.fixture
def packing_item(trip) -> PackingItem:
    return PackingItem.objects.create(trip=trip, name="Raincoat", per_night=0, extra=1, position=99)


@pytest.fixture
def template_item(family) -> TemplateItem:
    return TemplateItem.objects.create(
        household=family.household,
        title="Book the dog sitter",
        category=Category.HOME,
        essential=True,
        days_before=5,
    )


@pytest.fixture
def objects(trip, task, packing_item, template_item) -> dict[str, Any]:
    return {"trip": trip, "task": task, "item": packing_item, "template_item": template_item}


# -- Reading pages ---------------------------------------------------------------------


def assert_rejected(response, field: str, message: str) -> None:
    """A 422 whose form shows the message under the field, and the field marked invalid."""
    assert response.status_code == 422, response.content[:500]
    body = response.content.decode()
    assert "Nothing was saved yet." in body
    assert message in field_error(response, field), field_error(response, field)
    errors = re.findall(r'<small class="error" id="id_(\w+)_errors">', body)
    assert errors == [field], f"errors shown for {errors}, expected only {field}"
    control = re.search(rf'<(?:input|select|textarea)[^>]*name="{field}"[^>]*>', body)
    assert control, f"no control for {field}"
    assert 'aria-invalid="true"' in control[0]
    assert f'aria-describedby="id_{field}_errors"' in control[0]


def refusal(field: str, value: Any, message: str, name: str) -> Any:
    """A parametrization of a bad value for one field (None leaves the field out) and the
    message shown under it."""
    return pytest.param({field: value}, field, message, id=name)


def assert_refused(client: Client, url: str, data: dict[str, Any], field: str, message: str) -> Any:
    """Posting `data` is rejected (see assert_rejected) and nothing is saved."""
    before = rows()
    response = client.post(url, data)
    assert_rejected(response, field, message)
    assert rows() == before
    return response


def pages(url: str, *clients: Client) -> Iterator[tuple[Any, str]]:
    """`url` as each client gets it (a 200): the response and its text."""
    for client in clients:
        response = client.get(url)
        assert response.status_code == 200
        yield response, text(response)


def assert_only_the_parent_is_offered(parent: Client, caregiver: Client, page: str, link: str):
    """The page links to `link` for the parent and not for the caregiver."""
    assert link in parent.get(page).content.decode()
    assert link not in caregiver.get(page).content.decode()


def rows() -> dict[str, list[dict[str, Any]]]:
    """Every prep row, and the trips: to check that nothing was saved."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (TemplateItem, PrepTask, PackingItem, Trip, Household)
    }


def section_of(response, title: str) -> str:
    """The id of the day heading a task is listed under on the trip's prep page."""
    body = response.content.decode()
    for section in body.split("<section")[1:]:
        if title in html.unescape(section):
            return re.search(r'aria-labelledby="([^"]+)"', section)[1]  # type: ignore[index]
    raise AssertionError(f"{title} is on no day")


# -- Who may do what, for every prep view ------------------------------------------------

# name, the object in its URL, whether it takes only POST
PARENT_ONLY = [
    ("template_item_create", None, False),
    ("template_item_edit", "template_item", False),
    ("template_item_delete", "template_item", False),
    ("make_optional", "template_item", True),
    ("task_create", "trip", False),
    ("task_edit", "task", False),
    ("task_delete", "task", False),
    ("needed", "task", True),
    ("packing_add", "trip", True),
    ("toggle_packed", "item", True),
    ("remove_packing_item", "item", True),
]
MEMBERS = [
    ("today", None, False),
    ("template", None, False),
    ("trip", "trip", False),
    ("packing", "trip", False),
    ("tick", "task", True),
]
POST_ONLY = [(name, obj) for name, obj, post_only in PARENT_ONLY + MEMBERS if post_only]
WITH_OBJECT = [(name, obj) for name, obj, _ in PARENT_ONLY + MEMBERS if obj]
# What each POST would send for the request to succeed for a parent.
PAYLOADS: dict[str, dict[str, Any]] = {
    "template_item_create": {
        "title": "Probe",
        "category": "home",
        "days_before": "2",
        "who": "anyone",
        "trip_kinds": ["planned"],
        "per_night": "0",
        "extra": "1",
    },
    "task_create": {"title": "Probe", "due_on": "2026-11-04", "who": "anyone"},
    "needed": {"needed": "no"},
    "packing_add": {"name": "Probe", "per_night": "1", "extra": "0"},
    "toggle_packed": {"packed": "1"},
    "tick": {"done": "1"},
}
PAYLOADS["template_item_edit"] = PAYLOADS["template_item_create"]
PAYLOADS["task_edit"] = PAYLOADS["task_create"]


def url_of(name: str, obj: Any = None) -> str:
    return reverse(f"prep:{name}", args=[obj.pk] if obj is not None else [])


@pytest.mark.parametrize(("name", "obj", "post_only"), PARENT_ONLY, ids=[p[0] for p in PARENT_ONLY])
def test_a_caregiver_is_refused_parent_only_views(family, caregiver, objects, name, obj, post_only):
    in_charge(family, objects["trip"])
    url = url_of(name, objects.get(obj))
    before = rows()
    for headers in ({}, {"HX-Request": "true"}):
        # A trip's POST-only view turns a GET away before it looks the trip up, for
        # everyone; the checklist's asks the policy first.
        expected = 405 if post_only and obj != "template_item" else 403
        assert caregiver.get(url, headers=headers).status_code == expected
        response = caregiver.post(url, PAYLOADS.get(name, {}), headers=headers)
        assert response.status_code == 403
    assert rows() == before


@pytest.mark.parametrize(("name", "obj", "post_only"), PARENT_ONLY, ids=[p[0] for p in PARENT_ONLY])
def test_the_same_request_works_for_a_parent(parent, objects, name, obj, post_only):
    """The control for the 403s above: they are the role's doing, not the request's."""
    response = parent.post(url_of(name, objects.get(obj)), PAYLOADS.get(name, {}))
    assert response.status_code == 302, response.content[:500]


@pytest.mark.parametrize(("name", "obj"), POST_ONLY, ids=[p[0] for p in POST_ONLY])
def test_post_only_views_turn_a_get_away(parent, objects, name, obj):
    before = rows()
    response = parent.get(url_of(name, objects[obj]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert rows() == before


@pytest.mark.parametrize(("name", "obj"), WITH_OBJECT, ids=[p[0] for p in WITH_OBJECT])
def test_an_outsider_gets_404_for_the_familys_objects(outsider, objects, name, obj):
    url = url_of(name, objects[obj])
    before = rows()
    response = outsider.post(url, PAYLOADS.get(name, {}))
    assert response.status_code == 404
    assert "Lisbon" not in text(response)
    response = outsider.get(url)
    assert response.status_code == (405 if (name, obj) in POST_ONLY else 404)
    assert rows() == before


@pytest.mark.parametrize("name", ["today", "template"])
def test_an_outsider_sees_only_their_own_prep(family, outsider, trip, template_item, name):
    response = outsider.get(url_of(name))
    assert response.status_code == 200
    body = text(response)
    assert "The Others" in body
    for mine in ("Lisbon", "Book the dog sitter", "Pat"):
        # Whole words: a random CSRF token in the page may hold the letters "Pat".
        assert not re.search(rf"\b{re.escape(mine)}\b", body)


@pytest.mark.parametrize(("name", "obj", "post_only"), MEMBERS, ids=[m[0] for m in MEMBERS])
def test_anonymous_is_sent_to_sign_in(objects, name, obj, post_only):
    url = url_of(name, objects.get(obj))
    response = Client().post(url, PAYLOADS.get(name, {}))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# -- The checklist template ---------------------------------------------------------------


def changed(form: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """A form's data with `changes` made; a change to None leaves the field out."""
    data = {**form, **changes}
    return {key: value for key, value in data.items() if value is not None}


CHECKLIST_FORM = {
    "title": "Book the cat sitter",
    "category": "home",
    "essential": "on",
    "days_before": "6",
    "who": "stays",
    "trip_kinds": ["planned", "work"],
    "per_night": "0",
    "extra": "1",
}


def checklist_data(**changes: Any) -> dict[str, Any]:
    return changed(CHECKLIST_FORM, changes)


def test_members_see_the_checklist_and_only_a_parent_may_change_it(
    family, parent, caregiver, template_item
):
    for client in (parent, caregiver):
        response = client.get(reverse("prep:template"))
        assert response.status_code == 200
        body = text(response)
        assert "Book the dog sitter" in body
        assert "5 days before" in body
        assert "Tell daycare who drops off and picks up" in body  # the default checklist
    edit = reverse("prep:template_item_edit", args=[template_item.pk])
    assert_only_the_parent_is_offered(parent, caregiver, reverse("prep:template"), edit)


def test_parent_adds_a_checklist_item(family, parent):
    url = reverse("prep:template_item_create")
    page = parent.get(url)
    assert page.status_code == 200
    assert "Add to the checklist" in text(page)

    response = parent.post(url, checklist_data(), follow=True)
    assert response.redirect_chain == [(reverse("prep:template"), 302)]
    assert "Added." in text(response)
    item = TemplateItem.objects.get(household=family.household, title="Book the cat sitter")
    assert (item.category, item.essential, item.days_before, item.who) == ("home", True, 6, "stays")
    assert item.trip_kinds == ["planned", "work"]
    assert "Book the cat sitter" in text(response)


def test_an_item_that_is_not_packing_keeps_no_packing_quantities(family, parent):
    response = parent.post(
        reverse("prep:template_item_create"), checklist_data(per_night="3", extra="4")
    )
    assert response.status_code == 302
    item = TemplateItem.objects.get(title="Book the cat sitter")
    assert (item.per_night, item.extra) == (0, 1)


def test_parent_edits_a_checklist_item(family, parent, template_item):
    url = reverse("prep:template_item_edit", args=[template_item.pk])
    page = parent.get(url)
    assert page.status_code == 200
    assert "Edit “Book the dog sitter”" in text(page)
    response = parent.post(url, checklist_data(days_before="0", essential=None))
    assert response.status_code == 302
    assert response["Location"] == reverse("prep:template")
    template_item.refresh_from_db()
    assert template_item.title == "Book the cat sitter"
    assert (template_item.days_before, template_item.essential) == (0, False)


def test_parent_deletes_a_checklist_item_and_planned_tasks_stay(family, parent, template_item):
    trip = trip_to(family, "", LISBON, ny(2026, 11, 20, 9), ny(2026, 11, 22, 9))
    task = trip.prep_tasks.get(template_item=template_item)
    url = reverse("prep:template_item_delete", args=[template_item.pk])
    page = parent.get(url)
    assert page.status_code == 200
    assert "Delete “Book the dog sitter”?" in text(page)

    response = parent.post(url, follow=True)
    assert response.redirect_chain == [(reverse("prep:template"), 302)]
    assert "“Book the dog sitter” deleted." in text(response)
    assert not TemplateItem.objects.filter(pk=template_item.pk).exists()
    task.refresh_from_db()
    assert task.title == "Book the dog sitter"
    assert task.template_item is None


@pytest.mark.parametrize(
    ("name", "obj"),
    [
        pytest.param("template_item_delete", "template_item", id="checklist-item"),
        pytest.param("task_delete", "task", id="task"),
        pytest.param("remove_packing_item", "item", id="packing-item"),
    ],
)
def test_an_htmx_delete_returns_nothing_to_swap_in(parent, objects, name, obj):
    doomed = objects[obj]
    response = parent.post(url_of(name, doomed), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.content == b""
    assert not type(doomed).objects.filter(pk=doomed.pk).exists()


BAD_TITLES = [
    refusal(
        "title", LONG, "Ensure this value has at most 100 characters (it has 10000).", "long-title"
    ),
    refusal("title", "", "This field is required.", "no-title"),
]
BAD_CHECKLIST = [
    refusal("days_before", "-1", "never after departure", "after-departure"),
    refusal("days_before", "31", "At most 30 days ahead; nobody needs more.", "31"),
    refusal("days_before", None, "How many days before leaving?", "none"),
    refusal("trip_kinds", None, "Choose at least one kind of trip.", "no-kind"),
    refusal(
        "trip_kinds",
        ["holiday"],
        "Select a valid choice. holiday is not one of the available choices.",
        "unknown-kind",
    ),
    *BAD_TITLES,
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_CHECKLIST)
def test_a_bad_new_checklist_item_is_refused(family, parent, changes, field, message):
    url = reverse("prep:template_item_create")
    assert_refused(parent, url, checklist_data(**changes), field, message)


@pytest.mark.parametrize(("changes", "field", "message"), BAD_CHECKLIST)
def test_a_bad_checklist_edit_keeps_the_stored_item(
    family, parent, template_item, changes, field, message
):
    url = reverse("prep:template_item_edit", args=[template_item.pk])
    assert_refused(parent, url, checklist_data(**changes), field, message)


def test_the_typed_values_stay_in_a_refused_checklist_form(parent):
    response = parent.post(
        reverse("prep:template_item_create"), checklist_data(days_before="31", title="Keep me")
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'value="Keep me"' in body
    assert re.search(r'<input[^>]*name="days_before"[^>]*value="31"', body)


def back_trip_with(family, template_item: TemplateItem, weeks_ago: int, needed: bool) -> Trip:
    """A trip some weeks back, whose task from the checklist item was marked (not) needed."""
    start = ny(2026, 11, 2, 9) - timedelta(weeks=weeks_ago)
    trip = trip_to(family, "", LISBON, start, start + timedelta(days=2))
    add_task(
        trip,
        template_item.title,
        start.date() - timedelta(days=1),
        template_item=template_item,
        needed=needed,
    )
    return trip


def test_a_parent_makes_an_item_never_needed_optional(family, parent, caregiver, template_item):
    for weeks_ago in (3, 6, 9):
        back_trip_with(family, template_item, weeks_ago, needed=False)
    page = text(parent.get(reverse("prep:template")))
    assert "Not needed on the last three trips." in page
    assert "needed on 0 of 3 trips" in page
    optional = reverse("prep:make_optional", args=[template_item.pk])
    assert optional in page
    assert optional not in text(caregiver.get(reverse("prep:template")))

    response = parent.post(optional, follow=True)
    assert response.redirect_chain == [(reverse("prep:template"), 302)]
    assert "“Book the dog sitter” is optional now." in text(response)
    template_item.refresh_from_db()
    assert template_item.essential is False
    # Still suggested for dropping, but no longer to make optional.
    assert "Not needed on the last three trips." in text(response)
    assert optional not in text(response)


def test_no_suggestion_when_the_item_was_needed_on_one_of_the_last_three_trips(
    family, parent, template_item
):
    back_trip_with(family, template_item, 3, needed=True)
    for weeks_ago in (6, 9, 12):
        back_trip_with(family, template_item, weeks_ago, needed=False)
    page = text(parent.get(reverse("prep:template")))
    assert "needed on 1 of 4 trips" in page
    assert "Not needed on the last three trips." not in page


# -- A trip's prep plan: adding, editing and moving tasks -------------------------------------


TASK_FORM = {
    "title": "Write a note for each night",
    "due_on": "2026-11-04",
    "who": "traveller",
    "give_on": "",
    "notes": "",
}


def task_data(**changes: Any) -> dict[str, Any]:
    return changed(TASK_FORM, changes)


def test_members_see_the_trips_prep_plan(family, parent, caregiver, trip, task):
    in_charge(family, trip)
    for response, body in pages(reverse("prep:trip", args=[trip.pk]), parent, caregiver):
        assert "Water the plants" in body
        assert "Lisbon, leaves Thu 5 Nov" in body
        assert section_of(response, "Water the plants") == "day-2026-11-03"
        # The checklist's essentials were planned for the trip, by the day of leaving.
        assert "Charge phone, laptop and chargers" in body
    add = reverse("prep:task_create", args=[trip.pk])
    assert_only_the_parent_is_offered(parent, caregiver, reverse("prep:trip", args=[trip.pk]), add)
    assert all(task.due_on <= DEPARTURE for task in trip.prep_tasks.all())


def test_the_new_task_form_offers_the_trips_nights(parent, trip):
    response = parent.get(reverse("prep:task_create", args=[trip.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'<input[^>]*name="due_on"[^>]*value="2026-11-02"', body)
    options = re.findall(r'<option value="([^"]*)"', body.split('name="give_on"')[1])
    assert options[:2] == ["", "missed"]
    assert options[2:5] == [night.isoformat() for night in NIGHTS]
    assert "The night of Thursday 5 November" in text(response)


def test_parent_adds_a_prep_task(parent, trip):
    url = reverse("prep:task_create", args=[trip.pk])
    response = parent.post(url, task_data(), follow=True)
    assert response.redirect_chain == [(reverse("prep:trip", args=[trip.pk]), 302)]
    assert "Task added." in text(response)
    task = trip.prep_tasks.get(title="Write a note for each night")
    assert (task.due_on, task.who, task.essential) == (date(2026, 11, 4), Who.TRAVELLER, False)
    assert (task.comfort_night, task.comfort_when_missed) == (None, False)
    assert section_of(response, "Write a note for each night") == "day-2026-11-04"


def test_a_task_may_be_due_on_the_day_of_leaving(parent, trip):
    url = reverse("prep:task_create", args=[trip.pk])
    assert parent.post(url, task_data(due_on="2026-11-05")).status_code == 302
    assert trip.prep_tasks.get(title="Write a note for each night").due_on == DEPARTURE


def test_a_comfort_item_for_a_night_of_the_trip(parent, trip):
    url = reverse("prep:task_create", args=[trip.pk])
    response = parent.post(url, task_data(give_on="2026-11-06"), follow=True)
    assert response.status_code == 200
    task = trip.prep_tasks.get(title="Write a note for each night")
    assert (task.comfort_night, task.comfort_when_missed) == (date(2026, 11, 6), False)
    assert "give on the night of Fri 6 Nov" in text(response)
    # The edit form shows the night chosen.
    edit = parent.get(reverse("prep:task_edit", args=[task.pk])).content.decode()
    assert re.search(r'<option value="2026-11-06" selected>', edit)


def test_a_comfort_item_for_when_they_miss_you(parent, trip):
    url = reverse("prep:task_create", args=[trip.pk])
    response = parent.post(url, task_data(give_on="missed"), follow=True)
    task = trip.prep_tasks.get(title="Write a note for each night")
    assert (task.comfort_night, task.comfort_when_missed) == (None, True)
    assert "for when they miss you" in text(response)
    edit = parent.get(reverse("prep:task_edit", args=[task.pk])).content.decode()
    assert re.search(r'<option value="missed" selected>', edit)


BAD_TASKS = [
    refusal(
        "due_on", "2026-11-06", "Prep is done by the day of leaving (Thu 5 Nov).", "after-departure"
    ),
    refusal("due_on", "", "This field is required.", "no-date"),
    refusal("due_on", "2026-02-30", "Enter a valid date.", "no-such-day"),
    refusal(
        "give_on",
        "2026-11-09",
        "Select a valid choice. 2026-11-09 is not one of the available choices.",
        "not-a-night-of-the-trip",
    ),
    *BAD_TITLES,
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_TASKS)
def test_a_bad_new_task_is_refused(parent, trip, changes, field, message):
    url = reverse("prep:task_create", args=[trip.pk])
    assert_refused(parent, url, task_data(**changes), field, message)


@pytest.mark.parametrize(("changes", "field", "message"), BAD_TASKS)
def test_a_bad_task_edit_keeps_the_stored_task(parent, task, changes, field, message):
    task.comfort_night = date(2026, 11, 6)
    task.save()
    url = reverse("prep:task_edit", args=[task.pk])
    assert_refused(parent, url, task_data(**changes), field, message)


def test_parent_moves_a_task_to_another_day(parent, trip, task):
    url = reverse("prep:task_edit", args=[task.pk])
    page = parent.get(url)
    assert page.status_code == 200
    assert re.search(r'<input[^>]*name="due_on"[^>]*value="2026-11-03"', page.content.decode())

    data = task_data(title="Water the plants", due_on="2026-11-05", who="anyone")
    response = parent.post(url, data, follow=True)
    assert response.redirect_chain == [(reverse("prep:trip", args=[trip.pk]), 302)]
    assert "Saved." in text(response)
    task.refresh_from_db()
    assert task.due_on == DEPARTURE
    assert section_of(response, "Water the plants") == "day-2026-11-05"


def test_a_comfort_night_changed_to_when_missed_drops_the_night(parent, task):
    task.comfort_night = date(2026, 11, 6)
    task.save()
    url = reverse("prep:task_edit", args=[task.pk])
    response = parent.post(url, task_data(title="Water the plants", give_on="missed"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.comfort_night, task.comfort_when_missed) == (None, True)
    response = parent.post(url, task_data(title="Water the plants", give_on=""))
    task.refresh_from_db()
    assert (task.comfort_night, task.comfort_when_missed) == (None, False)


def test_parent_deletes_a_task(parent, trip, task):
    url = reverse("prep:task_delete", args=[task.pk])
    page = parent.get(url)
    assert page.status_code == 200
    assert "Delete “Water the plants”?" in text(page)
    response = parent.post(url, follow=True)
    assert response.redirect_chain == [(reverse("prep:trip", args=[trip.pk]), 302)]
    assert "“Water the plants” deleted." in text(response)
    assert not PrepTask.objects.filter(pk=task.pk).exists()


def test_a_task_of_another_trip_cannot_be_added_through_its_form(family, parent, trip):
    """The trip comes from the URL; a trip id in the form is ignored."""
    other = trip_to(family, "", LISBON, ny(2026, 11, 20, 9), ny(2026, 11, 22, 9))
    url = reverse("prep:task_create", args=[trip.pk])
    assert parent.post(url, task_data(trip=str(other.pk))).status_code == 302
    assert PrepTask.objects.get(title="Write a note for each night").trip == trip


def test_an_outsider_cannot_add_a_task_to_the_familys_trip(family, outsider, trip):
    """Even though a form of their own would be valid."""
    before = rows()
    response = outsider.post(reverse("prep:task_create", args=[trip.pk]), task_data())
    assert response.status_code == 404
    assert rows() == before


# -- Ticking tasks ------------------------------------------------------------------------


def row_html(response) -> str:
    return response.content.decode().strip()


def test_a_caregiver_ticks_a_task_and_htmx_gets_the_row(family, caregiver, task):
    in_charge(family, task.trip)
    url = reverse("prep:tick", args=[task.pk])
    response = caregiver.post(url, {"done": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = row_html(response)
    row, _, progress = body.partition("</li>")
    row += "</li>"
    assert row.startswith(f'<li id="task-{task.pk}" class="task is-done">')
    assert "<html" not in body
    # The trip's progress comes along, swapped in out of band: 1 of the trip's tasks done.
    done = PrepTask.objects.filter(trip=task.trip, done_at__isnull=False).count()
    total = PrepTask.objects.filter(trip=task.trip).count()
    assert f'id="progress-{task.trip_id}"' in progress
    assert 'data-hx-swap-oob="true"' in progress
    assert f"{done} of {total} done" in progress
    assert 'aria-pressed="true"' in row
    assert '<input type="hidden" name="done" value="0">' in row
    assert "Mark “Water the plants” not done" in html.unescape(row)
    task.refresh_from_db()
    assert task.done_at == NOW
    assert task.done_by == family.caregiver


def test_ticking_without_htmx_goes_back_to_the_plan(parent, trip, task):
    response = parent.post(reverse("prep:tick", args=[task.pk]), {"done": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("prep:trip", args=[trip.pk])
    task.refresh_from_db()
    assert task.done


def test_two_people_ticking_at_once_both_see_it_done(family, parent, caregiver, task, frozen_time):
    in_charge(family, task.trip)
    url = reverse("prep:tick", args=[task.pk])
    first = parent.post(url, {"done": "1"}, headers={"HX-Request": "true"})
    frozen_time.shift(timedelta(seconds=40))
    second = caregiver.post(url, {"done": "1"}, headers={"HX-Request": "true"})
    for response in (first, second):
        assert response.status_code == 200
        assert 'class="task is-done"' in row_html(response)
        assert "error" not in row_html(response).lower()
    task.refresh_from_db()
    assert task.done_at == NOW  # the second tick changed nothing
    assert task.done_by == family.parent
    again = parent.post(url, {"done": "1"})
    assert again.status_code == 302
    task.refresh_from_db()
    assert task.done_at == NOW


def test_unticking_a_task(parent, task):
    url = reverse("prep:tick", args=[task.pk])
    parent.post(url, {"done": "1"})
    response = parent.post(url, {"done": "0"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    row = row_html(response)
    assert row.startswith(f'<li id="task-{task.pk}" class="task">')
    assert 'aria-pressed="false"' in row
    task.refresh_from_db()
    assert (task.done_at, task.done_by) == (None, None)
    # Unticking twice is no error either.
    assert parent.post(url, {"done": "0"}, headers={"HX-Request": "true"}).status_code == 200


def test_ticking_a_task_of_another_household_is_404(family, parent):
    other_trip = outsiders_trip(family, LISBON, LEAVES, BACK)
    theirs = add_task(other_trip, "Their task", date(2026, 11, 3))
    for done in ("1", "0"):
        for headers in ({}, {"HX-Request": "true"}):
            response = parent.post(
                reverse("prep:tick", args=[theirs.pk]), {"done": done}, headers=headers
            )
            assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.done_at is None


# -- Needed or not, once the trip is over -----------------------------------------------------


@pytest.fixture
def back_task(family) -> PrepTask:
    trip = trip_to(family, "", LISBON, ny(2026, 10, 20, 9), ny(2026, 10, 23, 18))
    return add_task(trip, "Tidy the garage", date(2026, 10, 19))


def test_a_parent_marks_what_was_needed(parent, back_task):
    page = text(parent.get(reverse("prep:trip", args=[back_task.trip_id])))
    assert "The trip is over. Mark what was really needed" in page
    url = reverse("prep:needed", args=[back_task.pk])
    assert url in page

    response = parent.post(url, {"needed": "no"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    row = row_html(response)
    assert row.startswith(f'<li id="task-{back_task.pk}"')
    assert re.search(r'aria-pressed="true">Not needed<', row)
    back_task.refresh_from_db()
    assert back_task.needed is False

    response = parent.post(url, {"needed": "yes"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#task-{back_task.pk}")
    back_task.refresh_from_db()
    assert back_task.needed is True

    parent.post(url, {"needed": "maybe"})
    back_task.refresh_from_db()
    assert back_task.needed is None


def test_a_caregiver_may_not_mark_what_was_needed(family, caregiver, back_task):
    in_charge(family, back_task.trip)
    page = text(caregiver.get(reverse("prep:trip", args=[back_task.trip_id])))
    assert "Mark what was really needed" not in page
    url = reverse("prep:needed", args=[back_task.pk])
    assert url not in page
    for headers in ({}, {"HX-Request": "true"}):
        assert caregiver.post(url, {"needed": "no"}, headers=headers).status_code == 403
    back_task.refresh_from_db()
    assert back_task.needed is None


# -- Packing ----------------------------------------------------------------------------------


def test_members_see_the_packing_list_with_quantities_for_the_trip(family, parent, caregiver, trip):
    in_charge(family, trip)
    for _, body in pages(reverse("prep:packing", args=[trip.pk]), parent, caregiver):
        assert "3 nights" in body
        assert "Underwear <strong>× 4</strong>" in body  # 1 per night + 1
        assert "Pyjamas</span>" in body  # just one: no count
        assert "0 of 8 packed" in body
    add = reverse("prep:packing_add", args=[trip.pk])
    page = reverse("prep:packing", args=[trip.pk])
    assert_only_the_parent_is_offered(parent, caregiver, page, add)


def test_parent_adds_a_packing_item(parent, trip):
    last = trip.packing_items.order_by("position").last()
    response = parent.post(
        reverse("prep:packing_add", args=[trip.pk]),
        {"name": "Swimsuit", "per_night": "2", "extra": "1"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("prep:packing", args=[trip.pk]), 302)]
    assert "Swimsuit <strong>× 7</strong>" in text(response)  # 2 × 3 nights + 1
    item = trip.packing_items.get(name="Swimsuit")
    assert (item.per_night, item.extra, item.packed) == (2, 1, False)
    assert item.position == last.position + 1
    assert text(response).index("Underwear") < text(response).index("Swimsuit")


def test_the_first_packing_item_of_an_empty_list(family, parent, trip):
    trip.packing_items.all().delete()
    assert "Nothing on the list yet." in text(parent.get(reverse("prep:packing", args=[trip.pk])))
    parent.post(
        reverse("prep:packing_add", args=[trip.pk]), {"name": "Hat", "per_night": "0", "extra": "1"}
    )
    assert trip.packing_items.get().position == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        refusal("name", "", "This field is required.", "no-name"),
        refusal(
            "name",
            LONG,
            "Ensure this value has at most 100 characters (it has 10000).",
            "long-name",
        ),
        refusal(
            "per_night", "11", "Ensure this value is less than or equal to 10.", "per-night-11"
        ),
        refusal("extra", "-1", "Ensure this value is greater than or equal to 0.", "neg"),
    ],
)
def test_a_bad_packing_item_is_refused(parent, trip, changes, field, message):
    data = {"name": "Swimsuit", "per_night": "1", "extra": "1", **changes}
    response = assert_refused(
        parent, reverse("prep:packing_add", args=[trip.pk]), data, field, message
    )
    assert "Underwear" in text(response)  # the list is still shown around the form


def test_toggling_packed_with_htmx_returns_the_row(parent, packing_item):
    url = reverse("prep:toggle_packed", args=[packing_item.pk])
    response = parent.post(url, {"packed": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    row = row_html(response)
    assert row.startswith(f'<li id="item-{packing_item.pk}" class="is-done">')
    assert row.endswith("</li>")
    assert "<html" not in row
    assert '<input type="hidden" name="packed" value="0">' in row
    packing_item.refresh_from_db()
    assert packing_item.packed is True

    response = parent.post(url, {"packed": "0"}, headers={"HX-Request": "true"})
    assert row_html(response).startswith(f'<li id="item-{packing_item.pk}" class="">')
    packing_item.refresh_from_db()
    assert packing_item.packed is False


def test_toggling_packed_without_htmx_goes_back_to_the_list(parent, trip, packing_item):
    response = parent.post(reverse("prep:toggle_packed", args=[packing_item.pk]), {"packed": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("prep:packing", args=[trip.pk])
    assert "1 of 9 packed" in text(parent.get(reverse("prep:packing", args=[trip.pk])))


def test_removing_a_packing_item_without_htmx_goes_back_to_the_list(parent, trip, packing_item):
    response = parent.post(reverse("prep:remove_packing_item", args=[packing_item.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("prep:packing", args=[trip.pk])
    assert not PackingItem.objects.filter(pk=packing_item.pk).exists()


# -- Today's prep ---------------------------------------------------------------------------


def progress_bars(response) -> list[tuple[str, str]]:
    return re.findall(r'<progress value="(\d+)" max="(\d+)"', response.content.decode())


def bare_trip(family, start: datetime, end: datetime, destination: str) -> Trip:
    """A trip with only the tasks a test gives it."""
    trip = trip_to(family, destination, LISBON, start, end)
    trip.prep_tasks.all().delete()
    return trip


def test_today_shows_todays_tasks_across_trips_and_what_is_late(family, parent, caregiver):
    lisbon = bare_trip(family, LEAVES, BACK, destination="Lisbon")
    add_task(lisbon, "Buy sunscreen", TODAY)
    add_task(lisbon, "Print the tickets", TODAY, done_at=NOW, done_by=family.parent)
    add_task(lisbon, "Pack the bag", date(2026, 11, 4))
    berlin = bare_trip(family, ny(2026, 11, 12, 9), ny(2026, 11, 14, 18), destination="Berlin")
    add_task(berlin, "Call the daycare", date(2026, 10, 31))
    add_task(berlin, "Renew the passport", date(2026, 10, 30), done_at=NOW)
    # Neither a trip under way nor a cancelled one.
    away = bare_trip(family, ny(2026, 10, 31, 9), ny(2026, 11, 3, 9), destination="Away now")
    add_task(away, "Away trip task", TODAY)
    cancelled = bare_trip(family, ny(2026, 11, 20, 9), ny(2026, 11, 22, 9), destination="Off")
    cancelled.cancelled_at = NOW
    cancelled.save()
    add_task(cancelled, "Cancelled trip task", TODAY)
    in_charge(family, lisbon, berlin, away, cancelled)

    for client in (parent, caregiver):
        response = client.get(reverse("prep:today"))
        assert response.status_code == 200
        body = text(response)
        assert "Monday 2 November" in body
        arrow = '<span class="dir-arrow" role="img" aria-label="to">→</span>'
        assert f"Pat {arrow} Lisbon</a>, leaves Thu 5 Nov" in body
        assert f"Pat {arrow} Berlin</a>, leaves Thu 12 Nov" in body
        assert progress_bars(response) == [("1", "3"), ("1", "2")]
        late, today = body.split("Still to do from earlier")[1].split(">Today</h2>")
        assert "Call the daycare" in late
        assert "Buy sunscreen" not in late
        assert "Buy sunscreen" in today
        assert "Print the tickets" in today  # done today, still shown, ticked
        for elsewhere in ("Pack the bag", "Renew the passport", "Away trip task", "Cancelled"):
            assert elsewhere not in body
        assert "You are on track" not in body


def test_today_is_calm_when_nothing_is_late(family, parent):
    lisbon = bare_trip(family, LEAVES, BACK, destination="Lisbon")
    add_task(lisbon, "Call the daycare", date(2026, 10, 31), done_at=NOW)
    add_task(lisbon, "Buy sunscreen", TODAY)
    response = parent.get(reverse("prep:today"))
    body = text(response)
    assert "You are on track: nothing is late." in body
    assert "Still to do from earlier" not in body
    assert "Nothing to do today" not in body
    assert "Buy sunscreen" in body
    assert progress_bars(response) == [("1", "2")]


def test_today_with_nothing_to_do(family, parent):
    lisbon = bare_trip(family, LEAVES, BACK, destination="Lisbon")
    add_task(lisbon, "Pack the bag", date(2026, 11, 4))
    body = text(parent.get(reverse("prep:today")))
    assert "You are on track: nothing is late. Nothing to do today — enjoy it." in body


def test_today_follows_the_households_day(family, parent, frozen_time):
    """At 23:30 in New York it is already tomorrow in UTC; prep is still today's."""
    lisbon = bare_trip(family, LEAVES, BACK, destination="Lisbon")
    add_task(lisbon, "Buy sunscreen", TODAY)
    frozen_time.move_to(datetime(2026, 11, 3, 4, 30, tzinfo=UTC))
    body = text(parent.get(reverse("prep:today")))
    assert "Monday 2 November" in body
    assert "Buy sunscreen" in body.split(">Today</h2>")[1]


def test_today_without_a_trip(family, parent, caregiver):
    response = parent.get(reverse("prep:today"))
    assert "No trip coming up, so nothing to prepare." in text(response)
    assert reverse("trips:create") in response.content.decode()
    response = caregiver.get(reverse("prep:today"))
    assert "No trip coming up" in text(response)
    assert reverse("trips:create") not in response.content.decode()


# -- A fixed number of queries, however many trips and tasks ----------------------------------


def add_trips(family, second: User, count: int, tasks: int, packing: int) -> list[Trip]:
    """`count` trips from Thursday on, alternating travellers, each with `tasks` tasks (late,
    today, coming; some done, some marked, some comfort items) and `packing` items."""
    templates = list(TemplateItem.objects.in_household(family.household).tasks())
    trips = []
    for number in range(count):
        start = ny(2026, 11, 5, 9) + timedelta(days=3 * number)
        trip = make_trip(
            family.household,
            second if number % 2 else family.parent,
            start,
            start + timedelta(days=2),
            destination_zone="Europe/Lisbon",
            destination=f"Place {number}",
        )
        trip.prep_tasks.all().delete()
        trip.packing_items.all().delete()
        days = [date(2026, 10, 31), TODAY, date(2026, 11, 3), start.date()]
        PrepTask.objects.bulk_create(
            PrepTask(
                trip=trip,
                template_item=templates[index % len(templates)],
                title=f"Task {number}.{index}",
                due_on=days[index % len(days)],
                who=list(Who)[index % 3],
                essential=index % 2 == 0,
                done_at=NOW if index % 3 == 0 else None,
                done_by=family.caregiver if index % 3 == 0 else None,
                needed=[None, True, False][index % 3],
                comfort_night=trip.nights_list[0] if index % 5 == 1 else None,
                comfort_when_missed=index % 5 == 2,
            )
            for index in range(tasks)
        )
        PackingItem.objects.bulk_create(
            PackingItem(trip=trip, name=f"Item {index}", per_night=index % 3, packed=index % 2 == 0)
            for index in range(packing)
        )
        trips.append(trip)
    return trips


def prep_pages(trip: Trip) -> list[str]:
    """The trip's prep plan, today's prep, the trip's packing list and the checklist."""
    return [
        reverse("prep:trip", args=[trip.pk]),
        reverse("prep:today"),
        reverse("prep:packing", args=[trip.pk]),
        reverse("prep:template"),
    ]


@pytest.mark.parametrize("role", ["parent", "caregiver"])
def test_prep_pages_query_count_does_not_grow_with_trips_or_tasks(family, role):
    second = add_parent(family)
    client = family.client_for(getattr(family, role))
    (first,) = add_trips(family, second, 1, tasks=5, packing=5)
    in_charge(family, first)
    urls = prep_pages(first)
    with_one = query_counts(client, urls)

    PrepTask.objects.all().delete()
    PackingItem.objects.all().delete()
    Trip.objects.all().delete()
    trips = add_trips(family, second, 20, tasks=40, packing=40)
    in_charge(family, *trips)
    first = trips[0]
    urls = prep_pages(first)
    with_many = query_counts(client, urls)
    assert list(with_many.values()) == list(with_one.values()), (with_one, with_many)

    # The pages did show the many trips and tasks.
    assert PrepTask.objects.count() == 800
    assert len(progress_bars(client.get(reverse("prep:today")))) == 20
    assert text(client.get(urls[0])).count('<li id="task-') == 40
    assert text(client.get(urls[2])).count('<li id="item-') == 40
    assert "Sam" in text(client.get(reverse("prep:trip", args=[trips[1].pk])))
