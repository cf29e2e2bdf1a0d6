"""Journal entries made for tests: `log` writes one as the quick log stores it, `logged`
sends one through the journal's own `store` (so notifications and webhooks hear of it),
`unsaved` makes one in memory for a bulk insert, and `lost_tooth` is the note the API's
and the isolation tests' households carry."""

from __future__ import annotations

import uuid
from datetime import datetime
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any

from homefront.accounts.models import User
from homefront.journal.entries import Author
from homefront.journal.entries import Outcome
from homefront.journal.entries import store
from homefront.journal.models import EntryChange
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.trips.models import Trip

if TYPE_CHECKING:
    from homefront.conftest import Family
    from homefront.households.models import Child


def log(
    trip: Trip, at: datetime, kind: str = Kind.BATH, *, by: User, **fields: Any
) -> JournalEntry:
    """An entry as the quick log stores it, with its "created" change; about every child
    of the household unless `children` says which."""
    children = fields.pop("children", None) or list(trip.household.children.all())
    entry = unsaved(trip, kind, at, author=by, content_hash="test", **fields)
    entry.save()
    entry.children.set(children)
    EntryChange.objects.create(
        entry=entry, action=EntryChange.Action.CREATED, by_name=str(by), after=entry.snapshot()
    )
    return entry


def lost_tooth(family: Family, trip: Trip) -> JournalEntry:
    """Pat's note about the child, two hours into the trip: "Lost a tooth at lunch"."""
    at = trip.starts_at + timedelta(hours=2)
    text = "Lost a tooth at lunch"
    return log(trip, at, Kind.NOTE, by=family.parent, text=text, children=[family.child])


def logged(trip: Trip, by: User, kind: str, child: Child, at: datetime, **sent: Any) -> Outcome:
    """An entry about `child` sent as the phone's quick log sends it, and its outcome."""
    entry = {
        "uuid": str(uuid.uuid4()),
        "kind": kind,
        "children": [child.pk],
        "occurred_at": at.isoformat(),
        **sent,
    }
    [outcome] = store(trip, Author(user=by), [entry])
    return outcome


def unsaved(trip: Trip, kind: str, at: datetime, **fields: Any) -> JournalEntry:
    """An entry made in memory, for the journals of thousands that `bulk_create` stores at
    once (without their history; the test gives each its children)."""
    return JournalEntry(
        uuid=uuid.uuid4(),
        trip=trip,
        household_id=trip.household_id,
        kind=kind,
        occurred_at=at,
        **{"content_hash": "bulk", **fields},
    )
