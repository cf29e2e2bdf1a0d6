"""Work trips imported from a calendar file: upload, preview and choose, confirm, re-import."""

from __future__ import annotations

import html
import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from icalendar import Calendar
from icalendar import Event

from homefront.accounts.models import User
from homefront.testing.households import add_parent
from homefront.testing.pages import field_error
from homefront.testing.pages import text
from homefront.testing.trips import trip_to
from homefront.testing.zones import NY
from homefront.trips.imports import MAX_CANDIDATES
from homefront.trips.imports import MAX_UPLOAD_BYTES
from homefront.trips.imports import CalendarFileError
from homefront.trips.imports import CandidateEvent
from homefront.trips.imports import count_nights
from homefront.trips.imports import read_calendar
from homefront.trips.models import CalendarImport
from homefront.trips.models import Cover
from homefront.trips.models import Trip
from homefront.trips.models import TripKind

# Thursday 1 October 2026, 10:00 in New York.
NOW = datetime(2026, 10, 1, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
UPLOAD = "/trips/import/"
CHICAGO = ZoneInfo("America/Chicago")
DASH = "\N{EN DASH}"


@pytest.fixture
def parent(family) -> Client:
    return family.client_for(family.parent)


# -- Building calendar files ---------------------------------------------------------------


def event(uid: str | None, summary: str, start, end, location: str = "", **extra) -> Event:
    item = Event()
    if uid is not None:
        item.add("uid", uid)
    item.add("summary", summary)
    item.add("dtstamp", NOW)
    item.add("dtstart", start)
    if end is not None:
        item.add("dtend", end)
    if location:
        item.add("location", location)
    for name, value in extra.items():
        item.add(name.replace("_", "-"), value)
    return item


def ics(*events: Event) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Example Corp//Outlook 16.0//EN")
    calendar.add("version", "2.0")
    for item in events:
        calendar.add_component(item)
    return calendar.to_ical()


def sales_kickoff(start: datetime, end: datetime, location: str = "Chicago") -> Event:
    """The sales kickoff, when and where the calendar has it."""
    return event("kickoff-2026@example.com", "Sales kickoff", start, end, location=location)


def chicago_kickoff(day: int = 13) -> Event:
    """Tue 13 to Thu 15 October 2026 in Chicago, on summer time (UTC-5)."""
    return sales_kickoff(
        datetime(2026, 10, day, 9, 0, tzinfo=CHICAGO),
        datetime(2026, 10, day + 2, 17, 0, tzinfo=CHICAGO),
    )


# The work calendar's other events, by the first part of their UID: the summary, the start, the
# end and what more the event says.
WORK_EVENTS: dict[str, tuple[str, date, date, dict[str, str]]] = {
    # No time zone at all: the wall-clock time at home (New York, UTC-4 in October).
    "offsite-2026": (
        "Board offsite",
        datetime(2026, 10, 20, 7, 30),
        datetime(2026, 10, 22, 19),
        {},
    ),
    # All day Tue 10 to Thu 12 November 2026 (DTEND is the day after), New York on UTC-5.
    "retreat-2026": (
        "Team retreat",
        date(2026, 11, 10),
        date(2026, 11, 13),
        {"location": "Lake Placid"},
    ),
    "london-2026": (
        "London office",
        datetime(2026, 12, 1, 23, 0, tzinfo=UTC),
        datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
        {"location": "London"},
    ),
    "standup": (
        "Weekly planning",
        datetime(2026, 10, 14, 10, 0, tzinfo=NY),
        datetime(2026, 10, 14, 11, 0, tzinfo=NY),
        {},
    ),
    "holiday": ("Company holiday", date(2026, 10, 12), date(2026, 10, 13), {}),
    # Crosses midnight but is home by 1 am: shown, not ticked.
    "release": ("Late release", datetime(2026, 10, 27, 20, 0), datetime(2026, 10, 28, 1, 0), {}),
    "summit": (
        "Summit (cancelled)",
        datetime(2026, 10, 5, 9, 0, tzinfo=NY),
        datetime(2026, 10, 8, 17, 0, tzinfo=NY),
        {"status": "CANCELLED"},
    ),
}


def work_event(name: str) -> Event:
    summary, start, end, more = WORK_EVENTS[name]
    return event(f"{name}@example.com", summary, start, end, **more)


def work_calendar() -> bytes:
    return ics(chicago_kickoff(), *(work_event(name) for name in WORK_EVENTS))


# -- Driving the pages -----------------------------------------------------------------------


def upload(client: Client, data: bytes, name: str = "work.ics"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, data, "text/calendar")})


