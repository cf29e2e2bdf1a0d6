"""What each person wants pushed to their devices, and who may hear of a trip's day.

Email and other channels get every message of the planner, as before; a push is more
intrusive, so each person chooses (PushChoices, with defaults until they do). Incidents
are always pushed to whoever may read the trip's journal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import MessageKind
from homefront.notify.models import PushChoices

# Journal kinds with a choice of their own: asleep and woke share the "sleep" one, an
# incident is always pushed.
SLEEP_KINDS = ("asleep", "woke")
ALWAYS_KINDS = ("incident",)
# A photo's own entry: its push is the photos' batch ("3 new photos"), chosen apart.
PHOTO_KINDS = ("photo",)

# A planner message's kind -> the choice that lets it through to a push channel.
CHOICE_OF_KIND: dict[str, str] = {
    MessageKind.PREP_DIGEST: "prep",
    MessageKind.CAREGIVER_MORNING: "prep",  # the caregiver's side of this morning's prep
    MessageKind.LEAVING_TOMORROW: "leaving",
    MessageKind.JOURNAL_DIGEST: "journal_digest",
    MessageKind.UNCOVERED_NIGHT: "uncovered",
    MessageKind.SHARE_OPENED: "share_opened",
    MessageKind.READINESS_REVIEW: "readiness",
    MessageKind.PHOTOS: "photos",
}


def choices_of(household_id: int, user_ids: Iterable[int]) -> dict[int, PushChoices]:
    """Each person's choices; defaults for those who never chose. One query."""
    found = {
        c.user_id: c
        for c in PushChoices.objects.filter(household_id=household_id, user_id__in=set(user_ids))
    }
    return {
        user_id: found.get(user_id) or PushChoices(household_id=household_id, user_id=user_id)
        for user_id in user_ids
    }


def wants_entry(choices: PushChoices, kind: str) -> bool:
    if kind in ALWAYS_KINDS:
        return True
    if kind in SLEEP_KINDS:
        return choices.sleep
    return kind in (choices.entry_kinds or [])


def wants_kind(choices: PushChoices, kind: str) -> bool:
    field = CHOICE_OF_KIND.get(kind)
    return True if field is None else bool(getattr(choices, field))


def pushes_wanted(drafts: list[tuple[Channel, Any]]) -> list[tuple[Channel, Any]]:
    """The planner's drafts without those a person chose not to have pushed."""
    pushed = [c for c, _ in drafts if c.kind == ChannelKind.PUSH and c.user_id]
    if not pushed:
        return drafts
    choices = choices_of(pushed[0].household_id, {c.user_id for c in pushed if c.user_id})
    return [
        (channel, draft)
        for channel, draft in drafts
        if channel.kind != ChannelKind.PUSH
        or channel.user_id is None
        or wants_kind(choices[channel.user_id], draft.kind)
    ]
