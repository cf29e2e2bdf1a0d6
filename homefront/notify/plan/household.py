"""Which messages are due for one household, for whom, and when, in each person's own
time zone: one planner per kind of message, each over the same planning (`planning.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext_lazy

from homefront.handoff.models import ShareLinkOpen
from homefront.households.models import Household
from homefront.i18n import lazy_day
from homefront.i18n import lazy_text
from homefront.i18n import lazy_time
from homefront.journal.models import JournalEntry
from homefront.notify import caregiver_morning
from homefront.notify import timed_events
from homefront.notify.digest_photos import day_photos
from homefront.notify.drafts import Draft
from homefront.notify.drafts import person_zone
from homefront.notify.drafts import store_drafts
from homefront.notify.models import Channel
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.plan.planning import READINESS_EVERY
from homefront.notify.plan.planning import UNCOVERED_AHEAD
from homefront.notify.plan.planning import Planning
from homefront.prep.models import PrepTask
from homefront.trips.models import Trip

MORNING = time(7, 30)
EVENING_CHECK = time(18, 0)
NIGHTLY = time(20, 30)
# After the traveller's evening with nothing logged yet, how often to look again.
RECHECK = timedelta(minutes=30)


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
    planning = Planning.load(household, now, channels)
    for planner in PLANNERS:
        planner(planning)
    # Never sooner than a minute on: a moment that a change of clocks skipped must not
    # have a household planned again and again.
    return Planned(
        store_drafts(planning.drafts), max(min(planning.next_at), now + timedelta(minutes=1))
    )


# -- The morning prep digest -----------------------------------------------------------------


def prep_digests(planning: Planning) -> None:
    """For each parent, at their local morning, the prep due by then."""
    open_tasks = list(
        PrepTask.objects.filter(trip__in=planning.trips, done_at__isnull=True)
        .select_related("trip__traveller")
        .order_by("due_on")
    )
    for channel in planning.parent_channels:
        zone = person_zone(channel, planning.household, planning.now, planning.trips)
        local_day = planning.now.astimezone(zone).date()
        if next_day := _next_prep_day(open_tasks, local_day):
            planning.again_at(datetime.combine(next_day, time(0), tzinfo=zone))
        tasks = [
            t
            for t in open_tasks
            if t.due_on <= local_day and t.trip.local_start.date() >= local_day
        ]
        if tasks:
            planning.tell([channel], _prep_digest(tasks, local_day, zone))


def _next_prep_day(open_tasks: list[PrepTask], local_day: date) -> date | None:
    """The first later day with a task to tell: its digest is made at its midnight."""
    tomorrow = local_day + timedelta(days=1)
    later = [
        max(tomorrow, t.due_on)
        for t in open_tasks
        if max(tomorrow, t.due_on) <= t.trip.local_start.date()
    ]
    return min(later) if later else None


def _prep_digest(tasks: list[PrepTask], local_day: date, zone: ZoneInfo) -> Draft:
    return Draft(
        MessageKind.PREP_DIGEST,
        f"prep:{local_day}",
        lazy_text(
            ngettext_lazy(
                "Today's prep: %(count)d thing", "Today's prep: %(count)d things", "count"
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
    )


# -- The evening before leaving --------------------------------------------------------------


def leaving_tomorrow(planning: Planning) -> None:
    """To the traveller, what is still open the evening before: made then, not in the
    morning, when the day's work was still to do."""
    evening = datetime.combine(planning.today, EVENING_CHECK, tzinfo=planning.home)
    for trip in planning.trips:
        eve = datetime.combine(
            trip.local_start.date() - timedelta(days=1), EVENING_CHECK, tzinfo=planning.home
        )
        if eve > planning.now:
            planning.again_at(eve)
        if trip.local_start.date() != planning.today + timedelta(days=1) or planning.now < evening:
            continue
        draft = Draft(
            MessageKind.LEAVING_TOMORROW,
            f"leaving:{trip.pk}",
            gettext_lazy("You leave tomorrow"),
            _still_to_do(planning, trip),
            evening,
        )
        planning.tell(planning.traveller_channels(trip), draft)


def _still_to_do(planning: Planning, trip: Trip) -> list[str | Promise]:
    today = planning.today
    uncovered = [
        n.night
        for n in planning.family.nights_between(today, today + timedelta(days=UNCOVERED_AHEAD))
        if n.uncovered and trip.is_away_on_night(n.night)
    ]
    essentials = list(trip.prep_tasks.open().filter(essential=True))
    shared = trip.share_links.filter(revoked_at__isnull=True).exists()
    lines: list[str | Promise] = [
        lazy_text(gettext_lazy("You leave tomorrow at %(time)s."), time=lazy_time(trip.local_start))
    ]
    lines += [
        lazy_text(
            gettext_lazy("• Nobody in charge on the night of %(night)s."), night=lazy_day(night)
        )
        for night in uncovered
    ]
    lines += [lazy_text(gettext_lazy("• Still open: %(task)s"), task=t.title) for t in essentials]
    if not shared:
        lines.append(gettext_lazy("• The brief is not shared with anyone yet."))
    if len(lines) == 1:
        lines.append(gettext_lazy("Everything essential is done. Have a good trip."))
    return lines


# -- The kids' day ---------------------------------------------------------------------------


def kids_days(planning: Planning) -> None:
    """For the traveller, in the evening where they are: made then, with all of the day's
    entries, and quiet hours kept where the traveller sleeps."""
    now = planning.now
    for trip in planning.trips:
        if evening_there := _next_nightly(trip, now):
            planning.again_at(evening_there)
    for trip in planning.trips:
        if trip.starts_at <= now < trip.ends_at + timedelta(hours=2):
            _kids_day(planning, trip)


