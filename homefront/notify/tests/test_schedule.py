"""The worker plans what is due, not every household: each household's next planning is a
column (`Schedule.next_plan_at`), booked after each planning and brought forward by every
write that can make something due; workers claim due households one each (SKIP LOCKED on
PostgreSQL, a conditional UPDATE on SQLite), and every message still goes out once."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from homefront.accounts.models import User
from homefront.core.tests.servers import mailing_site
from homefront.core.tests.test_faults import Worker
from homefront.core.tests.test_faults import outbox
from homefront.handoff.models import ShareLink
from homefront.handoff.models import ShareLinkOpen
from homefront.households.models import Household
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.notify.delivery import deliver_due
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.models import Schedule
from homefront.notify.plan import plan_all
from homefront.notify.plan import plan_due
from homefront.portability.household_file import dumps
from homefront.portability.household_file import export_household
from homefront.portability.household_file import import_household
from homefront.portability.household_file import load
from homefront.prep.models import PrepTask
from homefront.testing.journal import logged
from homefront.testing.ports import WAIT
from homefront.testing.ports import wait_until
from homefront.testing.trips import trip_to
from homefront.testing.zones import DENVER
from homefront.testing.zones import ny
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# Tuesday 12 January 2027, 6:00 in New York.
NOW = datetime(2027, 1, 12, 11, 0, tzinfo=UTC)
STARTING = timedelta(seconds=8)  # how long two worker processes may take to start


def next_plan(household: Household) -> datetime | None:
    return Schedule.objects.get(household=household).next_plan_at


def households_with_a_channel(count: int, first: int = 0) -> list[Household]:
    made = []
    for number in range(first, first + count):
        home = Household.objects.create(name=f"Family {number}", time_zone="America/New_York")
        parent = User.objects.create_user(
            email=f"parent{number}@example.com", password="x" * 20, name=f"Parent {number}"
        )
        Membership.objects.create(household=home, user=parent, role=Role.PARENT)
        Channel.objects.create(
            household=home, user=parent, kind=ChannelKind.EMAIL, target=parent.email
        )
        made.append(home)
    return made


# -- A round costs what is due -------------------------------------------------------------


def queries_of_a_round() -> tuple[int, int]:
    with CaptureQueriesContext(connection) as planning:
        assert plan_due("w1") == {}
    with CaptureQueriesContext(connection) as sending:
        assert deliver_due("w1") == []
    return len(planning), len(sending)


@time_machine.travel(NOW, tick=False)
def test_a_round_with_nothing_due_costs_a_few_queries_for_one_household_or_thirty(db):
    households_with_a_channel(1)
    assert plan_all() == 1  # the quarterly readiness review, due at 10:00
    Message.objects.update(status="sent")
    one = queries_of_a_round()

    households_with_a_channel(29, first=1)
    assert plan_all() == 29
    Message.objects.update(status="sent")
    thirty = queries_of_a_round()

    assert thirty == one
    # Planning: one look for a due household (in a savepoint on PostgreSQL).
    assert one[0] <= 3
    assert Schedule.objects.filter(next_plan_at__lte=NOW).count() == 0


@time_machine.travel(NOW, tick=False)
def test_a_burst_is_planned_a_batch_a_round(db):
    """So that what is due is sent between two batches of a midnight's households."""
    homes = {home.pk for home in households_with_a_channel(3)}

    first = plan_due("w1", limit=2)
    second = plan_due("w1", limit=2)

    assert len(first) == 2
    assert set(second) == homes - set(first)
    assert plan_due("w1", limit=2) == {}


@time_machine.travel(NOW, tick=False)
def test_a_household_is_planned_once_however_many_rounds(family):
    Channel.objects.create(
        household=family.household, user=family.parent, kind="email", target="p@example.com"
    )
    assert plan_due("w1") == {family.household.pk: 1}
    assert plan_due("w2") == {}
    assert plan_due("w1") == {}
    assert Message.objects.count() == 1


def test_a_household_without_a_channel_is_never_planned(family):
    leaves, back = timezone.now() + timedelta(days=2), timezone.now() + timedelta(days=4)
    trip_to(family, "Lima", "America/Lima", leaves, back)
    assert not Schedule.objects.exists()
    assert plan_due("w1") == {}

    channel = Channel.objects.create(
        household=family.household, user=family.parent, kind="email", target="p@example.com"
    )
    assert family.household.pk in plan_due("w1")
    channel.delete()
    Cover.objects.create(
        household=family.household, night=timezone.localdate(), contact=family.contact
    )
    assert plan_due("w1") == {family.household.pk: 0}
    assert next_plan(family.household) is None  # nothing to tell, nobody to tell it to


