"""A worker's round: each household whose time has come is planned once, by one worker,
and its next planning booked."""

from __future__ import annotations

import contextlib
import logging
import threading
from datetime import datetime
from datetime import timedelta

from django.db import connection
from django.db import transaction
from django.utils import timezone

from homefront.households.models import Household
from homefront.notify.models import Schedule
from homefront.notify.plan.household import Planned
from homefront.notify.plan.household import plan_household

# A household whose planning a worker claimed on SQLite and never finished (the worker
# was killed) is planned again after this.
LEASE = timedelta(minutes=10)
CLAIM_AMONG = 20  # due households looked at per claim on SQLite, for workers to spread
RETRY_FAILED = timedelta(minutes=5)

logger = logging.getLogger("homefront.worker")


def plan_due(
    worker: str,
    now: datetime | None = None,
    stopping: threading.Event | None = None,
    limit: int | None = None,
) -> dict[int, int]:
    """Plans each household whose time has come, once, and books its next planning;
    returns how many messages each household planned got. Any number of workers may run
    it at once: each household is claimed by one, with `SELECT … FOR UPDATE SKIP LOCKED`
    on PostgreSQL (the others pass over it) and a conditional UPDATE on SQLite. A round
    with nothing due is one query. With a `limit`, at most that many households: the
    worker sends what is due between two batches of a burst."""
    now = now or timezone.now()
    claim = _claim_locked if connection.vendor == "postgresql" else _claim_leased
    made: dict[int, int] = {}
    while (stopping is None or not stopping.is_set()) and (limit is None or len(made) < limit):
        planned = claim(worker, now)
        if planned is None:
            break
        if planned:
            household_id, messages = planned
            made[household_id] = messages
    return made


def plan_all(now: datetime | None = None) -> int:
    """Plans every household that is due, as one worker's round does; the messages made."""
    return sum(plan_due("planner", now).values())


def _plan(household: Household, now: datetime) -> Planned:
    # On PostgreSQL a savepoint inside the claim's transaction; on SQLite no transaction
    # at all, which would hold every other writer back while the household is planned.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard:
            return plan_household(household, now)
    except Exception:  # one household's bad data must not hold back the others
        logger.exception("Planning household %s failed; trying again later.", household.pk)
        return Planned([], now + RETRY_FAILED)


def _claim_locked(worker: str, now: datetime) -> tuple[int, int] | None:
    """PostgreSQL: the household's schedule row stays locked while it is planned, so a
    write that makes it due again waits, then makes it due after this planning."""
    with transaction.atomic():
        schedule = (
            Schedule.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_plan_at__lte=now)
            .select_related("household")
            .order_by("next_plan_at")
            .first()
        )
        if schedule is None:
            return None
        planned = _plan(schedule.household, now)
        Schedule.objects.filter(pk=schedule.pk).update(next_plan_at=planned.next_at)
    return schedule.household_id, len(planned.messages)


def _claim_leased(worker: str, now: datetime) -> tuple[int, int] | tuple[()] | None:
    """SQLite, whose writers take turns: the claim moves the household's time a lease
    ahead in one conditional UPDATE, so no other worker takes it; a write meanwhile sets it
    back to now, and then this planning's booking gives way to it."""
    due = list(
        Schedule.objects.filter(next_plan_at__lte=now)
        .order_by("next_plan_at")
        .values_list("household_id", "next_plan_at")[:CLAIM_AMONG]
    )
    if not due:
        return None
    lease = now + LEASE
    for household_id, was in due:
        if Schedule.objects.filter(household_id=household_id, next_plan_at=was).update(
            next_plan_at=lease, claimed_by=worker
        ):
            break
    else:
        return ()  # all taken by other workers: look again
    planned = _plan(Household.objects.get(pk=household_id), now)
    Schedule.objects.filter(
        household_id=household_id, next_plan_at=lease, claimed_by=worker
    ).update(next_plan_at=planned.next_at, claimed_by="")
    return household_id, len(planned.messages)
