from __future__ import annotations

import json
import uuid
from datetime import date
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homefront.api.tests.conftest import Api
from homefront.households.models import Child
from homefront.journal.models import EntryChange
from homefront.journal.models import JournalEntry
from homefront.testing.trips import api_trip
from homefront.testing.trips import trip_to
from homefront.trips.models import Trip

# Every object the API shows one of, by its URL, and which family object it is.
OBJECT_PATHS = {
    "/children/{}": "child",
    "/routines/{}": "routine",
    "/foods/{}": "allergy",
    "/medicines/{}": "medicine",
    "/contacts/{}": "contact",
    "/trips/{}": "trip",
    "/trips/{}/share-links": "trip",
    "/prep-tasks/{}": "prep_task",
    "/journal-entries/{}": "journal_entry",
}
LISTS = [
    "/children",
    "/routines",
    "/foods",
    "/medicines",
    "/contacts",
    "/trips",
    "/prep-tasks",
    "/journal-entries",
]


@pytest.mark.parametrize(("path", "key"), OBJECT_PATHS.items())
def test_each_object_for_its_household_and_a_404_for_any_other(family, path, key):
    obj = getattr(family, key)
    url = path.format(obj.pk)
    assert Api(family.write_token).get(url).status_code == 200
    outsider = Api(family.outsider_token)
    response = outsider.get(url)
    missing = outsider.get(path.format(987654))
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json() == {"detail": "Not found in your household."}
    assert outsider.get(path.format(2**70)).status_code == 404


def test_outsider_writes_nothing_to_the_family(family):
    outsider = Api(family.outsider_token)
    response = outsider.patch(f"/prep-tasks/{family.prep_task.pk}", {"done": True})
    assert response.status_code == 404
    family.prep_task.refresh_from_db()
    assert family.prep_task.done_at is None
    with time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False):
        batch = {"entries": [bath(family)]}
        response = outsider.post(f"/trips/{family.trip.pk}/journal/sync", batch)
    assert response.status_code == 404
    assert JournalEntry.objects.count() == 1


@pytest.mark.parametrize("path", LISTS)
def test_lists_show_each_household_only_its_own(family, path):
    mine = Api(family.write_token).get(path).json()
    assert mine["count"] >= 1
    theirs = Api(family.outsider_token).get(path).json()
    assert theirs == {"items": [], "count": 0}


def test_trips_come_with_their_nights_and_cover(family):
    [trip] = Api(family.write_token).get("/trips").json()["items"]
    assert trip["destination"] == "Kyoto"
    assert trip["traveller"] == "Pat Parent"
    assert trip["state"] == "upcoming"
    nights = trip["nights"]
    assert len(nights) == family.trip.nights == 3
    assert nights[0] == {"night": family.trip.nights_list[0].isoformat(), "cover": "Cam Carer"}
    assert nights[1]["cover"] is None


def test_share_links_show_no_token(family):
    response = Api(family.write_token).get(f"/trips/{family.trip.pk}/share-links")
    [link] = response.json()["items"]
    assert link["label"] == "Aunt Probe"
    assert link["status"] in ("working", "not yet")
    body = response.content.decode()
    assert family.share_token not in body
    assert family.share_link.token_hash not in body


def test_pagination(family):
    for n in range(7):
        Child.objects.create(
            household=family.household, name=f"Kid {n}", birth_date=date(2020, 1, 1 + n)
        )
    api = Api(family.write_token)
    first = api.get("/children", limit=3).json()
    assert first["count"] == 8
    assert len(first["items"]) == 3
    rest = api.get("/children", limit=3, offset=3).json()["items"]
    last = api.get("/children", limit=3, offset=6).json()["items"]
    names = [c["name"] for c in first["items"] + rest + last]
    assert len(names) == len(set(names)) == 8
    response = api.get("/children", limit=1000)
    assert response.status_code == 422
    assert "limit" in response.json()["errors"]
    assert api.get("/children", offset=-1).status_code == 422


