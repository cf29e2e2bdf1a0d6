"""The family calendar as an iCalendar (RFC 5545) feed, for phone calendars."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event

from homefront.households.models import Household
from homefront.trips.cover import FamilyNights
from homefront.trips.models import Trip

HISTORY = timedelta(days=365)
PRODUCT_ID = "-//Homefront//Family calendar//EN"


def trip_uid(trip: Trip) -> str:
    return f"trip-{trip.uid}@homefront"


def night_uid(household: Household, night: datetime | object) -> str:
    return f"night-{household.pk}-{night:%Y%m%d}@homefront"


def family_calendar(household: Household) -> bytes:
    now = timezone.now()
    trips = list(
        Trip.objects.in_household(household)
        .filter(ends_at__gte=now - HISTORY)
        .select_related("traveller", "household")
    )
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{household.name} — who is away")
    calendar.add("x-wr-timezone", household.time_zone)
    home = household.zone
    for trip in trips:
        event = Event()
        event.add("uid", trip_uid(trip))
        event.add("dtstamp", now)
        event.add("last-modified", trip.updated_at)
        event.add("created", trip.created_at)
        event.add("sequence", trip.sequence)
        where = f" — {trip.destination}" if trip.destination else ""
        event.add("summary", f"{trip.traveller.get_short_name()} away{where}")
        event.add("dtstart", trip.starts_at.astimezone(home))
        event.add("dtend", trip.ends_at.astimezone(home))
        if trip.destination:
            event.add("location", trip.destination)
        description = [f"{trip.get_kind_display()} trip, {trip.nights} nights away."]
        if trip.destination_zone != household.time_zone:
            description.append(f"Time zone there: {trip.destination_zone}.")
        if trip.notes:
            description.append(trip.notes)
        event.add("description", "\n".join(description))
        event.add("status", "CANCELLED" if trip.cancelled_at else "CONFIRMED")
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    active = [trip for trip in trips if not trip.cancelled_at]
    nights = sorted({night for trip in active for night in trip.nights_list})
    if nights:
        family = FamilyNights.load(household, nights[0], nights[-1])
        for plan in family.nights_between(nights[0], nights[-1]):
            event = Event()
            event.add("uid", night_uid(household, plan.night))
            event.add("dtstamp", now)
            if plan.uncovered:
                event.add("summary", "⚠ Nobody in charge tonight")
            else:
                event.add("summary", f"Night: {plan.adult_name} in charge")
            event.add("dtstart", plan.night)
            event.add("dtend", plan.night + timedelta(days=1))
            away = ", ".join(person.get_short_name() for person in plan.away)
            event.add("description", f"Away: {away}.")
            event.add("transp", "TRANSPARENT")
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
