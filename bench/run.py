"""`make bench`: seed, serve with the production server, drive each main page with wrk.

Writes bench/results.json and prints one table per scale. docs/benchmarks.md
explains the method and how to read the numbers.

    python -m bench.run [--scales family,hosted] [--duration 10] [--reseed]
                        [--households N --entries N] [--servers]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
HERE = PROJECT / "bench"
DATA = HERE / "data"
RESULTS = HERE / "results.json"
SEED_VERSION = 6  # 6: hosted households have email channels, planned once
DEFAULT_HOSTED_URL = "postgres://postgres@127.0.0.1:5432/homefront_bench"
DEFAULT_HOSTED_CACHE_URL = "redis://127.0.0.1:6379/9"

PAGES = [
    ("home", "/"),
    ("calendar", "/calendar/"),
    ("trip", "/trips/{current_trip}/"),
    ("brief", "/trips/{current_trip}/brief/"),
    ("journal timeline", "/trips/{current_trip}/journal/"),
    ("quick log", "/trips/{current_trip}/journal/log/"),
    ("debrief", "/trips/{longest_past_trip}/debrief/"),
    ("insights", "/insights/"),
    ("API list", "/api/v1/journal-entries"),
]
FLOOR = "/bench/floor"
# The timeline's poll, as its page asks it every 10 s (journal/timeline.html).
POLL = "/trips/{current_trip}/journal/?zone=away&part=latest"
# Goals (issue 19): each page's req/s over the floor's, read-only and with a caregiver
# logging every 2 s; an unchanged poll's.
GOAL_READ_ONLY = 0.25
GOAL_MIXED = 0.15
GOAL_POLL = 0.5
# A hosted page's time, one request at a time in process, over the family scale's.
HOSTED_OVER_FAMILY_GOAL = 1.2
WRITE_EVERY_S = 2.0


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Scale:
    name: str
    data_dir: Path
    database_url: str | None = None
    cache_url: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HOMEFRONT_", "DJANGO_"))}
        env.pop("DATABASE_URL", None)
        env.update(
            DJANGO_SETTINGS_MODULE="bench.settings",
            HOMEFRONT_DATA_DIR=str(self.data_dir),
            HOMEFRONT_LOG_LEVEL="WARNING",
            PYTHONPATH=str(PROJECT),
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        if self.cache_url:
            env["HOMEFRONT_CACHE_URL"] = self.cache_url
        return env

    def run_module(self, module: str, *args: str) -> str:
        """`python -m module args` against this scale's database; its output."""
        done = subprocess.run(
            [sys.executable, "-m", module, *args],
            env=self.environment(),
            cwd=PROJECT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"{module} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def homefront(self, *args: str) -> str:
        return self.run_module("homefront.cli", *args)


# Seeding ---------------------------------------------------------------------


def seeded(scale: Scale, reseed: bool, sizes: list[str]) -> dict[str, Any]:
    """The scale's database, seeded today with this seed version, or seeded afresh."""
    marker = scale.data_dir / "seeded.json"
    wanted = {"version": SEED_VERSION, "day": datetime.now(UTC).date().isoformat(), "sizes": sizes}
    if marker.exists() and not reseed:
        facts = json.loads(marker.read_text())
        if facts.get("wanted") == wanted:
            say(f"[{scale.name}] reusing the database seeded earlier today, migrated")
            scale.homefront("setup", "--no-demo")  # the code may have new migrations since
            return facts
    if scale.data_dir.exists():
        shutil.rmtree(scale.data_dir)
    scale.data_dir.mkdir(parents=True)
    if scale.database_url:
        recreate_postgresql_database(scale.database_url)
    say(f"[{scale.name}] migrating")
    scale.homefront("setup", "--no-demo")
    say(f"[{scale.name}] seeding")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bench.seed", scale.name, *sizes],
        env=scale.environment(),
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"seeding {scale.name} failed")
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    facts["seconds"] = round(time.perf_counter() - started, 1)
    facts["wanted"] = wanted
    marker.write_text(json.dumps(facts, indent=2))
    say(
        f"[{scale.name}] seeded {facts['households']:,} households, "
        f"{facts['entries']:,} entries in {facts['seconds']} s"
    )
    return facts


def recreate_postgresql_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name) or name in {"postgres", "test"}:
        raise SystemExit(f"refusing to recreate the database {name!r}")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")


