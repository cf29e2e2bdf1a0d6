"""Conditional GET and kept pages (core/conditional.py): an unchanged page is a 304 that
renders nothing, a kept page is served without rendering, and no page is ever older than
the data: every kind of write (a page form, the API, a share link's quick log, an
import) shows on the very next request, whether it asks conditionally or not.

The time is frozen (during the Kyoto trip), so every request of a test falls in the same
minute and reaches the kept page; the clock's own part is tested apart."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils import translation

from homefront.core import conditional
from homefront.core.conditional import page_tag
from homefront.core.tests.test_access_matrix import during_the_trip
from homefront.households.tests import test_isolation
from homefront.households.tests.test_isolation import logged_entry
from homefront.households.tests.test_isolation import payload
from homefront.testing.trips import api_trip

family = test_isolation.family


@pytest.fixture(autouse=True)
def kept_pages(settings: Any) -> None:
    settings.KEEP_PAGES = True  # as configured; settings_test.py turns it off


def settled(client: Client, url: str) -> Any:
    """The page as a browser has it after a first visit (which set its CSRF cookie)."""
    client.get(url)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["ETag"].startswith('W/"'), dict(response.items())
    return response


def text(response: Any) -> str:
    return response.content.decode()


# -- 304 and kept pages -----------------------------------------------------------------------


def test_an_unchanged_page_is_a_304_that_renders_nothing(family):
    client = family.client_for(family.parent)
    url = reverse("journal:timeline", args=[family.trip.pk])
    with during_the_trip(family):
        page = settled(client, url)
        again = client.get(url, headers={"If-None-Match": page["ETag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.templates == []  # not rendered
    assert again["ETag"] == page["ETag"]
    # The journal holds the family's secrets: no cache keeps it, 304 or not.
    assert again["Cache-Control"] == page["Cache-Control"] == "private, no-store"


def test_a_kept_page_is_served_without_rendering(family):
    client = family.client_for(family.parent)
    url = reverse("trips:detail", args=[family.trip.pk])
    with during_the_trip(family):
        page = settled(client, url)
        kept = client.get(url)
    assert kept.templates == []
    assert text(kept) == text(page)
    assert kept["ETag"] == page["ETag"]
    assert kept["Cache-Control"] == "private, no-cache"  # the browser asks each time


def test_the_process_that_kept_a_page_serves_it_without_the_shared_cache(family):
    client = family.client_for(family.parent)
    url = reverse("trips:detail", args=[family.trip.pk])
    with during_the_trip(family):
        page = settled(client, url)
        cache.clear()  # Redis restarted, say: this process still has its copy
        from_the_process = client.get(url)
        conditional.nearby.clear()  # another process: it has only the shared cache's
        rendered_again = client.get(url)  # and keeps it in both
        conditional.nearby.clear()
        from_the_shared_cache = client.get(url)
    assert from_the_process.templates == []
    assert text(from_the_process) == text(page)
    assert rendered_again.templates != []
    assert from_the_shared_cache.templates == []
    assert text(from_the_shared_cache) == text(rendered_again)


def test_a_process_keeps_the_pages_it_used_last_up_to_its_size():
    nearby = conditional.NearbyPages(most_bytes=100)
    for number in range(5):
        nearby.put(f"page {number}", (b"x" * 30, []))
    still_kept = [nearby.get(f"page {number}") is not None for number in range(5)]
    assert still_kept == [False, False, True, True, True]  # three fit, the oldest went
    nearby.get("page 2")  # used again: now the last to go
    nearby.put("page 5", (b"x" * 30, []))
    assert nearby.get("page 2") is not None
    assert nearby.get("page 3") is None
    assert nearby.bytes == 90
    nearby.put("too large", (b"x" * 101, []))
    assert nearby.get("too large") is None
    assert nearby.bytes == 90


def test_a_browser_s_tag_from_any_earlier_page_or_version_gets_the_page(family):
    client = family.client_for(family.parent)
    url = reverse("journal:timeline", args=[family.trip.pk])
    with during_the_trip(family):
        page = settled(client, url)
        for sent in ('W/"forged"', '"' + page["ETag"][3:], "*", "", page["ETag"] + "x"):
            assert client.get(url, headers={"If-None-Match": sent}).status_code == 200, sent
        # Stale: a write later, the old tag gets the new page.
        by_page_form(family)
        fresh = client.get(url, headers={"If-None-Match": page["ETag"]})
    assert fresh.status_code == 200
    assert fresh["ETag"] != page["ETag"]
    assert text(fresh).count("Bath") > text(page).count("Bath")


def test_another_household_s_page_never_matches(family):
    parent = family.client_for(family.parent)
    outsider = family.client_for(family.outsider)
    with during_the_trip(family):
        ours = settled(parent, "/")
        theirs = settled(outsider, "/")
        assert ours["ETag"] != theirs["ETag"]
        # Both carry the same CSRF secret and ask the same address: still no match.
        outsider.cookies["csrftoken"] = parent.cookies["csrftoken"]
        answer = outsider.get("/", headers={"If-None-Match": ours["ETag"]})
    assert answer.status_code == 200
    assert "The Others" in text(answer) or family.outsider.get_short_name() in text(answer)


def test_each_member_and_role_has_a_tag_of_its_own(family):
    url = reverse("trips:detail", args=[family.trip.pk])
    with during_the_trip(family):
        tags = {
            settled(family.client_for(who), url)["ETag"]
            for who in (family.parent, family.caregiver)
        }
    assert len(tags) == 2


def test_the_tag_turns_with_the_language_the_zone_and_the_minute(family, rf):
    request = rf.get("/", HTTP_COOKIE="csrftoken=" + "a" * 32)
    request.COOKIES = {"csrftoken": "a" * 32}
    from homefront.households.models import Membership

    request.membership = Membership.objects.get(household=family.household, user=family.parent)
    request.memberships = [request.membership]
    request.session = {}
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        plain = page_tag(request)
        with translation.override("es"):
            spanish = page_tag(request)
        with timezone.override("Asia/Tokyo"):
            tokyo = page_tag(request)
    with time_machine.travel(now + timedelta(minutes=1), tick=False):
        later = page_tag(request)
    assert len({plain, spanish, tokyo, later}) == 4


def test_a_page_showing_a_message_is_neither_304_nor_kept(family):
    client = family.client_for(family.parent)
    url = reverse("handoff:brief", args=[family.trip.pk])
    with during_the_trip(family):
        page = settled(client, url)
        allergy_by_form(family, client)  # "Saved", shown on the next page
        with_message = client.get(url, headers={"If-None-Match": page["ETag"]})
        after = client.get(url)
    assert with_message.status_code == 200
    assert "ETag" not in with_message
    assert "Sesame" in text(with_message)
    assert after["ETag"] != page["ETag"]
    assert "Sesame" in text(after)


# -- Freshness: every kind of write shows on the next request -----------------------------------


def quick_log_tap(family: Any) -> dict[str, Any]:
    return {"uuid": str(uuid.uuid4()), "kind": "bath", "children": [family.child.pk]}


def by_page_form(family: Any) -> None:
    client = family.client_for(family.caregiver)
    reply = client.post(reverse("journal:log", args=[family.trip.pk]), quick_log_tap(family))
    assert reply.status_code == 302


def by_api(family: Any) -> None:
    reply = Client().post(
        f"/api/v1/trips/{family.trip.pk}/journal/sync",
        json.dumps({"entries": [logged_entry(family)]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {family.api_secret}"},
    )
    assert reply.status_code == 200, reply.content


def by_share_link(family: Any) -> None:
    url = reverse("journal:shared_log", args=[family.share_token])
    assert Client().post(url, quick_log_tap(family)).status_code == 302


JOURNAL_WRITES: dict[str, Callable[[Any], None]] = {
    "page form": by_page_form,
    "API": by_api,
    "share link": by_share_link,
}
JOURNAL_PAGES = {
    "timeline": lambda f: reverse("journal:timeline", args=[f.trip.pk]),
    "timeline's poll": lambda f: (
        reverse("journal:timeline", args=[f.trip.pk]) + "?zone=away&part=latest"
    ),
    "debrief": lambda f: reverse("debrief:trip", args=[f.trip.pk]),
    "quick log": lambda f: reverse("journal:log", args=[f.trip.pk]),
}


@pytest.mark.parametrize("write", list(JOURNAL_WRITES))
@pytest.mark.parametrize("page", list(JOURNAL_PAGES))
def test_a_logged_entry_shows_on_the_next_request(family, page, write):
    client = family.client_for(family.parent)
    url = JOURNAL_PAGES[page](family)
    htmx = {"HX-Request": "true"} if "poll" in page else {}
    with during_the_trip(family):
        settled(client, url.split("?")[0])  # the page itself, before its poll
        before = client.get(url, headers=htmx)
        assert before["ETag"]
        JOURNAL_WRITES[write](family)
        after = client.get(url, headers=htmx)
        asked = client.get(url, headers={**htmx, "If-None-Match": before["ETag"]})
    assert after.templates  # rendered anew, not the page kept before the write
    assert after["ETag"] != before["ETag"]
    # The browser's tag of before the write gets the new page (kept by then).
    assert (asked.status_code, asked["ETag"], asked.content) == (200, after["ETag"], after.content)
    if "timeline" in page:
        assert text(after).count("Bath") == text(before).count("Bath") + 1


def allergy_by_form(family: Any, client: Client | None = None) -> str:
    client = client or family.client_for(family.parent)
    url = reverse("households:food_create", args=[family.child.pk])
    data = {"name": "Sesame", "kind": "allergy", "severity": "severe", "what_to_do": "Benadryl"}
    reply = client.post(url, data)
    assert reply.status_code == 302, reply.content[:3000]
    return "Sesame"


def child_by_api(family: Any) -> str:
    reply = Client().post(
        "/api/v1/children",
        json.dumps({"name": "Noa", "birth_date": "2023-02-03"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {family.api_secret}"},
    )
    assert reply.status_code == 201, reply.content
    return "Noa"


def trip_by_api(family: Any) -> str:
    body = api_trip(family, 5, 2, "Reykjavik")
    reply = Client().post(
        "/api/v1/trips",
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {family.api_secret}"},
    )
    assert reply.status_code == 201, reply.content
    return "Reykjavik"


ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VEVENT
UID:conference-1@example.com
DTSTART:{start}T090000Z
DTEND:{end}T170000Z
SUMMARY:Trip to Oslo
LOCATION:Oslo
END:VEVENT
END:VCALENDAR
"""


