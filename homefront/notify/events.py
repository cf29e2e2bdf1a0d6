"""Messages made the moment something happens, not by the planner: a journal entry
logged (a push to those who chose its kind, incidents always; a webhook event) and a
photo added (one push per few minutes per device, later photos merged into the pending
one: "3 new photos of Maya and Noa").

The journal tells of its entries through `journal.signals.entries_logged`, inside the
transaction that stores them, so an entry and its messages are written whole. The photos
app calls `photo_added()` the same way.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from datetime import timedelta
from typing import Any

from django.db import IntegrityError
from django.db import transaction
from django.urls import reverse
from django.utils import formats
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from homefront.access import Action
from homefront.access import may
from homefront.access import member_actor
from homefront.households.models import Household
from homefront.notify import choices as push_choices
from homefront.notify import webhooks
from homefront.notify.drafts import outside_quiet_hours
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.models import Status
from homefront.notify.zones import speaking
from homefront.notify.zones import zone_at
from homefront.trips.models import Trip

# A first photo waits this long for the ones taken with it; after a photo push, the next
# to the same device waits until this long after it.
PHOTO_GATHER = timedelta(minutes=1)
PHOTO_EVERY = timedelta(minutes=5)


def names(words: Sequence[str]) -> str:
    """ "Maya", "Maya and Noa", "Maya, Noa and Eli", in the active language."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return _("%(some)s and %(last)s") % {"some": ", ".join(words[:-1]), "last": words[-1]}


def _readers(trip: Trip, author_id: int | None) -> list[Channel]:
    """The push channels of those who may read the trip's journal, but its author's."""
    channels = list(
        Channel.objects.filter(household_id=trip.household_id, kind=ChannelKind.PUSH)
        .exclude(user_id=author_id)
        .select_related("user", "household")
    )
    allowed: dict[int, bool] = {}
    for channel in channels:
        if channel.user_id is not None and channel.user_id not in allowed:
            allowed[channel.user_id] = may(
                member_actor(trip.household, channel.user_id), Action.READ_TRIP, trip
            )
    return [c for c in channels if c.user_id is not None and allowed[c.user_id]]


def _due(channel: Channel, household: Household, moment: datetime) -> datetime:
    zone = zone_at(channel.user, household, moment)
    return outside_quiet_hours(moment.astimezone(zone), channel.user)


def _store(message: Message) -> Message | None:
    try:
        with transaction.atomic():
            message.save()
            return message
    except IntegrityError:
        return None  # made before: the key is the message's identity


# -- Journal entries -------------------------------------------------------------------


def entry_data(entry: Any, children: list[str]) -> dict[str, Any]:
    return {
        "id": str(entry.uuid),
        "trip": entry.trip_id,
        "kind": entry.kind,
        "occurred_at": entry.occurred_at.isoformat(),
        "children": children,
        "summary": entry.summary,
        "path": reverse("journal:timeline", args=[entry.trip_id]),
    }


def entries_logged(trip: Trip, entries: Sequence[Any], author_id: int | None) -> list[Message]:
    """Pushes and webhook events for new entries; called in the transaction storing them.
    A batch of any size costs the same few queries: every message is made in one insert."""
    if not entries:
        return []
    hooks = webhooks.webhooks_for(trip.household_id, webhooks.Event.ENTRY_LOGGED)
    readers = _readers(trip, author_id)
    if not hooks and not readers:
        return []
    children = {
        e.pk: [c.name for c in e.children.all()]
        for e in type(entries[0])
        .objects.filter(pk__in=[e.pk for e in entries])
        .prefetch_related("children")
    }
    made = [
        webhooks.event_message(
            hook,
            webhooks.Event.ENTRY_LOGGED,
            str(entry.uuid),
            entry_data(entry, children.get(entry.pk, [])),
        )
        for hook in hooks
        for entry in entries
    ]
    chosen = push_choices.choices_of(trip.household_id, {c.user_id for c in readers if c.user_id})
    now = timezone.now()
    for channel in readers:
        assert channel.user_id is not None
        wanted = [e for e in entries if push_choices.wants_entry(chosen[channel.user_id], e.kind)]
        if wanted:
            due = _due(channel, trip.household, now)
            zone = zone_at(channel.user, trip.household, now)
            made += [
                _entry_push(channel, trip, e, children.get(e.pk, []), due, zone) for e in wanted
            ]
    # Made once each: an entry is new here, and its messages' keys are its own.
    return Message.objects.bulk_create(made, ignore_conflicts=True)


