"""Guess what can be guessed: the destination's time zone (offline), a new trip from the
last one or a past one to repeat, and no traveller offered as their own cover."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time

import pytest
from django.urls import reverse

from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.testing.trips import trip_to
from homefront.testing.zones import NY
from homefront.trips.guesses import zone_candidates
from homefront.trips.models import Cover
from homefront.trips.models import Trip

NOW = datetime(2026, 3, 4, 10, 0, tzinfo=NY)  # a Wednesday
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.mark.parametrize(
    ("destination", "zone"),
    [
        ("Denver", "America/Denver"),
        ("Albuquerque", "America/Denver"),
        ("Lisbon", "Europe/Lisbon"),
        ("albuquerque, new mexico", "America/Denver"),
    ],
)
def test_a_known_city_finds_its_zone(destination, zone):
    assert [place.zone for place in zone_candidates(destination)] == [zone]


def test_portland_offers_each_with_its_country_and_nowhere_offers_none():
    portland = zone_candidates("Portland")
    assert {p.zone for p in portland} >= {"America/Los_Angeles", "America/New_York"}
    assert all(p.country == "United States" for p in portland[:2])
    assert zone_candidates("Grandma's cabin") == []


def trip_data(**fields):
    return {
        "traveller": "",
        "start_date": "2026-03-10",
        "start_time": "08:00",
        "end_date": "2026-03-12",
        "end_time": "18:00",
        "destination": "",
        "destination_zone": "America/New_York",
        "kind": "planned",
        "notes": "",
        **fields,
    }


def test_saving_denver_with_the_home_zone_left_in_the_box_takes_denvers(family):
    client = family.client_for(family.parent)
    data = trip_data(traveller=family.parent.pk, destination="Denver")
    response = client.post(reverse("trips:create"), data)
    assert response.status_code == 302
    assert Trip.objects.get().destination_zone == "America/Denver"


def test_portland_asks_which_and_saves_nothing(family):
    family.household.time_zone = "Europe/London"  # neither Portland's
    family.household.save()
    client = family.client_for(family.parent)
    data = trip_data(
        traveller=family.parent.pk, destination="Portland", destination_zone="Europe/London"
    )
    response = client.post(reverse("trips:create"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Portland, Oregon, United States: America/Los_Angeles" in html
    assert not Trip.objects.exists()
    # Choosing one of them is the answer.
    data["destination_zone"] = "America/Los_Angeles"
    assert client.post(reverse("trips:create"), data).status_code == 302


def test_a_zone_typed_by_hand_is_validated_as_before(family):
    client = family.client_for(family.parent)
    data = trip_data(
        traveller=family.parent.pk, destination="Nowhere", destination_zone="Mars/Base"
    )
    response = client.post(reverse("trips:create"), data)
    assert response.status_code == 422
    assert not Trip.objects.exists()


def test_the_zone_box_follows_the_destination_as_it_is_typed(family):
    client = family.client_for(family.parent)
    url = reverse("trips:zone_guess")
    part = client.get(url, {"destination": "Lisbon", "destination_zone": "America/New_York"})
    assert part.status_code == 200
    assert 'value="Europe/Lisbon"' in part.content.decode()
    several = client.get(url, {"destination": "Portland"}).content.decode()
    assert 'list="destination-places"' in several
    assert "Portland, Maine, United States" in several


def past_trip(family, **fields) -> Trip:
    return Trip.objects.create(
        household=family.household,
        traveller=family.parent,
        starts_at=datetime(2026, 2, 5, 7, 30, tzinfo=NY),  # a Thursday
        ends_at=datetime(2026, 2, 8, 21, 0, tzinfo=NY),
        destination="Albuquerque",
        destination_zone="America/Denver",
        **fields,
    )


def test_a_new_trip_starts_from_the_travellers_last_one(family):
    past_trip(family)
    client = family.client_for(family.parent)
    form = client.get(reverse("trips:create")).context["form"]
    assert form.initial["destination"] == "Albuquerque"
    assert form.initial["destination_zone"] == "America/Denver"
    assert form.initial["start_time"] == time(7, 30)
    assert form.initial["end_time"] == time(21, 0)
    # The next Thursday, and the same three nights.
    assert (form.initial["start_date"], form.initial["end_date"]) == (
        date(2026, 3, 5),
        date(2026, 3, 8),
    )


def test_a_new_trip_after_an_upcoming_one_starts_after_it_and_saves_as_offered(family):
    # Friday to Monday, still ahead: the next Friday from tomorrow would be on top of it.
    leaves, back = datetime(2026, 3, 6, 7, 30, tzinfo=NY), datetime(2026, 3, 9, 21, 0, tzinfo=NY)
    trip_to(family, "Albuquerque", "America/Denver", leaves, back)
    client = family.client_for(family.parent)
    form = client.get(reverse("trips:create")).context["form"]
    assert (form.initial["start_date"], form.initial["end_date"]) == (
        date(2026, 3, 13),
        date(2026, 3, 16),
    )
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    assert client.post(reverse("trips:create"), data).status_code == 302
    assert Trip.objects.filter(traveller=family.parent).count() == 2


def test_repeat_a_past_trip_from_the_trip_list_in_two_taps(family):
    trip = past_trip(family)
    client = family.client_for(family.parent)
    listing = client.get(reverse("trips:list")).content.decode()
    repeat = f"{reverse('trips:create')}?repeat={trip.pk}"
    assert repeat in listing
    form = client.get(repeat).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["start_date"], data["end_date"] = "2026-03-05", "2026-03-08"
    response = client.post(reverse("trips:create"), data)
    assert response.status_code == 302
    new = Trip.objects.latest("pk")
    assert (new.destination, new.destination_zone, new.nights) == (
        "Albuquerque",
        "America/Denver",
        3,
    )


def test_the_traveller_is_never_offered_as_their_own_cover(family):
    other = family.outsider
    Membership.objects.create(household=family.household, user=other, role=Role.PARENT)
    trip = past_trip(family)
    Trip.objects.filter(pk=trip.pk).update(
        starts_at=datetime(2026, 3, 10, 8, tzinfo=NY), ends_at=datetime(2026, 3, 12, 18, tzinfo=NY)
    )
    client = family.client_for(family.parent)
    page = client.get(reverse("trips:detail", args=[trip.pk])).content.decode()
    assert f'value="member:{family.parent.pk}"' not in page
    assert f'value="member:{other.pk}"' in page
    assert "Add a backup caregiver" in page
    assert "Invite the other parent" in page

    client.post(
        reverse("trips:cover", args=[trip.pk, "2026-03-10"]),
        {"adult": f"member:{family.parent.pk}"},
    )
    assert not Cover.objects.filter(member=family.parent).exists()


def test_a_backup_added_from_the_nights_comes_back_to_them(family):
    client = family.client_for(family.parent)
    back = "/trips/7/#nights"
    url = reverse("households:contact_create") + "?backup=1&next=/trips/7/%23nights"
    form = client.get(url).context["form"]
    assert form.initial["roles"] == ["backup"]
    response = client.post(
        url, {"name": "Aunt Sue", "phone": "+1 617 555 0100", "roles": ["backup"]}
    )
    assert response.status_code == 302
    assert response["Location"] == back
    evil = reverse("households:contact_create") + "?next=https://evil.example/"
    response = client.post(evil, {"name": "Uncle Bo", "phone": "+1 617 555 0101"})
    assert response["Location"] == reverse("households:profile")
