"""Share links: a private, expiring, revocable URL that opens one trip's brief for someone
without an account, and nothing else."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homefront.handoff.models import ShareLink
from homefront.handoff.models import ShareLinkOpen
from homefront.testing.pages import SHARE_URL
from homefront.testing.trips import trip_to
from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# Wednesday 11 November 2026, 9:00 in New York: the day before the trip.
NOW = datetime(2026, 11, 11, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")


@pytest.fixture
def trip(family) -> Trip:
    """Thursday 12 November 7:30 to Sunday 15 November 18:00."""
    leaves, back = ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 18)
    return trip_to(
        family, "", "America/Denver", leaves, back, notes="Trip A: swimming moved to Friday."
    )


@pytest.fixture
def other_trip(family) -> Trip:
    leaves, back = ny(2026, 11, 19, 8), ny(2026, 11, 21, 20)
    return trip_to(family, "", "America/New_York", leaves, back, notes="Trip B: Dad is in Boston.")


def issue(trip: Trip, user, **fields) -> tuple[ShareLink, str]:
    fields = {"label": "Grandma", "days_before": 2, "days_after": 1, **fields}
    return ShareLink.issue(trip, user, **fields)


def shared_url(token: str) -> str:
    return reverse("handoff:shared_brief", args=[token])


def without_csrf(content: bytes) -> str:
    """A page's HTML without the per-response CSRF token of htmx's headers."""
    html = content.decode()
    assert "data-hx-headers='" in html
    return re.sub(r"data-hx-headers='[^']*'", "data-hx-headers=''", html)


# -- Creating a link ------------------------------------------------------------------------


def test_a_parent_creates_a_link_and_sees_it_once(family, trip):
    client = family.client_for(family.parent)
    page = reverse("handoff:share_links", args=[trip.pk])
    form = client.get(page)
    assert form.status_code == 200
    assert form.context["form"].initial["label"] == "Grandma"  # the first backup caregiver

    response = client.post(
        page,
        {"label": "Grandma", "contact": family.contact.pk, "days_before": 2, "days_after": 1},
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain in ([], [(page, 302)])  # after a redirect, or at once
    html = response.content.decode()
    token = SHARE_URL.search(html).group("token")
    url = f"http://testserver/s/{token}/"
    message = (
        "Hi Grandma, here is everything about the kids while Pat is away "
        f"(Thu 12 Nov to Sun 15 Nov): {url}"
    )
    assert f">{message}</textarea>" in html
    assert "The link is shown only now" in html

    link = ShareLink.objects.get()
    assert (link.trip, link.label, link.contact, link.created_by) == (
        trip,
        "Grandma",
        family.contact,
        family.parent,
    )
    assert (link.days_before, link.days_after) == (2, 1)
    # Only the hash is stored, and the token is long enough not to be guessed.
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ShareLink.objects.values().get())
    assert len(token) == len(secrets.token_urlsafe(24)) == 32  # 192 random bits
    assert len(token) * 6 >= 128

    # Shown once: a reload shows the link's dates but neither the token nor a second link.
    again = client.get(page).content.decode()
    assert token not in again
    assert "created-link" not in again
    assert "works until Mon 16 Nov" in again
    assert "not opened yet" in again
    assert ShareLink.objects.count() == 1
    assert token not in str(dict(client.session))


def test_each_link_gets_its_own_token(family, trip):
    client = family.client_for(family.parent)
    page = reverse("handoff:share_links", args=[trip.pk])
    data = {"label": "Grandma", "days_before": 2, "days_after": 1}

    tokens = {
        SHARE_URL.search(client.post(page, data, follow=True).content.decode()).group("token")
        for _ in "ab"
    }

    assert len(tokens) == 2
    assert ShareLink.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        pytest.param(
            {"label": "", "days_before": 2, "days_after": 1},
            "label",
            "This field is required.",
            id="no-label",
        ),
        pytest.param(
            {"label": "Grandma", "days_after": 15},
            "days_after",
            "Ensure this value is less than or equal to 14.",
            id="too-late",
        ),
        pytest.param(
            {"label": "Grandma", "days_before": 2, "days_after": -1},
            "days_after",
            "Ensure this value is greater than or equal to 0.",
            id="negative",
        ),
    ],
)
def test_bad_input_gets_a_message_and_no_link(family, trip, data, field, message):
    client = family.client_for(family.parent)

    response = client.post(reverse("handoff:share_links", args=[trip.pk]), data)

    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="id_{field}_errors">{message}</small>' in html
    assert "Nothing was saved yet." in html
    assert "share-url" not in html
    assert not ShareLink.objects.exists()


def test_a_contact_of_another_household_cannot_be_chosen(family, trip):
    from homefront.households.models import Contact

    theirs = Contact(household=family.other_household, name="Spy", phone="+44 20 7946 0000")
    theirs.save()
    client = family.client_for(family.parent)

    response = client.post(
        reverse("handoff:share_links", args=[trip.pk]),
        {"label": "Spy", "contact": theirs.pk, "days_before": 2, "days_after": 1},
    )

    assert response.status_code == 422
    assert not ShareLink.objects.exists()


# -- Opening a link -------------------------------------------------------------------------


def test_anyone_with_the_link_reads_the_brief_privately(family, trip):
    _link, token = issue(trip, family.parent)
    holder = Client()

    response = holder.get(shared_url(token))

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "Maya: allergic to Peanuts" in html
    assert "Two books" in html
    assert "+1 619 555 0187" in html
    assert "Trip A: swimming moved to Friday." in html
    # No way from there into the household's pages.
    assert f'href="{reverse("handoff:shared_brief_pdf", args=[token])}"' in html
    assert reverse("trips:detail", args=[trip.pk]) not in html
    assert reverse("handoff:share_links", args=[trip.pk]) not in html
    assert 'class="tabbar"' not in html
    assert "_auth_user_id" not in holder.session


def test_the_shared_brief_shows_times_at_home_like_the_members_brief(family, trip):
    _link, token = issue(trip, family.parent)
    members = family.client_for(family.parent).get(reverse("handoff:brief", args=[trip.pk]))

    shared = Client().get(shared_url(token))

    leaves = "leaves <strong>Thursday 12 November, 7:30 AM</strong>"
    back = "is back <strong>Sunday 15 November, 6:00 PM</strong>"
    assert leaves in members.content.decode()
    assert leaves in shared.content.decode()
    assert back in shared.content.decode()


def test_the_shared_pdf_is_the_brief(family, trip):
    _link, token = issue(trip, family.parent)

    response = Client().get(reverse("handoff:shared_brief_pdf", args=[token]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


def test_each_open_is_logged_and_listed_for_the_parent(family, trip, frozen_time):
    link, token = issue(trip, family.parent)
    holder = Client()
    holder.get(shared_url(token))
    frozen_time.move_to(ny(2026, 11, 12, 20, 15))
    holder.get(shared_url(token))
    holder.get(reverse("handoff:shared_brief_pdf", args=[token]))

    opens = ShareLinkOpen.objects.filter(link=link)
    assert opens.count() == 3
    assert sorted(opens.values_list("page", flat=True)) == ["brief", "brief", "pdf"]

    page = family.client_for(family.parent).get(reverse("handoff:share_links", args=[trip.pk]))
    assert "opened 3 times, last Thu 12 Nov, 8:15 PM" in page.content.decode()
    assert "status-working" in page.content.decode()


def test_sensitive_notes_show_through_the_link_only_while_the_trip_is_on(family, trip, frozen_time):
    _link, token = issue(trip, family.parent)

    frozen_time.move_to(ny(2026, 11, 11, 7, 29))  # a day and a minute before it leaves
    before = Client().get(shared_url(token)).content.decode()
    frozen_time.move_to(ny(2026, 11, 11, 7, 30))  # whoever holds it may arrive the evening before
    day_before = Client().get(shared_url(token)).content.decode()
    frozen_time.move_to(ny(2026, 11, 13, 21))
    during = Client().get(shared_url(token)).content.decode()
    frozen_time.move_to(ny(2026, 11, 16, 9))
    after = Client().get(shared_url(token)).content.decode()

    assert "Code 4815" not in before
    assert "Code 4815" in day_before
    assert "Code 4815" in during
    assert "Code 4815" not in after
    assert "Password: moon" in before
    assert "Password: moon" in after


# -- Kept on the phone -----------------------------------------------------------------------

BROUGHT_UP_TO_DATE = '<time datetime="2026-11-11T09:00:00-05:00">Wed 11 Nov, 9:00 AM</time>'


def test_the_brief_says_when_it_was_brought_up_to_date(family, trip):
    """In the household's time, for a link's holder as for a member; the offline note,
    shown by the page's script on a copy opened without a connection, names the same."""
    _link, token = issue(trip, family.parent)
    shared = Client().get(shared_url(token)).content.decode()
    members = family.client_for(family.parent).get(reverse("handoff:brief", args=[trip.pk]))

    for html in (shared, members.content.decode()):
        assert f"Brought up to date {BROUGHT_UP_TO_DATE}" in html
        assert f"You are offline: this is the copy from {BROUGHT_UP_TO_DATE}" in html
        assert 'id="offline-copy" class="sync-status no-print" role="status" hidden' in html


