"""Households and their members: creating, inviting, joining, removing, leaving, switching."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from homefront.accounts.models import User
from homefront.households.middleware import SESSION_KEY
from homefront.households.models import Household
from homefront.households.models import Invitation
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.models import hash_token
from homefront.testing.pages import field_error
from homefront.testing.pages import text
from homefront.testing.zones import NOT_A_ZONE

CREATE = "/household/new/"
SWITCH = "/household/switch/"
MEMBERS = "/household/members/"
INVITE = "/household/members/invite/"
LEAVE = "/household/leave/"
PROFILE = "/profile/"


def current_household(client: Client) -> int | None:
    return client.session.get(SESSION_KEY)


def invite(client: Client, role: str = Role.CAREGIVER, invitee: str = "Aunt Bea") -> str:
    """Creates an invitation through the page; returns the token from the shown link."""
    response = client.post(INVITE, {"role": role, "invitee": invitee})
    assert response.status_code == 200
    match = re.search(r'value="http://testserver/join/([^/"]+)/"', response.content.decode())
    assert match, response.content.decode()
    return match[1]


def join_url(token: str) -> str:
    return f"/join/{token}/"


def new_user(email: str = "newbie@example.com", name: str = "Nia Newbie") -> User:
    return User.objects.create_user(email=email, password="a long test password", name=name)


def in_both_households(family) -> Membership:
    """Makes the caregiver also a parent of the other household."""
    return Membership.objects.create(
        household=family.other_household, user=family.caregiver, role=Role.PARENT
    )


# -- Creating a household -----------------------------------------------------


def test_create_household_makes_the_creator_its_parent_and_switches_to_it(family):
    client = family.client_for(family.parent)
    assert client.get(CREATE).status_code == 200

    response = client.post(CREATE, {"name": "The Holiday House", "time_zone": "Europe/Rome"})

    assert response.status_code == 302
    assert response.url == PROFILE
    household = Household.objects.get(name="The Holiday House")
    assert household.time_zone == "Europe/Rome"
    membership = Membership.objects.get(household=household)
    assert membership.user == family.parent
    assert membership.role == Role.PARENT
    assert current_household(client) == household.pk
    page = client.get(PROFILE)
    assert "Welcome to The Holiday House. Start with your children." in text(page)
    assert "<summary>The Holiday House</summary>" in text(page)
    # The first household is still theirs.
    assert Membership.objects.filter(household=family.household, user=family.parent).exists()


@pytest.mark.django_db
def test_a_new_user_creates_their_first_household():
    user = new_user()
    client = Client()
    client.force_login(user)

    response = client.post(CREATE, {"name": "The Newbies", "time_zone": "America/Chicago"})

    assert response.status_code == 302
    household = Household.objects.get()
    assert household.memberships.get().user == user
    assert current_household(client) == household.pk
    assert '<li class="household-name">The Newbies</li>' in text(client.get(PROFILE))


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "time_zone": "Europe/Rome"}, "name", "This field is required."),
        ({"name": "   ", "time_zone": "Europe/Rome"}, "name", "This field is required."),
        ({"name": "The Martians", "time_zone": "Mars/Olympus"}, "time_zone", NOT_A_ZONE),
        ({"name": "The Martians", "time_zone": ""}, "time_zone", "This field is required."),
        ({"name": "N" * 10_000, "time_zone": "Europe/Rome"}, "name", "at most 100 characters"),
    ],
)
def test_create_household_bad_input_saves_nothing(family, data, field, message):
    client = family.client_for(family.parent)
    households_before = Household.objects.count()
    memberships_before = Membership.objects.count()

    response = client.post(CREATE, data)

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert "Nothing was saved yet." in text(response)
    assert Household.objects.count() == households_before
    assert Membership.objects.count() == memberships_before
    assert current_household(client) is None


def test_create_household_needs_login(db):
    response = Client().post(CREATE, {"name": "Anon", "time_zone": "Europe/Rome"})
    assert response.status_code == 302
    assert response.url.startswith("/account/login/")
    assert not Household.objects.exists()


def test_household_settings_bad_time_zone_is_422_and_saves_nothing(family):
    client = family.client_for(family.parent)
    response = client.post("/household/settings/", {"name": "Renamed", "time_zone": "Mars/Olympus"})
    assert response.status_code == 422
    assert "is not a time zone we know" in field_error(response, "time_zone")
    family.household.refresh_from_db()
    assert family.household.name == "The Testers"
    assert family.household.time_zone == "America/New_York"


# -- Inviting -----------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.PARENT])
def test_parent_creates_an_invitation_link(family, role):
    client = family.client_for(family.parent)
    response = client.post(INVITE, {"role": role, "invitee": "Aunt Bea"})

    assert response.status_code == 200
    page = text(response)
    assert "Send this link" in page
    assert "Send it to <strong>Aunt Bea</strong>" in page
    assert f"as a <strong>{role.label.lower()}</strong>" in page
    assert f"for {settings.INVITATION_DAYS} days" in page
    token = re.search(r'value="http://testserver/join/([^/"]+)/"', page)[1]
    invitation = Invitation.objects.get(invitee="Aunt Bea")
    assert invitation.household == family.household
    assert invitation.role == role
    assert invitation.created_by == family.parent
    assert invitation.status == "pending"
    assert invitation.token_hash == hash_token(token)
    # The open invitation is listed on the members page, with a way to cancel it.
    members_page = text(client.get(MEMBERS))
    assert "Aunt Bea" in members_page
    assert f"/household/invitations/{invitation.pk}/revoke/" in members_page


def test_only_a_hash_of_the_token_is_stored(family):
    token = invite(family.client_for(family.parent))
    assert len(token) >= 40
    invitation = Invitation.objects.get(invitee="Aunt Bea")
    assert invitation.token_hash != token
    assert token not in invitation.token_hash
    # Nowhere in the database: not in any table, not in any column.
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                assert not any(token in str(value) for value in row), table


def test_invitation_bad_role_is_422_and_creates_nothing(family):
    before = Invitation.objects.count()
    response = family.client_for(family.parent).post(INVITE, {"role": "owner", "invitee": "X"})
    assert response.status_code == 422
    assert "Select a valid choice." in field_error(response, "role")
    assert Invitation.objects.count() == before


def test_caregiver_cannot_invite(family):
    before = Invitation.objects.count()
    client = family.client_for(family.caregiver)
    assert client.post(INVITE, {"role": Role.PARENT}).status_code == 403
    assert Invitation.objects.count() == before
    page = text(client.get(MEMBERS))
    assert "Invite someone" not in page
    assert "Remove</button>" not in page


def test_invite_needs_post(family):
    assert family.client_for(family.parent).get(INVITE).status_code == 405


# -- Accepting ----------------------------------------------------------------


def test_anonymous_visitor_sees_the_welcome_page_with_next_links(family):
    token = invite(family.client_for(family.parent))
    url = join_url(token)

    response = Client().get(url)

    assert response.status_code == 200
    page = text(response)
    assert "You are invited to The Testers" in page
    assert f'href="/account/signup/?next={url}"' in page
    assert f'href="/account/login/?next={url}"' in page
    # Looking does not use the link up.
    assert Invitation.objects.get(invitee="Aunt Bea").status == "pending"


def test_anonymous_post_to_the_link_joins_nobody(family):
    token = invite(family.client_for(family.parent))
    members_before = Membership.objects.count()
    response = Client().post(join_url(token))
    assert response.status_code == 200
    assert Membership.objects.count() == members_before
    assert Invitation.objects.get(invitee="Aunt Bea").status == "pending"


def test_new_person_signs_up_through_the_link_and_joins(family):
    token = invite(family.client_for(family.parent), role=Role.CAREGIVER)
    url = join_url(token)
    client = Client()

    signed_up = client.post(
        f"/account/signup/?next={url}",
        {
            "name": "Ruth Granny",
            "email": "ruth@example.com",
            "password1": "violet teapot morning 7",
            "password2": "violet teapot morning 7",
            "next": url,
        },
    )
    assert signed_up.status_code == 302
    assert signed_up.url == url
    confirm = client.get(url)
    assert "Join The Testers?" in text(confirm)

    joined = client.post(url)

    ruth = User.objects.get(email="ruth@example.com")
    assert joined.status_code == 302
    assert Membership.objects.get(household=family.household, user=ruth).role == Role.CAREGIVER


def test_existing_user_logs_in_through_the_link_and_joins(family):
    token = invite(family.client_for(family.parent), role=Role.PARENT)
    url = join_url(token)
    client = Client()

    logged_in = client.post(
        "/account/login/",
        {"username": "outsider@example.com", "password": "a long test password", "next": url},
    )
    assert logged_in.status_code == 302
    assert logged_in.url == url
    client.post(url)

    membership = Membership.objects.get(household=family.household, user=family.outsider)
    assert membership.role == Role.PARENT


@pytest.mark.parametrize("role", [Role.CAREGIVER, Role.PARENT])
def test_logged_in_user_confirms_and_joins_with_the_invitation_role(family, role):
    token = invite(family.client_for(family.parent), role=role)
    client = family.client_for(family.outsider)
    assert current_household(client) is None

    confirm = client.get(join_url(token))
    assert confirm.status_code == 200
    assert "Join The Testers?" in text(confirm)
    assert f"You join as a <strong>{role.label.lower()}</strong>" in text(confirm)
    assert not Membership.objects.filter(household=family.household, user=family.outsider)

    response = client.post(join_url(token))

    assert response.status_code == 302
    assert response.url == "/"
    membership = Membership.objects.get(household=family.household, user=family.outsider)
    assert membership.role == role
    assert current_household(client) == family.household.pk
    invitation = Invitation.objects.get(invitee="Aunt Bea")
    assert invitation.accepted_by == family.outsider
    assert invitation.status == "accepted"
    home = client.get("/")
    assert "You joined The Testers." in text(home)
    assert "<summary>The Testers</summary>" in text(home)
    # Still a parent of their own household too.
    assert Membership.objects.get(household=family.other_household, user=family.outsider).is_parent


def test_a_used_link_does_not_work_again(family):
    token = invite(family.client_for(family.parent))
    family.client_for(family.outsider).post(join_url(token))
    stranger = new_user()
    client = family.client_for(stranger)

    for response in (client.get(join_url(token)), client.post(join_url(token))):
        assert response.status_code == 404
        assert "This invitation link does not work" in text(response)
    assert not Membership.objects.filter(user=stranger).exists()
    # Not even for anonymous visitors.
    assert Client().get(join_url(token)).status_code == 404


def change_one_char(token: str) -> str:
    return token[:10] + ("A" if token[10] != "A" else "B") + token[11:]


@pytest.mark.parametrize(
    "forge",
    [
        change_one_char,
        lambda token: token[:-1],
        lambda token: token[:20],
        lambda token: token + "x",
        lambda token: "x" * len(token),
        lambda token: "Zm9yZ2VkLXRva2VuLXdpdGgtbm8taW52aXRhdGlvbi1hdC1hbGw",
        lambda token: hash_token(token),  # the stored fingerprint is not a key
        lambda token: "x",
        lambda token: "x" * 500,
    ],
)
def test_tampered_or_forged_tokens_do_not_work(family, forge):
    token = invite(family.client_for(family.parent))
    forged = forge(token)
    assert forged != token
    client = family.client_for(family.outsider)

    for response in (client.get(join_url(forged)), client.post(join_url(forged))):
        assert response.status_code == 404
        assert "This invitation link does not work" in text(response)
    assert Client().get(join_url(forged)).status_code == 404
    assert not Membership.objects.filter(household=family.household, user=family.outsider)
    assert Invitation.objects.get(invitee="Aunt Bea").status == "pending"


def test_an_expired_link_does_not_work(family):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token = invite(family.client_for(family.parent))
        client = family.client_for(family.outsider)

        traveller.shift(timedelta(days=settings.INVITATION_DAYS) - timedelta(minutes=1))
        assert client.get(join_url(token)).status_code == 200

        traveller.shift(timedelta(minutes=2))
        for response in (client.get(join_url(token)), client.post(join_url(token))):
            assert response.status_code == 404
            assert "This invitation link does not work" in text(response)
        assert Invitation.objects.get(invitee="Aunt Bea").status == "expired"
    assert not Membership.objects.filter(household=family.household, user=family.outsider)


def test_an_invitation_expiring_between_opening_and_confirming_does_not_work(family):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        token = invite(family.client_for(family.parent))
        client = family.client_for(family.outsider)
        traveller.shift(timedelta(days=settings.INVITATION_DAYS) - timedelta(seconds=1))
        assert "Join The Testers?" in text(client.get(join_url(token)))
        traveller.shift(timedelta(seconds=2))
        assert client.post(join_url(token)).status_code == 404
    assert not Membership.objects.filter(household=family.household, user=family.outsider)


def test_a_revoked_link_does_not_work(family):
    parent = family.client_for(family.parent)
    token = invite(parent)
    invitation = Invitation.objects.get(invitee="Aunt Bea")
    client = family.client_for(family.outsider)
    assert client.get(join_url(token)).status_code == 200

    response = parent.post(f"/household/invitations/{invitation.pk}/revoke/")

    assert response.status_code == 302
    assert response.url == MEMBERS
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    members_page = text(parent.get(MEMBERS))
    assert "Invitation cancelled; its link no longer works." in members_page
    assert "Aunt Bea" not in members_page
    for attempt in (client.get(join_url(token)), client.post(join_url(token))):
        assert attempt.status_code == 404
        assert "This invitation link does not work" in text(attempt)
    assert not Membership.objects.filter(household=family.household, user=family.outsider)


def test_caregiver_accepting_a_parent_invitation_becomes_a_parent(family):
    token = invite(family.client_for(family.parent), role=Role.PARENT)
    family.client_for(family.caregiver).post(join_url(token))
    membership = Membership.objects.get(household=family.household, user=family.caregiver)
    assert membership.role == Role.PARENT
    assert Membership.objects.filter(household=family.household).count() == 2


def test_parent_accepting_a_caregiver_invitation_stays_a_parent(family):
    token = invite(family.client_for(family.parent), role=Role.CAREGIVER)
    response = family.client_for(family.parent).post(join_url(token))
    assert response.status_code == 302
    membership = Membership.objects.get(household=family.household, user=family.parent)
    assert membership.role == Role.PARENT


# -- Revoking -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [
        pytest.param("caregiver", "post", 403, id="caregiver-cannot-revoke"),
        pytest.param("outsider", "post", 404, id="another-households-invitation"),
        pytest.param("parent", "get", 405, id="revoke-needs-post"),
    ],
)
def test_a_refused_revoke_keeps_the_invitation(family, who, method, status):
    url = f"/household/invitations/{family.invitation.pk}/revoke/"
    client = family.client_for(getattr(family, who))
    assert getattr(client, method)(url).status_code == status
    family.invitation.refresh_from_db()
    assert family.invitation.status == "pending"


def test_revoking_a_used_invitation_does_not_rewrite_it(family):
    token = invite(family.client_for(family.parent))
    family.client_for(family.outsider).post(join_url(token))
    invitation = Invitation.objects.get(invitee="Aunt Bea")
    family.client_for(family.parent).post(f"/household/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.revoked_at is None


# -- Removing members ---------------------------------------------------------


def membership_of(family, user: User) -> Membership:
    return Membership.objects.get(household=family.household, user=user)


def test_parent_removes_a_caregiver(family):
    client = family.client_for(family.parent)
    carer = membership_of(family, family.caregiver)
    page = text(client.get(MEMBERS))
    assert f"/household/members/{carer.pk}/remove/" in page

    response = client.post(f"/household/members/{carer.pk}/remove/")

    assert response.status_code == 302
    assert response.url == MEMBERS
    assert not Membership.objects.filter(pk=carer.pk).exists()
    page = text(client.get(MEMBERS))
    assert "Cam Carer no longer has access to this household." in page
    assert "carer@example.com" not in page
    # The removed caregiver no longer sees the household.
    removed = family.client_for(family.caregiver)
    response = removed.get(PROFILE)
    assert response.status_code == 302
    assert response.url == CREATE


def test_the_last_parent_cannot_be_removed(family):
    client = family.client_for(family.parent)
    own = membership_of(family, family.parent)

    response = client.post(f"/household/members/{own.pk}/remove/", follow=True)

    assert response.status_code == 200
    assert "A household needs at least one parent. Invite another first." in text(response)
    assert Membership.objects.filter(pk=own.pk, role=Role.PARENT).exists()


def test_one_of_two_parents_can_be_removed(family):
    second = membership_of(family, family.caregiver)
    second.role = Role.PARENT
    second.save(update_fields=["role"])
    client = family.client_for(family.parent)

    response = client.post(f"/household/members/{second.pk}/remove/", follow=True)

    assert "Cam Carer no longer has access to this household." in text(response)
    assert not Membership.objects.filter(pk=second.pk).exists()
    # Now the remaining parent is the last one.
    own = membership_of(family, family.parent)
    client.post(f"/household/members/{own.pk}/remove/")
    assert Membership.objects.filter(pk=own.pk).exists()


@pytest.mark.parametrize(
    ("who", "whose", "method", "status"),
    [
        pytest.param("caregiver", "parent", "post", 403, id="caregiver-cannot-remove-members"),
        pytest.param("parent", "outsider", "post", 404, id="member-of-another-household"),
        pytest.param("parent", "caregiver", "get", 405, id="remove-needs-post"),
    ],
)
def test_a_refused_removal_keeps_the_member(family, who, whose, method, status):
    household = family.other_household if whose == "outsider" else family.household
    member = Membership.objects.get(household=household, user=getattr(family, whose))
    client = family.client_for(getattr(family, who))
    response = getattr(client, method)(f"/household/members/{member.pk}/remove/")
    assert response.status_code == status
    assert Membership.objects.filter(pk=member.pk).exists()


# -- Leaving ------------------------------------------------------------------


def test_caregiver_leaves_the_household(family):
    client = family.client_for(family.caregiver)
    page = client.get(LEAVE)
    assert page.status_code == 200
    assert "Leave The Testers?" in text(page)

    response = client.post(LEAVE)

    assert response.status_code == 302
    assert response.url == "/"
    assert not Membership.objects.filter(household=family.household, user=family.caregiver)
    assert current_household(client) is None
    # With no household left, home sends them to create one, and says goodbye there.
    home = client.get("/")
    assert home.status_code == 302
    assert home.url == CREATE
    assert "You left The Testers." in text(client.get(CREATE))
    assert client.get(PROFILE).url == CREATE


def test_leaving_falls_back_to_the_other_household(family):
    in_both_households(family)
    client = family.client_for(family.caregiver)
    client.post(SWITCH, {"household": family.household.pk})
    assert current_household(client) == family.household.pk

    client.post(LEAVE)

    assert current_household(client) is None
    profile = client.get(PROFILE)
    assert profile.status_code == 200
    assert '<li class="household-name">The Others</li>' in text(profile)
    assert "You left The Testers." in text(profile)
    assert Membership.objects.filter(household=family.other_household, user=family.caregiver)


def test_the_last_parent_cannot_leave(family):
    client = family.client_for(family.parent)
    page = client.get(LEAVE)
    assert "You are the last parent of this household." in text(page)
    assert "<button" not in text(page).split("<h1>", 1)[1].split("</main>")[0]

    response = client.post(LEAVE, follow=True)

    assert response.redirect_chain[-1][0] == MEMBERS
    assert "You are the last parent. Invite another parent before you leave." in text(response)
    assert membership_of(family, family.parent).is_parent
    assert client.get(PROFILE).status_code == 200


def test_a_parent_can_leave_when_another_parent_stays(family):
    second = membership_of(family, family.caregiver)
    second.role = Role.PARENT
    second.save(update_fields=["role"])
    client = family.client_for(family.parent)
    response = client.post(LEAVE)
    assert response.status_code == 302
    assert not Membership.objects.filter(household=family.household, user=family.parent)


def test_leave_needs_a_household(db):
    client = Client()
    client.force_login(new_user())
    response = client.post(LEAVE)
    assert response.status_code == 302
    assert response.url == CREATE


# -- Switching ----------------------------------------------------------------


def test_user_in_two_households_switches_between_them(family):
    in_both_households(family)
    client = family.client_for(family.caregiver)
    # Without a choice, the first by name is shown: "The Others".
    assert "<summary>The Others</summary>" in text(client.get(PROFILE))

    response = client.post(SWITCH, {"household": family.household.pk})

    assert response.status_code == 302
    assert response.url == "/"
    assert current_household(client) == family.household.pk
    profile = text(client.get(PROFILE))
    assert "<summary>The Testers</summary>" in profile
    assert "Now showing The Testers." in profile
    assert "Maya" in profile

    client.post(SWITCH, {"household": family.other_household.pk})
    profile = text(client.get(PROFILE))
    assert "<summary>The Others</summary>" in profile
    assert "Maya" not in profile


@pytest.mark.parametrize("wanted", ["other", "missing", "", "not-a-number"])
def test_switching_to_a_household_one_does_not_belong_to_is_refused(family, wanted):
    client = family.client_for(family.parent)
    client.post(SWITCH, {"household": family.household.pk})
    value = {
        "other": str(family.other_household.pk),
        "missing": "999999",
        "": "",
        "not-a-number": "abc",
    }[wanted]

    response = client.post(SWITCH, {"household": value}, follow=True)

    assert response.status_code == 200
    assert "You are not a member of that household." in text(response)
    assert current_household(client) == family.household.pk
    assert '<li class="household-name">The Testers</li>' in text(client.get(PROFILE))
    assert not Membership.objects.filter(household=family.other_household, user=family.parent)


def test_switch_needs_post(family):
    assert family.client_for(family.parent).get(SWITCH).status_code == 405


def test_user_without_a_household_is_sent_to_create_one(db):
    client = Client()
    client.force_login(new_user())
    for url in (PROFILE, MEMBERS, "/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == CREATE, url


def test_anonymous_user_is_sent_to_log_in(db):
    response = Client().get(PROFILE)
    assert response.status_code == 302
    assert response.url == f"/account/login/?next={PROFILE}"
