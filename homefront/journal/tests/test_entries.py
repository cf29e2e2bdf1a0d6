"""Storing journal entries: one set of rules for the quick-log form, the offline sync and
a share link's sync, so a retried, doubled or replayed send stores each entry once and
every way in refuses the same bad input with the same message."""

from __future__ import annotations

import json
import uuid
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from homefront.accounts.models import User
from homefront.handoff.models import ShareLink
from homefront.households.models import Child
from homefront.households.models import Medicine
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.journal import entries
from homefront.journal.entries import Author
from homefront.journal.models import EntryChange
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.testing.trips import trip_to
from homefront.testing.zones import ny
from homefront.trips.models import Trip

# Thursday 12 November 2026, 20:00 in New York: the second evening of the trip.
NOW = datetime(2026, 11, 13, 1, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def leo(family) -> Child:
    return Child.objects.create(household=family.household, name="Leo", birth_date=date(2019, 3, 2))


def raw(family, **fields: Any) -> dict[str, Any]:
    """An entry as the quick log's JavaScript sends it: a bath at 18:30 for Maya."""
    return {
        "uuid": str(uuid.uuid4()),
        "kind": "bath",
        "children": [family.child.pk],
        "occurred_at": ny(2026, 11, 12, 18, 30).isoformat(),
        "details": {},
        "text": "",
        **fields,
    }


def sync_url(trip: Trip) -> str:
    return reverse("journal:sync", args=[trip.pk])


def post_json(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def caregiver(family) -> Author:
    return Author(user=family.caregiver)


# -- Stored, duplicate, conflict -----------------------------------------------------------


def test_a_new_entry_is_stored_with_who_logged_it_and_its_history(family, trip):
    sent = raw(family, kind="meal", details={"what": "pasta", "amount": "most"}, text="Seconds!")

    [outcome] = entries.store(trip, caregiver(family), [sent], now=NOW)

    assert outcome.status == "stored"
    assert outcome.as_json() == {"uuid": sent["uuid"], "status": "stored"}
    entry = JournalEntry.objects.get()
    assert entry == outcome.entry
    assert str(entry.uuid) == sent["uuid"]
    assert (entry.trip, entry.kind, entry.author, entry.share_link) == (
        trip,
        Kind.MEAL,
        family.caregiver,
        None,
    )
    assert list(entry.children.all()) == [family.child]
    assert entry.occurred_at == ny(2026, 11, 12, 18, 30)
    assert entry.details == {"what": "pasta", "amount": "most"}
    assert (entry.text, entry.version, entry.summary) == ("Seconds!", 1, "Meal (pasta): ate most")
    [change] = entry.changes.all()
    assert (change.action, change.by_name, change.before) == ("created", "Cam Carer", None)
    assert change.after == {
        "kind": "meal",
        "children": [family.child.pk],
        "occurred_at": sent["occurred_at"],
        "details": {"what": "pasta", "amount": "most"},
        "text": "Seconds!",
        "medicine": None,
        "comfort_task": None,
    }


def test_the_same_entry_sent_again_is_a_duplicate_stored_once(family, trip):
    sent = raw(family)

    first = entries.store(trip, caregiver(family), [sent], now=NOW)
    again = entries.store(trip, caregiver(family), [dict(sent)], now=NOW + timedelta(minutes=5))

    assert [o.status for o in first + again] == ["stored", "duplicate"]
    assert again[0].entry == first[0].entry
    assert again[0].as_json() == {"uuid": sent["uuid"], "status": "duplicate"}
    assert JournalEntry.objects.count() == 1
    assert EntryChange.objects.count() == 1


def test_a_duplicate_in_one_batch_is_stored_once(family, trip):
    sent = raw(family)

    outcomes = entries.store(trip, caregiver(family), [sent, dict(sent)], now=NOW)

    assert [o.status for o in outcomes] == ["stored", "duplicate"]
    assert JournalEntry.objects.count() == 1


def test_another_entry_under_a_used_uuid_is_a_conflict_and_the_first_is_kept(family, trip):
    sent = raw(family, text="Splashy")
    entries.store(trip, caregiver(family), [sent], now=NOW)

    [outcome] = entries.store(trip, caregiver(family), [{**sent, "text": "Calm"}], now=NOW)

    assert outcome.status == "conflict"
    assert outcome.as_json() == {
        "uuid": sent["uuid"],
        "status": "conflict",
        "errors": {
            "uuid": "An entry with this id was already sent with other contents; "
            "the first one is kept."
        },
    }
    entry = JournalEntry.objects.get()
    assert entry.text == "Splashy"
    assert EntryChange.objects.count() == 1


def test_a_uuid_used_on_another_trip_is_a_conflict(family, trip):
    other = trip_to(family, "", "America/New_York", ny(2026, 11, 5, 8), ny(2026, 11, 7, 18))
    sent = raw(family)
    earlier = raw(family, uuid=sent["uuid"], occurred_at=ny(2026, 11, 6, 8).isoformat())
    [stored] = entries.store(other, Author(user=family.parent), [earlier], now=ny(2026, 11, 6, 9))
    assert stored.status == "stored"

    [outcome] = entries.store(trip, caregiver(family), [sent], now=NOW)

    assert outcome.status == "conflict"
    assert JournalEntry.objects.get().trip == other


# -- Replays: the same sync request ten times ----------------------------------------------


def batch_of_three(family) -> dict[str, Any]:
    return {
        "entries": [
            raw(
                family,
                kind="meal",
                details={"amount": "all"},
                occurred_at=ny(2026, 11, 12, 17, 50).isoformat(),
            ),
            raw(family, kind="bath", occurred_at=ny(2026, 11, 12, 18, 30).isoformat()),
            raw(family, kind="asleep", occurred_at=ny(2026, 11, 12, 19, 45).isoformat()),
        ]
    }


def assert_each_entry_once(body: dict[str, Any], trip: Trip) -> None:
    sent = {entry["uuid"] for entry in body["entries"]}
    stored = JournalEntry.objects.filter(trip=trip)
    assert {str(entry.uuid) for entry in stored} == sent
    assert stored.count() == 3
    for entry in stored:
        assert [change.action for change in entry.changes.all()] == ["created"]


def test_a_sync_request_replayed_ten_times_stores_each_entry_once(family, trip):
    client = family.client_for(family.caregiver)
    body = batch_of_three(family)

    responses = [post_json(client, sync_url(trip), body) for _ in range(10)]

    assert {r.status_code for r in responses} == {200}
    assert [r["status"] for r in responses[0].json()["results"]] == ["stored"] * 3
    for response in responses[1:]:
        assert [r["status"] for r in response.json()["results"]] == ["duplicate"] * 3
    assert_each_entry_once(body, trip)
    assert {e.author for e in JournalEntry.objects.all()} == {family.caregiver}


def test_a_share_link_sync_replayed_ten_times_stores_each_entry_once(family, trip):
    link, token = ShareLink.issue(trip, family.parent, label="Grandma Judy")
    url = reverse("journal:shared_sync", args=[token])
    body = batch_of_three(family)

    responses = [post_json(Client(), url, body) for _ in range(10)]

    assert {r.status_code for r in responses} == {200}
    statuses = [[r["status"] for r in response.json()["results"]] for response in responses]
    assert statuses == [["stored"] * 3] + [["duplicate"] * 3] * 9
    assert_each_entry_once(body, trip)
    entry = JournalEntry.objects.first()
    assert (entry.author, entry.share_link, entry.author_name) == (None, link, "Grandma Judy")
    assert entry.changes.get().by_name == "Grandma Judy"


# -- Bad input: a clear message, nothing stored --------------------------------------------


def _other_household_child(family) -> Child:
    return Child.objects.create(
        household=family.other_household, name="Olly", birth_date=date(2020, 1, 1)
    )


def _leos_medicine(family) -> Medicine:
    leo = Child.objects.create(household=family.household, name="Leo", birth_date=date(2019, 3, 2))
    return Medicine.objects.create(child=leo, name="Iron drops", dose="1 ml", times=["18:00"])


BAD_ENTRIES: dict[str, tuple[Any, str, str]] = {
    # case: (what to change in a good entry, the field, its message)
    "more than an hour ahead": (
        lambda family: {"occurred_at": (NOW + timedelta(minutes=61)).isoformat()},
        "occurred_at",
        "That is more than an hour from now. Check the time.",
    ),
    "no time zone": (
        lambda family: {"occurred_at": "2026-11-12T18:30:00"},
        "occurred_at",
        "Give the time as a date and time with its zone.",
    ),
    "before the trip": (
        lambda family: {"occurred_at": ny(2026, 11, 9, 18).isoformat()},
        "occurred_at",
        "That is before the trip began.",
    ),
    "a child of another household": (
        lambda family: {"children": [_other_household_child(family).pk]},
        "children",
        "That child is not in this family.",
    ),
    "no child": (lambda family: {"children": []}, "children", "Choose at least one child."),
    "an unknown kind": (
        lambda family: {"kind": "dance"},
        "kind",
        "“dance” is not something the journal can log.",
    ),
    "a note too long": (
        lambda family: {"kind": "note", "text": "x" * 5001},
        "text",
        "A note can be at most 5,000 characters (this one has 5,001).",
    ),
    "an empty note": (lambda family: {"kind": "note", "text": "  "}, "text", "Write the note."),
    "no uuid": (
        lambda family: {"uuid": None},
        "uuid",
        "Each entry needs the id its device gave it.",
    ),
    "a uuid that is not one": (
        lambda family: {"uuid": "twelve"},
        "uuid",
        "Each entry needs the id its device gave it.",
    ),
    "a detail of another kind": (
        lambda family: {"details": {"colour": "blue"}},
        "details",
        "“colour” does not belong to this kind of entry.",
    ),
    "a wrong choice": (
        lambda family: {"kind": "meal", "details": {"amount": "loads"}},
        "details",
        "amount: choose one of all, most, some, little, none.",
    ),
    "a new food without the food": (
        lambda family: {"kind": "new_food", "details": {"liked": "yes"}},
        "details",
        "Which food was it?",
    ),
    "a medicine without the medicine": (
        lambda family: {"kind": "medicine"},
        "medicine",
        "Choose which medicine was given.",
    ),
    "a medicine of another child": (
        lambda family: {"kind": "medicine", "medicine": _leos_medicine(family).pk},
        "medicine",
        "That medicine is for another child.",
    ),
}


@pytest.mark.parametrize("case", BAD_ENTRIES)
def test_bad_entries_are_refused_with_their_message(family, trip, case):
    change, field, message = BAD_ENTRIES[case]
    sent = raw(family, **change(family))
    if sent["uuid"] is None:
        del sent["uuid"]

    [outcome] = entries.store(trip, caregiver(family), [sent], now=NOW)
    assert outcome.status == "invalid"
    assert outcome.errors[field] == message

    response = post_json(family.client_for(family.caregiver), sync_url(trip), {"entries": [sent]})
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["status"] == "invalid"
    assert result["errors"][field] == message
    assert JournalEntry.objects.count() == 0
    assert EntryChange.objects.count() == 0


def test_an_entry_within_the_hour_ahead_is_accepted(family, trip):
    sent = raw(family, occurred_at=(NOW + timedelta(minutes=59)).isoformat())

    [outcome] = entries.store(trip, caregiver(family), [sent], now=NOW)

    assert outcome.status == "stored"


def test_a_bad_entry_does_not_stop_the_good_ones_of_its_batch(family, trip):
    good, bad = raw(family), raw(family, kind="dance")

    outcomes = entries.store(trip, caregiver(family), [good, bad, "bath"], now=NOW)

    assert [o.status for o in outcomes] == ["stored", "invalid", "invalid"]
    assert outcomes[2].errors == {"entry": "An entry must be an object."}
    assert [str(e.uuid) for e in JournalEntry.objects.all()] == [good["uuid"]]


def test_a_trip_that_ended_more_than_two_days_ago_takes_no_entries(family):
    old = Trip.objects.create(
        household=family.household,
        traveller=family.parent,
        starts_at=ny(2026, 11, 6, 8),
        ends_at=ny(2026, 11, 10, 18),  # 2 days and 2 hours before NOW
        destination_zone="America/New_York",
    )
    sent = raw(family, occurred_at=ny(2026, 11, 9, 19).isoformat())

    [outcome] = entries.store(old, Author(user=family.parent), [sent], now=NOW)
    response = post_json(family.client_for(family.parent), sync_url(old), {"entries": [sent]})

    message = "This trip ended more than two days ago: its journal is closed."
    assert outcome.errors == {"trip": message}
    assert response.json()["results"][0]["errors"] == {"trip": message}
    assert JournalEntry.objects.count() == 0
    # Still open two days after the return: late logging of the last evening.
    [outcome] = entries.store(old, Author(user=family.parent), [sent], now=ny(2026, 11, 12, 17, 59))
    assert outcome.status == "stored"


def test_a_cancelled_trip_takes_no_entries(family, trip):
    Trip.objects.filter(pk=trip.pk).update(cancelled_at=NOW)
    trip.refresh_from_db()

    [outcome] = entries.store(trip, caregiver(family), [raw(family)], now=NOW)

    assert outcome.status == "invalid"
    assert "trip" in outcome.errors


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"entries: [bath]", 400, "The request is not JSON."),
        (b"\xff\xfe not text", 400, "The request is not JSON."),
        (b'[{"kind": "bath"}]', 400, 'Send {"entries": [...]}.'),
        (b'{"entries": {"kind": "bath"}}', 400, 'Send {"entries": [...]}.'),
        (
            b'{"entries": [' + b" " * 1_000_000 + b"]}",
            413,
            "Too much at once: send at most 500 entries.",
        ),
    ],
    ids=["not JSON", "not text", "a list", "not a list of entries", "over 1 MB"],
)
def test_a_sync_body_that_is_not_a_batch_is_refused(family, trip, body, status, error):
    client = family.client_for(family.caregiver)

    response = client.post(sync_url(trip), body, content_type="application/json")

    assert response.status_code == status
    assert response.json() == {"error": error}
    assert JournalEntry.objects.count() == 0


