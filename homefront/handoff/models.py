from __future__ import annotations

import hmac
import secrets
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import TYPE_CHECKING
from typing import Self

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homefront.households.models import NAME_LENGTH
from homefront.households.models import Contact
from homefront.households.models import Household
from homefront.households.models import HouseholdScopedQuerySet
from homefront.households.models import hash_token
from homefront.trips.models import Trip

if TYPE_CHECKING:
    from homefront.accounts.models import User

TOKEN_BYTES = 24  # 192 random bits


class ShareLinkQuerySet(HouseholdScopedQuerySet):
    household_path = "trip__household"

    def live(self) -> Self:
        return self.filter(revoked_at__isnull=True)


class ShareLink(models.Model):
    """A capability URL: whoever holds it reads one trip's brief, nothing else.

    Only a hash of the token is stored; the link works from the moment it is made
    (reading ahead is the point of sending it early) until `days_after` the trip,
    unless revoked. Logging through it opens the day before the trip, as the
    journal's own rule says (journal/entries.py).
    """

    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="share_links")
    label = models.CharField(
        _("who is it for?"), max_length=NAME_LENGTH, help_text=_("e.g. “Grandma Judy”.")
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="share_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The brief, its PDF, the quick log and messages to this caregiver speak it (i18n.py).
    language = models.CharField(
        _("in which language?"),
        max_length=16,
        default="en",
        help_text=_("The brief and the quick log."),
    )
    # No longer limits anything: a link works from the moment it is made. Kept so
    # household files and API clients of earlier versions still read and write it.
    days_before = models.PositiveSmallIntegerField(
        _("works from … days before the trip"), default=2, validators=[MaxValueValidator(14)]
    )
    days_after = models.PositiveSmallIntegerField(
        _("until … days after it"), default=1, validators=[MaxValueValidator(14)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ShareLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Brief link for {self.label}"

    @classmethod
    def issue(cls, trip: Trip, created_by: User | None, **fields: object) -> tuple[ShareLink, str]:
        token = secrets.token_urlsafe(TOKEN_BYTES)
        link = cls(trip=trip, created_by=created_by, token_hash=hash_token(token), **fields)
        link.full_clean(exclude=["token_hash"])
        link.save()
        return link, token

    @classmethod
    def find(cls, token: str, now: datetime | None = None) -> ShareLink | None:
        """The working link for a token; None for forged, revoked or out-of-date ones alike."""
        if not 20 <= len(token) <= 64:
            return None
        digest = hash_token(token)
        link = (
            cls.objects.live()
            .filter(token_hash=digest, trip__cancelled_at__isnull=True)
            .select_related("trip__household", "trip__traveller")
            .first()
        )
        # The lookup is by hash already; the constant-time check guards the
        # comparison against any future change to how links are found.
        if link is None or not hmac.compare_digest(link.token_hash, digest):
            return None
        return link if link.is_valid(now) else None

    @property
    def valid_from(self) -> datetime:
        """When it was made: the caregiver reads the brief as soon as it arrives."""
        return self.created_at or timezone.now()

    @property
    def valid_until(self) -> datetime:
        zone = self.trip.household.zone
        last = self.trip.local_end.date() + timedelta(days=self.days_after + 1)
        return datetime.combine(last, time(0), tzinfo=zone)

    @property
    def last_day(self) -> date:
        """The last day the link works, for people (valid_until is the midnight after it)."""
        return (self.valid_until - timedelta(days=1)).date()

    def is_valid(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and now < self.valid_until

    def kept_until(self, *, shows_codes: bool) -> datetime:
        """Until when a phone keeps this link's pages offline: while the link works, and,
        for a copy showing the house codes, no longer than the codes are shown."""
        return min(self.valid_until, self.trip.ends_at) if shows_codes else self.valid_until

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        now = timezone.now()
        if now >= self.valid_until:
            return "expired"
        return "working"


class ShareLinkOpen(models.Model):
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="opens")
    opened_at = models.DateTimeField(auto_now_add=True)
    page = models.CharField(max_length=32, default="brief")

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.link} opened {self.opened_at:%Y-%m-%d %H:%M}"


class GoBagItem(models.Model):
    """The bag kept ready for a departure on an hour's notice."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="go_bag")
    name = models.CharField(max_length=NAME_LENGTH)
    ready = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    objects = HouseholdScopedQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


DEFAULT_GO_BAG = [
    "Phone charger and a power bank",
    "Two days of clothes and toiletries",
    "Your own medicines",
    "ID, insurance card and some cash",
    "Printed emergency card with the phone tree",
]
