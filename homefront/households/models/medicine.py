"""A child's medicines: at fixed times, or as needed."""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from homefront.households.models.child import Child
from homefront.households.models.child import ChildScopedQuerySet
from homefront.households.models.fields import NAME_LENGTH
from homefront.households.models.fields import long_text
from homefront.households.validators import parse_times


class Medicine(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="medicines")
    name = models.CharField(max_length=NAME_LENGTH)
    dose = models.CharField(max_length=NAME_LENGTH, help_text=_("e.g. 5 ml, one tablet"))
    times = models.JSONField(default=list, blank=True)
    as_needed = models.BooleanField(_("as needed"), default=False)
    min_interval_hours = models.PositiveSmallIntegerField(
        _("at least … hours apart"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
    )
    notes = long_text(help_text=_("What it is for, with food or not, where it is kept."))

    objects = ChildScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}"

    @property
    def time_list(self) -> list[time]:
        return [time.fromisoformat(value) for value in self.times]

    def set_times_from_text(self, text: str) -> None:
        self.times = [value.strftime("%H:%M") for value in parse_times(text)]

    def clean(self) -> None:
        if self.as_needed and self.times:
            raise ValidationError(
                {"times": "An as-needed medicine has no fixed times; clear them or untick it."}
            )
        if self.as_needed and not self.min_interval_hours:
            raise ValidationError(
                {"min_interval_hours": "How many hours must pass between two doses?"}
            )
        if not self.as_needed and not self.times:
            raise ValidationError({"times": "Give the times it is taken, or tick “as needed”."})
