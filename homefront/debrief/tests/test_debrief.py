"""A trip's debrief: what happened against the plan (baths, bedtimes, meals, new foods,
medicines), which comfort items were used, which prep was really needed, and the family's
reflection. The demo's story first, then hand-made journals, bad input, and a query count
that does not grow with the journal."""

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
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from homefront.accounts.models import User
from homefront.debrief.models import BackToRoutine
from homefront.debrief.models import Reflection
from homefront.households.models import Child
from homefront.households.models import Routine
from homefront.households.models import RoutineKind
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.prep.models import PrepTask
from homefront.testing.journal import unsaved
from homefront.testing.pages import plain
from homefront.testing.pages import section
from homefront.testing.pages import text
from homefront.testing.prep import comfort
from homefront.testing.trips import outsiders_trip
from homefront.testing.trips import trip_to
from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# Tuesday 17 November 2026, 9:00 in New York: the trip below came back on Saturday.
NOW = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")


# -- Reading the page -------------------------------------------------------------------


def child_facts(body: str, name: str) -> dict[str, str]:
    """A child's facts on the debrief: "Baths" -> "0 given of 2 planned — …"."""
    for article in re.findall(r'<article class="debrief-child">(.*?)</article>', body, re.DOTALL):
        if f"<h2>{name}</h2>" in article:
            facts = re.search(r"<dl[^>]*>(.*?)</dl>", article, re.DOTALL)
            assert facts
            return {
                plain(dt): plain(dd)
                for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", facts[1], re.DOTALL)
            }
    raise AssertionError(f"no debrief for {name}")


def comfort_items(body: str) -> dict[str, str]:
    """Comfort items and how they were used: title -> "used 1×" / "prepared, not used"."""
    return {
        plain(title): plain(badge)
        for title, badge in re.findall(
            r'<li><span class="grow">(.*?)</span><span class="badge[^"]*">(.*?)</span></li>',
            section(body, "Comfort items"),
            re.DOTALL,
        )
    }


def task_row(body: str, title: str) -> str:
    rows = [
        row
        for row in re.findall(r'<li id="task-\d+".*?</li>', body, re.DOTALL)
        if f'<span class="task-title">{title}</span>' in row
    ]
    assert len(rows) == 1, f"{len(rows)} rows for {title!r}"
    return rows[0]


def pressed(row: str) -> dict[str, str]:
    """The state of a prep row's two buttons: {"Needed": "false", "Not needed": "true"}."""
    return dict(
        (label, state)
        for state, label in re.findall(r'aria-pressed="(true|false)">(Needed|Not needed)<', row)
    )


def field_error(body: str, name: str) -> str:
    match = re.search(rf'<small class="error" id="id_{name}_errors">(.*?)</small>', body, re.DOTALL)
    return match[1] if match else ""


# -- The demo: the founding story's trip --------------------------------------------------


@pytest.fixture
def demo(story):
    """The demo's story (conftest), with Rachel signed in."""
    household, trip, rachel = story
    client = Client()
    client.force_login(rachel)
    return household, trip, client