def test_a_sync_of_more_than_500_entries_is_refused_whole(family, trip):
    client = family.client_for(family.caregiver)
    batch = [raw(family) for _ in range(501)]

    response = post_json(client, sync_url(trip), {"entries": batch})

    assert response.status_code == 413
    assert response.json() == {"error": "Too much at once: send at most 500 entries."}
    assert JournalEntry.objects.count() == 0
    # 500 is fine.
    response = post_json(client, sync_url(trip), {"entries": batch[:500]})
    assert response.status_code == 200
    assert JournalEntry.objects.count() == 500


def test_sync_takes_posts_only(family, trip):
    response = family.client_for(family.caregiver).get(sync_url(trip))

    assert response.status_code == 405


# -- The minimum interval of an as-needed medicine -----------------------------------------


@pytest.fixture
def ibuprofen(family) -> Medicine:
    return Medicine.objects.create(
        child=family.child, name="Ibuprofen", dose="5 ml", as_needed=True, min_interval_hours=6
    )


def dose(family, medicine: Medicine, at: datetime) -> dict[str, Any]:
    return raw(family, kind="medicine", medicine=medicine.pk, occurred_at=at.isoformat())


def test_an_as_needed_medicine_given_again_too_soon_is_stored_with_a_warning(
    family, trip, ibuprofen
):
    client = family.client_for(family.caregiver)
    first = post_json(
        client, sync_url(trip), {"entries": [dose(family, ibuprofen, ny(2026, 11, 12, 14))]}
    )
    again = post_json(
        client, sync_url(trip), {"entries": [dose(family, ibuprofen, ny(2026, 11, 12, 17))]}
    )

    assert "warning" not in first.json()["results"][0]
    [result] = again.json()["results"]
    assert result["status"] == "stored"
    assert result["warning"] == (
        "Ibuprofen was given 3.0 h after the last dose; it should be at least 6 h apart. "
        "Call a parent or the doctor if unsure."
    )
    assert JournalEntry.objects.filter(medicine=ibuprofen).count() == 2


