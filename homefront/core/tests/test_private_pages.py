"""Pages that hold the family's secrets are kept by no cache, and a URL that answers both a
page and an htmx partial says so with `Vary: HX-Request`, so no cache serves one for the
other."""

from __future__ import annotations

import json
import uuid
from datetime import UTC
from datetime import datetime

import pytest
from django.test import Client
from django.urls import reverse

from homefront.handoff.models import GoBagItem
from homefront.handoff.models import ShareLink
from homefront.journal.models import JournalEntry
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.testing.trips import trip_to
from homefront.testing.zones import ny
from homefront.trips.models import Trip

# Friday 13 November 2026, 9:00 in New York: the trip is under way.
NOW = datetime(2026, 11, 13, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
SECRET = "private, no-store"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def trip(family) -> Trip:
    """Thursday 12 November 7:30 to Sunday 15 November 18:00: under way."""
    return trip_to(family, "", "America/Denver", ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 18))


@pytest.fixture
def token(family, trip) -> str:
    _link, token = ShareLink.issue(
        trip, family.parent, label="Grandma", days_before=2, days_after=1
    )
    return token


def sync_body(family, text: str) -> str:
    return json.dumps(
        {
            "entries": [
                {
                    "uuid": str(uuid.uuid4()),
                    "kind": "note",
                    "children": [family.child.pk],
                    "occurred_at": NOW.isoformat(),
                    "details": {},
                    "text": text,
                }
            ]
        }
    )


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


def assert_secret(response, *, status: int = 200) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Cache-Control"] == SECRET


# -- A member's secret pages --------------------------------------------------------------


def test_a_members_brief_its_pdf_the_fridge_sheet_and_the_emergency_card_are_not_cached(
    family, trip
):
    parent = family.client_for(family.parent)
    for name, args in (
        ("handoff:brief", [trip.pk]),
        ("handoff:brief_pdf", [trip.pk]),
        ("handoff:fridge", [trip.pk]),
        ("handoff:emergency_card", []),
        ("handoff:emergency_card_pdf", []),
        ("handoff:share_links", [trip.pk]),
    ):
        response = parent.get(reverse(name, args=args))
        assert_secret(response)
        assert "HX-Request".lower() not in vary(response), name


def test_the_new_share_link_shown_once_is_not_cached(family, trip):
    parent = family.client_for(family.parent)
    made = parent.post(
        reverse("handoff:share_links", args=[trip.pk]),
        {"label": "Grandma", "days_before": "2", "days_after": "1"},
    )
    assert made.status_code == 302
    response = parent.get(made["Location"])
    assert_secret(response)
    assert "/s/" in response.content.decode()


def test_a_revealed_house_note_is_not_cached_page_or_partial(family):
    parent = family.client_for(family.parent)
    url = reverse("households:note_reveal", args=[family.secret_note.pk])

    page = parent.get(url)
    part = parent.get(url, headers=HTMX)

    for response in (page, part):
        assert_secret(response)
        assert "Code 4815" in response.content.decode()
        assert "hx-request" in vary(response)
    assert b"<html" in page.content
    assert b"<html" not in part.content


def test_the_journal_is_not_cached_timeline_quick_log_deleted_sync_and_edit(family, trip):
    parent = family.client_for(family.parent)
    answer = parent.post(
        reverse("journal:sync", args=[trip.pk]),
        sync_body(family, "She asked for you at bedtime"),
        content_type="application/json",
    )
    assert_secret(answer)
    assert answer.json()["results"][0]["status"] == "stored"
    entry = JournalEntry.objects.get()

    for name, args in (
        ("journal:timeline", [trip.pk]),
        ("journal:log", [trip.pk]),
        ("journal:deleted", [trip.pk]),
        ("journal:edit_entry", [entry.pk]),
    ):
        assert_secret(parent.get(reverse(name, args=args)))
    assert "She asked for you" in parent.get(reverse("journal:timeline", args=[trip.pk])).text


