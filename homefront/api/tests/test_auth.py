from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from homefront.api.models import AccessToken
from homefront.api.models import hash_token
from homefront.api.tests.conftest import Api
from homefront.households.models import Child
from homefront.households.models import Membership


@pytest.mark.parametrize("token", [None, "hf_" + "x" * 43, "short", "not a bearer at all"])
def test_unknown_or_missing_token_is_a_json_401(family, token):
    response = Api(token).get("/children")
    assert response.status_code == 401
    assert "API token" in response.json()["detail"]
    assert "Maya" not in response.content.decode()


def test_the_stored_hash_is_not_a_token(family):
    access = AccessToken.objects.get(token_hash=hash_token(family.write_token))
    assert Api(access.token_hash).get("/children").status_code == 401
    assert family.write_token not in str(AccessToken.objects.values_list())


def test_revoked_expired_and_orphaned_tokens_are_refused(family):
    api = Api(family.write_token)
    assert api.get("/children").status_code == 200
    AccessToken.objects.filter(pk=family.write_access.pk).update(revoked_at=timezone.now())
    assert api.get("/children").status_code == 401

    _, token = AccessToken.issue(family.parent, family.household, "Soon gone", "read")
    AccessToken.objects.filter(token_hash=hash_token(token)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert Api(token).get("/children").status_code == 401

    carer = Api(family.carer_token)
    assert carer.get("/children").status_code == 200
    Membership.objects.filter(household=family.household, user=family.caregiver).delete()
    assert carer.get("/children").status_code == 401


def test_a_read_token_may_not_write(family):
    api = Api(family.read_token)
    assert api.get("/children").status_code == 200
    before = Child.objects.count()
    response = api.post("/children", {"name": "Noor", "birth_date": "2023-01-01"})
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]
    response = api.patch(f"/prep-tasks/{family.prep_task.pk}", {"done": True})
    assert response.status_code == 403
    response = api.post(f"/trips/{family.trip.pk}/journal/sync", {"entries": []})
    assert response.status_code == 403
    assert Child.objects.count() == before


def test_a_caregiver_may_not_do_what_only_parents_do(family):
    api = Api(family.carer_token)
    response = api.post("/children", {"name": "Noor", "birth_date": "2023-01-01"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Only a parent of this household can do this."}
    assert api.get(f"/trips/{family.trip.pk}/share-links").status_code == 403
    assert api.patch(f"/prep-tasks/{family.prep_task.pk}", {"done": True}).status_code == 200


def test_last_used_is_recorded_once_a_minute(family):
    access = family.write_access
    api = Api(family.write_token)
    with time_machine.travel("2030-01-01 12:00:00Z", tick=False):
        api.get("/children")
    access.refresh_from_db()
    first = access.last_used_at
    assert first is not None
    with time_machine.travel("2030-01-01 12:00:30Z", tick=False):
        api.get("/children")
    access.refresh_from_db()
    assert access.last_used_at == first
    with time_machine.travel("2030-01-01 12:02:00Z", tick=False):
        api.get("/children")
    access.refresh_from_db()
    assert access.last_used_at > first


def test_a_body_over_a_megabyte_is_a_413(family):
    response = Api(family.write_token).post(
        f"/trips/{family.trip.pk}/journal/sync", {"entries": [{"text": "x" * 1_100_000}]}
    )
    assert response.status_code == 413
    assert "1 MB" in response.json()["detail"]


# -- The tokens page ----------------------------------------------------------------------


def test_member_makes_a_token_sees_it_once_and_revokes_it(family):
    client = family.client_for(family.caregiver)
    url = reverse("api:tokens")
    response = client.post(url, {"name": "Bath shortcut", "scope": "write"})
    assert response.status_code == 200
    secret = response.context["created"]["secret"]
    assert secret in response.content.decode()
    access = AccessToken.objects.get(name="Bath shortcut")
    assert (access.user, access.household, access.scope) == (
        family.caregiver,
        family.household,
        "write",
    )
    assert access.token_hash == hash_token(secret)
    page = client.get(url).content.decode()
    assert "Bath shortcut" in page
    assert secret not in page
    assert "never used" in page

    assert Api(secret).get("/children").status_code == 200
    assert "last used" in client.get(url).content.decode()
    response = client.post(reverse("api:revoke_token", args=[access.pk]))
    assert response.status_code == 302
    assert Api(secret).get("/children").status_code == 401


def test_the_tokens_page_shows_only_your_own_tokens(family):
    page = family.client_for(family.caregiver).get(reverse("api:tokens")).content.decode()
    assert "Carer" in page
    assert "Write" not in page.replace("Read and write", "")
    # Nobody revokes another member's token.
    client = family.client_for(family.caregiver)
    response = client.post(reverse("api:revoke_token", args=[family.write_access.pk]))
    assert response.status_code == 404
    family.write_access.refresh_from_db()
    assert family.write_access.revoked_at is None


def test_a_token_needs_a_name(family):
    response = family.client_for(family.parent).post(reverse("api:tokens"), {"scope": "read"})
    assert response.status_code == 422
    assert not AccessToken.objects.filter(name="").exists()


def test_the_account_page_links_the_tokens_page(family):
    page = family.client_for(family.parent).get(reverse("accounts:account")).content.decode()
    assert reverse("api:tokens") in page
