from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.core.management.base import CommandError

from homefront.demo.household import DEMO_HOUSEHOLD_NAME
from homefront.demo.household import DEMO_LOGINS_FILE
from homefront.demo.household import load_demo
from homefront.households.models import Household


class Command(BaseCommand):
    help = "Loads the demo household: the family of Homefront's founding story."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only into a database without any household; otherwise show the demo's "
            "sign-ins if it was loaded here before (what `homefront setup` does).",
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if if_empty and Household.objects.exists():
            if DEMO_LOGINS_FILE().exists():
                self.stdout.write(DEMO_LOGINS_FILE().read_text(encoding="utf-8"))
            return
        if Household.objects.filter(name=DEMO_HOUSEHOLD_NAME).exists():
            raise CommandError(f"The demo household “{DEMO_HOUSEHOLD_NAME}” exists already.")
        load_demo(self.stdout)
