"""Which messages are due, for whom, and when, in each person's own time zone.

The planner runs every minute or so in each worker and may run many times over
the same moment: every message it makes has an idempotency key, so it exists
once however often, and by however many workers, it is planned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from homefront.accounts.models import User
from homefront.handoff.models import ShareLinkOpen
from homefront.households.models import Household, Membership, Role
from homefront.journal.models import JournalEntry
from homefront.notify.models import Channel, Message, MessageKind
from homefront.prep.models import PrepTask
from homefront.trips.cover import FamilyNights
from homefront.trips.models import Trip

MORNING = time(7, 30)
EVENING_CHECK = time(18, 0)
NIGHTLY = time(20, 30)
UNCOVERED_AHEAD = 14
READINESS_EVERY = 90


@dataclass(frozen=True)
class Draft:
    kind: str
    key: str
    subject: str
    lines: list[str]
    due_at: datetime
    # Where the person is when it arrives, when that is not their usual zone (a
    # traveller): their quiet hours are kept there.
    zone: ZoneInfo | None = None
    # Asked for there and then ("Send a test"): quiet hours do not hold it back.
    anytime: bool = False


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


def person_zone(channel: Channel, household: Household) -> ZoneInfo:
    if channel.user is not None and channel.user.time_zone:
        return ZoneInfo(channel.user.time_zone)
    return household.zone


def make(channel: Channel, draft: Draft) -> Message | None:
    """Stores the message once; None when it was planned before."""
    zone = draft.zone or person_zone(channel, channel.household)
    due = draft.due_at
    if not draft.anytime:
        # Planned after its time (a late round, a channel added in the evening), it goes
        # out now: the quiet hours are those of now, not of the moment it was due.
        due = outside_quiet_hours(max(due, timezone.now()).astimezone(zone), channel.user)
    text = "\n".join(draft.lines)
    html = render_to_string(
        "notify/email/message.html", {"subject": draft.subject, "lines": draft.lines}
    )
    try:
        with transaction.atomic():
            return Message.objects.create(
                household=channel.household,
                channel=channel,
                kind=draft.kind,
                idempotency_key=f"{draft.key}:channel-{channel.pk}",
                subject=draft.subject,
                text=text + "\n\n— Homefront",
                html=html,
                due_at=due,
            )
    except IntegrityError:
        return None


def plan_household(household: Household, now: datetime) -> list[Message]:
    channels = list(
        Channel.objects.filter(household=household).select_related("user", "contact", "household")
    )
    if not channels:
        return []
    parents = {m.user_id for m in Membership.objects.filter(household=household, role=Role.PARENT)}
    by_user: dict[int, list[Channel]] = {}
    for channel in channels:
        if channel.user_id:
            by_user.setdefault(channel.user_id, []).append(channel)
    made: list[Message | None] = []
    home = household.zone
    today = now.astimezone(home).date()
    trips = list(
        Trip.objects.in_household(household)
        .active()
        .filter(ends_at__gt=now - timedelta(days=1))
        .select_related("traveller", "household")
    )

    # The morning prep digest, for each parent, at their local morning.
    open_tasks = list(
        PrepTask.objects.filter(
            trip__in=trips, done_at__isnull=True, due_on__lte=today + timedelta(days=1)
        )
        .select_related("trip__traveller")
        .order_by("due_on")
    )
    for user_id in parents & by_user.keys():
        for channel in by_user[user_id]:
            zone = person_zone(channel, household)
            local_day = now.astimezone(zone).date()
            tasks = [
                t
                for t in open_tasks
                if t.due_on <= local_day and t.trip.local_start.date() >= local_day
            ]
            if tasks:
                made.append(
                    make(
                        channel,
                        Draft(
                            MessageKind.PREP_DIGEST,
                            f"prep:{local_day}",
                            f"Today's prep: {len(tasks)} thing{'s' if len(tasks) != 1 else ''}",
                            [
                                f"• {t.title} ({t.trip.traveller.get_short_name()}'s trip)"
                                for t in tasks
                            ],
                            datetime.combine(local_day, MORNING, tzinfo=zone),
                        ),
                    )
                )

    # The evening before leaving: what is still open then (so it is made then, not
    # in the morning, when the day's work was still to do).
    family = FamilyNights.load(household, today, today + timedelta(days=UNCOVERED_AHEAD))
    evening = datetime.combine(today, EVENING_CHECK, tzinfo=home)
    for trip in trips:
        if trip.local_start.date() != today + timedelta(days=1) or now < evening:
            continue
        uncovered = [
            n.night
            for n in family.nights_between(today, today + timedelta(days=UNCOVERED_AHEAD))
            if n.uncovered and trip.is_away_on_night(n.night)
        ]
        essentials = list(trip.prep_tasks.open().filter(essential=True))
        shared = trip.share_links.filter(revoked_at__isnull=True).exists()
        lines = [f"You leave tomorrow at {trip.local_start:%-I:%M %p}."]
        lines += [f"• Nobody in charge on the night of {night:%a %-d %b}." for night in uncovered]
        lines += [f"• Still open: {t.title}" for t in essentials]
        if not shared:
            lines.append("• The brief is not shared with anyone yet.")
        if len(lines) == 1:
            lines.append("Everything essential is done. Have a good trip.")
        for channel in by_user.get(trip.traveller_id, []):
            made.append(
                make(
                    channel,
                    Draft(
                        MessageKind.LEAVING_TOMORROW,
                        f"leaving:{trip.pk}",
                        "You leave tomorrow",
                        lines,
                        evening,
                    ),
                )
            )

    # The kids' day, for the traveller, in the evening where they are: made then, with
    # all of the day's entries, and quiet hours kept where the traveller sleeps.
    away = [trip for trip in trips if trip.starts_at <= now < trip.ends_at + timedelta(hours=2)]
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
            continue
        lines = [
            f"{e.occurred_at.astimezone(zone):%-I:%M %p} {e.summary} — "
            + ", ".join(c.name for c in e.children.all())
            for e in entries
        ]
        for channel in by_user.get(trip.traveller_id, []):
            made.append(
                make(
                    channel,
                    Draft(
                        MessageKind.JOURNAL_DIGEST,
                        f"journal:{trip.pk}:{day}",
                        f"The kids' day: {len(entries)} entries",
                        lines,
                        nightly,
                        zone=zone,
                    ),
                )
            )

    # Nights with nobody in charge, once each, to every parent.
    for night in family.uncovered_between(today, today + timedelta(days=UNCOVERED_AHEAD)):
        for user_id in parents & by_user.keys():
            for channel in by_user[user_id]:
                made.append(
                    make(
                        channel,
                        Draft(
                            MessageKind.UNCOVERED_NIGHT,
                            f"uncovered:{night.night}",
                            f"Nobody in charge on {night.night:%a %-d %b}",
                            [
                                "Both parents are away that night and nobody is named.",
                                "Open the trip in Homefront and choose who is in charge.",
                            ],
                            now,
                        ),
                    )
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
                made.append(
                    make(
                        channel,
                        Draft(
                            MessageKind.SHARE_OPENED,
                            f"share-opened:{first_open.link_id}",
                            f"{first_open.link.label} opened the brief",
                            [
                                f"{first_open.link.label} opened the brief at "
                                f"{first_open.opened_at.astimezone(home):%-I:%M %p}."
                            ],
                            now,
                        ),
                    )
                )

    # Every 90 days, a look at readiness for a sudden departure.
    period = (today - date(2000, 1, 1)).days // READINESS_EVERY
    for user_id in parents & by_user.keys():
        for channel in by_user[user_id]:
            made.append(
                make(
                    channel,
                    Draft(
                        MessageKind.READINESS_REVIEW,
                        f"readiness:{period}",
                        "Ready for the unplanned?",
                        [
                            "Time for the quarterly check: backup caregiver, doctor, routines,",
                            "allergies and medicines, the go-bag and the emergency card.",
                            "Open “Ready to leave” in Homefront to see what is missing.",
                        ],
                        datetime.combine(today, time(10, 0), tzinfo=home),
                    ),
                )
            )
    return [message for message in made if message is not None]


def plan_all(now: datetime | None = None) -> int:
    now = now or timezone.now()
    households = Household.objects.filter(channels__isnull=False).distinct()
    return sum(len(plan_household(household, now)) for household in households)


def leave_now(trip: Trip, url: str) -> list[Message]:
    """Tells the backup caregiver at once, with the link to the brief."""
    channels = (
        Channel.objects.filter(
            household=trip.household, contact__covers__night__in=trip.nights_list
        )
        .select_related("household", "contact", "user")
        .distinct()
    )
    lines = [
        f"{trip.traveller.get_short_name()} has to leave now, "
        f"back {trip.local_end:%a %-d %b, %-I:%M %p}.",
        "You are named to look after the children. Everything you need is here:",
        url,
    ]
    drafts = [
        make(
            channel,
            Draft(
                MessageKind.LEAVE_NOW,
                f"leave-now:{trip.pk}",
                "Can you take over? It's urgent",
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
            "A test from Homefront",
            ["This is a test. If you can read it, Homefront can reach you here."],
            timezone.now() - timedelta(minutes=1),
            anytime=True,
        ),
    )
