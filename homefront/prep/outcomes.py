"""Prep tasks whose outcome Homefront can see tick themselves: once someone is in charge of
every night of the trip, and once whoever covers has opened the brief through its share
link. Making the link ticks nothing: sent is not read, and the walk through the brief is
about the caregiver having it in hand. They are the default checklist's tasks, known by
their titles; a task a parent renamed stays theirs, and one a parent unticked is not
ticked again by later openings."""

from __future__ import annotations

from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from homefront.prep.models import PrepTask
from homefront.trips.cover import FamilyNights
from homefront.trips.models import Cover
from homefront.trips.models import Trip

EVERY_NIGHT_COVERED = {"Check who is in charge each night"}
BRIEF_READ = {"Walk the one staying through the brief"}


def tick(trip: Trip, titles: set[str]) -> int:
    return PrepTask.objects.filter(trip=trip, done_at__isnull=True, title__in=titles).update(
        done_at=timezone.now()
    )


def every_night_covered(trip: Trip) -> bool:
    nights = trip.nights_list
    if not nights:
        return False
    family = FamilyNights.load(trip.household, nights[0], nights[-1])
    return not any(n.night in nights for n in family.uncovered_between(nights[0], nights[-1]))


@receiver(post_save, sender=Cover)
def tick_when_every_night_is_covered(
    sender: type[Cover], instance: Cover, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    night = instance.night
    zone = instance.household.zone
    trips = Trip.objects.filter(
        household_id=instance.household_id,
        cancelled_at__isnull=True,
        starts_at__lt=datetime.combine(night + timedelta(days=2), time(0), tzinfo=zone),
        ends_at__gt=datetime.combine(night, time(0), tzinfo=zone),
    ).select_related("household")
    for trip in trips:
        if night in trip.nights_list and every_night_covered(trip):
            tick(trip, EVERY_NIGHT_COVERED)


@receiver(post_save, sender="handoff.ShareLinkOpen")
def tick_when_a_share_link_is_first_opened(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if not created or raw:
        return
    if sender.objects.filter(link_id=instance.link_id).exclude(pk=instance.pk).exists():
        return
    tick(instance.link.trip, BRIEF_READ)
