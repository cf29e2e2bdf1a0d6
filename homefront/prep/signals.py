"""Prep follows the household and its trips without the trips app knowing about it."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.db.models.signals import pre_save
from django.dispatch import receiver

from homefront.households.models import Household
from homefront.prep.planning import plan_trip
from homefront.prep.planning import replan_open_tasks
from homefront.prep.planning import seed_template
from homefront.trips.models import Trip


@receiver(post_save, sender=Household)
def give_new_households_the_default_template(
    sender: type[Household], instance: Household, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        seed_template(instance)


@receiver(pre_save, sender=Trip)
def remember_the_departure(
    sender: type[Trip], instance: Trip, raw: bool = False, **kwargs: Any
) -> None:
    instance._departure_before_save = (  # type: ignore[attr-defined]
        Trip.objects.filter(pk=instance.pk).values_list("starts_at", flat=True).first()
        if instance.pk and not raw
        else None
    )


@receiver(post_save, sender=Trip)
def plan_or_move_prep(
    sender: type[Trip], instance: Trip, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or instance.cancelled_at:
        return
    upcoming = instance.local_start.date() >= instance.household.today()
    if created:
        if upcoming:
            plan_trip(instance)
        return
    before = getattr(instance, "_departure_before_save", None)
    if upcoming and before is not None and before != instance.starts_at:
        replan_open_tasks(instance)
