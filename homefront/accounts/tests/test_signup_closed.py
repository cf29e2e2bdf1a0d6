"""With sign-up closed, only a holder of a working invitation can create an account."""

from __future__ import annotations

import pytest
from django.urls import reverse

from homefront.accounts.models import User
from homefront.households.models import Invitation
from homefront.households.models import Role

NEW_PERSON = {
    "name": "Grandma Ruth",
    "email": "ruth@example.com",
    "password1": "a very long passphrase 42",
    "password2": "a very long passphrase 42",
}


@pytest.fixture
def closed(settings):
    settings.SIGNUP_OPEN = False


def test_stranger_cannot_sign_up(closed, client, db):
    assert client.get("/account/signup/").status_code == 404
    assert client.post("/account/signup/", NEW_PERSON).status_code == 404
    assert not User.objects.exists()


def test_invited_person_can_sign_up_and_join(closed, client, family):
    _invitation, token = Invitation.issue(family.household, Role.CAREGIVER, family.parent)
    join = reverse("households:accept", args=[token])
    assert client.get(f"/account/signup/?next={join}").status_code == 200
    response = client.post("/account/signup/", {**NEW_PERSON, "next": join})
    assert response.status_code == 302
    assert response["Location"] == join
    assert client.post(join).status_code == 302
    ruth = User.objects.get(email="ruth@example.com")
    assert ruth.memberships.get().household == family.household


def test_a_used_invitation_does_not_open_sign_up(closed, client, family):
    invitation, token = Invitation.issue(family.household, Role.CAREGIVER, family.parent)
    invitation.accept(family.outsider)
    join = reverse("households:accept", args=[token])
    response = client.post("/account/signup/", {**NEW_PERSON, "next": join})
    assert response.status_code == 404
    assert not User.objects.filter(email="ruth@example.com").exists()
