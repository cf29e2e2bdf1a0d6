"""One household as one versioned JSON file, and back.

The file names objects by export ids (1, 2, 3... per table, in database order)
and people by email, never by database id, so export → import into another
installation → export gives the same bytes. Login tokens (invitations,
calendar feeds, share-link tokens) and the outbox of messages are left out:
they are secrets of one installation or its passing work, not family data.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast

from django.db import DatabaseError, models, transaction

from homefront.accounts.models import User
from homefront.debrief.models import Reflection
from homefront.handoff.models import GoBagItem, ShareLink, ShareLinkOpen
from homefront.households.models import (
    Child,
    Contact,
    Food,
    Household,
    HouseNote,
    Medicine,
    Membership,
    Routine,
    hash_token,
)
from homefront.journal.models import EntryChange, JournalEntry
from homefront.notify.models import Channel
from homefront.prep.models import PackingItem, PrepTask, TemplateItem
from homefront.trips.models import Cover, Goal, Trip

FORMAT = "homefront-household"
VERSION = 1


class ImportRefused(Exception):
    """The file cannot be imported; nothing was saved."""


@dataclass(frozen=True)
class Table:
    """One kind of object in the file: where it goes and how it is scoped to a household."""

    path: tuple[str, ...]  # where its list sits in the file, e.g. ("prep", "tasks")
    model: type[models.Model]
    household_path: str


# In dependency order: an object only refers to tables above it.
TABLES = [
    Table(("members",), Membership, "household"),
    Table(("children",), Child, "household"),
    Table(("routines",), Routine, "child__household"),
    Table(("foods",), Food, "child__household"),
    Table(("medicines",), Medicine, "child__household"),
    Table(("contacts",), Contact, "household"),
    Table(("house_notes",), HouseNote, "household"),
    Table(("go_bag",), GoBagItem, "household"),
    Table(("trips",), Trip, "household"),
    Table(("covers",), Cover, "household"),
    Table(("prep", "template_items"), TemplateItem, "household"),
    Table(("prep", "tasks"), PrepTask, "trip__household"),
    Table(("prep", "packing_items"), PackingItem, "trip__household"),
    Table(("share_links", "links"), ShareLink, "trip__household"),
    Table(("share_links", "opens"), ShareLinkOpen, "link__trip__household"),
    Table(("journal", "entries"), JournalEntry, "household"),
    Table(("journal", "changes"), EntryChange, "entry__household"),
    Table(("debrief", "reflections"), Reflection, "trip__household"),
    Table(("debrief", "goals"), Goal, "household"),
    Table(("notify", "channels"), Channel, "household"),
]
HOUSEHOLD_FIELDS = [
    "name",
    "time_zone",
    "prep_tasks_per_day",
    "emergency_card_printed_at",
    "created_at",
]
PERSON_FIELDS = ["email", "name", "phone", "time_zone", "quiet_from", "quiet_until"]
SECRET_FIELDS = {"token_hash"}  # cannot be carried over; a new unusable one is made
# Entry snapshots in the change history name children, medicines and tasks by id.
SNAPSHOT_REFS: dict[str, type[models.Model]] = {"medicine": Medicine, "comfort_task": PrepTask}


def dumps(data: dict[str, Any]) -> str:
    """The one way the file is written: sorted keys, fixed separators, a final newline."""
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.related_model is not Household and f.name not in SECRET_FIELDS
    ]


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def _value(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        return value.astimezone(UTC).isoformat()
    if isinstance(field, models.DateField | models.TimeField):
        return value.isoformat()
    if isinstance(field, models.UUIDField):
        return str(value)
    return value


def _parse(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"{field.name}: a time without its offset")
        return parsed
    if isinstance(field, models.DateField):
        return date.fromisoformat(value)
    if isinstance(field, models.TimeField):
        return time.fromisoformat(value)
    if isinstance(field, models.UUIDField):
        return uuid.UUID(value)
    if isinstance(field, models.JSONField):
        return value
    if isinstance(value, dict | list):
        raise ValueError(f"{field.name}: a list or object where a value belongs")
    return value


def _user_value(user: Any) -> str | None:
    return None if user is None else str(user.email)


def export_household(household: Household) -> dict[str, Any]:
    """Everything the family keeps in Homefront, ready for `dumps`."""
    ids: dict[type[models.Model], dict[int, int]] = {}
    people: dict[int, User] = {}
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "household": {
            name: _value(_field(Household, name), getattr(household, name))
            for name in HOUSEHOLD_FIELDS
        },
    }
    for table in TABLES:
        model = table.model
        rows = list(
            model._default_manager.filter(**{table.household_path: household}).order_by("pk")
        )
        ids[model] = {row.pk: n for n, row in enumerate(rows, start=1)}
        fields = _fields(model)
        user_fields = [f for f in fields if f.related_model is User]
        user_ids = {getattr(row, f.attname) for row in rows for f in user_fields} - {None}
        people.update(User.objects.in_bulk(user_ids - people.keys()))
        children: dict[int, list[int]] = {}
        if model is JournalEntry:
            through = JournalEntry.children.through.objects.filter(
                journalentry__household=household
            )
            for entry_pk, child_pk in through.values_list("journalentry_id", "child_id"):
                children.setdefault(entry_pk, []).append(ids[Child][child_pk])
        items = []
        for row in rows:
            item: dict[str, Any] = {"id": ids[model][row.pk]}
            for f in fields:
                raw = getattr(row, f.attname)
                if f.related_model is User:
                    item[f.name] = _user_value(people.get(raw))
                elif f.is_relation:
                    item[f.name] = None if raw is None else ids[f.related_model][raw]  # type: ignore[index]
                else:
                    item[f.name] = _value(f, raw)
            if isinstance(row, JournalEntry):
                item["children"] = sorted(children.get(row.pk, []))
            if isinstance(row, EntryChange):
                item["before"] = _map_snapshot(row.before, ids)
                item["after"] = _map_snapshot(row.after, ids)
            items.append(item)
        section = data
        for key in table.path[:-1]:
            section = section.setdefault(key, {})
        section[table.path[-1]] = items
    data["people"] = sorted(
        (
            {name: _value(_field(User, name), getattr(user, name)) for name in PERSON_FIELDS}
            for user in people.values()
        ),
        key=lambda person: person["email"],
    )
    return data


def _map_snapshot(snapshot: Any, ids: dict[type[models.Model], dict[int, int]]) -> Any:
    """Translates the ids inside an entry snapshot; an id not in the household becomes null."""
    if not isinstance(snapshot, dict):
        return snapshot
    mapped = dict(snapshot)
    if isinstance(mapped.get("children"), list):
        mapped["children"] = sorted(ids[Child][pk] for pk in mapped["children"] if pk in ids[Child])
    for key, model in SNAPSHOT_REFS.items():
        if mapped.get(key) is not None:
            mapped[key] = ids[model].get(mapped[key])
    return mapped


def load(text: str | bytes) -> dict[str, Any]:
    """Reads a household file, refusing anything that is not one of ours."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ImportRefused(
            "This is not a complete Homefront export: the file is not valid JSON "
            "(it may have been cut short). Nothing was imported."
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused("This is not a Homefront household export. Nothing was imported.")
    if data.get("version") != VERSION:
        raise ImportRefused(
            f"This export is version {data.get('version')!r}; this Homefront reads version "
            f"{VERSION}. Nothing was imported."
        )
    return data


