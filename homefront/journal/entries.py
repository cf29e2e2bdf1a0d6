"""Storing journal entries: one set of rules for the quick-log form, the offline
sync and the API, so every way in refuses the same bad input."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from homefront.accounts.models import User
from homefront.handoff.models import ShareLink
from homefront.households.models import Child, Medicine
from homefront.households.validators import validate_plain_text
from homefront.journal.models import (
    DETAIL_CHOICES,
    DETAIL_TEXT,
    NOTE_LENGTH,
    EntryChange,
    JournalEntry,
    Kind,
)
from homefront.prep.models import PrepTask
from homefront.trips.models import Trip

FUTURE_SLACK = timedelta(hours=1)
LATE_LOGGING = timedelta(days=2)
DETAIL_TEXT_LENGTH = 200
MAX_BATCH = 500


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
    entry_uuid: uuid.UUID | None = None
    try:
        entry_uuid = uuid.UUID(str(raw.get("uuid", "")))
    except ValueError:
        if check_uuid:
            errors["uuid"] = "Each entry needs the id its device gave it."
    kind = raw.get("kind")
    if kind not in Kind.values:
        errors["kind"] = f"“{kind}” is not something the journal can log."
    child_ids = raw.get("children")
    if (
        not isinstance(child_ids, list)
        or not child_ids
        or not all(isinstance(c, int) and not isinstance(c, bool) for c in child_ids)
    ):
        errors["children"] = "Choose at least one child."
    elif any(c not in children for c in child_ids):
        errors["children"] = "That child is not in this family."
    occurred_at = _moment(raw.get("occurred_at"))
    if occurred_at is None:
        errors["occurred_at"] = "Give the time as a date and time with its zone."
    elif occurred_at > now + FUTURE_SLACK:
        errors["occurred_at"] = "That is more than an hour from now. Check the time."
    elif occurred_at < trip.starts_at - timedelta(days=1):
        errors["occurred_at"] = "That is before the trip began."
    details = raw.get("details") or {}
    if not isinstance(details, dict):
        errors["details"] = "Details must be an object."
        details = {}
    cleaned_details: dict[str, str] = {}
    choices: dict[str, tuple[str, ...]] = DETAIL_CHOICES.get(str(kind), {})
    texts: tuple[str, ...] = DETAIL_TEXT.get(str(kind), ())
    for key, value in details.items():
        if key in choices:
            if value not in choices[key]:
                errors["details"] = f"{key}: choose one of {', '.join(choices[key])}."
            else:
                cleaned_details[key] = value
        elif key in texts:
            if not isinstance(value, str | int) or len(str(value)) > DETAIL_TEXT_LENGTH:
                errors["details"] = f"{key}: at most {DETAIL_TEXT_LENGTH} characters."
            elif problem := _not_plain_text(str(value)):
                errors["details"] = f"{key}: {problem}"
            elif str(value).strip():
                cleaned_details[key] = str(value).strip()
        else:
            errors["details"] = f"“{key}” does not belong to this kind of entry."
    if kind == Kind.NEW_FOOD and not cleaned_details.get("food") and "details" not in errors:
        errors["details"] = "Which food was it?"  # unless its food was refused, and said why
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
    medicine = None
    if kind == Kind.MEDICINE:
        medicine_id = raw.get("medicine")
        medicines = {m.pk: m for c in children.values() for m in c.medicines.all()}
        medicine = medicines.get(medicine_id) if isinstance(medicine_id, int) else None
        if medicine is None:
            errors["medicine"] = "Choose which medicine was given."
        elif isinstance(child_ids, list) and medicine.child_id not in child_ids:
            errors["medicine"] = "That medicine is for another child."
    comfort_task = None
    if raw.get("comfort_task") is not None:
        comfort_task = next(
            (t for t in trip_comfort_tasks(trip) if t.pk == raw.get("comfort_task")), None
        )
        if comfort_task is None:
            errors["comfort_task"] = "That comfort item is not part of this trip."
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
        details=cleaned_details,
        text=text.strip(),
        medicine=medicine,
        comfort_task=comfort_task,
    )


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


def _dose_warning(cleaned: Cleaned) -> str:
    medicine = cleaned.medicine
    if medicine is None or not medicine.min_interval_hours:
        return ""
    earliest = cleaned.occurred_at - timedelta(hours=medicine.min_interval_hours)
    previous = (
        JournalEntry.objects.alive()
        .filter(
            medicine=medicine,
            occurred_at__gt=earliest,
            occurred_at__lte=cleaned.occurred_at,
            children__in=cleaned.child_ids,
        )
        .exclude(uuid=cleaned.uuid)
        .order_by("-occurred_at")
        .first()
    )
    if previous is None:
        return ""
    hours = (cleaned.occurred_at - previous.occurred_at).total_seconds() / 3600
    return (
        f"{medicine.name} was given {hours:.1f} h after the last dose; "
        f"it should be at least {medicine.min_interval_hours} h apart. "
        "Call a parent or the doctor if unsure."
    )


def store(
    trip: Trip, author: Author, raws: list[Any], now: datetime | None = None
) -> list[Outcome]:
    """Stores each new entry once; a UUID already stored is a duplicate when it says the
    same, and a conflict (reported, not stored) when it says something else."""
    now = now or timezone.now()
    children = family_children(trip)
    outcomes = []
    for raw in raws[:MAX_BATCH]:
        sent_uuid = str(raw.get("uuid", "")) if isinstance(raw, dict) else ""
        try:
            cleaned = clean(raw, trip, children, now)
        except Invalid as problem:
            outcomes.append(Outcome(sent_uuid, "invalid", errors=problem.errors))
            continue
        outcomes.append(_store_one(trip, author, cleaned))
    return outcomes


def _store_one(trip: Trip, author: Author, cleaned: Cleaned) -> Outcome:
    content = _content(cleaned)
    digest = JournalEntry.hash_content(content)
    existing = JournalEntry.objects.filter(uuid=cleaned.uuid).first()
    if existing is not None:
        return _replayed(existing, cleaned, digest, trip)
    try:
        with transaction.atomic():
            entry = JournalEntry.objects.create(
                uuid=cleaned.uuid,
                trip=trip,
                kind=cleaned.kind,
                occurred_at=cleaned.occurred_at,
                details=cleaned.details,
                text=cleaned.text,
                medicine=cleaned.medicine,
                comfort_task=cleaned.comfort_task,
                author=author.user,
                share_link=author.share_link,
                content_hash=digest,
            )
            entry.children.set(cleaned.child_ids)
            EntryChange.objects.create(
                entry=entry, action=EntryChange.Action.CREATED, by_name=author.name, after=content
            )
    except IntegrityError:
        # The same entry arrived twice at once; the other request stored it.
        existing = JournalEntry.objects.get(uuid=cleaned.uuid)
        return _replayed(existing, cleaned, digest, trip)
    return Outcome(str(cleaned.uuid), "stored", warning=_dose_warning(cleaned), entry=entry)


def _replayed(existing: JournalEntry, cleaned: Cleaned, digest: str, trip: Trip) -> Outcome:
    if existing.trip_id == trip.pk and existing.content_hash == digest:
        return Outcome(str(cleaned.uuid), "duplicate", entry=existing)
    return Outcome(
        str(cleaned.uuid),
        "conflict",
        errors={
            "uuid": "An entry with this id was already sent with other contents; "
            "the first one is kept."
        },
    )