def test_a_dose_after_the_interval_or_for_another_child_has_no_warning(
    family, trip, ibuprofen, leo
):
    leos = Medicine.objects.create(
        child=leo, name="Ibuprofen", dose="2.5 ml", as_needed=True, min_interval_hours=6
    )
    outcomes = entries.store(
        trip,
        caregiver(family),
        [
            dose(family, ibuprofen, ny(2026, 11, 12, 8)),
            dose(family, ibuprofen, ny(2026, 11, 12, 14, 30)),  # 6.5 h later
            raw(
                family,
                kind="medicine",
                medicine=leos.pk,
                children=[leo.pk],
                occurred_at=ny(2026, 11, 12, 15).isoformat(),
            ),
        ],
        now=NOW,
    )

    assert [(o.status, o.warning) for o in outcomes] == [("stored", "")] * 3


def test_a_deleted_dose_does_not_count(family, trip, ibuprofen):
    [first] = entries.store(
        trip, caregiver(family), [dose(family, ibuprofen, ny(2026, 11, 12, 14))], now=NOW
    )
    JournalEntry.objects.filter(pk=first.entry.pk).update(deleted_at=NOW)

    [again] = entries.store(
        trip, caregiver(family), [dose(family, ibuprofen, ny(2026, 11, 12, 16))], now=NOW
    )

    assert again.warning == ""


