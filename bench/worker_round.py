"""A background worker's round against a seeded database, in-process, as `homefront worker`
runs it (`one_round`: plan what is due, send what is due, run queued tasks).

    python -m bench.worker_round   (with the settings of the database to measure)

Prints one JSON line: the households with a channel; the catch-up round (whatever came
due since the last run, e.g. a midnight somewhere); a round with nothing due (median of
five, and its queries); and a round with 1 % of the households due (every hundredth made
due, as writes to their trips would), with its queries. Messages go to Django's
in-memory mail backend: the round's cost is measured, not a mail server's.
"""

from __future__ import annotations

import json
import statistics
import time
from typing import Any

import django


def timed_round(worker: str) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from homefront.core.management.commands.worker import one_round

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        one_round(worker)
        seconds = time.perf_counter() - started
    return seconds, len(queries)


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from homefront.core.management.commands.worker import one_round
    from homefront.notify.models import Schedule

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    worker = "bench"
    result: dict[str, Any] = {"households": Schedule.objects.count()}

    started = time.perf_counter()
    due = Schedule.objects.filter(next_plan_at__lte=timezone.now()).count()
    while one_round(worker):  # rounds follow at once while a burst lasts, as in the worker
        pass
    result["catch_up"] = {"due": due, "seconds": round(time.perf_counter() - started, 3)}

    idle = [timed_round(worker) for _ in range(5)]
    result["nothing_due"] = {
        "seconds": round(statistics.median(s for s, _ in idle), 4),
        "queries": max(q for _, q in idle),
    }

    ids = list(Schedule.objects.order_by("household_id").values_list("household_id", flat=True))
    some = ids[::100]
    Schedule.objects.filter(household_id__in=some).update(next_plan_at=timezone.now())
    seconds, queries = timed_round(worker)
    result["one_percent_due"] = {
        "due": len(some),
        "seconds": round(seconds, 3),
        "queries": queries,
        "left_due": Schedule.objects.filter(next_plan_at__lte=timezone.now()).count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
