"""Export → import → export gives the same bytes; a bad file imports nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import TypeVar

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError
from django.core.management import call_command
from django.db import connection

from homefront.accounts.models import User
from homefront.demo.household import load_demo
from homefront.households.models import Household
from homefront.journal.models import EntryChange
from homefront.portability.household_file import VERSION
from homefront.portability.household_file import dumps
from homefront.portability.household_file import export_household
from homefront.testing.trips import outsiders_trip
from homefront.trips.models import Trip

NOW = "2026-11-24 15:00:00+00:00"
T = TypeVar("T")


def export_text(household: Household) -> str:
    return dumps(export_household(household))


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model.__module__.startswith("homefront.")
    }


def forget_everyone() -> None:
    Household.objects.all().delete()
    User.objects.all().delete()


def exported_demo(
    tmp_path: Path, add: Callable[[Household], object] = lambda household: None
) -> tuple[Household, Path]:
    """The demo household, made at NOW with what `add` gives it, and its file."""
    with time_machine.travel(NOW, tick=False):
        household = load_demo(StringIO())
        add(household)
    path = tmp_path / "household.json"
    call_command("export", household=household.pk, output=path, stderr=StringIO())
    return household, path


def edited(path: Path, edit: Callable[[dict], T]) -> T:
    """The file at `path` as `edit` changes it, with its people gone from here (so that
    an import would otherwise work); what `edit` returns."""
    forget_everyone()
    data = json.loads(path.read_text())
    result = edit(data)
    path.write_text(json.dumps(data))
    return result


@pytest.fixture
def demo_file(db: None, tmp_path: Path) -> tuple[Household, Path]:
    return exported_demo(tmp_path)


def test_export_import_export_is_byte_identical(demo_file):
    household, path = demo_file
    first = path.read_bytes()
    data = json.loads(first)
    assert data["format"] == "homefront-household"
    assert data["version"] == VERSION
    for section in ("children", "trips", "contacts", "members", "people", "routines", "foods"):
        assert data[section], section
    for group, section in [
        ("prep", "tasks"),
        ("prep", "template_items"),
        ("prep", "packing_items"),
        ("journal", "entries"),
        ("journal", "changes"),
        ("debrief", "reflections"),
    ]:
        assert data[group][section], (group, section)
    assert "password" not in first.decode()
    assert "token_hash" not in first.decode()
    assert first == export_text(household).encode()  # the file is stable

    forget_everyone()
    out = StringIO()
    call_command("import", str(path), stdout=out)
    imported = Household.objects.get()
    assert "Imported" in out.getvalue()
    assert export_text(imported).encode() == first
    assert imported.pk != household.pk
    assert EntryChange.objects.exists()
    rachel = User.objects.get(email="rachel@demo.homefront.invalid")
    assert rachel.name == "Rachel Levin"
    assert not rachel.has_usable_password()


def test_existing_users_are_matched_by_email(demo_file):
    household, path = demo_file
    household.delete()
    users = User.objects.count()
    call_command("import", str(path), stdout=StringIO())
    assert User.objects.count() == users
    rachel = User.objects.get(email="rachel@demo.homefront.invalid")
    assert rachel.has_usable_password()
    assert rachel.memberships.get().household.name == household.name


def refused(path: Path, message: str) -> None:
    before = row_counts()
    with pytest.raises(CommandError, match=message):
        call_command("import", str(path), stdout=StringIO())
    assert row_counts() == before


def test_importing_twice_is_refused(demo_file):
    _household, path = demo_file
    refused(path, "imported already")


def test_other_version_is_refused(demo_file):
    household, path = demo_file
    household.delete()
    data = json.loads(path.read_text())
    data["version"] = VERSION + 1
    path.write_text(json.dumps(data))
    refused(path, "version 2")


def test_other_format_is_refused(demo_file, tmp_path):
    other = tmp_path / "other.json"
    other.write_text('{"format": "something-else", "version": 1}')
    refused(other, "not a Homefront household export")


def test_truncated_file_is_refused(demo_file):
    household, path = demo_file
    household.delete()
    text = path.read_bytes()
    path.write_bytes(text[: len(text) // 2])
    refused(path, "not valid JSON")


def test_not_json_is_refused(demo_file, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_bytes(b"\x89PNG not json at all")
    refused(other, "not valid JSON")


def test_a_damaged_file_imports_nothing_even_halfway(demo_file):
    """The journal comes late in the file: a broken reference there undoes all before it."""
    _household, path = demo_file
    forget_everyone()
    data = json.loads(path.read_text())
    data["journal"]["entries"][-1]["children"] = [999]
    path.write_text(json.dumps(data))
    assert connection.vendor in {"sqlite", "postgresql"}
    refused(path, f"Journal entry {data['journal']['entries'][-1]['id']}, field “children”")
    assert not Household.objects.exists()
    assert not User.objects.exists()


def test_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import", str(tmp_path / "nope.json"))


def test_export_of_an_unknown_household(db):
    with pytest.raises(CommandError, match="no household with id 12345"):
        call_command("export", household=12345)


def test_export_to_stdout(demo_file):
    household, path = demo_file
    out = StringIO()
    call_command("export", household=household.pk, stdout=out)
    assert out.getvalue() == path.read_text(encoding="utf-8")


def test_a_renamed_copy_still_here_is_refused_by_its_trips(demo_file):
    """Trips and journal entries keep their UUIDs, which are unique in one installation."""
    household, path = demo_file
    household.name = "The Levins, renamed"
    household.save(update_fields=["name"])
    refused(path, "The file's “trips”: some already exist in this installation")


def test_two_children_of_one_name_are_refused_by_their_list(demo_file):
    _household, path = demo_file
    forget_everyone()
    data = json.loads(path.read_text())
    data["children"][1]["name"] = data["children"][0]["name"].upper()
    path.write_text(json.dumps(data))

    refused(path, "The file's “children”: .* two of them share what must be unique")
    assert not Household.objects.exists()


def test_two_contacts_in_one_place_of_the_phone_tree_are_refused_by_their_list(demo_file):
    """The database keeps one contact per place; a hand-edited file gets a message, not a
    crash, and nothing of it stays."""
    _household, path = demo_file
    forget_everyone()
    data = json.loads(path.read_text())
    backups = [c for c in data["contacts"] if c["backup_order"] is not None]
    assert len(backups) >= 2
    backups[1]["backup_order"] = backups[0]["backup_order"]
    path.write_text(json.dumps(data))

    refused(path, "The file's “contacts”: .* two of them share what must be unique")
    assert not Household.objects.exists()


# -- A hand-edited file: each object passes the rules of the pages and the API --------------


def first(data: dict, *path: str) -> dict:
    section = data
    for key in path:
        section = section[key]
    return section[0]


def setting(where: str, value: object, message: str) -> Callable[[dict], str]:
    """An edit that puts `value` at `where` ("journal.entries.0.kind"), returning what the
    import is to say of it."""
    *path, last = (int(key) if key.isdigit() else key for key in where.split("."))

    def edit(data: dict) -> str:
        section = data
        for key in path:
            section = section[key]
        section[last] = value
        return message

    return edit


def return_before_departure(data: dict) -> str:
    trip = first(data, "trips")
    trip["ends_at"] = trip["starts_at"]
    return "Trip 1, field “ends_at”: The return must be after the departure."


def missing_field(data: dict) -> str:
    del first(data, "medicines")["dose"]
    return "Medicine 1, field “dose”: this field is missing."


def one_id_twice(data: dict) -> str:
    data["foods"][1]["id"] = data["foods"][0]["id"]
    return "Food 1, field “id”: two objects of the list have it."


HAND_EDITS: dict[str, Callable[[dict], str]] = {
    "future_birth_date": setting(
        "children.0.birth_date",
        "2027-03-01",
        "Child 1, field “birth_date”: A birth date cannot be in the future.",
    ),
    "unknown_trip_kind": setting(
        "trips.0.kind", "holiday", "Trip 1, field “kind”: Value 'holiday' is not a valid choice."
    ),
    "unknown_entry_kind": setting(
        "journal.entries.0.kind",
        "teleported",
        "Journal entry 1, field “kind”: Value 'teleported' is not a valid choice.",
    ),
    "entry_of_a_trip_not_in_the_file": setting(
        "journal.entries.0.trip",
        99,
        "Journal entry 1, field “trip”: refers to trip 99, which is not in the file.",
    ),
    "task_of_a_template_item_not_in_the_file": setting(
        "prep.tasks.0.template_item",
        "1",
        "Prep task 1, field “template_item”: refers to template item '1', which is not in",
    ),
    "a_child_not_in_the_file_in_the_history": setting(
        "journal.changes.0.after.children",
        [1, 3],
        "Entry change 1, field “after”: refers to child 3, which is not in the file.",
    ),
    "author_who_is_not_in_the_file": setting(
        "journal.entries.0.author",
        "outsider@example.com",
        "Journal entry 1, field “author”: names 'outsider@example.com', who is not among "
        "the file's people.",
    ),
    "control_character_in_a_name": setting(
        "contacts.0.name",
        "Sarah\x07 Cohen",
        "Contact 1, field “name”: This text has an invisible character (U+0007)",
    ),
    "control_character_in_entry_details": setting(
        "journal.entries.0.details.what",
        "pasta\x00",
        "Journal entry 1, field “details”: This text has an invisible character (U+0000)",
    ),
    "meal_eaten_by_the_gallon": setting(
        "journal.entries.0.details.amount",
        "gallons",
        "Journal entry 1, field “details”: amount: choose one of all, most, some, little, none.",
    ),
    "detail_that_belongs_to_another_kind": setting(
        "journal.entries.0.details.mood",
        "happy",
        "Journal entry 1, field “details”: “mood” does not belong to this kind of entry.",
    ),
    "control_character_in_the_household_name": setting(
        "household.name",
        "The Levins\x1b[2J",
        "The household, field “name”: This text has an invisible character (U+001B)",
    ),
    "unknown_time_zone_of_a_person": setting(
        "people.0.time_zone",
        "Mars/Olympus_Mons",
        "Person 1, field “time_zone”: “Mars/Olympus_Mons” is not a time zone we know.",
    ),
    "bad_phone_number": setting(
        "contacts.0.phone",
        "call me",
        "Contact 1, field “phone”: Enter a phone number with 5 to 15 digits",
    ),
    "unreadable_date": setting(
        "trips.0.starts_at",
        "last Tuesday",
        "Trip 1, field “starts_at”: Invalid isoformat string: 'last Tuesday'.",
    ),
    "return_before_departure": return_before_departure,
    "field_homefront_does_not_know": setting(
        "house_notes.0.shown_to",
        "everyone",
        "House note 1, field “shown_to”: Homefront does not know this field",
    ),
    "missing_field": missing_field,
    "section_homefront_does_not_know": setting(
        "journal.photos",
        [],
        "The file's “journal”, field “photos”: Homefront does not know this field",
    ),
    "one_id_twice": one_id_twice,
}


@pytest.mark.parametrize("edit", HAND_EDITS.values(), ids=HAND_EDITS.keys())
def test_a_hand_edited_file_is_refused_naming_the_object_and_the_field(demo_file, edit):
    _household, path = demo_file
    expected = edited(path, edit)

    with time_machine.travel(NOW, tick=False):
        refused(path, re.escape(expected) + ".* Nothing was imported.")

    assert not Household.objects.exists()
    assert not User.objects.exists()


def test_history_the_pages_would_not_log_today_still_imports(demo_file):
    """A dose whose medicine was deleted since, and an entry logged days after its trip:
    the journal's rules about logging hold for new entries, not for the family's past."""
    _household, path = demo_file
    forget_everyone()
    data = json.loads(path.read_text())
    entries = data["journal"]["entries"]
    dose = next(entry for entry in entries if entry["kind"] == "medicine")
    dose["medicine"] = None
    trips = {trip["id"]: trip for trip in data["trips"]}
    late = entries[0]
    back = datetime.fromisoformat(trips[late["trip"]]["ends_at"])
    late["occurred_at"] = (back + timedelta(days=3)).isoformat()
    path.write_text(json.dumps(data))

    call_command("import", str(path), stdout=StringIO())

    imported = Household.objects.get()
    assert imported.name == data["household"]["name"]
    assert export_text(imported) == dumps(data)


def test_an_id_of_another_household_here_is_not_followed(demo_file, family):
    """The file names objects by its own ids: a database id of another household's trip
    or a member of another household named in the file reach nothing here."""
    household, path = demo_file
    household.delete()
    leaves, back = datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 3, 18, tzinfo=UTC)
    theirs = outsiders_trip(family, "Europe/London", leaves, back)
    data = json.loads(path.read_text())
    assert theirs.pk not in {trip["id"] for trip in data["trips"]}
    first(data, "prep", "packing_items")["trip"] = theirs.pk
    path.write_text(json.dumps(data))

    refused(path, f"Packing item 1, field “trip”: refers to trip {theirs.pk}, which is not in")

    first(data, "prep", "packing_items")["trip"] = 1
    first(data, "members")["user"] = family.outsider.email
    path.write_text(json.dumps(data))

    refused(path, "Membership 1, field “user”: names 'outsider@example.com', who is not among")
    assert not Trip.objects.filter(household__name=household.name).exists()


def test_what_a_work_calendar_last_said_travels_with_its_trip(db, tmp_path):
    """A calendar imported again on the new installation still tells the family's own
    changes from the calendar's."""
    with time_machine.travel(NOW, tick=False):
        household = load_demo(StringIO())
    said = {
        "starts_at": "2026-10-13T09:00:00-05:00",
        "ends_at": "2026-10-15T17:00:00-05:00",
        "destination": "Chicago",
        "destination_zone": "America/Chicago",
    }
    Trip.objects.filter(pk=household.trips.earliest("starts_at").pk).update(
        imported_uid="kickoff@example.com", imported_values=said
    )
    path = tmp_path / "household.json"
    call_command("export", household=household.pk, output=path, stderr=StringIO())
    forget_everyone()

    call_command("import", str(path), stdout=StringIO())

    imported = Trip.objects.get(imported_uid="kickoff@example.com")
    assert imported.imported_values == said
    assert export_text(imported.household).encode() == path.read_bytes()
