"""Claiming and sending due messages, exactly once each, whatever the number of workers."""

from __future__ import annotations

import logging
import threading
from datetime import datetime
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from homefront.notify.channels import DeliveryError
from homefront.notify.channels import send
from homefront.notify.models import MAX_ATTEMPTS
from homefront.notify.models import Attempt
from homefront.notify.models import Channel
from homefront.notify.models import Message
from homefront.notify.models import Status

logger = logging.getLogger("homefront.worker")

STUCK_AFTER = timedelta(minutes=10)
BATCH = 50


def backoff(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes between tries."""
    return timedelta(minutes=4 ** (attempts - 1))


def deliver(message_id: int, worker: str, now: datetime | None = None) -> str:
    """Sends one message if this worker wins the claim; returns what happened."""
    now = now or timezone.now()
    claimed = Message.objects.filter(pk=message_id, status=Status.PENDING, due_at__lte=now).update(
        status=Status.SENDING, claimed_by=worker, claimed_at=now
    )
    if not claimed:
        return "taken"
    message = Message.objects.select_related(
        "channel__user", "channel__contact", "channel__push_device", "channel__webhook"
    ).get(pk=message_id)
    attempts = message.attempts + 1
    try:
        try:
            send(message)
        except DeliveryError:
            raise
        except Exception as unexpected:  # a bug must not leave the claim hanging
            raise DeliveryError(
                f"Unexpected error: {unexpected!r}", permanent=False
            ) from unexpected
    except DeliveryError as error:
        failed = error.permanent or attempts >= MAX_ATTEMPTS
        # The claim was committed on its own, before the network call, so no transaction
        # waits on a mail server; the outcome (attempt and message state) is written whole.
        with transaction.atomic():
            Attempt.objects.create(message=message, worker=worker, ok=False, error=str(error))
            Message.objects.filter(pk=message.pk, claimed_by=worker).update(
                status=Status.FAILED if failed else Status.PENDING,
                attempts=attempts,
                last_error=str(error),
                due_at=now if failed else now + backoff(attempts),
            )
            if error.remove_channel:
                # A dead push subscription: the device leaves the person's list, and its
                # messages with it.
                logger.info("Removing channel %s: %s", message.channel_id, error)
                Channel.objects.filter(pk=message.channel_id).delete()
                return "removed"
        return "failed" if failed else "retry"
    with transaction.atomic():
        Attempt.objects.create(message=message, worker=worker, ok=True)
        Message.objects.filter(pk=message.pk, claimed_by=worker).update(
            status=Status.SENT, attempts=attempts, sent_at=timezone.now(), last_error=""
        )
    return "sent"


def release_stuck(now: datetime) -> int:
    """A worker killed mid-send leaves its claim behind; after a while it is tried again."""
    return Message.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER).update(
        status=Status.PENDING, claimed_by=""
    )


def deliver_due(
    worker: str, now: datetime | None = None, stopping: threading.Event | None = None
) -> list[str]:
    """Sends what is due; between two messages, a stop request ends the round."""
    now = now or timezone.now()
    release_stuck(now)
    due = list(
        Message.objects.filter(status=Status.PENDING, due_at__lte=now)
        .order_by("due_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    outcomes = []
    for pk in due:
        if stopping is not None and stopping.is_set():
            break
        outcomes.append(deliver(pk, worker, now))
    return outcomes
