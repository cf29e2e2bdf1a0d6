"""Which messages are due, for whom, and when, in each person's own time zone.

The planner runs every minute or so in each worker and may run many times over
the same moment: every message it makes has an idempotency key, so it exists
once however often, and by however many workers, it is planned.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy, ngettext_lazy

from homefront.accounts.models import User
from homefront.handoff.models import ShareLink, ShareLinkOpen
from homefront.households.models import Household, Membership, Role
from homefront.i18n import lazy_day, lazy_text, lazy_time, or_default
from homefront.journal.models import JournalEntry
from homefront.notify import caregiver_morning, timed_events
from homefront.notify.choices import pushes_wanted
from homefront.notify.digest_photos import InlinePhoto, day_photos, with_photos
from homefront.notify.models import Channel, Message, MessageKind, Schedule
from homefront.notify.zones import zone_at
from homefront.prep.models import PrepTask
from homefront.trips.cover import FamilyNights
from homefront.trips.models import Cover, Trip

MORNING = time(7, 30)
EVENING_CHECK = time(18, 0)
NIGHTLY = time(20, 30)
UNCOVERED_AHEAD = 14
READINESS_EVERY = 90
# A household whose planning a worker claimed on SQLite and never finished (the worker
# was killed) is planned again after this.
LEASE = timedelta(minutes=10)
CLAIM_AMONG = 20  # due households looked at per claim on SQLite, for workers to spread
RETRY_FAILED = timedelta(minutes=5)
# After the traveller's evening with nothing logged yet, how often to look again.
RECHECK = timedelta(minutes=30)
# However well the writes keep the schedule, a household is planned again within a day:
# a write by queryset update, or a process killed between a write and its schedule's
# bump, costs at most that delay. Spread over four hours by id, so that households
# planned together (after an upgrade) do not come due together ever after.
AT_LEAST_EVERY = timedelta(hours=24)
SPREAD_MINUTES = 240

logger = logging.getLogger("homefront.worker")


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


def lazy_summary(entry: JournalEntry) -> str:
    return lazy(lambda: entry.summary, str)()


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


@dataclass
class Planned:
    messages: list[Message]
    # The next moment this household can have something due, or None (no channel).
    next_at: datetime | None


def plan_household(household: Household, now: datetime) -> Planned:
    channels = list(
        Channel.objects.filter(household=household).select_related("user", "contact", "household")
    )
    if not channels:
        return Planned([], None)
    parents = {m.user_id for m in Membership.objects.filter(household=household, role=Role.PARENT)}
    by_user: dict[int, list[Channel]] = {}
    for channel in channels:
        if channel.user_id:
            by_user.setdefault(channel.user_id, []).append(channel)
    drafts: list[tuple[Channel, Draft]] = []
    home = household.zone
    today = now.astimezone(home).date()
    trips = list(
        Trip.objects.in_household(household)
        .active()
        .filter(ends_at__gt=now - timedelta(days=1))
        .select_related("traveller", "household")
    )
    # Each moment something can next become due; the earliest is when to plan again.
    next_at = [now + AT_LEAST_EVERY + timedelta(minutes=household.pk % SPREAD_MINUTES)]

    # The morning prep digest, for each parent, at their local morning.
    open_tasks = list(
        PrepTask.objects.filter(trip__in=trips, done_at__isnull=True)
        .select_related("trip__traveller")
        .order_by("due_on")
    )
    for user_id in parents & by_user.keys():
        for channel in by_user[user_id]:
            zone = person_zone(channel, household, now, trips)
            local_day = now.astimezone(zone).date()
            # The first later day with a task to tell: its digest is made at its midnight.
            tomorrow = local_day + timedelta(days=1)
            later = [
                max(tomorrow, t.due_on)
                for t in open_tasks
                if max(tomorrow, t.due_on) <= t.trip.local_start.date()
            ]
            if later:
                next_at.append(datetime.combine(min(later), time(0), tzinfo=zone))
            tasks = [
                t
                for t in open_tasks
                if t.due_on <= local_day and t.trip.local_start.date() >= local_day
            ]
            if tasks:
                drafts.append(
                    (
                        channel,
                        Draft(
                            MessageKind.PREP_DIGEST,
                            f"prep:{local_day}",
                            lazy_text(
                                ngettext_lazy(
                                    "Today's prep: %(count)d thing",
                                    "Today's prep: %(count)d things",
                                    "count",
                                ),
                                count=len(tasks),
                            ),
                            [
                                lazy_text(
                                    gettext_lazy("• %(task)s (%(name)s's trip)"),
                                    task=t.title,
                                    name=t.trip.traveller.get_short_name(),
                                )
                                for t in tasks
                            ],
                            datetime.combine(local_day, MORNING, tzinfo=zone),
                        ),
                    )
                )

    # The evening before leaving: what is still open then (so it is made then, not
    # in the morning, when the day's work was still to do).
    # Loaded a readiness period further than the alerts look, to know when the next
    # uncovered night comes within their reach.
    family = FamilyNights.load(
        household, today, today + timedelta(days=UNCOVERED_AHEAD + READINESS_EVERY)
    )
    evening = datetime.combine(today, EVENING_CHECK, tzinfo=home)
    for trip in trips:
        eve = datetime.combine(
            trip.local_start.date() - timedelta(days=1), EVENING_CHECK, tzinfo=home
        )
        if eve > now:
            next_at.append(eve)
        if trip.local_start.date() != today + timedelta(days=1) or now < evening:
            continue
        uncovered = [
            n.night
            for n in family.nights_between(today, today + timedelta(days=UNCOVERED_AHEAD))
            if n.uncovered and trip.is_away_on_night(n.night)
        ]
        essentials = list(trip.prep_tasks.open().filter(essential=True))
        shared = trip.share_links.filter(revoked_at__isnull=True).exists()
        lines: list[str | Promise] = [
            lazy_text(
                gettext_lazy("You leave tomorrow at %(time)s."), time=lazy_time(trip.local_start)
            )
        ]
        lines += [
            lazy_text(
                gettext_lazy("• Nobody in charge on the night of %(night)s."),
                night=lazy_day(night),
            )
            for night in uncovered
        ]
        lines += [
            lazy_text(gettext_lazy("• Still open: %(task)s"), task=t.title) for t in essentials
        ]
        if not shared:
            lines.append(gettext_lazy("• The brief is not shared with anyone yet."))
        if len(lines) == 1:
            lines.append(gettext_lazy("Everything essential is done. Have a good trip."))
        for channel in by_user.get(trip.traveller_id, []):
            drafts.append(
                (
                    channel,
                    Draft(
                        MessageKind.LEAVING_TOMORROW,
                        f"leaving:{trip.pk}",
                        gettext_lazy("You leave tomorrow"),
                        lines,
                        evening,
                    ),
                )
            )

    # The kids' day, for the traveller, in the evening where they are: made then, with
    # all of the day's entries, and quiet hours kept where the traveller sleeps.
    away = [trip for trip in trips if trip.starts_at <= now < trip.ends_at + timedelta(hours=2)]
    for trip in trips:
        if evening_there := _next_nightly(trip, now):
            next_at.append(evening_there)
    for trip in away:
        zone = trip.away_zone
        day = now.astimezone(zone).date()
        start = datetime.combine(day, time(0), tzinfo=zone)
        nightly = datetime.combine(day, NIGHTLY, tzinfo=zone)
        if now < nightly:
            continue
        entries = list(
            JournalEntry.objects.alive()
            .filter(trip=trip, occurred_at__gte=start, occurred_at__lt=start + timedelta(days=1))
            .select_related("medicine", "comfort_task")
            .prefetch_related("children")
            .order_by("occurred_at")
        )
        if not entries:
            # Something may yet be logged tonight: look again in a while, until midnight.
            if (now + RECHECK).astimezone(zone).date() == day:
                next_at.append(now + RECHECK)
            continue
        lines = [
            lazy_text(
                gettext_lazy("%(time)s %(entry)s — %(children)s"),
                time=lazy_time(e.occurred_at.astimezone(zone)),
                entry=lazy_summary(e),
                children=", ".join(c.name for c in e.children.all()),
            )
            for e in entries
        ]
        for channel in by_user.get(trip.traveller_id, []):
            drafts.append(
                (
                    channel,
                    Draft(
                        MessageKind.JOURNAL_DIGEST,
                        f"journal:{trip.pk}:{day}",
                        lazy_text(
                            ngettext_lazy(
                                "The kids' day: %(count)d entry",
                                "The kids' day: %(count)d entries",
                                "count",
                            ),
                            count=len(entries),
                        ),
                        lines,
                        nightly,
                        photos=tuple(day_photos(entries)),
                        zone=zone,
                    ),
                )
            )

    # Nights with nobody in charge, once each, to every parent.
    for night in family.uncovered_between(today, today + timedelta(days=UNCOVERED_AHEAD)):
        for user_id in parents & by_user.keys():
            for channel in by_user[user_id]:
                drafts.append(
                    (
                        channel,
                        Draft(
                            MessageKind.UNCOVERED_NIGHT,
                            f"uncovered:{night.night}",
                            lazy_text(
                                gettext_lazy("Nobody in charge on %(night)s"),
                                night=lazy_day(night.night),
                            ),
                            [
                                gettext_lazy(
                                    "Both parents are away that night and nobody is named."
                                ),
                                gettext_lazy(
                                    "Open the trip in Homefront and choose who is in charge."
                                ),
                            ],
                            now,
                        ),
                    )
                )

    later = family.uncovered_between(
        today + timedelta(days=UNCOVERED_AHEAD + 1),
        today + timedelta(days=UNCOVERED_AHEAD + READINESS_EVERY),
    )
    if later:
        next_at.append(
            datetime.combine(later[0].night - timedelta(days=UNCOVERED_AHEAD), time(0), tzinfo=home)
        )

    # The first time a share link is opened, the parents hear of it.
    for first_open in (
        ShareLinkOpen.objects.filter(
            link__trip__household=household, opened_at__gte=now - timedelta(days=2)
        )
        .select_related("link")
        .order_by("link_id", "opened_at")
        .distinct()
    ):
        for user_id in parents & by_user.keys():
            for channel in by_user[user_id]:
                drafts.append(
                    (
                        channel,
                        Draft(
                            MessageKind.SHARE_OPENED,
                            f"share-opened:{first_open.link_id}",
                            lazy_text(
                                gettext_lazy("%(name)s opened the brief"),
                                name=first_open.link.label,
                            ),
                            [
                                lazy_text(
                                    gettext_lazy("%(name)s opened the brief at %(time)s."),
                                    name=first_open.link.label,
                                    time=lazy_time(first_open.opened_at.astimezone(home)),
                                )
                            ],
                            now,
                        ),
                    )
                )

    # Every 90 days, a look at readiness for a sudden departure.
    period = (today - date(2000, 1, 1)).days // READINESS_EVERY
    next_period = date(2000, 1, 1) + timedelta(days=(period + 1) * READINESS_EVERY)
    next_at.append(datetime.combine(next_period, time(0), tzinfo=home))
    for user_id in parents & by_user.keys():
        for channel in by_user[user_id]:
            drafts.append(
                (
                    channel,
                    Draft(
                        MessageKind.READINESS_REVIEW,
                        f"readiness:{period}",
                        gettext_lazy("Ready for the unplanned?"),
                        [
                            gettext_lazy(
                                "Time for the quarterly check: backup caregiver, doctor, "
                                "routines, allergies and medicines, the go-bag and the "
                                "emergency card."
                            ),
                            gettext_lazy(
                                "Open “Ready to leave” in Homefront to see what is missing."
                            ),
                        ],
                        datetime.combine(today, time(10, 0), tzinfo=home),
                    ),
                )
            )
    next_at += timed_events.plan(household, now, trips, channels, family)
    morning_drafts, mornings = caregiver_morning.plan(household, now, channels)
    drafts += morning_drafts
    next_at += mornings
    # Never sooner than a minute on: a moment that a change of clocks skipped must not
    # have a household planned again and again.
    return Planned(store_drafts(drafts), max(min(next_at), now + timedelta(minutes=1)))


def _next_nightly(trip: Trip, now: datetime) -> datetime | None:
    """The next evening, where the traveller is, on which the kids' day can be told."""
    zone = trip.away_zone
    day = max(now, trip.starts_at).astimezone(zone).date()
    for _ in range(2):
        evening_there = datetime.combine(day, NIGHTLY, tzinfo=zone)
        if evening_there > now and evening_there >= trip.starts_at:
            return evening_there if evening_there < trip.ends_at + timedelta(hours=2) else None
        day += timedelta(days=1)
    return None


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


