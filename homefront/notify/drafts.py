"""A message before it is stored: what it says, for whom and when, and storing it once.

A draft is worded lazily and said in each recipient's language, with their clock, when it
becomes their message; it goes out outside their quiet hours, where they are then. Its
idempotency key makes it exist once however often, and by however many workers, it is
planned. The planner (`notify/plan/`) makes drafts; so do the messages asked for there
and then ("leave now", "Send a test").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils import translation
from django.utils.functional import Promise

from homefront.accounts.models import User
from homefront.handoff.models import ShareLink
from homefront.households.models import Household
from homefront.i18n import or_default
from homefront.notify.choices import pushes_wanted
from homefront.notify.digest_photos import InlinePhoto
from homefront.notify.digest_photos import with_photos
from homefront.notify.models import Channel
from homefront.notify.models import Message
from homefront.notify.zones import zone_at
from homefront.trips.models import Trip


@dataclass(frozen=True)
class Draft:
    kind: str
    key: str
    # Lazy: said in each recipient's language when made into their message.
    subject: str | Promise
    lines: Sequence[str | Promise]
    due_at: datetime
    # Where the person is when it arrives, when that is not their usual zone (a
    # traveller): their quiet hours are kept there.
    zone: ZoneInfo | None = None
    # Asked for there and then ("Send a test"): quiet hours do not hold it back.
    anytime: bool = False
    # A few of the day's photos, inline in an email (digest_photos.py).
    photos: tuple[InlinePhoto, ...] = ()


def in_quiet_hours(moment: datetime, user: User | None) -> bool:
    if user is None:
        return False
    start, end = user.quiet_from, user.quiet_until
    local = moment.time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # the usual case: the quiet hours wrap midnight


def outside_quiet_hours(moment: datetime, user: User | None) -> datetime:
    """The moment itself, or the end of the person's quiet hours after it (their zone)."""
    if not in_quiet_hours(moment, user):
        return moment
    assert user is not None
    end = datetime.combine(moment.date(), user.quiet_until, tzinfo=moment.tzinfo)
    if end <= moment:
        end = datetime.combine(
            moment.date() + timedelta(days=1), user.quiet_until, tzinfo=moment.tzinfo
        )
    return end


def recipient_language(channel: Channel) -> str:
    """A member's own language; a caregiver's (a contact's) is that of the last share link
    made for them; else English."""
    if channel.user is not None:
        return or_default(channel.user.language)
    if channel.contact_id is not None:
        chosen = (
            ShareLink.objects.filter(contact_id=channel.contact_id)
            .order_by("-created_at")
            .values_list("language", flat=True)
            .first()
        )
        return or_default(chosen)
    return or_default(None)


def person_zone(
    channel: Channel, household: Household, moment: datetime, trips: list[Trip] | None = None
) -> ZoneInfo:
    """Where the channel's person is at `moment`: a trip's destination while away."""
    return zone_at(channel.user, household, moment, trips)


def make(channel: Channel, draft: Draft) -> Message | None:
    """Stores the message once; None when it was planned before."""
    try:
        with transaction.atomic():
            message = _message(channel, draft, f"{draft.key}:channel-{channel.pk}")
            message.save()
            return message
    except IntegrityError:
        return None


def _message(channel: Channel, draft: Draft, key: str) -> Message:
    due = draft.due_at
    if not draft.anytime:
        # Planned after its time (a late round, a channel added in the evening), it goes
        # out now: the quiet hours are those of now, not of the moment it was due, and of
        # where the person is then.
        due = max(due, timezone.now())
        zone = draft.zone or person_zone(channel, channel.household, due)
        due = outside_quiet_hours(due.astimezone(zone), channel.user)
    # Said in the recipient's language, with their clock and names of days.
    with translation.override(recipient_language(channel)):
        subject = str(draft.subject)
        lines = [str(line) for line in draft.lines]
        text = "\n".join(lines)
        html: str = render_to_string(
            "notify/email/message.html", {"subject": subject, "lines": lines}
        )
    html = with_photos(html, draft.photos)
    return Message(
        household=channel.household,
        channel=channel,
        kind=draft.kind,
        idempotency_key=key,
        subject=subject,
        text=text + "\n\n— Homefront",
        html=html,
        due_at=due,
        data={"body": text, "photos": [photo.pk for photo in draft.photos]}
        if draft.photos
        else {"body": text},
    )


def store_drafts(drafts: list[tuple[Channel, Draft]]) -> list[Message]:
    """Stores the drafts not stored before: one look-up of their keys, then one insert.
    Planning a household again makes nothing twice; the unique key stays the last guard,
    against a message made at the same moment by another way in."""
    wanted: dict[str, tuple[Channel, Draft]] = {}
    for channel, draft in pushes_wanted(drafts):
        wanted.setdefault(f"{draft.key}:channel-{channel.pk}", (channel, draft))
    if not wanted:
        return []
    made = set(
        Message.objects.filter(idempotency_key__in=wanted.keys()).values_list(
            "idempotency_key", flat=True
        )
    )
    new = [
        _message(channel, draft, key) for key, (channel, draft) in wanted.items() if key not in made
    ]
    if not new:
        return []
    try:
        with transaction.atomic():
            return Message.objects.bulk_create(new)
    except IntegrityError:
        # Made meanwhile by another way in: each on its own, the rest still stored.
        one_by_one = (make(*wanted[key]) for key in wanted if key not in made)
        return [message for message in one_by_one if message is not None]
