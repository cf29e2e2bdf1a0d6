"""Reading a work calendar (.ics file) into the events that could be trips.

Pure functions: bytes and the home time zone in, plain data out. The views
keep the result in a `CalendarImport` between the preview and the confirm, and
turn the ticked events into trips.

How times are read:
- a time with a TZID (``DTSTART;TZID=America/Chicago:…``, or a Windows name
  such as ``W. Europe Standard Time``) or in UTC (``…Z``) is that moment;
- a custom TZID is read with the VTIMEZONE definition of the same file. (The
  icalendar library keeps custom zones in a process-wide cache where the first
  definition of a name wins; it is emptied around each read, and a file's own
  definition is applied again, so one household's "Customized Time Zone"
  never changes how another household's file is read.)
- a floating time (no zone) is taken in the household's time zone, and so is
  a time whose TZID nobody knows (the event says so);
- an all-day event is taken as leaving at 8:00 on its first day and back at
  18:00 on its last day, at home (the trip form's defaults; the page says so and
  the trip can be edited afterwards). Midnight to midnight would count the night
  before the first day as a night away, by the 03:00 rule of trips.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Component
from icalendar.error import IncompleteComponent
from icalendar.timezone import tzp

from homefront.households.models import NAME_LENGTH
from homefront.households.validators import time_zone_names
from homefront.trips.models import night_moment

MAX_UPLOAD_BYTES = 1024 * 1024
MAX_CANDIDATES = 500  # one preview page a person can read
ALL_DAY_LEAVES = time(8, 0)
ALL_DAY_BACK = time(18, 0)
LONGEST_EVENT = timedelta(days=366)  # longer is no trip (at most 60 nights) and not shown
UID_LENGTH = 255  # Trip.imported_uid
TEXT_LENGTH = 200
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_PLACELESS = {"UTC", "GMT", "UCT", "Universal", "Zulu", "Greenwich", "GMT0", "GMT+0", "GMT-0"}
EXPORT_HINT = (
    "In your calendar app, export (or share) the calendar as an .ics file and upload that."
)


class CalendarFileError(ValueError):
    """The upload is not a calendar we can read; the message is for the person."""


@dataclass(frozen=True)
class CandidateEvent:
    """One event of the file that could become a trip."""

    uid: str  # the key a trip remembers it by (Trip.imported_uid)
    summary: str
    location: str
    start: datetime  # aware
    end: datetime  # aware, after start
    zone: str  # the event's own IANA time zone, "" when it has none we know
    all_day: bool
    nights: int  # nights away, counted as trips count them (at home)
    note: str = ""  # something the person should know about how it was read

    @property
    def overnight(self) -> bool:
        return self.nights >= 1

    @property
    def title(self) -> str:
        return self.summary or self.location or "(no title)"

    @property
    def destination(self) -> str:
        return self.location or self.summary

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "summary": self.summary,
            "location": self.location,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "zone": self.zone,
            "all_day": self.all_day,
            "nights": self.nights,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CandidateEvent:
        zone = ZoneInfo(data["zone"]) if data["zone"] in time_zone_names() else None
        start = datetime.fromisoformat(data["start"])
        end = datetime.fromisoformat(data["end"])
        return cls(
            uid=str(data["uid"]),
            summary=str(data["summary"]),
            location=str(data["location"]),
            start=start.astimezone(zone) if zone else start,
            end=end.astimezone(zone) if zone else end,
            zone=data["zone"] if zone else "",
            all_day=bool(data["all_day"]),
            nights=int(data["nights"]),
            note=str(data.get("note", "")),
        )


def read_calendar(data: bytes, home: ZoneInfo) -> list[CandidateEvent]:
    """The events of an .ics file that could be trips, earliest first.

    Raises CalendarFileError when the file is not an iCalendar file or is damaged.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise CalendarFileError(
            "The file is larger than 1 MB. Export a shorter period of the calendar, "
            "for example the coming year."
        )
    text = _decode(data)
    candidates: dict[str, CandidateEvent] = {}
    with _fresh_zone_cache():
        for calendar in _parse(text):
            zones = _FileZones(calendar)
            for event in calendar.walk("VEVENT"):
                candidate = _candidate(event, home, zones)
                if candidate is not None and candidate.uid not in candidates:
                    candidates[candidate.uid] = candidate
    if len(candidates) > MAX_CANDIDATES:
        raise CalendarFileError(
            f"This calendar has {len(candidates)} events that could be trips, more than "
            f"{MAX_CANDIDATES} to choose from. Export a shorter period of the calendar, "
            "for example the coming year."
        )
    return sorted(candidates.values(), key=lambda c: (c.start, c.end, c.uid))


def count_nights(start: datetime, end: datetime, home: ZoneInfo) -> int:
    """Nights away between two moments, by the rule trips use (away at 03:00 at home)."""
    day = start.astimezone(home).date() - timedelta(days=1)
    last = end.astimezone(home).date()
    nights = 0
    while day <= last:
        if start <= night_moment(day, home) < end:
            nights += 1
        day += timedelta(days=1)
    return nights


