"""The household's outgoing webhooks: each event is a message of the delivery machinery
(claimed once, retried with backoff, logged), posted as JSON and signed as Standard
Webhooks signs (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp`
and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, so a receiver
can check the sender and refuse a replay (an old timestamp, or an id seen before).

The connection goes to an address checked at send time (notify/targets.py), the one
the check resolved, so a name that resolves elsewhere a moment later (DNS rebinding)
cannot turn a webhook towards the household's own network. Redirects are not followed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import secrets
import socket
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

from django.db import IntegrityError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homefront.households.models import Household
from homefront.notify import targets
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.models import Webhook

TIMEOUT = 10  # seconds a receiver may take to connect, and then between two reads
SECRET_PREFIX = "whsec_"  # noqa: S105  (the secret's format, not a secret)
USER_AGENT = "Homefront-Webhooks/1"


class Event:
    ENTRY_LOGGED = "entry.logged"
    PHOTO_ADDED = "photo.added"
    TRIP_STARTED = "trip.started"
    TRIP_ENDED = "trip.ended"
    NIGHT_UNCOVERED = "night.uncovered"
    SHARE_LINK_OPENED = "share_link.opened"
    MEDICINE_DUE = "medicine.due"
    MEDICINE_MISSED = "medicine.missed"
    TEST = "webhook.test"


EVENTS: list[tuple[str, Any]] = [
    (Event.ENTRY_LOGGED, _("An entry is logged")),
    (Event.PHOTO_ADDED, _("A photo is added")),
    (Event.TRIP_STARTED, _("A trip starts")),
    (Event.TRIP_ENDED, _("A trip ends")),
    (Event.NIGHT_UNCOVERED, _("A night has nobody in charge")),
    (Event.SHARE_LINK_OPENED, _("A shared brief is opened for the first time")),
    (Event.MEDICINE_DUE, _("A medicine is due")),
    (Event.MEDICINE_MISSED, _("A medicine was not logged an hour after its time")),
]


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


@transaction.atomic
def add(household: Household, name: str, url: str, events: list[str]) -> tuple[Webhook, str]:
    """The new webhook and its secret, shown once to the parent who added it."""
    secret = new_secret()
    channel = Channel.objects.create(household=household, kind=ChannelKind.WEBHOOK, target=url)
    webhook = Webhook.objects.create(channel=channel, name=name, secret=secret, events=events)
    return webhook, secret


def webhooks_for(household: Household | int, event: str | None) -> list[Channel]:
    """The household's webhooks that want `event` (all of them for None)."""
    household_id = household if isinstance(household, int) else household.pk
    # The events list is JSON; a household has a handful of webhooks, so it is read whole.
    return [
        channel
        for channel in Channel.objects.filter(
            household_id=household_id, kind=ChannelKind.WEBHOOK
        ).select_related("webhook", "household")
        if event is None or event in channel.webhook.events
    ]


def event_message(channel: Channel, event: str, key: str, data: dict[str, Any]) -> Message:
    """The (unsaved) message posting `event` to the webhook; `key` makes it exist once."""
    return Message.to(
        channel,
        MessageKind.WEBHOOK,
        f"webhook:{event}:{key}",
        subject=event,
        text="",
        due_at=timezone.now(),
        data={"event": event, "payload": {"type": event, "data": data}},
    )


def announce(
    household: Household | int,
    event: str,
    key: str,
    data: dict[str, Any],
    *,
    only: Channel | None = None,
) -> list[Message]:
    """One message per webhook that wants the event; `key` makes it exist once."""
    channels = [only] if only is not None else webhooks_for(household, event)
    made = []
    for channel in channels:
        message = event_message(channel, event, key, data)
        if Message.objects.filter(idempotency_key=message.idempotency_key).exists():
            continue
        try:
            with transaction.atomic():
                message.save()
        except IntegrityError:
            continue  # made meanwhile by another planner
        made.append(message)
    return made


def body_of(message: Message) -> bytes:
    # A test from the webhooks page is a plain message: it is posted as the test event.
    payload = dict(
        message.data.get("payload") or {"type": Event.TEST, "data": {"message": message.subject}}
    )
    payload["timestamp"] = message.created_at.isoformat() if message.created_at else None
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def _connection(scheme: str, host: str, port: int, address: str) -> http.client.HTTPConnection:
    """A connection to `host` that goes to `address`, the one checked."""
    connection: http.client.HTTPConnection
    if scheme == "https":
        connection = http.client.HTTPSConnection(
            host, port, timeout=TIMEOUT, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)

    def pinned(_address: Any, timeout: Any = TIMEOUT, source: Any = None) -> socket.socket:
        return socket.create_connection((address, port), timeout, source)

    connection._create_connection = pinned  # type: ignore[attr-defined]
    return connection


def post(url: str, secret: str, webhook_id: str, body: bytes) -> int:
    """Posts the body, signed; the receiver's status, or TargetRefused / OSError."""
    scheme, host, port = targets.split(url)
    address = targets.resolve(host, port)[0]
    stamp = int(time.time())
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = _connection(scheme, host, port, address)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "webhook-id": webhook_id,
                "webhook-timestamp": str(stamp),
                "webhook-signature": signature(secret, webhook_id, stamp, body),
            },
        )
        response = connection.getresponse()
        response.read(64 * 1024)
        return response.status
    finally:
        connection.close()


class WebhookChannel:
    def notify(self, channel: Channel, message: Message) -> None:
        from homefront.notify.channels import DeliveryError

        try:
            status = post(
                channel.target, channel.webhook.secret, f"msg_{message.pk}", body_of(message)
            )
        except targets.TargetRefused as refused:
            raise DeliveryError(str(refused), permanent=True) from None
        except (OSError, http.client.HTTPException) as error:
            raise DeliveryError(
                f"Could not reach the webhook: {error!r}", permanent=False
            ) from error
        if 300 <= status < 400:
            raise DeliveryError(
                f"The webhook answered {status}, a redirect; Homefront does not follow "
                "redirects. Give the final URL.",
                permanent=True,
            )
        if status >= 400:
            raise DeliveryError(
                f"The webhook answered {status}.",
                permanent=400 <= status < 500 and status not in (408, 409, 425, 429),
            )
