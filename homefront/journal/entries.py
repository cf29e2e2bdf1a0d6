"""Storing journal entries: one set of rules for the quick-log form, the offline
sync and the API, so every way in refuses the same bad input."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from homefront.accounts.models import User
from homefront.handoff.models import ShareLink
from homefront.households.models import Child
from homefront.households.models import Medicine
from homefront.households.validators import validate_plain_text
from homefront.journal.models import DETAIL_CHOICES
from homefront.journal.models import DETAIL_TEXT
from homefront.journal.models import NOTE_LENGTH
from homefront.journal.models import EntryChange
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.journal.signals import entries_logged
from homefront.prep.models import PrepTask
from homefront.trips.models import Trip

FUTURE_SLACK = timedelta(hours=1)
LATE_LOGGING = timedelta(days=2)
DETAIL_TEXT_LENGTH = 200
MAX_BATCH = 500
STORE_TRIES = 3  # a batch racing another that holds some of its ids


@dataclass(frozen=True)
class Author:
    user: User | None = None
    share_link: ShareLink | None = None

    @property
    def name(self) -> str:
        if self.user is not None:
            return str(self.user)
        if self.share_link is not None:
            return self.share_link.label
        return "Someone"

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None

    @property
    def fields(self) -> dict[str, Any]:
        """Who wrote a row, as its `author` and `share_link` fields."""
        return {"author": self.user, "share_link": self.share_link}


@dataclass
class Outcome:
    uuid: str
    status: str  # stored, duplicate, conflict, invalid
    errors: dict[str, str] = field(default_factory=dict)
    warning: str = ""
    entry: JournalEntry | None = None

    def as_json(self) -> dict[str, Any]:
        result: dict[str, Any] = {"uuid": self.uuid, "status": self.status}
        if self.errors:
            result["errors"] = self.errors
        if self.warning:
            result["warning"] = self.warning
        return result


@dataclass
class Cleaned:
    uuid: uuid.UUID
    kind: str
    child_ids: list[int]
    occurred_at: datetime
    details: dict[str, str]
    text: str
    medicine: Medicine | None
    comfort_task: PrepTask | None


class Invalid(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def logging_closed(trip: Trip, now: datetime) -> bool:
    return trip.cancelled_at is not None or now > trip.ends_at + LATE_LOGGING


def clean(
    raw: Any, trip: Trip, children: dict[int, Child], now: datetime, *, check_uuid: bool = True
) -> Cleaned:
    """Checks one entry as sent by a browser; raises Invalid with a message per field."""
    if not isinstance(raw, dict):
        raise Invalid({"entry": "An entry must be an object."})
    errors: dict[str, str] = {}
    entry_uuid = _entry_uuid(raw, errors, check_uuid)
    kind = raw.get("kind")
    if kind not in Kind.values:
        errors["kind"] = f"“{kind}” is not something the journal can log."
    child_ids = raw.get("children")
    _check_children(child_ids, children, errors)
    occurred_at = _occurred_at(raw, trip, now, errors)
    details = _details(raw, str(kind), errors)
    text = _text(raw, kind, errors)
    medicine = _medicine(raw, children, child_ids, errors) if kind == Kind.MEDICINE else None
    comfort_task = _comfort_task(raw, trip, errors)
    if logging_closed(trip, now):
        errors["trip"] = "This trip ended more than two days ago: its journal is closed."
    if errors:
        raise Invalid(errors)
    assert occurred_at is not None
    assert isinstance(kind, str)
    assert isinstance(child_ids, list)
    return Cleaned(
        uuid=entry_uuid or uuid.uuid4(),
        kind=kind,
        child_ids=sorted(set(child_ids)),
        occurred_at=occurred_at,
        details=details,
        text=text.strip(),
        medicine=medicine,
        comfort_task=comfort_task,
    )


# Each part of an entry: its cleaned value, and what is wrong with it put in `errors`
# under the field's name.


def _entry_uuid(raw: dict[str, Any], errors: dict[str, str], check_uuid: bool) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw.get("uuid", "")))
    except ValueError:
        if check_uuid:
            errors["uuid"] = "Each entry needs the id its device gave it."
        return None


def _check_children(child_ids: Any, children: dict[int, Child], errors: dict[str, str]) -> None:
    if (
        not isinstance(child_ids, list)
        or not child_ids
        or not all(isinstance(c, int) and not isinstance(c, bool) for c in child_ids)
    ):
        errors["children"] = "Choose at least one child."
    elif any(c not in children for c in child_ids):
        errors["children"] = "That child is not in this family."


def _occurred_at(
    raw: dict[str, Any], trip: Trip, now: datetime, errors: dict[str, str]
) -> datetime | None:
    occurred_at = _moment(raw.get("occurred_at"))
    if occurred_at is None:
        errors["occurred_at"] = "Give the time as a date and time with its zone."
    elif occurred_at > now + FUTURE_SLACK:
        errors["occurred_at"] = "That is more than an hour from now. Check the time."
    elif occurred_at < trip.starts_at - timedelta(days=1):
        errors["occurred_at"] = "That is before the trip began."
    return occurred_at


def _details(raw: dict[str, Any], kind: str, errors: dict[str, str]) -> dict[str, str]:
    details = raw.get("details") or {}
    if not isinstance(details, dict):
        errors["details"] = "Details must be an object."
        details = {}
    cleaned: dict[str, str] = {}
    for key, value in details.items():
        kept, problem = _detail(kind, key, value)
        if problem:
            errors["details"] = problem
        elif kept:
            cleaned[key] = kept
    if kind == Kind.NEW_FOOD and not cleaned.get("food") and "details" not in errors:
        errors["details"] = "Which food was it?"  # unless its food was refused, and said why
    return cleaned


def _detail(kind: str, key: str, value: Any) -> tuple[str, str]:
    """One detail's cleaned value ("" to leave it out), or what is wrong with it."""
    choices: dict[str, tuple[str, ...]] = DETAIL_CHOICES.get(kind, {})
    if key in choices:
        if value not in choices[key]:
            return "", f"{key}: choose one of {', '.join(choices[key])}."
        return value, ""
    if key not in DETAIL_TEXT.get(kind, ()):
        return "", f"“{key}” does not belong to this kind of entry."
    if not isinstance(value, str | int) or len(str(value)) > DETAIL_TEXT_LENGTH:
        return "", f"{key}: at most {DETAIL_TEXT_LENGTH} characters."
    if problem := _not_plain_text(str(value)):
        return "", f"{key}: {problem}"
    return str(value).strip(), ""