def plan_due(
    worker: str,
    now: datetime | None = None,
    stopping: threading.Event | None = None,
    limit: int | None = None,
) -> dict[int, int]:
    """Plans each household whose time has come, once, and books its next planning;
    returns how many messages each household planned got. Any number of workers may run
    it at once: each household is claimed by one, with `SELECT … FOR UPDATE SKIP LOCKED`
    on PostgreSQL (the others pass over it) and a conditional UPDATE on SQLite. A round
    with nothing due is one query. With a `limit`, at most that many households: the
    worker sends what is due between two batches of a burst."""
    now = now or timezone.now()
    claim = _claim_locked if connection.vendor == "postgresql" else _claim_leased
    made: dict[int, int] = {}
    while (stopping is None or not stopping.is_set()) and (limit is None or len(made) < limit):
        planned = claim(worker, now)
        if planned is None:
            break
        if planned:
            household_id, messages = planned
            made[household_id] = messages
    return made


def plan_all(now: datetime | None = None) -> int:
    """Plans every household that is due, as one worker's round does; the messages made."""
    return sum(plan_due("planner", now).values())


def _plan(household: Household, now: datetime) -> Planned:
    # On PostgreSQL a savepoint inside the claim's transaction; on SQLite no transaction
    # at all, which would hold every other writer back while the household is planned.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard:
            return plan_household(household, now)
    except Exception:  # one household's bad data must not hold back the others
        logger.exception("Planning household %s failed; trying again later.", household.pk)
        return Planned([], now + RETRY_FAILED)