def confirm_url(calendar_import: CalendarImport) -> str:
    return reverse("trips:import_confirm", args=[calendar_import.pk])


def uploaded(client: Client, data: bytes) -> CalendarImport:
    response = upload(client, data)
    assert response.status_code == 302, text(response)
    calendar_import = CalendarImport.objects.get()
    assert response.url == confirm_url(calendar_import)
    return calendar_import


def ticked(response) -> list[str]:
    return re.findall(
        r'<input type="checkbox" name="events" value="(\d+)"[^>]* checked>', text(response)
    )


def index_of(calendar_import: CalendarImport, uid: str) -> str:
    uids = [data["uid"] for data in calendar_import.events]
    return str(uids.index(uid))


def import_file(client: Client, data: bytes, traveller: User, uids: list[str] | None = None):
    """Uploads, then confirms either the pre-ticked events or the events of these UIDs."""
    calendar_import = uploaded(client, data)
    preview = client.get(confirm_url(calendar_import))
    assert preview.status_code == 200
    events = ticked(preview) if uids is None else [index_of(calendar_import, uid) for uid in uids]
    response = client.post(
        confirm_url(calendar_import), {"traveller": traveller.pk, "events": events}
    )
    assert response.status_code == 200, text(response)
    return response


def trip(uid: str) -> Trip:
    return Trip.objects.get(imported_uid=uid)


# -- Upload and preview -----------------------------------------------------------------------


def test_a_parent_finds_the_import_from_the_trips_list_and_a_caregiver_does_not(family, parent):
    assert "Import from a work calendar" in text(parent.get(reverse("trips:list")))
    caregiver = family.client_for(family.caregiver)
    assert "Import from a work calendar" not in text(caregiver.get(reverse("trips:list")))

    page = parent.get(UPLOAD)

    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in text(page)
    assert reverse("trips:import") == UPLOAD


def test_the_preview_lists_the_events_that_could_be_trips_with_the_overnight_ones_ticked(
    family, parent
):
    calendar_import = uploaded(parent, work_calendar())

    preview = parent.get(confirm_url(calendar_import))

    page = text(preview)
    assert preview.status_code == 200
    uids = [data["uid"] for data in calendar_import.events]
    assert uids == [
        "kickoff-2026@example.com",
        "offsite-2026@example.com",
        "release@example.com",
        "retreat-2026@example.com",
        "london-2026@example.com",
    ]
    for absent in ("Weekly planning", "Company holiday", "Summit"):
        assert absent not in page
    assert sorted(ticked(preview)) == sorted(
        index_of(calendar_import, uid) for uid in uids if uid != "release@example.com"
    )
    assert "Crosses midnight but is not a night away." in page
    # At home (New York), and at the place when it is elsewhere.
    assert f"Tue 13 Oct, 10:00 AM {DASH} Thu 15 Oct, 6:00 PM" in page
    assert f"Tue 13 Oct, 9:00 AM {DASH} Thu 15 Oct, 5:00 PM in America/Chicago" in page
    assert f"Tue 10 Nov {DASH} Thu 12 Nov (all day)" in page
    assert "leaving at 8:00 AM on the first day and back at 6:00 PM on the last day" in page
    # The uploader is the traveller unless someone else is chosen.
    assert re.search(rf'<option value="{family.parent.pk}" selected>', page)
    # What the import keeps between the two pages.
    kickoff = calendar_import.events[0]
    assert kickoff == {
        "uid": "kickoff-2026@example.com",
        "summary": "Sales kickoff",
        "location": "Chicago",
        "start": "2026-10-13T09:00:00-05:00",
        "end": "2026-10-15T17:00:00-05:00",
        "zone": "America/Chicago",
        "all_day": False,
        "nights": 2,
        "note": "",
    }
    assert calendar_import.created_by == family.parent
    assert calendar_import.household == family.household
    assert Trip.objects.count() == 0


# -- Confirm ----------------------------------------------------------------------------------


