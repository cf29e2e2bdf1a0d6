"""Notes about the house, some of them codes shown only to who may see them."""

from __future__ import annotations

from typing import Self

from django.db import models
from django.utils.translation import gettext_lazy as _

from homefront.households.models.fields import NAME_LENGTH
from homefront.households.models.fields import long_text
from homefront.households.models.household import Household
from homefront.households.models.household import HouseholdScopedQuerySet


class HouseNoteQuerySet(HouseholdScopedQuerySet):
    def shown(self, household: Household, *, sensitive: bool) -> Self:
        """The household's notes, with the sensitive ones only when the access policy says."""
        notes = self.in_household(household)
        return notes if sensitive else notes.filter(sensitive=False)


class HouseNote(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="house_notes")
    title = models.CharField(max_length=NAME_LENGTH)
    text = long_text(max_length=5000)
    sensitive = models.BooleanField(
        default=False,
        help_text=_(
            "Alarm or door codes: hidden until revealed, and only for parents "
            "(and the caregiver in charge, from the day before the trip)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseNoteQuerySet.as_manager()

    class Meta:
        ordering = ["sensitive", "title"]

    def __str__(self) -> str:
        return self.title
