"""Keeping each household's `Schedule.next_plan_at` true: every write that can make a
message due sets it to now, so the worker plans that household in its next round.

The writes are followed through signals, as prep follows trips, so the apps below
notify know nothing of it: a trip, a cover (made or removed), a prep task, a member (who
is a parent decides who is told, and who is home on a night), the household (its zone),
a person's own zone, the first open of a share link, and a parent's channel. Queryset
`update()` and `bulk_create()` send no signals: code that writes those ways and changes
what is due calls `plan_soon()` itself.

Removing a trip, a task or a channel never makes a message due, so only removed covers
and members are followed; the household's next planning finds the rest gone. Journal
entries need nothing: the planner looks at the traveller's day in the evening, and
again every half hour until midnight while nothing is logged (`plan.RECHECK`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.db.models import QuerySet
from django.db.models.signals import post_delete
from django.db.models.signals import post_save
from django.utils import timezone

from homefront.accounts.models import User
from homefront.handoff.models import ShareLink
from homefront.handoff.models import ShareLinkOpen
from homefront.households.models import Household
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.notify.models import Channel
from homefront.notify.models import Schedule
from homefront.prep.models import PrepTask
from homefront.trips.models import Cover
from homefront.trips.models import Trip


def plan_soon(household: int | QuerySet[Any], now: datetime | None = None) -> int:
    """Makes the household (an id, or a queryset of ids) due now, unless it is already due
    or has no channel to tell. One UPDATE."""
    now = now or timezone.now()
    which = Q(household_id=household) if isinstance(household, int) else Q(household__in=household)
    return Schedule.objects.filter(which, next_plan_at__gt=now).update(next_plan_at=now)


def channel_added(channel: Channel, now: datetime | None = None) -> None:
    """A parent's new channel has messages to get at once (the readiness review, an
    uncovered night): the household is due now. Anyone else is told by the planner only
    of their morning as the adult in charge (caregiver_morning.py), which the covers book
    whether or not they have a channel yet, so their channel only makes sure the household
    has a schedule. One statement more."""
    a_parents_channel = (
        channel.user_id is not None
        and Membership.objects.filter(
            household_id=channel.household_id, user_id=channel.user_id, role=Role.PARENT
        ).exists()
    )
    schedule = Schedule(household_id=channel.household_id, next_plan_at=now or timezone.now())
    if a_parents_channel:
        Schedule.objects.bulk_create(
            [schedule],
            update_conflicts=True,
            unique_fields=["household"],
            update_fields=["next_plan_at"],
        )
    else:
        Schedule.objects.bulk_create([schedule], ignore_conflicts=True)


def _trip_saved(instance: Trip, **kwargs: Any) -> None:
    plan_soon(instance.household_id)


def _cover_changed(instance: Cover, **kwargs: Any) -> None:
    plan_soon(instance.household_id)


def _task_saved(instance: PrepTask, **kwargs: Any) -> None:
    plan_soon(Trip.objects.filter(pk=instance.trip_id).values("household_id"))


def _membership_changed(instance: Membership, **kwargs: Any) -> None:
    plan_soon(instance.household_id)


def _household_saved(instance: Household, created: bool, **kwargs: Any) -> None:
    if not created:
        plan_soon(instance.pk)


def _person_saved(instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    # Signing in writes last_login only; a person's zone moves their morning digest.
    if update_fields is None or "time_zone" in update_fields:
        plan_soon(Membership.objects.filter(user=instance).values("household_id"))


def _share_link_opened(instance: ShareLinkOpen, created: bool, **kwargs: Any) -> None:
    if created:
        plan_soon(ShareLink.objects.filter(pk=instance.link_id).values("trip__household_id"))


def _channel_saved(instance: Channel, **kwargs: Any) -> None:
    channel_added(instance)


def connect() -> None:
    post_save.connect(_trip_saved, sender=Trip, dispatch_uid="notify-due-trip")
    post_save.connect(_cover_changed, sender=Cover, dispatch_uid="notify-due-cover")
    post_delete.connect(_cover_changed, sender=Cover, dispatch_uid="notify-due-cover-gone")
    post_save.connect(_task_saved, sender=PrepTask, dispatch_uid="notify-due-task")
    post_save.connect(_membership_changed, sender=Membership, dispatch_uid="notify-due-member")
    post_delete.connect(
        _membership_changed, sender=Membership, dispatch_uid="notify-due-member-gone"
    )
    post_save.connect(_household_saved, sender=Household, dispatch_uid="notify-due-household")
    post_save.connect(_person_saved, sender=User, dispatch_uid="notify-due-person")
    post_save.connect(_share_link_opened, sender=ShareLinkOpen, dispatch_uid="notify-due-open")
    post_save.connect(_channel_saved, sender=Channel, dispatch_uid="notify-due-channel")


def _entries_logged(trip: Trip, entries: list[Any], author_id: int | None, **kwargs: Any) -> None:
    from homefront.notify.events import entries_logged

    entries_logged(trip, entries, author_id)


def _photo_stored(photo: Any, children: list[str], author_id: int | None, **kwargs: Any) -> None:
    from homefront.notify.events import photo_added

    photo_added(photo.trip, photo.pk, children, author_id)


def connect_events() -> None:
    from homefront.journal.signals import entries_logged
    from homefront.photos.signals import photo_stored

    entries_logged.connect(_entries_logged, dispatch_uid="notify-entries-logged")
    photo_stored.connect(_photo_stored, dispatch_uid="notify-photo-stored")
