"""A household written out as the file's data, with export ids in place of database ids."""

from __future__ import annotations

from typing import Any

from django.db import models

from homefront.accounts.models import User
from homefront.households.models import Child
from homefront.households.models import Household
from homefront.journal.models import EntryChange
from homefront.portability.household_file import schema


def _user_value(user: Any) -> str | None:
    return None if user is None else str(user.email)


# Per model, the database id of each exported row -> its export id.
ExportIds = dict[type[models.Model], dict[int, int]]


def export_household(household: Household) -> dict[str, Any]:
    """Everything the family keeps in Homefront, ready for `dumps`."""
    ids: ExportIds = {}
    people: dict[int, User] = {}
    data: dict[str, Any] = {
        "format": schema.FORMAT,
        "version": schema.VERSION,
        "household": {
            name: schema.file_value(schema.field_of(Household, name), getattr(household, name))
            for name in schema.HOUSEHOLD_FIELDS
        },
    }
    for table in schema.TABLES:
        items = _export_table(table, household, ids, people)
        section = data
        for key in table.path[:-1]:
            section = section.setdefault(key, {})
        section[table.path[-1]] = items
    data["people"] = sorted(
        (
            {
                name: schema.file_value(schema.field_of(User, name), getattr(user, name))
                for name in schema.PERSON_FIELDS
            }
            for user in people.values()
        ),
        key=lambda person: person["email"],
    )
    return data


def _export_table(
    table: schema.Table, household: Household, ids: ExportIds, people: dict[int, User]
) -> list[dict[str, Any]]:
    """The table's rows as the file's objects; numbers them in `ids` and adds the people
    they name to `people`."""
    model = table.model
    rows = list(model._default_manager.filter(**{table.household_path: household}).order_by("pk"))
    ids[model] = {row.pk: n for n, row in enumerate(rows, start=1)}
    fields = schema.carried_fields(model)
    user_fields = [f for f in fields if f.related_model is User]
    user_ids = {getattr(row, f.attname) for row in rows for f in user_fields} - {None}
    people.update(User.objects.in_bulk(user_ids - people.keys()))
    children = _children_by_row(model, household, ids) if model in schema.WITH_CHILDREN else {}
    items = []
    for row in rows:
        item: dict[str, Any] = {"id": ids[model][row.pk], **_values(row, fields, ids, people)}
        if model in schema.WITH_CHILDREN:
            item["children"] = sorted(children.get(row.pk, []))
        if isinstance(row, EntryChange):
            item["before"] = _map_snapshot(row.before, ids)
            item["after"] = _map_snapshot(row.after, ids)
        items.append(item)
    return items


def _children_by_row(
    model: type[models.Model], household: Household, ids: ExportIds
) -> dict[int, list[int]]:
    """The export ids of the children each row is about (journal entries, photos)."""
    owner = f"{model._meta.model_name}_id"
    through = model.children.through.objects.filter(  # type: ignore[attr-defined]
        **{f"{model._meta.model_name}__household": household}
    )
    children: dict[int, list[int]] = {}
    for row_pk, child_pk in through.values_list(owner, "child_id"):
        children.setdefault(row_pk, []).append(ids[Child][child_pk])
    return children


def _values(
    row: models.Model,
    fields: list[models.Field[Any, Any]],
    ids: ExportIds,
    people: dict[int, User],
) -> dict[str, Any]:
    """Each field as the file says it: a person by email, an object by its export id."""
    values: dict[str, Any] = {}
    for f in fields:
        raw = getattr(row, f.attname)
        if f.related_model is User:
            values[f.name] = _user_value(people.get(raw))
        elif f.is_relation:
            values[f.name] = None if raw is None else ids[f.related_model][raw]  # type: ignore[index]
        else:
            values[f.name] = schema.file_value(f, raw)
    return values


def _map_snapshot(snapshot: Any, ids: ExportIds) -> Any:
    """Translates the ids inside an entry snapshot; an id not in the household becomes null."""
    if not isinstance(snapshot, dict):
        return snapshot
    mapped = dict(snapshot)
    if isinstance(mapped.get("children"), list):
        mapped["children"] = sorted(ids[Child][pk] for pk in mapped["children"] if pk in ids[Child])
    for key, model in schema.SNAPSHOT_REFS.items():
        if mapped.get(key) is not None:
            mapped[key] = ids[model].get(mapped[key])
    return mapped
