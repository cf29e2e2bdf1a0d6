"""The benchmark's databases are what it claims: sized as asked, consistent, and every
page it measures answers the family. A schema change that the seed does not follow
fails here, not in the middle of `make bench`."""

from __future__ import annotations

import random

import pytest
from django.db.models import Count
from django.db.models import F
from django.test import Client
from django.utils import timezone

from bench.run import PAGES
from bench.seed import seed_family
from bench.seed import seed_hosted
from homefront.accounts.models import User
from homefront.households.models import Household
from homefront.journal.models import EntryChange
from homefront.journal.models import JournalEntry
from homefront.notify.models import Channel
from homefront.notify.models import Message
from homefront.notify.models import Schedule
from homefront.notify.models import Status
from homefront.trips.models import Trip

pytestmark = pytest.mark.django_db(transaction=True)


def assert_consistent() -> None:
    entries = JournalEntry.objects.all()
    assert not entries.exclude(household_id=F("trip__household_id")).exists()
    assert not entries.annotate(n=Count("children")).filter(n=0).exists()
    assert not entries.exclude(children__household_id=F("household_id")).distinct().count()
    assert EntryChange.objects.count() == entries.count()
    assert not entries.filter(occurred_at__lt=F("trip__starts_at")).exists()


def assert_pages_answer(facts: dict) -> None:
    browser = Client()
    browser.force_login(User.objects.get(email=facts["email"]))
    api = Client(HTTP_AUTHORIZATION=f"Bearer {facts['api_token']}")
    for name, path in PAGES:
        url = path.format(**facts)
        response = (api if url.startswith("/api/") else browser).get(url)
        assert response.status_code == 200, (name, url, response.status_code)


def test_the_family_scale_is_five_years_of_trips_and_the_entries_asked_for():
    facts = seed_family(random.Random(1), entries=3_000)

    assert JournalEntry.objects.count() == 3_000
    trips = Trip.objects.filter(household_id=facts["household"])
    assert trips.count() >= 50
    first = trips.order_by("starts_at").first()
    last = trips.order_by("starts_at").last()
    assert (last.starts_at - first.starts_at).days > 4 * 365
    current = Trip.objects.get(pk=facts["current_trip"])
    assert current.state().value == "away"
    assert current.nights == 14
    assert Trip.objects.get(pk=facts["longest_past_trip"]).nights == 14
    assert_consistent()
    assert_pages_answer(facts)


def test_the_hosted_scale_puts_the_family_among_other_households():
    facts = seed_hosted(random.Random(1), households=30, entries=9_000, family_entries=1_000)

    assert Household.objects.count() == 31
    assert JournalEntry.objects.filter(household_id=facts["household"]).count() == 1_000
    others = JournalEntry.objects.exclude(household_id=facts["household"]).count()
    assert 7_000 <= others <= 8_000  # whole trips' worth, as near the total as they fit
    assert_consistent()
    assert_pages_answer(facts)
    # The family's pages show the family's journal only.
    api = Client(HTTP_AUTHORIZATION=f"Bearer {facts['api_token']}")
    listed = api.get("/api/v1/journal-entries?limit=100").json()
    assert listed["count"] == 1_000
    # Every other household has a channel per parent and was planned once: the worker's
    # rounds start from a service at rest, with nothing due and nothing waiting to go.
    schedules = Schedule.objects.exclude(household_id=facts["household"])
    assert schedules.count() == 30
    assert Channel.objects.exclude(household_id=facts["household"]).count() == 60
    assert not schedules.filter(next_plan_at__lte=timezone.now()).exists()
    assert not Message.objects.exclude(status=Status.SENT).exists()
    assert Message.objects.count() == 60  # the quarterly review, to each parent