def test_query_count_does_not_grow_with_the_data(family):
    api = Api(family.write_token)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert api.get("/trips").status_code == 200
            assert api.get("/journal-entries").status_code == 200
        return len(context)

    queries()  # last_used_at is written on the first use
    one = queries()
    for weeks in range(2, 6):
        leaves = family.trip.starts_at + timedelta(weeks=weeks)
        back = family.trip.ends_at + timedelta(weeks=weeks)
        trip = trip_to(family, "", "UTC", leaves, back)
        entry = JournalEntry.objects.create(
            uuid=uuid.uuid4(), trip=trip, kind="bath", occurred_at=trip.starts_at, content_hash="x"
        )
        entry.children.set([family.child])
    assert queries() == one


# -- Writing -------------------------------------------------------------------------------


def test_create_a_child(family):
    response = Api(family.write_token).post(
        "/children", {"name": "Noor", "birth_date": "2023-01-01", "notes": "Loves trains"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Noor"
    child = Child.objects.get(pk=body["id"])
    assert child.household == family.household


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": "maya", "birth_date": "2023-01-01"}, "name", "already in your household"),
        ({"name": "Noor", "birth_date": "2999-01-01"}, "birth_date", "cannot be in the future"),
        ({"name": "Noor", "birth_date": "1950-01-01"}, "birth_date", "check the year"),
        ({"name": "", "birth_date": "2023-01-01"}, "name", "required"),
        ({"name": "Noor", "birth_date": "someday"}, "birth_date", "date"),
        ({"name": "Noor"}, "birth_date", "required"),
        ({"name": 12, "birth_date": "2023-01-01"}, "name", "string"),
    ],
)
def test_a_child_the_form_would_refuse_is_a_422_naming_the_field(family, body, field, message):
    before = Child.objects.count()
    response = Api(family.write_token).post("/children", body)
    assert response.status_code == 422, response.content
    data = response.json()
    assert field in data["errors"], data
    assert message.lower() in " ".join(data["errors"][field]).lower()
    assert isinstance(data["detail"], str)
    assert field in data["detail"]
    assert Child.objects.count() == before


def test_a_body_that_is_not_json_is_a_422(family):
    response = Client().post(
        "/api/v1/children",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {family.write_token}"},
    )
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def trip_body(family, **changes):
    lisbon = api_trip(family, 20, 2, "Lisbon", destination_zone="Europe/Lisbon", start_time="08:00")
    return lisbon | changes


def test_create_a_trip(family):
    response = Api(family.write_token).post("/trips", trip_body(family))
    assert response.status_code == 201, response.content
    trip = Trip.objects.get(pk=response.json()["id"])
    assert (trip.household, trip.traveller, trip.nights) == (family.household, family.parent, 2)
    assert len(response.json()["nights"]) == 2


def test_trips_are_checked_as_the_form_checks_them(family):
    api = Api(family.write_token)
    start = family.trip.local_start.date()
    cases = [
        (trip_body(family, end_date=family.household.today().isoformat()), "end_date", "after"),
        (trip_body(family, start_date=start.isoformat()), "start_date", "already away"),
        (trip_body(family, traveller=family.caregiver.pk), "traveller", "choice"),
        (trip_body(family, destination_zone="Mars/Olympus"), "destination_zone", "zone"),
        (trip_body(family, kind="holiday"), "kind", "choice"),
        (trip_body(family, start_time="25:00"), "start_time", "hour"),
    ]
    before = Trip.objects.count()
    for body, field, message in cases:
        response = api.post("/trips", body)
        assert response.status_code == 422, (body, response.content)
        errors = response.json()["errors"]
        assert field in errors, (body, errors)
        assert message in " ".join(errors[field]).lower(), (body, errors)
    assert Trip.objects.count() == before


def test_a_time_skipped_by_dst_is_refused_with_the_times_around_it(family):
    # New York springs forward on 8 March 2026: 2:30 am does not exist.
    with time_machine.travel("2026-03-01 12:00Z", tick=False):
        body = trip_body(family, start_date="2026-03-08", start_time="02:30", end_date="2026-03-10")
        response = Api(family.write_token).post("/trips", body)
    assert response.status_code == 422
    assert "does not exist" in response.json()["errors"]["start_time"][0]


