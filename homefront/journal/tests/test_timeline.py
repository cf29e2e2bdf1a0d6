"""The timeline the away parent reads: newest first, by day, in their own time zone, paged
without gaps, polled by htmx, at a fixed number of queries; the quick log's medicines of
the day; and editing, deleting and restoring entries, with history and conflicts."""

from __future__ import annotations

import html
import re
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homefront.accounts.models import User
from homefront.handoff.models import ShareLink
from homefront.households.models import Child
from homefront.households.models import Medicine
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.testing.journal import log
from homefront.testing.journal import unsaved
from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# Thursday 12 November 2026, 20:00 in New York: the second evening of the trip.
NOW = datetime(2026, 11, 13, 1, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
ENTRY_ID = re.compile(r'<li id="entry-(\d+)"')
CONFLICT = (
    "Someone else changed this entry while you were editing it. It now shows their version; "
    "nothing of yours was saved. Make your change again if it is still needed."
)


def timeline_url(trip: Trip) -> str:
    return reverse("journal:timeline", args=[trip.pk])


def shown_ids(response) -> list[int]:
    return [int(pk) for pk in ENTRY_ID.findall(response.content.decode())]


def days_and_times(response) -> list[str]:
    """The day headings and the entries' times, in the order the page shows them."""
    found = re.findall(
        r'<h2 class="timeline-day">([^<]+)</h2>|<time datetime="[^"]+">([^<]+)</time>',
        response.content.decode(),
    )
    return [day or time for day, time in found]


# -- Newest first, by day, in the traveller's time zone ------------------------------------


@pytest.fixture
def evening_and_night(family, trip) -> list[JournalEntry]:
    by = family.caregiver
    return [
        log(trip, ny(2026, 11, 11, 19, 30), Kind.BATH, by=by),
        log(trip, ny(2026, 11, 12, 0, 30), Kind.WOKE, by=by, details={"when": "night"}),
        log(trip, ny(2026, 11, 12, 7, 15), Kind.WOKE, by=by, details={"when": "morning"}),
        log(trip, ny(2026, 11, 12, 19, 30), Kind.ASLEEP, by=by),
    ]


def test_the_timeline_is_newest_first_by_day_in_the_travellers_time(
    family, trip, evening_and_night
):
    bath, night, morning, asleep = evening_and_night

    response = family.client_for(family.parent).get(timeline_url(trip))

    assert response.status_code == 200
    assert shown_ids(response) == [asleep.pk, morning.pk, night.pk, bath.pk]
    # 0:30 in New York is still Wednesday evening in Denver.
    assert days_and_times(response) == [
        "Thursday 12 November",
        "5:30 PM",
        "5:15 AM",
        "Wednesday 11 November",
        "10:30 PM",
        "5:30 PM",
    ]
    page = response.content.decode()
    assert "Times in <strong><bdi>America/Denver</bdi></strong> (where Pat is)" in page
    assert '<a href="?zone=home">home time</a>' in page
    assert "<strong>Woke in the night</strong> · Maya" in page
    assert "Cam Carer" in page


def test_the_timeline_switches_to_home_time(family, trip, evening_and_night):
    response = family.client_for(family.parent).get(timeline_url(trip) + "?zone=home")

    assert days_and_times(response) == [
        "Thursday 12 November",
        "7:30 PM",
        "7:15 AM",
        "12:30 AM",
        "Wednesday 11 November",
        "7:30 PM",
    ]
    page = response.content.decode()
    assert "<strong>home time (<bdi>America/New_York</bdi>)</strong>" in page
    assert '<a href="?zone=away"><bdi>America/Denver</bdi></a>' in page


def test_a_trip_in_the_home_zone_shows_home_time(family, evening_and_night):
    trip = evening_and_night[0].trip
    Trip.objects.filter(pk=trip.pk).update(destination_zone="America/New_York")

    response = family.client_for(family.parent).get(timeline_url(trip))

    assert response.context["zone_choice"] == "home"
    assert days_and_times(response)[:2] == ["Thursday 12 November", "7:30 PM"]


def test_deleted_entries_are_not_on_the_timeline(family, trip, evening_and_night):
    bath = evening_and_night[0]
    JournalEntry.objects.filter(pk=bath.pk).update(deleted_at=NOW)

    response = family.client_for(family.parent).get(timeline_url(trip))

    assert bath.pk not in shown_ids(response)
    assert len(shown_ids(response)) == 3


def test_an_empty_timeline_says_how_to_log(family, trip):
    response = family.client_for(family.parent).get(timeline_url(trip))

    assert "Nothing logged yet." in response.content.decode()
    assert shown_ids(response) == []


# -- Paging --------------------------------------------------------------------------------


def older_link(response) -> str | None:
    found = re.search(
        r'<a href="(\?[^"]*)" class="pill">Older entries</a>', response.content.decode()
    )
    return html.unescape(found.group(1)) if found else None


def test_pages_of_50_follow_each_other_without_gaps_or_repeats(family, trip):
    # 40 moments with three entries each: pages end in the middle of a moment.
    entries = [
        log(trip, ny(2026, 11, 11, 8) + timedelta(minutes=20 * moment), by=family.caregiver)
        for moment in range(40)
        for _ in range(3)
    ]
    client = family.client_for(family.parent)

    pages, url = [], timeline_url(trip)
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(shown_ids(response))
        link = older_link(response)
        url = timeline_url(trip) + link if link else None

    assert [len(page) for page in pages] == [50, 50, 20]
    newest_first = sorted(entries, key=lambda e: (e.occurred_at, e.pk), reverse=True)
    assert [pk for page in pages for pk in page] == [e.pk for e in newest_first]


def test_a_page_after_the_first_is_not_polled(family, trip):
    for minute in range(51):
        log(trip, ny(2026, 11, 12, 8) + timedelta(minutes=minute), by=family.caregiver)
    client = family.client_for(family.parent)

    first = client.get(timeline_url(trip))
    second = client.get(timeline_url(trip) + older_link(first))

    assert 'data-hx-trigger="every 10s"' in first.content.decode()
    assert 'data-hx-trigger="every 10s"' not in second.content.decode()
    assert len(shown_ids(second)) == 1
    assert older_link(second) is None


def test_a_broken_cursor_is_a_404(family, trip):
    client = family.client_for(family.parent)

    assert client.get(timeline_url(trip) + "?before=yesterday").status_code == 404
    assert client.get(timeline_url(trip) + "?before=2026-11-12T08:00:00|x").status_code == 404


# -- The part htmx polls -------------------------------------------------------------------


def test_the_latest_part_is_only_the_entries(family, trip, evening_and_night):
    client = family.client_for(family.parent)
    url = timeline_url(trip) + "?zone=away&part=latest"

    part = client.get(url, headers={"HX-Request": "true"})
    page = client.get(url)

    body = part.content.decode()
    assert part.status_code == 200
    assert "<html" not in body
    assert "The kids' days" not in body
    assert "Deleted entries" not in body
    assert 'id="latest"' not in body
    assert shown_ids(part) == shown_ids(page) == [e.pk for e in reversed(evening_and_night)]
    assert days_and_times(part) == days_and_times(page)
    assert "<html" in page.content.decode()


def test_the_latest_part_shows_a_new_entry(family, trip, evening_and_night):
    client = family.client_for(family.parent)
    url = timeline_url(trip) + "?zone=away&part=latest"
    before = shown_ids(client.get(url, headers={"HX-Request": "true"}))

    later = log(trip, ny(2026, 11, 12, 19, 55), Kind.NOTE, by=family.caregiver, text="Fast asleep")
    after = client.get(url, headers={"HX-Request": "true"})

    assert shown_ids(after) == [later.pk, *before]
    assert "Fast asleep" in after.content.decode()


# -- A fixed number of queries -------------------------------------------------------------


def fill(family, trip: Trip, count: int) -> None:
    """`count` entries of every sort, for both children, bulk-made."""
    leo = Child.objects.get_or_create(
        household=family.household, name="Leo", defaults={"birth_date": date(2019, 3, 2)}
    )[0]
    link, _token = ShareLink.issue(trip, family.parent, label="Grandma Judy")
    kinds = [Kind.MEAL, Kind.BATH, Kind.MEDICINE, Kind.NOTE, Kind.NEW_FOOD, Kind.ASLEEP]
    made = JournalEntry.objects.bulk_create(
        unsaved(
            trip,
            kinds[n % len(kinds)],
            ny(2026, 11, 12, 8, 30) - timedelta(minutes=n),  # doses of the day too
            details={"food": "kiwi", "liked": "yes"} if n % len(kinds) == 4 else {},
            text=f"Entry {n}" if n % len(kinds) == 3 else "",
            medicine=family.medicine if n % len(kinds) == 2 else None,
            author=family.caregiver if n % 2 else None,
            share_link=None if n % 2 else link,
            content_hash="test",
        )
        for n in range(count)
    )
    through = JournalEntry.children.through
    through.objects.bulk_create(
        [through(journalentry_id=entry.pk, child_id=family.child.pk) for entry in made]
        + [through(journalentry_id=entry.pk, child_id=leo.pk) for entry in made[::3]]
    )


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["parent", "caregiver"])
def test_the_timeline_runs_as_many_queries_with_10_as_with_5000_entries(family, trip, who):
    client = family.client_for(getattr(family, who))
    fill(family, trip, 10)
    client.get(timeline_url(trip))  # sessions and the like warmed up
    few = queries_for(client, timeline_url(trip))

    fill(family, trip, 4990)
    assert JournalEntry.objects.count() == 5000
    many = queries_for(client, timeline_url(trip))
    response = client.get(timeline_url(trip))

    assert len(shown_ids(response)) == 50
    assert many == few, f"{few} queries with 10 entries, {many} with 5,000"


