"""What the file holds: its tables in dependency order, the fields of each, and how a
value is written and read back."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from typing import Any
from typing import cast

from django.db import models

from homefront.debrief.models import Reflection
from homefront.handoff.models import GoBagItem
from homefront.handoff.models import ShareLink
from homefront.handoff.models import ShareLinkOpen
from homefront.households.models import Child
from homefront.households.models import ChildPhoto
from homefront.households.models import Contact
from homefront.households.models import Food
from homefront.households.models import Household
from homefront.households.models import HouseNote
from homefront.households.models import Medicine
from homefront.households.models import Membership
from homefront.households.models import Routine
from homefront.journal.models import EntryChange
from homefront.journal.models import JournalEntry
from homefront.notify.models import Channel
from homefront.photos.models import Photo
from homefront.photos.models import PhotoImage
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.prep.models import TemplateItem
from homefront.trips.models import Cover
from homefront.trips.models import Goal
from homefront.trips.models import Trip

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


def carried_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.related_model is not Household and f.name not in SECRET_FIELDS
    ]


def field_of(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def file_value(field: models.Field[Any, Any], value: Any) -> Any:
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


def parse_value(field: models.Field[Any, Any], value: Any) -> Any:
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
