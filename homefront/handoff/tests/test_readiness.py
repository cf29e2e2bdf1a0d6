"""Ready for the unplanned: the readiness score with a fix for each gap, and "leave now"."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from homefront.demo.household import RACHEL
from homefront.demo.household import the_levins
from homefront.handoff.models import DEFAULT_GO_BAG
from homefront.handoff.models import GoBagItem
from homefront.handoff.models import ShareLink
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Routine
from homefront.households.models import RoutineKind
from homefront.photos.testing import phone_jpeg
from homefront.testing.households import add_parent
from homefront.testing.trips import make_trip
from homefront.testing.trips import trip_to
from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip
from homefront.trips.models import TripKind

# Tuesday 10 November 2026, 9:00 in New York.
NOW = datetime(2026, 11, 10, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
SHARE_URL = re.compile(r'id="share-url" type="text" value="http://testserver(/s/[\w-]+/)"')


@pytest.fixture
def empty(db):
    """The demo's household with nothing in it yet but Rachel (and the default go-bag list)."""
    levins = the_levins("a long test password", people=(RACHEL,), girls=())
    client = Client()
    client.force_login(levins.rachel)
    return levins.household, client


def score_of(client) -> int:
    response = client.get(reverse("handoff:readiness"))
    assert response.status_code == 200
    shown = re.search(r"Readiness score </span>(\d+)%</span>", response.content.decode())
    assert shown is not None, "the score is shown, named for screen readers"
    assert int(shown.group(1)) == response.context["score"]
    return response.context["score"]


def checks_of(client) -> dict[str, bool]:
    return {c.label: c.ok for c in client.get(reverse("handoff:readiness")).context["checks"]}


FIXES = [
    ("A backup caregiver with a phone number", "households:contact_create", "", "Add a backup"),
    ("A doctor", "households:contact_create", "", "Add the doctor"),
    ("Bedtime and meal routines for each child", "households:profile", "", "Fill in routines"),
    (
        "Allergies and medicines confirmed in the last 90 days",
        "handoff:readiness",
        "#review",
        "Confirm them",
    ),
    (
        "A photo and weight of each child from the last six months",
        "households:profile",
        "",
        "Add the children",
    ),
    ("Go-bag packed", "handoff:readiness", "#go-bag", "Pack it"),
    ("Emergency card printed", "handoff:emergency_card", "", "Print the card"),
]


# -- The score -------------------------------------------------------------------------------


def test_an_empty_household_scores_zero_with_a_fix_for_each_check(empty):
    household, client = empty

    response = client.get(reverse("handoff:readiness"))

    assert response.status_code == 200
    assert score_of(client) == 0
    html = response.content.decode()
    assert [c.label for c in response.context["checks"]] == [label for label, *_ in FIXES]
    assert not any(c.ok for c in response.context["checks"])
    items = re.findall(r'<li class="is-missing">(.*?)</li>', html, re.DOTALL)
    assert len(items) == len(FIXES)
    for item, (label, name, anchor, fix) in zip(items, FIXES, strict=True):
        assert f"<strong>{label}</strong>" in item
        assert f'<a href="{reverse(name)}{anchor}" class="small">{fix}' in item
    assert "Nobody to call yet." in html
    assert "No children yet." in html
    assert GoBagItem.objects.in_household(household).count() == len(DEFAULT_GO_BAG)


