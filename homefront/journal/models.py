from __future__ import annotations

import hashlib
import json
from typing import Any
from typing import Self

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from homefront.handoff.models import ShareLink
from homefront.households.models import Child
from homefront.households.models import Household
from homefront.households.models import HouseholdScopedQuerySet
from homefront.households.models import Medicine
from homefront.prep.models import PrepTask
from homefront.trips.models import Trip

NOTE_LENGTH = 5000
RESTORE_DAYS = 30


class Kind(models.TextChoices):
    MEAL = "meal", _("Meal")
    NEW_FOOD = "new_food", _("New food tried")
    BATH = "bath", _("Bath")
    NAP = "nap", _("Nap")
    ASLEEP = "asleep", _("Asleep")
    WOKE = "woke", _("Woke up")
    MOOD = "mood", _("Mood")
    MISSED_PARENT = "missed_parent", _("Missed the parent")
    COMFORT_USED = "comfort_used", _("Comfort item used")
    MEDICINE = "medicine", _("Medicine given")
    CALL = "call", _("Call with the parent")
    INCIDENT = "incident", _("Incident")
    NOTE = "note", _("Note")
    PHOTO = "photo", _("Photo")


# What each kind may carry in `details`, and the values a choice may take.
DETAIL_CHOICES: dict[str, dict[str, tuple[str, ...]]] = {  # keyed by Kind value
    Kind.MEAL: {"amount": ("all", "most", "some", "little", "none")},
    Kind.NEW_FOOD: {"liked": ("yes", "no", "so-so")},
    Kind.MOOD: {"mood": ("happy", "ok", "grumpy", "sad", "upset")},
    Kind.INCIDENT: {"severity": ("minor", "needed care", "serious")},
    Kind.WOKE: {"when": ("morning", "night")},
}

# What each kind may carry in `details` as free text.
DETAIL_TEXT: dict[str, tuple[str, ...]] = {  # keyed by Kind value
    Kind.MEAL: ("what",),
    Kind.NEW_FOOD: ("food", "reaction"),
    Kind.NAP: ("until",),
    Kind.CALL: ("minutes",),
}


def detail_keys(kind: str) -> tuple[str, ...]:
    """Every key an entry of this kind may carry in `details`."""
    return (*DETAIL_CHOICES.get(kind, {}), *DETAIL_TEXT.get(kind, ()))


# Every kind's keys: what the quick log's plain form posts may send.
ALL_DETAIL_KEYS = tuple(dict.fromkeys(key for kind in Kind for key in detail_keys(kind)))


def kinds_for_the_page() -> dict[str, dict[str, object]]:
    """Each kind's label in the active language and its detail keys: what the quick log's
    headings say and what journal.js reads (through json_script), from this one place."""
    return {
        kind.value: {"label": str(kind.label), "details": list(detail_keys(kind))} for kind in Kind
    }


# The words for the choices' values, as the quick log's buttons and the summaries say them.
CHOICE_WORDS = {
    "all": _("all"),
    "most": _("most"),
    "some": _("some"),
    "little": _("a little"),
    "none": _("nothing"),
    "happy": _("happy"),
    "ok": _("ok"),
    "grumpy": _("grumpy"),
    "sad": _("sad"),
    "upset": _("upset"),
    "minor": _("minor"),
    "needed care": _("needed care"),
    "serious": _("serious"),
    "noted": _("noted"),
}


def said(value: str) -> str:
    """A stored choice in the reader's words; a value of an older version as it is."""
    return str(CHOICE_WORDS.get(value, value))


def _meal_summary(d: dict[str, Any]) -> str:
    if d.get("what") and d.get("amount"):
        return gettext("Meal (%(what)s): ate %(amount)s") % {
            "what": d["what"],
            "amount": said(d["amount"]),
        }
    if d.get("what"):
        return gettext("Meal (%(what)s)") % {"what": d["what"]}
    if d.get("amount"):
        return gettext("Meal: ate %(amount)s") % {"amount": said(d["amount"])}
    return gettext("Meal")


def _new_food_summary(d: dict[str, Any]) -> str:
    food = d.get("food") or gettext("something new")
    liked = {
        "yes": gettext("Tried %(food)s: liked it"),
        "no": gettext("Tried %(food)s: did not like it"),
        "so-so": gettext("Tried %(food)s: so-so"),
    }.get(d.get("liked", ""), gettext("Tried %(food)s"))
    said_ = liked % {"food": food}
    if d.get("reaction"):
        return gettext("%(tried)s — reaction: %(reaction)s") % {
            "tried": said_,
            "reaction": d["reaction"],
        }
    return said_