def test_a_phone_keeps_a_links_pages_while_it_works_and_the_codes_while_shown(
    family, trip, frozen_time
):
    """The service worker drops a kept page at the moment the server names, even with no
    connection to hear that the link expired."""
    _link, token = issue(trip, family.parent)  # works until Tuesday 17 November, 0:00
    link_works = "2026-11-17T05:00:00+00:00"

    frozen_time.move_to(ny(2026, 11, 10, 9))  # two days ahead: no codes on the page
    ahead = Client().get(shared_url(token))
    assert "Code 4815" not in ahead.content.decode()
    assert ahead["Homefront-Keep-Until"] == link_works
    # The same moment for the copy the page hands to the worker itself.
    assert 'data-keep-until="2026-11-17T00:00:00-05:00"' in ahead.content.decode()

    frozen_time.move_to(ny(2026, 11, 13, 21))  # under way: the codes show, until Rachel is back
    during = Client().get(shared_url(token))
    assert "Code 4815" in during.content.decode()
    assert during["Homefront-Keep-Until"] == "2026-11-15T23:00:00+00:00"

    log = Client().get(reverse("journal:shared_log", args=[token]))
    assert log["Homefront-Keep-Until"] == link_works
    # A member's copy goes at logout instead.
    members = family.client_for(family.parent).get(reverse("handoff:brief", args=[trip.pk]))
    assert "Homefront-Keep-Until" not in members
    assert "data-keep-until" not in members.content.decode()


