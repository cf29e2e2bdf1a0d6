"""Databases to measure Homefront against.

Family scale: the demo household (the Levins) with five years of trips and
~150,000 journal entries. Hosted scale: that same household among 10,000 others,
~5,000,000 entries in all. The big tables go in as raw rows (COPY on
PostgreSQL, executemany on SQLite); everything a page reads through a model
rule (trips, prep plans, covers) is made by the app's own code.

    python -m bench.seed family|hosted   (with the settings of the database to fill)
"""

from __future__ import annotations

import io
import json
import random
import sys
import time
import uuid
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time as clock
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import django

BENCH_PASSWORD = "bench-only-password-7361"  # noqa: S105 - a throwaway database on 127.0.0.1
FAMILY_ENTRIES = 150_000
FAMILY_TRIPS = 60
HOSTED_HOUSEHOLDS = 10_000
HOSTED_ENTRIES = 5_000_000
YEARS = 5
UTC = ZoneInfo("UTC")

# How often each kind is logged, roughly as a family logs.
KIND_WEIGHTS = {
    "meal": 30,
    "asleep": 14,
    "woke": 10,
    "nap": 8,
    "mood": 8,
    "note": 8,
    "medicine": 5,
    "bath": 4,
    "call": 4,
    "new_food": 3,
    "missed_parent": 3,
    "incident": 1,
    "comfort_used": 2,
}
DETAILS = {
    "meal": [
        {"what": w, "amount": a} for w in ("pasta", "oatmeal", "rice") for a in ("all", "some")
    ],
    "new_food": [{"food": "raw currants", "liked": "yes"}, {"food": "kiwi", "liked": "no"}],
    "mood": [{"mood": "happy"}, {"mood": "grumpy"}, {"mood": "ok"}],
    "woke": [{"when": "night"}, {"when": "morning"}],
    "nap": [{"until": "15:00"}],
    "call": [{"minutes": "10"}],
    "incident": [{"severity": "minor"}],
}
TEXTS = ["", "", "", "All fine.", "Asked for mum at bedtime.", "Playground all morning."]


def now() -> datetime:
    return datetime.now(UTC)