def test_the_quick_log_runs_as_many_queries_with_10_as_with_5000_entries(family, trip):
    client = family.client_for(family.caregiver)
    url = reverse("journal:log", args=[trip.pk])
    fill(family, trip, 10)
    client.get(url)
    few = queries_for(client, url)

    fill(family, trip, 4990)
    many = queries_for(client, url)

    assert many == few, f"{few} queries with 10 entries, {many} with 5,000"


# -- The quick log's medicines of the day --------------------------------------------------


def quick_log(family, trip: Trip, client: Client | None = None) -> str:
    client = client or family.client_for(family.caregiver)
    response = client.get(reverse("journal:log", args=[trip.pk]))
    assert response.status_code == 200
    return response.content.decode()


def dose_line(page: str) -> tuple[str, str]:
    """The status class and the text of the one dose of the day."""
    [(status, text)] = re.findall(
        r'<li class="dose dose-(\w+)">\s*<span class="grow">(.*?)</span>\s*', page, re.S
    )
    return status, " ".join(re.sub(r"<[^>]+>", " ", text).split())


@pytest.mark.parametrize(
    ("at", "status", "says"),
    [
        (ny(2026, 11, 12, 6, 30), "coming", "Later"),
        (ny(2026, 11, 12, 7, 0), "due", "Due now"),
        (ny(2026, 11, 12, 8, 30), "due", "Due now"),
        (ny(2026, 11, 12, 9, 0), "due", "Due now"),
        (ny(2026, 11, 12, 9, 1), "missed", "Missed"),
        (ny(2026, 11, 12, 10, 0), "missed", "Missed"),
    ],
)
def test_the_days_dose_is_due_then_missed(family, trip, frozen_time, at, status, says):
    frozen_time.move_to(at)

    page = quick_log(family, trip)

    assert dose_line(page) == (status, f"8:00 AM Maya: Vitamin D 1 gummy {says}")
    assert f'name="medicine" value="{family.medicine.pk}"' in page  # the "Given" button