# Serving ---------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """A server process for one scale, started as `homefront serve` starts it."""

    def __init__(self, scale: Scale, command: list[str] | None = None, label: str = "serve"):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        bind = f"127.0.0.1:{self.port}"
        self.command = [
            part.replace("{bind}", bind).replace("{port}", str(self.port))
            for part in command
            or [sys.executable, "-m", "homefront.cli", "serve", "--no-worker", "--bind", "{bind}"]
        ]
        self.log = (scale.data_dir / f"server-{label}.log").open("w")
        self.process = subprocess.Popen(
            self.command,
            env=scale.environment(),
            cwd=PROJECT,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped at start: see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("the server did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


class Session:
    """A parent signed in through the real login form."""

    def __init__(self, base: str, email: str, password: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.opener.open(base + "/account/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "the login page has no CSRF token"
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "username": email, "password": password}
        ).encode()
        self.opener.open(base + "/account/login/", form)
        if "sessionid" not in self.cookies():
            raise SystemExit("could not sign in to the benchmark household")

    def cookies(self) -> dict[str, str]:
        return {cookie.name: cookie.value for cookie in self.jar}

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies().items())

    def timed(self, method: str, path: str, body: bytes | None = None) -> tuple[float, bytes]:
        request = urllib.request.Request(self.base + path, data=body, method=method)  # noqa: S310
        if body is not None:
            request.add_header("Content-Type", "application/json")
            request.add_header("X-CSRFToken", self.cookies()["csrftoken"])
        started = time.perf_counter()
        with self.opener.open(request, timeout=120) as answer:
            content = answer.read()
        return time.perf_counter() - started, content


# Measuring -------------------------------------------------------------------


def wrk(url: str, headers: list[str], seconds: float, connections: int = 4) -> dict[str, Any]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s"]
    command += ["-s", str(HERE / "report.lua")]
    for header in headers:
        command += ["-H", header]
    done = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=seconds + 60
    )
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    duration = summary["duration_us"] / 1e6
    return {
        "rps": round(summary["requests"] / duration, 1),
        "p50_ms": round(summary["p50_us"] / 1000, 1),
        "p99_ms": round(summary["p99_us"] / 1000, 1),
        "requests": summary["requests"],
        "bytes": round(summary["bytes"] / max(summary["requests"], 1)),
        "errors": summary["status_errors"] + summary["socket_errors"],
    }


def load(url: str, headers: list[str], duration: float) -> dict[str, Any]:
    wrk(url, headers, 2)  # warm-up: caches filled, connections open
    return wrk(url, headers, duration)


def probe(scale: Scale, pages: list[tuple[str, str]]) -> dict[str, Any]:
    """SQL queries and status of each page, counted in-process by Django."""
    out = scale.run_module("bench.probe", json.dumps({"facts": scale.facts, "pages": pages}))
    return json.loads(out.strip().splitlines()[-1])


def worker_round(scale: Scale) -> dict[str, Any]:
    """The background worker's round, in-process, with nothing due and with 1 % due."""
    output = scale.run_module("bench.worker_round")
    return dict(json.loads(output.strip().splitlines()[-1]))


