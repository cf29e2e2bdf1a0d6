"""Web Push (RFC 8030), encrypted to the browser's keys (RFC 8291) and signed with the
installation's VAPID key (RFC 8292, notify/vapid.py): the push channel of the delivery
machinery. A push service answering 404 or 410 says the subscription is gone: the device
is removed from the person's list."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from homefront.households.models import Household
from homefront.notify import targets
from homefront.notify import vapid
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.models import PushDevice

TIMEOUT = 10  # seconds a push service may take to answer
# The plaintext a push may carry: push services take 4096 bytes encrypted, of which the
# encryption takes 103 (RFC 8291); what is longer is cut, never refused at send.
MAX_PLAINTEXT = 3000
MAX_BODY = 400  # characters of a notification's text a phone shows anyway
TTL = 60 * 60 * 24  # a phone off for a day still gets it when it wakes
MAX_ENDPOINT = 500
GONE = (404, 410)


class SubscriptionRefused(ValueError):
    """The browser's subscription cannot be used; the message says why."""


def _key(value: Any, size: int, what: str) -> str:
    try:
        text = str(value)
        raw = base64.b64decode(
            text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4), altchars=b"-_", validate=True
        )
    except (binascii.Error, ValueError):
        raise SubscriptionRefused(
            _("The browser sent a %(what)s that is not base64url.") % {"what": what}
        ) from None
    if len(raw) != size:
        raise SubscriptionRefused(
            _("The browser sent a %(what)s of the wrong length.") % {"what": what}
        )
    return text.rstrip("=")


def clean_subscription(data: Any) -> tuple[str, str, str]:
    """The endpoint and keys of a PushSubscription's JSON, checked, or SubscriptionRefused."""
    if not isinstance(data, dict) or not isinstance(data.get("keys"), dict):
        raise SubscriptionRefused(_("The browser's subscription is missing its keys."))
    endpoint = str(data.get("endpoint") or "")
    if not endpoint or len(endpoint) > MAX_ENDPOINT:
        raise SubscriptionRefused(_("The browser's push address is missing or too long."))
    try:
        targets.check(endpoint, https_only=settings.PRODUCTION)
    except targets.TargetRefused as refused:
        raise SubscriptionRefused(str(refused)) from None
    p256dh = _key(data["keys"].get("p256dh", ""), 65, "public key")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), base64.urlsafe_b64decode(p256dh + "=" * (-len(p256dh) % 4))
        )
    except ValueError:
        raise SubscriptionRefused(_("The browser's public key is not a P-256 point.")) from None
    auth = _key(data["keys"].get("auth", ""), 16, "secret")
    return endpoint, p256dh, auth


@transaction.atomic
def subscribe(household: Household, user: Any, data: Any, name: str) -> Channel:
    """Adds the browser (or renames it, when it subscribed before with the same endpoint)."""
    endpoint, p256dh, auth = clean_subscription(data)
    channel = (
        Channel.objects.in_household(household)
        .filter(kind=ChannelKind.PUSH, user=user, target=endpoint)
        .first()
    )
    if channel is None:
        channel = Channel.objects.create(
            household=household, user=user, kind=ChannelKind.PUSH, target=endpoint
        )
    PushDevice.objects.update_or_create(
        channel=channel, defaults={"name": name, "p256dh": p256dh, "auth": auth}
    )
    return channel


def resubscribe(household: Household, user: Any, old_endpoint: str, data: Any) -> Channel | None:
    """The service worker's `pushsubscriptionchange`: the device keeps its name."""
    old = (
        PushDevice.objects.in_household(household)
        .filter(channel__user=user, channel__target=old_endpoint)
        .first()
    )
    if old is None:
        return None
    endpoint, p256dh, auth = clean_subscription(data)
    with transaction.atomic():
        Channel.objects.filter(pk=old.channel_id).update(target=endpoint)
        PushDevice.objects.filter(pk=old.pk).update(p256dh=p256dh, auth=auth)
    return Channel.objects.get(pk=old.channel_id)


# Where tapping a planner's message leads, by its kind and key (the key names its trip).
def _trip_of(message: Message) -> int:
    return int(message.idempotency_key.split(":")[1])