def trips_by_import(family: Any) -> str:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = family.client_for(family.parent)
    start = family.household.today() + timedelta(days=9)
    ics = ICS.format(
        start=start.strftime("%Y%m%d"), end=(start + timedelta(days=2)).strftime("%Y%m%d")
    )
    upload = SimpleUploadedFile("work.ics", ics.encode(), content_type="text/calendar")
    review = client.post(reverse("trips:import"), {"file": upload})
    assert review.status_code == 302, review.content[:2000]
    data = payload(client, review["Location"], family)
    reply = client.post(review["Location"], data)
    assert reply.status_code in (200, 302), reply.content[:2000]
    return "Oslo"


PROFILE_CASES = {
    "brief, allergy by form": ("handoff:brief", allergy_by_form),
    "profile, child by API": ("households:profile", child_by_api),
    "today, child by API": ("households:today", child_by_api),
    "calendar, trip by API": ("trips:calendar", trip_by_api),
    "home, trip by API": ("core:home", trip_by_api),
    "trip list, trips by import": ("trips:list", trips_by_import),
}


@pytest.mark.parametrize("case", list(PROFILE_CASES))
def test_a_change_shows_on_the_next_request(family, case):
    name, write = PROFILE_CASES[case]
    url = reverse(name, args=[family.trip.pk]) if name == "handoff:brief" else reverse(name)
    client = family.client_for(family.parent)
    with during_the_trip(family):
        before = settled(client, url)
        assert client.get(url).templates == []  # kept
        shown = write(family)
        assert shown not in text(before)
        after = client.get(url, headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert shown in text(after)


# -- The API's lists ------------------------------------------------------------------------------


def api_get(family: Any, path: str, secret: str | None = None, **headers: str) -> Any:
    token = secret or family.api_secret
    return Client().get(path, headers={"Authorization": f"Bearer {token}", **headers})


def test_an_api_list_is_304_while_unchanged_and_fresh_after_a_write(family):
    path = "/api/v1/journal-entries"
    with during_the_trip(family):
        first = api_get(family, path)
        again = api_get(family, path, **{"If-None-Match": first["ETag"]})
        kept = api_get(family, path)
        by_share_link(family)
        after = api_get(family, path, **{"If-None-Match": first["ETag"]})
    assert first.status_code == 200
    assert first["ETag"].startswith('W/"')
    assert (again.status_code, again.content) == (304, b"")
    assert kept.content == first.content
    assert after.status_code == 200
    assert after.json()["count"] == first.json()["count"] + 1
    assert after["ETag"] != first["ETag"]


def test_an_api_tag_is_the_token_s_and_the_household_s(family):
    path = "/api/v1/children"
    with during_the_trip(family):
        ours = api_get(family, path)
        theirs = api_get(family, path, family.outsider_api_secret)
        forged = api_get(
            family, path, family.outsider_api_secret, **{"If-None-Match": ours["ETag"]}
        )
        stale = api_get(family, path, **{"If-None-Match": 'W/"0"'})
    assert ours["ETag"] != theirs["ETag"]
    assert forged.status_code == 200
    assert forged.content == theirs.content
    assert stale.status_code == 200
