"""`homefront export --household ID [--output FILE]`: one household as one JSON file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError
from django.core.management.base import CommandParser

from homefront.households.models import Household
from homefront.portability.household_file import dumps
from homefront.portability.household_file import export_household


class Command(BaseCommand):
    help = "Writes everything of one household to one versioned JSON file (or to stdout)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--household", type=int, required=True, help="The household's id.")
        parser.add_argument("--output", type=Path, help="The file to write; default: stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        household = Household.objects.filter(pk=options["household"]).first()
        if household is None:
            raise CommandError(f"There is no household with id {options['household']}.")
        text = dumps(export_household(household))
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
            return
        output.write_text(text, encoding="utf-8")
        self.stderr.write(f"Wrote {household.name} to {output}.")