def _night_page(message: Message) -> str:
    """The family calendar's month of the night ("uncovered:2027-01-15")."""
    night = date.fromisoformat(message.idempotency_key.split(":")[1])
    return reverse("trips:calendar_month", args=[night.year, night.month])


def _share_links_page(message: Message) -> str:
    """The share links of the trip whose link was opened ("share-opened:<link>")."""
    from homefront.handoff.models import ShareLink

    trip_id = (
        ShareLink.objects.filter(pk=int(message.idempotency_key.split(":")[1]))
        .values_list("trip_id", flat=True)
        .first()
    )
    return reverse("handoff:share_links", args=[trip_id]) if trip_id else reverse("trips:list")


PAGES: dict[str, Any] = {
    MessageKind.PREP_DIGEST: lambda m: reverse("prep:today"),
    MessageKind.LEAVING_TOMORROW: lambda m: reverse("trips:detail", args=[_trip_of(m)]),
    MessageKind.JOURNAL_DIGEST: lambda m: reverse("journal:timeline", args=[_trip_of(m)]),
    MessageKind.UNCOVERED_NIGHT: lambda m: _night_page(m),
    MessageKind.SHARE_OPENED: lambda m: _share_links_page(m),
    MessageKind.LEAVE_NOW: lambda m: reverse("handoff:brief", args=[_trip_of(m)]),
    MessageKind.READINESS_REVIEW: lambda m: reverse("handoff:readiness"),
    MessageKind.TEST: lambda m: reverse("notify:channels"),
}


def notification(message: Message) -> dict[str, Any]:
    """What the service worker shows: title, text, the page a tap opens, and a tag (a
    later push with the same tag replaces the earlier one on the phone)."""
    data = message.data or {}
    body = data.get("body") or message.text.removesuffix("\n\n— Homefront")
    url = data.get("url") or PAGES.get(message.kind, lambda m: "/")(message)
    return {
        "title": message.subject,
        "body": body[:MAX_BODY],
        "url": url,
        "tag": data.get("tag") or f"{message.kind}-{message.pk}",
        "lang": data.get("lang", ""),
        "dir": data.get("dir", "auto"),
    }


def plaintext(message: Message) -> bytes:
    shown = notification(message)
    encoded = json.dumps(shown, ensure_ascii=False, separators=(",", ":")).encode()
    while len(encoded) > MAX_PLAINTEXT and shown["body"]:
        shown["body"] = shown["body"][: len(shown["body"]) // 2] + "…"
        encoded = json.dumps(shown, ensure_ascii=False, separators=(",", ":")).encode()
    return encoded


class PushChannel:
    def notify(self, channel: Channel, message: Message) -> None:
        from pywebpush import WebPushException  # loads requests and aiohttp
        from pywebpush import webpush  # loads requests and aiohttp

        from homefront.notify.channels import DeliveryError

        device = channel.push_device
        try:
            targets.check(channel.target, https_only=settings.PRODUCTION)
        except targets.TargetRefused as refused:
            raise DeliveryError(str(refused), permanent=True) from None
        try:
            webpush(
                {
                    "endpoint": channel.target,
                    "keys": {"p256dh": device.p256dh, "auth": device.auth},
                },
                plaintext(message).decode(),
                vapid_private_key=vapid.installation_key(),
                vapid_claims={"sub": vapid.contact()},
                timeout=TIMEOUT,
                ttl=TTL,
                headers={"Urgency": "high" if message.data.get("urgent") else "normal"},
            )
        except WebPushException as error:
            status = error.status_code
            if status in GONE:
                raise DeliveryError(
                    f"The push service says this device is gone ({status}).",
                    permanent=True,
                    remove_channel=True,
                ) from error
            raise DeliveryError(
                f"The push service answered {status}: {error.message[:200]}",
                permanent=status is not None and 400 <= status < 500 and status != 429,
            ) from error
        except OSError as error:  # requests' errors are OSErrors: refused, timed out
            raise DeliveryError(
                f"Could not reach the push service: {error}", permanent=False
            ) from error
