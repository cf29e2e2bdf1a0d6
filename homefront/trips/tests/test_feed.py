"""The family calendar as an iCalendar feed: a private address per member, read by a parser
that shares no code with the one that writes it (ical.js, vendored in tests/js/vendor/)."""

from __future__ import annotations

import json
import re
import secrets
import shutil
import subprocess
from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from homefront.accounts.models import User
from homefront.households.models import Membership
from homefront.testing.households import add_parent
from homefront.trips.models import CalendarFeed
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# Monday 2 November 2026, 9:00 in New York (EST since Sunday).
NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
JS = Path(__file__).parent / "js"
NODE = "/usr/bin/node"
FEED_URL = re.compile(r'value="(https://testserver/feed/([A-Za-z0-9_-]+)\.ics)"')
WEBCAL_URL = re.compile(r'href="(webcal://testserver/feed/([A-Za-z0-9_-]+)\.ics)"')


def make_feed(client: Client) -> tuple[str, str]:
    """Asks for a new address on the feeds page; returns the https URL and its path."""
    response = client.post(reverse("trips:feeds"), secure=True)
    assert response.status_code == 200
    html = response.content.decode()
    https = FEED_URL.search(html)
    webcal = WEBCAL_URL.search(html)
    assert https is not None, html
    assert webcal is not None, html
    assert https.group(2) == webcal.group(2)
    return https.group(1), https.group(1).removeprefix("https://testserver")


# -- The address ----------------------------------------------------------------------------


def test_member_makes_an_address_and_anyone_with_it_reads_the_calendar(family):
    client = family.client_for(family.caregiver)
    _url, path = make_feed(client)
    token = path.removeprefix("/feed/").removesuffix(".ics")
    assert len(token) >= 40
    feed = CalendarFeed.objects.get()
    assert feed.user == family.caregiver
    assert feed.household == family.household
    assert token not in feed.token_hash  # only a hash is stored
    assert feed.last_fetched_at is None

    response = Client().get(path, secure=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content.startswith(b"BEGIN:VCALENDAR")
    assert b"X-WR-CALNAME:The Testers" in response.content
    assert response["X-Robots-Tag"] == "noindex"
    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW
    # The page lists the address without showing it again.
    page = client.get(reverse("trips:feeds"), secure=True).content.decode()
    assert token not in page
    assert "not used yet" not in page
    assert "last read" in page


def test_feeds_page_needs_a_member(family):
    anonymous = Client().get(reverse("trips:feeds"))
    assert anonymous.status_code == 302
    assert "/account/" in anonymous["Location"]
    assert not CalendarFeed.objects.exists()


CSRF_TOKEN = re.compile(rb'"X-CSRFToken": "[A-Za-z0-9]+"')


def page_body(response) -> bytes:
    """The page without its per-response CSRF token, which differs on every page."""
    return CSRF_TOKEN.sub(b'"X-CSRFToken": ""', response.content)


def not_found_bodies(paths: list[str]) -> list[tuple[int, bytes]]:
    client = Client()
    return [(r.status_code, page_body(r)) for r in (client.get(p, secure=True) for p in paths)]


def test_unknown_revoked_forged_and_truncated_addresses_all_get_the_same_bare_404(family):
    client = family.client_for(family.parent)
    _url, revoked = make_feed(client)
    _url, working = make_feed(client)
    feed = CalendarFeed.objects.order_by("created_at", "pk").first()
    assert feed is not None
    response = client.post(reverse("trips:revoke_feed", args=[feed.pk]), secure=True)
    assert response.status_code == 302
    token = working.removeprefix("/feed/").removesuffix(".ics")
    forged = f"/feed/{secrets.token_urlsafe(32)}.ics"
    truncated = f"/feed/{token[:-1]}.ics"
    short = f"/feed/{token[:8]}.ics"
    extended = f"/feed/{token}x.ics"

    bodies = not_found_bodies([revoked, forged, truncated, short, extended])

    assert {status for status, _ in bodies} == {404}
    assert len({body for _, body in bodies}) == 1
    main = bodies[0][1].decode().lower().split("<main", 1)[1].split("</main>")[0]
    assert "nothing here" in main
    for hint in ("revoked", "token", "feed", "calendar", "household"):
        assert hint not in main
    assert Client().get(working, secure=True).status_code == 200


def test_someone_elses_revoke_is_a_404_and_the_address_keeps_working(family):
    _url, path = make_feed(family.client_for(family.caregiver))
    feed = CalendarFeed.objects.get()
    response = family.client_for(family.parent).post(reverse("trips:revoke_feed", args=[feed.pk]))
    assert response.status_code == 404
    outsider = family.client_for(family.outsider).post(reverse("trips:revoke_feed", args=[feed.pk]))
    assert outsider.status_code == 404
    feed.refresh_from_db()
    assert feed.revoked_at is None
    assert Client().get(path).status_code == 200


def test_address_of_someone_who_left_the_household_stops_working(family):
    second = add_parent(family)
    _url, path = make_feed(family.client_for(second))
    _url, unknown = make_feed(family.client_for(family.parent))
    assert Client().get(path).status_code == 200
    Membership.objects.filter(household=family.household, user=second).delete()

    response = Client().get(path)

    assert response.status_code == 404
    CalendarFeed.objects.filter(user=family.parent).update(revoked_at=NOW)
    assert page_body(response) == page_body(Client().get(unknown))


# -- What a phone calendar reads --------------------------------------------------------------


def read_with_icaljs(ics: bytes) -> dict[str, Any]:
    if not Path(NODE).exists() and shutil.which("node") is None:
        pytest.fail(
            "The feed tests read the calendar with ical.js and need Node.js at /usr/bin/node "
            "(apt-get install nodejs)."
        )
    node = NODE if Path(NODE).exists() else shutil.which("node")
    result = subprocess.run(
        [node, str(JS / "read_feed.mjs")],
        input=ics,
        capture_output=True,
        timeout=60,
        check=False,
        # A zone far from every zone in these tests: a time read as floating would show.
        env={"PATH": "/usr/bin:/bin", "TZ": "Asia/Kolkata"},
    )
    assert result.returncode == 0, result.stderr.decode()
    return json.loads(result.stdout)


def post_trip(client: Client, traveller: User, start: str, end: str, **extra: str):
    return client.post(reverse("trips:create"), trip_form(traveller, start, end, **extra))


def trip_form(traveller: User, start: str, end: str, **extra: str) -> dict[str, str]:
    """The trip form for a work trip to Denver from `start` to `end` ("YYYY-MM-DD HH:MM")."""
    return {
        "traveller": str(traveller.pk),
        "start_date": start.split()[0],
        "start_time": start.split()[1],
        "end_date": end.split()[0],
        "end_time": end.split()[1],
        "destination": "Denver",
        "destination_zone": "America/Denver",
        "kind": "work",
        "notes": "",
        **extra,
    }


def the_story_trip(family, parent: Client) -> Trip:
    """Pat's trip, made through the form: Thursday 7:30 to Sunday 21:00, three nights."""
    assert (
        post_trip(parent, family.parent, "2026-11-12 07:30", "2026-11-15 21:00").status_code == 302
    )
    return Trip.objects.get(traveller=family.parent)


def events_by_uid(parsed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    events = {event["uid"]: event for event in parsed["events"]}
    assert len(events) == len(parsed["events"]), "a UID appears twice"
    return events


def test_the_feed_read_by_icaljs_has_the_trip_and_who_is_in_charge_each_night(family):
    second = add_parent(family)
    parent = family.client_for(family.parent)
    trip = the_story_trip(family, parent)
    # The other parent away on the Saturday night too, and Grandma named for Friday.
    Trip.objects.create(
        household=family.household,
        traveller=second,
        starts_at=datetime(2026, 11, 14, 15, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 15, 17, 0, tzinfo=UTC),
        destination_zone="America/New_York",
    )
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 13), contact=family.contact
    )
    _url, path = make_feed(parent)

    parsed = read_with_icaljs(Client().get(path).content)

    assert "America/New_York" in parsed["timezones"]
    events = events_by_uid(parsed)
    story = events[f"trip-{trip.uid}@homefront"]
    assert story["summary"] == "Pat away — Denver"
    assert story["has_dtstamp"] is True
    assert story["start"] == "2026-11-12T12:30:00.000Z"
    assert story["end"] == "2026-11-16T02:00:00.000Z"
    assert story["start_tzid"] == "America/New_York"
    assert story["end_tzid"] == "America/New_York"
    assert story["all_day"] is False
    assert story["sequence"] == 0
    assert story["status"] == "CONFIRMED"
    assert "3 nights away" in story["description"]
    assert "America/Denver" in story["description"]

    nights = {e["start"]: e for e in parsed["events"] if e["uid"].startswith("night-")}
    assert sorted(nights) == ["2026-11-12", "2026-11-13", "2026-11-14"]
    for day, event in nights.items():
        assert event["all_day"] is True
        assert event["has_dtstamp"] is True
        assert event["start_tzid"] is None
        assert event["uid"] == f"night-{family.household.pk}-{day.replace('-', '')}@homefront"
    assert nights["2026-11-12"]["end"] == "2026-11-13"
    assert nights["2026-11-12"]["summary"] == "Night: Sam Second in charge"
    assert nights["2026-11-13"]["summary"] == "Night: Grandma in charge"
    assert nights["2026-11-14"]["summary"] == "⚠ Nobody in charge tonight"
    assert nights["2026-11-14"]["description"] == "Away: Pat, Sam."


