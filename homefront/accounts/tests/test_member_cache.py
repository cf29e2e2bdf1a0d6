"""The signed-in user and their memberships come from the shared cache, and every change
to a user, a membership or a household shows on the very next request: on one box's cache
table, and on Redis, where each session's member is kept under the session's key too."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from homefront.accounts.backends import member_cache_key
from homefront.accounts.models import User
from homefront.conftest import Family
from homefront.households.models import Household
from homefront.households.models import Membership
from homefront.households.models import Role

PROFILE = reverse("households:profile")
REDIS_URL = "redis://127.0.0.1:6379/7"


@pytest.fixture(autouse=True, params=["cache table", "redis"])
def shared_cache(request: Any, settings: Any) -> Any:
    if request.param == "redis":
        settings.CACHES = {
            "default": {
                "BACKEND": "homefront.core.cache.RedisCache",
                "LOCATION": REDIS_URL,
                "KEY_PREFIX": "homefront",
            }
        }
        cache.clear()
    yield request.param
    if request.param == "redis":
        cache.clear()


def member_queries(client: Client) -> int:
    """How many queries of a request read a user or their memberships."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PROFILE).status_code == 200
    return sum(
        1
        for query in queries.captured_queries
        if '"accounts_user"' in query["sql"] and "households_membership" in query["sql"]
    )


def test_the_member_is_read_from_the_database_once_then_from_the_cache(family: Family) -> None:
    client = family.client_for(family.parent)
    assert member_queries(client) == 1
    assert member_queries(client) == 0
    assert cache.get(member_cache_key(family.parent.pk)) is not None


def test_a_removed_caregiver_loses_the_household_on_the_next_request(family: Family) -> None:
    carer = family.client_for(family.caregiver)
    assert carer.get(PROFILE).status_code == 200  # cached now
    membership = Membership.objects.get(user=family.caregiver, household=family.household)
    parent = family.client_for(family.parent)
    parent.post(reverse("households:remove_member", args=[membership.pk]))

    assert not Membership.objects.filter(pk=membership.pk).exists()
    response = carer.get(PROFILE)
    assert response.status_code == 302, "a user with no household is sent to make one"


def test_a_caregiver_made_parent_may_plan_at_once(family: Family) -> None:
    carer = family.client_for(family.caregiver)
    settings_page = reverse("households:settings")
    assert carer.get(settings_page).status_code == 403
    membership = Membership.objects.get(user=family.caregiver, household=family.household)
    membership.role = Role.PARENT
    membership.save()
    assert carer.get(settings_page).status_code == 200


def test_a_renamed_household_shows_its_new_name_to_every_member(family: Family) -> None:
    carer = family.client_for(family.caregiver)
    assert b"The Testers" in carer.get(PROFILE).content
    family.household.name = "The Renamed"
    family.household.save()
    assert b"The Renamed" in carer.get(PROFILE).content


def test_a_new_password_ends_the_other_sessions_though_their_user_was_cached(
    family: Family,
) -> None:
    phone, laptop = Client(), Client()
    for client in (phone, laptop):
        assert (
            client.post(
                reverse("accounts:login"),
                {"username": family.parent.email, "password": "a long test password"},
            ).status_code
            == 302
        )
    assert phone.get(PROFILE).status_code == 200
    assert laptop.get(PROFILE).status_code == 200
    response = laptop.post(
        reverse("accounts:password_change"),
        {
            "old_password": "a long test password",
            "new_password1": "another long pass phrase 42",
            "new_password2": "another long pass phrase 42",
        },
    )
    assert response.status_code == 302
    assert laptop.get(PROFILE).status_code == 200  # the changer's own session is kept
    assert phone.get(PROFILE).status_code == 302  # to the login page


def test_a_deactivated_user_is_signed_out(family: Family) -> None:
    carer = family.client_for(family.caregiver)
    assert carer.get(PROFILE).status_code == 200
    family.caregiver.is_active = False
    family.caregiver.save()
    assert carer.get(PROFILE).status_code == 302


def test_a_copy_cached_before_the_commit_is_dropped_when_it_commits(
    family: Family, django_capture_on_commit_callbacks: Any
) -> None:
    key = member_cache_key(family.caregiver.pk)
    with django_capture_on_commit_callbacks(execute=True):
        Membership.objects.filter(user=family.caregiver).get().delete()
        # Another server's request read the database before this commit and caches the
        # memberships it saw.
        cache.set(key, ("stale", []), 300)
    assert cache.get(key) is None


def test_a_member_the_cache_lost_is_read_again(family: Family) -> None:
    carer = family.client_for(family.caregiver)
    assert carer.get(PROFILE).status_code == 200
    cache.clear()
    assert member_queries(carer) == 1


def test_an_update_of_the_household_without_a_save_shows_at_once(family: Family) -> None:
    carer = family.client_for(family.caregiver)
    assert b"The Testers" in carer.get(PROFILE).content
    Household.objects.filter(pk=family.household.pk).update(name="Updated Testers")
    assert b"Updated Testers" in carer.get(PROFILE).content


def test_an_update_of_a_membership_without_a_save_shows_at_once(family: Family) -> None:
    carer = family.client_for(family.caregiver)
    settings_page = reverse("households:settings")
    assert carer.get(settings_page).status_code == 403
    Membership.objects.filter(user=family.caregiver).update(role=Role.PARENT)
    assert carer.get(settings_page).status_code == 200


def test_memberships_made_in_bulk_show_at_once(family: Family) -> None:
    outsider = family.client_for(family.outsider)
    assert outsider.get(PROFILE).status_code == 200  # their own household, cached
    Membership.objects.bulk_create(
        [Membership(household=family.household, user=family.outsider, role=Role.CAREGIVER)]
    )
    switch = outsider.post(reverse("households:switch"), {"household": family.household.pk})
    assert switch.status_code == 302
    assert b"Maya" in outsider.get(PROFILE).content


def test_a_user_updated_without_a_save_is_signed_out_at_once(family: Family) -> None:
    carer = family.client_for(family.caregiver)
    assert carer.get(PROFILE).status_code == 200
    User.objects.filter(pk=family.caregiver.pk).update(is_active=False)
    assert carer.get(PROFILE).status_code == 302
