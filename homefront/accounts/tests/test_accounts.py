"""Accounts: sign-up, log in and out, login throttling, passwords and the account page."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.core import mail
from django.db import connection
from django.test import Client
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homefront import settings as production_settings
from homefront.accounts.models import User
from homefront.core.tasks import send_email
from homefront.testing.pages import field_error
from homefront.testing.zones import NOT_A_ZONE

SIGNUP = "/account/signup/"
LOGIN = "/account/login/"
LOGOUT = "/account/logout/"
ACCOUNT = "/account/"
PASSWORD_CHANGE = "/account/password/"
PASSWORD_RESET = "/account/password/reset/"
OLD_PASSWORD = "a long test password"  # what homefront/conftest.py gives every user
NEW_PASSWORD = "quiet harbour lantern 42"


def logged_in_id(client: Client) -> str | None:
    return client.session.get(AUTH_SESSION_KEY)


def signup_data(**changes: str) -> dict[str, str]:
    data = {
        "name": "Sam Sample",
        "email": "Sam.Sample@Example.COM",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def log_in(client: Client, email: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


# -- Sign-up ------------------------------------------------------------------


@pytest.mark.django_db
def test_signup_creates_a_user_logs_in_and_goes_to_household_creation():
    client = Client()
    assert client.get(SIGNUP).status_code == 200

    response = client.post(SIGNUP, signup_data())

    assert response.status_code == 302
    assert response.url == "/household/new/"
    user = User.objects.get()
    assert user.email == "sam.sample@example.com"
    assert user.name == "Sam Sample"
    assert user.check_password(NEW_PASSWORD)
    assert NEW_PASSWORD not in user.password
    assert logged_in_id(client) == str(user.pk)
    page = client.get(response.url)
    assert "Welcome, Sam." in page.content.decode()
    assert "Create your household" in page.content.decode()


def test_production_settings_hash_passwords_with_argon2():
    # The suite uses the fast MD5 hasher; the real settings must not.
    assert production_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )
    assert settings.PASSWORD_HASHERS != production_settings.PASSWORD_HASHERS


@pytest.mark.django_db
def test_signup_stores_an_argon2_hash_with_the_production_hashers():
    with override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS):
        response = Client().post(SIGNUP, signup_data())
        assert response.status_code == 302
        user = User.objects.get()
        assert user.password.startswith("argon2$")
        assert user.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"email": "PARENT@example.com"},
            "email",
            "An account with this email exists already. Log in, or reset its password.",
        ),
        ({"password2": "a different long password"}, "password2", "The two password fields didn"),
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password2", "entirely numeric"),
        ({"password1": "Xy7!", "password2": "Xy7!"}, "password2", "too short"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"email": ""}, "email", "This field is required."),
        ({"name": "N" * 10_000}, "name", "at most 100 characters (it has 10000)"),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_signup_bad_input_is_shown_next_to_the_field_and_saves_nothing(
    family, changes, field, message
):
    users_before = User.objects.count()
    client = Client()

    response = client.post(SIGNUP, signup_data(**changes))

    assert response.status_code == 422
    assert message in field_error(response, field)
    assert 'aria-invalid="true"' in response.content.decode()
    assert "Nothing was saved yet." in response.content.decode()
    assert User.objects.count() == users_before
    assert logged_in_id(client) is None


def test_signup_duplicate_email_keeps_the_existing_account(family):
    Client().post(SIGNUP, signup_data(email="Parent@Example.com", name="Impostor"))
    parent = User.objects.get(email__iexact="parent@example.com")
    assert parent.name == "Pat Parent"
    assert parent.check_password(OLD_PASSWORD)


@pytest.mark.django_db
def test_signup_follows_a_safe_local_next():
    response = Client().post(SIGNUP, {**signup_data(), "next": "/join/some-invitation-token/"})
    assert response.status_code == 302
    assert response.url == "/join/some-invitation-token/"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "http://testserver.evil.example/",
        "javascript:alert(1)",
        "/\\evil.example",
    ],
)
@pytest.mark.django_db
def test_signup_ignores_an_unsafe_next(next_url):
    client = Client()
    form_page = client.get(SIGNUP, {"next": next_url})
    assert 'name="next" value=""' in form_page.content.decode()

    response = client.post(SIGNUP, {**signup_data(), "next": next_url})

    assert response.status_code == 302
    assert response.url == "/household/new/"
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_signup_page_carries_a_safe_next_to_the_form():
    page = Client().get(SIGNUP, {"next": "/join/abc/"})
    assert 'name="next" value="/join/abc/"' in page.content.decode()


@pytest.mark.django_db
@override_settings(SIGNUP_OPEN=False)
def test_signup_closed_is_404_and_creates_nobody():
    client = Client()
    assert client.get(SIGNUP).status_code == 404
    assert client.post(SIGNUP, signup_data()).status_code == 404
    assert not User.objects.exists()


def test_signup_when_logged_in_goes_home(family):
    client = family.client_for(family.parent)
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    assert response.url == "/"
    assert not User.objects.filter(email="sam.sample@example.com").exists()


# -- Log in and out -----------------------------------------------------------


def test_login_with_the_real_form_logs_in(family):
    client = Client()
    assert client.get(LOGIN).status_code == 200

    response = log_in(client, "parent@example.com", OLD_PASSWORD)

    assert response.status_code == 302
    assert response.url == "/"
    assert logged_in_id(client) == str(family.parent.pk)


def users_read(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if '"accounts_user"' in q["sql"]]


def test_a_signed_in_request_reads_the_user_and_their_households_in_one_query(family):
    client = Client()
    log_in(client, "parent@example.com", OLD_PASSWORD)
    [read] = users_read(client, "/profile/")
    assert 'FROM "households_membership"' in read
    assert '"households_household"' in read
    # Who has no household yet is read alone, and still signed in.
    loner = User.objects.create_user(email="lone@example.com", password=OLD_PASSWORD, name="Lone")
    client = Client()
    log_in(client, loner.email, OLD_PASSWORD)
    assert logged_in_id(client) == str(loner.pk)
    assert client.get("/household/new/").status_code == 200
    # A deactivated account's session opens nothing, as with Django's own backend.
    User.objects.filter(pk=loner.pk).update(is_active=False)
    assert client.get("/household/new/").status_code == 302


def test_login_follows_a_safe_next(family):
    response = log_in(Client(), "parent@example.com", OLD_PASSWORD, next="/profile/")
    assert response.status_code == 302
    assert response.url == "/profile/"


def test_login_ignores_an_unsafe_next(family):
    response = log_in(Client(), "parent@example.com", OLD_PASSWORD, next="https://evil.example/")
    assert response.status_code == 302
    assert response.url == "/"


def test_login_ignores_the_case_of_the_email(family):
    # Phones capitalise the first letter; sign-up stores emails in lower case.
    client = Client()
    response = log_in(client, "Parent@Example.com", OLD_PASSWORD)
    assert response.status_code == 302
    assert logged_in_id(client) == str(family.parent.pk)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("parent@example.com", "not the password"),
        ("nobody@example.com", OLD_PASSWORD),
        ("parent@example.com", ""),
    ],
)
def test_login_failure_shows_an_error_and_does_not_log_in(family, email, password):
    client = Client()
    response = log_in(client, email, password)
    assert response.status_code == 200
    page = response.content.decode()
    if password:
        assert "Please enter a correct email address and password." in html.unescape(page)
    else:
        assert "This field is required." in field_error(response, "password")
    assert logged_in_id(client) is None


def test_inactive_user_cannot_log_in(family):
    family.parent.is_active = False
    family.parent.save(update_fields=["is_active"])
    client = Client()
    response = log_in(client, "parent@example.com", OLD_PASSWORD)
    assert response.status_code == 200
    assert logged_in_id(client) is None


def test_logged_in_user_opening_login_goes_home(family):
    response = family.client_for(family.parent).get(LOGIN)
    assert response.status_code == 302
    assert response.url == "/"


def test_login_is_locked_after_five_failures_even_with_the_right_password(family):
    client = Client()
    assert settings.AXES_FAILURE_LIMIT == 5
    for _attempt in range(4):
        response = log_in(client, "parent@example.com", "wrong password")
        assert response.status_code == 200
        assert "Please enter a correct" in response.content.decode()
    fifth = log_in(client, "parent@example.com", "wrong password")
    assert fifth.status_code == 429

    sixth = log_in(client, "parent@example.com", OLD_PASSWORD)

    assert sixth.status_code == 429
    assert "Too many failed logins" in sixth.content.decode()
    assert logged_in_id(client) is None


def test_lockout_holds_for_another_browser_but_not_another_account(family):
    attacker = Client()
    for _attempt in range(5):
        log_in(attacker, "parent@example.com", "wrong password")

    # Same email, same address, fresh cookies: still locked.
    fresh = Client()
    assert log_in(fresh, "parent@example.com", OLD_PASSWORD).status_code == 429
    assert logged_in_id(fresh) is None
    # Case games do not buy more attempts.
    assert log_in(fresh, "PARENT@example.com", OLD_PASSWORD).status_code == 429
    assert logged_in_id(fresh) is None
    # Another account from the same address is not affected.
    carer = Client()
    assert log_in(carer, "carer@example.com", OLD_PASSWORD).status_code == 302
    assert logged_in_id(carer) == str(family.caregiver.pk)


def test_lockout_ends_after_the_cool_off(family):
    client = Client()
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _attempt in range(5):
            log_in(client, "parent@example.com", "wrong password")
        assert log_in(client, "parent@example.com", OLD_PASSWORD).status_code == 429

        traveller.shift(timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))

        response = log_in(client, "parent@example.com", OLD_PASSWORD)
    assert response.status_code == 302
    assert logged_in_id(client) == str(family.parent.pk)


def test_logout_by_post(family):
    client = Client()
    log_in(client, "parent@example.com", OLD_PASSWORD)
    assert logged_in_id(client) == str(family.parent.pk)

    response = client.post(LOGOUT)

    assert response.status_code == 302
    assert response.url == LOGIN
    assert logged_in_id(client) is None
    assert client.get("/profile/").status_code == 302


def test_logout_by_get_is_refused(family):
    client = family.client_for(family.parent)
    assert client.get(LOGOUT).status_code == 405
    assert logged_in_id(client) == str(family.parent.pk)


# -- Password change ----------------------------------------------------------


def test_password_change(family):
    client = family.client_for(family.parent)
    assert client.get(PASSWORD_CHANGE).status_code == 200

    response = client.post(
        PASSWORD_CHANGE,
        {
            "old_password": OLD_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response.url == "/account/password/done/"
    family.parent.refresh_from_db()
    assert family.parent.check_password(NEW_PASSWORD)
    # The session that changed the password stays logged in.
    assert logged_in_id(client) == str(family.parent.pk)
    assert "Password changed" in client.get(response.url).content.decode()


def test_password_change_with_wrong_old_password_changes_nothing(family):
    client = family.client_for(family.parent)
    response = client.post(
        PASSWORD_CHANGE,
        {
            "old_password": "not my password",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in field_error(response, "old_password")
    family.parent.refresh_from_db()
    assert family.parent.check_password(OLD_PASSWORD)


def test_password_change_needs_login(family):
    response = Client().get(PASSWORD_CHANGE)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


# -- Password reset -----------------------------------------------------------


def reset_link(message: mail.EmailMessage) -> str:
    match = re.search(r"http://testserver(/account/password/reset/\S+/\S+/)", message.body)
    assert match, message.body
    return match[1]


def test_password_reset_by_email(family):
    client = Client()
    assert client.get(PASSWORD_RESET).status_code == 200

    response = client.post(PASSWORD_RESET, {"email": "Parent@Example.com"})

    assert response.status_code == 302
    assert response.url == "/account/password/reset/sent/"
    assert "Check your email" in client.get(response.url).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["parent@example.com"]
    assert message.subject == "Reset your Homefront password"
    assert "Hello Pat," in message.body

    link = reset_link(message)
    opened = client.get(link, follow=True)
    assert opened.status_code == 200
    assert "Choose a new password" in opened.content.decode()
    set_password_url = opened.redirect_chain[-1][0]

    saved = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert saved.status_code == 302
    assert saved.url == "/account/password/reset/complete/"
    assert "Your new password is saved" in client.get(saved.url).content.decode()

    fresh = Client()
    assert log_in(fresh, "parent@example.com", OLD_PASSWORD).status_code == 200
    assert logged_in_id(fresh) is None
    assert log_in(fresh, "parent@example.com", NEW_PASSWORD).status_code == 302
    assert logged_in_id(fresh) == str(family.parent.pk)

    # The link works once.
    again = Client().get(link, follow=True)
    assert "This link does not work" in again.content.decode()


def test_password_reset_rejects_a_weak_new_password(family):
    client = Client()
    client.post(PASSWORD_RESET, {"email": "parent@example.com"})
    opened = client.get(reset_link(mail.outbox[0]), follow=True)
    set_password_url = opened.redirect_chain[-1][0]

    response = client.post(set_password_url, {"new_password1": "123", "new_password2": "123"})

    assert response.status_code == 200
    assert "too short" in field_error(response, "new_password2")
    family.parent.refresh_from_db()
    assert family.parent.check_password(OLD_PASSWORD)


def test_password_reset_with_a_forged_link_does_not_work(family):
    client = Client()
    client.post(PASSWORD_RESET, {"email": "parent@example.com"})
    link = reset_link(mail.outbox[0])
    forged = link[:-3] + ("a" if link[-3] != "a" else "b") + link[-2:]

    response = client.get(forged, follow=True)

    assert "This link does not work" in response.content.decode()
    assert "new_password1" not in response.content.decode()


def test_password_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(family):
    client = Client()
    response = client.post(PASSWORD_RESET, {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response.url == "/account/password/reset/sent/"
    assert "Check your email" in client.get(response.url).content.decode()
    assert mail.outbox == []


def test_password_reset_email_is_queued_as_a_task(family):
    from django_tasks import default_task_backend

    dummy = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=dummy):
        Client().post(PASSWORD_RESET, {"email": "parent@example.com"})
        assert mail.outbox == []  # not sent while the page waits
        [result] = default_task_backend.results
        assert result.task.func is send_email.func
        assert result.kwargs["to"] == ["parent@example.com"]
        assert result.kwargs["subject"] == "Reset your Homefront password"
        assert "/account/password/reset/" in result.kwargs["body"]


# -- Account page -------------------------------------------------------------


def test_account_page_saves_name_and_time_zone(family):
    client = family.client_for(family.parent)
    page = client.get(ACCOUNT)
    assert page.status_code == 200
    assert "parent@example.com" in page.content.decode()

    response = client.post(ACCOUNT, {"name": "Patricia Parent", "time_zone": "Europe/Paris"})

    assert response.status_code == 302
    assert response.url == ACCOUNT
    family.parent.refresh_from_db()
    assert family.parent.name == "Patricia Parent"
    assert family.parent.time_zone == "Europe/Paris"
    assert "Your account is saved." in client.get(ACCOUNT).content.decode()


def test_account_page_allows_an_empty_time_zone(family):
    family.parent.time_zone = "Europe/Paris"
    family.parent.save(update_fields=["time_zone"])
    response = family.client_for(family.parent).post(
        ACCOUNT, {"name": "Pat Parent", "time_zone": ""}
    )
    assert response.status_code == 302
    family.parent.refresh_from_db()
    assert family.parent.time_zone == ""


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Pat Parent", "time_zone": "Mars/Olympus"}, "time_zone", NOT_A_ZONE),
        ({"name": "", "time_zone": "Europe/Paris"}, "name", "This field is required."),
        ({"name": "N" * 10_000, "time_zone": ""}, "name", "at most 100 characters"),
    ],
)
def test_account_page_rejects_bad_input(family, data, field, message):
    response = family.client_for(family.parent).post(ACCOUNT, data)
    assert response.status_code == 422
    assert message in field_error(response, field)
    family.parent.refresh_from_db()
    assert family.parent.name == "Pat Parent"
    assert family.parent.time_zone == ""


def test_account_page_cannot_change_the_email(family):
    family.client_for(family.parent).post(
        ACCOUNT, {"name": "Pat Parent", "time_zone": "", "email": "taken@example.com"}
    )
    family.parent.refresh_from_db()
    assert family.parent.email == "parent@example.com"


def test_account_page_needs_login(family):
    response = Client().get(ACCOUNT)
    assert response.status_code == 302
    assert response.url == f"{LOGIN}?next={ACCOUNT}"