def measure_scale(scale: Scale, duration: float) -> dict[str, Any]:
    facts = scale.facts
    pages = [(name, path.format(**facts)) for name, path in PAGES]
    counts = probe(scale, pages)
    server = Server(scale)
    try:
        session = Session(server.base, facts["email"], facts["password"])
        headers = [f"Cookie: {session.cookie_header()}"]
        api_headers = [f"Authorization: Bearer {facts['api_token']}"]
        floors = [load(server.base + FLOOR, [], duration)]
        # The same trivial view for a signed-in parent: the session, the user and
        # the household every page of theirs loads before it does anything else.
        signed_in = [load(server.base + FLOOR, headers, duration)]
        say(f"[{scale.name}] floor {floors[0]['rps']} req/s, signed in {signed_in[0]['rps']}")
        rows = []
        for name, path in pages:
            result = load(
                server.base + path, api_headers if path.startswith("/api/") else headers, duration
            )
            result.update(page=name, path=path, **counts[name])
            rows.append(result)
            say(f"[{scale.name}] {name}: {result['rps']} req/s, {result['queries']} queries")
        poll = unchanged_poll(server, session, POLL.format(**facts), duration)
        say(f"[{scale.name}] unchanged poll: {poll['rps']} req/s")
        floors.append(load(server.base + FLOOR, [], duration))
        signed_in.append(load(server.base + FLOOR, headers, duration))
        # The same pages while a caregiver logs an entry every 2 s.
        writer = Writer(server.base, facts)
        writer.start()
        try:
            for row in rows:
                path = row["path"]
                mixed = load(
                    server.base + path,
                    api_headers if path.startswith("/api/") else headers,
                    duration,
                )
                row["mixed"] = mixed
                say(f"[{scale.name}] {row['page']} with writes: {mixed['rps']} req/s")
        finally:
            writes = writer.stop()
        floors.append(load(server.base + FLOOR, [], duration))
        floor = statistics.mean(f["rps"] for f in floors)
        signed_in_floor = statistics.mean(f["rps"] for f in signed_in)
        for row in rows:
            row["ratio"] = round(row["rps"] / floor, 3)
            row["ratio_signed_in"] = round(row["rps"] / signed_in_floor, 3)
            row["mixed_ratio"] = round(row["mixed"]["rps"] / floor, 3)
            row["goals_met"] = row["ratio"] >= GOAL_READ_ONLY and row["mixed_ratio"] >= GOAL_MIXED
        poll["ratio"] = round(poll["rps"] / floor, 3)
        poll["goal_met"] = poll["ratio"] >= GOAL_POLL
        pdf_path = f"/trips/{facts['current_trip']}/brief.pdf"
        pdf = [session.timed("GET", pdf_path) for _ in range(4)]
        assert pdf[-1][1].startswith(b"%PDF"), "the brief is not a PDF"
        # Made anew, as after a write: an address of its own has no kept PDF.
        pdf_made = [session.timed("GET", f"{pdf_path}?bench-render={n}")[0] for n in range(3)]
        sync_times = [sync_batch(session, facts) for _ in range(3)]
    finally:
        server.stop()
    # Only the hosted scale's households have channels: the family's round plans nothing.
    worker = worker_round(scale) if scale.name == "hosted" else None
    return {
        "worker_round": worker,
        "floor": {
            "before": floors[0],
            "after": floors[1],
            "after_mixed": floors[2],
            "mean_rps": round(floor, 1),
        },
        "unchanged_poll": poll,
        "writes_during_mixed": writes,
        "signed_in_floor": {
            "before": signed_in[0],
            "after": signed_in[1],
            "mean_rps": round(signed_in_floor, 1),
            # What being signed in costs before a page does anything: the session, the
            # user and the household (docs/deploy.md; goal: at least 0.6).
            "ratio": round(signed_in_floor / floor, 3),
        },
        "pages": rows,
        "brief_pdf_14_nights_s": round(statistics.median(t for t, _ in pdf[1:]), 3),
        "brief_pdf_14_nights_made_s": round(statistics.median(pdf_made), 3),
        "brief_pdf_bytes": len(pdf[-1][1]),
        "sync_500_entries_s": round(statistics.median(sync_times), 3),
        "seed": {k: facts[k] for k in ("households", "entries", "seconds", "database")},
    }


def sync_batch(session: Session, facts: dict[str, Any]) -> float:
    """500 new entries from a phone that was offline, sent in one batch."""
    now = datetime.now(UTC)
    entries = [
        {
            "uuid": str(uuid.uuid4()),
            "kind": "meal",
            "children": facts["children"],
            "occurred_at": (now - timedelta(minutes=5 + n)).isoformat(),
            "details": {"what": "pasta", "amount": "most"},
            "text": "",
        }
        for n in range(500)
    ]
    body = json.dumps({"entries": entries}).encode()
    seconds, content = session.timed("POST", f"/trips/{facts['current_trip']}/journal/sync/", body)
    stored = [r for r in json.loads(content)["results"] if r["status"] == "stored"]
    assert len(stored) == 500, f"the batch stored {len(stored)} of 500"
    return seconds


