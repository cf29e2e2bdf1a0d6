"""The access policy's rules for caregivers, through every door: pages, the API, PDFs.

A caregiver named in charge of a night of trip A, and of no night of trip B, reads
and logs on A and learns nothing of B beyond the family calendar; the alarm code
shows to them from the day before A until A ends. And no module but the policy
decides by role or cover.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from homefront.access import Action
from homefront.access import Actor
from homefront.access import may
from homefront.api.models import AccessToken
from homefront.api.models import Scope
from homefront.handoff.models import ShareLink
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.prep.models import PrepTask
from homefront.trips.models import Cover
from homefront.trips.models import Trip

APP = Path(__file__).resolve().parents[2]


@dataclass
class TwoTrips:
    family: Any
    a: Trip
    b: Trip
    entry_a: JournalEntry
    entry_b: JournalEntry
    task_a: PrepTask
    task_b: PrepTask


def trip(family: Any, days_ahead: int, nights: int, destination: str) -> Trip:
    zone = family.household.zone
    start = family.household.today() + timedelta(days=days_ahead)
    return Trip.objects.create(
        household=family.household,
        traveller=family.parent,
        starts_at=datetime.combine(start, time(9, 0), tzinfo=zone),
        ends_at=datetime.combine(start + timedelta(days=nights), time(18, 0), tzinfo=zone),
        destination=destination,
        destination_zone="America/Denver",
    )


def entry(trip: Trip, family: Any, text: str) -> JournalEntry:
    logged = JournalEntry.objects.create(
        uuid=uuid.uuid4(),
        trip=trip,
        kind=Kind.NOTE,
        occurred_at=trip.starts_at + timedelta(hours=2),
        text=text,
        author=family.parent,
        content_hash=text,
    )
    logged.children.set([family.child])
    return logged


@pytest.fixture
def two_trips(family) -> TwoTrips:
    """Trip A (Denver, from tomorrow) with its second night covered by the caregiver; trip
    B (Boise, in three weeks) with nobody named."""
    a = trip(family, 1, 3, "Denver")
    b = trip(family, 21, 2, "Boise")
    Cover.objects.create(
        household=family.household, night=a.nights_list[1], member=family.caregiver
    )
    return TwoTrips(
        family=family,
        a=a,
        b=b,
        entry_a=entry(a, family, "Currants at lunch"),
        entry_b=entry(b, family, "Swings in the park"),
        task_a=PrepTask.objects.create(
            trip=a, title="Charge the baby monitor", due_on=a.local_start.date()
        ),
        task_b=PrepTask.objects.create(trip=b, title="Buy sun cream", due_on=b.local_start.date()),
    )


def other_caregiver(family: Any) -> Any:
    from homefront.households.models import Membership
    from homefront.households.models import Role

    if not hasattr(family, "other_caregiver"):
        family.other_caregiver = family.caregiver.__class__.objects.create_user(
            email="off@example.com", password="a long test password", name="Cora Off"
        )
        Membership.objects.create(
            household=family.household, user=family.other_caregiver, role=Role.CAREGIVER
        )
    return family.other_caregiver


def bearer(family: Any, scope: Scope = Scope.WRITE) -> dict[str, str]:
    _token, secret = AccessToken.issue(family.caregiver, family.household, "Phone", scope)
    return {"Authorization": f"Bearer {secret}"}


TRIP_PAGES = (
    "trips:detail",
    "handoff:brief",
    "handoff:brief_pdf",
    "handoff:fridge",
    "prep:trip",
    "prep:packing",
    "journal:timeline",
    "journal:log",
    "journal:manifest",
    "journal:deleted",
    "debrief:trip",
)


def test_caregiver_reads_and_logs_on_the_trip_they_cover_and_learns_nothing_of_the_other(
    two_trips,
):
    family, a, b = two_trips.family, two_trips.a, two_trips.b
    carer = family.client_for(family.caregiver)
    api = Client(headers=bearer(family))
    with time_machine.travel(a.starts_at + timedelta(hours=3), tick=False):
        for name in TRIP_PAGES:
            assert carer.get(reverse(name, args=[a.pk])).status_code == 200, name
            response = carer.get(reverse(name, args=[b.pk]))
            assert response.status_code == 404, name
            assert b"Boise" not in response.content, name
        # Logging on A, by the quick log and by its offline queue; nothing on B.
        sent = {"uuid": str(uuid.uuid4()), "kind": "bath", "children": [str(family.child.pk)]}
        assert carer.post(reverse("journal:log", args=[a.pk]), sent).status_code == 302
        assert JournalEntry.objects.filter(uuid=sent["uuid"], trip=a).exists()
        batch = {
            "entries": [
                {
                    "uuid": str(uuid.uuid4()),
                    "kind": "asleep",
                    "children": [family.child.pk],
                    "occurred_at": (a.starts_at + timedelta(hours=2)).isoformat(),
                }
            ]
        }
        for url in (reverse("journal:sync", args=[b.pk]), f"/api/v1/trips/{b.pk}/journal/sync"):
            client = api if url.startswith("/api/") else carer
            response = client.post(url, batch, content_type="application/json")
            assert response.status_code == 404, url
        assert not JournalEntry.objects.filter(trip=b, text="").exists()
        response = api.post(
            f"/api/v1/trips/{a.pk}/journal/sync", batch, content_type="application/json"
        )
        assert response.json()["results"][0]["status"] == "stored"
        # Ticking A's prep, not B's; B's edit page is a 404, A's a 403 (a parent's to change).
        assert carer.post(reverse("prep:tick", args=[two_trips.task_a.pk])).status_code == 302
        assert carer.post(reverse("prep:tick", args=[two_trips.task_b.pk])).status_code == 404
        assert (
            api.patch(
                f"/api/v1/prep-tasks/{two_trips.task_b.pk}",
                {"done": True},
                content_type="application/json",
            ).status_code
            == 404
        )
        two_trips.task_b.refresh_from_db()
        assert two_trips.task_b.done_at is None
        assert carer.get(reverse("trips:edit", args=[a.pk])).status_code == 403
        assert carer.get(reverse("trips:edit", args=[b.pk])).status_code == 404

        # The API answers as the pages do.
        assert api.get(f"/api/v1/trips/{a.pk}").status_code == 200
        for path in (
            f"/api/v1/trips/{b.pk}",
            f"/api/v1/journal-entries/{two_trips.entry_b.pk}",
            f"/api/v1/journal-entries?trip={b.pk}",
            f"/api/v1/prep-tasks/{two_trips.task_b.pk}",
            f"/api/v1/prep-tasks?trip={b.pk}",
        ):
            response = api.get(path)
            assert response.status_code == 404, path
            assert "Boise" not in response.content.decode()
            assert "Swings" not in response.content.decode()
        listed = api.get("/api/v1/journal-entries").json()["items"]
        assert {item["text"] for item in listed} >= {"Currants at lunch"}
        assert "Swings in the park" not in {item["text"] for item in listed}
        assert [t["destination"] for t in api.get("/api/v1/trips").json()["items"]] == ["Denver"]
        tasks = api.get("/api/v1/prep-tasks?limit=100").json()["items"]
        assert "Charge the baby monitor" in {task["title"] for task in tasks}
        assert {task["trip_id"] for task in tasks} == {a.pk}
        # The family calendar still says who is away when.
        calendar = carer.get(
            reverse("trips:calendar_month", args=[b.local_start.year, b.local_start.month])
        )
        assert "Boise" in calendar.content.decode()
        assert reverse("trips:detail", args=[b.pk]).encode() not in calendar.content


def test_a_caregivers_403_names_the_role_it_takes_on_the_api(two_trips):
    family, a = two_trips.family, two_trips.a
    api = Client(headers=bearer(family))
    response = api.get(f"/api/v1/trips/{a.pk}/share-links")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only a parent of this household can do this."
    response = Client(headers=bearer(family, Scope.READ)).post(
        f"/api/v1/trips/{a.pk}/journal/sync", {"entries": []}, content_type="application/json"
    )
    assert response.status_code == 403
    assert "may only read" in response.json()["detail"]


@pytest.mark.parametrize(
    ("moment", "shows"),
    [
        (lambda a: a.starts_at - timedelta(days=2), False),
        (lambda a: a.starts_at - timedelta(hours=23), True),
        (lambda a: a.starts_at + timedelta(hours=30), True),
        (lambda a: a.ends_at + timedelta(minutes=1), False),
    ],
    ids=["two days before", "the evening before", "under way", "back home"],
)
def test_the_alarm_code_shows_to_the_caregiver_in_charge_only_around_the_trip(
    two_trips, moment, shows
):
    family, a = two_trips.family, two_trips.a
    carer = family.client_for(family.caregiver)
    link, token = ShareLink.issue(a, family.parent, label="Grandma", days_before=7)
    with time_machine.travel(moment(a), tick=False):
        reveal_url = reverse("households:note_reveal", args=[family.secret_note.pk])
        profile = carer.get(reverse("households:profile")).content.decode()
        assert (reveal_url in profile) is shows
        reveal = carer.get(reverse("households:note_reveal", args=[family.secret_note.pk]))
        assert reveal.status_code == (200 if shows else 403)
        assert (
            "Code 4815" in carer.get(reverse("handoff:brief", args=[a.pk])).content.decode()
        ) is shows
        if link.is_valid():
            brief = Client().get(reverse("handoff:shared_brief", args=[token]))
            assert ("Code 4815" in brief.content.decode()) is shows
        # Another caregiver of the household, covering nothing, never.
        off = family.client_for(other_caregiver(family))
        assert reveal_url not in off.get(reverse("households:profile")).content.decode()
        assert off.get(reveal_url).status_code == 403


def test_the_policy_answers_per_role_and_cover(two_trips):
    family, a, b = two_trips.family, two_trips.a, two_trips.b
    from homefront.households.models import Membership

    def actor(user: Any) -> Actor:
        membership = Membership.objects.select_related("household").get(
            user=user, household=family.household
        )
        return Actor(household=family.household, user=user, membership=membership)

    parent, carer = actor(family.parent), actor(family.caregiver)
    assert may(parent, Action.EDIT_TRIP, b)
    assert may(parent, Action.EXPORT)
    assert may(carer, Action.TICK_PREP, a)
    assert may(carer, Action.LOG_JOURNAL, a)
    assert not may(carer, Action.EDIT_TRIP, a)
    assert not any(
        may(carer, action, b)
        for action in (Action.READ_TRIP, Action.READ_BRIEF, Action.LOG_JOURNAL)
    )
    assert not any(
        may(carer, action)
        for action in (
            Action.EDIT_PROFILE,
            Action.MANAGE_MEMBERS,
            Action.MANAGE_HOUSEHOLD_CHANNELS,
            Action.EXPORT,
        )
    )
    link, _token = ShareLink.issue(a, family.parent, label="Grandma")
    holder = Actor(household=family.household, share_link=link)
    assert may(holder, Action.READ_BRIEF, a)
    assert may(holder, Action.LOG_JOURNAL, a)
    assert not may(holder, Action.READ_TRIP, a)
    assert not may(holder, Action.READ_BRIEF, b)
    assert not may(holder, Action.READ_PROFILE)
    assert not may(Actor(), Action.READ_CALENDAR)


# Who may do what is decided in homefront/access.py alone: elsewhere, a role is only data
# (who the parents are, to list them), never a test that opens or closes a door.
ROLE_TESTS = re.compile(r"\bis_parent\b|membership\.role\b|\bcovers_trip\b|Cover\.objects.*member=")


def test_no_view_template_or_endpoint_decides_by_role_or_cover_itself():
    offenders = []
    for path in sorted(APP.rglob("*")):
        if (
            path.suffix not in (".py", ".html")
            or "tests" in path.parts
            or "migrations" in path.parts
        ):
            continue
        if path.name == "access.py" and path.parent == APP:
            continue
        if path.parent == APP / "households" / "models":
            continue  # Membership says what a role is; the policy reads it
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ROLE_TESTS.search(line):
                offenders.append(f"{path.relative_to(APP)}:{number}: {line.strip()}")
    assert not offenders, "Ask homefront.access instead:\n" + "\n".join(offenders)