# -- Links that do not work ----------------------------------------------------------------


def test_every_link_that_does_not_work_gets_the_same_404(family, trip, other_trip, frozen_time):
    """Expired, revoked, forged, truncated or cancelled: nothing tells them
    apart, so a guesser learns nothing."""
    _working, working = issue(trip, family.parent)
    revoked_link, revoked = issue(trip, family.parent, label="Old sitter")
    revoked_link.revoked_at = timezone.now()
    revoked_link.save()
    _b, of_b = issue(other_trip, family.parent, days_before=14)
    holder = Client()

    def not_found(token: str) -> str:
        response = holder.get(shared_url(token))
        assert response.status_code == 404, token
        assert "Nothing here" in response.content.decode()
        assert b"Maya" not in response.content
        return without_csrf(response.content)

    reference = not_found(secrets.token_urlsafe(24))
    bodies = {
        "forged": not_found(secrets.token_urlsafe(24)),
        "revoked": not_found(revoked),
        "truncated": not_found(working[:-1]),
        "short": not_found(working[:12]),
        "too long": not_found(working + "A" * 40),
        "changed": not_found(working[:-1] + ("B" if working[-1] != "B" else "C")),
    }
    # Valid from the moment it was made until Tuesday 17 November.
    frozen_time.move_to(ny(2026, 11, 17, 0))
    bodies["expired"] = not_found(working)
    frozen_time.move_to(ny(2026, 11, 20, 9))
    Trip.objects.filter(pk=other_trip.pk).update(cancelled_at=timezone.now())
    bodies["trip cancelled"] = not_found(of_b)

    for case, body in bodies.items():
        assert body == reference, case


def test_a_link_made_nine_days_ahead_opens_the_brief_at_once(family, trip, frozen_time):
    """Reading ahead is the point of sending it early: never "it may have expired" to a live
    link's holder. Logging waits for the day before the trip."""
    frozen_time.move_to(ny(2026, 11, 3, 9))  # nine days before Thursday 12 November
    link, token = ShareLink.issue(trip, family.parent, label="Grandma")
    assert link.status == "working"

    response = Client().get(shared_url(token))
    assert response.status_code == 200
    assert "Maya" in response.content.decode()
    log = Client().get(reverse("journal:shared_log", args=[token]))
    assert log.status_code == 200
    assert "The journal opens" in log.content.decode()


def test_a_link_works_exactly_between_its_dates(family, trip, frozen_time):
    link, token = issue(trip, family.parent)
    assert link.valid_until == ny(2026, 11, 17, 0)

    for moment, status in [
        (ny(2026, 11, 10, 0), 200),
        (ny(2026, 11, 12, 7, 30), 200),
        (ny(2026, 11, 16, 23, 59), 200),
        (ny(2026, 11, 17, 0), 404),
        (ny(2026, 11, 30, 12), 404),
    ]:
        frozen_time.move_to(moment)
        assert Client().get(shared_url(token)).status_code == status, moment