def _decode(data: bytes) -> str:
    if not data.strip():
        raise CalendarFileError("The file is empty. " + EXPORT_HINT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Some older exports are Windows-1252; binary data is caught just below.
        text = data.decode("cp1252", errors="replace")
    if _CONTROL.search(text):
        raise CalendarFileError(
            "This file is not a calendar: it holds binary data, not text. " + EXPORT_HINT
        )
    if not text.lstrip().upper().startswith("BEGIN:VCALENDAR"):
        raise CalendarFileError(
            "This file is not an iCalendar (.ics) file: it should begin with "
            "“BEGIN:VCALENDAR”. " + EXPORT_HINT
        )
    return text


@contextlib.contextmanager
def _fresh_zone_cache() -> Iterator[None]:
    """Empties icalendar's process-wide cache of custom zones before and after a read.

    (`use_zoneinfo()` is its public way to do so; zoneinfo is its default provider.)
    A read in another thread meanwhile loses nothing: `_FileZones` rebuilds a
    file's own zones from the file.
    """
    tzp.use_zoneinfo()
    try:
        yield
    finally:
        tzp.use_zoneinfo()


def _parse(text: str) -> list[Calendar]:
    try:
        components = Calendar.from_ical(text, multiple=True)
    except Exception as error:  # the parser and dateutil raise many kinds on bad input
        raise CalendarFileError(
            f"This calendar file is damaged and cannot be read ({_short(str(error))}). "
            "Export it again and upload the new file."
        ) from error
    calendars = [c for c in components if isinstance(c, Calendar) and c.name == "VCALENDAR"]
    if not calendars:
        raise CalendarFileError(
            "This calendar file is incomplete: it does not end with “END:VCALENDAR”, "
            "so it was probably cut off. Export it again and upload the new file."
        )
    return calendars


@dataclass
class _FileZones:
    """The custom time zones a calendar file defines itself, built when first needed."""

    calendar: Calendar
    built: dict[str, tzinfo | None] = field(default_factory=dict)

    def get(self, tzid: str) -> tzinfo | None:
        if tzid not in self.built:
            self.built[tzid] = None
            for component in self.calendar.walk("VTIMEZONE"):
                if str(component.get("TZID", "")).strip() == tzid:
                    # A definition that cannot be built makes the zone unknown.
                    with contextlib.suppress(Exception):
                        self.built[tzid] = component.to_tz(lookup_tzid=False)  # type: ignore[attr-defined]
                    break
        return self.built[tzid]


def _candidate(event: Component, home: ZoneInfo, zones: _FileZones) -> CandidateEvent | None:
    summary = _text(event.get("SUMMARY"))
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    try:
        return _read_event(event, summary, home, zones)
    except IncompleteComponent:
        return None  # no start: nothing to place on a calendar
    except Exception as error:  # a broken value, or a zone of the file that cannot work
        name = f"“{summary}”" if summary else "without a title"
        raise CalendarFileError(
            f"The event {name} has a start or end that cannot be read "
            f"({_short(str(error))}). Export the calendar again, or remove that event."
        ) from error


def _read_event(
    event: Component, summary: str, home: ZoneInfo, zones: _FileZones
) -> CandidateEvent | None:
    start, end = event.start, event.end  # type: ignore[attr-defined]
    if not all(1900 <= value.year <= 2200 for value in (start, end)):
        return None  # not a time anyone travels in; and keeps the date arithmetic safe
    notes: list[str] = []
    all_day = not isinstance(start, datetime) and not isinstance(end, datetime)
    zone = ""
    if all_day:
        # DTEND of an all-day event is the day after its last day.
        last_day = max(start, end - timedelta(days=1))
        starts_at = datetime.combine(start, ALL_DAY_LEAVES, tzinfo=home)
        ends_at = datetime.combine(last_day, ALL_DAY_BACK, tzinfo=home)
    else:
        tzid = _tzid(event, "DTSTART")
        starts_at, known = _moment(start, tzid, zones, home)
        ends_at, _ = _moment(end, _tzid(event, "DTEND") or tzid, zones, home)
        if not known:
            notes.append(f"Time zone “{_short(tzid, 40)}” is unknown: times taken as home time.")
        zone = _zone_name(start, tzid)
    if not timedelta(0) < ends_at - starts_at <= LONGEST_EVENT:
        return None
    nights = count_nights(starts_at, ends_at, home)
    multi_day = starts_at.astimezone(home).date() != ends_at.astimezone(home).date()
    if nights < 1 and (all_day or not multi_day):
        return None
    if nights < 1:
        notes.append("Crosses midnight but is not a night away.")
    if "RRULE" in event:
        notes.append("A repeating event: only its first time is imported.")
    location = _text(event.get("LOCATION"))
    if zone:
        starts_at, ends_at = (
            starts_at.astimezone(ZoneInfo(zone)),
            ends_at.astimezone(ZoneInfo(zone)),
        )
    return CandidateEvent(
        uid=_key(event, summary, starts_at, ends_at),
        summary=summary,
        location=location,
        start=starts_at,
        end=ends_at,
        zone=zone,
        all_day=all_day,
        nights=nights,
        note=" ".join(notes),
    )


def _moment(
    value: date | datetime, tzid: str, zones: _FileZones, home: ZoneInfo
) -> tuple[datetime, bool]:
    """The aware moment of a DTSTART/DTEND value, and False if its TZID is unknown."""
    if not isinstance(value, datetime):  # a date beside a date-time: its midnight
        return datetime.combine(value, time(0), tzinfo=home), True
    if isinstance(value.tzinfo, ZoneInfo):  # a tz database zone, or UTC
        return value, True
    wall = value.replace(tzinfo=None)
    if tzid:
        own = zones.get(tzid)
        if own is not None:
            return wall.replace(tzinfo=own), True
        return wall.replace(tzinfo=home), False
    if value.tzinfo is not None:
        return value, True
    return wall.replace(tzinfo=home), True  # floating: the time on the wall at home


def _zone_name(start: date | datetime, tzid: str) -> str:
    """The event's zone if it names a place (Windows names are mapped by icalendar).

    UTC and the Etc/ zones say nothing about where the traveller is: "".
    """
    names = time_zone_names()
    key = tzid
    if isinstance(start, datetime) and isinstance(start.tzinfo, ZoneInfo) and tzid:
        key = start.tzinfo.key
    if key not in names or key in _PLACELESS or key.startswith("Etc/"):
        return ""
    return key


def _tzid(event: Component, name: str) -> str:
    prop = event.get(name)
    params = getattr(prop, "params", None) or {}
    return str(params.get("TZID", "")).strip()


def _key(event: Component, summary: str, start: datetime, end: datetime) -> str:
    """The event's UID (plus the occurrence, for a changed occurrence of a repeating event)."""
    uid = _text(event.get("UID"), limit=10_000)
    if not uid:
        # No UID (rare, against the standard): the same event re-imported still matches,
        # but a moved one becomes a new trip.
        seed = f"{summary}|{start.isoformat()}|{end.isoformat()}"
        uid = "no-uid-" + hashlib.sha256(seed.encode()).hexdigest()[:32]
    recurrence = event.get("RECURRENCE-ID")
    if recurrence is not None:
        uid += "#" + recurrence.to_ical().decode()
    if len(uid) > UID_LENGTH:
        uid = "sha256-" + hashlib.sha256(uid.encode()).hexdigest()
    return uid


def _text(value: object, limit: int = TEXT_LENGTH) -> str:
    if value is None:
        return ""
    return _SPACES.sub(" ", str(value)).strip()[:limit]


def _short(text: str, limit: int = 120) -> str:
    text = _SPACES.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- Importing again: the calendar owns the times and the place, the parent the rest --------

# A trip's fields its work calendar owns; kind, notes and covers are the parent's alone.
CALENDAR_FIELDS = ("starts_at", "ends_at", "destination", "destination_zone")
_TIMES = ("starts_at", "ends_at")


@dataclass(frozen=True)
class Conflict:
    """A field the parent changed in Homefront and the calendar moved too."""

    field: str
    yours: Any
    calendar: Any


@dataclass
class Merge:
    """What a re-import does to one trip: the calendar's moves the parent left alone are
    taken; the parent's own changes are kept; where both changed a field, it is a conflict."""

    take: dict[str, Any] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # changed by the parent only
    conflicts: list[Conflict] = field(default_factory=list)


def calendar_values(event: CandidateEvent, home_zone: str) -> dict[str, Any]:
    """The values of the calendar-owned fields of a trip made from this event."""
    return {
        "starts_at": event.start,
        "ends_at": event.end,
        "destination": event.destination[:NAME_LENGTH],
        "destination_zone": event.zone or home_zone,
    }


def stored_values(values: dict[str, Any]) -> dict[str, str]:
    """Calendar values as a trip keeps them (Trip.imported_values): times in ISO form."""
    return {
        name: values[name].isoformat() if name in _TIMES else str(values[name])
        for name in CALENDAR_FIELDS
    }


def _read_stored(stored: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in CALENDAR_FIELDS:
        if isinstance(stored.get(name), str):
            values[name] = datetime.fromisoformat(stored[name]) if name in _TIMES else stored[name]
    return values


def merge(current: dict[str, Any], last_import: dict[str, Any], calendar: dict[str, Any]) -> Merge:
    """Three-way, per field: `current` the trip now, `last_import` its imported_values
    (empty for a trip imported before they were kept), `calendar` what the file says now."""
    base = _read_stored(last_import)
    result = Merge()
    for name in CALENDAR_FIELDS:
        yours, theirs = current[name], calendar[name]
        if yours == theirs:
            continue
        if name in base and base[name] == yours:
            result.take[name] = theirs  # only the calendar moved it
        elif name in base and base[name] == theirs:
            result.kept.append(name)  # only the parent changed it
        else:
            # Both changed it, or nobody knows what the calendar said before: the
            # parent's value stays unless they choose the calendar's.
            result.conflicts.append(Conflict(name, yours, theirs))
    return result