def test_a_dose_logged_shows_when_it_was_given(family, trip, frozen_time):
    frozen_time.move_to(ny(2026, 11, 12, 8, 30))
    client = family.client_for(family.caregiver)
    response = client.post(
        reverse("journal:log", args=[trip.pk]),
        {
            "uuid": str(uuid.uuid4()),
            "kind": "medicine",
            "children": [family.child.pk],
            "medicine": family.medicine.pk,
            "occurred_at": ny(2026, 11, 12, 8, 20).isoformat(),
        },
    )
    assert response.status_code == 302

    frozen_time.move_to(ny(2026, 11, 12, 10))
    page = quick_log(family, trip, client)

    assert dose_line(page) == ("given", "8:00 AM Maya: Vitamin D 1 gummy Given at 8:20 AM")
    assert f'name="medicine" value="{family.medicine.pk}"' not in page


def test_a_deleted_dose_is_missed_again(family, trip, frozen_time):
    entry = log(
        trip, ny(2026, 11, 12, 8, 5), Kind.MEDICINE, by=family.caregiver, medicine=family.medicine
    )
    JournalEntry.objects.filter(pk=entry.pk).update(deleted_at=NOW)
    frozen_time.move_to(ny(2026, 11, 12, 10))

    assert dose_line(quick_log(family, trip))[0] == "missed"


