from __future__ import annotations

import secrets
import uuid
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Any
from typing import Self
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from homefront.households.models import NAME_LENGTH
from homefront.households.models import Contact
from homefront.households.models import Household
from homefront.households.models import HouseholdScopedQuerySet
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.models import hash_token
from homefront.households.models import long_text
from homefront.households.validators import validate_time_zone

if TYPE_CHECKING:
    from homefront.accounts.models import User

MAX_NIGHTS = 60
# A parent is away for the night of day D when they are away at 03:00 on D+1:
# leaving Thursday morning and coming home Sunday evening is 3 nights. 03:00
# exists on every day, DST changes included, in the zones families live in.
NIGHT_MOMENT = time(3, 0)


def night_moment(night: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(night + timedelta(days=1), NIGHT_MOMENT, tzinfo=zone)


class TripKind(models.TextChoices):
    PLANNED = "planned", _("Planned")
    WORK = "work", _("Work")
    SHORT_NOTICE = "short_notice", _("Short notice")


class TripState(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    AWAY = "away", _("Away now")
    BACK = "back", _("Back")
    CANCELLED = "cancelled", _("Cancelled")


class TripQuerySet(HouseholdScopedQuerySet):
    def active(self) -> Self:
        return self.filter(cancelled_at__isnull=True)

    def overlapping(self, start: datetime, end: datetime) -> Self:
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class Trip(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="trips")
    traveller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trips"
    )
    starts_at = models.DateTimeField(_("leaves"))
    ends_at = models.DateTimeField(_("back"))
    destination = models.CharField(max_length=NAME_LENGTH, blank=True)
    destination_zone = models.CharField(
        _("time zone there"), max_length=64, validators=[validate_time_zone]
    )
    kind = models.CharField(max_length=16, choices=TripKind.choices, default=TripKind.PLANNED)
    notes = long_text()
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Stable identity for calendar feeds, and the source event of an import.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    imported_uid = models.CharField(max_length=255, blank=True, editable=False)
    # What the work calendar said of the times and place at the last import (ISO times):
    # a re-import tells from it the parent's own changes from the calendar's moves.
    imported_values = models.JSONField(default=dict, blank=True, editable=False)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TripQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="trip_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["household", "traveller", "imported_uid"],
                condition=~Q(imported_uid=""),
                name="one_trip_per_imported_event",
            ),
        ]
        indexes = [models.Index(fields=["household", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        place = f" to {self.destination}" if self.destination else ""
        return f"{self.traveller}{place}, {self.local_start:%a %-d %b}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            self.sequence += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sequence", "updated_at"}
        # What follows a trip through signals (its prep plan, moved with its departure)
        # is written in the trip's own transaction: a trip is never left without it.
        with transaction.atomic():
            super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                errors.setdefault("ends_at", []).append("The return must be after the departure.")
            elif self.nights > MAX_NIGHTS:
                errors.setdefault("ends_at", []).append(
                    f"That is {self.nights} nights; a trip can be at most {MAX_NIGHTS} nights. "
                    "Split a longer absence into several trips."
                )
        if self.household_id and self.traveller_id:
            if not Membership.objects.filter(
                household_id=self.household_id, user_id=self.traveller_id, role=Role.PARENT
            ).exists():
                errors.setdefault("traveller", []).append(
                    "The traveller must be a parent of this household."
                )
            elif self.starts_at and self.ends_at and self.ends_at > self.starts_at:
                clash = (
                    Trip.objects.filter(
                        household_id=self.household_id, traveller_id=self.traveller_id
                    )
                    .active()
                    .overlapping(self.starts_at, self.ends_at)
                    .exclude(pk=self.pk)
                    .first()
                )
                if clash is not None:
                    errors.setdefault("starts_at", []).append(
                        f"{self.traveller.get_short_name()} is already away then: {clash}. "
                        "Change the dates, or edit that trip."
                    )
        if errors:
            raise ValidationError(errors)

    @property
    def home_zone(self) -> ZoneInfo:
        return self.household.zone

    @property
    def away_zone(self) -> ZoneInfo:
        return ZoneInfo(self.destination_zone)

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.home_zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.home_zone)

    @property
    def nights_list(self) -> list[date]:
        """The nights the traveller is away, each named by the date the evening falls on."""
        zone = self.home_zone
        first = self.local_start.date() - timedelta(days=1)
        last = self.local_end.date()
        nights = []
        day = first
        while day <= last:
            if self.starts_at <= night_moment(day, zone) < self.ends_at:
                nights.append(day)
            day += timedelta(days=1)
        return nights

    @property
    def nights(self) -> int:
        return len(self.nights_list)

    def state(self, now: datetime | None = None) -> TripState:
        now = now or timezone.now()
        if self.cancelled_at:
            return TripState.CANCELLED
        if now < self.starts_at:
            return TripState.UPCOMING
        if now < self.ends_at:
            return TripState.AWAY
        return TripState.BACK

    def is_away_on_night(self, night: date) -> bool:
        return (
            not self.cancelled_at
            and self.starts_at <= night_moment(night, self.home_zone) < self.ends_at
        )


class CoverQuerySet(HouseholdScopedQuerySet):
    pass


class Cover(models.Model):
    """The adult named in charge of the children on one night.

    One per household and night, whichever trips make that night need it;
    without one, a parent at home covers.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="covers")
    night = models.DateField()
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="covers"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = CoverQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "night"], name="one_cover_per_night"),
            models.CheckConstraint(
                condition=Q(member__isnull=True, contact__isnull=False)
                | Q(member__isnull=False, contact__isnull=True),
                name="cover_is_one_adult",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.adult_name} on {self.night:%a %-d %b}"

    @property
    def adult_name(self) -> str:
        if self.member_id:
            return str(self.member)
        return str(self.contact)


# A phone calendar polls its feed every few minutes; when it last did is kept to this
# precision, so reading the calendar is not a database write each time.
FEED_READ_NOTED_EVERY = timedelta(minutes=5)


class CalendarFeed(models.Model):
    """A private, revocable address of one person's copy of the family calendar."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="feeds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    objects = HouseholdScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Calendar feed of {self.user} for {self.household}"

    @classmethod
    def issue(cls, household: Household, user: User) -> tuple[CalendarFeed, str]:
        token = secrets.token_urlsafe(32)
        feed = cls.objects.create(household=household, user=user, token_hash=hash_token(token))
        return feed, token

    def note_read(self, now: datetime) -> None:
        """Keeps when the address was last read, at most once every few minutes."""
        last = self.last_fetched_at
        if last is not None and now - last < FEED_READ_NOTED_EVERY:
            return
        # Of several polls at once, the first writes; the others find it already done.
        CalendarFeed.objects.filter(pk=self.pk, last_fetched_at=last).update(last_fetched_at=now)
        self.last_fetched_at = now

    @classmethod
    def find(cls, token: str) -> CalendarFeed | None:
        if not 20 <= len(token) <= 100:
            return None
        return (
            cls.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True)
            .select_related("household", "user")
            .first()
        )


