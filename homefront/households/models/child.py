"""A child of the household, and their age as parents say it."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from homefront.households import measurements
from homefront.households.models.fields import NAME_LENGTH
from homefront.households.models.fields import long_text
from homefront.households.models.household import Household
from homefront.households.models.household import HouseholdScopedQuerySet


def age_label(birth_date: date, today: date) -> str:
    """A child's age as parents say it: "8 months", "4½", "3", "7"."""
    months = (today.year - birth_date.year) * 12 + today.month - birth_date.month
    if today.day < birth_date.day:
        months -= 1
    if months < 0:
        return "not born yet"
    if months < 24:
        return f"{months} month" + ("" if months == 1 else "s")
    years, rest = divmod(months, 12)
    if years < 6 and rest >= 6:
        return f"{years}½"
    return str(years)


class Child(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=NAME_LENGTH)
    birth_date = models.DateField()
    notes = long_text(help_text=_("Anything a caregiver should know: comfort toy, fears, words."))
    health_reviewed_at = models.DateTimeField(
        _("allergies and medicines last confirmed"), null=True, blank=True, editable=False
    )
    # Metric, whole numbers (measurements.py): for medicine doses, and to describe the
    # child in an emergency.
    weight_grams = models.PositiveIntegerField(
        null=True, blank=True, validators=measurements.WEIGHT_VALIDATORS
    )
    height_mm = models.PositiveIntegerField(
        null=True, blank=True, validators=measurements.HEIGHT_VALIDATORS
    )
    measured_on = models.DateField(_("measured on"), null=True, blank=True)
    # When the current photo (child_photo.ChildPhoto) was added; empty without one.
    photo_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = HouseholdScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), "household", name="unique_child_name"),
        ]
        ordering = ["birth_date", "name"]
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.household_id and self.birth_date:
            if self.birth_date > self.household.today():
                errors["birth_date"] = "A birth date cannot be in the future."
            elif self.birth_date < self.household.today() - timedelta(days=365 * 25):
                errors["birth_date"] = "Homefront is for children; check the year."
        if self.household_id and self.name:
            siblings = Child.objects.filter(household_id=self.household_id, name__iexact=self.name)
            if siblings.exclude(pk=self.pk).exists():
                errors["name"] = "A child with this name is already in your household."
        errors.update(self._measurement_errors())
        if errors:
            raise ValidationError(errors)

    def _measurement_errors(self) -> dict[str, str]:
        measured = self.weight_grams is not None or self.height_mm is not None
        if not measured:
            self.measured_on = None
            return {}
        if self.measured_on is None:
            return {"measured_on": str(_("When were they measured? Give the date."))}
        if self.household_id and self.measured_on > self.household.today():
            return {"measured_on": str(_("A measurement cannot be in the future."))}
        if self.birth_date and self.measured_on < self.birth_date:
            return {"measured_on": str(_("This date is before the child was born."))}
        return {}

    @property
    def weight_label(self) -> str:
        if self.weight_grams is None:
            return ""
        return measurements.weight_label(self.weight_grams, self.household.units)

    @property
    def height_label(self) -> str:
        if self.height_mm is None:
            return ""
        return measurements.height_label(self.height_mm, self.household.units)

    def age(self, today: date | None = None) -> str:
        return age_label(self.birth_date, today or self.household.today())


class ChildScopedQuerySet(HouseholdScopedQuerySet):
    household_path = "child__household"