def test_tick_a_prep_task_done_and_not(family):
    api = Api(family.carer_token)
    url = f"/prep-tasks/{family.prep_task.pk}"
    first = api.patch(url, {"done": True}).json()
    assert first["done"] is True
    again = api.patch(url, {"done": True}).json()
    assert again["done_at"] == first["done_at"]
    family.prep_task.refresh_from_db()
    assert family.prep_task.done_by == family.caregiver
    assert api.patch(url, {"done": False}).json()["done"] is False
    assert api.patch(url, {"done": "maybe"}).status_code == 422


# -- The journal -----------------------------------------------------------------------


def bath(family, **changes):
    return {
        "uuid": str(uuid.uuid4()),
        "kind": "bath",
        "children": [family.child.pk],
        "occurred_at": timezone.now().isoformat(),
    } | changes


def test_the_same_batch_ten_times_stores_each_entry_once(family):
    api = Api(family.carer_token)
    url = f"/trips/{family.trip.pk}/journal/sync"
    with time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False):
        batch = {"entries": [bath(family), bath(family, kind="note", text="Giggles")]}
        outcomes = [api.post(url, batch) for _ in range(10)]
    assert all(response.status_code == 200 for response in outcomes)
    assert [r["status"] for r in outcomes[0].json()["results"]] == ["stored", "stored"]
    for response in outcomes[1:]:
        assert [r["status"] for r in response.json()["results"]] == ["duplicate", "duplicate"]
    uuids = [entry["uuid"] for entry in batch["entries"]]
    stored = JournalEntry.objects.filter(uuid__in=uuids)
    assert stored.count() == 2
    assert {entry.author for entry in stored} == {family.caregiver}
    assert EntryChange.objects.filter(entry__in=stored).count() == 2


def test_sync_reports_each_entry(family):
    api = Api(family.write_token)
    url = f"/trips/{family.trip.pk}/journal/sync"
    with time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False):
        good = bath(family)
        api.post(url, {"entries": [good]})
        response = api.post(
            url,
            {
                "entries": [
                    good | {"kind": "nap"},
                    bath(family, children=[987654]),
                    bath(family, kind="flying"),
                ]
            },
        )
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["conflict", "invalid", "invalid"]
    assert results[1]["errors"]["children"] == "That child is not in this family."
    assert "kind" in results[2]["errors"]


@pytest.mark.parametrize("body", [{"entries": "bath"}, {"entries": [1, 2]}, {}, []])
def test_a_sync_body_of_the_wrong_shape_is_a_422(family, body):
    response = Api(family.write_token).post(f"/trips/{family.trip.pk}/journal/sync", body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str)


def test_journal_entries_can_be_read(family):
    api = Api(family.read_token)
    [entry] = api.get("/journal-entries", trip=family.trip.pk).json()["items"]
    assert entry["text"] == "Lost a tooth at lunch"
    assert entry["children"] == [family.child.pk]
    # A trip that is not the household's, or not one the member may open, is a 404 as on
    # the pages, whether or not it exists.
    for missing in (987654, 2**70):
        response = api.get("/journal-entries", trip=missing)
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found in your household."}


# -- Documentation ----------------------------------------------------------------------


def test_openapi_document_and_docs_page_load_nothing_from_elsewhere(family):
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/trips/{pk}/journal/sync" in json.loads(schema.content)["paths"]
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "cdn" not in page.lower()
    assert "/static/ninja/swagger-ui-bundle" in page
    assert "'unsafe-inline'" not in docs["Content-Security-Policy"]


def test_a_read_finds_its_token_and_member_in_two_plain_queries(family):
    api = Api(family.write_token)
    api.get("/children")  # last_used_at is written on the first use
    with CaptureQueriesContext(connection) as context:
        assert api.get("/children").status_code == 200
    sql = [query["sql"] for query in context.captured_queries]
    assert len([q for q in sql if "api_accesstoken" in q]) == 1
    # The member: one statement of its own, not joined again with the user and household
    # the token's query brought.
    [membership] = [q for q in sql if q.startswith("SELECT id, role FROM households_membership")]
    assert "accounts_user" not in membership
    # Nor is the household's data version read again for the answer's tag.
    assert not [q for q in sql if q.startswith("SELECT id, data_version FROM")]
