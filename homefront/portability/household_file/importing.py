"""A household file read back into a new household, in one transaction or not at all."""

from __future__ import annotations

import json
import secrets
from typing import Any
from typing import cast

from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.db import IntegrityError
from django.db import models
from django.db import transaction
from django.utils import timezone

from homefront.accounts.models import User
from homefront.households.models import Child
from homefront.households.models import Household
from homefront.households.models import hash_token
from homefront.journal import entries
from homefront.journal.models import EntryChange
from homefront.journal.models import JournalEntry
from homefront.notify.models import Channel
from homefront.notify.models import Schedule
from homefront.photos.models import Photo
from homefront.portability.household_file.checks import broken_rule
from homefront.portability.household_file.checks import check_keys
from homefront.portability.household_file.checks import check_plain_text
from homefront.portability.household_file.checks import check_sections
from homefront.portability.household_file.checks import refusal
from homefront.portability.household_file.schema import FORMAT
from homefront.portability.household_file.schema import HOUSEHOLD_FIELDS
from homefront.portability.household_file.schema import PERSON_FIELDS
from homefront.portability.household_file.schema import SNAPSHOT_REFS
from homefront.portability.household_file.schema import TABLES
from homefront.portability.household_file.schema import VERSION
from homefront.portability.household_file.schema import WITH_CHILDREN
from homefront.portability.household_file.schema import ImportRefused
from homefront.portability.household_file.schema import Table
from homefront.portability.household_file.schema import carried_fields
from homefront.portability.household_file.schema import field_of
from homefront.portability.household_file.schema import parse_value


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


def _people(data: dict[str, Any]) -> dict[str, User]:
    """The file's people, matched by email to accounts here, or made without a password."""
    if not isinstance(data["people"], list):
        raise refusal("The file's “people”", None, "this is not a list.")
    checked: list[tuple[str, dict[str, Any]]] = []
    for position, person in enumerate(data["people"], start=1):
        label = f"Person {position}"
        check_keys(label, person, set(PERSON_FIELDS))
        values: dict[str, Any] = {}
        for name in PERSON_FIELDS:
            try:
                values[name] = parse_value(field_of(User, name), person[name])
            except (TypeError, ValueError) as error:
                raise refusal(label, name, f"{error}.") from None
            check_plain_text(label, name, values[name])
        try:
            User(**values).clean_fields(
                exclude=[f.name for f in User._meta.fields if f.name not in PERSON_FIELDS]
            )
        except ValidationError as error:
            raise broken_rule(label, error) from None
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
    check_keys("The household", info, set(HOUSEHOLD_FIELDS))
    values: dict[str, Any] = {}
    for name in HOUSEHOLD_FIELDS:
        try:
            values[name] = parse_value(field_of(Household, name), info[name])
        except (TypeError, ValueError) as error:
            raise refusal("The household", name, f"{error}.") from None
        check_plain_text("The household", name, values[name])
    household = Household(**values)
    try:
        household.full_clean()
    except ValidationError as error:
        raise broken_rule("The household", error) from None
    # bulk_create sends no signals: the default checklist and go-bag of a new household
    # would be extra rows; the file has the family's own.
    household = Household.objects.bulk_create([household])[0]
    Household.objects.filter(pk=household.pk).update(created_at=values["created_at"])
    household.created_at = values["created_at"]
    return household


def _import(data: dict[str, Any]) -> Household:
    check_sections(data)
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
    fields = carried_fields(model)
    export_id = item.get("id") if isinstance(item, dict) else None
    label = _label(model, export_id)
    check_keys(label, item, {"id", *(f.name for f in fields), *EXTRA_KEYS.get(model, set())})
    if not isinstance(export_id, int) or isinstance(export_id, bool):
        raise refusal(label, "id", "each object needs a whole-number id.")
    row = model()
    for f in fields:
        try:
            value = _read(f, item[f.name], users, made)
        except (LookupError, TypeError, ValueError) as error:
            message = str(error.args[0]) if isinstance(error, LookupError) else f"{error}."
            raise refusal(label, f.name, message) from None
        check_plain_text(label, f.name, value)
        setattr(row, f.name, value)
    _adopt(row, household)
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
        raise broken_rule(label, error) from None
    return row


def _read(f: models.Field[Any, Any], raw: Any, users: dict[str, User], made: Made) -> Any:
    """A field's value from the file: a person by email, an object by its export id."""
    if raw is None:
        return None
    if f.related_model is User:
        return _someone(users, raw)
    if f.is_relation:
        return _referred(made, cast("type[models.Model]", f.related_model), raw)
    return parse_value(f, raw)


def _adopt(row: models.Model, household: Household) -> None:
    """The new household's, and no secret of the installation the file came from."""
    for f in row._meta.concrete_fields:
        if f.related_model is Household:
            setattr(row, f.name, household)
    if "token_hash" in {f.name for f in row._meta.concrete_fields}:
        # Nobody holds the token of this new hash: an imported share link opens nothing.
        row.token_hash = hash_token(secrets.token_urlsafe(32))  # type: ignore[attr-defined]


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
            raise refusal(_label(model, item["id"]), "id", "two objects of the list have it.")
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
    _restore_stamps(model, created, items)
    if model in WITH_CHILDREN:
        _link_children(model, created, children)
    return {int(item["id"]): row for item, row in zip(items, created, strict=True)}


def _restore_stamps(
    model: type[models.Model], created: list[models.Model], items: list[Any]
) -> None:
    """bulk_create stamped auto_now / auto_now_add fields with the present: put the file's
    back."""
    stamped = [
        f
        for f in carried_fields(model)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    if not stamped:
        return
    for row, item in zip(created, items, strict=True):
        for f in stamped:
            setattr(row, f.attname, parse_value(f, item[f.name]))
    model._default_manager.bulk_update(created, [f.name for f in stamped], batch_size=500)


def _link_children(
    model: type[models.Model], created: list[models.Model], children: list[list[int]]
) -> None:
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
        raise refusal(label, "children", "this is not a list.")
    try:
        child_pks = [_referred(made, Child, child).pk for child in item["children"]]
    except LookupError as error:
        raise refusal(label, "children", str(error.args[0])) from None
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
            raise refusal(label, field, problem) from None
    return child_pks


def _photo_children(item: dict[str, Any], made: Made) -> list[int]:
    label = _label(Photo, item["id"])
    if not isinstance(item["children"], list):
        raise refusal(label, "children", "this is not a list.")
    try:
        return [_referred(made, Child, child).pk for child in item["children"]]
    except LookupError as error:
        raise refusal(label, "children", str(error.args[0])) from None


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
        raise refusal(label, field, str(error.args[0])) from None
    return mapped
