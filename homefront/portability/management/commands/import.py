"""`homefront import FILE`: a household exported by `homefront export`, in one transaction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from homefront.portability.household_file import ImportRefused
from homefront.portability.household_file import import_household
from homefront.portability.household_file import load


class Command(BaseCommand):
    help = (
        "Restores a household from a file of `homefront export`. Members are matched by "
        "email; new ones are created without a password and set one with “Forgot password”."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        try:
            household = import_household(load(raw))
        except ImportRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Imported “{household.name}” as household {household.pk}.")