def test_no_dose_before_the_trip_leaves(family, trip, frozen_time):
    frozen_time.move_to(ny(2026, 11, 11, 7))  # the 8:00 dose of the first day is after 7:30: shown

    assert dose_line(quick_log(family, trip))[0] == "due"
    Trip.objects.filter(pk=trip.pk).update(starts_at=ny(2026, 11, 11, 9))

    assert "Medicines today" not in quick_log(family, trip)


def test_a_share_link_shows_the_doses_at_home_time(family, trip, frozen_time):
    _link, token = ShareLink.issue(trip, family.parent, label="Grandma Judy")
    log(trip, ny(2026, 11, 12, 8, 20), Kind.MEDICINE, by=family.caregiver, medicine=family.medicine)
    frozen_time.move_to(ny(2026, 11, 12, 10))

    response = Client().get(reverse("journal:shared_log", args=[token]))

    assert dose_line(response.content.decode()) == (
        "given",
        "8:00 AM Maya: Vitamin D 1 gummy Given at 8:20 AM",
    )


def test_an_as_needed_medicine_has_no_dose_of_the_day(family, trip, frozen_time):
    Medicine.objects.filter(pk=family.medicine.pk).update(
        times=[], as_needed=True, min_interval_hours=6
    )
    frozen_time.move_to(ny(2026, 11, 12, 10))

    assert "Medicines today" not in quick_log(family, trip)


# -- Editing -------------------------------------------------------------------------------


@pytest.fixture
def leo(family) -> Child:
    return Child.objects.create(household=family.household, name="Leo", birth_date=date(2019, 3, 2))


@pytest.fixture
def meal(family, trip) -> JournalEntry:
    entry = log(
        trip,
        ny(2026, 11, 12, 17, 50),
        Kind.MEAL,
        by=family.caregiver,
        children=[family.child],
        details={"what": "peas", "amount": "some"},
        text="Picked at the peas",
    )
    entry.refresh_from_db()  # its time as the database gives it back
    return entry


def edit_url(entry: JournalEntry) -> str:
    return reverse("journal:edit_entry", args=[entry.pk])


def edit(entry: JournalEntry, version: int = 1, **fields) -> dict:
    return {
        "occurred_at": "2026-11-12T18:05",  # home time, as the form shows it
        "children": [c.pk for c in entry.children.all()],
        "text": entry.text,
        "version": version,
        **fields,
    }


def other_caregiver(family, trip: Trip) -> User:
    """A caregiver who covers the second night, so sees the trip, but logged nothing."""
    user = User.objects.create_user(email="kim@example.com", password="x" * 20, name="Kim Keeper")
    Membership.objects.create(household=family.household, user=user, role=Role.CAREGIVER)
    Cover.objects.create(household=family.household, night=date(2026, 11, 12), member=user)
    return user


@pytest.mark.parametrize("who", ["caregiver", "parent"])
def test_the_author_or_a_parent_corrects_an_entry(family, trip, meal, leo, who):
    client = family.client_for(getattr(family, who))
    form = client.get(edit_url(meal))
    assert form.status_code == 200
    assert form.context["form"]["occurred_at"].value() == datetime(2026, 11, 12, 17, 50)
    before = meal.snapshot()

    response = client.post(
        edit_url(meal), edit(meal, children=[family.child.pk, leo.pk], text="Ate all the peas")
    )

    assert response.status_code == 302
    assert response["Location"] == timeline_url(trip)
    meal.refresh_from_db()
    assert meal.version == 2
    assert meal.occurred_at == ny(2026, 11, 12, 18, 5)
    assert meal.text == "Ate all the peas"
    assert set(meal.children.all()) == {family.child, leo}
    assert meal.details == {"what": "peas", "amount": "some"}  # the kind and details stay
    change = meal.changes.first()
    assert (change.action, change.by_name) == ("edited", str(getattr(family, who)))
    assert change.before == before
    assert change.after == meal.snapshot()
    assert change.after["children"] == sorted([family.child.pk, leo.pk])
    history = client.get(edit_url(meal)).content.decode()
    assert "time changed; note changed; children changed" in history
    timeline = client.get(timeline_url(trip)).content.decode()
    assert "Ate all the peas" in timeline
    assert "Maya, Leo" in timeline or "Leo, Maya" in timeline
    assert "· edited" in timeline