def test_a_moved_trip_keeps_its_uid_and_its_sequence_goes_up(family):
    parent = family.client_for(family.parent)
    trip = the_story_trip(family, parent)
    _url, path = make_feed(parent)
    before = events_by_uid(read_with_icaljs(Client().get(path).content))
    uid = f"trip-{trip.uid}@homefront"

    moved = parent.post(
        reverse("trips:edit", args=[trip.pk]),
        trip_form(family.parent, "2026-11-13 07:30", "2026-11-16 21:00"),
    )
    assert moved.status_code == 302
    after = events_by_uid(read_with_icaljs(Client().get(path).content))

    assert uid in before
    assert uid in after
    assert set(after) - {uid} != set(before) - {uid}  # the nights moved too
    assert before[uid]["start"] == "2026-11-12T12:30:00.000Z"
    assert after[uid]["start"] == "2026-11-13T12:30:00.000Z"
    assert after[uid]["end"] == "2026-11-17T02:00:00.000Z"
    assert after[uid]["sequence"] > before[uid]["sequence"]
    night_dates = sorted(e["start"] for e in after.values() if e["all_day"])
    assert night_dates == ["2026-11-13", "2026-11-14", "2026-11-15"]


def test_a_cancelled_trip_stays_in_the_feed_as_cancelled_without_nights(family):
    parent = family.client_for(family.parent)
    trip = the_story_trip(family, parent)
    _url, path = make_feed(parent)
    assert parent.post(reverse("trips:cancel", args=[trip.pk])).status_code == 302

    events = read_with_icaljs(Client().get(path).content)["events"]

    assert [(e["uid"], e["status"], e["sequence"]) for e in events] == [
        (f"trip-{trip.uid}@homefront", "CANCELLED", 1)
    ]
