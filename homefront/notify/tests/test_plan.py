"""What the planner makes, for whom and when, in each person's own time zone; and that
however often it runs (every worker, every round) each message exists once."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from homefront.accounts.models import User
from homefront.handoff.models import ShareLink
from homefront.households.models import Contact
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.notify.delivery import deliver_due
from homefront.notify.drafts import Draft
from homefront.notify.drafts import make
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.models import Status
from homefront.notify.plan import plan_all
from homefront.prep.models import PrepTask
from homefront.testing.journal import log
from homefront.testing.pages import SHARE_URL
from homefront.testing.trips import trip_to
from homefront.testing.zones import denver
from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 12 January 2027, 6:00 in New York, 4:00 in Denver: winter, so New York is
# UTC-5 and Denver UTC-7.
NOW = datetime(2027, 1, 12, 11, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def dana(family) -> User:
    """The other parent, who lives in the household but keeps Denver time."""
    user = User.objects.create_user(
        email="dana@example.com",
        password="a long test password",
        name="Dana Parent",
        time_zone="America/Denver",
    )
    Membership.objects.create(household=family.household, user=user, role=Role.PARENT)
    return user


def email_channel(family, target: str, **owner) -> Channel:
    return Channel.objects.create(
        household=family.household, kind=ChannelKind.EMAIL, target=target, **owner
    )


@pytest.fixture
def pat_mail(family) -> Channel:
    return email_channel(family, "pat@example.com", user=family.parent)


@pytest.fixture
def dana_mail(family, dana) -> Channel:
    return email_channel(family, "dana@example.com", user=dana)


@pytest.fixture
def trip(family) -> Trip:
    """Pat's trip: Thursday 14 January 9:00 to Sunday 17 January 18:00, in Albuquerque,
    without the checklist made from the household's templates (each test adds its own)."""
    trip = trip_to(family, "Albuquerque", "America/Denver", ny(2027, 1, 14, 9), ny(2027, 1, 17, 18))
    trip.prep_tasks.all().delete()
    return trip


@pytest.fixture
def danas_trip(family, dana) -> Trip:
    """Dana away Friday 15 January 8:00 to Saturday 16 January 20:00: on the night of
    Friday both parents are away."""
    trip = Trip.objects.create(
        household=family.household,
        traveller=dana,
        starts_at=ny(2027, 1, 15, 8),
        ends_at=ny(2027, 1, 16, 20),
        destination="Chicago",
        destination_zone="America/Chicago",
    )
    trip.prep_tasks.all().delete()
    return trip


def task(trip: Trip, title: str, due_on: date, *, essential: bool = False) -> PrepTask:
    return PrepTask.objects.create(trip=trip, title=title, due_on=due_on, essential=essential)


def of_kind(kind: str) -> list[Message]:
    return list(Message.objects.filter(kind=kind).select_related("channel").order_by("pk"))


def plan_as_two_workers() -> None:
    """Two workers planning the same moment, as happens every round."""
    plan_all()
    plan_all()


# -- The morning prep digest -------------------------------------------------------------


def test_the_morning_digest_goes_out_at_half_past_seven_where_each_parent_is(
    family, dana, pat_mail, dana_mail, trip
):
    task(trip, "Refill the EpiPen", date(2027, 1, 12), essential=True)
    task(trip, "Write the bedtime notes", date(2027, 1, 11))
    task(trip, "Pack the night light", date(2027, 1, 13))  # tomorrow's
    done = task(trip, "Buy nappies", date(2027, 1, 12))
    PrepTask.objects.filter(pk=done.pk).update(done_at=timezone.now())

    plan_as_two_workers()

    digests = of_kind(MessageKind.PREP_DIGEST)
    assert {(m.channel, m.due_at) for m in digests} == {
        (pat_mail, utc(1, 12, 12, 30)),  # 7:30 in New York
        (dana_mail, utc(1, 12, 14, 30)),  # 7:30 in Denver
    }
    for message in digests:
        assert message.status == Status.PENDING
        assert message.subject == "Today's prep: 2 things"
        assert message.text.splitlines()[:2] == [
            "• Write the bedtime notes (Pat's trip)",
            "• Refill the EpiPen (Pat's trip)",
        ]
        assert "Pack the night light" not in message.text
        assert "Buy nappies" not in message.text
        assert "Write the bedtime notes" in message.html

    # Later rounds of the day, by any number of workers, add nothing.
    for moment in (utc(1, 12, 12, 30), utc(1, 12, 18), utc(1, 13, 4, 59)):
        with time_machine.travel(moment, tick=False):
            plan_as_two_workers()
    assert len(of_kind(MessageKind.PREP_DIGEST)) == 2
    # The next morning is a new digest for each.
    with time_machine.travel(utc(1, 13, 11), tick=False):
        plan_as_two_workers()
    assert sorted(m.due_at for m in of_kind(MessageKind.PREP_DIGEST))[2:] == [
        utc(1, 13, 12, 30),
        utc(1, 13, 14, 30),
    ]