def test_another_caregiver_may_not_change_what_they_did_not_log(family, trip, meal):
    client = family.client_for(other_caregiver(family, trip))
    assert client.get(timeline_url(trip)).status_code == 200  # they see the trip

    responses = [
        client.get(edit_url(meal)),
        client.post(edit_url(meal), edit(meal, text="Mine now")),
        client.post(reverse("journal:delete_entry", args=[meal.pk]), {"version": 1}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    meal.refresh_from_db()
    assert (meal.text, meal.version, meal.deleted_at) == ("Picked at the peas", 1, None)
    assert meal.changes.count() == 1
    # ...and the timeline offers them no Edit link for it.
    assert edit_url(meal) not in client.get(timeline_url(trip)).content.decode()


@pytest.mark.parametrize("who", ["outsider", "a caregiver not covering"])
def test_others_get_404_on_an_entry(family, trip, meal, who):
    if who == "outsider":
        user = family.outsider
    else:
        user = User.objects.create_user(email="kim@example.com", password="x" * 20, name="Kim")
        Membership.objects.create(household=family.household, user=user, role=Role.CAREGIVER)
    client = family.client_for(user)

    for url in (
        edit_url(meal),
        reverse("journal:delete_entry", args=[meal.pk]),
        reverse("journal:restore_entry", args=[meal.pk]),
    ):
        assert client.post(url, edit(meal, text="Mine now")).status_code == 404
    assert client.get(timeline_url(trip)).status_code == 404
    meal.refresh_from_db()
    assert (meal.text, meal.version) == ("Picked at the peas", 1)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"occurred_at": "2026-11-12T21:01"},
            "occurred_at",
            "That is more than an hour from now. Check the time.",
        ),
        ({"children": []}, "children", "Choose at least one child."),
        (
            {"text": "x" * 5001},
            "text",
            "Ensure this value has at most 5000 characters (it has 5001).",
        ),
    ],
    ids=["in the future", "no child", "a note too long"],
)
def test_a_bad_correction_says_why_and_saves_nothing(family, trip, meal, change, field, message):
    client = family.client_for(family.caregiver)

    response = client.post(edit_url(meal), edit(meal, **change))

    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    meal.refresh_from_db()
    assert (meal.version, meal.text, meal.occurred_at) == (
        1,
        "Picked at the peas",
        ny(2026, 11, 12, 17, 50),
    )
    assert meal.changes.count() == 1


def test_two_people_editing_the_same_version_the_second_is_told_and_saves_nothing(
    family, trip, meal
):
    carer, parent = family.client_for(family.caregiver), family.client_for(family.parent)
    assert carer.get(edit_url(meal)).context["form"]["version"].value() == 1
    assert parent.get(edit_url(meal)).context["form"]["version"].value() == 1

    first = carer.post(edit_url(meal), edit(meal, text="Ate all the peas"))
    second = parent.post(
        edit_url(meal), edit(meal, occurred_at="2026-11-12T17:30", text="Ate half")
    )

    assert first.status_code == 302
    assert second.status_code == 409
    page = second.content.decode()
    assert CONFLICT in page
    assert "Below is their version; nothing of yours was saved." in page
    meal.refresh_from_db()
    assert (meal.text, meal.version, meal.occurred_at) == (
        "Ate all the peas",
        2,
        ny(2026, 11, 12, 18, 5),
    )
    assert [c.action for c in meal.changes.all()] == ["edited", "created"]
    assert meal.changes.first().by_name == "Cam Carer"
    # The form now holds their version, so the parent can make the change again on top of it.
    form = second.context["form"]
    assert form["text"].value() == "Ate all the peas"
    assert str(form["version"].value()) == "2"
    again = parent.post(edit_url(meal), edit(meal, version=2, text="Ate half, then the rest"))
    assert again.status_code == 302
    meal.refresh_from_db()
    assert (meal.text, meal.version) == ("Ate half, then the rest", 3)


