"""Photos go when what they belong to goes.

- A deleted journal entry can be restored for RESTORE_DAYS; its photos stay hidden with
  it meanwhile and are removed for good once that window has passed (the worker calls
  `purge_deleted_entries_photos` about once an hour).
- A child deleted from the profile takes the photos that show only them; a photo that
  also shows a brother or sister stays, without them.
- A trip or a household deleted takes its photos with it (the foreign keys cascade).
"""

from __future__ import annotations

import time
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from homefront.households.models import Child
from homefront.households.versions import bump
from homefront.journal.models import RESTORE_DAYS
from homefront.photos.models import Photo

PURGE_EVERY_SECONDS = 3600
_last_purge = 0.0


def purge_deleted_entries_photos(now: datetime | None = None) -> int:
    """Removes the photos of entries deleted longer ago than they may be restored."""
    cutoff = (now or timezone.now()) - timedelta(days=RESTORE_DAYS)
    with transaction.atomic():
        gone = Photo.objects.filter(entry__deleted_at__lt=cutoff)
        households = set(gone.values_list("household_id", flat=True))
        if not households:
            return 0
        count = gone.count()
        gone.delete()
        bump(*households)
    return count


def purge_now_and_then() -> int:
    """For the worker's rounds: the purge at most once an hour per process."""
    global _last_purge
    if time.monotonic() - _last_purge < PURGE_EVERY_SECONDS and _last_purge:
        return 0
    _last_purge = time.monotonic()
    return purge_deleted_entries_photos()


def photos_of_only(child: Child) -> Any:
    # Counted before the filter: a filter on children first would count only this child.
    return Photo.objects.annotate(shown=Count("children")).filter(shown=1, children=child)


def remove_photos_of_only_this_child(sender: type[Child], instance: Child, **kwargs: Any) -> None:
    """pre_delete of a child: its own photos go in the same transaction as the child."""
    Photo.objects.filter(
        pk__in=list(photos_of_only(instance).values_list("pk", flat=True))
    ).delete()