def _claim_locked(worker: str, now: datetime) -> tuple[int, int] | None:
    """PostgreSQL: the household's schedule row stays locked while it is planned, so a
    write that makes it due again waits, then makes it due after this planning."""
    with transaction.atomic():
        schedule = (
            Schedule.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(next_plan_at__lte=now)
            .select_related("household")
            .order_by("next_plan_at")
            .first()
        )
        if schedule is None:
            return None
        planned = _plan(schedule.household, now)
        Schedule.objects.filter(pk=schedule.pk).update(next_plan_at=planned.next_at)
    return schedule.household_id, len(planned.messages)


def _claim_leased(worker: str, now: datetime) -> tuple[int, int] | tuple[()] | None:
    """SQLite, whose writers take turns: the claim moves the household's time a lease
    ahead in one conditional UPDATE, so no other worker takes it; a write meanwhile sets it
    back to now, and then this planning's booking gives way to it."""
    due = list(
        Schedule.objects.filter(next_plan_at__lte=now)
        .order_by("next_plan_at")
        .values_list("household_id", "next_plan_at")[:CLAIM_AMONG]
    )
    if not due:
        return None
    lease = now + LEASE
    for household_id, was in due:
        if Schedule.objects.filter(household_id=household_id, next_plan_at=was).update(
            next_plan_at=lease, claimed_by=worker
        ):
            break
    else:
        return ()  # all taken by other workers: look again
    planned = _plan(Household.objects.get(pk=household_id), now)
    Schedule.objects.filter(
        household_id=household_id, next_plan_at=lease, claimed_by=worker
    ).update(next_plan_at=planned.next_at, claimed_by="")
    return household_id, len(planned.messages)