def test_the_demos_debrief_shows_the_facts_of_the_story(demo):
    household, story, client = demo

    response = client.get(reverse("debrief:trip", args=[story.pk]))

    assert response.status_code == 200
    body = text(response)
    assert "not over yet" not in body
    assert "Nothing was logged" not in body
    # Thursday morning to Sunday night: four days of the girls' routines.
    first, last = story.local_start.date(), story.local_end.date()
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    assert [day.strftime("%a") for day in days] == ["Thu", "Fri", "Sat", "Sun"]
    for girl in household.children.all():
        bath = Routine.objects.get(child=girl, kind=RoutineKind.BATH)
        assert bath.every_n_days == 2
        planned = sum(
            1
            for day in days
            if bath.weekdays & (1 << day.weekday())
            and (day - bath.starts_on).days % bath.every_n_days == 0
        )
        assert planned == 2  # every other day, four days
        facts = child_facts(body, girl.name)
        assert facts["Baths"] == f"0 given of {planned} planned — no bath in 4 days"
        assert facts["New foods"] == "raw currants"
        assert facts["Meals logged"] == "7"  # no breakfast with dad on the first morning
        assert facts["Incidents"] == "0"
    maya, noa = child_facts(body, "Maya"), child_facts(body, "Noa")
    # Asleep at 19:40 (usual 19:30) and 19:05 (usual 19:00) on each of three evenings.
    assert maya["Bedtime"] == "10 min later than usual on average"
    assert noa["Bedtime"] == "5 min later than usual on average"
    assert maya["Medicines"] == "4 given of 4 due"
    assert "Medicines" not in noa  # only an as-needed medicine: nothing is due
    assert (maya["Missed the parent"], noa["Missed the parent"]) == ("0 times", "1 time")

    # The presents and the cards: prepared, never needed.
    assert comfort_items(body) == {
        "Comfort notes or small presents for the kids": "prepared, not used",
        "Small presents and new books, for when they miss me": "prepared, not used",
        "A card for each girl, to read on Friday at bedtime": "prepared, not used",
    }

    # Which prep was needed: the presents and the tidying were not.
    prep = section(body, "Was the prep needed?")
    for title in (
        "Comfort notes or small presents for the kids",
        "Tidy up the house",
        "Small presents and new books, for when they miss me",
    ):
        assert pressed(task_row(prep, title)) == {"Needed": "false", "Not needed": "true"}
    for title in (
        "Tell the kids about the trip, with a calendar they can see",
        "Pack your bag (packing list)",
    ):
        assert pressed(task_row(prep, title)) == {"Needed": "true", "Not needed": "false"}
    # Every task of the trip is listed, with who it was for.
    assert prep.count('<li id="task-') == story.prep_tasks.count()
    assert "Rachel" in plain(task_row(prep, "Comfort notes or small presents for the kids"))

    # The reflection, with the routine back "within minutes" of waking up on Monday.
    reflection = section(body, "Reflection")
    radios = re.findall(r'<input type="radio" name="back_to_routine"[^>]*>', reflection)
    checked = [r for r in radios if " checked" in r]
    assert len(checked) == 1
    assert 'value="minutes"' in checked[0]
    assert "Within minutes" in reflection
    assert "nobody needed the presents or the cards" in reflection
    assert "Two nights away in November" in reflection


def test_the_demos_caregiver_reads_the_reflection_without_a_form(demo):
    household, story, _ = demo
    judy = User.objects.get(email="judy@demo.homefront.invalid")
    Cover.objects.create(household=household, night=story.nights_list[0], member=judy)
    client = Client()
    client.force_login(judy)

    body = text(client.get(reverse("debrief:trip", args=[story.pk])))

    reflection = section(body, "Reflection")
    assert "<form" not in reflection
    assert "Within minutes" in plain(reflection)
    assert "Save reflection" not in body
    assert "Not needed</button>" not in body  # marking prep is for parents


# -- Hand-made journals ------------------------------------------------------------------


@pytest.fixture
def leo(family) -> Child:
    """A second child, to bed at 19:00, with no bath routine and no medicine."""
    leo = Child.objects.create(household=family.household, name="Leo", birth_date=date(2023, 2, 1))
    Routine.objects.create(child=leo, kind=RoutineKind.BEDTIME, time=time(19, 0))
    return leo


@pytest.fixture
def trip(family) -> Trip:
    """Wednesday 11 November 9:00 to Saturday 14 November 18:00: four days, three nights.
    Maya's bath is every other day from the Wednesday: planned Wednesday and Friday."""
    Routine.objects.create(
        child=family.child,
        kind=RoutineKind.BATH,
        time=time(18, 30),
        every_n_days=2,
        starts_on=date(2026, 11, 11),
    )
    return trip_to(family, "Lisbon", "Europe/Lisbon", ny(2026, 11, 11, 9), ny(2026, 11, 14, 18))


def log(trip: Trip, kind: str, at: datetime, children: list[Child], **fields: Any) -> JournalEntry:
    entry = JournalEntry.objects.create(
        uuid=uuid.uuid4(),
        trip=trip,
        kind=kind,
        occurred_at=at,
        details=fields.pop("details", {}),
        content_hash="test",
        **fields,
    )
    entry.children.set(children)
    return entry


def debrief_of(client: Client, trip: Trip):
    return client.get(reverse("debrief:trip", args=[trip.pk]))