def sql_time(moment: datetime) -> str:
    """A timestamp as Django stores it: UTC, no zone suffix (SQLite compares text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class RowSink:
    """Rows for one table, written in bulk: COPY on PostgreSQL, executemany on SQLite.

    Values must already be in database form (str, int, None); text must hold no
    tab, newline or backslash, which the generators guarantee.
    """

    def __init__(self, model: Any, columns: Sequence[str], batch: int = 20_000) -> None:
        from django.db import connection

        known = {field.column for field in model._meta.concrete_fields}
        if set(columns) != known:
            raise SystemExit(f"{model.__name__}: seed columns {sorted(columns)} != {sorted(known)}")
        self.connection = connection
        self.table = model._meta.db_table
        self.columns = columns
        self.batch = batch
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        names = ", ".join(self.columns)
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                buffer = io.StringIO()
                for row in self.rows:
                    buffer.write("\t".join(r"\N" if v is None else str(v) for v in row))
                    buffer.write("\n")
                with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
            else:
                marks = ", ".join("?" * len(self.columns))
                cursor.cursor.executemany(
                    f"INSERT INTO {self.table} ({names}) VALUES ({marks})",  # noqa: S608
                    self.rows,
                )
        self.count += len(self.rows)
        self.rows = []


def next_id(model: Any) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences(models: Iterable[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@dataclass
class EntryWriter:
    """Journal entries with their children and their "logged" history line."""

    rng: random.Random
    entries: RowSink
    links: RowSink
    changes: RowSink
    entry_id: int
    link_id: int
    change_id: int

    @classmethod
    def open(cls, rng: random.Random) -> EntryWriter:
        from homefront.journal.models import EntryChange
        from homefront.journal.models import JournalEntry

        through = JournalEntry.children.through
        return cls(
            rng=rng,
            entries=RowSink(
                JournalEntry,
                [
                    "id",
                    "uuid",
                    "trip_id",
                    "household_id",
                    "kind",
                    "occurred_at",
                    "details",
                    "text",
                    "medicine_id",
                    "comfort_task_id",
                    "author_id",
                    "share_link_id",
                    "content_hash",
                    "version",
                    "created_at",
                    "updated_at",
                    "deleted_at",
                ],
            ),
            links=RowSink(through, ["id", "journalentry_id", "child_id"]),
            changes=RowSink(
                EntryChange, ["id", "entry_id", "action", "by_name", "at", "before", "after"]
            ),
            entry_id=next_id(JournalEntry),
            link_id=next_id(through),
            change_id=next_id(EntryChange),
        )

    def write_trip(
        self,
        trip_id: int,
        household_id: int,
        start: datetime,
        end: datetime,
        count: int,
        children: Sequence[int],
        authors: Sequence[tuple[int, str]],
        medicines: Sequence[tuple[int, int]],
    ) -> None:
        rng = self.rng
        kinds = list(KIND_WEIGHTS)
        weights = list(KIND_WEIGHTS.values())
        span = max((end - start).total_seconds(), 60)
        chosen = rng.choices(kinds, weights, k=count)
        for kind in chosen:
            occurred = start + timedelta(seconds=rng.random() * span)
            stamp = sql_time(occurred)
            author_id, author_name = rng.choice(authors)
            medicine_id = None
            if kind == "medicine" and medicines:
                medicine_id, child_id = rng.choice(medicines)
                child_ids = [child_id]
            elif rng.random() < 0.4 and len(children) > 1:
                child_ids = list(children)
            else:
                child_ids = [rng.choice(children)]
            details = json.dumps(rng.choice(DETAILS.get(kind, [{}])))
            text = rng.choice(TEXTS)
            entry_id = self.entry_id
            self.entry_id += 1
            self.entries.add(
                (
                    entry_id,
                    uuid.UUID(int=rng.getrandbits(128), version=4).hex,
                    trip_id,
                    household_id,
                    kind,
                    stamp,
                    details,
                    text,
                    medicine_id,
                    None,
                    author_id,
                    None,
                    "seed",
                    1,
                    stamp,
                    stamp,
                    None,
                )
            )
            for child_id in child_ids:
                self.links.add((self.link_id, entry_id, child_id))
                self.link_id += 1
            self.changes.add(
                (self.change_id, entry_id, "created", author_name, stamp, None, '{"seeded": true}')
            )
            self.change_id += 1

    def close(self) -> int:
        for sink in (self.entries, self.links, self.changes):
            sink.flush()
        return self.entries.count


def _at(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock(hour), tzinfo=zone)


def seed_family(rng: random.Random, entries: int = FAMILY_ENTRIES) -> dict[str, Any]:
    """The Levins with five years of trips; returns what the benchmark opens."""
    from django.db import transaction

    from homefront.accounts.models import User
    from homefront.api.models import AccessToken
    from homefront.api.models import Scope
    from homefront.debrief.models import Reflection
    from homefront.demo.household import DEMO_PEOPLE
    from homefront.demo.household import _prepared_as_in_the_story
    from homefront.demo.household import load_demo
    from homefront.handoff.models import ShareLink
    from homefront.households.models import Medicine
    from homefront.journal.models import JournalEntry
    from homefront.prep.planning import plan_trip
    from homefront.trips.models import Cover
    from homefront.trips.models import Trip
    from homefront.trips.models import TripKind

    with transaction.atomic():
        household = load_demo(io.StringIO())
        users = {email: User.objects.get(email=email) for email, _name, _role in DEMO_PEOPLE}
        for user in users.values():
            user.set_password(BENCH_PASSWORD)
            user.save(update_fields=["password"])
        mother, father, judy = users.values()
        zone = household.zone
        today = household.today()

        # Rachel's fortnight away, under way since three days ago: the trip the
        # family has open on their phones.
        away_from = today - timedelta(days=3)
        current = Trip.objects.create(
            household=household,
            traveller=mother,
            starts_at=_at(away_from, 9, zone),
            ends_at=_at(away_from + timedelta(days=14), 18, zone),
            destination="Lisbon",
            destination_zone="Europe/Lisbon",
            notes="The conference, then a week with Sarah.",
        )
        _prepared_as_in_the_story(current, comfort=True)
        # David's Chicago trip falls inside it: Judy covers those nights.
        for trip in Trip.objects.filter(household=household, traveller=father):
            for night in trip.nights_list:
                if current.is_away_on_night(night):
                    Cover.objects.update_or_create(
                        household=household, night=night, defaults={"member": judy}
                    )
        ShareLink.issue(current, mother, label="Grandma Judy", days_before=2, days_after=1)

        # Five years of earlier trips, none overlapping the demo's own.
        busy = [(t.starts_at, t.ends_at) for t in Trip.objects.filter(household=household)]
        first_day = today - timedelta(days=365 * YEARS)
        last_day = today - timedelta(days=40)
        wanted = FAMILY_TRIPS - len(busy)
        step = (last_day - first_day).days / wanted
        longest = None
        for index in range(wanted):
            leaves = first_day + timedelta(days=int(index * step) + rng.randrange(0, 5))
            traveller = mother if index % 3 == 0 else father
            nights = 14 if index == wanted // 2 else rng.choice((1, 1, 2, 2, 3, 4, 5, 7))
            starts = _at(leaves, 8, zone)
            ends = _at(leaves + timedelta(days=nights), 19, zone)
            if any(
                s < ends + timedelta(days=1) and starts < e + timedelta(days=1) for s, e in busy
            ):
                continue
            busy.append((starts, ends))
            trip = Trip.objects.create(
                household=household,
                traveller=traveller,
                starts_at=starts,
                ends_at=ends,
                destination=rng.choice(("Chicago", "Denver", "Toronto", "Austin", "Seattle")),
                destination_zone=rng.choice(
                    ("America/Chicago", "America/Denver", "America/Toronto", "America/Los_Angeles")
                ),
                kind=TripKind.WORK if traveller == father else TripKind.PLANNED,
            )
            plan_trip(trip, today=leaves - timedelta(days=5))
            trip.prep_tasks.update(done_at=starts - timedelta(days=1), needed=True)
            if nights == 14:
                longest = trip
            if rng.random() < 0.5:
                Reflection.objects.create(
                    trip=trip,
                    traveller_felt="Tired, then fine.",
                    kids_did="Fine.",
                    next_time="Less packing.",
                    updated_by=traveller,
                )
        assert longest is not None, "the five years need one fortnight away"

        # The journal: as many entries per night away as makes `entries` in all.
        trips = list(Trip.objects.filter(household=household).exclude(pk=current.pk))
        trips.append(current)
        children = list(household.children.values_list("pk", flat=True))
        medicines = list(
            Medicine.objects.filter(child__household=household).values_list("pk", "child_id")
        )
        moment = now()
        windows = {
            trip.pk: (trip.starts_at, min(trip.ends_at, moment - timedelta(minutes=5)))
            for trip in trips
            if trip.starts_at < moment
        }
        seconds = sum((end - start).total_seconds() for start, end in windows.values())
        missing = entries - JournalEntry.objects.count()
        writer = EntryWriter.open(rng)
        authors_by_traveller = {
            mother.pk: [(father.pk, str(father)), (judy.pk, str(judy))],
            father.pk: [(mother.pk, str(mother)), (judy.pk, str(judy))],
        }
        placed = 0
        for position, trip in enumerate(t for t in trips if t.pk in windows):
            start, end = windows[trip.pk]
            share = (end - start).total_seconds() / seconds
            count = missing - placed if position == len(windows) - 1 else round(missing * share)
            writer.write_trip(
                trip.pk,
                household.pk,
                start,
                end,
                count,
                children,
                authors_by_traveller[trip.traveller_id],
                medicines,
            )
            placed += count
        writer.close()
        reset_sequences([JournalEntry, JournalEntry.children.through, *_change_model()])

        _access, api_token = AccessToken.issue(mother, household, "Benchmark", Scope.WRITE)
    return {
        "household": household.pk,
        "email": mother.email,
        "current_trip": current.pk,
        "longest_past_trip": longest.pk,
        "api_token": api_token,
        "children": children,
    }


def _change_model() -> list[Any]:
    from homefront.journal.models import EntryChange

    return [EntryChange]


def seed_hosted(
    rng: random.Random, households: int, entries: int, family_entries: int = FAMILY_ENTRIES
) -> dict[str, Any]:
    """The family, then `households` other families holding `entries` entries between them."""
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.db import transaction

    from homefront.accounts.models import User
    from homefront.handoff.models import DEFAULT_GO_BAG
    from homefront.handoff.models import GoBagItem
    from homefront.households.models import Child
    from homefront.households.models import Contact
    from homefront.households.models import Food
    from homefront.households.models import FoodKind
    from homefront.households.models import Household
    from homefront.households.models import Membership
    from homefront.households.models import Role
    from homefront.households.models import Routine
    from homefront.households.models import RoutineKind
    from homefront.households.models import Severity
    from homefront.journal.models import JournalEntry
    from homefront.notify.models import Channel
    from homefront.notify.models import Schedule
    from homefront.prep.models import PrepTask
    from homefront.prep.models import TemplateItem
    from homefront.prep.planning import DEFAULT_TEMPLATE
    from homefront.prep.planning import default_template
    from homefront.trips.models import Trip

    family = seed_family(rng, family_entries)
    bulk_tables = [
        JournalEntry._meta.db_table,
        JournalEntry.children.through._meta.db_table,
        _change_model()[0]._meta.db_table,
        PrepTask._meta.db_table,
    ]
    rebuild = without_secondary_indexes(bulk_tables)
    password = make_password(BENCH_PASSWORD)
    today = date.today()
    moment = now()
    trips_each = 6
    per_trip = max(1, (entries - JournalEntry.objects.count()) // (households * trips_each))
    zones = ("America/New_York", "America/Chicago", "Europe/London", "Europe/Berlin")
    chunk = 1_000
    writer = EntryWriter.open(rng)
    task_sink = RowSink(
        PrepTask,
        [
            "id",
            "trip_id",
            "template_item_id",
            "title",
            "category",
            "essential",
            "days_before",
            "due_on",
            "due_at",
            "who",
            "done_at",
            "done_by_id",
            "needed",
            "comfort_night",
            "comfort_when_missed",
            "notes",
        ],
    )
    task_id = next_id(PrepTask)
    for first in range(0, households, chunk):
        with transaction.atomic():
            count = min(chunk, households - first)
            homes = Household.objects.bulk_create(
                Household(name=f"Family {first + n}", time_zone=zones[(first + n) % len(zones)])
                for n in range(count)
            )
            parents = User.objects.bulk_create(
                User(
                    email=f"parent{first + n}{side}@hosted.bench.invalid",
                    name=f"Parent {side.upper()} {first + n}",
                    password=password,
                    time_zone="",
                )
                for n in range(count)
                for side in "ab"
            )
            Membership.objects.bulk_create(
                Membership(household=homes[i // 2], user=user, role=Role.PARENT)
                for i, user in enumerate(parents)
            )
            # Each parent is told by email; each household due for its first planning.
            Channel.objects.bulk_create(
                Channel(household=homes[i // 2], user=user, kind="email", target=user.email)
                for i, user in enumerate(parents)
            )
            Schedule.objects.bulk_create(
                Schedule(household=home, next_plan_at=moment) for home in homes
            )
            kids = Child.objects.bulk_create(
                Child(
                    household=home,
                    name=name,
                    birth_date=today - timedelta(days=rng.randrange(300, 2500)),
                )
                for home in homes
                for name in ("Ada", "Ben")
            )
            Routine.objects.bulk_create(
                Routine(child=kid, kind=kind, time=clock(hour))
                for kid in kids
                for kind, hour in (
                    (RoutineKind.WAKE, 7),
                    (RoutineKind.DINNER, 17),
                    (RoutineKind.BEDTIME, 19),
                )
            )
            Food.objects.bulk_create(
                Food(
                    child=kid,
                    name="Peanuts",
                    kind=FoodKind.ALLERGY,
                    severity=Severity.SEVERE,
                    what_to_do="EpiPen, then call 911.",
                )
                for kid in kids[::2]
            )
            Contact.objects.bulk_create(
                Contact(household=home, name="Grandma", relation="Grandma", phone="+1 617 555 0100")
                for home in homes
            )
            TemplateItem.objects.bulk_create(
                item for home in homes for item in default_template(home)
            )
            GoBagItem.objects.bulk_create(
                GoBagItem(household=home, name=name, position=index)
                for home in homes
                for index, name in enumerate(DEFAULT_GO_BAG)
            )
            trips = Trip.objects.bulk_create(
                _hosted_trip(rng, home, parents[2 * i + k % 2], k, today)
                for i, home in enumerate(homes)
                for k in range(trips_each)
            )
            kids_of = {
                home.pk: [kids[2 * i].pk, kids[2 * i + 1].pk] for i, home in enumerate(homes)
            }
            parents_of = {
                home.pk: [
                    (parents[2 * i].pk, parents[2 * i].name),
                    (parents[2 * i + 1].pk, parents[2 * i + 1].name),
                ]
                for i, home in enumerate(homes)
            }
            for trip in trips:
                departure = trip.starts_at.date()
                for n, (title, category, essential, days_before, who) in enumerate(
                    DEFAULT_TEMPLATE[:8]
                ):
                    task_sink.add(
                        (
                            task_id,
                            trip.pk,
                            None,
                            title,
                            category,
                            int(essential),
                            days_before,
                            (departure - timedelta(days=n % 4 + 1)).isoformat(),
                            None,
                            who,
                            sql_time(trip.starts_at - timedelta(days=1)),
                            None,
                            1,
                            None,
                            0,
                            "",
                        )
                    )
                    task_id += 1
                end = min(trip.ends_at, moment - timedelta(minutes=5))
                if trip.starts_at < end:
                    home_id = trip.household_id
                    authors = [a for a in parents_of[home_id] if a[0] != trip.traveller_id]
                    writer.write_trip(
                        trip.pk,
                        home_id,
                        trip.starts_at,
                        end,
                        per_trip,
                        kids_of[home_id],
                        authors,
                        [],
                    )
            task_sink.flush()
            writer.entries.flush()
            writer.links.flush()
            writer.changes.flush()
        print(f"  {first + count:>6} households", file=sys.stderr, flush=True)
    writer.close()
    print("  rebuilding indexes", file=sys.stderr, flush=True)
    rebuild()
    reset_sequences([PrepTask, JournalEntry, JournalEntry.children.through, *_change_model()])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    first_planning()
    return family


def first_planning() -> None:
    """The worker's first round after setup: every household planned once, by the app's
    own planner, and what it made (the quarterly readiness review) taken as sent, so the
    benchmark's rounds start from a service at rest."""
    from django.utils import timezone

    from homefront.notify.models import Message
    from homefront.notify.models import Status
    from homefront.notify.plan import plan_due

    started = time.perf_counter()
    planned = plan_due("seed")
    Message.objects.filter(status=Status.PENDING).update(
        status=Status.SENT, sent_at=timezone.now(), attempts=1
    )
    print(
        f"  planned {len(planned):,} households in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )


def without_secondary_indexes(tables: list[str]) -> Any:
    """On PostgreSQL, the usual bulk load: drop the indexes no constraint needs,
    load, build them again in one pass each; and skip the foreign-key triggers
    for rows this script made consistent itself. Returns the rebuild step."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")

    def rebuild() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)

    return rebuild


def _hosted_trip(rng: random.Random, home: Any, traveller: Any, k: int, today: date) -> Any:
    from homefront.trips.models import Trip

    zone = ZoneInfo(home.time_zone)
    leaves = today - timedelta(days=365 * YEARS - k * 300 - rng.randrange(0, 200))
    nights = rng.choice((1, 2, 3, 4, 5, 7))
    return Trip(
        household=home,
        traveller=traveller,
        starts_at=_at(leaves, 8, zone),
        ends_at=_at(leaves + timedelta(days=nights), 19, zone),
        destination="Somewhere",
        destination_zone=home.time_zone,
    )


def main(argv: list[str]) -> None:
    django.setup()
    from django.conf import settings

    rng = random.Random(2026)
    started = time.perf_counter()
    scale = argv[1] if len(argv) > 1 else "family"
    if scale == "family":
        facts = seed_family(rng)
    elif scale == "hosted":
        households = int(argv[2]) if len(argv) > 2 else HOSTED_HOUSEHOLDS
        entries = int(argv[3]) if len(argv) > 3 else HOSTED_ENTRIES
        facts = seed_hosted(rng, households, entries)
    else:
        raise SystemExit(f"unknown scale {scale!r}: family or hosted")
    from homefront.households.models import Household
    from homefront.journal.models import JournalEntry

    facts.update(
        scale=scale,
        seconds=round(time.perf_counter() - started, 1),
        households=Household.objects.count(),
        entries=JournalEntry.objects.count(),
        database=settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    )
    print(json.dumps(facts))


if __name__ == "__main__":
    main(sys.argv)