def test_a_parent_west_of_home_gets_the_days_prep_on_the_morning_of_that_day(
    family, dana, pat_mail, dana_mail, trip, frozen_time
):
    """Midnight in New York is 22:00 the evening before in Denver: today's tasks wait for
    Dana's morning, rather than going out at once in her quiet hours."""
    frozen_time.move_to(utc(1, 12, 5, 30))  # 0:30 in New York, 22:30 on Monday in Denver
    task(trip, "Refill the EpiPen", date(2027, 1, 12))

    plan_as_two_workers()

    [message] = of_kind(MessageKind.PREP_DIGEST)
    assert (message.channel, message.due_at) == (pat_mail, utc(1, 12, 12, 30))
    assert Message.objects.filter(channel=dana_mail, due_at__lte=timezone.now()).count() == 0

    frozen_time.move_to(utc(1, 12, 7, 5))  # just after midnight in Denver
    plan_as_two_workers()
    [_, danas] = of_kind(MessageKind.PREP_DIGEST)
    assert (danas.channel, danas.due_at) == (dana_mail, utc(1, 12, 14, 30))
    assert "Refill the EpiPen" in danas.text


def test_a_parent_east_of_home_gets_all_of_their_days_tasks(family, dana, dana_mail, trip):
    """Midnight in Paris is still the evening before in New York."""
    User.objects.filter(pk=dana.pk).update(time_zone="Europe/Paris")
    task(trip, "Refill the EpiPen", date(2027, 1, 12))
    task(trip, "Pack the night light", date(2027, 1, 13))

    for moment in (utc(1, 12, 23, 30), utc(1, 13, 6, 30)):  # 0:30 and 7:30 in Paris
        with time_machine.travel(moment, tick=False):
            plan_as_two_workers()

    [message] = [
        m for m in of_kind(MessageKind.PREP_DIGEST) if m.due_at.date() == date(2027, 1, 13)
    ]
    assert message.due_at == datetime(2027, 1, 13, 7, 30, tzinfo=PARIS)
    assert "Refill the EpiPen" in message.text
    assert "Pack the night light" in message.text


def test_no_digest_without_open_tasks_or_once_the_trip_has_started(
    family, pat_mail, trip, frozen_time
):
    plan_as_two_workers()
    assert of_kind(MessageKind.PREP_DIGEST) == []

    task(trip, "Refill the EpiPen", date(2027, 1, 14))
    frozen_time.move_to(utc(1, 15, 11))  # Friday: Pat is away
    plan_as_two_workers()
    assert of_kind(MessageKind.PREP_DIGEST) == []


# -- Quiet hours ---------------------------------------------------------------------------


def draft_due(moment: datetime, key: str = "quiet") -> Draft:
    return Draft(MessageKind.TEST, key, "Hello", ["A line."], moment)


def test_a_message_due_in_quiet_hours_waits_until_the_morning(family, pat_mail):
    """The default quiet hours, 21:00 to 7:00, wrap midnight."""
    late = make(pat_mail, draft_due(ny(2027, 1, 12, 22)))
    early = make(pat_mail, draft_due(ny(2027, 1, 13, 5, 15), key="early"))
    evening = make(pat_mail, draft_due(ny(2027, 1, 12, 20, 59), key="evening"))

    assert late.due_at == ny(2027, 1, 13, 7)  # the next morning
    assert early.due_at == ny(2027, 1, 13, 7)  # the same morning
    assert evening.due_at == ny(2027, 1, 12, 20, 59)