def _text(raw: dict[str, Any], kind: Any, errors: dict[str, str]) -> str:
    text = raw.get("text") or ""
    if not isinstance(text, str):
        errors["text"] = "The note must be text."
        text = ""
    elif len(text) > NOTE_LENGTH:
        errors["text"] = (
            f"A note can be at most {NOTE_LENGTH:,} characters (this one has {len(text):,})."
        )
    elif problem := _not_plain_text(text):
        errors["text"] = problem
    if kind == Kind.NOTE and not text.strip():
        errors["text"] = "Write the note."
    return text


def _medicine(
    raw: dict[str, Any], children: dict[int, Child], child_ids: Any, errors: dict[str, str]
) -> Medicine | None:
    medicine_id = raw.get("medicine")
    medicines = {m.pk: m for c in children.values() for m in c.medicines.all()}
    medicine = medicines.get(medicine_id) if isinstance(medicine_id, int) else None
    if medicine is None:
        errors["medicine"] = "Choose which medicine was given."
    elif isinstance(child_ids, list) and medicine.child_id not in child_ids:
        errors["medicine"] = "That medicine is for another child."
    return medicine


def _comfort_task(raw: dict[str, Any], trip: Trip, errors: dict[str, str]) -> PrepTask | None:
    if raw.get("comfort_task") is None:
        return None
    comfort_task = next(
        (t for t in trip_comfort_tasks(trip) if t.pk == raw.get("comfort_task")), None
    )
    if comfort_task is None:
        errors["comfort_task"] = "That comfort item is not part of this trip."
    return comfort_task


