from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Runs queued background work (emails now; reminders later) until stopped with SIGTERM."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("db_worker", interval=1.0)
