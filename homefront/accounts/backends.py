"""Signing in: Django's model backend, whose signed-in user arrives with their households."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from homefront.households.models import Membership


class MemberBackend(ModelBackend):
    """Passwords are checked as Django's `ModelBackend` checks them. Loading the user of a
    session also loads their memberships, in one query with the user and each household,
    where the user and `CurrentHouseholdMiddleware`'s memberships took two on every
    signed-in request. Django still checks the session's hash against the user's."""

    def get_user(self, user_id: Any) -> Any:
        memberships = list(
            Membership.objects.filter(user_id=user_id)
            .select_related("user", "household")
            .order_by("household__name", "pk")
        )
        if not memberships:
            return super().get_user(user_id)
        user = memberships[0].user
        if not self.user_can_authenticate(user):
            return None
        for membership in memberships:
            membership.user = user
        user.loaded_memberships = memberships
        return user