def test_the_form_shows_the_warning_too(family, trip, ibuprofen):
    client = family.client_for(family.caregiver)
    log = reverse("journal:log", args=[trip.pk])
    for at in (ny(2026, 11, 12, 16), ny(2026, 11, 12, 19)):
        client.get(log)  # the page shows, and so clears, the messages of the last one
        response = client.post(
            log,
            {
                "uuid": str(uuid.uuid4()),
                "kind": "medicine",
                "children": [family.child.pk],
                "medicine": ibuprofen.pk,
                "occurred_at": at.isoformat(),
            },
        )

    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Logged: Medicine given.",
        "Ibuprofen was given 3.0 h after the last dose; it should be at least 6 h apart. "
        "Call a parent or the doctor if unsure.",
    ]


# -- A share link that stops working mid-session -------------------------------------------

GONE = "This link no longer works. Ask a parent for a new one; what you logged stays on this phone."


def test_a_revoked_share_link_stores_nothing_and_says_why(family, trip):
    link, token = ShareLink.issue(trip, family.parent, label="Grandma Judy")
    url = reverse("journal:shared_sync", args=[token])
    client = Client()
    assert post_json(client, url, {"entries": [raw(family)]}).status_code == 200

    ShareLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    response = post_json(client, url, {"entries": [raw(family)]})

    assert response.status_code == 410
    assert response.json() == {"error": GONE}
    assert JournalEntry.objects.count() == 1
    assert client.get(reverse("journal:shared_log", args=[token])).status_code == 404