# -- When to plan next -----------------------------------------------------------------------


@pytest.fixture
def pat_mail(family, frozen_time) -> Channel:
    return Channel.objects.create(
        household=family.household, user=family.parent, kind="email", target="pat@example.com"
    )


@pytest.fixture
def trip(family, frozen_time) -> Trip:
    """Pat's trip from Thursday 14 January 9:00 to Saturday 16 January 18:00, in Denver,
    with one task, due on Wednesday 13th; the caregiver covers each night."""
    trip = trip_to(family, "Denver", "America/Denver", ny(2027, 1, 14, 9), ny(2027, 1, 16, 18))
    trip.prep_tasks.all().delete()
    PrepTask.objects.create(trip=trip, title="Refill the EpiPen", due_on=date(2027, 1, 13))
    for night in trip.nights_list:
        Cover.objects.create(household=family.household, night=night, member=family.caregiver)
    return trip


def within_a_day(household: Household) -> datetime:
    """The latest a household is planned again: a day on, and some minutes by its id."""
    return timezone.now() + timedelta(hours=24, minutes=household.pk % 240)


def test_without_trips_the_next_planning_is_the_readiness_review_or_within_a_day(
    family, pat_mail, frozen_time
):
    plan_all()
    assert next_plan(family.household) == within_a_day(family.household)

    # The 90-day periods run from 10 November 2026 to 7 February 2027.
    frozen_time.move_to(ny(2027, 2, 7, 12))
    plan_all()
    assert next_plan(family.household) == ny(2027, 2, 8, 0)


def test_the_next_planning_is_the_next_moment_something_can_be_due(
    family, pat_mail, trip, frozen_time
):
    moments = []
    for _ in range(6):
        plan_all()
        moments.append(next_plan(family.household))
        frozen_time.move_to(moments[-1])

    assert moments == [
        ny(2027, 1, 13, 0),  # the day the EpiPen is due: its morning digest
        ny(2027, 1, 13, 18),  # the evening before leaving
        ny(2027, 1, 14, 0),  # the day of leaving, with the EpiPen still to do
        ny(2027, 1, 14, 7, 30),  # the caregiver's morning: in charge tonight (no channel here)
        datetime(2027, 1, 14, 20, 30, tzinfo=DENVER),  # the first evening away
        datetime(2027, 1, 14, 21, tzinfo=DENVER),  # nothing logged: a look again
    ]
    assert [m.kind for m in Message.objects.order_by("pk")] == [
        MessageKind.READINESS_REVIEW,
        MessageKind.PREP_DIGEST,
        MessageKind.LEAVING_TOMORROW,
        MessageKind.PREP_DIGEST,
    ]


# -- Writes that make a household due again ------------------------------------------------


def new_trip(family, trip: Trip) -> None:
    trip_to(family, "Boston", "America/New_York", ny(2027, 3, 1, 9), ny(2027, 3, 2, 18))


def trip_moved(family, trip: Trip) -> None:
    trip.starts_at = ny(2027, 1, 13, 9)
    trip.save()


def cover_removed(family, trip: Trip) -> None:
    Cover.objects.filter(household=family.household).earliest("night").delete()


def task_added(family, trip: Trip) -> None:
    PrepTask.objects.create(trip=trip, title="Print the brief", due_on=date(2027, 1, 12))


def member_left(family, trip: Trip) -> None:
    Membership.objects.get(user=family.caregiver).delete()


def member_made_parent(family, trip: Trip) -> None:
    membership = Membership.objects.get(user=family.caregiver)
    membership.role = Role.PARENT
    membership.save()


def household_zone(family, trip: Trip) -> None:
    family.household.time_zone = "America/Chicago"
    family.household.save()


def parents_zone(family, trip: Trip) -> None:
    family.parent.time_zone = "Europe/Paris"
    family.parent.save(update_fields=["time_zone"])


def share_link_opened(family, trip: Trip) -> None:
    link, _token = ShareLink.issue(trip, family.parent, label="Grandma", days_before=7)
    ShareLinkOpen.objects.create(link=link)


