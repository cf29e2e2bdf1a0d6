"""Webhook events that come with time rather than with a write: a trip starting and
ending, a night with nobody in charge, the first open of a shared brief, a medicine due
while a parent is away, and one not logged an hour after its time. The planner asks
here on each planning of a household with a webhook; each event has a key, so it is
sent once however often the household is planned."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.urls import reverse

from homefront.handoff.models import ShareLinkOpen
from homefront.households.models import Household
from homefront.households.models import Medicine
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.webhooks import Event
from homefront.notify.webhooks import announce
from homefront.notify.webhooks import webhooks_for
from homefront.trips.models import Trip

# An event is told this long after its moment at most: a worker stopped for a week does
# not flood Home Assistant with old news when it starts again.
FRESH = timedelta(hours=2)
MISSED_AFTER = timedelta(hours=1)
UNCOVERED_AHEAD = 14


def _trip(trip: Trip) -> dict[str, Any]:
    return {
        "id": trip.pk,
        "traveller": trip.traveller.get_short_name(),
        "destination": trip.destination,
        "starts_at": trip.starts_at.isoformat(),
        "ends_at": trip.ends_at.isoformat(),
        "path": reverse("trips:detail", args=[trip.pk]),
    }


def plan(
    household: Household, now: datetime, trips: list[Trip], channels: list[Channel], family: Any
) -> list[datetime]:
    """Announces what has come due; returns when something next will."""
    if not any(c.kind == ChannelKind.WEBHOOK for c in channels):
        return []
    wanted = {event for c in webhooks_for(household, None) for event in c.webhook.events}
    later = _trips_starting_and_ending(household, now, trips, wanted)
    today = now.astimezone(household.zone).date()
    if Event.NIGHT_UNCOVERED in wanted:
        _uncovered_nights(household, family, today)
    if Event.SHARE_LINK_OPENED in wanted:
        _share_opens(household, now)
    if wanted & {Event.MEDICINE_DUE, Event.MEDICINE_MISSED}:
        later += _medicines(household, now, trips, wanted, today)
    return later


def _trips_starting_and_ending(
    household: Household, now: datetime, trips: list[Trip], wanted: set[str]
) -> list[datetime]:
    later: list[datetime] = []
    for trip in trips:
        for event, moment in (
            (Event.TRIP_STARTED, trip.starts_at),
            (Event.TRIP_ENDED, trip.ends_at),
        ):
            if event not in wanted:
                continue
            if moment <= now < moment + FRESH:
                announce(household, event, str(trip.pk), {"trip": _trip(trip)})
            elif moment > now:
                later.append(moment)
    return later


def _uncovered_nights(household: Household, family: Any, today: date) -> None:
    for night in family.uncovered_between(today, today + timedelta(days=UNCOVERED_AHEAD)):
        announce(
            household,
            Event.NIGHT_UNCOVERED,
            night.night.isoformat(),
            {"night": night.night.isoformat(), "path": reverse("trips:calendar")},
        )


def _share_opens(household: Household, now: datetime) -> None:
    for first in (
        ShareLinkOpen.objects.filter(
            link__trip__household=household, opened_at__gte=now - timedelta(days=2)
        )
        .select_related("link")
        .order_by("link_id", "opened_at")
    ):
        announce(
            household,
            Event.SHARE_LINK_OPENED,
            str(first.link_id),
            {
                "link": first.link.label,
                "trip": first.link.trip_id,
                "opened_at": first.opened_at.isoformat(),
            },
        )


def _medicines(
    household: Household, now: datetime, trips: list[Trip], wanted: set[str], today: date
) -> list[datetime]:
    away = [t for t in trips if t.starts_at <= now + timedelta(days=1) and now - FRESH < t.ends_at]
    if not away:
        return []
    medicines = list(
        Medicine.objects.in_household(household).filter(as_needed=False).select_related("child")
    )
    given = {
        (entry.medicine_id, entry.occurred_at)
        for entry in JournalEntry.objects.alive().filter(
            trip__in=away, kind=Kind.MEDICINE, occurred_at__gte=now - timedelta(days=2)
        )
    }
    later = []
    for medicine in medicines:
        for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
            for at in medicine.time_list:
                moment = datetime.combine(day, at, tzinfo=household.zone)
                trip = next((t for t in away if t.starts_at <= moment < t.ends_at), None)
                if trip is None:
                    continue
                later += _one_dose(household, now, trip, medicine, moment, given, wanted)
    return later


def _one_dose(
    household: Household,
    now: datetime,
    trip: Trip,
    medicine: Medicine,
    moment: datetime,
    given: set[tuple[int | None, datetime]],
    wanted: set[str],
) -> list[datetime]:
    data = {
        "trip": trip.pk,
        "child": medicine.child.name,
        "medicine": medicine.name,
        "dose": medicine.dose,
        "at": moment.isoformat(),
        "path": reverse("journal:log", args=[trip.pk]),
    }
    key = f"{medicine.pk}:{moment.isoformat()}"
    later = []
    if Event.MEDICINE_DUE in wanted:
        if moment <= now < moment + FRESH:
            announce(household, Event.MEDICINE_DUE, key, data)
        elif moment > now:
            later.append(moment)
    if Event.MEDICINE_MISSED in wanted:
        check_at = moment + MISSED_AFTER
        logged = any(pk == medicine.pk and abs(at - moment) <= MISSED_AFTER for pk, at in given)
        if check_at <= now < check_at + FRESH and not logged:
            announce(household, Event.MEDICINE_MISSED, key, data)
        elif check_at > now:
            later.append(check_at)
    return later
