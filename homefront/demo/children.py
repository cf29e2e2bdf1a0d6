"""The Levin girls, as the demo household has them: Maya, 4½, and Noa, 3, each with her
routines, foods and medicines, which children.toml lists. Birth dates are counted back from
today so the ages stay true.
"""

from __future__ import annotations

import tomllib
from datetime import date
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from homefront.households.models import Child
from homefront.households.models import Food
from homefront.households.models import Household
from homefront.households.models import Medicine
from homefront.households.models import Routine

GIRLS: dict[str, dict[str, Any]] = tomllib.loads(
    Path(__file__).with_name("children.toml").read_text(encoding="utf-8")
)


def _months_ago(today: date, months: int, day: int) -> date:
    """A date in the month `months` back; the age in whole months is `months` or one less."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(day, 28))


def add_girl(household: Household, name: str) -> Child:
    """One of the GIRLS, with her profile as children.toml has it."""
    today = household.today()
    profile = dict(GIRLS[name])
    routines, foods, medicines = (profile.pop(part) for part in ("routines", "foods", "medicines"))
    girl = Child.objects.create(
        health_reviewed_at=timezone.now() - timedelta(days=20),
        household=household,
        name=name,
        birth_date=_months_ago(today, profile.pop("born_months_ago"), profile.pop("born_on_day")),
        measured_on=today - timedelta(days=41),  # their check-up
        **profile,
    )
    Routine.objects.bulk_create(
        Routine(child=girl, **_days_ago_to_date(routine, today)) for routine in routines
    )
    Food.objects.bulk_create(Food(child=girl, **food) for food in foods)
    for medicine in medicines:
        Medicine.objects.create(child=girl, **medicine)
    return girl


def _days_ago_to_date(routine: dict[str, Any], today: date) -> dict[str, Any]:
    fields = dict(routine)
    if "starts_days_ago" in fields:
        fields["starts_on"] = today - timedelta(days=fields.pop("starts_days_ago"))
    return fields