def channel_added(family, trip: Trip) -> None:
    Channel.objects.create(
        household=family.household, user=family.parent, kind="email", target="pat@work.example"
    )


WRITES: dict[str, Callable[[Any, Trip], None]] = {
    "a new trip": new_trip,
    "a trip moved": trip_moved,
    "a cover removed": cover_removed,
    "a prep task added": task_added,
    "a member leaving": member_left,
    "a member made a parent": member_made_parent,
    "the household's zone": household_zone,
    "a parent's own zone": parents_zone,
    "a share link opened": share_link_opened,
    "a channel added": channel_added,
}


@pytest.mark.parametrize("write", WRITES)
def test_a_write_that_can_make_something_due_makes_the_household_due_now(
    family, pat_mail, trip, write
):
    plan_all()
    assert next_plan(family.household) > timezone.now()

    WRITES[write](family, trip)

    assert next_plan(family.household) == timezone.now()
    assert family.household.pk in plan_due("w1")
    assert next_plan(family.household) > timezone.now()


def log(family, trip: Trip) -> None:
    logged(trip, family.caregiver, "bath", family.child, timezone.now())


def digests() -> int:
    return Message.objects.filter(kind=MessageKind.JOURNAL_DIGEST).count()


def test_the_kids_day_is_looked_at_in_the_evening_and_again_while_nothing_is_logged(
    family, pat_mail, trip, frozen_time
):
    """The kids' day is planned at 20:30 where the traveller is, with what was logged by
    then; on a day with nothing logged yet, every half hour until midnight, so an entry
    logged late is still told that night (logging itself writes nothing for the planner)."""
    frozen_time.move_to(datetime(2027, 1, 14, 12, tzinfo=DENVER))
    plan_all()
    evening = datetime(2027, 1, 14, 20, 30, tzinfo=DENVER)
    assert next_plan(family.household) == evening
    frozen_time.move_to(datetime(2027, 1, 14, 20, tzinfo=DENVER))
    log(family, trip)
    assert next_plan(family.household) == evening
    frozen_time.move_to(evening)
    plan_all()
    assert digests() == 1
    # The caregiver in charge on the 15th has their morning at home first.
    assert next_plan(family.household) == ny(2027, 1, 15, 7, 30)
    frozen_time.move_to(ny(2027, 1, 15, 7, 30))
    plan_all()
    assert next_plan(family.household) == datetime(2027, 1, 15, 20, 30, tzinfo=DENVER)

    frozen_time.move_to(datetime(2027, 1, 15, 20, 30, tzinfo=DENVER))
    plan_all()  # nothing logged on the second day yet: no digest, a look again later
    assert digests() == 1
    assert next_plan(family.household) == datetime(2027, 1, 15, 21, tzinfo=DENVER)
    frozen_time.move_to(datetime(2027, 1, 15, 20, 50, tzinfo=DENVER))
    log(family, trip)
    frozen_time.move_to(datetime(2027, 1, 15, 21, tzinfo=DENVER))
    plan_all()
    assert digests() == 2
    # Pat is home on the 16th by 18:00: nothing booked but the daily look.
    assert next_plan(family.household) == within_a_day(family.household)


def test_what_cannot_make_a_message_due_leaves_the_booking_alone(family, pat_mail, trip):
    """Signing in, or a channel for a caregiver or a contact: the planner tells parents
    only (a contact hears of "leave now" from its view at once)."""
    plan_all()
    booked = next_plan(family.household)

    assert family.client_for(family.parent).get("/").status_code == 200
    family.parent.last_login = timezone.now()
    family.parent.save(update_fields=["last_login"])
    Channel.objects.create(
        household=family.household, user=family.caregiver, kind="email", target="c@example.com"
    )
    Channel.objects.create(
        household=family.household, contact=family.contact, kind="email", target="g@example.com"
    )

    assert next_plan(family.household) == booked


# -- Several workers --------------------------------------------------------------------------