def leave_now(trip: Trip, url: str) -> list[Message]:
    """Tells the backup caregiver at once, with the link to the brief."""
    # A contact named in charge, or a caregiver member (who may have a phone to push to).
    covering_members = Cover.objects.filter(
        household=trip.household, night__in=trip.nights_list, member__isnull=False
    ).values("member")
    channels = (
        Channel.objects.filter(household=trip.household)
        .filter(Q(contact__covers__night__in=trip.nights_list) | Q(user__in=covering_members))
        .select_related("household", "contact", "user")
        .distinct()
    )
    lines: list[str | Promise] = [
        lazy_text(
            gettext_lazy("%(name)s has to leave now, back %(day)s, %(time)s."),
            name=trip.traveller.get_short_name(),
            day=lazy_day(trip.local_end),
            time=lazy_time(trip.local_end),
        ),
        gettext_lazy("You are named to look after the children. Everything you need is here:"),
        url,
    ]
    drafts = [
        make(
            channel,
            Draft(
                MessageKind.LEAVE_NOW,
                f"leave-now:{trip.pk}",
                gettext_lazy("Can you take over? It's urgent"),
                lines,
                timezone.now(),
            ),
        )
        for channel in channels
    ]
    return [m for m in drafts if m is not None]


def trial_message(channel: Channel, nonce: str) -> Message | None:
    return make(
        channel,
        Draft(
            MessageKind.TEST,
            f"test:{nonce}",
            gettext_lazy("A test from Homefront"),
            [gettext_lazy("This is a test. If you can read it, Homefront can reach you here.")],
            timezone.now() - timedelta(minutes=1),
            anytime=True,
        ),
    )
