"""Reading the calendar feed: dead addresses are throttled like dead share links, and a
phone calendar's frequent polls write to the database at most once every few minutes."""

from __future__ import annotations

import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homefront.core import ratelimit
from homefront.trips.models import FEED_READ_NOTED_EVERY
from homefront.trips.models import CalendarFeed

NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
WRITES = ("INSERT", "UPDATE", "DELETE")


def feed_url(token: str) -> str:
    return reverse("trips:feed", args=[token])


def writes_while(read) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = read()
    assert response.status_code == 200
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITES)
    ]


def test_polling_notes_the_last_read_at_most_once_every_few_minutes(family, frozen_time):
    feed, token = CalendarFeed.issue(family.household, family.parent)
    phone = Client()

    assert len(writes_while(lambda: phone.get(feed_url(token)))) == 1
    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW

    # A phone polling every minute for a while: no write until the few minutes are up.
    for minute in range(1, 5):
        frozen_time.move_to(NOW + timedelta(minutes=minute))
        assert writes_while(lambda: phone.get(feed_url(token))) == []
    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW

    frozen_time.move_to(NOW + FEED_READ_NOTED_EVERY)
    assert len(writes_while(lambda: phone.get(feed_url(token)))) == 1
    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW + FEED_READ_NOTED_EVERY

    page = family.client_for(family.parent).get(reverse("trips:feeds")).content.decode()
    assert "last read" in page


def test_two_polls_at_once_note_the_read_once(family):
    feed, _token = CalendarFeed.issue(family.household, family.parent)
    first = CalendarFeed.objects.get(pk=feed.pk)
    second = CalendarFeed.objects.get(pk=feed.pk)

    first.note_read(NOW)
    with CaptureQueriesContext(connection) as queries:
        second.note_read(NOW + timedelta(seconds=1))

    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW  # the second found it done and changed nothing
    assert len(queries.captured_queries) == 1


def test_dead_addresses_spend_the_budget_and_then_every_address_waits(family, frozen_time):
    _feed, token = CalendarFeed.issue(family.household, family.parent)
    guesser = Client()
    for _ in range(ratelimit.CALENDAR_FEEDS.per_minute):
        assert guesser.get(feed_url(secrets.token_urlsafe(32))).status_code == 404

    # Out of tries for this minute: a guess and the working address alike wait.
    refused = guesser.get(feed_url(secrets.token_urlsafe(32)))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert guesser.get(feed_url(token)).status_code == 429
    # Another address is not held back.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert other.get(feed_url(token)).status_code == 200

    frozen_time.move_to(NOW + timedelta(minutes=1))
    assert guesser.get(feed_url(token)).status_code == 200


def test_a_working_address_polled_often_is_never_throttled(family, frozen_time):
    _feed, token = CalendarFeed.issue(family.household, family.parent)
    calendar_service = Client()
    for _ in range(ratelimit.CALENDAR_FEEDS.per_minute * 2):
        assert calendar_service.get(feed_url(token)).status_code == 200
    assert calendar_service.get(feed_url(secrets.token_urlsafe(32))).status_code == 404


def test_a_revoked_address_spends_the_budget_like_a_forged_one(family):
    feed, token = CalendarFeed.issue(family.household, family.parent)
    CalendarFeed.objects.filter(pk=feed.pk).update(revoked_at=NOW)
    guesser = Client()
    for _ in range(ratelimit.CALENDAR_FEEDS.per_minute):
        assert guesser.get(feed_url(token)).status_code == 404
    assert guesser.get(feed_url(token)).status_code == 429
