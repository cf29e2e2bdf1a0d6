"""The notifications page: adding a channel (an email address or an Apprise URL), for
oneself or, as a parent, for a contact; sending a test; removing one; and who may touch
whose channels."""

from __future__ import annotations

import html
from datetime import UTC
from datetime import datetime

import pytest
from django.core import mail
from django.urls import reverse

from homefront.notify.models import Attempt
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.models import Status
from homefront.testing.ports import free_port

# Tuesday 12 January 2027, 23:00 in New York: inside the default quiet hours (21:00 to
# 7:00), which a test asked for there and then does not wait for.
NOW = datetime(2027, 1, 13, 4, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
APPRISE_ERROR = (
    "Apprise does not recognise this URL. Check the service's format, "
    "e.g. ntfy://ntfy.sh/topic or tgram://bottoken/ChatID."
)


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def channel_of(family, target: str, kind: str = ChannelKind.EMAIL, **owner) -> Channel:
    return Channel.objects.create(household=family.household, kind=kind, target=target, **owner)


@pytest.fixture
def pats(family) -> Channel:
    return channel_of(family, "pat@example.com", user=family.parent)


@pytest.fixture
def cams(family) -> Channel:
    return channel_of(family, "cam@example.com", user=family.caregiver)


@pytest.fixture
def grandmas(family) -> Channel:
    return channel_of(family, "grandma@example.com", contact=family.contact)


URL = reverse("notify:channels")
GRANDMA = "grandma@example.com"


def test_the_page_lists_ones_own_channels_and_for_a_parent_the_contacts(
    family, pats, cams, grandmas
):
    parent = family.client_for(family.parent).get(URL)
    assert parent.status_code == 200
    assert list(parent.context["channels"]) == [pats, grandmas]
    page = page_text(parent)
    assert "pat@example.com" in page
    assert "for Grandma" in page
    assert "cam@example.com" not in page
    owners = dict(parent.context["form"].fields["owner"].choices)
    assert owners == {"me": "Me", f"contact:{family.contact.pk}": "Grandma (a contact)"}

    caregiver = family.client_for(family.caregiver).get(URL)
    assert list(caregiver.context["channels"]) == [cams]
    assert "pat@example.com" not in page_text(caregiver)
    assert "grandma@example.com" not in page_text(caregiver)
    assert dict(caregiver.context["form"].fields["owner"].choices) == {"me": "Me"}


def test_a_parent_adds_their_email(family):
    client = family.client_for(family.parent)
    response = client.post(
        URL, {"owner": "me", "kind": "email", "target": "pat@example.com"}, follow=True
    )
    assert response.redirect_chain == [(URL, 302)]
    [channel] = Channel.objects.all()
    assert (channel.household, channel.user, channel.contact) == (
        family.household,
        family.parent,
        None,
    )
    assert (channel.kind, channel.target) == (ChannelKind.EMAIL, "pat@example.com")
    assert shown_messages(response) == ["Saved. Try “Send a test” to make sure it reaches you."]
    assert "pat@example.com" in page_text(response)


def test_an_invalid_email_is_refused_next_to_the_field(family):
    client = family.client_for(family.parent)
    response = client.post(URL, {"owner": "me", "kind": "email", "target": "pat@example"})
    assert response.status_code == 422
    assert (
        '<small class="error" id="id_target_errors">Enter a valid email address.</small>'
        in response.content.decode()
    )
    assert 'aria-invalid="true"' in response.content.decode()
    assert 'value="pat@example"' in response.content.decode()  # what was typed stays
    assert not Channel.objects.exists()


def test_a_parent_adds_an_apprise_url_and_sees_only_its_service(family):
    client = family.client_for(family.parent)
    response = client.post(
        URL,
        {"owner": "me", "kind": "apprise", "target": "ntfy://ntfy.sh/testers-secret-topic"},
        follow=True,
    )
    assert response.redirect_chain == [(URL, 302)]
    channel = Channel.objects.get()
    assert (channel.kind, channel.user) == (ChannelKind.APPRISE, family.parent)
    page = page_text(response)
    assert "ntfy://ntfy…" in page
    assert "testers-secret-topic" not in page


@pytest.mark.parametrize("target", ["nosuchservice://abc/def", "just some words", ""])
def test_an_apprise_url_it_does_not_know_is_refused_with_the_reason(family, target):
    client = family.client_for(family.parent)
    response = client.post(URL, {"owner": "me", "kind": "apprise", "target": target})
    assert response.status_code == 422
    error = response.context["form"].errors["target"]
    expected = "This field is required." if not target else APPRISE_ERROR
    assert error == [expected]
    assert expected in page_text(response)
    assert not Channel.objects.exists()


def grandmas_email(family) -> dict[str, str]:
    """The form for the contact's own channel: their email."""
    return {"owner": f"contact:{family.contact.pk}", "kind": "email", "target": GRANDMA}


def test_a_parent_adds_a_channel_for_a_contact(family):
    client = family.client_for(family.parent)
    response = client.post(URL, grandmas_email(family))
    assert response.status_code == 302
    channel = Channel.objects.get()
    assert (channel.user, channel.contact, channel.target) == (None, family.contact, GRANDMA)


def test_a_caregiver_adds_their_own_but_not_one_for_a_contact(family):
    client = family.client_for(family.caregiver)
    response = client.post(URL, grandmas_email(family))
    assert response.status_code == 422
    assert response.context["form"].errors["owner"] == [
        f"Select a valid choice. contact:{family.contact.pk} is not one of the available choices."
    ]
    assert not Channel.objects.exists()

    response = client.post(URL, {"owner": "me", "kind": "email", "target": "cam@example.com"})
    assert response.status_code == 302
    assert Channel.objects.get().user == family.caregiver


def test_a_contact_of_another_household_is_not_a_choice(family):
    from homefront.households.models import Contact

    theirs = Contact(household=family.other_household, name="Their Nanny", phone="+44 20 7946 0000")
    theirs.save()
    response = family.client_for(family.parent).post(
        URL, {"owner": f"contact:{theirs.pk}", "kind": "email", "target": "nanny@example.com"}
    )
    assert response.status_code == 422
    assert "owner" in response.context["form"].errors
    assert not Channel.objects.exists()


# -- Send a test -----------------------------------------------------------------------


def test_send_a_test_sends_at_once_and_says_so(family, pats):
    """23:00 is in Pat's quiet hours: a test they ask for goes anyway."""
    client = family.client_for(family.parent)
    response = client.post(reverse("notify:send_test", args=[pats.pk]), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert shown_messages(response) == ["Test sent to pat@example.com."]
    [email] = mail.outbox
    assert (email.to, email.subject) == (["pat@example.com"], "A test from Homefront")
    assert "Homefront can reach you here." in email.body
    message = Message.objects.get()
    assert (message.kind, message.status, message.attempts) == (MessageKind.TEST, Status.SENT, 1)
    assert email.extra_headers["X-Homefront-Message"] == message.idempotency_key
    [attempt] = Attempt.objects.all()
    assert (attempt.ok, attempt.worker, attempt.error) == (True, "web", "")

    # A second test is a new message, not the first one again.
    client.post(reverse("notify:send_test", args=[pats.pk]))
    assert len(mail.outbox) == 2
    assert Message.objects.count() == 2


def test_send_a_test_shows_why_a_mail_server_failed(family, pats, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.EMAIL_USE_TLS = False

    response = family.client_for(family.parent).post(
        reverse("notify:send_test", args=[pats.pk]), follow=True
    )

    [shown] = shown_messages(response)
    assert shown.startswith("The test did not go through: Could not reach the mail server: ")
    assert "Connection refused" in shown
    message = Message.objects.get()
    assert message.last_error in shown
    [attempt] = Attempt.objects.all()
    assert not attempt.ok


def test_send_a_test_shows_why_an_apprise_service_failed(family):
    hook = channel_of(
        family,
        f"json://127.0.0.1:{free_port()}/hook",
        kind=ChannelKind.APPRISE,
        user=family.parent,
    )
    response = family.client_for(family.parent).post(
        reverse("notify:send_test", args=[hook.pk]), follow=True
    )
    assert shown_messages(response) == [
        "The test did not go through: The service did not accept the message."
    ]


def test_a_parent_sends_a_test_to_a_contact(family, grandmas):
    response = family.client_for(family.parent).post(
        reverse("notify:send_test", args=[grandmas.pk])
    )
    assert response.status_code == 302
    assert [email.to for email in mail.outbox] == [["grandma@example.com"]]


# -- Removing a channel ----------------------------------------------------------------


def test_a_parent_removes_a_channel_and_its_messages(family, pats):
    client = family.client_for(family.parent)
    client.post(reverse("notify:send_test", args=[pats.pk]))

    response = client.post(reverse("notify:delete_channel", args=[pats.pk]), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert shown_messages(response)[-1] == "Removed."
    assert not Channel.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.parametrize("name", ["notify:send_test", "notify:delete_channel"])
def test_actions_take_only_a_post(family, pats, name):
    response = family.client_for(family.parent).get(reverse(name, args=[pats.pk]))
    assert response.status_code == 405
    assert Channel.objects.filter(pk=pats.pk).exists()
    assert mail.outbox == []


# -- Whose channels ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["notify:send_test", "notify:delete_channel"])
def test_another_household_gets_404_for_the_familys_channels(family, pats, grandmas, name):
    outsider = family.client_for(family.outsider)
    for channel in (pats, grandmas):
        response = outsider.post(reverse(name, args=[channel.pk]))
        assert response.status_code == 404
        assert "pat@example.com" not in page_text(response)
    assert Channel.objects.count() == 2
    assert not Message.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("name", ["notify:send_test", "notify:delete_channel"])
def test_a_caregiver_gets_404_for_the_parents_and_the_contacts_channels(
    family, pats, grandmas, name
):
    caregiver = family.client_for(family.caregiver)
    for channel in (pats, grandmas):
        assert caregiver.post(reverse(name, args=[channel.pk])).status_code == 404
    assert Channel.objects.count() == 2
    assert mail.outbox == []


@pytest.mark.parametrize("name", ["notify:send_test", "notify:delete_channel"])
def test_a_parent_gets_404_for_the_caregivers_own_channel(family, cams, name):
    parent = family.client_for(family.parent)
    assert parent.post(reverse(name, args=[cams.pk])).status_code == 404
    assert Channel.objects.filter(pk=cams.pk).exists()
    assert mail.outbox == []


def test_a_caregiver_tests_and_removes_their_own(family, cams):
    caregiver = family.client_for(family.caregiver)
    assert caregiver.post(reverse("notify:send_test", args=[cams.pk])).status_code == 302
    assert [email.to for email in mail.outbox] == [["cam@example.com"]]
    assert caregiver.post(reverse("notify:delete_channel", args=[cams.pk])).status_code == 302
    assert not Channel.objects.exists()


def test_nobody_signed_in_is_sent_to_sign_in(family, pats):
    from django.test import Client

    for url in (
        URL,
        reverse("notify:send_test", args=[pats.pk]),
        reverse("notify:delete_channel", args=[pats.pk]),
        reverse("notify:log"),
    ):
        response = Client().post(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert Channel.objects.filter(pk=pats.pk).exists()