def test_quiet_hours_that_do_not_wrap_midnight(family, pat_mail):
    User.objects.filter(pk=family.parent.pk).update(quiet_from=time(13), quiet_until=time(15))
    pat_mail.refresh_from_db()

    cases = {
        ny(2027, 1, 12, 14): ny(2027, 1, 12, 15),  # a nap: wait until it ends
        ny(2027, 1, 12, 13): ny(2027, 1, 12, 15),
        ny(2027, 1, 12, 15): ny(2027, 1, 12, 15),
        ny(2027, 1, 12, 12, 59): ny(2027, 1, 12, 12, 59),
        ny(2027, 1, 12, 22): ny(2027, 1, 12, 22),  # no night-time quiet hours for this parent
    }
    for number, (due, expected) in enumerate(cases.items()):
        assert make(pat_mail, draft_due(due, key=f"nap-{number}")).due_at == expected, due


def test_quiet_hours_are_in_the_persons_own_zone_or_else_the_home_zone(
    family, dana, pat_mail, dana_mail
):
    # 22:00 in New York is 20:00 in Denver: quiet for Pat (home zone), not for Dana.
    assert make(pat_mail, draft_due(ny(2027, 1, 12, 22))).due_at == ny(2027, 1, 13, 7)
    assert make(dana_mail, draft_due(ny(2027, 1, 12, 22))).due_at == ny(2027, 1, 12, 22)
    # 23:30 in New York is 21:30 in Denver: Dana's morning is 7:00 in Denver.
    assert make(dana_mail, draft_due(ny(2027, 1, 12, 23, 30), key="later")).due_at == denver(
        2027, 1, 13, 7
    )

    # Pat has no zone of their own: the household's home zone counts, whatever it is.
    family.household.time_zone = "America/Los_Angeles"
    family.household.save()
    pat_mail.refresh_from_db()
    assert make(pat_mail, draft_due(ny(2027, 1, 12, 22), key="la")).due_at == ny(2027, 1, 12, 22)


def test_contacts_have_no_quiet_hours(family):
    grandma = email_channel(family, "grandma@example.com", contact=family.contact)
    assert make(grandma, draft_due(ny(2027, 1, 12, 23, 30))).due_at == ny(2027, 1, 12, 23, 30)


def test_a_message_planned_late_in_the_evening_waits_for_the_morning(family, pat_mail, frozen_time):
    """The readiness review of the day is due at 10:00; a channel added at 22:30 does not
    get it there and then, in the middle of the quiet hours."""
    frozen_time.move_to(ny(2027, 1, 12, 22, 30))

    plan_as_two_workers()

    [review] = of_kind(MessageKind.READINESS_REVIEW)
    assert review.due_at == ny(2027, 1, 13, 7)
    assert deliver_due("test") == []
    assert mail.outbox == []


# -- The evening before leaving ------------------------------------------------------------


def test_the_evening_before_leaving_lists_what_is_still_open(
    family, dana, pat_mail, dana_mail, trip, danas_trip, frozen_time
):
    task(trip, "Refill the EpiPen", date(2027, 1, 13), essential=True)
    task(trip, "Charge the baby monitor", date(2027, 1, 14), essential=True)  # on the day
    done = task(trip, "Label the lunchboxes", date(2027, 1, 12), essential=True)
    PrepTask.objects.filter(pk=done.pk).update(done_at=timezone.now())
    task(trip, "Buy a comfort toy", date(2027, 1, 13))  # optional
    frozen_time.move_to(ny(2027, 1, 13, 18))

    plan_as_two_workers()

    [message] = of_kind(MessageKind.LEAVING_TOMORROW)
    assert message.channel == pat_mail  # the traveller only
    assert message.due_at == ny(2027, 1, 13, 18)
    assert message.subject == "You leave tomorrow"
    assert message.text.splitlines()[:5] == [
        "You leave tomorrow at 9:00 AM.",
        "• Nobody in charge on the night of Fri 15 Jan.",
        "• Still open: Refill the EpiPen",
        "• Still open: Charge the baby monitor",
        "• The brief is not shared with anyone yet.",
    ]
    assert "Label the lunchboxes" not in message.text
    assert "Buy a comfort toy" not in message.text

    frozen_time.move_to(ny(2027, 1, 13, 21))
    plan_as_two_workers()
    assert len(of_kind(MessageKind.LEAVING_TOMORROW)) == 1


