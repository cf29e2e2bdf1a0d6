"""SQL queries, status and time of each benchmarked page, measured in-process.

Each page twice: as served again (kept under its tag, core/conditional.py) and rendered
anew (as after a write). One request at a time, so the time is the page's own cost, free of the
contention between server, database and wrk on a two-core machine.

python -m bench.probe '{"facts": {...}, "pages": [[name, path], ...]}'
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

import django

TIMED = 15


class QueryCounter:
    """Counts the statements a request sends, whatever the debug settings."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def fresh(path: str, number: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}bench-render={number}"


def main(argument: str) -> None:
    django.setup()
    from django.db import connection
    from django.test import Client

    from homefront.accounts.models import User

    given = json.loads(argument)
    facts = given["facts"]
    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(User.objects.get(email=facts["email"]))
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {facts['api_token']}")
    found = {}
    for name, path in given["pages"]:
        client = api if path.startswith("/api/") else browser
        # The first request fills per-process caches and sets the CSRF cookie; the
        # second keeps the page under its tag.
        client.get(path)
        client.get(path)
        queries = QueryCounter()
        with connection.execute_wrapper(queries):
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name} ({path}) answered {response.status_code}")
        times = []
        for _ in range(TIMED):
            started = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - started)
        # Rendered anew each time: an address of its own (an unknown parameter) has no
        # kept page, as after every write (core/conditional.py).
        rendered_queries = QueryCounter()
        with connection.execute_wrapper(rendered_queries):
            client.get(fresh(path, 0))
        rendered = []
        for number in range(1, TIMED + 1):
            started = time.perf_counter()
            client.get(fresh(path, number))
            rendered.append(time.perf_counter() - started)
        found[name] = {
            "queries": queries.count,
            "queries_rendered": rendered_queries.count,
            "status": response.status_code,
            "in_process_ms": round(statistics.median(times) * 1000, 1),
            "rendered_ms": round(statistics.median(rendered) * 1000, 1),
        }
    print(json.dumps(found))


if __name__ == "__main__":
    main(sys.argv[1])
