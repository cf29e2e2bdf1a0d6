"""When to call home: the children's day at home, shown in the traveller's time zone.

Expected values are computed here from wall-clock times at home with zoneinfo, and spot-checked
against hand-worked figures, rather than with the code under test.
"""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from homefront.households.models import SCHOOL_DAYS
from homefront.households.models import Child
from homefront.households.models import Routine
from homefront.testing.trips import make_trip
from homefront.testing.zones import DENVER
from homefront.testing.zones import NY
from homefront.trips.calls import call_days
from homefront.trips.models import Trip

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")


def home(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=NY)


def trip_away(
    family, zone: str, first: date, last: date, leaves: time = time(7, 30), back: time = time(21)
) -> Trip:
    """Pat away in `zone` from `first` at `leaves` to `last` at `back` (times at home)."""
    return make_trip(
        family.household,
        family.parent,
        home(first, leaves),
        home(last, back),
        destination="Away",
        destination_zone=zone,
    )


def detail_html(family, trip: Trip) -> str:
    """The trip's page as Pat sees it."""
    page = family.client_for(family.parent).get(reverse("trips:detail", args=[trip.pk]))
    return page.content.decode()


def children_of(family) -> list[Child]:
    return list(
        Child.objects.in_household(family.household)
        .select_related("household")
        .prefetch_related("routines")
    )


def add_day(child: Child, **times: time | tuple[time, int]) -> None:
    for kind, value in times.items():
        at, weekdays = value if isinstance(value, tuple) else (value, 0b1111111)
        Routine.objects.create(child=child, kind=kind, time=at, weekdays=weekdays)


@pytest.fixture
def two_children(family) -> tuple[Child, Child]:
    """Maya (bedtime 19:30 from the fixture) goes to daycare on weekdays; Lily stays home."""
    maya = family.child
    add_day(
        maya,
        wake=time(6, 30),
        drop_off=(time(8, 30), SCHOOL_DAYS),
        pick_up=(time(16, 0), SCHOOL_DAYS),
        nap=time(13, 0),
        dinner=time(17, 30),
    )
    lily = Child.objects.create(
        household=family.household, name="Lily", birth_date=date(2023, 8, 1)
    )
    add_day(lily, wake=time(7, 0), nap=time(12, 30), dinner=time(17, 30), bedtime=time(19, 0))
    return maya, lily


def spans(day: date, zone: ZoneInfo, *pairs: tuple[time, time]) -> list[tuple[datetime, datetime]]:
    """Wall-clock spans at home on `day`, as instants in `zone`."""
    return [(home(day, a).astimezone(zone), home(day, b).astimezone(zone)) for a, b in pairs]


def clock(moments: list[tuple[datetime, datetime]]) -> list[str]:
    return [f"{a:%a %H:%M} to {b:%a %H:%M}" for a, b in moments]


# -- New York to Denver -----------------------------------------------------------------------


def test_bedtime_at_home_is_shown_in_the_time_there(family):
    trip = trip_away(family, "America/Denver", date(2026, 11, 12), date(2026, 11, 15))

    days = call_days(trip, children_of(family))

    assert [d.day for d in days] == [date(2026, 11, n) for n in (12, 13, 14, 15)]
    for day in days:
        [bedtime] = day.moments
        assert bedtime.title == "Bedtime"
        assert bedtime.children == ("Maya",)
        assert bedtime.home == home(day.day, time(19, 30))
        assert bedtime.away.tzinfo == DENVER
        assert (bedtime.away.date(), bedtime.away.time()) == (day.day, time(17, 30))

    html = detail_html(family, trip)
    assert "When to call" in html
    assert "in the time where Pat is (America/Denver)" in html
    rows = re.findall(
        r"<li><time[^>]*>([^<]+)</time><span>(\w+) <span[^>]*>· Maya · ([^<]+) at home", html
    )
    assert rows == [("5:30 PM", "Bedtime", "7:30 PM")] * 4


def test_same_zone_trip_shows_home_times(family):
    trip = trip_away(family, "America/New_York", date(2026, 11, 12), date(2026, 11, 13))
    html = detail_html(family, trip)
    assert "The kids' day at home." in html
    assert ">7:30 PM</time><span>Bedtime" in html
    assert "at home</span>" not in html


def test_windows_leave_out_daycare_naps_and_bedtime_for_every_child(family, two_children):
    thursday, saturday = date(2026, 11, 12), date(2026, 11, 14)
    trip = trip_away(family, "America/Denver", thursday, date(2026, 11, 15))

    days = {d.day: d for d in call_days(trip, children_of(family))}

    # Thursday: the trip starts at 7:30; Maya is at daycare 8:30-16:00 (her nap is there);
    # Lily naps 12:30-14:00 and goes to bed at 19:00, before Maya.
    assert days[thursday].windows == spans(
        thursday, DENVER, (time(7, 30), time(8, 30)), (time(16), time(19))
    )
    assert clock(days[thursday].windows) == ["Thu 05:30 to Thu 06:30", "Thu 14:00 to Thu 17:00"]
    friday = date(2026, 11, 13)
    assert days[friday].windows == spans(
        friday, DENVER, (time(7), time(8, 30)), (time(16), time(19))
    )
    # Saturday, no daycare: Lily's nap 12:30-14:00 and Maya's 13:00-14:30 both count.
    assert days[saturday].windows == spans(
        saturday, DENVER, (time(7), time(12, 30)), (time(14, 30), time(19))
    )
    assert clock(days[saturday].windows) == ["Sat 05:00 to Sat 10:30", "Sat 12:30 to Sat 17:00"]
    for day in days.values():
        for start, end in day.windows:
            assert start.tzinfo == DENVER
            assert end <= home(day.day, time(19))  # before the earlier bedtime

    # Both children's dinner is one moment; the daycare run is not a moment.
    titles = [(m.title, sorted(m.children)) for m in days[friday].moments]
    assert ("Dinner", ["Lily", "Maya"]) in titles
    assert not any("drop-off" in title.lower() for title, _ in titles)

    html = detail_html(family, trip)
    assert (
        "Good times to call (your time): <strong>5:30 AM\N{EN DASH}6:30 AM</strong>, "
        "<strong>2:00 PM\N{EN DASH}5:00 PM</strong>"
    ) in html


