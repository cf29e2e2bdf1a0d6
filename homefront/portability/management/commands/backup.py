"""`homefront backup [--output FILE]`: a consistent copy of the SQLite database, live."""

from __future__ import annotations

import sqlite3
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser
from django.db import connection


def backup_sqlite(source_path: Path, output: Path) -> None:
    """SQLite's online backup: a consistent snapshot while the server keeps writing."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    source = sqlite3.connect(source_path, timeout=30)
    try:
        dest = sqlite3.connect(partial)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    partial.replace(output)


class Command(BaseCommand):
    help = "Copies the SQLite database safely while Homefront runs (PostgreSQL: use pg_dump)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="The backup file; default: DATA_DIR/backups/homefront-<UTC time>.sqlite3.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if connection.vendor != "sqlite":
            raise CommandError(
                "This installation uses PostgreSQL: back it up with pg_dump, e.g. "
                '`pg_dump --format=custom --file=homefront.dump "$DATABASE_URL"`.'
            )
        output: Path | None = options["output"]
        if output is None:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            output = Path(settings.DATA_DIR) / "backups" / f"homefront-{stamp}.sqlite3"
        if output.exists():
            raise CommandError(f"{output} exists already; choose another file.")
        backup_sqlite(Path(connection.settings_dict["NAME"]), output)
        self.stdout.write(f"Backed up the database to {output}")