def test_an_expired_share_link_stores_nothing_and_says_why(family, trip, frozen_time):
    _link, token = ShareLink.issue(trip, family.parent, label="Grandma Judy", days_after=1)
    url = reverse("journal:shared_sync", args=[token])
    late = raw(family, occurred_at=ny(2026, 11, 15, 17).isoformat())

    frozen_time.move_to(ny(2026, 11, 16, 23, 59))  # the last minute of the day after the return
    assert post_json(Client(), url, {"entries": [late]}).status_code == 200
    frozen_time.move_to(ny(2026, 11, 17, 0, 1))
    response = post_json(Client(), url, {"entries": [raw(family, occurred_at=late["occurred_at"])]})

    assert response.status_code == 410
    assert response.json() == {"error": GONE}
    assert JournalEntry.objects.count() == 1


def test_a_forged_token_stores_nothing(family, trip):
    response = post_json(
        Client(), reverse("journal:shared_sync", args=["x" * 32]), batch_of_three(family)
    )

    assert response.status_code == 410
    assert JournalEntry.objects.count() == 0


# -- The plain form, without JavaScript ----------------------------------------------------


def log_url(trip: Trip) -> str:
    return reverse("journal:log", args=[trip.pk])


def test_the_plain_form_logs_one_entry_and_comes_back(family, trip):
    client = family.client_for(family.caregiver)
    form = {"uuid": str(uuid.uuid4()), "kind": "bath", "children": [family.child.pk], "chosen": ""}

    response = client.post(log_url(trip), form)

    assert response.status_code == 302
    assert response["Location"] == log_url(trip)
    entry = JournalEntry.objects.get()
    assert (str(entry.uuid), entry.kind, entry.occurred_at) == (form["uuid"], "bath", NOW)
    assert list(entry.children.all()) == [family.child]
    assert entry.author == family.caregiver
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Logged: Bath."]