class CalendarImport(models.Model):
    """An uploaded work calendar between its preview and its confirm.

    `events` holds the candidate events read from the file (see trips/imports.py):
    uid, summary, location, start/end as ISO strings with their offset, zone,
    all_day. The row is deleted once the import is confirmed.
    """

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="calendar_imports"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    events = models.JSONField(default=list)

    objects = HouseholdScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Calendar import by {self.created_by} for {self.household}"


class Goal(models.Model):
    """A next step the family sets itself: "two nights away in November".

    Shown on the family calendar until it is met by a trip or dropped.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="goals")
    traveller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals"
    )
    nights = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1, "At least one night."), MaxValueValidator(MAX_NIGHTS)]
    )
    first_night = models.DateField(_("from the night of"))
    note = models.CharField(max_length=NAME_LENGTH, blank=True)
    dropped_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HouseholdScopedQuerySet.as_manager()

    class Meta:
        ordering = ["first_night"]

    def __str__(self) -> str:
        return ngettext(
            "%(nights)d night away from %(day)s", "%(nights)d nights away from %(day)s", self.nights
        ) % {"nights": self.nights, "day": date_format(self.first_night, gettext("j M"))}

    @property
    def last_night(self) -> date:
        return self.first_night + timedelta(days=self.nights - 1)

    def covers(self, day: date) -> bool:
        return self.first_night <= day <= self.last_night