def test_the_evening_check_says_what_is_open_at_six_not_in_the_morning(
    family, pat_mail, trip, frozen_time
):
    epipen = task(trip, "Refill the EpiPen", date(2027, 1, 13), essential=True)
    for hour in (0, 9, 13):  # the workers plan all day long
        frozen_time.move_to(ny(2027, 1, 13, hour))
        plan_as_two_workers()
    # By the afternoon everything is done, somebody is named for every night (Pat is the
    # only parent), and the brief is shared.
    PrepTask.objects.filter(pk=epipen.pk).update(done_at=timezone.now())
    for night in trip.nights_list:
        Cover.objects.create(household=family.household, night=night, member=family.caregiver)
    ShareLink.issue(trip, family.parent, label="Cam", days_before=7)
    frozen_time.move_to(ny(2027, 1, 13, 18))
    plan_as_two_workers()

    [message] = of_kind(MessageKind.LEAVING_TOMORROW)
    assert message.text.splitlines()[:2] == [
        "You leave tomorrow at 9:00 AM.",
        "Everything essential is done. Have a good trip.",
    ]


# -- While away: the kids' day ---------------------------------------------------------------


def test_the_kids_day_reaches_the_traveller_at_half_past_eight_where_they_are(
    family, dana, pat_mail, dana_mail, trip, frozen_time
):
    by = family.caregiver
    log(trip, denver(2027, 1, 14, 19), Kind.ASLEEP, by=by)  # the evening before
    gone = log(trip, denver(2027, 1, 15, 9), Kind.MOOD, by=by, details={"mood": "sad"})
    JournalEntry.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    day = [
        (denver(2027, 1, 15, 7, 45), Kind.WOKE, {"when": "morning"}),
        (denver(2027, 1, 15, 12, 30), Kind.MEAL, {"what": "pasta", "amount": "all"}),
        (denver(2027, 1, 15, 18, 45), Kind.BATH, {}),
    ]
    for at, kind, details in day:  # logged through the day, planned every round
        frozen_time.move_to(at)
        log(trip, at, kind, by=by, details=details)
        frozen_time.move_to(at + timedelta(minutes=1))
        plan_as_two_workers()
    frozen_time.move_to(denver(2027, 1, 15, 20, 30))
    plan_as_two_workers()

    [message] = of_kind(MessageKind.JOURNAL_DIGEST)
    assert message.channel == pat_mail  # the traveller, not the parent at home
    assert message.due_at == denver(2027, 1, 15, 20, 30) == utc(1, 16, 3, 30)
    assert message.subject == "The kids' day: 3 entries"
    assert message.text.splitlines()[:3] == [
        "7:45 AM Woke up — Maya",
        "12:30 PM Meal (pasta): ate all — Maya",
        "6:45 PM Bath — Maya",
    ]
    assert "Mood" not in message.text

    frozen_time.move_to(denver(2027, 1, 15, 23))
    plan_as_two_workers()
    assert of_kind(MessageKind.JOURNAL_DIGEST) == [message]


def test_no_digest_on_a_day_with_nothing_logged(family, pat_mail, trip, frozen_time):
    frozen_time.move_to(denver(2027, 1, 15, 20, 30))
    plan_as_two_workers()
    assert of_kind(MessageKind.JOURNAL_DIGEST) == []


# -- Nights with nobody in charge ------------------------------------------------------------


def test_an_uncovered_night_is_told_to_every_parent_once(
    family, dana, pat_mail, dana_mail, trip, danas_trip, frozen_time
):
    email_channel(family, "carer@example.com", user=family.caregiver)
    frozen_time.move_to(ny(2027, 1, 12, 10))

    plan_as_two_workers()

    alerts = of_kind(MessageKind.UNCOVERED_NIGHT)
    assert {(m.channel, m.subject, m.due_at) for m in alerts} == {
        (pat_mail, "Nobody in charge on Fri 15 Jan", ny(2027, 1, 12, 10)),
        (dana_mail, "Nobody in charge on Fri 15 Jan", ny(2027, 1, 12, 10)),
    }

    # Named, then unnamed again: the alert was given, it is not repeated.
    cover = Cover.objects.create(
        household=family.household, night=date(2027, 1, 15), contact=family.contact
    )
    frozen_time.move_to(ny(2027, 1, 12, 14))
    plan_as_two_workers()
    cover.delete()
    frozen_time.move_to(ny(2027, 1, 13, 10))
    plan_as_two_workers()
    assert len(of_kind(MessageKind.UNCOVERED_NIGHT)) == 2