def test_filling_each_gap_raises_the_score_to_100(empty):
    household, client = empty
    maya = Child.objects.create(household=household, name="Maya", birth_date=date(2022, 5, 12))
    noa = Child.objects.create(household=household, name="Noa", birth_date=date(2023, 8, 1))
    assert score_of(client) == 0

    # A backup caregiver counts only with a phone to call.
    judy = Contact(household=household, name="Judy", email="judy@example.com", roles=["backup"])
    judy.save()
    assert score_of(client) == 0
    judy.phone = "+1 619 555 0187"
    judy.save()
    assert score_of(client) == 14

    Contact(
        household=household, name="Dr Okafor", phone="+1 619 555 0100", roles=[ContactRole.DOCTOR]
    ).save()
    assert score_of(client) == 29

    # Bedtime and a meal, for each child.
    Routine.objects.create(child=maya, kind=RoutineKind.BEDTIME, time=time(19, 30))
    assert score_of(client) == 29
    Routine.objects.create(child=maya, kind=RoutineKind.DINNER, time=time(17, 30))
    Routine.objects.create(child=noa, kind=RoutineKind.BREAKFAST, time=time(7))
    assert score_of(client) == 29
    assert "Missing for Noa" in client.get(reverse("handoff:readiness")).content.decode()
    Routine.objects.create(child=noa, kind=RoutineKind.BEDTIME, time=time(19))
    assert score_of(client) == 43

    for child in (maya, noa):
        response = client.post(reverse("handoff:confirm_health", args=[child.pk]))
        assert response.status_code == 302
        assert response["Location"] == reverse("handoff:readiness") + "#review"
    assert score_of(client) == 57
    maya.refresh_from_db()
    assert maya.health_reviewed_at == NOW

    # A photo and a weight of each child, as a parent adds them on the child's page.
    for child in (maya, noa):
        photo = SimpleUploadedFile("kid.jpg", phone_jpeg(), "image/jpeg")
        client.post(reverse("households:child_photo_upload", args=[child.pk]), {"photo": photo})
        assert score_of(client) == 57
        client.post(
            reverse("households:child_edit", args=[child.pk]),
            {"name": child.name, "birth_date": child.birth_date.isoformat(), "weight": "36.5"},
        )
    assert score_of(client) == 71

    items = list(GoBagItem.objects.in_household(household))
    for item in items[:-1]:
        response = client.post(reverse("handoff:toggle_go_bag", args=[item.pk]), {"ready": "1"})
        assert response.status_code == 302
    assert score_of(client) == 71
    # From htmx, the answer is the item's row alone.
    last = items[-1]
    response = client.post(
        reverse("handoff:toggle_go_bag", args=[last.pk]), {"ready": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<li id="bag-{last.pk}" class="is-done">')
    assert 'aria-pressed="true"' in html
    assert "<html" not in html
    assert score_of(client) == 86

    response = client.post(reverse("handoff:card_printed"))
    assert response.status_code == 302
    assert response["Location"] == reverse("handoff:readiness")
    assert score_of(client) == 100
    page = client.get(reverse("handoff:readiness")).content.decode()
    assert 'class="is-missing"' not in page
    assert "First to call: Judy, +1 619 555 0187" in page
    assert "Printed 10 Nov 2026." in page


def test_unpacking_an_item_lowers_the_score_again(family):
    client = family.client_for(family.parent)
    items = list(GoBagItem.objects.in_household(family.household))
    for item in items:
        client.post(reverse("handoff:toggle_go_bag", args=[item.pk]), {"ready": "1"})
    assert checks_of(client)["Go-bag packed"]

    client.post(reverse("handoff:toggle_go_bag", args=[items[0].pk]), {"ready": "0"})

    assert not checks_of(client)["Go-bag packed"]
    assert GoBagItem.objects.in_household(family.household).filter(ready=False).get() == items[0]


def test_a_health_check_older_than_90_days_needs_confirming_again(family, frozen_time):
    client = family.client_for(family.parent)
    client.post(reverse("handoff:confirm_health", args=[family.child.pk]))
    label = "Allergies and medicines confirmed in the last 90 days"
    assert checks_of(client)[label]

    frozen_time.shift(timedelta(days=91))

    assert not checks_of(family.client_for(family.parent))[label]  # a fresh session


def test_a_caregiver_sees_the_score_but_cannot_change_it(family):
    client = family.client_for(family.caregiver)

    response = client.get(reverse("handoff:readiness"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="leave-now"' not in html
    assert 'class="small">Add the doctor' not in html
    item = GoBagItem.objects.in_household(family.household).first()
    for url in [
        reverse("handoff:confirm_health", args=[family.child.pk]),
        reverse("handoff:toggle_go_bag", args=[item.pk]),
        reverse("handoff:card_printed"),
    ]:
        assert client.post(url, {"ready": "1"}).status_code == 403, url
    family.child.refresh_from_db()
    family.household.refresh_from_db()
    item.refresh_from_db()
    assert family.child.health_reviewed_at is None
    assert family.household.emergency_card_printed_at is None
    assert not item.ready


def test_an_outsider_cannot_touch_another_households_readiness(family):
    client = family.client_for(family.outsider)
    item = GoBagItem.objects.in_household(family.household).first()

    assert client.post(reverse("handoff:confirm_health", args=[family.child.pk])).status_code == 404
    response = client.post(reverse("handoff:toggle_go_bag", args=[item.pk]), {"ready": "1"})
    assert response.status_code == 404
    family.child.refresh_from_db()
    item.refresh_from_db()
    assert family.child.health_reviewed_at is None
    assert not item.ready


def test_wrong_methods_are_refused(family):
    client = family.client_for(family.parent)
    item = GoBagItem.objects.in_household(family.household).first()

    for url in [
        reverse("handoff:leave_now"),
        reverse("handoff:confirm_health", args=[family.child.pk]),
        reverse("handoff:toggle_go_bag", args=[item.pk]),
        reverse("handoff:card_printed"),
    ]:
        assert client.get(url).status_code == 405, url


# -- Leave now -------------------------------------------------------------------------------


@pytest.fixture
def uncle(family) -> Contact:
    """A second backup caregiver: the first one, Grandma, is the one named."""
    contact = Contact(
        household=family.household, name="Uncle Ben", phone="+1 619 555 0142", roles=["backup"]
    )
    contact.save()
    return contact


LEAVE = {
    "back_on": "2026-11-12",
    "back_at": "18:00",
    "destination": "San Diego",
    "notes": "Mum is in hospital, I call at 7.",
}


def nothing_new(trips: int = 0, covers: int = 0) -> None:
    assert Trip.objects.count() == trips
    assert Cover.objects.count() == covers
    assert not ShareLink.objects.exists()


def test_leave_now_starts_a_trip_names_the_backup_and_shares_the_brief(family, uncle):
    client = family.client_for(family.parent)

    response = client.post(reverse("handoff:leave_now"), LEAVE, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Go. It's handled." in html
    trip = Trip.objects.get()
    assert (trip.traveller, trip.kind, trip.destination) == (
        family.parent,
        TripKind.SHORT_NOTICE,
        "San Diego",
    )
    assert trip.starts_at == NOW
    assert trip.ends_at == ny(2026, 11, 12, 18)
    assert trip.notes == LEAVE["notes"]
    assert trip.nights_list == [date(2026, 11, 10), date(2026, 11, 11)]
    covers = Cover.objects.in_household(family.household).order_by("night")
    assert [(c.night, c.contact, c.member) for c in covers] == [
        (date(2026, 11, 10), family.contact, None),
        (date(2026, 11, 11), family.contact, None),
    ]
    link = ShareLink.objects.get()
    assert (link.trip, link.contact, link.label) == (trip, family.contact, "Grandma")
    assert "<strong>Grandma</strong> is named for every night" in html

    path = SHARE_URL.search(html).group(1)
    message = (
        "Hi Grandma, here is everything about the kids while Pat is away "
        f"(Tue 10 Nov to Thu 12 Nov): http://testserver{path}"
    )
    assert f">{message}</textarea>" in html
    assert 'href="sms:+1 619 555 0187?&body=Hi%20Grandma%2C%20' in html

    shared = Client().get(path)
    assert shared.status_code == 200
    brief = shared.content.decode()
    assert "Mum is in hospital, I call at 7." in brief
    assert "Maya: allergic to Peanuts" in brief
    assert "Code 4815" in brief  # the trip is on: the alarm code is there for Grandma
    assert "Grandma in charge" in brief


def test_leave_now_overrides_whoever_was_named_for_those_nights(family):
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 11), member=family.caregiver
    )

    response = family.client_for(family.parent).post(reverse("handoff:leave_now"), LEAVE)

    assert response.status_code == 200
    assert set(Cover.objects.values_list("night", "contact", "member")) == {
        (date(2026, 11, 10), family.contact.pk, None),
        (date(2026, 11, 11), family.contact.pk, None),
    }


def test_leave_now_without_a_backup_says_nobody_is_named(family):
    family.contact.delete()

    response = family.client_for(family.parent).post(reverse("handoff:leave_now"), LEAVE)

    assert response.status_code == 200
    assert "Nobody is named: add a backup caregiver." in response.content.decode()
    assert Trip.objects.count() == 1
    assert not Cover.objects.exists()
    assert ShareLink.objects.get().label == "Whoever covers"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {**LEAVE, "back_on": "2026-11-09"}, "The return cannot be in the past.", id="past"
        ),
        pytest.param(
            {**LEAVE, "back_on": "2026-11-10", "back_at": "08:00"},
            "The return must be after the departure.",
            id="earlier-today",
        ),
        pytest.param({**LEAVE, "back_on": ""}, "This field is required.", id="missing"),
        pytest.param({**LEAVE, "back_on": "soon"}, "Enter a valid date.", id="garbled"),
    ],
)
def test_leave_now_with_a_bad_return_creates_nothing(family, data, message):
    client = family.client_for(family.parent)

    response = client.post(reverse("handoff:leave_now"), data)

    assert response.status_code == 422
    html = response.content.decode()
    assert f'<small class="error" id="id_back_on_errors">{message}</small>' in html
    assert 'aria-describedby="id_back_on_errors"' in html
    assert "Nothing was saved yet." in html
    assert 'value="San Diego"' in html  # what was typed is kept
    nothing_new()


def test_leave_now_overlapping_a_trip_of_the_same_parent_creates_nothing(family):
    trip_to(family, "Denver", "America/Denver", ny(2026, 11, 11, 8), ny(2026, 11, 13, 20))

    response = family.client_for(family.parent).post(reverse("handoff:leave_now"), LEAVE)

    assert response.status_code == 422
    html = response.content.decode()
    assert '<small class="error" id="id_back_on_errors">Pat is already away then:' in html
    nothing_new(trips=1)


def test_leave_now_beside_the_other_parents_trip_is_fine(family):
    sam = add_parent(family)
    make_trip(family.household, sam, ny(2026, 11, 9, 8), ny(2026, 11, 14, 20))

    response = family.client_for(family.parent).post(reverse("handoff:leave_now"), LEAVE)

    assert response.status_code == 200
    assert Trip.objects.filter(traveller=family.parent, kind=TripKind.SHORT_NOTICE).exists()


def test_a_caregiver_cannot_leave_now(family):
    response = family.client_for(family.caregiver).post(reverse("handoff:leave_now"), LEAVE)

    assert response.status_code == 403
    nothing_new()