# -- Deleting and restoring ----------------------------------------------------------------


def test_a_deleted_entry_leaves_the_timeline_and_can_be_restored_for_30_days(
    family, trip, meal, frozen_time
):
    client = family.client_for(family.caregiver)  # its author
    deleted_url = reverse("journal:deleted", args=[trip.pk])

    response = client.post(reverse("journal:delete_entry", args=[meal.pk]), {"version": 1})

    assert response.status_code == 302
    assert response["Location"] == deleted_url
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Entry deleted. You can restore it for 30 days."
    ]
    meal.refresh_from_db()
    assert (meal.deleted_at, meal.version) == (NOW, 2)
    assert meal.pk not in shown_ids(client.get(timeline_url(trip)))
    listed = client.get(deleted_url).content.decode()
    assert "Meal (peas): ate some" in listed
    assert reverse("journal:restore_entry", args=[meal.pk]) in listed

    frozen_time.shift(timedelta(days=29, hours=23))
    client = family.client_for(family.caregiver)  # signed in again
    response = client.post(reverse("journal:restore_entry", args=[meal.pk]), {"version": 2})

    assert response["Location"] == timeline_url(trip)
    meal.refresh_from_db()
    assert (meal.deleted_at, meal.version) == (None, 3)
    assert meal.pk in shown_ids(client.get(timeline_url(trip)))
    assert "Nothing deleted." in client.get(deleted_url).content.decode()
    changes = list(meal.changes.order_by("pk"))
    assert [(c.action, c.by_name) for c in changes] == [
        ("created", "Cam Carer"),
        ("deleted", "Cam Carer"),
        ("restored", "Cam Carer"),
    ]
    assert changes[1].before == changes[2].after == meal.snapshot()
    history = client.get(edit_url(meal)).content.decode()
    for line in ("Logged by Cam Carer", "Deleted by Cam Carer", "Restored by Cam Carer"):
        assert line in history


def test_an_entry_deleted_more_than_30_days_ago_stays_deleted(family, trip, meal, frozen_time):
    client = family.client_for(family.parent)
    deleted_url = reverse("journal:deleted", args=[trip.pk])
    client.post(reverse("journal:delete_entry", args=[meal.pk]), {"version": 1})

    frozen_time.shift(timedelta(days=30, minutes=1))
    client = family.client_for(family.parent)  # signed in again
    response = client.post(reverse("journal:restore_entry", args=[meal.pk]), {"version": 2})

    assert response["Location"] == deleted_url
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Deleted more than 30 days ago: it can no longer be restored."
    ]
    meal.refresh_from_db()
    assert meal.deleted_at == NOW
    assert "Nothing deleted." in client.get(deleted_url).content.decode()
    assert [c.action for c in meal.changes.all()] == ["deleted", "created"]


def test_deleting_twice_records_one_deletion(family, trip, meal):
    client = family.client_for(family.parent)

    for _ in range(2):
        client.post(
            reverse("journal:delete_entry", args=[meal.pk]), {"version": 1}
        )  # the same form, twice

    meal.refresh_from_db()
    assert meal.version == 2
    assert [c.action for c in meal.changes.all()] == ["deleted", "created"]


def test_delete_and_restore_take_posts_only(family, trip, meal):
    client = family.client_for(family.parent)

    assert client.get(reverse("journal:delete_entry", args=[meal.pk])).status_code == 405
    assert client.get(reverse("journal:restore_entry", args=[meal.pk])).status_code == 405
    meal.refresh_from_db()
    assert meal.deleted_at is None


# -- Delete and restore racing an edit: the same version compare-and-set ----------------------

DELETE_CONFLICT = (
    "Someone else changed this entry after you opened it, so it was not deleted. "
    "Below is their version. Delete it again if it should still go."
)
DELETED_WHILE_EDITING = (
    "Someone else deleted this entry while you were editing it; nothing of yours was saved. "
    "Restore it below to change it again."
)
RESTORE_CONFLICT = (
    "Someone else changed this entry after you opened this page, so it was not restored. "
    "Below is how it is now. Restore it again if it should come back."
)