def test_plan_against_what_was_logged(family, leo, trip):
    maya = family.child
    both = [maya, leo]
    bunny = comfort(
        trip, "Bunny's twin, for when she misses me", date(2026, 11, 9), comfort_when_missed=True
    )
    comfort(trip, "A card for Thursday night", date(2026, 11, 10), comfort_night=date(2026, 11, 12))
    comfort(trip, "Tell the kids about the trip", date(2026, 11, 8), essential=True, needed=True)
    # Meals: one on Wednesday for Maya, two on Thursday for both.
    log(trip, Kind.MEAL, ny(2026, 11, 11, 18), [maya], details={"what": "soup"})
    log(trip, Kind.MEAL, ny(2026, 11, 12, 7, 30), both)
    log(trip, Kind.MEAL, ny(2026, 11, 12, 17, 45), both)
    # Baths: one on Friday; one on Wednesday was logged by mistake and deleted.
    log(trip, Kind.BATH, ny(2026, 11, 13, 18, 30), [maya])
    log(trip, Kind.BATH, ny(2026, 11, 11, 18, 30), [maya], deleted_at=timezone.now())
    # Asleep: +30 on Wednesday (the second time, after waking, does not count), +15 on
    # Thursday (an afternoon nap does not count), and Friday's after midnight: +300.
    log(trip, Kind.ASLEEP, ny(2026, 11, 11, 20), [maya])
    log(trip, Kind.ASLEEP, ny(2026, 11, 11, 23), [maya])
    log(trip, Kind.ASLEEP, ny(2026, 11, 12, 13), [maya])
    log(trip, Kind.ASLEEP, ny(2026, 11, 12, 19, 45), [maya])
    log(trip, Kind.ASLEEP, ny(2026, 11, 14, 0, 30), [maya])
    log(trip, Kind.ASLEEP, ny(2026, 11, 11, 18, 40), [leo])  # 20 minutes early
    # New foods: kiwi for both, hummus for Maya, kiwi again for Maya.
    log(trip, Kind.NEW_FOOD, ny(2026, 11, 12, 16), both, details={"food": "kiwi", "liked": "yes"})
    log(trip, Kind.NEW_FOOD, ny(2026, 11, 13, 12), [maya], details={"food": "hummus"})
    log(trip, Kind.NEW_FOOD, ny(2026, 11, 14, 12), [maya], details={"food": "kiwi"})
    # Vitamin D at 8:00 was due Thursday, Friday and Saturday; given twice.
    log(trip, Kind.MEDICINE, ny(2026, 11, 12, 8, 5), [maya], medicine=family.medicine)
    log(trip, Kind.MEDICINE, ny(2026, 11, 13, 8, 10), [maya], medicine=family.medicine)
    log(trip, Kind.MISSED_PARENT, ny(2026, 11, 11, 19, 10), [maya])
    log(trip, Kind.MISSED_PARENT, ny(2026, 11, 13, 19), [maya])
    log(trip, Kind.INCIDENT, ny(2026, 11, 13, 10), [maya], details={"severity": "minor"})
    log(trip, Kind.COMFORT_USED, ny(2026, 11, 12, 19, 5), [maya], comfort_task=bunny)
    # Another trip's journal counts for that trip only.
    earlier = trip_to(family, "", "America/New_York", ny(2026, 11, 2, 9), ny(2026, 11, 4, 18))
    log(earlier, Kind.BATH, ny(2026, 11, 2, 18), both)
    log(earlier, Kind.INCIDENT, ny(2026, 11, 3, 10), both)
    log(earlier, Kind.COMFORT_USED, ny(2026, 11, 3, 19), [maya], comfort_task=bunny)

    response = debrief_of(family.client_for(family.parent), trip)

    assert response.status_code == 200
    body = text(response)
    assert child_facts(body, "Maya") == {
        "Baths": "1 given of 2 planned",
        "Bedtime": "115 min later than usual on average",
        "Meals logged": "3",
        "New foods": "hummus, kiwi",
        "Medicines": "2 given of 3 due",
        "Missed the parent": "2 times",
        "Incidents": "1",
    }
    assert child_facts(body, "Leo") == {
        "Baths": "0 given",
        "Bedtime": "20 min earlier than usual on average",
        "Meals logged": "2",
        "New foods": "kiwi",
        "Missed the parent": "0 times",
        "Incidents": "0",
    }
    assert comfort_items(body) == {
        "Bunny's twin, for when she misses me": "used 1×",
        "A card for Thursday night": "prepared, not used",
    }
    # Day by day: Maya's Friday bedtime after midnight, shown against the usual.
    assert "12:30 AM (+300′)" in body
    assert "7:45 PM (+15′)" in body


