"""A child's routines: what happens when, on which days."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from homefront.households.models.child import Child
from homefront.households.models.child import ChildScopedQuerySet
from homefront.households.models.fields import NAME_LENGTH
from homefront.households.models.fields import long_text


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Mon")
    TUESDAY = 1, _("Tue")
    WEDNESDAY = 2, _("Wed")
    THURSDAY = 3, _("Thu")
    FRIDAY = 4, _("Fri")
    SATURDAY = 5, _("Sat")
    SUNDAY = 6, _("Sun")


EVERY_DAY = 0b1111111
SCHOOL_DAYS = 0b0011111


class RoutineKind(models.TextChoices):
    WAKE = "wake", _("Wake up")
    BREAKFAST = "breakfast", _("Breakfast")
    DROP_OFF = "drop_off", _("Daycare/school drop-off")
    SNACK = "snack", _("Snack")
    LUNCH = "lunch", _("Lunch")
    NAP = "nap", _("Nap")
    PICK_UP = "pick_up", _("Daycare/school pick-up")
    DINNER = "dinner", _("Dinner")
    BATH = "bath", _("Bath")
    BEDTIME = "bedtime", _("Bedtime")
    OTHER = "other", _("Other")


class Routine(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="routines")
    kind = models.CharField(max_length=16, choices=RoutineKind.choices)
    label = models.CharField(
        max_length=NAME_LENGTH, blank=True, help_text=_("e.g. “Drop-off at Little Acorns”.")
    )
    time = models.TimeField()
    weekdays = models.PositiveSmallIntegerField(
        default=EVERY_DAY,
        validators=[MinValueValidator(1, "Pick at least one day."), MaxValueValidator(EVERY_DAY)],
    )
    every_n_days = models.PositiveSmallIntegerField(
        _("repeats"),
        default=1,
        choices=[(1, "On each chosen day"), (2, "Every other day")]
        + [(n, f"Every {n} days") for n in range(3, 15)],
        validators=[MinValueValidator(1), MaxValueValidator(14)],
    )
    starts_on = models.DateField(
        null=True, blank=True, help_text=_("A day it happened, to count “every other day” from.")
    )
    steps = long_text(help_text=_("One step per line: bath, two books, the moon song, lights off."))
    notes = long_text()

    objects = ChildScopedQuerySet.as_manager()

    class Meta:
        ordering = ["time", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=EVERY_DAY), name="routine_has_a_day"
            ),
            models.CheckConstraint(
                condition=Q(every_n_days=1) | Q(starts_on__isnull=False),
                name="routine_interval_has_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.time:%H:%M}"

    @property
    def title(self) -> str:
        return self.label or self.get_kind_display()

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    @property
    def day_list(self) -> list[int]:
        return [day for day in range(7) if self.weekdays & (1 << day)]

    def schedule_label(self) -> str:
        days = ", ".join(str(Weekday(d).label) for d in self.day_list)
        if self.every_n_days > 1:
            every = (
                gettext("every other day")
                if self.every_n_days == 2
                else ngettext("every %(count)s day", "every %(count)s days", self.every_n_days)
                % {"count": self.every_n_days}
            )
            if self.weekdays == EVERY_DAY:
                return every
            return gettext("%(every)s, on %(days)s") % {"every": every, "days": days}
        if self.weekdays == EVERY_DAY:
            return gettext("every day")
        if self.weekdays == SCHOOL_DAYS:
            return gettext("weekdays")
        if self.weekdays == 0b1100000:
            return gettext("weekends")
        return days

    def clean(self) -> None:
        if self.every_n_days and self.every_n_days > 1 and not self.starts_on:
            # "Every other day" counts from today unless the parent said otherwise.
            if not self.child_id:
                raise ValidationError(
                    {"starts_on": _("Give a day it happened, so we can count the days from it.")}
                )
            self.starts_on = self.child.household.today()

    def occurs_on(self, day: date) -> bool:
        if not self.weekdays & (1 << day.weekday()):
            return False
        if self.every_n_days > 1 and self.starts_on:
            return (day - self.starts_on).days % self.every_n_days == 0
        return True