def test_a_link_only_opens_its_own_trip(family, trip, other_trip):
    link_a, token_a = issue(trip, family.parent)
    _link_b, token_b = issue(other_trip, family.parent, days_before=14)
    ShareLink.objects.filter(pk=link_a.pk).update(revoked_at=timezone.now())
    holder = Client()

    assert holder.get(shared_url(token_a)).status_code == 404
    response = holder.get(shared_url(token_b))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Trip B: Dad is in Boston." in html
    assert "Trip A" not in html
    assert "Thursday 19 November" in html
    assert "Thursday 12 November" not in html


def test_the_link_gives_the_brief_and_nothing_else(family, trip):
    _link, token = issue(trip, family.parent)
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 12), member=family.caregiver
    )
    holder = Client()
    assert holder.get(shared_url(token)).status_code == 200
    login = reverse("accounts:login")

    for url in [
        reverse("trips:detail", args=[trip.pk]),
        reverse("households:profile"),
        reverse("handoff:brief", args=[trip.pk]),
        reverse("handoff:share_links", args=[trip.pk]),
        reverse("handoff:readiness"),
        reverse("handoff:emergency_card"),
    ]:
        response = holder.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
    assert b"Maya" not in holder.get("/").content


# -- Rate limiting -------------------------------------------------------------------------


def test_more_than_thirty_requests_a_minute_from_one_address_get_429(family, trip, frozen_time):
    _link, token = issue(trip, family.parent)
    holder = Client()

    for _ in range(30):
        assert holder.get(shared_url(token)).status_code == 200
    response = holder.get(shared_url(token))

    assert response.status_code == 429
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert b"Maya" not in response.content
    assert Client(REMOTE_ADDR="10.0.0.2").get(shared_url(token)).status_code == 200
    frozen_time.shift(timedelta(minutes=1))
    assert holder.get(shared_url(token)).status_code == 200


def test_guessing_is_rate_limited_too(family, trip):
    _link, token = issue(trip, family.parent)
    guesser = Client(REMOTE_ADDR="10.0.0.66")

    statuses = [guesser.get(shared_url(secrets.token_urlsafe(24))).status_code for _ in range(31)]

    assert statuses == [404] * 30 + [429]
    assert guesser.get(shared_url(token)).status_code == 429
    assert ShareLinkOpen.objects.count() == 0


# -- Revoking -------------------------------------------------------------------------------


def test_revoking_stops_the_link_at_once(family, trip):
    link, token = issue(trip, family.parent)
    holder = Client()
    assert holder.get(shared_url(token)).status_code == 200
    client = family.client_for(family.parent)
    revoke = reverse("handoff:revoke_share_link", args=[link.pk])

    assert client.get(revoke).status_code == 405
    response = client.post(revoke)

    assert response.status_code == 302
    assert response["Location"] == reverse("handoff:share_links", args=[trip.pk])
    assert holder.get(shared_url(token)).status_code == 404
    link.refresh_from_db()
    revoked_at = link.revoked_at
    assert revoked_at == NOW
    page = client.get(response["Location"]).content.decode()
    assert "The link for Grandma no longer works." in page
    assert "status-revoked" in page
    assert "Stop it working" not in page
    # Revoking again changes nothing.
    assert client.post(revoke).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at == revoked_at


def test_a_caregiver_cannot_share_or_revoke(family, trip):
    link, token = issue(trip, family.parent)
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 13), member=family.caregiver
    )
    client = family.client_for(family.caregiver)
    page = reverse("handoff:share_links", args=[trip.pk])

    assert client.get(page).status_code == 403
    response = client.post(page, {"label": "Me", "days_before": 2, "days_after": 1})
    assert response.status_code == 403
    assert client.post(reverse("handoff:revoke_share_link", args=[link.pk])).status_code == 403

    assert ShareLink.objects.count() == 1
    assert ShareLink.objects.get().revoked_at is None
    assert Client().get(shared_url(token)).status_code == 200


def test_an_outsider_gets_404(family, trip):
    link, token = issue(trip, family.parent)
    client = family.client_for(family.outsider)
    page = reverse("handoff:share_links", args=[trip.pk])

    assert client.get(page).status_code == 404
    assert client.post(page, {"label": "Me", "days_before": 2, "days_after": 1}).status_code == 404
    assert client.post(reverse("handoff:revoke_share_link", args=[link.pk])).status_code == 404

    assert ShareLink.objects.count() == 1
    assert ShareLink.objects.get().revoked_at is None
    assert Client().get(shared_url(token)).status_code == 200