def test_short_gaps_are_not_offered(family):
    add_day(
        family.child,
        wake=time(7),
        drop_off=(time(7, 10), 0b1111111),
        pick_up=(time(19, 20), 0b1111111),
    )
    trip = trip_away(family, "America/Denver", date(2026, 11, 12), date(2026, 11, 13), time(6))
    [thursday, friday] = call_days(trip, children_of(family))
    # 7:00-7:10 and 19:20-19:30 are too short to call.
    assert thursday.windows == []
    assert friday.windows == []


# -- Across daylight-saving changes -----------------------------------------------------------
# The US changes on 14 March 2027 and 1 November 2026; the UK on 28 March 2027 and
# 25 October 2026. On the weekends below New York is 5 hours from London on one day
# and 4 on the next.


SPRING_FORWARD = date(2027, 3, 13)
FALL_BACK = date(2026, 10, 31)
DST_WEEKENDS = pytest.mark.parametrize(
    "saturday",
    [
        pytest.param(SPRING_FORWARD, id="spring-forward"),
        pytest.param(FALL_BACK, id="fall-back"),
    ],
)
BEDTIMES_IN_LONDON = {
    # EST→London is +5 (Saturday), EDT→London +4 from Sunday.
    SPRING_FORWARD: ["Sun 00:30", "Sun 23:30", "Mon 23:30"],
    # EDT→London is +4 (Saturday), EST→London +5 from Sunday.
    FALL_BACK: ["Sat 23:30", "Mon 00:30", "Tue 00:30"],
}
WINDOWS_HAND_WORKED = {
    SPRING_FORWARD: [
        ["Sat 13:00 to Sat 17:30", "Sat 19:30 to Sun 00:00"],
        ["Sun 11:00 to Sun 16:30", "Sun 18:30 to Sun 23:00"],
        ["Mon 11:00 to Mon 12:30", "Mon 20:00 to Mon 23:00"],
    ],
    FALL_BACK: [
        ["Sat 12:00 to Sat 16:30", "Sat 18:30 to Sat 23:00"],
        ["Sun 12:00 to Sun 17:30", "Sun 19:30 to Mon 00:00"],
        ["Mon 12:00 to Mon 13:30", "Mon 21:00 to Tue 00:00"],
    ],
}


def weekend_in_london(family, saturday: date) -> Trip:
    """Pat in London from Saturday 8:00 to Monday 20:00 (times at home)."""
    monday = saturday + timedelta(days=2)
    return trip_away(family, "Europe/London", saturday, monday, time(8), time(20))


@DST_WEEKENDS
def test_bedtime_in_london_on_each_day_of_a_dst_weekend(family, saturday):
    trip = weekend_in_london(family, saturday)

    days = call_days(trip, children_of(family))

    away = [day.moments[0].away for day in days]
    assert [d.day for d in days] == [saturday + timedelta(days=n) for n in range(3)]
    assert away == [home(d.day, time(19, 30)).astimezone(LONDON) for d in days]
    bedtimes = [f"{moment.astimezone(LONDON):%a %H:%M}" for moment in away]
    assert bedtimes == BEDTIMES_IN_LONDON[saturday]
    offsets = [(m.astimezone(LONDON).utcoffset(), m.astimezone(NY).utcoffset()) for m in away]
    assert len(set(offsets)) == 2  # the two days straddle one change


@DST_WEEKENDS
def test_windows_in_london_on_each_day_of_a_dst_weekend(family, two_children, saturday):
    trip = weekend_in_london(family, saturday)

    days = call_days(trip, children_of(family))

    saturday, sunday, monday = (d.day for d in days)
    assert days[0].windows == spans(
        saturday, LONDON, (time(8), time(12, 30)), (time(14, 30), time(19))
    )
    assert days[1].windows == spans(
        sunday, LONDON, (time(7), time(12, 30)), (time(14, 30), time(19))
    )
    assert days[2].windows == spans(monday, LONDON, (time(7), time(8, 30)), (time(16), time(19)))
    for day in days:
        for window in day.windows:
            assert all(moment.tzinfo == LONDON for moment in window)


@DST_WEEKENDS
def test_dst_weekend_hand_worked(family, two_children, saturday):
    days = call_days(weekend_in_london(family, saturday), children_of(family))
    assert [clock(day.windows) for day in days] == WINDOWS_HAND_WORKED[saturday]


def test_fall_back_sunday_on_the_trip_page(family, two_children):
    trip = weekend_in_london(family, FALL_BACK)
    html = detail_html(family, trip)
    sunday = html.split("Sunday 1 November")[1].split("</article>")[0]
    assert (
        "<strong>12:00 PM\N{EN DASH}5:30 PM</strong>, <strong>7:30 PM\N{EN DASH}12:00 AM</strong>"
        in sunday
    )
    assert ">12:30 AM</time><span>Bedtime" in sunday
