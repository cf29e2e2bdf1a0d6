"""Trips: how nights are counted, the trip form's rules (DST included), and who is in charge
on each night a parent is away."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from homefront.accounts.models import User
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.testing.households import add_parent
from homefront.testing.trips import make_trip
from homefront.testing.trips import trip_to
from homefront.testing.zones import NOT_A_ZONE
from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip
from homefront.trips.models import TripKind
from homefront.trips.models import TripState

# Monday 2 November 2026, 9:00 in New York: the day after the clocks went back.
NOW = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")


def days(*numbers: int, year: int = 2026, month: int = 11) -> list[date]:
    return [date(year, month, number) for number in numbers]


# -- Counting nights --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "nights"),
    [
        # The story: Thursday 7:30 to Sunday 21:00 is Thursday, Friday and Saturday nights.
        pytest.param(ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21), days(12, 13, 14), id="story"),
        pytest.param(ny(2026, 11, 12, 23), ny(2026, 11, 13, 18), days(12), id="leaves-23h"),
        pytest.param(ny(2026, 11, 13, 2), ny(2026, 11, 13, 18), days(12), id="leaves-2am"),
        pytest.param(ny(2026, 11, 12, 7), ny(2026, 11, 14, 1), days(12), id="back-1am"),
        pytest.param(ny(2026, 11, 12, 7), ny(2026, 11, 14, 3), days(12), id="back-3am"),
        pytest.param(ny(2026, 11, 12, 7), ny(2026, 11, 14, 3, 1), days(12, 13), id="back-3h01"),
        pytest.param(ny(2026, 11, 12, 7), ny(2026, 11, 12, 23, 30), [], id="day-trip"),
        pytest.param(ny(2026, 11, 13, 3, 30), ny(2026, 11, 13, 20), [], id="leaves-3h30"),
        # Spring forward, Sunday 14 March 2027: 2:00 to 3:00 does not exist.
        pytest.param(
            ny(2027, 3, 12, 18),
            ny(2027, 3, 15, 8),
            days(12, 13, 14, month=3, year=2027),
            id="spring",
        ),
        pytest.param(
            ny(2027, 3, 13, 22),
            ny(2027, 3, 14, 3, 30),
            days(13, month=3, year=2027),
            id="spring-3h30",
        ),
        pytest.param(ny(2027, 3, 13, 22), ny(2027, 3, 14, 1, 59), [], id="spring-1h59"),
        # Fall back, Sunday 1 November 2026: 1:00 to 2:00 happens twice.
        pytest.param(
            ny(2026, 10, 30, 18),
            ny(2026, 11, 2, 8),
            [*days(30, 31, month=10), date(2026, 11, 1)],
            id="fall",
        ),
        pytest.param(ny(2026, 10, 31, 20), ny(2026, 11, 1, 2, 30), [], id="fall-2h30"),
        pytest.param(
            ny(2026, 10, 31, 20), ny(2026, 11, 1, 3, 30), days(31, month=10), id="fall-3h30"
        ),
        pytest.param(
            ny(2026, 11, 1, 1, 30, fold=1),
            ny(2026, 11, 1, 9),
            days(31, month=10),
            id="fall-1h30-2nd",
        ),
    ],
)
def test_nights_are_the_nights_away_at_3am(family, start, end, nights):
    trip = make_trip(family.household, family.parent, start, end)
    assert trip.nights_list == nights
    assert trip.nights == len(nights)
    for night in nights:
        assert trip.is_away_on_night(night)
    assert not trip.is_away_on_night(nights[0] - timedelta(days=1) if nights else start.date())


def test_nights_are_counted_in_the_household_zone_not_the_server_zone(family):
    # 7:30 Thursday in New York is already Thursday 12:30 in UTC and 23:30 in Sydney.
    leaves = datetime(2026, 11, 12, 12, 30, tzinfo=UTC)
    back = datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
    trip = trip_to(family, "", "Australia/Sydney", leaves, back)
    assert trip.local_start == ny(2026, 11, 12, 7, 30)
    assert trip.nights_list == days(12, 13, 14)


# -- State ------------------------------------------------------------------------------------


def test_state_follows_the_clock(family, frozen_time):
    trip = make_trip(family.household, family.parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21))
    assert trip.state() == TripState.UPCOMING
    frozen_time.move_to(ny(2026, 11, 12, 7, 29))
    assert trip.state() == TripState.UPCOMING
    frozen_time.move_to(ny(2026, 11, 12, 7, 30))
    assert trip.state() == TripState.AWAY
    frozen_time.move_to(ny(2026, 11, 15, 20, 59))
    assert trip.state() == TripState.AWAY
    frozen_time.move_to(ny(2026, 11, 15, 21))
    assert trip.state() == TripState.BACK
    trip.cancelled_at = NOW
    assert trip.state() == TripState.CANCELLED
    assert not trip.is_away_on_night(date(2026, 11, 13))


def test_trip_page_shows_the_state(family, frozen_time):
    trip = make_trip(family.household, family.parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21))

    def badge() -> str:
        page = family.client_for(family.parent).get(detail(trip)).content.decode()
        match = re.search(r'<span class="badge state-(\w+)">([^<]+)<', page)
        assert match is not None
        return f"{match.group(1)}: {match.group(2)}"

    assert badge() == "upcoming: Upcoming"
    frozen_time.move_to(ny(2026, 11, 13, 12))
    assert badge() == "away: Away now"
    frozen_time.move_to(ny(2026, 11, 16, 12))
    assert badge() == "back: Back"


# -- The trip form ----------------------------------------------------------------------------


def form_data(traveller: User, start: str, end: str, **extra: str) -> dict[str, str]:
    start_date, start_time = start.split()
    end_date, end_time = end.split()
    return {
        "traveller": str(traveller.pk),
        "start_date": start_date,
        "start_time": start_time,
        "end_date": end_date,
        "end_time": end_time,
        "destination": "Denver",
        "destination_zone": "America/Denver",
        "kind": TripKind.WORK,
        "notes": "Back late Sunday, don't wait up.",
        **extra,
    }


STORY = ("2026-11-12 07:30", "2026-11-15 21:00")


def detail(trip: Trip) -> str:
    return reverse("trips:detail", args=[trip.pk])


def rejected(response, *messages: str) -> str:
    """The form came back with a 422 and every message; nothing was saved."""
    assert response.status_code == 422
    html = response.content.decode()
    assert "Nothing was saved yet." in html
    for message in messages:
        assert escape(message) in html, message
    return html


@pytest.fixture
def parent(family) -> Client:
    return family.client_for(family.parent)


def test_parent_plans_a_trip(family, parent):
    response = parent.post(reverse("trips:create"), form_data(family.parent, *STORY))

    trip = Trip.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(trip)
    assert trip.household == family.household
    assert trip.traveller == family.parent
    assert trip.starts_at == datetime(2026, 11, 12, 12, 30, tzinfo=UTC)
    assert trip.ends_at == datetime(2026, 11, 16, 2, 0, tzinfo=UTC)
    assert trip.destination == "Denver"
    assert trip.destination_zone == "America/Denver"
    assert trip.kind == TripKind.WORK
    assert trip.sequence == 0
    assert trip.cancelled_at is None
    page = parent.get(detail(trip)).content.decode()
    assert "Trip planned: 3 nights away." in page
    assert "Thursday 12 November, 7:30 AM" in page
    assert "Sunday 15 November, 9:00 PM" in page


def test_form_page_offers_only_this_households_parents(family, parent):
    second = add_parent(family)
    html = parent.get(reverse("trips:create")).content.decode()
    options = re.findall(
        r'<option value="(\d+)"', html.split('name="traveller"')[1].split("</select>")[0]
    )
    assert sorted(options) == sorted([str(family.parent.pk), str(second.pk)])


@pytest.mark.parametrize(
    ("start", "end"),
    [("2026-11-15 21:00", "2026-11-12 07:30"), ("2026-11-12 07:30", "2026-11-12 07:30")],
    ids=["before", "same-moment"],
)
def test_return_must_be_after_departure(family, parent, start, end):
    response = parent.post(reverse("trips:create"), form_data(family.parent, start, end))
    html = rejected(response, "The return must be after the departure.")
    assert 'id="id_end_date_errors"' in html
    assert not Trip.objects.exists()


def test_at_most_sixty_nights(family, parent):
    sixty = parent.post(
        reverse("trips:create"), form_data(family.parent, "2026-11-12 08:00", "2027-01-11 18:00")
    )
    assert sixty.status_code == 302
    assert Trip.objects.get().nights == 60
    Trip.objects.all().delete()

    response = parent.post(
        reverse("trips:create"), form_data(family.parent, "2026-11-12 08:00", "2027-01-12 18:00")
    )

    rejected(response, "That is 61 nights; a trip can be at most 60 nights.")
    assert not Trip.objects.exists()


def test_same_traveller_cannot_be_away_twice(family, parent):
    existing = trip_to(
        family, "Chicago", "America/New_York", ny(2026, 11, 14, 9), ny(2026, 11, 20, 18)
    )

    response = parent.post(reverse("trips:create"), form_data(family.parent, *STORY))

    rejected(
        response,
        "Pat is already away then: Pat Parent to Chicago, Sat 14 Nov. "
        "Change the dates, or edit that trip.",
    )
    assert list(Trip.objects.all()) == [existing]


def test_overlap_ignores_cancelled_and_back_to_back_trips(family, parent):
    make_trip(
        family.household, family.parent, ny(2026, 11, 12, 9), ny(2026, 11, 14, 9), cancelled_at=NOW
    )
    make_trip(family.household, family.parent, ny(2026, 11, 10, 9), ny(2026, 11, 12, 7, 30))
    response = parent.post(reverse("trips:create"), form_data(family.parent, *STORY))
    assert response.status_code == 302
    assert Trip.objects.count() == 3


def test_another_parent_may_be_away_at_the_same_time(family, parent):
    second = add_parent(family)
    make_trip(family.household, family.parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21))
    response = parent.post(reverse("trips:create"), form_data(second, *STORY))
    assert response.status_code == 302
    assert Trip.objects.filter(traveller=second).count() == 1


def test_time_skipped_by_spring_forward_is_explained(family, parent):
    response = parent.post(
        reverse("trips:create"),
        form_data(family.parent, "2027-03-14 02:30", "2027-03-16 18:00"),
    )
    html = rejected(
        response,
        "2:30 AM does not exist on 14 March in America/New_York: "
        "the clocks jump forward that night. Choose 1:30 AM or 3:30 AM.",
    )
    assert 'id="id_start_time_errors"' in html
    assert not Trip.objects.exists()


def test_time_skipped_at_return_is_explained_too(family, parent):
    response = parent.post(
        reverse("trips:create"),
        form_data(family.parent, "2027-03-12 08:00", "2027-03-14 02:00"),
    )
    html = rejected(response, "2:00 AM does not exist on 14 March")
    assert "Choose 1:00 AM or 3:00 AM." in html
    assert 'id="id_end_time_errors"' in html
    assert not Trip.objects.exists()


def test_time_that_happens_twice_asks_which_one(family, parent):
    data = form_data(family.parent, "2026-11-01 01:30", "2026-11-03 18:00")
    response = parent.post(reverse("trips:create"), data)
    html = rejected(
        response,
        "1:30 AM happens twice on 1 November in America/New_York (the clocks go back). "
        "Say which one the departure is below.",
    )
    # The question appears for the departure only; the return needs none.
    select = re.search(r'<select name="start_fold"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    assert 'value="0">The first one (summer time)' in select.group(1)
    assert 'value="1">The second one (winter time)' in select.group(1)
    assert '<label for="id_start_fold">Which departure time?' in html
    assert re.search(r'<input type="hidden" name="end_fold"', html)
    assert not Trip.objects.exists()


@pytest.mark.parametrize(
    ("fold", "instant"),
    [
        ("0", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
        ("1", datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
    ],
    ids=["first", "second"],
)
def test_choosing_which_one_stores_that_instant(family, parent, fold, instant):
    data = form_data(family.parent, "2026-11-01 01:30", "2026-11-03 18:00", start_fold=fold)
    response = parent.post(reverse("trips:create"), data)
    assert response.status_code == 302
    trip = Trip.objects.get()
    assert trip.starts_at == instant
    assert trip.local_start.fold == int(fold)
    # The edit form shows the choice, so saving again keeps the instant.
    edit = parent.get(reverse("trips:edit", args=[trip.pk])).content.decode()
    assert f'<option value="{fold}" selected>' in edit
    parent.post(reverse("trips:edit", args=[trip.pk]), data)
    trip.refresh_from_db()
    assert trip.starts_at == instant


def test_unknown_destination_zone(family, parent):
    data = form_data(family.parent, *STORY, destination_zone="Mars/Olympus")
    response = parent.post(reverse("trips:create"), data)
    html = rejected(response, NOT_A_ZONE)
    assert 'value="Mars/Olympus"' in html  # what was typed is kept
    assert not Trip.objects.exists()


@pytest.mark.parametrize("who", ["caregiver", "outsider"])
def test_traveller_must_be_a_parent_of_the_household(family, parent, who):
    response = parent.post(reverse("trips:create"), form_data(getattr(family, who), *STORY))
    rejected(response, "Select a valid choice.")
    assert not Trip.objects.exists()


def test_traveller_rule_holds_in_the_model_too(family):
    trip = Trip(
        household=family.household,
        traveller=family.caregiver,
        starts_at=ny(2026, 11, 12, 7, 30),
        ends_at=ny(2026, 11, 15, 21),
        destination_zone="America/New_York",
    )
    with pytest.raises(
        ValidationError, match=r"The traveller must be a parent of this household\."
    ):
        trip.full_clean()


def test_caregiver_cannot_plan_edit_or_cancel(family):
    trip = make_trip(family.household, family.parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21))
    caregiver = family.client_for(family.caregiver)
    # Covering no night of it, the trip is a line on the calendar to them, no more.
    assert caregiver.get(reverse("trips:edit", args=[trip.pk])).status_code == 404
    assert caregiver.get(detail(trip)).status_code == 404
    # In charge of a night, they see it, and may still not change it.
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 13), member=family.caregiver
    )
    assert caregiver.get(reverse("trips:create")).status_code == 403
    assert (
        caregiver.post(reverse("trips:create"), form_data(family.caregiver, *STORY)).status_code
        == 403
    )
    assert caregiver.get(reverse("trips:edit", args=[trip.pk])).status_code == 403
    moved = form_data(family.parent, "2026-11-13 07:30", "2026-11-16 21:00")
    assert caregiver.post(reverse("trips:edit", args=[trip.pk]), moved).status_code == 403
    assert caregiver.post(reverse("trips:cancel", args=[trip.pk])).status_code == 403
    assert list(Trip.objects.all()) == [trip]
    trip.refresh_from_db()
    assert (trip.starts_at, trip.sequence, trip.cancelled_at) == (ny(2026, 11, 12, 7, 30), 0, None)
    # A caregiver sees the trip, without the buttons.
    page = caregiver.get(detail(trip)).content.decode()
    assert page.count("Pat") >= 1
    assert reverse("trips:edit", args=[trip.pk]) not in page


def test_outsider_gets_404_for_every_trip_url(family):
    trip = make_trip(family.household, family.parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21))
    outsider = family.client_for(family.outsider)
    assert outsider.get(detail(trip)).status_code == 404
    assert outsider.get(reverse("trips:edit", args=[trip.pk])).status_code == 404
    assert outsider.post(reverse("trips:cancel", args=[trip.pk])).status_code == 404
    cover = reverse("trips:cover", args=[trip.pk, "2026-11-12"])
    assert outsider.post(cover, {"adult": ""}).status_code == 404
    assert trip not in outsider.get(reverse("trips:list")).context["rows"]
    trip.refresh_from_db()
    assert trip.cancelled_at is None
    assert not Cover.objects.exists()


def test_edit_keeps_the_uid_and_counts_the_change(family, parent):
    parent.post(reverse("trips:create"), form_data(family.parent, *STORY))
    trip = Trip.objects.get()
    uid = trip.uid
    page = parent.get(reverse("trips:edit", args=[trip.pk])).content.decode()
    assert 'value="07:30"' in page
    assert 'value="2026-11-12"' in page

    response = parent.post(
        reverse("trips:edit", args=[trip.pk]),
        form_data(family.parent, "2026-11-13 07:30", "2026-11-16 21:00"),
    )

    assert response.status_code == 302
    trip.refresh_from_db()
    assert trip.uid == uid
    assert trip.sequence == 1
    assert trip.starts_at == datetime(2026, 11, 13, 12, 30, tzinfo=UTC)
    assert trip.nights_list == days(13, 14, 15)
    assert Trip.objects.count() == 1


def test_bad_edit_changes_nothing(family, parent):
    trip = make_trip(family.household, family.parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21))
    response = parent.post(
        reverse("trips:edit", args=[trip.pk]),
        form_data(family.parent, "2026-11-16 07:30", "2026-11-13 21:00"),
    )
    rejected(response, "The return must be after the departure.")
    trip.refresh_from_db()
    assert (trip.starts_at, trip.ends_at, trip.sequence) == (
        ny(2026, 11, 12, 7, 30),
        ny(2026, 11, 15, 21),
        0,
    )


def test_cancel(family, parent):
    trip = make_trip(family.household, family.parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21))
    assert parent.get(reverse("trips:cancel", args=[trip.pk])).status_code == 405

    response = parent.post(reverse("trips:cancel", args=[trip.pk]), follow=True)

    assert response.redirect_chain == [(reverse("trips:list"), 302)]
    assert "Trip cancelled." in response.content.decode()
    assert "No trips coming up." in response.content.decode()
    trip.refresh_from_db()
    assert trip.cancelled_at == NOW
    assert trip.state() == TripState.CANCELLED
    assert trip.sequence == 1
    # Cancelling twice changes nothing more.
    parent.post(reverse("trips:cancel", args=[trip.pk]))
    trip.refresh_from_db()
    assert trip.sequence == 1
    assert 'class="badge state-cancelled"' in parent.get(detail(trip)).content.decode()


# -- Who is in charge -------------------------------------------------------------------------


@pytest.fixture
def both_away(family):
    """Pat away Thursday to Sunday; Sam away on the Friday night too."""
    second = add_parent(family)
    pats = trip_to(
        family, "Denver", "America/New_York", ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21)
    )
    sams = make_trip(family.household, second, ny(2026, 11, 13, 10), ny(2026, 11, 14, 12))
    return pats, sams, second


def night_row(html: str, night: str) -> str:
    match = re.search(rf'<li id="night-{night}"(.*?)</li>', html, re.S)
    assert match is not None, night
    return match.group(0)


def cover_url(trip: Trip, night: str) -> str:
    return reverse("trips:cover", args=[trip.pk, night])


def test_the_other_parent_at_home_covers_by_default(family, parent):
    add_parent(family)
    trip = make_trip(family.household, family.parent, ny(2026, 11, 12, 7, 30), ny(2026, 11, 15, 21))
    html = parent.get(detail(trip)).content.decode()
    for night in ("2026-11-12", "2026-11-13", "2026-11-14"):
        row = night_row(html, night)
        assert 'Sam Second</span> <span class="small muted">(at home)' in row
        assert "is-uncovered" not in row
    assert "nobody named" not in html
    assert 'id="night-2026-11-15"' not in html


def test_a_single_parent_away_leaves_the_nights_uncovered(family, parent):
    trip = make_trip(family.household, family.parent, ny(2026, 11, 12, 23), ny(2026, 11, 13, 18))
    html = parent.get(detail(trip)).content.decode()
    assert 'class="is-uncovered"' in night_row(html, "2026-11-12")
    assert "1 night with no parent at home and nobody named." in html


def test_a_screen_reader_hears_where_the_traveller_goes_not_an_arrow(family, parent):
    trip = trip_to(family, "Denver", "America/New_York", ny(2026, 11, 12, 9), ny(2026, 11, 14, 18))
    heading = parent.get(detail(trip)).content.decode().split("<h1>", 1)[1].split("</h1>")[0]
    arrow = '<span class="dir-arrow" role="img" aria-label="to">→</span>'
    assert heading == f"{family.parent.get_short_name()} {arrow} Denver"


def test_home_says_in_the_next_trip_card_which_nights_nobody_covers(family, parent):
    trip = make_trip(family.household, family.parent, ny(2026, 11, 12, 23), ny(2026, 11, 14, 18))
    card = parent.get("/").content.decode().split("Next away", 1)[1].split("</article>", 1)[0]
    link = f'href="{detail(trip)}#nights">2 nights with nobody in charge</a>'
    assert link in card
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 12), member=family.caregiver
    )
    card = parent.get("/").content.decode().split("Next away", 1)[1].split("</article>", 1)[0]
    assert f'href="{detail(trip)}#nights">1 night with nobody in charge</a>' in card


def test_night_both_parents_are_away_is_flagged_everywhere(family, parent, both_away):
    pats, sams, _second = both_away

    trip_page = parent.get(detail(pats)).content.decode()
    assert "1 night with no parent at home and nobody named." in trip_page
    friday = night_row(trip_page, "2026-11-13")
    assert 'class="is-uncovered"' in friday
    assert "Nobody in charge" in friday
    assert "Away: Pat, Sam" in friday
    assert "Sam Second" in night_row(trip_page, "2026-11-12")
    assert "is-uncovered" not in night_row(trip_page, "2026-11-14")

    calendar = parent.get(reverse("trips:calendar_month", args=[2026, 11])).content.decode()
    cells = re.findall(r'<td class="([^"]*)">\s*<span class="day-number">(\d+)</span>', calendar)
    flagged = [day for classes, day in cells if "is-uncovered" in classes]
    assert flagged == ["13"]
    assert "⚠ nobody" in calendar
    assert "☾ Sam Second" in calendar
    assert "Night: nobody in charge" in calendar  # the agenda of the next 60 days
    assert parent.get(reverse("trips:calendar")).content.decode().count("⚠ nobody") == 1

    home = parent.get("/").content.decode()
    assert "1 night with no parent at home and nobody in charge:" in home
    assert f'href="{detail(pats)}#nights">Fri 13 Nov</a>' in home

    trips = parent.get(reverse("trips:list")).content.decode()
    assert trips.count("1 night with nobody in charge: Fri 13 Nov.") == 2
    assert sams in [row[0] for row in parent.get(reverse("trips:list")).context["rows"]]


def test_naming_the_backup_caregiver_covers_the_night(family, parent, both_away):
    pats, _sams, _second = both_away
    value = f"contact:{family.contact.pk}"

    response = parent.post(cover_url(pats, "2026-11-13"), {"adult": value})

    assert response.status_code == 302
    assert response["Location"] == detail(pats) + "#night-2026-11-13"
    cover = Cover.objects.get()
    assert (cover.household, cover.night, cover.contact, cover.member) == (
        family.household,
        date(2026, 11, 13),
        family.contact,
        None,
    )
    trip_page = parent.get(detail(pats)).content.decode()
    friday = night_row(trip_page, "2026-11-13")
    assert "is-uncovered" not in friday
    assert "<span>Grandma</span>" in friday
    assert f'<option value="{value}" selected>Grandma (backup caregiver)</option>' in friday
    assert "nobody named" not in trip_page
    assert (
        "⚠ nobody"
        not in parent.get(reverse("trips:calendar_month", args=[2026, 11])).content.decode()
    )
    assert "nobody in charge" not in parent.get("/").content.decode()
    assert "nobody in charge" not in parent.get(reverse("trips:list")).content.decode()


def test_naming_with_htmx_returns_the_nights_with_a_true_warning(family, parent, both_away):
    pats, _sams, _second = both_away
    value = f"contact:{family.contact.pk}"
    page = parent.get(reverse("trips:detail", args=[pats.pk])).content.decode()
    assert "with no parent at home and nobody named" in page

    response = parent.post(
        cover_url(pats, "2026-11-13"), {"adult": value}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith('<section id="nights"')
    assert html.endswith("</section>")
    assert "<html" not in html
    assert '<li id="night-2026-11-13"' in html
    assert "with no parent at home and nobody named" not in html
    assert "<span>Grandma</span>" in html
    assert f'<option value="{value}" selected>' in html
    assert Cover.objects.get().contact == family.contact


def test_naming_a_member_covers_the_night(family, parent, both_away):
    pats, _sams, _second = both_away
    response = parent.post(
        cover_url(pats, "2026-11-13"), {"adult": f"member:{family.caregiver.pk}"}
    )
    assert response.status_code == 302
    cover = Cover.objects.get()
    assert (cover.member, cover.contact) == (family.caregiver, None)
    assert "<span>Cam Carer</span>" in night_row(
        parent.get(detail(pats)).content.decode(), "2026-11-13"
    )


@pytest.fixture
def strangers_contact(family) -> Contact:
    contact = Contact(
        household=family.other_household,
        name="Stranger",
        phone="+44 20 7946 0000",
        roles=[ContactRole.BACKUP],
    )
    contact.save()
    return contact


@pytest.mark.parametrize("choice", ["contact", "member", "nonsense"])
def test_someone_from_another_household_is_refused(
    family, parent, both_away, strangers_contact, choice
):
    pats, _sams, _second = both_away
    value = {
        "contact": f"contact:{strangers_contact.pk}",
        "member": f"member:{family.outsider.pk}",
        "nonsense": "member:banana",
    }[choice]

    response = parent.post(cover_url(pats, "2026-11-13"), {"adult": value}, follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert escape(f"Select a valid choice. {value} is not one of the available choices.") in page
    assert 'class="is-uncovered"' in night_row(page, "2026-11-13")
    assert "Stranger" not in page
    assert "Otto" not in page
    assert not Cover.objects.exists()

    htmx = parent.post(
        cover_url(pats, "2026-11-13"), {"adult": value}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 422
    assert '<small class="error">Select a valid choice.' in htmx.content.decode()
    assert not Cover.objects.exists()


def test_a_refused_choice_keeps_the_existing_cover(family, parent, both_away, strangers_contact):
    pats, _sams, _second = both_away
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 13), contact=family.contact
    )
    parent.post(cover_url(pats, "2026-11-13"), {"adult": f"contact:{strangers_contact.pk}"})
    assert Cover.objects.get().contact == family.contact


@pytest.mark.parametrize("night", ["2026-11-15", "2026-11-11", "2026-13-40", "yesterday"])
def test_a_night_outside_the_trip_is_404(family, parent, both_away, night):
    pats, _sams, _second = both_away
    response = parent.post(cover_url(pats, night), {"adult": f"contact:{family.contact.pk}"})
    assert response.status_code == 404
    assert not Cover.objects.exists()


def test_covering_needs_a_parent_and_a_post(family, parent, both_away):
    pats, _sams, _second = both_away
    url = cover_url(pats, "2026-11-13")
    caregiver = family.client_for(family.caregiver)
    assert caregiver.post(url, {"adult": f"contact:{family.contact.pk}"}).status_code == 404
    # Named for another night of the trip, they see it, but naming is for parents.
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 12), member=family.caregiver
    )
    assert caregiver.post(url, {"adult": f"contact:{family.contact.pk}"}).status_code == 403
    assert parent.get(url).status_code == 405
    assert list(Cover.objects.values_list("night", flat=True)) == [date(2026, 11, 12)]
    # A caregiver sees who is in charge, without the form.
    page = caregiver.get(detail(pats)).content.decode()
    assert "Nobody in charge" in page
    assert 'name="adult"' not in page


def test_clearing_returns_to_the_default(family, parent, both_away):
    pats, _sams, second = both_away
    Cover.objects.create(
        household=family.household, night=date(2026, 11, 12), contact=family.contact
    )
    Cover.objects.create(household=family.household, night=date(2026, 11, 13), member=second)

    parent.post(cover_url(pats, "2026-11-12"), {"adult": ""})
    response = parent.post(
        cover_url(pats, "2026-11-13"), {"adult": ""}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert not Cover.objects.exists()
    assert "Nobody in charge" in response.content.decode()
    html = parent.get(detail(pats)).content.decode()
    assert 'class="small muted">(at home)' in night_row(html, "2026-11-12")
    assert "Sam Second" in night_row(html, "2026-11-12")
    assert 'class="is-uncovered"' in night_row(html, "2026-11-13")
    assert '<option value="" selected>' in night_row(html, "2026-11-13")


@time_machine.travel("2026-10-01 12:00:00+00:00", tick=False)
def test_editing_a_trip_that_leaves_at_an_hour_that_happens_twice_shows_which_one(family):
    zone = ZoneInfo("America/New_York")
    leaves = datetime(2026, 11, 1, 1, 30, tzinfo=zone).replace(fold=1)
    back = datetime(2026, 11, 3, 18, 0, tzinfo=zone)
    trip = trip_to(family, "", "America/New_York", leaves, back)
    page = family.client_for(family.parent).get(f"/trips/{trip.pk}/edit/").content.decode()
    assert '<select name="start_fold"' in page
    assert '<option value="1" selected>' in page
    assert 'type="hidden" name="end_fold"' in page