def test_confirm_creates_work_trips_at_the_right_moments(family, parent):
    response = import_file(parent, work_calendar(), family.parent)

    assert Trip.objects.count() == 4
    kickoff = trip("kickoff-2026@example.com")
    assert (kickoff.starts_at, kickoff.ends_at) == (
        datetime(2026, 10, 13, 14, 0, tzinfo=UTC),
        datetime(2026, 10, 15, 22, 0, tzinfo=UTC),
    )
    assert (kickoff.destination, kickoff.destination_zone) == ("Chicago", "America/Chicago")
    assert (kickoff.traveller, kickoff.household, kickoff.kind) == (
        family.parent,
        family.household,
        TripKind.WORK,
    )
    assert kickoff.sequence == 0
    assert kickoff.nights == 2

    offsite = trip("offsite-2026@example.com")  # floating: New York wall-clock time
    assert (offsite.starts_at, offsite.ends_at) == (
        datetime(2026, 10, 20, 11, 30, tzinfo=UTC),
        datetime(2026, 10, 22, 23, 0, tzinfo=UTC),
    )
    assert (offsite.destination, offsite.destination_zone) == ("Board offsite", "America/New_York")

    retreat = trip("retreat-2026@example.com")  # all day: 8:00 first day to 18:00 last day
    assert (retreat.starts_at, retreat.ends_at) == (
        datetime(2026, 11, 10, 13, 0, tzinfo=UTC),
        datetime(2026, 11, 12, 23, 0, tzinfo=UTC),
    )
    assert (retreat.destination, retreat.destination_zone) == ("Lake Placid", "America/New_York")
    assert retreat.nights_list == [date(2026, 11, 10), date(2026, 11, 11)]

    london = trip("london-2026@example.com")  # UTC: the moment, but no place in it
    assert (london.starts_at, london.ends_at) == (
        datetime(2026, 12, 1, 23, 0, tzinfo=UTC),
        datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
    )
    assert london.destination_zone == "America/New_York"

    assert not Trip.objects.filter(imported_uid="release@example.com").exists()
    assert CalendarImport.objects.count() == 0
    page = text(response)
    assert "Calendar imported" in page
    assert page.count(">Added<") == 4
    assert "4 trips added." in page
    assert reverse("trips:detail", args=[kickoff.pk]) in page


def test_importing_the_same_file_twice_gives_each_trip_once(family, parent):
    import_file(parent, work_calendar(), family.parent)
    before = {
        t.imported_uid: (t.pk, t.starts_at, t.ends_at, t.sequence) for t in Trip.objects.all()
    }

    again = import_file(parent, work_calendar(), family.parent)

    after = {t.imported_uid: (t.pk, t.starts_at, t.ends_at, t.sequence) for t in Trip.objects.all()}
    assert after == before
    assert len(after) == 4
    assert text(again).count(">Already there<") == 4
    assert "0 trips added, 4 already there." in text(again)
    preview_note = "Imported before for Pat"
    uploaded_again = uploaded(parent, work_calendar())
    assert preview_note in text(parent.get(confirm_url(uploaded_again)))


def test_a_moved_event_updates_its_trip_and_its_sequence_goes_up(family, parent):
    import_file(parent, ics(chicago_kickoff(), work_event("offsite-2026")), family.parent)
    kickoff = trip("kickoff-2026@example.com")
    offsite = trip("offsite-2026@example.com")
    moved = sales_kickoff(
        datetime(2026, 10, 14, 8, 0, tzinfo=CHICAGO),
        datetime(2026, 10, 16, 12, 0, tzinfo=CHICAGO),
        "Milwaukee",
    )

    response = import_file(parent, ics(moved, work_event("offsite-2026")), family.parent)

    kickoff_after = Trip.objects.get(pk=kickoff.pk)
    assert (kickoff_after.starts_at, kickoff_after.ends_at) == (
        datetime(2026, 10, 14, 13, 0, tzinfo=UTC),
        datetime(2026, 10, 16, 17, 0, tzinfo=UTC),
    )
    assert kickoff_after.destination == "Milwaukee"
    assert kickoff_after.sequence == kickoff.sequence + 1
    assert Trip.objects.get(pk=offsite.pk).sequence == offsite.sequence
    assert Trip.objects.count() == 2
    assert ">Updated<" in text(response)


def test_unticked_events_are_not_imported(family, parent):
    import_file(parent, work_calendar(), family.parent, uids=["offsite-2026@example.com"])

    assert list(Trip.objects.values_list("imported_uid", flat=True)) == ["offsite-2026@example.com"]


def test_a_crossing_midnight_event_is_imported_when_ticked(family, parent):
    import_file(parent, ics(work_event("release")), family.parent, uids=["release@example.com"])

    release = trip("release@example.com")
    assert release.starts_at == datetime(2026, 10, 28, 0, 0, tzinfo=UTC)
    assert release.nights == 0


def test_ticking_nothing_asks_for_a_tick_and_keeps_the_upload(family, parent):
    calendar_import = uploaded(parent, work_calendar())

    response = parent.post(confirm_url(calendar_import), {"traveller": family.parent.pk})

    assert response.status_code == 422
    assert field_error(response, "events") == "Tick at least one event to import."
    assert ticked(response) == []
    assert Trip.objects.count() == 0
    assert CalendarImport.objects.filter(pk=calendar_import.pk).exists()


