"""Export → import → export gives the same bytes; a bad file imports nothing."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from homefront.accounts.models import User
from homefront.households.demo import load_demo
from homefront.households.models import Household
from homefront.journal.models import EntryChange
from homefront.portability.household_file import VERSION, dumps, export_household

NOW = "2026-11-24 15:00:00+00:00"


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


@pytest.fixture
def demo_file(db: None, tmp_path: Path) -> tuple[Household, Path]:
    with time_machine.travel(NOW, tick=False):
        household = load_demo(StringIO())
    path = tmp_path / "household.json"
    call_command("export", household=household.pk, output=path, stderr=StringIO())
    return household, path


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
    refused(path, "damaged or incomplete")
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
    refused(path, "already exist in this installation")
