"""The household, the scope of everything in it, and its members."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any
from typing import Self
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homefront.accounts.member_cache import forget_members
from homefront.households.measurements import Units
from homefront.households.models.fields import NAME_LENGTH
from homefront.households.validators import validate_time_zone


def new_data_version() -> int:
    """A household's first data version: random, so no two households' histories meet."""
    return secrets.randbits(40)


class HouseholdScopedQuerySet(models.QuerySet):
    household_path = "household"

    def in_household(self, household: Household) -> Self:
        return self.filter(**{self.household_path: household})


class HouseholdQuerySet(models.QuerySet):
    """A household is part of each signed-in member's cached copy (accounts/member_cache.py):
    an `update()`, which sends no signal, forgets its members' copies."""

    def update(self, **kwargs: Any) -> int:
        forget_members(
            Membership.objects.filter(household__in=self.values("pk")).values_list(
                "user_id", flat=True
            )
        )
        return super().update(**kwargs)


class MembershipQuerySet(HouseholdScopedQuerySet):
    """Memberships are cached with their user (accounts/member_cache.py): an `update()` or a
    `bulk_create()`, which send no signal, forget the users they touch."""

    def update(self, **kwargs: Any) -> int:
        forget_members(self.values_list("user_id", flat=True))
        return super().update(**kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Membership]:
        made = super().bulk_create(objs, *args, **kwargs)
        forget_members(membership.user_id for membership in made)
        return made


class Household(models.Model):
    name = models.CharField(max_length=NAME_LENGTH)
    time_zone = models.CharField(
        _("home time zone"),
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("Where the children live. Times of routines are in this zone."),
    )
    prep_tasks_per_day = models.PositiveSmallIntegerField(
        _("prep tasks a day"),
        default=3,
        validators=[
            MinValueValidator(1, _("At least one task a day.")),
            MaxValueValidator(10, "At most 10 a day: the point is a calm plan."),
        ],
        help_text=_("The most preparation Homefront plans for one day before a trip."),
    )
    units = models.CharField(
        _("units for weight and height"),
        max_length=8,
        choices=Units.choices,
        default=Units.METRIC,
        help_text=_("Pages show both; this is the one you type and see first."),
    )
    emergency_card_printed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves with every write to the household's data, only through households/versions.py.
    data_version = models.BigIntegerField(default=new_data_version, editable=False)

    objects = HouseholdQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A copy of the household loaded before a write (a cached member's) must never
        # put an older version back: saves leave the column to versions.bump().
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "data_version"
            ]
        super().save(*args, **kwargs)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def today(self) -> date:
        return timezone.localdate(timezone=self.zone)


class Role(models.TextChoices):
    PARENT = "parent", _("Parent")
    CAREGIVER = "caregiver", _("Caregiver")


class Membership(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "user"], name="one_membership_per_user"),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="membership_role_is_known"
            ),
        ]
        ordering = ["role", "joined_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.household}"

    @property
    def is_parent(self) -> bool:
        return self.role == Role.PARENT

    def is_last_parent(self) -> bool:
        return (
            self.is_parent
            and not Membership.objects.filter(household_id=self.household_id, role=Role.PARENT)
            .exclude(pk=self.pk)
            .exists()
        )