class EntryQuerySet(HouseholdScopedQuerySet):
    household_path = "household"

    def alive(self) -> Self:
        return self.filter(deleted_at__isnull=True)


class JournalEntry(models.Model):
    """One thing that happened while a parent was away.

    `uuid` is made by the browser that logged it, so a send that is retried,
    doubled or replayed after a lost response stores the entry once.
    """

    uuid = models.UUIDField(unique=True)
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="journal")
    # The trip's household, kept on the entry so that a household's newest
    # entries come straight off one index, however many other households share
    # the database.
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", editable=False
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    children = models.ManyToManyField(Child, related_name="journal_entries")
    occurred_at = models.DateTimeField()
    details = models.JSONField(default=dict, blank=True)
    text = models.TextField(blank=True, validators=[MaxLengthValidator(NOTE_LENGTH)])
    medicine = models.ForeignKey(
        Medicine, null=True, blank=True, on_delete=models.SET_NULL, related_name="doses"
    )
    comfort_task = models.ForeignKey(
        PrepTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="uses"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    share_link = models.ForeignKey(
        ShareLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    content_hash = models.CharField(max_length=64, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["trip", "-occurred_at", "-id"]),
            # Partial: pages and the API list and count the entries that are not
            # deleted, so the count is read off the index alone.
            models.Index(
                fields=["household", "-occurred_at", "-id"],
                condition=models.Q(deleted_at__isnull=True),
                name="journal_household_alive",
            ),
            models.Index(fields=["household", "kind", "-occurred_at"]),
        ]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.household_id:
            self.household_id = self.trip.household_id
        super().save(*args, **kwargs)

    @property
    def author_name(self) -> str:
        if self.author_id:
            return str(self.author)
        if self.share_link_id:
            return self.share_link.label  # type: ignore[union-attr]
        return gettext("Someone")

    @property
    def summary(self) -> str:
        """One line a parent reads at a glance: "Tried raw currants: liked it"."""
        d = self.details
        match self.kind:
            case Kind.MEAL:
                return _meal_summary(d)
            case Kind.NEW_FOOD:
                return _new_food_summary(d)
            case Kind.MOOD:
                return gettext("Mood: %(mood)s") % {"mood": said(d.get("mood", "noted"))}
            case Kind.WOKE:
                return (
                    gettext("Woke in the night") if d.get("when") == "night" else gettext("Woke up")
                )
            case Kind.NAP:
                return (
                    gettext("Nap until %(time)s") % {"time": d["until"]}
                    if d.get("until")
                    else gettext("Nap")
                )
            case Kind.MEDICINE:
                medicine = self.medicine
                return (
                    gettext("Medicine: %(name)s %(dose)s")
                    % {"name": medicine.name, "dose": medicine.dose}
                    if medicine
                    else gettext("Medicine given")
                )
            case Kind.COMFORT_USED:
                task = self.comfort_task
                return (
                    gettext("Comfort: %(item)s") % {"item": task.title}
                    if task
                    else gettext("Comfort item used")
                )
            case Kind.INCIDENT:
                return gettext("Incident (%(severity)s)") % {
                    "severity": said(d.get("severity", "minor"))
                }
            case Kind.CALL:
                return (
                    gettext("Call with the parent (%(minutes)s min)") % {"minutes": d["minutes"]}
                    if d.get("minutes")
                    else gettext("Call with the parent")
                )
        return str(self.get_kind_display())

    @staticmethod
    def hash_content(fields: dict[str, Any]) -> str:
        """What the entry says, for telling a replay from a different entry under one UUID."""
        canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def snapshot(self, child_ids: list[int] | None = None) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "children": sorted(
                child_ids if child_ids is not None else [c.pk for c in self.children.all()]
            ),
            "occurred_at": self.occurred_at.isoformat(),
            "details": self.details,
            "text": self.text,
            "medicine": self.medicine_id,
            "comfort_task": self.comfort_task_id,
        }


class EntryChange(models.Model):
    """Every change to an entry: who, when, what it was and what it became."""

    class Action(models.TextChoices):
        CREATED = "created", _("Logged")
        EDITED = "edited", _("Edited")
        DELETED = "deleted", _("Deleted")
        RESTORED = "restored", _("Restored")

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=16, choices=Action.choices)
    by_name = models.CharField(max_length=100)
    at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.by_name}"