def import_household(data: dict[str, Any]) -> Household:
    """Creates the household of `data` (from `load`) in one transaction, or nothing."""
    try:
        with transaction.atomic():
            return _import(data)
    except ImportRefused:
        raise
    except DatabaseError as error:
        raise ImportRefused(
            "Some of this household's trips or journal entries already exist in this "
            f"installation, or the file breaks a rule ({error}). Nothing was imported."
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ImportRefused(
            f"The file is damaged or incomplete ({error!r}). Nothing was imported."
        ) from None


def _import(data: dict[str, Any]) -> Household:
    info = data["household"]
    member_emails = {str(m["user"]).lower() for m in data["members"]}
    for existing in Household.objects.filter(name=info["name"]):
        emails = {e.lower() for e in existing.memberships.values_list("user__email", flat=True)}
        if emails == member_emails:
            raise ImportRefused(
                f"This household was imported already: “{existing.name}” with the same "
                "members is here. Nothing was imported."
            )
    users: dict[str, User] = {}
    for person in data["people"]:
        email = str(person["email"]).lower()
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            fields = {
                name: _parse(_field(User, name), person[name])
                for name in PERSON_FIELDS
                if name != "email"
            }
            user = User.objects.create_user(email, None, **fields)  # no usable password
        users[email] = user

    # bulk_create sends no signals: the default checklist and go-bag of a new household
    # would be extra rows; the file has the family's own.
    household = Household(
        **{name: _parse(_field(Household, name), info[name]) for name in HOUSEHOLD_FIELDS}
    )
    household = Household.objects.bulk_create([household])[0]
    household.created_at = _parse(_field(Household, "created_at"), info["created_at"])
    Household.objects.filter(pk=household.pk).update(created_at=household.created_at)

    pks: dict[type[models.Model], dict[int, int]] = {}
    for table in TABLES:
        section: Any = data
        for key in table.path:
            section = section[key]
        pks[table.model] = _import_table(table, section, household, users, pks)
    return household


def _import_table(
    table: Table,
    items: list[dict[str, Any]],
    household: Household,
    users: dict[str, User],
    pks: dict[type[models.Model], dict[int, int]],
) -> dict[int, int]:
    model = table.model
    fields = _fields(model)
    rows = []
    for item in items:
        values: dict[str, Any] = {}
        for f in fields:
            raw = item[f.name]
            if f.related_model is User:
                values[f.attname] = None if raw is None else users[str(raw).lower()].pk
            elif f.is_relation:
                values[f.attname] = None if raw is None else pks[f.related_model][raw]  # type: ignore[index]
            else:
                values[f.attname] = _parse(f, raw)
        if any(f.related_model is Household for f in model._meta.concrete_fields):
            values["household_id"] = household.pk
        if "token_hash" in {f.name for f in model._meta.concrete_fields}:
            values["token_hash"] = hash_token(secrets.token_urlsafe(32))  # nobody holds it
        if model is EntryChange:
            values["before"] = _unmap_snapshot(item["before"], pks)
            values["after"] = _unmap_snapshot(item["after"], pks)
        rows.append(model(**values))
    created = model._default_manager.bulk_create(rows, batch_size=500)
    # bulk_create stamped auto_now / auto_now_add fields with the present: put the file's back.
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if stamped:
        for row, item in zip(created, items, strict=True):
            for f in stamped:
                setattr(row, f.attname, _parse(f, item[f.name]))
        model._default_manager.bulk_update(created, [f.name for f in stamped], batch_size=500)
    mapping = {int(item["id"]): row.pk for item, row in zip(items, created, strict=True)}
    if model is JournalEntry:
        through = JournalEntry.children.through
        through.objects.bulk_create(
            [
                through(journalentry_id=row.pk, child_id=pks[Child][child])
                for item, row in zip(items, created, strict=True)
                for child in item["children"]
            ],
            batch_size=500,
        )
    return mapping


def _unmap_snapshot(snapshot: Any, pks: dict[type[models.Model], dict[int, int]]) -> Any:
    if not isinstance(snapshot, dict):
        return snapshot
    mapped = dict(snapshot)
    if isinstance(mapped.get("children"), list):
        mapped["children"] = sorted(pks[Child][n] for n in mapped["children"])
    for key, model in SNAPSHOT_REFS.items():
        if mapped.get(key) is not None:
            mapped[key] = pks[model][mapped[key]]
    return mapped
