"""Medicine doses due today during a trip: given, due now, coming, or missed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from homefront.households.models import Child
from homefront.households.models import Medicine
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.trips.models import Trip

GIVEN_WINDOW = timedelta(hours=3)
LATE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class Dose:
    child: Child
    medicine: Medicine
    due_at: datetime
    given: JournalEntry | None
    status: str  # given, due, coming, missed


def doses_today(trip: Trip, children: list[Child], now: datetime) -> list[Dose]:
    """Children come with their medicines prefetched; one query for the day's doses."""
    zone = trip.household.zone
    today = now.astimezone(zone).date()
    scheduled = [
        (child, medicine, datetime.combine(today, at, tzinfo=zone))
        for child in children
        for medicine in child.medicines.all()
        for at in medicine.time_list
    ]
    scheduled = [item for item in scheduled if trip.starts_at <= item[2] < trip.ends_at]
    if not scheduled:
        return []
    first = min(due for _, _, due in scheduled) - GIVEN_WINDOW
    last = max(due for _, _, due in scheduled) + GIVEN_WINDOW
    given = list(
        JournalEntry.objects.alive()
        .filter(trip=trip, kind=Kind.MEDICINE, occurred_at__range=(first, last))
        .prefetch_related("children")
    )
    doses = []
    for child, medicine, due in sorted(scheduled, key=lambda item: (item[2], item[0].name)):
        match = next(
            (
                entry
                for entry in given
                if entry.medicine_id == medicine.pk
                and abs(entry.occurred_at - due) <= GIVEN_WINDOW
                and any(c.pk == child.pk for c in entry.children.all())
            ),
            None,
        )
        if match is not None:
            status = "given"
        elif now > due + LATE_AFTER:
            status = "missed"
        elif now >= due - LATE_AFTER:
            status = "due"
        else:
            status = "coming"
        doses.append(Dose(child, medicine, due, match, status))
    return doses
