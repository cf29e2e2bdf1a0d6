"""Prep tasks whose outcome Homefront sees tick themselves."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from django.test import Client
from django.urls import reverse

from homefront.handoff.models import ShareLink
from homefront.prep.models import PrepTask
from homefront.trips.models import Trip


def upcoming_trip(family) -> Trip:
    zone = family.household.zone
    leaves = datetime.combine(
        family.household.today() + timedelta(days=6), datetime.min.time(), tzinfo=zone
    ).replace(hour=8)
    return Trip.objects.create(
        household=family.household,
        traveller=family.parent,
        starts_at=leaves,
        ends_at=leaves + timedelta(days=2, hours=10),
        destination_zone=family.household.time_zone,
    )


def task(trip: Trip, title: str) -> PrepTask:
    return PrepTask.objects.get(trip=trip, title=title)


def test_naming_someone_for_the_last_open_night_ticks_the_check(family):
    trip = upcoming_trip(family)
    check = "Check who is in charge each night"
    assert task(trip, check).done_at is None
    client = family.client_for(family.parent)
    first, last = trip.nights_list  # the only parent is away: nobody at home either night

    def name_carer(night):
        client.post(
            reverse("trips:cover", args=[trip.pk, night.isoformat()]),
            {"adult": f"member:{family.caregiver.pk}"},
        )

    name_carer(first)
    assert task(trip, check).done_at is None  # the second night is still open
    name_carer(last)
    assert task(trip, check).done_at is not None


def test_the_walk_through_ticks_when_the_link_is_first_opened_not_when_it_is_made(family):
    trip = upcoming_trip(family)
    walk = "Walk the one staying through the brief"
    _link, token = ShareLink.issue(trip, family.parent, label="Grandma")
    assert task(trip, walk).done_at is None  # sent is not read

    Client().get(reverse("handoff:shared_brief", args=[token]))
    assert task(trip, walk).done_at is not None

    # Unticked by a parent (a walk through on the phone is still to come), it stays so:
    # Grandma reading again is not news.
    PrepTask.objects.filter(trip=trip, title=walk).update(done_at=None)
    Client().get(reverse("handoff:shared_brief", args=[token]))
    assert task(trip, walk).done_at is None


def test_the_first_opening_of_a_second_link_ticks_an_open_walk_through(family):
    trip = upcoming_trip(family)
    walk = "Walk the one staying through the brief"
    _grandma, grandmas = ShareLink.issue(trip, family.parent, label="Grandma")
    _sitter, sitters = ShareLink.issue(trip, family.parent, label="Sitter")
    Client().get(reverse("handoff:shared_brief_pdf", args=[grandmas]))
    assert task(trip, walk).done_at is not None
    PrepTask.objects.filter(trip=trip, title=walk).update(done_at=None)

    Client().get(reverse("handoff:shared_brief", args=[sitters]))
    assert task(trip, walk).done_at is not None