def _not_plain_text(text: str) -> str:
    """The forms' message for a control character or a lone surrogate; "" for none."""
    try:
        validate_plain_text(text)
    except ValidationError as problem:
        return problem.messages[0]
    return ""


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None or timezone.is_naive(moment):
        return None
    return moment


def trip_comfort_tasks(trip: Trip) -> list[PrepTask]:
    cached = getattr(trip, "_comfort_tasks", None)
    if cached is None:
        cached = list(
            PrepTask.objects.filter(trip=trip).filter(comfort_night__isnull=False)
            | PrepTask.objects.filter(trip=trip, comfort_when_missed=True)
        )
        trip._comfort_tasks = cached  # type: ignore[attr-defined]
    return cached


def family_children(trip: Trip) -> dict[int, Child]:
    return {
        child.pk: child
        for child in Child.objects.filter(household_id=trip.household_id).prefetch_related(
            "medicines"
        )
    }


def _content(cleaned: Cleaned) -> dict[str, Any]:
    return {
        "kind": cleaned.kind,
        "children": cleaned.child_ids,
        "occurred_at": cleaned.occurred_at.isoformat(),
        "details": cleaned.details,
        "text": cleaned.text,
        "medicine": cleaned.medicine.pk if cleaned.medicine else None,
        "comfort_task": cleaned.comfort_task.pk if cleaned.comfort_task else None,
    }


def _dose_warnings(batch: list[Cleaned]) -> list[str]:
    """The warning of each stored entry of the batch, in its order: a dose given too soon
    after one already stored, or after one earlier in the same batch. One query for the
    whole batch, whatever its size."""
    warnings = [""] * len(batch)
    doses = [(i, c) for i, c in enumerate(batch) if c.medicine and c.medicine.min_interval_hours]
    if not doses:
        return warnings

    def earliest(cleaned: Cleaned) -> datetime:
        assert cleaned.medicine is not None
        return cleaned.occurred_at - timedelta(hours=cleaned.medicine.min_interval_hours or 0)

    # (medicine, moment, children) of each dose that may count: those stored before this
    # batch, then each dose of the batch as it comes.
    before: dict[int, tuple[int, datetime, set[int]]] = {}
    for pk, medicine_id, occurred_at, child_id in (
        JournalEntry.objects.alive()
        .filter(
            medicine__in={c.medicine for _, c in doses},
            occurred_at__gt=min(earliest(c) for _, c in doses),
            occurred_at__lte=max(c.occurred_at for _, c in doses),
        )
        .exclude(uuid__in=[c.uuid for c in batch])
        .values_list("pk", "medicine_id", "occurred_at", "children")
    ):
        before.setdefault(pk, (medicine_id, occurred_at, set()))[2].add(child_id)
    given = list(before.values())
    for index, cleaned in doses:
        medicine = cleaned.medicine
        assert medicine is not None
        moments = [
            at
            for medicine_id, at, kids in given
            if medicine_id == medicine.pk
            and earliest(cleaned) < at <= cleaned.occurred_at
            and kids & set(cleaned.child_ids)
        ]
        given.append((medicine.pk, cleaned.occurred_at, set(cleaned.child_ids)))
        if not moments:
            continue
        hours = (cleaned.occurred_at - max(moments)).total_seconds() / 3600
        warnings[index] = (
            f"{medicine.name} was given {hours:.1f} h after the last dose; "
            f"it should be at least {medicine.min_interval_hours} h apart. "
            "Call a parent or the doctor if unsure."
        )
    return warnings