def _kids_day(planning: Planning, trip: Trip) -> None:
    now, zone = planning.now, trip.away_zone
    day = now.astimezone(zone).date()
    nightly = datetime.combine(day, NIGHTLY, tzinfo=zone)
    if now < nightly:
        return
    entries = _entries_of(trip, datetime.combine(day, time(0), tzinfo=zone))
    if not entries:
        # Something may yet be logged tonight: look again in a while, until midnight.
        if (now + RECHECK).astimezone(zone).date() == day:
            planning.again_at(now + RECHECK)
        return
    lines = [
        lazy_text(
            gettext_lazy("%(time)s %(entry)s — %(children)s"),
            time=lazy_time(e.occurred_at.astimezone(zone)),
            entry=_lazy_summary(e),
            children=", ".join(c.name for c in e.children.all()),
        )
        for e in entries
    ]
    draft = Draft(
        MessageKind.JOURNAL_DIGEST,
        f"journal:{trip.pk}:{day}",
        lazy_text(
            ngettext_lazy(
                "The kids' day: %(count)d entry", "The kids' day: %(count)d entries", "count"
            ),
            count=len(entries),
        ),
        lines,
        nightly,
        photos=tuple(day_photos(entries)),
        zone=zone,
    )
    planning.tell(planning.traveller_channels(trip), draft)


def _entries_of(trip: Trip, start: datetime) -> list[JournalEntry]:
    return list(
        JournalEntry.objects.alive()
        .filter(trip=trip, occurred_at__gte=start, occurred_at__lt=start + timedelta(days=1))
        .select_related("medicine", "comfort_task")
        .prefetch_related("children")
        .order_by("occurred_at")
    )


def _lazy_summary(entry: JournalEntry) -> str:
    return lazy(lambda: entry.summary, str)()


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


# -- Nights with nobody in charge ------------------------------------------------------------


def uncovered_nights(planning: Planning) -> None:
    """Each night with nobody in charge in the next two weeks, once, to every parent."""
    today = planning.today
    for night in planning.family.uncovered_between(today, today + timedelta(days=UNCOVERED_AHEAD)):
        draft = Draft(
            MessageKind.UNCOVERED_NIGHT,
            f"uncovered:{night.night}",
            lazy_text(gettext_lazy("Nobody in charge on %(night)s"), night=lazy_day(night.night)),
            [
                gettext_lazy("Both parents are away that night and nobody is named."),
                gettext_lazy("Open the trip in Homefront and choose who is in charge."),
            ],
            planning.now,
        )
        planning.tell(planning.parent_channels, draft)
    later = planning.family.uncovered_between(
        today + timedelta(days=UNCOVERED_AHEAD + 1),
        today + timedelta(days=UNCOVERED_AHEAD + READINESS_EVERY),
    )
    if later:
        within_reach = later[0].night - timedelta(days=UNCOVERED_AHEAD)
        planning.again_at(datetime.combine(within_reach, time(0), tzinfo=planning.home))


# -- A shared brief's first opening ----------------------------------------------------------


def first_opens(planning: Planning) -> None:
    """The first time a share link is opened, the parents hear of it."""
    for first_open in (
        ShareLinkOpen.objects.filter(
            link__trip__household=planning.household,
            opened_at__gte=planning.now - timedelta(days=2),
        )
        .select_related("link")
        .order_by("link_id", "opened_at")
        .distinct()
    ):
        name = first_open.link.label
        draft = Draft(
            MessageKind.SHARE_OPENED,
            f"share-opened:{first_open.link_id}",
            lazy_text(gettext_lazy("%(name)s opened the brief"), name=name),
            [
                lazy_text(
                    gettext_lazy("%(name)s opened the brief at %(time)s."),
                    name=name,
                    time=lazy_time(first_open.opened_at.astimezone(planning.home)),
                )
            ],
            planning.now,
        )
        planning.tell(planning.parent_channels, draft)


# -- The quarterly readiness review ----------------------------------------------------------


def readiness_review(planning: Planning) -> None:
    """Every 90 days, to every parent, a look at readiness for a sudden departure."""
    today, home = planning.today, planning.home
    period = (today - date(2000, 1, 1)).days // READINESS_EVERY
    next_period = date(2000, 1, 1) + timedelta(days=(period + 1) * READINESS_EVERY)
    planning.again_at(datetime.combine(next_period, time(0), tzinfo=home))
    draft = Draft(
        MessageKind.READINESS_REVIEW,
        f"readiness:{period}",
        gettext_lazy("Ready for the unplanned?"),
        [
            gettext_lazy(
                "Time for the quarterly check: backup caregiver, doctor, "
                "routines, allergies and medicines, the go-bag and the "
                "emergency card."
            ),
            gettext_lazy("Open “Ready to leave” in Homefront to see what is missing."),
        ],
        datetime.combine(today, time(10, 0), tzinfo=home),
    )
    planning.tell(planning.parent_channels, draft)


# -- Planned in their own modules ------------------------------------------------------------


def webhook_events(planning: Planning) -> None:
    planning.next_at += timed_events.plan(
        planning.household, planning.now, planning.trips, planning.channels, planning.family
    )


def caregiver_mornings(planning: Planning) -> None:
    drafts, mornings = caregiver_morning.plan(planning.household, planning.now, planning.channels)
    planning.drafts += drafts
    planning.next_at += mornings


PLANNERS: tuple[Callable[[Planning], None], ...] = (
    prep_digests,
    leaving_tomorrow,
    kids_days,
    uncovered_nights,
    first_opens,
    readiness_review,
    webhook_events,
    caregiver_mornings,
)
