"""One household as one versioned JSON file, and back.

The file names objects by export ids (1, 2, 3... per table, in database order)
and people by email, never by database id, so export → import into another
installation → export gives the same bytes. Login tokens (invitations,
calendar feeds, share-link tokens) and the outbox of messages are left out:
they are secrets of one installation or its passing work, not family data.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import timezone

from homefront.accounts.models import User
from homefront.debrief.models import Reflection
from homefront.handoff.models import GoBagItem, ShareLink, ShareLinkOpen
from homefront.households.models import (
    Child,
    ChildPhoto,
    Contact,
    Food,
    Household,
    HouseNote,
    Medicine,
    Membership,
    Routine,
    hash_token,
)
from homefront.households.validators import validate_plain_text
from homefront.journal import entries
from homefront.journal.models import EntryChange, JournalEntry
from homefront.notify.models import Channel, Schedule
from homefront.photos.models import Photo, PhotoImage
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
    Table(("child_photos",), ChildPhoto, "child__household"),
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
    Table(("photos", "photos"), Photo, "household"),
    Table(("photos", "images"), PhotoImage, "photo__household"),
    Table(("debrief", "reflections"), Reflection, "trip__household"),
    Table(("debrief", "goals"), Goal, "household"),
    Table(("notify", "channels"), Channel, "household"),
]
HOUSEHOLD_FIELDS = [
    "name",
    "time_zone",
    "prep_tasks_per_day",
    "units",
    "emergency_card_printed_at",
    "created_at",
]
PERSON_FIELDS = ["email", "name", "phone", "time_zone", "quiet_from", "quiet_until"]
SECRET_FIELDS = {"token_hash"}  # cannot be carried over; a new unusable one is made
# Objects with the children they are about, a list of export ids under "children".
WITH_CHILDREN: tuple[type[models.Model], ...] = (JournalEntry, Photo)
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
    if isinstance(field, models.BinaryField):  # a photo's JPEG, as text JSON can hold
        return base64.b64encode(bytes(value)).decode("ascii")
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
    if isinstance(field, models.BinaryField):
        return base64.b64decode(value, validate=True)
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
        if model in WITH_CHILDREN:
            owner = f"{model._meta.model_name}_id"
            through = model.children.through.objects.filter(  # type: ignore[attr-defined]
                **{f"{model._meta.model_name}__household": household}
            )
            for row_pk, child_pk in through.values_list(owner, "child_id"):
                children.setdefault(row_pk, []).append(ids[Child][child_pk])
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
            if model in WITH_CHILDREN:
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
    """Creates the household of `data` (from `load`) in one transaction, or nothing.

    Every object passes its model's rules (`full_clean`, as the pages and the API
    call them) and the plain-text rule of every form before anything is written,
    so a hand-edited file is refused naming the object and the field.
    """
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


def _refusal(label: str, field: str | None, problem: str) -> ImportRefused:
    where = f"{label}, field “{field}”" if field else label
    return ImportRefused(f"{where}: {problem} Nothing was imported.")


def _broken_rule(label: str, error: ValidationError) -> ImportRefused:
    """Names every field the model refused, with the message a page would show."""
    problems = [
        (None if name == NON_FIELD_ERRORS else name, " ".join(messages))
        for name, messages in error.message_dict.items()
    ]
    field, problem = problems[0]
    others = "".join(
        f" Also “{name}”: {message}" if name else f" Also: {message}"
        for name, message in problems[1:]
    )
    return _refusal(label, field, problem + others)


def _plain_strings(value: Any) -> Iterator[str]:
    """Every text inside a value: itself, or the keys and values of a JSON list or object."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _plain_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _plain_strings(item)


def _check_plain_text(label: str, field: str, value: Any) -> None:
    """The rule every form applies to every text box, also inside JSON details."""
    for text in _plain_strings(value):
        try:
            validate_plain_text(text)
        except ValidationError as error:
            raise _refusal(label, field, " ".join(error.messages)) from None