def hidden_version(page: str, action: str) -> int:
    """The version the form posting to `action` sends, as the page holds it."""
    form = re.search(rf'action="{re.escape(action)}"[^>]*>.*?</form>', page, re.S)
    assert form, f"no form posts to {action}"
    found = re.search(r'name="version" value="(\d+)"', form.group(0))
    assert found, f"the form posting to {action} sends no version"
    return int(found.group(1))


def test_a_delete_after_someone_elses_edit_deletes_nothing_and_shows_their_version(
    family, trip, meal
):
    carer, parent = family.client_for(family.caregiver), family.client_for(family.parent)
    delete_url = reverse("journal:delete_entry", args=[meal.pk])
    seen = hidden_version(parent.get(edit_url(meal)).content.decode(), delete_url)
    assert seen == 1
    assert carer.post(edit_url(meal), edit(meal, text="Ate all the peas")).status_code == 302

    response = parent.post(delete_url, {"version": seen})

    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert DELETE_CONFLICT in page
    assert "Ate all the peas" in page  # their version, to decide on again
    meal.refresh_from_db()
    assert (meal.deleted_at, meal.version, meal.text) == (None, 2, "Ate all the peas")
    assert [c.action for c in meal.changes.all()] == ["edited", "created"]
    # The page now holds their version, so deleting again works.
    again = hidden_version(response.content.decode(), delete_url)
    assert parent.post(delete_url, {"version": again}).status_code == 302
    meal.refresh_from_db()
    assert (meal.deleted_at, meal.version) == (NOW, 3)


def test_an_edit_after_someone_elses_delete_saves_nothing_and_says_it_was_deleted(
    family, trip, meal
):
    carer, parent = family.client_for(family.caregiver), family.client_for(family.parent)
    assert carer.get(edit_url(meal)).context["form"]["version"].value() == 1
    delete_url = reverse("journal:delete_entry", args=[meal.pk])
    assert parent.post(delete_url, {"version": 1}).status_code == 302

    response = carer.post(edit_url(meal), edit(meal, text="Ate all the peas"))

    assert response.status_code == 409
    page = html.unescape(response.content.decode())
    assert DELETED_WHILE_EDITING in page
    assert reverse("journal:restore_entry", args=[meal.pk]) in page
    meal.refresh_from_db()
    assert (meal.deleted_at, meal.version, meal.text) == (NOW, 2, "Picked at the peas")
    assert [c.action for c in meal.changes.all()] == ["deleted", "created"]


def test_a_restore_after_the_entry_changed_restores_nothing(family, trip, meal, frozen_time):
    parent = family.client_for(family.parent)
    delete_url = reverse("journal:delete_entry", args=[meal.pk])
    restore_url = reverse("journal:restore_entry", args=[meal.pk])
    deleted_url = reverse("journal:deleted", args=[trip.pk])
    parent.post(delete_url, {"version": 1})
    seen = hidden_version(parent.get(deleted_url).content.decode(), restore_url)
    assert seen == 2
    # Meanwhile, on another phone: restored, then deleted again.
    other = family.client_for(family.parent)
    assert other.post(restore_url, {"version": 2}).status_code == 302
    frozen_time.shift(timedelta(minutes=5))
    assert other.post(delete_url, {"version": 3}).status_code == 302

    response = parent.post(restore_url, {"version": seen})

    assert response.status_code == 409
    assert RESTORE_CONFLICT in html.unescape(response.content.decode())
    assert hidden_version(response.content.decode(), restore_url) == 4
    meal.refresh_from_db()
    assert (meal.version, meal.deleted_at) == (4, NOW + timedelta(minutes=5))
    assert [c.action for c in meal.changes.all()] == ["deleted", "restored", "deleted", "created"]


@pytest.mark.parametrize("sent", [{}, {"version": ""}, {"version": "two"}, {"version": "-1"}])
def test_a_delete_that_sends_no_version_deletes_nothing(family, trip, meal, sent):
    """A page from before versions were sent (or a hand-made post) cannot tell what it
    saw, so it is shown the entry as it is now instead of deleting blind."""
    parent = family.client_for(family.parent)

    response = parent.post(reverse("journal:delete_entry", args=[meal.pk]), sent)

    assert response.status_code == 409
    assert DELETE_CONFLICT in html.unescape(response.content.decode())
    meal.refresh_from_db()
    assert (meal.deleted_at, meal.version) == (None, 1)
    assert meal.changes.count() == 1