class Writer(threading.Thread):
    """A caregiver's phone logging one entry every 2 s, each sent as its own batch of
    one through the API (a token of the household), while the pages are loaded: every
    write moves the household's data version, so every kept page is rendered again."""

    def __init__(self, base: str, facts: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.url = f"{base}/api/v1/trips/{facts['current_trip']}/journal/sync"
        self.token = facts["api_token"]
        self.children = facts["children"]
        self.halt = threading.Event()
        self.times: list[float] = []
        self.failures = 0

    def run(self) -> None:
        while not self.halt.wait(WRITE_EVERY_S):
            entry = {
                "uuid": str(uuid.uuid4()),
                "kind": "bath",
                "children": self.children,
                "occurred_at": datetime.now(UTC).isoformat(),
            }
            request = urllib.request.Request(  # noqa: S310
                self.url, data=json.dumps({"entries": [entry]}).encode(), method="POST"
            )
            request.add_header("Content-Type", "application/json")
            request.add_header("Authorization", f"Bearer {self.token}")
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                    answer.read()
                self.times.append(time.perf_counter() - started)
            except OSError:
                self.failures += 1

    def stop(self) -> dict[str, Any]:
        self.halt.set()
        self.join(timeout=60)
        return {
            "writes": len(self.times),
            "failures": self.failures,
            "median_ms": round(statistics.median(self.times) * 1000, 1) if self.times else None,
        }


def unchanged_poll(server: Server, session: Session, path: str, duration: float) -> dict[str, Any]:
    """The timeline's poll asking with the tag of its last answer: a 304 each time while
    nothing is logged (core/conditional.py)."""
    request = urllib.request.Request(server.base + path)  # noqa: S310
    request.add_header("HX-Request", "true")
    with session.opener.open(request, timeout=30) as answer:
        tag = answer.headers["ETag"]
    assert tag, "the poll's answer has no ETag"
    headers = [f"Cookie: {session.cookie_header()}", "HX-Request: true", f"If-None-Match: {tag}"]
    return load(server.base + path, headers, duration)


# Choosing a server -----------------------------------------------------------


SERVER_CHOICES = {
    "gunicorn sync (2 workers)": None,  # `homefront serve` itself
    "gunicorn gthread (2 workers x 4 threads)": [
        "gunicorn",
        "-w",
        "2",
        "-k",
        "gthread",
        "--threads",
        "4",
        "-b",
        "{bind}",
        "--access-logfile",
        "-",
        "homefront.wsgi:application",
    ],
    "granian wsgi (2 workers x 4 threads)": [
        "granian",
        "--interface",
        "wsgi",
        "--workers",
        "2",
        "--blocking-threads",
        "4",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--access-log",
        "homefront.wsgi:application",
    ],
}


def compare_servers(scale: Scale, duration: float, rounds: int = 2) -> list[dict[str, Any]]:
    """Each server in turn, `rounds` times over, so the machine's drift falls on all
    of them alike; the median of the rounds is reported."""
    facts = scale.facts
    paths = [
        ("floor", FLOOR, False),
        ("signed-in floor", FLOOR, True),
        ("home", "/", True),
        ("journal timeline", PAGES[4][1].format(**facts), True),
    ]
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for _round in range(rounds):
        for label, command in SERVER_CHOICES.items():
            if command and shutil.which(command[0]) is None:
                raise SystemExit(f"{command[0]} is not installed: uv sync")
            server = Server(scale, command, label=label.split(" (")[0].replace(" ", "-"))
            try:
                session = Session(server.base, facts["email"], facts["password"])
                headers = [f"Cookie: {session.cookie_header()}"]
                for name, path, signed_in in paths:
                    result = load(server.base + path, headers if signed_in else [], duration)
                    runs.setdefault((label, name), []).append(result)
                    say(f"[servers] {label} {name}: {result['rps']} req/s")
            finally:
                server.stop()
    results = []
    for (label, name), found in runs.items():
        results.append(
            {
                "server": label,
                "page": name,
                "rps": statistics.median(r["rps"] for r in found),
                "p99_ms": statistics.median(r["p99_ms"] for r in found),
                "rounds": [r["rps"] for r in found],
            }
        )
    print("\nWSGI servers (median of rounds, req/s; p99 ms):")
    for row in results:
        print(f"  {row['server']:<42}{row['page']:<18}{row['rps']:>9}{row['p99_ms']:>9}")
    return results


# Reporting -------------------------------------------------------------------


def table(scale: str, result: dict[str, Any]) -> str:
    seed = result["seed"]
    lines = [
        f"\n{scale} scale: {seed['households']:,} households, {seed['entries']:,} journal "
        f"entries on {seed['database']} (seeded in {seed['seconds']} s)",
        f"floor: {result['floor']['before']['rps']} req/s before, "
        f"{result['floor']['after']['rps']} after; signed in: "
        f"{result['signed_in_floor']['before']['rps']} before, "
        f"{result['signed_in_floor']['after']['rps']} after; "
        f"signed-in floor / floor: {result['signed_in_floor']['ratio']} (goal >= 0.6)",
        f"{'page':<18}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}{'signed-in':>11}"
        f"{'mixed':>8}{'m.ratio':>9}{'m.p99':>8}{'goals':>7}"
        f"{'queries':>9}{'rendered':>10}{'1-by-1 ms':>11}{'render ms':>11}{'bytes':>9}"
        f"{'errors':>8}",
    ]
    for row in result["pages"]:
        mixed = row["mixed"]
        lines.append(
            f"{row['page']:<18}{row['rps']:>9}{row['p50_ms']:>9}{row['p99_ms']:>9}"
            f"{row['ratio']:>8}{row['ratio_signed_in']:>11}"
            f"{mixed['rps']:>8}{row['mixed_ratio']:>9}{mixed['p99_ms']:>8}"
            f"{'met' if row['goals_met'] else 'NOT':>7}"
            f"{row['queries']:>9}{row['queries_rendered']:>10}"
            f"{row['in_process_ms']:>11}{row['rendered_ms']:>11}{row['bytes']:>9}"
            f"{row['errors'] + mixed['errors']:>8}"
        )
    poll = result["unchanged_poll"]
    lines.append(
        f"unchanged poll (timeline, If-None-Match): {poll['rps']} req/s, ratio {poll['ratio']} "
        f"(goal >= {GOAL_POLL}: {'met' if poll['goal_met'] else 'NOT met'}), "
        f"p99 {poll['p99_ms']} ms"
    )
    writes = result["writes_during_mixed"]
    lines.append(
        f"goals: ratio >= {GOAL_READ_ONLY} read-only, >= {GOAL_MIXED} with a caregiver's entry "
        f"every {WRITE_EVERY_S:g} s ({writes['writes']} entries logged, median "
        f"{writes['median_ms']} ms, {writes['failures']} failed)"
    )
    lines.append(
        f"brief PDF, 14 nights: {result['brief_pdf_14_nights_s']} s kept, "
        f"{result['brief_pdf_14_nights_made_s']} s made anew (goal <= 0.7 s)"
    )
    lines.append(f"sync of 500 offline entries: {result['sync_500_entries_s']} s")
    if worker := result.get("worker_round"):
        idle, some = worker["nothing_due"], worker["one_percent_due"]
        lines.append(
            f"worker round, {worker['households']:,} households with channels: "
            f"{idle['seconds']} s and {idle['queries']} queries with nothing due (target "
            f"<= 1 s); {some['seconds']} s and {some['queries']} queries with "
            f"{some['due']:,} due (1 %); catching up {worker['catch_up']['due']:,} due "
            f"since seeding took {worker['catch_up']['seconds']} s"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="family,hosted")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--households", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=5_000_000)
    parser.add_argument("--servers", action="store_true", help="also compare WSGI servers")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    started = time.perf_counter()
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "method": f"wrk -t1 -c4 -d{options.duration:g}s after a 2 s warm-up; "
        "ratio = page req/s / mean of the floor before and after",
        "scales": {},
    }
    scales = {
        "family": Scale("family", DATA / "family"),
        "hosted": Scale(
            "hosted",
            DATA / "hosted",
            os.environ.get("HOMEFRONT_BENCH_DATABASE_URL", DEFAULT_HOSTED_URL),
            # A hosted service shares its cache (sessions, members, throttles) in Redis.
            os.environ.get("HOMEFRONT_BENCH_CACHE_URL", DEFAULT_HOSTED_CACHE_URL),
        ),
    }
    for name in options.scales.split(","):
        scale = scales[name]
        sizes = [str(options.households), str(options.entries)] if name == "hosted" else []
        scale.facts = seeded(scale, options.reseed, sizes)
        from bench.seed import BENCH_PASSWORD

        scale.facts["password"] = BENCH_PASSWORD
        results["scales"][name] = measure_scale(scale, options.duration)
        print(table(name, results["scales"][name]), flush=True)
    if "family" in results["scales"] and "hosted" in results["scales"]:
        # Timed one request at a time in-process: under wrk the PostgreSQL
        # server competes with the app for the same two cores, which says
        # nothing about the size of the data.
        family = {r["page"]: r for r in results["scales"]["family"]["pages"]}
        print(
            "\nhosted / family time per request, in-process median "
            f"(goal <= {HOSTED_OVER_FAMILY_GOAL}, issue 19):"
        )
        for row in results["scales"]["hosted"]["pages"]:
            slower = round(row["in_process_ms"] / family[row["page"]]["in_process_ms"], 2)
            row["hosted_over_family"] = slower
            met = "met" if slower <= HOSTED_OVER_FAMILY_GOAL else "NOT met"
            print(f"  {row['page']:<18}{slower:>6}  {met}")
    if options.servers:
        results["servers"] = compare_servers(scales["family"], options.duration)
    results["seconds"] = round(time.perf_counter() - started)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"\n{RESULTS.relative_to(PROJECT)} written; {results['seconds']} s in all")


if __name__ == "__main__":
    main()
