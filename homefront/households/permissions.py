"""Who may see what. The one place the rules live, so later features widen them here."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from homefront.households.models import Membership


def can_edit_profile(membership: Membership) -> bool:
    return membership.is_parent


def can_manage_members(membership: Membership) -> bool:
    return membership.is_parent


def can_see_sensitive_notes(membership: Membership) -> bool:
    """Alarm and door codes: parents only. Trips will add the caregiver on cover."""
    return membership.is_parent
