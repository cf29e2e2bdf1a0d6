"""The Levin girls, as the demo household has them: Maya, 4½, and Noa, 3, each with her
routines, foods and medicines. Birth dates are counted back from today so the ages stay true.
"""

from __future__ import annotations

from datetime import date
from datetime import time
from datetime import timedelta

from django.utils import timezone

from homefront.households.models import SCHOOL_DAYS
from homefront.households.models import Child
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import Household
from homefront.households.models import Medicine
from homefront.households.models import Routine
from homefront.households.models import RoutineKind
from homefront.households.models import Severity


def _months_ago(today: date, months: int, day: int) -> date:
    """A date in the month `months` back; the age in whole months is `months` or one less."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return date(year, month + 1, min(day, 28))


def add_maya(household: Household) -> Child:
    """The elder girl, 4½: preschool on school days, a bath every other evening, vitamin D."""
    today = household.today()
    maya = Child.objects.create(
        health_reviewed_at=timezone.now() - timedelta(days=20),
        household=household,
        name="Maya",
        birth_date=_months_ago(today, 55, 12),
        notes="Sleeps with Bunny. Afraid of the vacuum cleaner. Calls her blanket “blankie-moon”.",
        weight_grams=17237,  # 38 lb
        height_mm=1067,  # 42 in
        measured_on=today - timedelta(days=41),  # her check-up
    )
    Routine.objects.bulk_create(
        [
            Routine(child=maya, kind=RoutineKind.WAKE, time=time(6, 45)),
            Routine(child=maya, kind=RoutineKind.BREAKFAST, time=time(7, 15)),
            Routine(
                child=maya,
                kind=RoutineKind.DROP_OFF,
                label="Drop-off at Little Acorns preschool",
                time=time(8, 30),
                weekdays=SCHOOL_DAYS,
            ),
            Routine(
                child=maya,
                kind=RoutineKind.PICK_UP,
                label="Pick-up at Little Acorns preschool",
                time=time(15, 0),
                weekdays=SCHOOL_DAYS,
            ),
            Routine(child=maya, kind=RoutineKind.SNACK, time=time(15, 30)),
            Routine(child=maya, kind=RoutineKind.DINNER, time=time(17, 45)),
            Routine(
                child=maya,
                kind=RoutineKind.BATH,
                time=time(18, 45),
                every_n_days=2,
                starts_on=today - timedelta(days=1),
                steps="Both girls together\nNo hair wash unless needed\nTowels on the door hook",
            ),
            Routine(
                child=maya,
                kind=RoutineKind.BEDTIME,
                time=time(19, 30),
                steps="Pyjamas\nBrush teeth\nTwo books\nThe moon song\nLights off, door ajar",
            ),
        ]
    )
    Food.objects.bulk_create(
        [
            Food(child=maya, name="Raw currants", kind=FoodKind.LIKE),
            Food(child=maya, name="Pasta with butter", kind=FoodKind.LIKE),
            Food(child=maya, name="Mushrooms", kind=FoodKind.DISLIKE),
        ]
    )
    Medicine.objects.create(child=maya, name="Vitamin D", dose="1 gummy", times=["08:00"])
    return maya


def add_noa(household: Household) -> Child:
    """The younger girl, 3: preschool three days a week, naps, a severe peanut allergy."""
    today = household.today()
    noa = Child.objects.create(
        health_reviewed_at=timezone.now() - timedelta(days=20),
        household=household,
        name="Noa",
        birth_date=_months_ago(today, 38, 3),
        notes="Still naps on weekends. Needs the hall light on at night.",
        weight_grams=14515,  # 32 lb
        height_mm=965,  # 38 in
        measured_on=today - timedelta(days=41),
    )
    Routine.objects.bulk_create(
        [
            Routine(child=noa, kind=RoutineKind.WAKE, time=time(6, 30)),
            Routine(child=noa, kind=RoutineKind.BREAKFAST, time=time(7, 15)),
            Routine(
                child=noa,
                kind=RoutineKind.DROP_OFF,
                label="Drop-off at Little Acorns (Mon, Wed, Fri)",
                time=time(8, 30),
                weekdays=0b0010101,
            ),
            Routine(
                child=noa,
                kind=RoutineKind.PICK_UP,
                label="Pick-up at Little Acorns",
                time=time(15, 0),
                weekdays=0b0010101,
            ),
            Routine(
                child=noa,
                kind=RoutineKind.NAP,
                time=time(13, 0),
                weekdays=0b1101010,
                steps="White noise on\nBunny and blankie\nAbout 1½ hours; wake her by 3",
            ),
            Routine(child=noa, kind=RoutineKind.DINNER, time=time(17, 45)),
            Routine(
                child=noa,
                kind=RoutineKind.BATH,
                time=time(18, 45),
                every_n_days=2,
                starts_on=today - timedelta(days=1),
            ),
            Routine(
                child=noa,
                kind=RoutineKind.BEDTIME,
                time=time(19, 0),
                steps="Pyjamas\nBrush teeth\nOne book\nThe moon song\nHall light on",
            ),
        ]
    )
    Food.objects.bulk_create(
        [
            Food(child=noa, name="Raw currants", kind=FoodKind.LIKE),
            Food(child=noa, name="Scrambled eggs", kind=FoodKind.LIKE),
            Food(child=noa, name="Anything spicy", kind=FoodKind.DISLIKE),
            Food(
                child=noa,
                name="Peanuts",
                kind=FoodKind.ALLERGY,
                severity=Severity.SEVERE,
                what_to_do=(
                    "Hives or itching: 2.5 ml cetirizine. Swollen lips, coughing or trouble "
                    "breathing: EpiPen Jr (kitchen drawer by the fridge) in the outer thigh, "
                    "then call 911."
                ),
            ),
        ]
    )
    Medicine.objects.create(
        child=noa,
        name="Cetirizine (children's)",
        dose="2.5 ml",
        as_needed=True,
        min_interval_hours=24,
        notes="For hives or itching. In the medicine cabinet, top shelf.",
    )
    return noa