def test_the_same_form_sent_twice_logs_once(family, trip, frozen_time):
    client = family.client_for(family.caregiver)
    form = {"uuid": str(uuid.uuid4()), "kind": "bath", "children": [family.child.pk]}

    first = client.post(log_url(trip), form)
    client.get(first["Location"])
    frozen_time.shift(timedelta(seconds=2))  # a double tap, or a reload that sends it again
    again = client.post(log_url(trip), form)

    assert (first.status_code, again.status_code) == (302, 302)
    assert JournalEntry.objects.count() == 1
    assert EntryChange.objects.count() == 1
    assert JournalEntry.objects.get().occurred_at == NOW
    assert [str(m) for m in get_messages(again.wsgi_request)] == ["Logged: Bath."]


def test_the_form_keeps_the_chosen_children_and_the_details(family, trip, leo):
    client = family.client_for(family.caregiver)
    chosen = f"{family.child.pk},{leo.pk}"

    response = client.post(
        log_url(trip),
        {
            "uuid": str(uuid.uuid4()),
            "kind": "new_food",
            "children": [family.child.pk, leo.pk],
            "chosen": chosen,
            "food": "raw currants",
            "liked": "yes",
        },
    )

    assert response["Location"] == f"{log_url(trip)}?children={chosen}"
    entry = JournalEntry.objects.get()
    assert entry.details == {"food": "raw currants", "liked": "yes"}
    assert entry.summary == "Tried raw currants: liked it"
    assert set(entry.children.all()) == {family.child, leo}


