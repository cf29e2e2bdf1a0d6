"""Signing in: Django's model backend, whose signed-in user arrives with their households.

The user of a session and their memberships are read from the shared cache (settings.CACHES)
and from the database only when the cache has none: on every signed-in request the ORM's
join cost more than everything else the request did before its view (docs/benchmarks.md).
Every save or delete of a user, a membership or a household drops the cached copy of each
user it touches once the transaction commits, on every server at once since the cache is
shared; the copy also expires on its own after `MEMBER_CACHE_SECONDS`. The querysets of
those models forget them too on `update()` and `bulk_create()`, which send no signal
(`accounts/member_cache.py`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import post_delete
from django.db.models.signals import post_save
from django.dispatch import receiver

from homefront.accounts.member_cache import MEMBER_CACHE_SECONDS
from homefront.accounts.member_cache import forget_members
from homefront.accounts.member_cache import keep_with_session
from homefront.accounts.member_cache import member_cache_key
from homefront.accounts.member_cache import member_read_with_session
from homefront.accounts.models import User
from homefront.households.models import Household
from homefront.households.models import Membership


class MemberBackend(ModelBackend):
    """Passwords are checked as Django's `ModelBackend` checks them. Loading the user of a
    session also loads their memberships, in one query with the user and each household,
    where the user and `CurrentHouseholdMiddleware`'s memberships took two on every
    signed-in request. Django still checks the session's hash against the user's, and the
    cached user carries the password hash of the moment, so a new password ends every
    other session as before."""

    def get_user(self, user_id: Any) -> Any:
        cached = member_read_with_session(user_id)
        if cached is None:
            key = member_cache_key(user_id)
            cached = cache.get(key)
            if cached is None:
                cached = self._load(user_id)
                if cached is None:
                    return None
                cache.set(key, cached, MEMBER_CACHE_SECONDS)
            keep_with_session(user_id, cached)
        user, memberships = cached
        if not self.user_can_authenticate(user):
            return None
        for membership in memberships:
            membership.user = user
        user.loaded_memberships = memberships
        return user

    def _load(self, user_id: Any) -> tuple[User, list[Membership]] | None:
        memberships = list(
            Membership.objects.filter(user_id=user_id)
            .select_related("user", "household")
            .order_by("household__name", "pk")
        )
        if memberships:
            return memberships[0].user, memberships
        user = User.objects.filter(pk=user_id).first()
        return None if user is None else (user, [])


@receiver([post_save, post_delete], sender=User, dispatch_uid="forget_member_user")
def _user_changed(sender: type[Model], instance: User, **kwargs: Any) -> None:
    forget_members([instance.pk])


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="forget_member_membership")
def _membership_changed(sender: type[Model], instance: Membership, **kwargs: Any) -> None:
    forget_members([instance.user_id])


@receiver([post_save, post_delete], sender=Household, dispatch_uid="forget_member_household")
def _household_changed(sender: type[Model], instance: Household, **kwargs: Any) -> None:
    # After a delete the memberships are gone with the household: their users were
    # forgotten one by one as each membership was deleted.
    forget_members(
        Membership.objects.filter(household_id=instance.pk).values_list("user_id", flat=True)
    )
