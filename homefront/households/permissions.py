"""Who may see what. The one place the rules live, so later features widen them here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from datetime import datetime

    from homefront.households.models import Membership
    from homefront.trips.models import Trip


def can_edit_profile(membership: Membership) -> bool:
    return membership.is_parent


def can_manage_members(membership: Membership) -> bool:
    return membership.is_parent


def can_see_sensitive_notes(membership: Membership) -> bool:
    """Alarm and door codes on the profile: parents only."""
    return membership.is_parent


def brief_shows_sensitive_notes(
    *, trip: Trip, membership: Membership | None, now: datetime | None = None
) -> bool:
    """In a trip's brief: parents always; the caregiver covering the trip, or the
    holder of the trip's share link (membership None), only while the trip is on."""
    if membership is not None and membership.is_parent:
        return True
    now = now or timezone.now()
    return trip.cancelled_at is None and trip.starts_at <= now < trip.ends_at