def _check_keys(label: str, item: Any, expected: set[str]) -> None:
    """A key the file lacks is damage; one Homefront does not know would be lost on import."""
    if not isinstance(item, dict):
        raise _refusal(label, None, "this is not an object of the file.")
    unknown = sorted(set(item) - expected)
    if unknown:
        raise _refusal(
            label, unknown[0], "Homefront does not know this field, so it would be lost."
        )
    missing = sorted(expected - set(item))
    if missing:
        raise _refusal(label, missing[0], "this field is missing.")


def _check_sections(data: dict[str, Any]) -> None:
    groups: dict[str, set[str]] = {}
    for table in TABLES:
        if len(table.path) > 1:
            groups.setdefault(table.path[0], set()).add(table.path[1])
    top = {"format", "version", "household", "people"} | {t.path[0] for t in TABLES}
    _check_keys("The file", data, top)
    for group, sections in groups.items():
        _check_keys(f"The file's “{group}”", data[group], sections)
    for table in TABLES:
        section: Any = data
        for key in table.path:
            section = section[key]
        if not isinstance(section, list):
            raise _refusal(f"The file's “{'.'.join(table.path)}”", None, "this is not a list.")


def _people(data: dict[str, Any]) -> dict[str, User]:
    """The file's people, matched by email to accounts here, or made without a password."""
    if not isinstance(data["people"], list):
        raise _refusal("The file's “people”", None, "this is not a list.")
    checked: list[tuple[str, dict[str, Any]]] = []
    for position, person in enumerate(data["people"], start=1):
        label = f"Person {position}"
        _check_keys(label, person, set(PERSON_FIELDS))
        values: dict[str, Any] = {}
        for name in PERSON_FIELDS:
            try:
                values[name] = _parse(_field(User, name), person[name])
            except (TypeError, ValueError) as error:
                raise _refusal(label, name, f"{error}.") from None
            _check_plain_text(label, name, values[name])
        try:
            User(**values).clean_fields(
                exclude=[f.name for f in User._meta.fields if f.name not in PERSON_FIELDS]
            )
        except ValidationError as error:
            raise _broken_rule(label, error) from None
        checked.append((str(values["email"]).lower(), values))
    users: dict[str, User] = {}
    for email, values in checked:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            fields = {name: value for name, value in values.items() if name != "email"}
            user = User.objects.create_user(email, None, **fields)  # no usable password
        users[email] = user
    return users


def _new_household(info: Any) -> Household:
    _check_keys("The household", info, set(HOUSEHOLD_FIELDS))
    values: dict[str, Any] = {}
    for name in HOUSEHOLD_FIELDS:
        try:
            values[name] = _parse(_field(Household, name), info[name])
        except (TypeError, ValueError) as error:
            raise _refusal("The household", name, f"{error}.") from None
        _check_plain_text("The household", name, values[name])
    household = Household(**values)
    try:
        household.full_clean()
    except ValidationError as error:
        raise _broken_rule("The household", error) from None
    # bulk_create sends no signals: the default checklist and go-bag of a new household
    # would be extra rows; the file has the family's own.
    household = Household.objects.bulk_create([household])[0]
    Household.objects.filter(pk=household.pk).update(created_at=values["created_at"])
    household.created_at = values["created_at"]
    return household


def _import(data: dict[str, Any]) -> Household:
    _check_sections(data)
    info = data["household"]
    member_emails = {str(m.get("user")).lower() for m in data["members"] if isinstance(m, dict)}
    for existing in Household.objects.filter(name=info.get("name")):
        emails = {e.lower() for e in existing.memberships.values_list("user__email", flat=True)}
        if emails == member_emails:
            raise ImportRefused(
                f"This household was imported already: “{existing.name}” with the same "
                "members is here. Nothing was imported."
            )
    users = _people(data)
    household = _new_household(info)
    made: Made = {}
    for table in TABLES:
        section: Any = data
        for key in table.path:
            section = section[key]
        made[table.model] = _import_table(table, section, household, users, made)
    if made.get(Channel):
        # bulk_create sends no signals: the worker's schedule is made here, due now.
        Schedule.objects.create(household=household, next_plan_at=timezone.now())
    return household