def _entry_push(
    channel: Channel,
    trip: Trip,
    entry: Any,
    children: list[str],
    due: datetime,
    zone: Any,
) -> Message:
    with speaking(channel.user):
        local = formats.time_format(entry.occurred_at.astimezone(zone), "TIME_FORMAT")
        title = (
            _("%(children)s: %(what)s")
            % {"children": names(children), "what": entry.get_kind_display()}
            if children
            else str(entry.get_kind_display())
        )
        body = f"{local} · {entry.summary}"
        lang, direction = get_language(), "rtl" if get_language_bidi() else "ltr"
    return Message.to(
        channel,
        MessageKind.ENTRY,
        f"entry:{entry.uuid}",
        subject=title[:200],
        text=body,
        due_at=due,
        data={
            "body": body,
            "url": reverse("journal:timeline", args=[trip.pk]),
            "tag": f"entry-{entry.pk}",
            "lang": lang,
            "dir": direction,
            "urgent": entry.kind in push_choices.ALWAYS_KINDS,
        },
    )


# -- Photos ----------------------------------------------------------------------------


def photo_added(
    trip: Trip, photo_id: int, children: Sequence[str], author_id: int | None
) -> list[Message]:
    """A photo of `children` was added to the trip by `author_id` (None: a share link).
    Call it in the transaction that stores the photo. Each reader's device gets at most
    one photo push every few minutes: a photo joins the push still waiting, if any."""
    made = webhooks.announce(
        trip.household_id,
        webhooks.Event.PHOTO_ADDED,
        str(photo_id),
        {
            "trip": trip.pk,
            "photo": photo_id,
            "children": list(children),
            "path": reverse("journal:timeline", args=[trip.pk]),
        },
    )
    readers = _readers(trip, author_id)
    if not readers:
        return made
    chosen = push_choices.choices_of(trip.household_id, {c.user_id for c in readers if c.user_id})
    for channel in readers:
        assert channel.user_id is not None
        if chosen[channel.user_id].photos and (
            message := _photo_push(channel, trip, photo_id, list(children))
        ):
            made.append(message)
    return made


def _photo_text(channel: Channel, photos: int, children: list[str]) -> tuple[str, dict[str, str]]:
    with speaking(channel.user):
        if children:
            title = ngettext(
                "%(count)d new photo of %(children)s",
                "%(count)d new photos of %(children)s",
                photos,
            ) % {"count": photos, "children": names(children)}
        else:
            title = ngettext("%(count)d new photo", "%(count)d new photos", photos) % {
                "count": photos
            }
        return title, {
            "body": _("Open the timeline to see them."),
            "lang": get_language(),
            "dir": "rtl" if get_language_bidi() else "ltr",
        }


def _photo_push(channel: Channel, trip: Trip, photo_id: int, children: list[str]) -> Message | None:
    waiting = (
        Message.objects.filter(
            channel=channel,
            kind=MessageKind.PHOTOS,
            status=Status.PENDING,
            idempotency_key__startswith=f"photos:{trip.pk}:",
        )
        .order_by("pk")
        .first()
    )
    if waiting is not None:
        photos = list(waiting.data.get("photos", []))
        if photo_id in photos:
            return None
        photos.append(photo_id)
        shown = list(dict.fromkeys([*waiting.data.get("children", []), *children]))
        title, text = _photo_text(channel, len(photos), shown)
        # Only while it still waits: a worker that claimed it meanwhile sends it as it
        # was, and this photo gets a push of its own, a few minutes later.
        if Message.objects.filter(pk=waiting.pk, status=Status.PENDING).update(
            subject=title, data={**waiting.data, **text, "photos": photos, "children": shown}
        ):
            return None
    now = timezone.now()
    last = (
        Message.objects.filter(channel=channel, kind=MessageKind.PHOTOS)
        .exclude(status=Status.PENDING)
        .order_by("-claimed_at")
        .values_list("claimed_at", flat=True)
        .first()
    )
    moment = max(now + PHOTO_GATHER, (last + PHOTO_EVERY) if last else now)
    title, text = _photo_text(channel, 1, children)
    return _store(
        Message.to(
            channel,
            MessageKind.PHOTOS,
            f"photos:{trip.pk}:{uuid.uuid4().hex}",
            subject=title,
            text="",
            due_at=_due(channel, trip.household, moment),
            data={
                **text,
                "url": reverse("journal:timeline", args=[trip.pk]),
                # The same tag each time: a later photo push replaces the earlier one.
                "tag": f"photos-{trip.pk}",
                "photos": [photo_id],
                "children": children,
            },
        )
    )