def test_the_trips_can_be_the_other_parents(family, parent):
    second = add_parent(family)

    import_file(parent, ics(chicago_kickoff()), second)

    assert trip("kickoff-2026@example.com").traveller == second


def test_a_caregiver_cannot_be_named_as_the_traveller(family, parent):
    calendar_import = uploaded(parent, ics(chicago_kickoff()))

    response = parent.post(
        confirm_url(calendar_import), {"traveller": family.caregiver.pk, "events": ["0"]}
    )

    assert response.status_code == 422
    assert "Select a valid choice" in field_error(response, "traveller")
    # What was ticked stays ticked.
    assert ticked(response) == ["0"]
    assert Trip.objects.count() == 0


def test_an_overlapping_or_too_long_event_is_reported_and_skipped(family, parent):
    leaves = datetime(2026, 10, 12, 12, 0, tzinfo=UTC)
    back = datetime(2026, 10, 14, 12, 0, tzinfo=UTC)
    planned = trip_to(family, "Boston", "America/New_York", leaves, back)
    sabbatical = event(
        "sabbatical@example.com",
        "Secondment",
        date(2027, 1, 4),
        date(2027, 4, 5),
        location="Tokyo",
    )

    response = import_file(
        parent, ics(chicago_kickoff(), work_event("offsite-2026"), sabbatical), family.parent
    )

    assert set(Trip.objects.values_list("imported_uid", flat=True)) == {
        "",
        "offsite-2026@example.com",
    }
    assert Trip.objects.get(pk=planned.pk).sequence == 0
    page = text(response)
    assert page.count(">Not imported<") == 2
    assert "1 trip added, 2 not imported (see why below)." in page
    assert "Pat is already away then: Pat Parent to Boston, Mon 12 Oct." in page
    assert "a trip can be at most 60 nights" in page
    assert ">Added<" in page


def test_two_events_of_one_file_that_overlap_give_one_trip(family, parent):
    clash = event(
        "clash@example.com",
        "Customer visit",
        datetime(2026, 10, 14, 20, 0, tzinfo=NY),
        datetime(2026, 10, 16, 9, 0, tzinfo=NY),
    )

    response = import_file(parent, ics(chicago_kickoff(), clash), family.parent)

    assert list(Trip.objects.values_list("imported_uid", flat=True)) == ["kickoff-2026@example.com"]
    assert "is already away then" in text(response)


def test_a_move_that_would_overlap_keeps_the_trip_as_it_was(family, parent):
    import_file(parent, ics(chicago_kickoff(), work_event("offsite-2026")), family.parent)
    offsite = trip("offsite-2026@example.com")
    onto_the_kickoff = event(
        "offsite-2026@example.com",
        "Board offsite",
        datetime(2026, 10, 14, 7, 30),
        datetime(2026, 10, 16, 19, 0),
    )

    response = import_file(parent, ics(chicago_kickoff(), onto_the_kickoff), family.parent)

    after = Trip.objects.get(pk=offsite.pk)
    assert (after.starts_at, after.sequence) == (offsite.starts_at, offsite.sequence)
    assert "is already away then" in text(response)
    assert "The trip stays as it was." in text(response)


def test_an_event_uid_twice_in_one_file_counts_once(family, parent):
    response = import_file(parent, ics(chicago_kickoff(), chicago_kickoff(day=19)), family.parent)

    assert Trip.objects.count() == 1
    assert trip("kickoff-2026@example.com").starts_at == datetime(2026, 10, 13, 14, tzinfo=UTC)
    assert text(response).count(">Added<") == 1


def test_a_trip_cancelled_in_homefront_is_not_brought_back(family, parent):
    import_file(parent, ics(chicago_kickoff()), family.parent)
    kickoff = trip("kickoff-2026@example.com")
    kickoff.cancelled_at = NOW
    kickoff.save(update_fields=["cancelled_at"])

    response = import_file(parent, ics(chicago_kickoff(day=14)), family.parent)

    after = Trip.objects.get(pk=kickoff.pk)
    assert after.cancelled_at == NOW
    assert after.starts_at == kickoff.starts_at
    assert "cancelled in Homefront" in text(response)


def test_an_import_is_confirmed_once(family, parent):
    calendar_import = uploaded(parent, ics(chicago_kickoff()))
    data = {"traveller": family.parent.pk, "events": ["0"]}
    assert parent.post(confirm_url(calendar_import), data).status_code == 200

    assert parent.post(confirm_url(calendar_import), data).status_code == 404
    assert Trip.objects.count() == 1


