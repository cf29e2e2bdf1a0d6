from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from homefront.households.demo import DEMO_HOUSEHOLD_NAME, load_demo
from homefront.households.models import Household


class Command(BaseCommand):
    help = "Loads the demo household: the family of Homefront's founding story."

    def handle(self, *args: Any, **options: Any) -> None:
        if Household.objects.filter(name=DEMO_HOUSEHOLD_NAME).exists():
            raise CommandError(f"The demo household “{DEMO_HOUSEHOLD_NAME}” exists already.")
        load_demo(self.stdout)