def test_a_comfort_item_used_twice_counts_both_uses(family, trip):
    card = comfort(trip, "Small present", date(2026, 11, 9))
    for day in (12, 13):
        log(trip, Kind.COMFORT_USED, ny(2026, 11, day, 19), [family.child], comfort_task=card)

    body = text(debrief_of(family.client_for(family.parent), trip))

    assert comfort_items(body) == {"Small present": "used 2×"}


def test_marking_prep_needed_on_the_debrief_updates_the_row(family, trip):
    task = comfort(trip, "Comfort notes", date(2026, 11, 9))
    client = family.client_for(family.parent)
    assert pressed(task_row(text(debrief_of(client, trip)), "Comfort notes")) == {
        "Needed": "false",
        "Not needed": "false",
    }

    response = client.post(
        reverse("prep:needed", args=[task.pk]), {"needed": "no"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert pressed(task_row(text(response), "Comfort notes")) == {
        "Needed": "false",
        "Not needed": "true",
    }
    task.refresh_from_db()
    assert task.needed is False
    body = text(debrief_of(client, trip))
    assert pressed(task_row(body, "Comfort notes")) == {"Needed": "false", "Not needed": "true"}


# -- The reflection ----------------------------------------------------------------------


def test_a_parent_saves_the_reflection(family, trip):
    client = family.client_for(family.parent)

    response = client.post(
        reverse("debrief:trip", args=[trip.pk]),
        {
            "traveller_felt": "Rested.",
            "kids_did": "Fine, more than fine.",
            "back_to_routine": BackToRoutine.HOURS,
            "next_time": "Fewer lists.",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("debrief:trip", args=[trip.pk])
    reflection = Reflection.objects.get(trip=trip)
    assert (reflection.kids_did, reflection.back_to_routine, reflection.updated_by) == (
        "Fine, more than fine.",
        BackToRoutine.HOURS,
        family.parent,
    )
    body = text(client.get(response["Location"]))
    assert "Reflection saved." in body
    assert "Fine, more than fine." in body

    # Saving again edits the same reflection.
    client.post(reverse("debrief:trip", args=[trip.pk]), {"kids_did": "Great."})
    assert Reflection.objects.get(trip=trip).kids_did == "Great."
    assert Reflection.objects.count() == 1


def test_a_reflection_of_20000_characters_is_refused_next_to_the_field(family, trip):
    client = family.client_for(family.parent)

    response = client.post(
        reverse("debrief:trip", args=[trip.pk]),
        {"traveller_felt": "x" * 20_000, "kids_did": "Fine.", "back_to_routine": "minutes"},
    )

    assert response.status_code == 422
    body = text(response)
    assert "Nothing was saved yet." in body
    assert "at most 10000 characters (it has 20000)" in field_error(body, "traveller_felt")
    assert field_error(body, "kids_did") == ""
    control = re.search(r'<textarea[^>]*name="traveller_felt"[^>]*>', body)
    assert control
    assert 'aria-invalid="true"' in control[0]
    assert not Reflection.objects.exists()


def test_an_unknown_back_to_routine_is_refused(family, trip):
    response = family.client_for(family.parent).post(
        reverse("debrief:trip", args=[trip.pk]), {"back_to_routine": "never"}
    )

    assert response.status_code == 422
    assert "not one of the available choices" in field_error(text(response), "back_to_routine")
    assert not Reflection.objects.exists()


def test_a_caregiver_reads_the_debrief_but_cannot_save_a_reflection(family, trip):
    Cover.objects.create(
        household=family.household, night=trip.nights_list[0], member=family.caregiver
    )
    Reflection.objects.create(trip=trip, kids_did="Fine.", updated_by=family.parent)
    caregiver = family.client_for(family.caregiver)

    page = debrief_of(caregiver, trip)
    assert page.status_code == 200
    assert "Save reflection" not in text(page)
    assert "Fine." in section(text(page), "Reflection")

    response = caregiver.post(reverse("debrief:trip", args=[trip.pk]), {"kids_did": "Changed."})

    assert response.status_code == 403
    assert Reflection.objects.get(trip=trip).kids_did == "Fine."


def test_a_caregiver_who_did_not_cover_the_trip_gets_404(family, trip):
    caregiver = family.client_for(family.caregiver)

    assert debrief_of(caregiver, trip).status_code == 404
    response = caregiver.post(reverse("debrief:trip", args=[trip.pk]), {"kids_did": "Hi."})
    assert response.status_code == 404
    assert not Reflection.objects.exists()


def test_an_outsider_gets_404_on_the_debrief(family, trip):
    log(trip, Kind.NEW_FOOD, ny(2026, 11, 12, 16), [family.child], details={"food": "kiwi"})
    outsider = family.client_for(family.outsider)

    response = debrief_of(outsider, trip)

    assert response.status_code == 404
    assert "kiwi" not in text(response)
    assert "Maya" not in text(response)
    response = outsider.post(reverse("debrief:trip", args=[trip.pk]), {"kids_did": "Hi."})
    assert response.status_code == 404
    assert not Reflection.objects.exists()


def test_anonymous_is_sent_to_log_in(family, trip):
    response = Client().get(reverse("debrief:trip", args=[trip.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# -- Unfinished trips, empty journals, someone else's prep ------------------------------------


def test_the_debrief_of_a_trip_still_under_way_shows_what_exists_so_far(family):
    """Away Sunday 15 November 9:00 to Friday 20 November; it is Tuesday morning."""
    trip = trip_to(family, "", "Europe/Lisbon", ny(2026, 11, 15, 9), ny(2026, 11, 20, 18))
    log(trip, Kind.MEAL, ny(2026, 11, 15, 18), [family.child])
    log(trip, Kind.NEW_FOOD, ny(2026, 11, 16, 12), [family.child], details={"food": "figs"})
    PrepTask.objects.create(trip=trip, title="Pack", due_on=date(2026, 11, 14))

    response = debrief_of(family.client_for(family.parent), trip)

    assert response.status_code == 200
    body = text(response)
    assert "The trip is not over yet: this shows what has been logged so far." in body
    facts = child_facts(body, "Maya")
    assert facts["Meals logged"] == "1"
    assert facts["New foods"] == "figs"
    # Sunday to today (Tuesday), not the days still ahead.
    table = re.search(r"<tbody>(.*?)</tbody>", body, re.DOTALL)
    assert table
    assert re.findall(r"<tr><td>(\w+ \d+)</td>", table[1]) == ["Sun 15", "Mon 16", "Tue 17"]
    # Whether prep was needed is asked once the trip is over.
    assert "Not needed</button>" not in body
    assert "Pack" in section(body, "Was the prep needed?")


def test_a_trip_with_an_empty_journal_says_nothing_was_logged(family, trip):
    response = debrief_of(family.client_for(family.parent), trip)

    assert response.status_code == 200
    body = text(response)
    assert "Nothing was logged in the journal for this trip" in body
    assert "not over yet" not in body
    facts = child_facts(body, "Maya")
    assert facts["Baths"] == "0 given of 2 planned — no bath in 4 days"
    assert facts["Bedtime"] == "not logged"
    assert facts["New foods"] == "none"
    assert "Comfort items" not in body
    assert "Was the prep needed?" not in body


def test_marking_a_prep_task_of_another_household_is_404(family):
    others = outsiders_trip(family, "Europe/London", ny(2026, 11, 11, 9), ny(2026, 11, 13, 18))
    task = PrepTask.objects.create(trip=others, title="Their task", due_on=date(2026, 11, 10))
    client = family.client_for(family.parent)

    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(
            reverse("prep:needed", args=[task.pk]), {"needed": "no"}, headers=headers
        )
        assert response.status_code == 404
        assert "Their task" not in text(response)
    task.refresh_from_db()
    assert task.needed is None


def test_marking_prep_needed_is_for_parents_and_posts(family, trip):
    task = PrepTask.objects.create(trip=trip, title="Pack", due_on=date(2026, 11, 10))
    url = reverse("prep:needed", args=[task.pk])

    assert family.client_for(family.parent).get(url).status_code == 405
    # A caregiver who covers none of the trip learns nothing of it; one in charge of a
    # night sees it, but marking is for parents.
    caregiver = family.client_for(family.caregiver)
    assert caregiver.post(url, {"needed": "no"}).status_code == 404
    Cover.objects.create(
        household=family.household, night=trip.nights_list[0], member=family.caregiver
    )
    assert caregiver.post(url, {"needed": "no"}).status_code == 403
    task.refresh_from_db()
    assert task.needed is None


# -- Queries ----------------------------------------------------------------------------------


def fill_journal(trip: Trip, children: list[Child], comfort: PrepTask, count: int) -> None:
    """`count` entries of every kind, each for one or both children, in bulk."""
    kinds = list(Kind)
    first = trip.starts_at
    span = (trip.ends_at - trip.starts_at).total_seconds()
    entries = JournalEntry.objects.bulk_create(
        unsaved(
            trip,
            kinds[n % len(kinds)],
            first + timedelta(seconds=span * n / count),
            details={"food": f"food {n % 40}"} if kinds[n % len(kinds)] == Kind.NEW_FOOD else {},
            comfort_task=comfort if kinds[n % len(kinds)] == Kind.COMFORT_USED else None,
        )
        for n in range(count)
    )
    through = JournalEntry.children.through
    through.objects.bulk_create(
        through(journalentry_id=entry.pk, child_id=child.pk)
        for n, entry in enumerate(entries)
        for child in (children if n % 3 else children[:1])
    )


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_debrief_and_insights_cost_the_same_with_10_or_5000_entries(family, leo, trip):
    present = comfort(trip, "Small present", date(2026, 11, 9), comfort_when_missed=True)
    PrepTask.objects.create(trip=trip, title="Pack", due_on=date(2026, 11, 10), needed=True)
    Reflection.objects.create(trip=trip, kids_did="Fine.")
    client = family.client_for(family.parent)
    debrief_url = reverse("debrief:trip", args=[trip.pk])
    insights_url = reverse("debrief:insights")
    children = [family.child, leo]

    def uncached(url: str) -> int:
        """The queries of a page whose summaries are not cached yet. The cache is a table
        of the test database, so its reads and writes count too: the session is put back
        in it first, as it is for everyone after their first request."""
        cache.clear()
        client.get(reverse("accounts:account"))
        return count_queries(client, url)

    fill_journal(trip, children, present, 10)
    client.get(debrief_url)  # the like, once
    few = (uncached(debrief_url), uncached(insights_url))

    fill_journal(trip, children, present, 4990)
    assert JournalEntry.objects.filter(trip=trip).count() == 5000
    many = (uncached(debrief_url), uncached(insights_url))

    assert many == few
    body = text(client.get(debrief_url))
    assert re.search(r"used \d{3}×", body)  # the 5000 entries were read
    assert "food 39" in text(client.get(insights_url))


def test_the_summary_follows_every_write_to_the_journal(family, trip):
    """The day-by-day summary is cached under a key made of the journal itself: a new
    entry, a delete, a restore and an edit each show at once."""
    maya = family.child
    parent = family.client_for(family.parent)

    def meals() -> str:
        return child_facts(text(debrief_of(parent, trip)), "Maya")["Meals logged"]

    first = log(trip, Kind.MEAL, ny(2026, 11, 12, 7, 30), [maya])
    assert meals() == "1"
    log(trip, Kind.MEAL, ny(2026, 11, 12, 17, 45), [maya])
    assert meals() == "2"
    deleted = parent.post(reverse("journal:delete_entry", args=[first.pk]), {"version": 1})
    assert deleted.status_code < 400
    assert meals() == "1"
    restored = parent.post(reverse("journal:restore_entry", args=[first.pk]), {"version": 2})
    assert restored.status_code < 400
    assert meals() == "2"
    first.refresh_from_db()
    leo = Child.objects.create(household=family.household, name="Leo", birth_date=date(2023, 2, 1))
    edited = parent.post(
        reverse("journal:edit_entry", args=[first.pk]),
        {
            "occurred_at": "2026-11-12T07:30",
            "children": [leo.pk],
            "text": "",
            "version": first.version,
        },
    )
    assert edited.status_code < 400
    assert JournalEntry.objects.get(pk=first.pk).children.get() == leo
    assert meals() == "1"
    assert child_facts(text(debrief_of(parent, trip)), "Leo")["Meals logged"] == "1"