def test_the_timeline_and_its_latest_part_vary_on_htmx(family, trip):
    parent = family.client_for(family.parent)
    url = reverse("journal:timeline", args=[trip.pk])

    page = parent.get(url)
    part = parent.get(url + "?part=latest", headers=HTMX)

    for response in (page, part):
        assert_secret(response)
        assert "hx-request" in vary(response)
        assert "cookie" in vary(response)  # the session's Vary stays
    assert b"<html" in page.content
    assert b"<html" not in part.content


# -- A share link's secret pages -----------------------------------------------------------


def test_a_share_links_brief_pdf_quick_log_and_sync_are_not_cached(family, trip, token):
    holder = Client()
    for name in ("handoff:shared_brief", "handoff:shared_brief_pdf", "journal:shared_log"):
        response = holder.get(reverse(name, args=[token]))
        assert_secret(response)
        assert response["Referrer-Policy"] == "no-referrer"

    answer = holder.post(
        reverse("journal:shared_sync", args=[token]),
        sync_body(family, "Ate all the peas"),
        content_type="application/json",
    )
    assert_secret(answer)
    assert answer.json()["results"][0]["status"] == "stored"


def test_a_dead_links_refusals_are_not_cached_either(family, trip, token):
    ShareLink.objects.update(revoked_at=NOW)
    holder = Client()

    refused = holder.post(
        reverse("journal:shared_sync", args=[token]),
        sync_body(family, "Ate all the peas"),
        content_type="application/json",
    )

    assert_secret(refused, status=410)
    assert not JournalEntry.objects.exists()


# -- Every URL that answers a page or a partial varies on HX-Request ----------------------------


def test_the_prep_list_answers_vary_on_htmx(family, trip):
    parent = family.client_for(family.parent)
    task = PrepTask.objects.create(
        trip=trip, title="Charge the baby monitor", due_on=trip.local_start.date()
    )
    item = PackingItem.objects.create(trip=trip, name="Charger")
    for url, data in (
        (reverse("prep:tick", args=[task.pk]), {"done": "1"}),
        (reverse("prep:needed", args=[task.pk]), {"needed": "no"}),
        (reverse("prep:toggle_packed", args=[item.pk]), {"packed": "1"}),
    ):
        for headers in ({}, HTMX):
            response = parent.post(url, data, headers=headers)
            assert response.status_code in (200, 302), url
            assert "hx-request" in vary(response), url
    deleted = parent.post(reverse("prep:remove_packing_item", args=[item.pk]), headers=HTMX)
    assert deleted.status_code == 200
    assert deleted.content == b""
    assert "hx-request" in vary(deleted)


def test_the_profile_and_readiness_answers_vary_on_htmx(family):
    parent = family.client_for(family.parent)
    uncle = family.contact.__class__.objects.create(
        household=family.household, name="Uncle Ben", phone="+1 619 555 0100", roles=["backup"]
    )
    bag = GoBagItem.objects.create(household=family.household, name="Spare keys")
    for url, data in (
        (reverse("households:contact_move_up", args=[uncle.pk]), {}),
        (reverse("handoff:toggle_go_bag", args=[bag.pk]), {"ready": "1"}),
    ):
        for headers in ({}, HTMX):
            response = parent.post(url, data, headers=headers)
            assert response.status_code in (200, 302), url
            assert "hx-request" in vary(response), url
    deleted = parent.post(reverse("households:note_delete", args=[family.note.pk]), headers=HTMX)
    assert deleted.status_code == 200
    assert "hx-request" in vary(deleted)


def test_setting_a_nights_cover_varies_on_htmx(family, trip):
    parent = family.client_for(family.parent)
    url = reverse("trips:cover", args=[trip.pk, "2026-11-13"])
    for headers in ({}, HTMX):
        response = parent.post(url, {"adult": f"contact:{family.contact.pk}"}, headers=headers)
        assert response.status_code in (200, 302)
        assert "hx-request" in vary(response)


def test_a_page_that_never_answers_a_partial_does_not_vary_on_htmx(family, trip):
    response = family.client_for(family.parent).get(reverse("trips:detail", args=[trip.pk]))
    assert response.status_code == 200
    assert "hx-request" not in vary(response)
