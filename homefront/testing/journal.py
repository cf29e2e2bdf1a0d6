"""Journal entries made for tests as the quick log stores them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from homefront.accounts.models import User
from homefront.journal.models import EntryChange, JournalEntry, Kind
from homefront.trips.models import Trip


def log(
    trip: Trip, at: datetime, kind: str = Kind.BATH, *, by: User, **fields: Any
) -> JournalEntry:
    """An entry as the quick log stores it, with its "created" change; about every child
    of the household unless `children` says which."""
    children = fields.pop("children", None) or list(trip.household.children.all())
    entry = JournalEntry.objects.create(
        uuid=uuid.uuid4(),
        trip=trip,
        kind=kind,
        occurred_at=at,
        author=by,
        content_hash="test",
        **fields,
    )
    entry.children.set(children)
    EntryChange.objects.create(
        entry=entry, action=EntryChange.Action.CREATED, by_name=str(by), after=entry.snapshot()
    )
    return entry