# The objects made so far, per model, by their export id.
Made = dict[type[models.Model], dict[int, models.Model]]
# Keys an object of the file has besides its model's fields.
EXTRA_KEYS: dict[type[models.Model], set[str]] = {JournalEntry: {"children"}, Photo: {"children"}}


def _label(model: type[models.Model], export_id: Any) -> str:
    return f"{str(model._meta.verbose_name).capitalize()} {export_id}"


def _referred(made: Made, model: type[models.Model], export_id: Any) -> models.Model:
    """The object an export id of the file names, which must be one the file holds."""
    found = None
    if isinstance(export_id, int) and not isinstance(export_id, bool):
        found = made[model].get(export_id)
    if found is None:
        raise LookupError(
            f"refers to {model._meta.verbose_name} {export_id!r}, which is not in the file."
        )
    return found


def _someone(users: dict[str, User], email: Any) -> User:
    user = users.get(str(email).lower()) if isinstance(email, str) else None
    if user is None:
        raise LookupError(f"names {email!r}, who is not among the file's people.")
    return user


def _build(
    table: Table, item: Any, household: Household, users: dict[str, User], made: Made
) -> models.Model:
    """One object of the file, checked as the page that makes it would check it."""
    model = table.model
    fields = _fields(model)
    export_id = item.get("id") if isinstance(item, dict) else None
    label = _label(model, export_id)
    _check_keys(label, item, {"id", *(f.name for f in fields), *EXTRA_KEYS.get(model, set())})
    if not isinstance(export_id, int) or isinstance(export_id, bool):
        raise _refusal(label, "id", "each object needs a whole-number id.")
    row = model()
    for f in fields:
        raw = item[f.name]
        value: Any
        try:
            if raw is None:
                value = None
            elif f.related_model is User:
                value = _someone(users, raw)
            elif f.is_relation:
                value = _referred(made, cast("type[models.Model]", f.related_model), raw)
            else:
                value = _parse(f, raw)
        except (LookupError, TypeError, ValueError) as error:
            message = str(error.args[0]) if isinstance(error, LookupError) else f"{error}."
            raise _refusal(label, f.name, message) from None
        _check_plain_text(label, f.name, value)
        setattr(row, f.name, value)
    for f in model._meta.concrete_fields:
        if f.related_model is Household:
            setattr(row, f.name, household)
    if "token_hash" in {f.name for f in model._meta.concrete_fields}:
        # Nobody holds the token of this new hash: an imported share link opens nothing.
        row.token_hash = hash_token(secrets.token_urlsafe(32))  # type: ignore[attr-defined]
    if isinstance(row, EntryChange):
        row.before = _unmap_snapshot(label, "before", item["before"], made)
        row.after = _unmap_snapshot(label, "after", item["after"], made)
    try:
        # References were resolved above within this file, so never to another household;
        # uniqueness across the installation is the database's to refuse.
        row.full_clean(
            exclude=[f.name for f in model._meta.concrete_fields if f.is_relation],
            validate_unique=False,
        )
    except ValidationError as error:
        raise _broken_rule(label, error) from None
    return row


