from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from homefront.households.models import HouseholdScopedQuerySet
from homefront.trips.models import Trip


class ReflectionQuerySet(HouseholdScopedQuerySet):
    household_path = "trip__household"


REFLECTION_LENGTH = 10_000


class BackToRoutine(models.TextChoices):
    MINUTES = "minutes", _("Within minutes")
    HOURS = "hours", _("Within hours")
    DAY = "day", _("After a day")
    DAYS = "days", _("After a few days")
    NOT_YET = "not_yet", _("Not yet")


def reflection_text(label: Any) -> models.TextField:  # a lazy translation
    return models.TextField(
        label,
        blank=True,
        max_length=REFLECTION_LENGTH,
        validators=[MaxLengthValidator(REFLECTION_LENGTH)],
    )


class Reflection(models.Model):
    """The family's own words after a trip: the evidence that next time can be calmer."""

    trip = models.OneToOneField(Trip, on_delete=models.CASCADE, related_name="reflection")
    traveller_felt = reflection_text(_("How did the trip feel for the one who left?"))
    kids_did = reflection_text(_("How did the kids do?"))
    back_to_routine = models.CharField(
        _("Back to the usual routine"), max_length=16, choices=BackToRoutine.choices, blank=True
    )
    next_time = reflection_text(_("What to do differently next time"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReflectionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Reflection on {self.trip}"