def test_a_covered_trip_raises_no_alert(family, dana, pat_mail, dana_mail, trip):
    plan_as_two_workers()  # Dana is home every night of Pat's trip
    assert of_kind(MessageKind.UNCOVERED_NIGHT) == []


# -- The brief opened, leaving now, the quarterly review ----------------------------------


def test_the_first_open_of_a_share_link_tells_the_parents_once(
    family, dana, pat_mail, dana_mail, trip, frozen_time
):
    email_channel(family, "carer@example.com", user=family.caregiver)
    _link, token = ShareLink.issue(trip, family.parent, label="Grandma", days_before=7)
    frozen_time.move_to(ny(2027, 1, 12, 10, 5))
    shared = reverse("handoff:shared_brief", args=[token])
    assert Client().get(shared).status_code == 200
    frozen_time.move_to(ny(2027, 1, 12, 10, 20))
    assert Client().get(shared).status_code == 200

    plan_as_two_workers()
    frozen_time.move_to(ny(2027, 1, 13, 9))
    assert Client().get(shared).status_code == 200
    plan_as_two_workers()

    opened = of_kind(MessageKind.SHARE_OPENED)
    assert {m.channel for m in opened} == {pat_mail, dana_mail}  # parents only
    for message in opened:
        assert message.subject == "Grandma opened the brief"
        assert message.text.startswith("Grandma opened the brief at 10:05 AM.")


def test_leave_now_tells_the_backup_caregiver_with_the_link(family, pat_mail, frozen_time):
    frozen_time.move_to(ny(2027, 1, 12, 10))
    grandma = email_channel(family, "grandma@example.com", contact=family.contact)
    doctor = Contact(household=family.household, name="Dr Who", phone="+1 505 555 0100")
    doctor.save()
    email_channel(family, "doctor@example.com", contact=doctor)

    response = family.client_for(family.parent).post(
        reverse("handoff:leave_now"),
        {"back_on": "2027-01-14", "back_at": "18:00", "destination": "San Diego", "notes": ""},
    )

    assert response.status_code == 200
    url = SHARE_URL.search(response.content.decode()).group("url")
    [message] = of_kind(MessageKind.LEAVE_NOW)
    assert message.channel == grandma
    assert message.subject == "Can you take over? It's urgent"
    assert message.due_at == timezone.now()
    assert message.text.splitlines() == [
        "Pat has to leave now, back Thu 14 Jan, 6:00 PM.",
        "You are named to look after the children. Everything you need is here:",
        url,
        "",
        "— Homefront",
    ]

    outcomes = deliver_due("test")
    assert outcomes.count("sent") >= 1
    [email] = [m for m in mail.outbox if m.to == ["grandma@example.com"]]
    assert url in email.body
    assert email.extra_headers["X-Homefront-Message"] == message.idempotency_key
    assert not [m for m in mail.outbox if m.to == ["doctor@example.com"]]


def test_the_readiness_review_comes_once_every_ninety_days(
    family, dana, pat_mail, dana_mail, frozen_time
):
    plan_as_two_workers()
    first = of_kind(MessageKind.READINESS_REVIEW)
    assert {(m.channel, m.due_at) for m in first} == {
        (pat_mail, ny(2027, 1, 12, 10)),
        (dana_mail, ny(2027, 1, 12, 10)),
    }
    assert first[0].subject == "Ready for the unplanned?"

    # The 90 days run from 10 November 2026 to 7 February 2027.
    for moment in (ny(2027, 1, 13, 10), ny(2027, 2, 7, 23, 59)):
        frozen_time.move_to(moment)
        plan_as_two_workers()
    assert len(of_kind(MessageKind.READINESS_REVIEW)) == 2

    frozen_time.move_to(ny(2027, 2, 8, 0, 1))
    plan_as_two_workers()
    later = of_kind(MessageKind.READINESS_REVIEW)[2:]
    assert {(m.channel, m.due_at) for m in later} == {
        (pat_mail, ny(2027, 2, 8, 10)),
        (dana_mail, ny(2027, 2, 8, 10)),
    }


def test_nothing_is_planned_for_a_household_without_channels(family, trip, danas_trip):
    task(trip, "Refill the EpiPen", date(2027, 1, 12), essential=True)
    plan_as_two_workers()
    assert not Message.objects.exists()