def test_unconfirmed_uploads_are_forgotten_after_a_day(family, parent, frozen_time):
    stale = uploaded(parent, ics(chicago_kickoff()))
    frozen_time.shift(timedelta(days=2))

    upload(parent, ics(work_event("offsite-2026")))

    assert not CalendarImport.objects.filter(pk=stale.pk).exists()
    assert CalendarImport.objects.count() == 1


# -- Bad files ------------------------------------------------------------------------------


TRUNCATED = ics(chicago_kickoff(), work_event("offsite-2026"))[:-60]
BAD_START = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//\r\nBEGIN:VEVENT\r\nUID:a\r\n"
    b"SUMMARY:Offsite\r\nDTSTART:next tuesday\r\nDTEND:20261022T190000\r\n"
    b"END:VEVENT\r\nEND:VCALENDAR\r\n"
)
NO_TRIPS = ics(work_event("standup"), work_event("holiday"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            ics(chicago_kickoff()) + b" " * MAX_UPLOAD_BYTES,
            "The file is larger than 1 MB",
            id="too-large",
        ),
        pytest.param(
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 10,
            "This file is not a calendar: it holds binary data",
            id="binary",
        ),
        pytest.param(
            b"Name,Start,End\nSales kickoff,2026-10-13,2026-10-15\n",
            "This file is not an iCalendar (.ics) file",
            id="csv",
        ),
        pytest.param(
            TRUNCATED,
            "This calendar file is incomplete",
            id="truncated",
        ),
        pytest.param(
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nthis is not a content line\r\nEND:VCALENDAR\r\n",
            "This calendar file is damaged and cannot be read",
            id="malformed-line",
        ),
        pytest.param(
            BAD_START,
            "The event “Offsite” has a start or end that cannot be read",
            id="bad-start",
        ),
        pytest.param(b"", "The submitted file is empty.", id="empty"),
        pytest.param(b"\r\n  \r\n", "The file is empty.", id="blank"),
        pytest.param(NO_TRIPS, "No event in this calendar lasts overnight", id="no-trips"),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_saved(parent, data, message):
    response = upload(parent, data)

    assert response.status_code == 422
    assert message in field_error(response, "file")
    assert "Nothing was saved yet." in text(response)
    assert CalendarImport.objects.count() == 0
    assert Trip.objects.count() == 0


def test_no_file_at_all_asks_for_one(parent):
    response = parent.post(UPLOAD, {})

    assert response.status_code == 422
    assert field_error(response, "file") == "Choose the .ics file of your work calendar."


# -- Who may ---------------------------------------------------------------------------------


def test_a_caregiver_may_not_import(family, parent):
    calendar_import = uploaded(parent, ics(chicago_kickoff()))
    caregiver = family.client_for(family.caregiver)

    assert caregiver.get(UPLOAD).status_code == 403
    assert upload(caregiver, ics(work_event("offsite-2026"))).status_code == 403
    assert caregiver.get(confirm_url(calendar_import)).status_code == 403
    response = caregiver.post(
        confirm_url(calendar_import), {"traveller": family.parent.pk, "events": ["0"]}
    )
    assert response.status_code == 403
    assert Trip.objects.count() == 0
    assert CalendarImport.objects.count() == 1


def test_another_households_import_is_not_found(family, parent):
    calendar_import = uploaded(parent, ics(chicago_kickoff()))
    outsider = family.client_for(family.outsider)

    assert outsider.get(confirm_url(calendar_import)).status_code == 404
    response = outsider.post(
        confirm_url(calendar_import), {"traveller": family.outsider.pk, "events": ["0"]}
    )
    assert response.status_code == 404
    assert Trip.objects.count() == 0
    assert CalendarImport.objects.filter(pk=calendar_import.pk).exists()


def test_signed_out_people_are_sent_to_sign_in(family):
    response = Client().get(UPLOAD)
    assert response.status_code == 302
    assert "/trips/import/" in response.url


def test_other_methods_are_refused(family, parent):
    calendar_import = uploaded(parent, ics(chicago_kickoff()))
    assert parent.put(UPLOAD).status_code == 405
    assert parent.delete(confirm_url(calendar_import)).status_code == 405
    assert CalendarImport.objects.count() == 1


# -- Reading calendars (no database) -----------------------------------------------------------


def read(*events: Event) -> list[CandidateEvent]:
    return read_calendar(ics(*events), NY)


def outlook_calendar(uid: str, summary: str, zone: str) -> bytes:
    """One event as Outlook writes it, 13 October 2026 9:00 to 15 October 17:00 in the
    time zone it names `zone` (and describes nowhere in the file)."""
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nSUMMARY:{summary}\r\nDTSTART;TZID={zone}:20261013T090000\r\n"
        f"DTEND;TZID={zone}:20261015T170000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_a_windows_zone_name_is_understood():
    data = outlook_calendar("w", "Berlin", "W. Europe Standard Time")
    [candidate] = read_calendar(data, NY)
    assert candidate.zone == "Europe/Berlin"
    assert candidate.start.astimezone(UTC) == datetime(2026, 10, 13, 7, 0, tzinfo=UTC)


def test_an_unknown_zone_is_taken_as_home_time_and_said():
    data = outlook_calendar("u", "Somewhere", "Nowhere Standard Time")
    [candidate] = read_calendar(data, NY)
    assert candidate.zone == ""
    assert candidate.start.astimezone(UTC) == datetime(2026, 10, 13, 13, 0, tzinfo=UTC)
    assert "“Nowhere Standard Time” is unknown" in candidate.note


def test_a_vtimezone_of_the_file_is_honoured():
    data = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        b"BEGIN:VTIMEZONE\r\nTZID:Homefront Test Zone\r\n"
        b"BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0530\r\n"
        b"TZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        b"BEGIN:VEVENT\r\nUID:v\r\nSUMMARY:Pune\r\n"
        b"DTSTART;TZID=Homefront Test Zone:20261013T090000\r\n"
        b"DTEND;TZID=Homefront Test Zone:20261015T170000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    [candidate] = read_calendar(data, NY)
    assert candidate.start.astimezone(UTC) == datetime(2026, 10, 13, 3, 30, tzinfo=UTC)
    assert candidate.zone == ""


def test_a_duration_instead_of_an_end():
    [candidate] = read(
        event(
            "d",
            "Trade fair",
            datetime(2026, 10, 13, 9, tzinfo=CHICAGO),
            None,
            duration=timedelta(days=2, hours=3),
        )
    )
    assert candidate.end == datetime(2026, 10, 15, 12, 0, tzinfo=CHICAGO)
    assert candidate.nights == 2


def test_a_repeating_event_and_its_changed_occurrence_are_two_events():
    first = chicago_kickoff()
    first.add("rrule", {"freq": "monthly", "count": 3})
    changed = chicago_kickoff(day=20)
    changed.add("recurrence-id", datetime(2026, 11, 13, 9, 0, tzinfo=CHICAGO))

    master, occurrence = read(first, changed)

    assert master.uid == "kickoff-2026@example.com"
    assert "only its first time is imported" in master.note
    assert occurrence.uid.startswith("kickoff-2026@example.com#")
    assert occurrence.uid != master.uid


def test_an_event_without_uid_still_matches_itself():
    no_uid = event(None, "Offsite", datetime(2026, 10, 20, 8), datetime(2026, 10, 22, 18))
    assert read(no_uid)[0].uid == read(no_uid)[0].uid
    assert read(no_uid)[0].uid.startswith("no-uid-")


def test_a_utc_tzid_says_nothing_about_the_place():
    utc = event(
        "z",
        "Remote",
        datetime(2026, 10, 13, 9, tzinfo=ZoneInfo("UTC")),
        datetime(2026, 10, 15, 9, tzinfo=ZoneInfo("UTC")),
    )
    assert read(utc)[0].zone == ""


def test_a_windows_1252_file_is_read():
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:c\r\n"
        "SUMMARY:Réunion à Montréal\r\nDTSTART:20261013T090000\r\nDTEND:20261015T170000\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode("cp1252")
    assert read_calendar(data, NY)[0].summary == "Réunion à Montréal"


def test_a_candidate_survives_its_trip_through_json():
    for candidate in read(
        chicago_kickoff(),
        work_event("offsite-2026"),
        work_event("retreat-2026"),
        work_event("london-2026"),
    ):
        again = CandidateEvent.from_json(candidate.to_json())
        assert again == candidate


def test_too_large_is_refused_by_the_reader_too():
    with pytest.raises(CalendarFileError, match="larger than 1 MB"):
        read_calendar(b"BEGIN:VCALENDAR\r\n" + b" " * MAX_UPLOAD_BYTES, NY)


@pytest.mark.parametrize(
    ("start", "end", "nights"),
    [
        (datetime(2026, 10, 13, 9), datetime(2026, 10, 13, 23), 0),
        (datetime(2026, 10, 13, 22), datetime(2026, 10, 14, 2, 59), 0),
        (datetime(2026, 10, 13, 22), datetime(2026, 10, 14, 3, 1), 1),
        (datetime(2026, 10, 13, 7), datetime(2026, 10, 16, 21), 3),
    ],
)
def test_nights_are_counted_as_trips_count_them(start, end, nights):
    assert count_nights(start.replace(tzinfo=NY), end.replace(tzinfo=NY), NY) == nights


def custom_zone_file(offset: str, with_definition: bool = True) -> bytes:
    definition = (
        "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone 7\r\n"
        f"BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:{offset}\r\n"
        f"TZOFFSETTO:{offset}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n"
        + (definition if with_definition else "")
        + "BEGIN:VEVENT\r\nUID:c7\r\nSUMMARY:Visit\r\n"
        "DTSTART;TZID=Customized Time Zone 7:20261013T090000\r\n"
        "DTEND;TZID=Customized Time Zone 7:20261015T170000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_each_file_is_read_with_its_own_custom_zone():
    """icalendar caches custom zones process-wide by name; one household's file must not
    change how another's is read."""
    [first] = read_calendar(custom_zone_file("+0530"), NY)
    [second] = read_calendar(custom_zone_file("+0100"), NY)
    [undefined] = read_calendar(custom_zone_file("+0100", with_definition=False), NY)

    assert first.start.astimezone(UTC) == datetime(2026, 10, 13, 3, 30, tzinfo=UTC)
    assert second.start.astimezone(UTC) == datetime(2026, 10, 13, 8, 0, tzinfo=UTC)
    assert undefined.start.astimezone(UTC) == datetime(2026, 10, 13, 13, 0, tzinfo=UTC)
    assert "is unknown" in undefined.note
    assert first.note == second.note == ""


def test_too_many_possible_trips_are_refused():
    many = [
        event(
            f"e{n}",
            "Trip",
            date(2026, 1, 1) + timedelta(days=3 * n),
            date(2026, 1, 3) + timedelta(days=3 * n),
        )
        for n in range(MAX_CANDIDATES + 1)
    ]
    with pytest.raises(CalendarFileError, match="Export a shorter period"):
        read(*many)


# -- Importing again after the parent changed the trip ---------------------------------------


def edit_trip(client: Client, imported: Trip, **changes: str) -> None:
    """Changes the trip as a parent does, on its edit page."""
    start, end = imported.local_start, imported.local_end
    data = {
        "traveller": str(imported.traveller_id),
        "start_date": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_date": end.date().isoformat(),
        "end_time": end.strftime("%H:%M"),
        "destination": imported.destination,
        "destination_zone": imported.destination_zone,
        "kind": imported.kind,
        "notes": imported.notes,
        **changes,
    }
    response = client.post(reverse("trips:edit", args=[imported.pk]), data)
    assert response.status_code == 302, text(response)


def kickoff_back(hour: int, minute: int = 0, day: int = 15) -> Event:
    """The Chicago kickoff, its return moved in the calendar."""
    return event(
        "kickoff-2026@example.com",
        "Sales kickoff",
        datetime(2026, 10, 13, 9, 0, tzinfo=CHICAGO),
        datetime(2026, 10, day, hour, minute, tzinfo=CHICAGO),
        location="Chicago",
    )


def conflicts_shown(response) -> list[str]:
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", item))).strip()
        for item in re.findall(
            r'<fieldset class="import-conflicts">(.*?)</fieldset>', response.content.decode(), re.S
        )
    ]


def test_a_re_import_takes_the_calendars_move_and_keeps_the_parents_own_edits(family, parent):
    import_file(parent, ics(chicago_kickoff()), family.parent)
    kickoff = trip("kickoff-2026@example.com")
    # The parent stays a day longer, with an aunt, and plans it as a trip of their own.
    edit_trip(
        parent,
        kickoff,
        end_date="2026-10-16",
        end_time="12:00",
        destination="Chicago, at Aunt Ruth's",
        kind=TripKind.PLANNED,
        notes="Staying on with Aunt Ruth on Friday.",
    )
    cover = Cover.objects.create(
        household=family.household, night=date(2026, 10, 14), member=family.caregiver
    )
    # The calendar moves the departure to Wednesday morning; its return and place did not move.
    moved = sales_kickoff(
        datetime(2026, 10, 14, 8, 0, tzinfo=CHICAGO), datetime(2026, 10, 15, 17, 0, tzinfo=CHICAGO)
    )

    calendar_import = uploaded(parent, ics(moved))
    assert conflicts_shown(parent.get(confirm_url(calendar_import))) == []
    response = parent.post(
        confirm_url(calendar_import), {"traveller": family.parent.pk, "events": ["0"]}
    )

    after = Trip.objects.get(pk=kickoff.pk)
    assert after.starts_at == datetime(2026, 10, 14, 13, 0, tzinfo=UTC)  # the calendar's
    assert after.ends_at == datetime(2026, 10, 16, 16, 0, tzinfo=UTC)  # the parent's
    assert after.destination == "Chicago, at Aunt Ruth's"
    assert after.kind == TripKind.PLANNED
    assert after.notes == "Staying on with Aunt Ruth on Friday."
    assert Cover.objects.get(pk=cover.pk).member == family.caregiver
    assert ">Updated<" in text(response)
    assert "Kept your own return, place." in text(response)


def test_a_return_moved_by_both_is_a_conflict_and_the_parents_stays(family, parent):
    import_file(parent, ics(chicago_kickoff()), family.parent)
    kickoff = trip("kickoff-2026@example.com")
    edit_trip(parent, kickoff, end_date="2026-10-16", end_time="12:00")
    parents_return = datetime(2026, 10, 16, 16, 0, tzinfo=UTC)
    edited = Trip.objects.get(pk=kickoff.pk)

    calendar_import = uploaded(parent, ics(kickoff_back(20)))
    preview = parent.get(confirm_url(calendar_import))

    assert conflicts_shown(preview) == [
        "Changed in Homefront and in the calendar Pat's return: yours is Fri 16 Oct, 12:00 PM, "
        "the calendar now says Thu 15 Oct, 9:00 PM. Yours stays unless you tick "
        "Take the calendar's return"
    ]
    assert f'name="take_calendar" value="{kickoff.pk}:ends_at"' in text(preview)
    assert (
        f'value="{kickoff.pk}:ends_at" id="id_take_calendar_{kickoff.pk}ends_at" checked'
        not in (text(preview))
    )
    response = parent.post(
        confirm_url(calendar_import), {"traveller": family.parent.pk, "events": ["0"]}
    )

    after = Trip.objects.get(pk=kickoff.pk)
    assert after.ends_at == parents_return
    assert after.sequence == edited.sequence  # nothing a calendar feed must show moved
    assert "Kept your own return (the calendar says Thu 15 Oct, 9:00 PM)." in text(response)

    # The same calendar once more: it did not move since, so there is nothing to ask.
    again = uploaded(parent, ics(kickoff_back(20)))
    assert conflicts_shown(parent.get(confirm_url(again))) == []
    parent.post(confirm_url(again), {"traveller": family.parent.pk, "events": ["0"]})
    assert Trip.objects.get(pk=kickoff.pk).ends_at == parents_return


def test_choosing_the_calendars_return_in_a_conflict_takes_it(family, parent):
    import_file(parent, ics(chicago_kickoff()), family.parent)
    kickoff = trip("kickoff-2026@example.com")
    edit_trip(parent, kickoff, end_date="2026-10-16", end_time="12:00", notes="Call at 7.")
    edited = Trip.objects.get(pk=kickoff.pk)

    calendar_import = uploaded(parent, ics(kickoff_back(20)))
    response = parent.post(
        confirm_url(calendar_import),
        {
            "traveller": family.parent.pk,
            "events": ["0"],
            "take_calendar": [f"{kickoff.pk}:ends_at"],
        },
    )

    after = Trip.objects.get(pk=kickoff.pk)
    assert after.ends_at == datetime(2026, 10, 16, 1, 0, tzinfo=UTC)
    assert after.notes == "Call at 7."
    assert after.sequence == edited.sequence + 1
    assert ">Updated<" in text(response)


def test_a_choice_for_a_conflict_that_is_not_there_asks_again(family, parent):
    import_file(parent, ics(chicago_kickoff()), family.parent)
    kickoff = trip("kickoff-2026@example.com")
    calendar_import = uploaded(parent, ics(kickoff_back(20)))

    response = parent.post(
        confirm_url(calendar_import),
        {"traveller": family.parent.pk, "events": ["0"], "take_calendar": [f"{kickoff.pk}:notes"]},
    )

    assert response.status_code == 422
    assert "The trip changed since this page was shown" in field_error(response, "take_calendar")
    assert Trip.objects.get(pk=kickoff.pk).ends_at == kickoff.ends_at
    assert CalendarImport.objects.filter(pk=calendar_import.pk).exists()


def test_a_trip_imported_before_its_calendar_values_were_kept_asks_rather_than_guesses(
    family, parent
):
    import_file(parent, ics(chicago_kickoff()), family.parent)
    kickoff = trip("kickoff-2026@example.com")
    Trip.objects.filter(pk=kickoff.pk).update(imported_values={})

    calendar_import = uploaded(parent, ics(kickoff_back(20)))
    assert len(conflicts_shown(parent.get(confirm_url(calendar_import)))) == 1
    parent.post(confirm_url(calendar_import), {"traveller": family.parent.pk, "events": ["0"]})

    after = Trip.objects.get(pk=kickoff.pk)
    assert after.ends_at == kickoff.ends_at
    assert after.imported_values["ends_at"] == "2026-10-15T20:00:00-05:00"