def test_the_form_says_what_is_wrong_and_logs_nothing(family, trip):
    client = family.client_for(family.caregiver)

    response = client.post(
        log_url(trip), {"uuid": str(uuid.uuid4()), "kind": "note", "children": [family.child.pk]}
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Not logged: Write the note."]
    assert JournalEntry.objects.count() == 0


def test_the_form_of_a_share_link_logs_for_the_link(family, trip):
    link, token = ShareLink.issue(trip, family.parent, label="Grandma Judy")
    url = reverse("journal:shared_log", args=[token])
    client = Client()
    page = client.get(url)
    assert page.status_code == 200
    assert page["X-Robots-Tag"] == "noindex, nofollow"

    response = client.post(
        url, {"uuid": str(uuid.uuid4()), "kind": "asleep", "children": [family.child.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == url
    entry = JournalEntry.objects.get()
    assert (entry.kind, entry.author, entry.share_link) == ("asleep", None, link)


# -- Who may log ---------------------------------------------------------------------------


def other_caregiver(family) -> User:
    user = User.objects.create_user(email="kim@example.com", password="x" * 20, name="Kim Keeper")
    Membership.objects.create(household=family.household, user=user, role=Role.CAREGIVER)
    return user


def test_the_caregiver_covering_the_trip_logs(family, trip):
    client = family.client_for(family.caregiver)

    page = client.get(log_url(trip))
    response = post_json(client, sync_url(trip), {"entries": [raw(family)]})

    assert page.status_code == 200
    assert "Log the day" in page.content.decode()
    assert response.json()["results"][0]["status"] == "stored"


def test_a_parent_logs_on_any_trip(family, trip):
    client = family.client_for(family.parent)

    response = post_json(client, sync_url(trip), {"entries": [raw(family)]})

    assert response.json()["results"][0]["status"] == "stored"
    assert JournalEntry.objects.get().author == family.parent


@pytest.mark.parametrize("who", ["a caregiver not covering", "an outsider"])
def test_others_get_404_and_log_nothing(family, trip, who):
    user = other_caregiver(family) if who == "a caregiver not covering" else family.outsider
    client = family.client_for(user)
    form = {"uuid": str(uuid.uuid4()), "kind": "bath", "children": [family.child.pk]}

    assert client.get(log_url(trip)).status_code == 404
    assert client.post(log_url(trip), form).status_code == 404
    assert post_json(client, sync_url(trip), {"entries": [raw(family)]}).status_code == 404
    assert client.get(reverse("journal:manifest", args=[trip.pk])).status_code == 404
    assert JournalEntry.objects.count() == 0


def test_nobody_signed_in_is_sent_to_sign_in(family, trip):
    client = Client()

    for response in (
        client.get(log_url(trip)),
        client.post(log_url(trip), {"kind": "bath", "children": [family.child.pk]}),
        client.get(reverse("journal:timeline", args=[trip.pk])),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert JournalEntry.objects.count() == 0


def test_a_signed_out_phone_is_told_by_the_sync_and_keeps_its_entries(family, trip):
    homeless = User.objects.create_user(email="nh@example.com", password="x" * 20, name="Nohome")

    for client in (Client(), family.client_for(homeless)):
        response = post_json(client, sync_url(trip), {"entries": [raw(family)]})

        assert response.status_code == 401
        assert response.json() == {
            "error": "You are signed out. Sign in again; what you logged stays on this phone."
        }
    assert JournalEntry.objects.count() == 0


def test_the_manifest_starts_at_the_quick_log(family, trip):
    response = family.client_for(family.caregiver).get(reverse("journal:manifest", args=[trip.pk]))

    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == log_url(trip)
    assert manifest["name"] == "Log the kids' day — The Testers"
    for icon in manifest["icons"]:
        assert icon["src"].startswith("/static/homefront/"), icon


# -- A batch in a few statements -------------------------------------------------------------
# A batch of the offline queue is checked and written in a few statements, whatever its
# size, while each entry keeps its own outcome, in the order sent.


def batch(family, count: int) -> list[dict]:
    return [
        raw(
            family,
            kind="meal",
            occurred_at=(ny(2026, 11, 12, 8) + timedelta(minutes=n)).isoformat(),
        )
        for n in range(count)
    ]


def queries_to_store(trip, author, sent) -> int:
    with CaptureQueriesContext(connection) as queries:
        outcomes = entries.store(trip, author, sent, now=NOW)
    assert [o.status for o in outcomes] == ["stored"] * len(sent)
    return len(queries)


def test_a_batch_costs_the_same_queries_for_one_entry_or_forty(family, trip, leo):
    """Forty entries for two children each: the same statements as one (SQLite's limit of
    999 parameters a statement splits far larger batches, a statement per 60 entries)."""
    author = caregiver(family)
    one = queries_to_store(trip, author, batch(family, 1))
    forty = batch(family, 40)
    for sent in forty:
        sent["children"] = [family.child.pk, leo.pk]

    assert queries_to_store(trip, author, forty) == one
    assert JournalEntry.objects.count() == 41
    assert JournalEntry.children.through.objects.count() == 1 + 80
    assert EntryChange.objects.count() == 41


def test_each_entry_of_a_mixed_batch_gets_its_own_outcome_in_order(family, trip):
    author = caregiver(family)
    kept, replayed = raw(family, text="Splashy"), raw(family, text="Calm")
    entries.store(trip, author, [kept, replayed], now=NOW)
    fresh = raw(family, kind="meal")
    sent = [
        raw(family, kind="juggling"),  # invalid
        {**kept, "text": "Something else"},  # conflict with what is stored
        fresh,  # stored
        dict(replayed),  # duplicate of what is stored
        dict(fresh),  # duplicate of an entry earlier in the batch
        {**fresh, "text": "Changed on the way"},  # conflict with one earlier in the batch
        raw(family, kind="bath"),  # stored
    ]

    outcomes = entries.store(trip, author, sent, now=NOW)

    assert [(o.uuid, o.status) for o in outcomes] == [
        (sent[0]["uuid"], "invalid"),
        (kept["uuid"], "conflict"),
        (fresh["uuid"], "stored"),
        (replayed["uuid"], "duplicate"),
        (fresh["uuid"], "duplicate"),
        (fresh["uuid"], "conflict"),
        (sent[6]["uuid"], "stored"),
    ]
    assert outcomes[0].errors == {"kind": "“juggling” is not something the journal can log."}
    assert outcomes[3].entry == JournalEntry.objects.get(uuid=replayed["uuid"])
    assert outcomes[4].entry == outcomes[2].entry
    assert JournalEntry.objects.count() == 4
    assert JournalEntry.objects.get(uuid=kept["uuid"]).text == "Splashy"
    assert JournalEntry.objects.get(uuid=fresh["uuid"]).text == ""
    assert EntryChange.objects.count() == 4
    stored = JournalEntry.objects.get(uuid=sent[6]["uuid"])
    assert stored.household_id == family.household.pk
    assert [c.pk for c in stored.children.all()] == [family.child.pk]
    assert stored.changes.get().after["kind"] == "bath"


def test_a_dose_too_soon_after_one_earlier_in_the_same_batch_is_warned(family, trip, ibuprofen):
    """As when the entries were stored one by one: each dose is held against the doses
    stored before the batch and those before it in the batch."""
    author = caregiver(family)
    entries.store(trip, author, [dose(family, ibuprofen, ny(2026, 11, 12, 6))], now=NOW)
    replayed = dose(family, ibuprofen, ny(2026, 11, 12, 14))
    entries.store(trip, author, [replayed], now=NOW)
    sent = [
        dict(replayed),  # already stored: a duplicate, and still a dose that counts
        dose(family, ibuprofen, ny(2026, 11, 12, 16)),
        dose(family, ibuprofen, ny(2026, 11, 12, 12)),  # 6 h after 6:00; 14:00 is after it
        dose(family, ibuprofen, ny(2026, 11, 12, 19, 30)),  # 3.5 h after 16:00, of this batch
    ]

    outcomes = entries.store(trip, author, sent, now=NOW)

    assert [o.status for o in outcomes] == ["duplicate", "stored", "stored", "stored"]
    assert [o.warning[:38] for o in outcomes] == [
        "",
        "Ibuprofen was given 2.0 h after the la",
        "",
        "Ibuprofen was given 3.5 h after the la",
    ]
