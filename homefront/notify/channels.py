"""Sending one message through its channel. Each kind of channel is a class with
one `notify()`; a failure says whether trying again could help."""

from __future__ import annotations

import smtplib
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail import get_connection

from homefront.notify.digest_photos import attach_inline_photos
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message

SEND_TIMEOUT = 20


class DeliveryError(Exception):
    def __init__(self, reason: str, *, permanent: bool, remove_channel: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent
        # The channel is gone for good (a push subscription the service no longer knows).
        self.remove_channel = remove_channel


class EmailChannel:
    def notify(self, channel: Channel, message: Message) -> None:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[channel.target],
            connection=get_connection(timeout=SEND_TIMEOUT),
            headers={"X-Homefront-Message": message.idempotency_key},
        )
        html = message.html
        if message.data.get("photos"):
            html = attach_inline_photos(email, html, message.data["photos"])
        if html:
            email.attach_alternative(html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise DeliveryError(
                f"The mail server refused the address: {error}", permanent=True
            ) from error
        except (TimeoutError, smtplib.SMTPException, OSError) as error:
            raise DeliveryError(
                f"Could not reach the mail server: {error}", permanent=False
            ) from error


class AppriseChannel:
    def notify(self, channel: Channel, message: Message) -> None:
        import apprise  # imported on demand: it loads many plugins

        sender = apprise.Apprise()
        if not sender.add(channel.target):
            raise DeliveryError("Apprise no longer recognises this URL.", permanent=True)
        if not sender.notify(title=message.subject, body=message.text):
            raise DeliveryError("The service did not accept the message.", permanent=False)


class Sender(Protocol):
    def notify(self, channel: Channel, message: Message) -> None: ...


def _channels() -> dict[str, Sender]:
    from homefront.notify.push import PushChannel
    from homefront.notify.webhooks import WebhookChannel

    return {
        ChannelKind.EMAIL: EmailChannel(),
        ChannelKind.APPRISE: AppriseChannel(),
        ChannelKind.PUSH: PushChannel(),
        ChannelKind.WEBHOOK: WebhookChannel(),
    }


CHANNELS: dict[str, Sender] = _channels()


def send(message: Message) -> None:
    CHANNELS[ChannelKind(message.channel.kind)].notify(message.channel, message)