def _import_table(
    table: Table,
    items: list[Any],
    household: Household,
    users: dict[str, User],
    made: Made,
) -> dict[int, models.Model]:
    model = table.model
    rows = []
    seen: set[int] = set()
    family: dict[int, Child] = {}
    if model is JournalEntry:
        family = {c.pk: c for c in household.children.prefetch_related("medicines")}
    children: list[list[int]] = []
    for item in items:
        row = _build(table, item, household, users, made)
        if item["id"] in seen:
            raise _refusal(_label(model, item["id"]), "id", "two objects of the list have it.")
        seen.add(item["id"])
        if isinstance(row, JournalEntry):
            children.append(_entry_children(row, item, made, family))
        elif isinstance(row, Photo):
            children.append(_photo_children(item, made))
        rows.append(row)
    try:
        created = model._default_manager.bulk_create(rows, batch_size=500)
    except IntegrityError as error:
        raise ImportRefused(
            f"The file's “{'.'.join(table.path)}”: some already exist in this installation, "
            f"or two of them share what must be unique ({error}). Nothing was imported."
        ) from None
    # bulk_create stamped auto_now / auto_now_add fields with the present: put the file's back.
    fields = _fields(model)
    stamped = [
        f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if stamped:
        for row, item in zip(created, items, strict=True):
            for f in stamped:
                setattr(row, f.attname, _parse(f, item[f.name]))
        model._default_manager.bulk_update(created, [f.name for f in stamped], batch_size=500)
    mapping = {int(item["id"]): row for item, row in zip(items, created, strict=True)}
    if model in WITH_CHILDREN:
        through = model.children.through  # type: ignore[attr-defined]
        owner = f"{model._meta.model_name}_id"
        through.objects.bulk_create(
            [
                through(**{owner: row.pk, "child_id": child_pk})
                for row, child_pks in zip(created, children, strict=True)
                for child_pk in child_pks
            ],
            batch_size=500,
        )
    return mapping


# What the journal's rules say of these is history or checked already: when an entry was
# logged (late, early, after the trip: a trip moved since must not refuse its journal),
# and its note and children (their form by the model and the file; "write the note" and
# "choose a child" ask a person for what an old entry may lack without harm).
_HISTORY = {"uuid", "occurred_at", "trip", "text", "children"}


def _entry_children(
    entry: JournalEntry, item: dict[str, Any], made: Made, family: dict[int, Child]
) -> list[int]:
    """The entry's children, and the rules the quick log, the offline sync and the API
    apply to what an entry says (details, note, medicine, comfort item)."""
    label = _label(JournalEntry, item["id"])
    if not isinstance(item["children"], list):
        raise _refusal(label, "children", "this is not a list.")
    try:
        child_pks = [_referred(made, Child, child).pk for child in item["children"]]
    except LookupError as error:
        raise _refusal(label, "children", str(error.args[0])) from None
    said = {
        "kind": entry.kind,
        "children": child_pks,
        "occurred_at": entry.occurred_at.isoformat(),
        "details": entry.details,
        "text": entry.text,
        "medicine": entry.medicine_id,
        "comfort_task": entry.comfort_task_id,
    }
    try:
        entries.clean(said, entry.trip, family, entry.occurred_at, check_uuid=False)
    except entries.Invalid as invalid:
        problems = {k: v for k, v in invalid.errors.items() if k not in _HISTORY}
        if entry.medicine_id is None:
            problems.pop("medicine", None)  # the medicine was deleted since (SET_NULL)
        if problems:
            field, problem = next(iter(problems.items()))
            raise _refusal(label, field, problem) from None
    return child_pks


def _photo_children(item: dict[str, Any], made: Made) -> list[int]:
    label = _label(Photo, item["id"])
    if not isinstance(item["children"], list):
        raise _refusal(label, "children", "this is not a list.")
    try:
        return [_referred(made, Child, child).pk for child in item["children"]]
    except LookupError as error:
        raise _refusal(label, "children", str(error.args[0])) from None


def _unmap_snapshot(label: str, field: str, snapshot: Any, made: Made) -> Any:
    if not isinstance(snapshot, dict):
        return snapshot
    mapped = dict(snapshot)
    try:
        if isinstance(mapped.get("children"), list):
            mapped["children"] = sorted(_referred(made, Child, n).pk for n in mapped["children"])
        for key, model in SNAPSHOT_REFS.items():
            if mapped.get(key) is not None:
                mapped[key] = _referred(made, model, mapped[key]).pk
    except LookupError as error:
        raise _refusal(label, field, str(error.args[0])) from None
    return mapped
