"""`homefront backup` copies a live SQLite database: consistent, and with every write
acknowledged before it started."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError
from django.core.management import call_command
from django.db import connection

from homefront.core.tests.test_commands import PROJECT
from homefront.core.tests.test_commands import homefront_env
from homefront.core.tests.test_commands import run

# Logs journal entries one transaction each and prints each UUID once committed.
WRITER = """
import sys, uuid
from datetime import datetime, timedelta, UTC
import django
django.setup()
from homefront.accounts.models import User
from homefront.households.models import Household, Membership, Role
from homefront.journal.models import JournalEntry, Kind
from homefront.trips.models import Trip

user = User.objects.create_user("writer@example.com", None, name="Writer")
household = Household.objects.create(name="Writers", time_zone="UTC")
Membership.objects.create(household=household, user=user, role=Role.PARENT)
now = datetime.now(UTC)
trip = Trip.objects.create(
    household=household, traveller=user, starts_at=now - timedelta(days=1),
    ends_at=now + timedelta(days=1), destination="Away", destination_zone="UTC",
)
print("ready", flush=True)
deadline = now + timedelta(seconds=float(sys.argv[2]))
for n in range(int(sys.argv[1])):
    if datetime.now(UTC) > deadline:
        break
    entry = JournalEntry.objects.create(
        uuid=uuid.uuid4(), trip=trip, kind=Kind.NOTE, occurred_at=now, text="x" * 500
    )
    print(entry.uuid.hex, flush=True)
"""


def backup_uuids(path: Path) -> set[str]:
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return {row[0] for row in db.execute("SELECT uuid FROM journal_journalentry")}
    finally:
        db.close()


def test_backup_while_the_journal_is_written(tmp_path):
    """One data dir for all the command checks: migrating it takes most of the time."""
    setup = run("migrate", "--no-input", data_dir=tmp_path)
    assert setup.returncode == 0, setup.stderr
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, "20000", "60"],
        env={**homefront_env(tmp_path), "DJANGO_SETTINGS_MODULE": "homefront.settings"},
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready", writer.stderr
        acknowledged = [writer.stdout.readline().strip() for _ in range(200)]
        assert all(len(line) == 32 for line in acknowledged), acknowledged[-1:]
        backup = tmp_path / "copy.sqlite3"
        result = run("backup", "--output", str(backup), data_dir=tmp_path)
        assert result.returncode == 0, result.stderr
        after = writer.stdout.readline().strip()
        assert len(after) == 32, "the writer kept writing through the backup"
    finally:
        writer.kill()
        writer.wait(timeout=30)
        if writer.stdout:
            writer.stdout.close()
        if writer.stderr:
            writer.stderr.close()
    assert "Backed up the database to" in result.stdout
    saved = backup_uuids(backup)
    assert set(acknowledged) <= saved
    assert not (tmp_path / "copy.sqlite3.partial").exists()

    started = time.strftime("%Y%m%d", time.gmtime())
    default = run("backup", data_dir=tmp_path)
    assert default.returncode == 0, default.stderr
    (copy,) = (tmp_path / "backups").glob("homefront-*Z.sqlite3")
    assert copy.name.startswith(f"homefront-{started}T")
    assert backup_uuids(copy) >= saved
    again = run("backup", "--output", str(backup), data_dir=tmp_path)
    assert again.returncode != 0
    assert "exists already" in again.stderr


@pytest.mark.django_db
def test_postgresql_is_pointed_to_pg_dump(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match="pg_dump"):
        call_command("backup")