def store(
    trip: Trip, author: Author, raws: list[Any], now: datetime | None = None
) -> list[Outcome]:
    """Stores each new entry once; a UUID already stored is a duplicate when it says the
    same, and a conflict (reported, not stored) when it says something else. The outcome
    of each entry comes back in the order sent.

    The batch is checked against the stored ids in one query and written in a few bulk
    inserts, in one transaction: a batch is stored whole or not at all, and the phone,
    which keeps its queue until it has an answer, sends it again."""
    now = now or timezone.now()
    children = family_children(trip)
    outcomes: list[Outcome | None] = []
    valid: list[tuple[int, Cleaned]] = []
    for raw in raws[:MAX_BATCH]:
        sent_uuid = str(raw.get("uuid", "")) if isinstance(raw, dict) else ""
        try:
            cleaned = clean(raw, trip, children, now)
        except Invalid as problem:
            outcomes.append(Outcome(sent_uuid, "invalid", errors=problem.errors))
            continue
        valid.append((len(outcomes), cleaned))
        outcomes.append(None)
    if valid:
        for attempt in range(STORE_TRIES):
            try:
                with transaction.atomic():
                    decided = _store_batch(trip, author, [c for _, c in valid])
                    # Whoever follows new entries (notify's pushes and webhooks) writes
                    # in this transaction: an entry and what it sets off are stored whole.
                    entries_logged.send(
                        sender=JournalEntry,
                        trip=trip,
                        entries=[o.entry for o in decided if o.status == "stored" and o.entry],
                        author_id=author.user_id,
                    )
                break
            except IntegrityError:
                # Another request stored some of these ids between the look-up and the
                # insert (only PostgreSQL lets two writers that close); look again.
                if attempt == STORE_TRIES - 1:
                    raise
        for (index, _), outcome in zip(valid, decided, strict=True):
            outcomes[index] = outcome
    return [outcome for outcome in outcomes if outcome is not None]


def _store_batch(trip: Trip, author: Author, batch: list[Cleaned]) -> list[Outcome]:
    """Decides and writes the whole batch: one look-up of the ids already stored, then one
    bulk insert each of entries, their children and their history."""
    stored = {
        entry.uuid: entry
        for entry in JournalEntry.objects.filter(uuid__in={c.uuid for c in batch}).only(
            "uuid", "trip_id", "content_hash"
        )
    }
    contents = [_content(cleaned) for cleaned in batch]
    digests = [JournalEntry.hash_content(content) for content in contents]
    fresh: list[int] = []
    for index, cleaned in enumerate(batch):
        if cleaned.uuid in stored:
            continue
        fresh.append(index)
        # A second copy later in the same batch is a replay of this one.
        stored[cleaned.uuid] = JournalEntry(
            uuid=cleaned.uuid,
            trip=trip,
            household_id=trip.household_id,
            kind=cleaned.kind,
            occurred_at=cleaned.occurred_at,
            details=cleaned.details,
            text=cleaned.text,
            medicine=cleaned.medicine,
            comfort_task=cleaned.comfort_task,
            **author.fields,
            content_hash=digests[index],
        )
    new = [stored[batch[index].uuid] for index in fresh]
    JournalEntry.objects.bulk_create(new)
    JournalEntry.children.through.objects.bulk_create(
        JournalEntry.children.through(journalentry_id=entry.pk, child_id=child_id)
        for entry, index in zip(new, fresh, strict=True)
        for child_id in batch[index].child_ids
    )
    EntryChange.objects.bulk_create(
        EntryChange(
            entry=entry,
            action=EntryChange.Action.CREATED,
            by_name=author.name,
            after=contents[index],
        )
        for entry, index in zip(new, fresh, strict=True)
    )
    warnings = _dose_warnings([batch[index] for index in fresh])
    warning_of = dict(zip(fresh, warnings, strict=True))
    outcomes = []
    for index, cleaned in enumerate(batch):
        entry = stored[cleaned.uuid]
        if index in warning_of:
            outcomes.append(
                Outcome(str(cleaned.uuid), "stored", warning=warning_of[index], entry=entry)
            )
        elif entry.trip_id == trip.pk and entry.content_hash == digests[index]:
            outcomes.append(Outcome(str(cleaned.uuid), "duplicate", entry=entry))
        else:
            outcomes.append(
                Outcome(
                    str(cleaned.uuid),
                    "conflict",
                    errors={
                        "uuid": "An entry with this id was already sent with other contents; "
                        "the first one is kept."
                    },
                )
            )
    return outcomes
