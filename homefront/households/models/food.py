"""What a child likes, dislikes and is allergic to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homefront.households.models.child import Child
from homefront.households.models.child import ChildScopedQuerySet
from homefront.households.models.fields import NAME_LENGTH
from homefront.households.models.fields import long_text


class FoodKind(models.TextChoices):
    LIKE = "like", _("Likes")
    DISLIKE = "dislike", _("Dislikes")
    ALLERGY = "allergy", _("Allergy")


class Severity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe (can be life-threatening)")


class Food(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="foods")
    name = models.CharField(max_length=NAME_LENGTH)
    kind = models.CharField(max_length=16, choices=FoodKind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices, blank=True)
    what_to_do = long_text(
        help_text=_("For an allergy: the signs, and what to do (e.g. antihistamine, call 911).")
    )

    objects = ChildScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="allergy") | ~Q(severity=""), name="allergy_has_severity"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == FoodKind.ALLERGY:
            errors = {}
            if not self.severity:
                errors["severity"] = "How serious is this allergy?"
            if not self.what_to_do.strip():
                errors["what_to_do"] = "Tell the caregiver what to do if it happens."
            if errors:
                raise ValidationError(errors)
        else:
            self.severity = ""