def test_a_household_another_worker_is_planning_is_passed_over_not_waited_for(
    transactional_db,
):
    """PostgreSQL: the other worker's row lock (SKIP LOCKED passes over it). SQLite: the
    other worker's claim, its household's time moved a lease ahead."""
    with time_machine.travel(NOW, tick=False):
        busy, *others = households_with_a_channel(3)
        held, release = threading.Event(), threading.Event()

        def other_worker() -> None:
            try:
                with transaction.atomic():
                    Schedule.objects.select_for_update().get(household=busy)
                    held.set()
                    release.wait(timeout=WAIT)
            finally:
                connection.close()

        if connection.vendor == "postgresql":
            holder = threading.Thread(target=other_worker)
            holder.start()
            assert held.wait(timeout=WAIT)
        else:
            Schedule.objects.filter(household=busy).update(
                next_plan_at=NOW + timedelta(minutes=10), claimed_by="w2"
            )
        try:
            planned = plan_due("w1")
        finally:
            release.set()
        if connection.vendor == "postgresql":
            holder.join(timeout=WAIT)

        assert set(planned) == {home.pk for home in others}
        assert not Message.objects.filter(household=busy).exists()


def past_ten_in(now: datetime) -> str:
    """A zone where it is now between noon and 8 pm: its readiness review (due at 10:00)
    goes at once, and no day ends while the test runs."""
    for hours in range(-11, 15):
        zone = f"Etc/GMT{-hours:+d}"
        if 12 <= now.astimezone(ZoneInfo(zone)).hour < 20:
            return zone
    raise AssertionError("every hour of the day is somewhere")


def households_to_tell(count: int, zone: str) -> list[str]:
    """`count` households of two parents without quiet hours, each with an email channel;
    the key of each one's readiness review."""
    keys = []
    for number in range(count):
        home = Household.objects.create(name=f"Family {number}", time_zone=zone)
        for side in "ab":
            parent = User.objects.create_user(
                email=f"p{number}{side}@example.com",
                password="x" * 20,
                name=f"Parent {number}{side}",
                quiet_from=time(0),
                quiet_until=time(0),
            )
            Membership.objects.create(household=home, user=parent, role=Role.PARENT)
            channel = Channel.objects.create(
                household=home, user=parent, kind="email", target=parent.email
            )
            today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
            period = (today - date(2000, 1, 1)).days // 90
            keys.append(f"readiness:{period}:channel-{channel.pk}")
    # Due in a few seconds, once both workers are up, so that both look for work at once.
    Schedule.objects.update(next_plan_at=timezone.now() + STARTING)
    return keys


def test_two_workers_plan_and_send_each_message_exactly_once(
    transactional_db, tmp_path, tmp_path_factory, smtp
):
    """Two `homefront worker` processes on one database (PostgreSQL: SKIP LOCKED; SQLite:
    conditional claims) and a real mail server: every household's messages arrive once."""
    mailbox, port = smtp
    site = mailing_site(tmp_path / "site", tmp_path_factory.getbasetemp(), port)
    keys = site.fill(households_to_tell, count=20, zone=past_ten_in(datetime.now(UTC)))

    workers = [Worker(site, "first"), Worker(site, "second")]
    try:
        for worker in workers:
            wait_until(lambda worker=worker: "started." in worker.text(), "the workers to start")
        wait_until(lambda: sum(mailbox.keys().values()) >= len(keys), "every message to arrive")
        for worker in workers:
            worker.process.send_signal(signal.SIGTERM)
        for worker in workers:
            assert worker.process.wait(timeout=WAIT) == 0, worker.text()
    finally:
        for worker in workers:
            worker.close()

    assert mailbox.keys() == {key: 1 for key in keys}
    sent = outbox(site)
    assert {key: sent[key][:2] + sent[key][3:] for key in keys} == {
        key: ["sent", 1, [True]] for key in keys
    }
    for worker in workers:
        assert "Traceback" not in worker.text(), worker.text()
    # Each household planned, booked for later, and claimed by nobody.
    booked = site.query(
        f"SELECT count(*) FROM {Schedule._meta.db_table}"  # noqa: S608 - a model's table
        " WHERE next_plan_at IS NOT NULL AND claimed_by = ''"
    )
    assert booked == [(20,)]


def test_an_imported_household_with_channels_is_due_for_its_first_planning(family, pat_mail):
    """The household file is imported with bulk inserts, which send no signals."""
    data = load(dumps(export_household(family.household)))
    family.household.delete()

    household = import_household(data)

    assert Schedule.objects.get(household=household).next_plan_at <= timezone.now()
    assert plan_due("w1") == {household.pk: 1}  # the quarterly review, to Pat
