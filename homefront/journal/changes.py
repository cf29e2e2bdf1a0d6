"""Changing a logged entry: edit, delete and restore.

Each is a compare-and-set on the entry's version: the page sends the version it showed,
and the change lands only if the entry is still that version, in one transaction with
its history row. Two people acting on one entry at once (an edit racing a delete, two
edits) never overwrite each other silently: the one who comes second changes nothing
and is told what the entry is now.
"""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import F
from django.db.models import QuerySet
from django.utils import timezone

from homefront.households.models import Child
from homefront.journal.models import RESTORE_DAYS
from homefront.journal.models import EntryChange
from homefront.journal.models import JournalEntry


class Outcome(StrEnum):
    DONE = "done"
    UNCHANGED = "unchanged"  # already as asked: deleted twice, restored twice
    CONFLICT = "conflict"  # someone else changed it since the version the page showed
    TOO_LATE = "too late"  # deleted longer ago than it may be restored


def sent_version(data: Any) -> int | None:
    """The version a page's form sent; None when missing or not a number (an old page)."""
    text = str(data.get("version", "")).strip()
    return int(text) if text.isdecimal() and len(text) < 10 else None


def edit(
    entry: JournalEntry,
    version: int,
    *,
    occurred_at: datetime,
    children: list[Child],
    text: str,
    by: str,
) -> Outcome:
    """Corrects a live entry that is still at `version`."""
    if version is None:
        return _why_not(entry, deleted=True)
    before = entry.snapshot()
    with transaction.atomic():
        changed = _moved_on(
            JournalEntry.objects.alive(),
            entry,
            version,
            occurred_at=occurred_at,
            text=text,
            updated_at=timezone.now(),
        )
        if not changed:
            return Outcome.CONFLICT
        entry.refresh_from_db()
        entry.children.set(children)
        EntryChange.objects.create(
            entry=entry,
            action=EntryChange.Action.EDITED,
            by_name=by,
            before=before,
            after=entry.snapshot(),
        )
    return Outcome.DONE


def delete(entry: JournalEntry, version: int | None, *, by: str) -> Outcome:
    """Deletes a live entry that is still at `version`; restorable for RESTORE_DAYS."""
    if version is None:
        return _why_not(entry, deleted=True)
    before = entry.snapshot()
    with transaction.atomic():
        changed = _moved_on(JournalEntry.objects.alive(), entry, version, deleted_at=timezone.now())
        if not changed:
            return _why_not(entry, deleted=True)
        EntryChange.objects.create(
            entry=entry, action=EntryChange.Action.DELETED, by_name=by, before=before
        )
    entry.refresh_from_db()
    return Outcome.DONE


def restore(entry: JournalEntry, version: int | None, *, by: str) -> Outcome:
    """Brings back an entry deleted at `version` less than RESTORE_DAYS ago."""
    if version is None:
        return _why_not(entry, deleted=False)
    cutoff = timezone.now() - timedelta(days=RESTORE_DAYS)
    with transaction.atomic():
        changed = _moved_on(
            JournalEntry.objects.filter(deleted_at__gte=cutoff), entry, version, deleted_at=None
        )
        if not changed:
            outcome = _why_not(entry, deleted=False)
            if outcome is Outcome.CONFLICT and entry.deleted_at and entry.deleted_at < cutoff:
                return Outcome.TOO_LATE
            return outcome
        entry.refresh_from_db()
        EntryChange.objects.create(
            entry=entry, action=EntryChange.Action.RESTORED, by_name=by, after=entry.snapshot()
        )
    return Outcome.DONE


def _moved_on(
    entries: QuerySet[JournalEntry], entry: JournalEntry, version: int, **fields: Any
) -> int:
    """Sets `fields` and the next version on `entry` if it is among `entries` and still at
    `version`: how many rows changed, 1 or 0."""
    return entries.filter(pk=entry.pk, version=version).update(version=F("version") + 1, **fields)


def _why_not(entry: JournalEntry, *, deleted: bool) -> Outcome:
    """Why a compare-and-set changed nothing, from the entry as it is now: already in the
    state asked for (a form sent twice), or changed by someone else since."""
    entry.refresh_from_db()
    if (entry.deleted_at is not None) == deleted:
        return Outcome.UNCHANGED
    return Outcome.CONFLICT
