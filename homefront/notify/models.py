from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homefront.households.models import Contact
from homefront.households.models import Household
from homefront.households.models import HouseholdScopedQuerySet

MAX_ATTEMPTS = 5


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    APPRISE = "apprise", _("Another service (Apprise URL)")
    # A device's browser, subscribed from the notifications page (notify/push.py).
    PUSH = "push", _("This device")
    # The household's outgoing webhook, for Home Assistant and the like (notify/webhooks.py).
    WEBHOOK = "webhook", _("Webhook")


# What a person adds on the notifications page by typing an address.
TYPED_KINDS = (ChannelKind.EMAIL, ChannelKind.APPRISE)


class Channel(models.Model):
    """Where one person's messages go: an email address or any Apprise URL
    (ntfy, Signal, Telegram, Pushover, Matrix, ...)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="channels")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="channels",
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="channels"
    )
    kind = models.CharField(max_length=16, choices=ChannelKind.choices, default=ChannelKind.EMAIL)
    target = models.CharField(
        _("address"),
        max_length=500,
        help_text=_("An email address, or an Apprise URL such as ntfy://ntfy.sh/my-family-topic."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HouseholdScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, contact__isnull=True)
                | Q(user__isnull=True, contact__isnull=False)
                | Q(kind="webhook", user__isnull=True, contact__isnull=True),
                name="channel_belongs_to_one_person_or_is_a_webhook",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.shown_target}"

    @property
    def shown_target(self) -> str:
        """Apprise URLs carry tokens: show the service and hide the rest."""
        if self.kind == ChannelKind.EMAIL:
            return self.target
        if self.kind == ChannelKind.PUSH:
            return self.push_device.name
        if self.kind == ChannelKind.WEBHOOK:
            return self.webhook.name
        scheme, _sep, rest = self.target.partition("://")
        return f"{scheme}://{rest[:4]}…" if rest else self.target

    @property
    def owner_name(self) -> str:
        if self.kind == ChannelKind.WEBHOOK:
            return str(_("the household's webhook"))
        return str(self.user or self.contact)

    def clean(self) -> None:
        if self.kind in (ChannelKind.PUSH, ChannelKind.WEBHOOK):
            return  # checked where they are made: notify/push.py, notify/webhooks.py
        if self.kind == ChannelKind.EMAIL:
            try:
                validate_email(self.target)
            except ValidationError:
                raise ValidationError({"target": "Enter a valid email address."}) from None
        else:
            import apprise  # imported on demand: it loads many plugins

            if not apprise.Apprise().add(self.target):
                raise ValidationError(
                    {
                        "target": "Apprise does not recognise this URL. Check the service's "
                        "format, e.g. ntfy://ntfy.sh/topic or tgram://bottoken/ChatID."
                    }
                )


class MessageKind(models.TextChoices):
    PREP_DIGEST = "prep_digest", _("Morning prep digest")
    LEAVING_TOMORROW = "leaving_tomorrow", _("Leaving tomorrow")
    JOURNAL_DIGEST = "journal_digest", _("The kids' day")
    UNCOVERED_NIGHT = "uncovered_night", _("Nobody in charge")
    SHARE_OPENED = "share_opened", _("Brief opened")
    LEAVE_NOW = "leave_now", _("Leave now")
    READINESS_REVIEW = "readiness_review", _("Readiness review")
    TEST = "test", _("Test")
    ENTRY = "entry", _("Journal entry")
    PHOTOS = "photos", _("New photos")
    WEBHOOK = "webhook", _("Webhook event")
    CAREGIVER_MORNING = "caregiver_morning", _("This morning's reminder")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message to one channel. The idempotency key makes each message exist once,
    however often the planner runs; the status column is claimed with a conditional
    UPDATE, so two workers never send it twice."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="messages")
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=24, choices=MessageKind.choices)
    idempotency_key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    html = models.TextField(blank=True)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A push's page to open and tag, a photo batch's photos, a webhook's event and body.
    data = models.JSONField(default=dict, blank=True)

    objects = HouseholdScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-pk"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.channel}"

    @classmethod
    def to(cls, channel: Channel, kind: str, key: str, **fields: Any) -> Message:
        """The (unsaved) message of `kind` to `channel`; `key` makes it exist once."""
        return cls(
            household_id=channel.household_id,
            channel=channel,
            kind=kind,
            idempotency_key=f"{key}:channel-{channel.pk}",
            **fields,
        )


class Attempt(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    worker = models.CharField(max_length=64)
    ok = models.BooleanField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{'sent' if self.ok else 'failed'} at {self.at:%Y-%m-%d %H:%M}"


class Schedule(models.Model):
    """When a household next needs planning: the due-time column the worker claims from.

    Set after each planning to the next moment something can become due (a local
    midnight with prep to tell, the evening before a departure, the traveller's evening,
    the next readiness review...), and to now by every write that changes what is due
    (`notify/due.py`). A household without a channel has none, or an empty one."""

    household = models.OneToOneField(
        Household, on_delete=models.CASCADE, related_name="notify_schedule"
    )
    next_plan_at = models.DateTimeField(null=True, blank=True)
    # Who is planning it now, on SQLite (PostgreSQL holds a row lock instead).
    claimed_by = models.CharField(max_length=64, blank=True)

    objects = HouseholdScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_plan_at"],
                condition=Q(next_plan_at__isnull=False),
                name="notify_schedule_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} at {self.next_plan_at}"


class ChannelScopedQuerySet(HouseholdScopedQuerySet):
    household_path = "channel__household"


class PushDevice(models.Model):
    """One browser subscribed to Web Push (RFC 8030): its channel's target is the push
    service's endpoint; these are the keys its messages are encrypted to (RFC 8291)."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="push_device")
    name = models.CharField(_("device name"), max_length=80)
    p256dh = models.CharField(max_length=100)
    auth = models.CharField(max_length=40)

    objects = ChannelScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class Webhook(models.Model):
    """Where the household's events are posted, signed with a secret shown once. The
    secret is kept as it is: signing needs it."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="webhook")
    name = models.CharField(_("name"), max_length=80)
    secret = models.CharField(max_length=80)
    events = models.JSONField(default=list)

    objects = ChannelScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class PushChoices(models.Model):
    """What one person wants pushed to their devices in one household. Incidents are
    always pushed; the rest is theirs to choose."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    photos = models.BooleanField(_("new photos"), default=True)
    sleep = models.BooleanField(_("asleep and woke up"), default=True)
    entry_kinds = models.JSONField(default=list, blank=True)
    share_opened = models.BooleanField(_("the first open of a shared brief"), default=True)
    uncovered = models.BooleanField(_("a night with nobody in charge"), default=True)
    prep = models.BooleanField(_("this morning's prep"), default=True)
    leaving = models.BooleanField(_("the evening before leaving"), default=True)
    journal_digest = models.BooleanField(_("the kids' day, in the evening"), default=True)
    readiness = models.BooleanField(_("the quarterly readiness check"), default=False)

    objects = HouseholdScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "user"], name="one_push_choice_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.household}"
