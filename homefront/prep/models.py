from __future__ import annotations

from typing import Any
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homefront.households.models import NAME_LENGTH
from homefront.households.models import Household
from homefront.households.models import HouseholdScopedQuerySet
from homefront.households.models import long_text
from homefront.trips.models import Trip
from homefront.trips.models import TripKind

MAX_LEAD_DAYS = 30


class Category(models.TextChoices):
    HANDOFF = "handoff", _("Handoff")
    COMFORT = "comfort", _("Kids' comfort")
    HOME = "home", _("Home")
    TRAVEL = "travel", _("Travel")
    PACKING = "packing", _("Packing")


class Who(models.TextChoices):
    TRAVELLER = "traveller", _("The one leaving")
    STAYS = "stays", _("The one staying")
    ANYONE = "anyone", _("Anyone")


def all_trip_kinds() -> list[str]:
    return list(TripKind.values)


class TemplateItemQuerySet(HouseholdScopedQuerySet):
    def tasks(self) -> Self:
        return self.exclude(category=Category.PACKING)

    def packing(self) -> Self:
        return self.filter(category=Category.PACKING)


class TemplateItem(models.Model):
    """One line of the household's checklist template.

    Packing items become the first packing list of each traveller; the others
    become prep tasks of each trip they apply to.
    """

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="template_items"
    )
    title = models.CharField(max_length=NAME_LENGTH)
    category = models.CharField(max_length=16, choices=Category.choices)
    essential = models.BooleanField(
        default=False, help_text=_("Essentials are always planned, even for a sudden departure.")
    )
    days_before = models.PositiveSmallIntegerField(
        _("days before leaving"),
        default=1,
        validators=[MaxValueValidator(MAX_LEAD_DAYS)],
        help_text=_("0 = on the day you leave."),
    )
    who = models.CharField(max_length=16, choices=Who.choices, default=Who.ANYONE)
    trip_kinds = models.JSONField(_("for trips that are"), default=all_trip_kinds)
    per_night = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(10)],
        help_text=_("Packing: how many per night away."),
    )
    extra = models.PositiveSmallIntegerField(
        default=1, validators=[MaxValueValidator(50)], help_text=_("Packing: how many on top.")
    )
    position = models.PositiveIntegerField(default=0)

    objects = TemplateItemQuerySet.as_manager()

    class Meta:
        ordering = ["category", "-days_before", "position", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        unknown = [kind for kind in self.trip_kinds if kind not in TripKind.values]
        if unknown or not self.trip_kinds:
            raise ValidationError({"trip_kinds": "Choose at least one kind of trip."})
        if self.category != Category.PACKING and (self.per_night or self.extra != 1):
            self.per_night, self.extra = 0, 1

    def applies_to(self, trip: Trip) -> bool:
        return trip.kind in self.trip_kinds


class TripPartQuerySet(HouseholdScopedQuerySet):
    household_path = "trip__household"


class PrepTaskQuerySet(TripPartQuerySet):
    def open(self) -> Self:
        return self.filter(done_at__isnull=True)


class PrepTask(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="prep_tasks")
    template_item = models.ForeignKey(
        TemplateItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    title = models.CharField(max_length=NAME_LENGTH)
    category = models.CharField(max_length=16, choices=Category.choices, default=Category.HOME)
    essential = models.BooleanField(default=False)
    days_before = models.PositiveSmallIntegerField(default=1)
    due_on = models.DateField()
    due_at = models.DateTimeField(
        null=True, blank=True, help_text=_("For a sudden departure: due within hours.")
    )
    who = models.CharField(max_length=16, choices=Who.choices, default=Who.ANYONE)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    needed = models.BooleanField(null=True, blank=True)
    comfort_night = models.DateField(_("give it on the night of"), null=True, blank=True)
    comfort_when_missed = models.BooleanField(_("for when they miss you"), default=False)
    notes = long_text()

    objects = PrepTaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "due_at", "-essential", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(comfort_when_missed=True, comfort_night__isnull=False),
                name="comfort_is_for_a_night_or_when_missed",
            ),
        ]
        indexes = [models.Index(fields=["trip", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def done(self) -> bool:
        return self.done_at is not None

    def clean(self) -> None:
        if self.trip_id and self.due_on:
            departure = self.trip.local_start.date()
            if self.due_on > departure:
                raise ValidationError(
                    {"due_on": f"Prep is done by the day of leaving ({departure:%a %-d %b})."}
                )
        if self.comfort_night and self.trip_id and self.comfort_night not in self.trip.nights_list:
            raise ValidationError({"comfort_night": "Choose one of the nights of the trip."})

    def who_label(self, trip: Trip, parents: list[Any]) -> str:
        if self.who == Who.TRAVELLER:
            return trip.traveller.get_short_name()
        if self.who == Who.STAYS:
            others = [p for p in parents if p.pk != trip.traveller_id]
            return others[0].get_short_name() if others else str(_("The one staying"))
        return str(_("Anyone"))


class PackingItem(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="packing_items")
    name = models.CharField(max_length=NAME_LENGTH)
    per_night = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(10)])
    extra = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(50)])
    packed = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    objects = TripPartQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name

    def quantity(self, nights: int) -> int:
        return self.per_night * nights + self.extra
