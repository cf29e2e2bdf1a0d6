"""This morning's reminder reaches the adult in charge tonight, in their language, at a
real SMTP server; the parents' messages stay in theirs."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from email.message import EmailMessage

import pytest

from homefront.handoff.models import ShareLink
from homefront.notify.delivery import deliver_due
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import Message
from homefront.notify.models import MessageKind
from homefront.notify.models import Schedule
from homefront.notify.plan import plan_all
from homefront.prep.models import PrepTask
from homefront.testing.receivers import smtp_server
from homefront.testing.trips import trip_to
from homefront.testing.zones import ny
from homefront.trips.models import Cover

# Tuesday 12 January 2027, 6:00 in New York: the shared clock (frozen_time) starts here.
NOW = datetime(2027, 1, 12, 11, 0, tzinfo=UTC)


@pytest.fixture
def mailbox(settings):
    with smtp_server() as (box, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        yield box


@pytest.fixture
def week(family, frozen_time):
    """Pat away Thursday 14 to Sunday 17 January; Grandma (a contact, her link in Spanish)
    in charge on the nights of the 14th and 15th, Cam (a caregiver member, quiet until 8)
    on the 16th. Each has an email channel."""
    trip = trip_to(family, "Albuquerque", "America/Denver", ny(2027, 1, 14, 9), ny(2027, 1, 17, 18))
    trip.prep_tasks.all().delete()
    PrepTask.objects.create(trip=trip, title="Pack the EpiPen", due_on=date(2027, 1, 14))
    for night in (14, 15):
        Cover.objects.create(
            household=family.household, night=date(2027, 1, night), contact=family.contact
        )
    Cover.objects.create(
        household=family.household, night=date(2027, 1, 16), member=family.caregiver
    )
    ShareLink.issue(
        trip, family.parent, label="Abuela", contact=family.contact, language="es", days_before=7
    )
    family.caregiver.quiet_until = time(8, 0)
    family.caregiver.save()
    for target, owner in (
        ("pat@example.com", {"user": family.parent}),
        ("abuela@example.com", {"contact": family.contact}),
        ("cam@example.com", {"user": family.caregiver}),
    ):
        Channel.objects.create(
            household=family.household, kind=ChannelKind.EMAIL, target=target, **owner
        )
    return trip


def mornings() -> list[Message]:
    return list(
        Message.objects.filter(kind=MessageKind.CAREGIVER_MORNING)
        .select_related("channel")
        .order_by("pk")
    )


def letters_to(mailbox, address: str) -> list[EmailMessage]:
    return [letter for letter in mailbox.received if letter["To"] == address]


def body(letter: EmailMessage) -> str:
    part = letter.get_body(("plain",)) if letter.is_multipart() else letter
    return part.get_content().replace("\r\n", "\n")


def test_the_adult_in_charge_gets_the_days_reminder_in_their_language(
    family, week, frozen_time, mailbox
):
    frozen_time.move_to(ny(2027, 1, 13, 10))
    plan_all()
    assert mornings() == []
    # The household is planned again by the first morning someone is in charge.
    assert Schedule.objects.get(household=family.household).next_plan_at <= ny(2027, 1, 14, 7, 30)

    frozen_time.move_to(ny(2027, 1, 14, 7, 29))
    plan_all()
    assert mornings() == []

    frozen_time.move_to(ny(2027, 1, 14, 7, 30))
    plan_all()
    plan_all()
    [message] = mornings()
    assert message.channel.target == "abuela@example.com"
    assert message.due_at == ny(2027, 1, 14, 7, 30)
    deliver_due("test")

    [letter] = letters_to(mailbox, "abuela@example.com")
    assert letter["Subject"].startswith("Hoy con los niños")
    text = body(letter)
    assert "Esta noche usted está a cargo de los niños." in text
    # The day's dose and bedtime, in the order of their times, with Spanish words.
    assert text.index("Vitamin D, 1 gummy — Maya") < text.index("Hora de dormir — Maya")
    assert "Today" not in text
    assert "children" not in text
    # The parent's own morning digest, at the same server, stays English.
    subjects = [letter["Subject"] for letter in letters_to(mailbox, "pat@example.com")]
    assert "Today's prep: 1 thing" in subjects
    assert not letters_to(mailbox, "cam@example.com")

    frozen_time.move_to(ny(2027, 1, 14, 12))
    plan_all()
    assert len(mornings()) == 1  # once a day


def test_each_morning_goes_to_that_nights_adult_after_their_quiet_hours(
    family, week, frozen_time, mailbox
):
    for day in (14, 15, 16):
        frozen_time.move_to(ny(2027, 1, day, 7, 30))
        plan_all()
    assert [(m.channel.target, m.due_at) for m in mornings()] == [
        ("abuela@example.com", ny(2027, 1, 14, 7, 30)),
        ("abuela@example.com", ny(2027, 1, 15, 7, 30)),
        # Cam's quiet hours end at 8:00, at home where the children are.
        ("cam@example.com", ny(2027, 1, 16, 8, 0)),
    ]
    deliver_due("test")
    assert not letters_to(mailbox, "cam@example.com")  # 7:30 on the 16th: not due yet
    frozen_time.move_to(ny(2027, 1, 16, 8, 0))
    deliver_due("test")
    [letter] = letters_to(mailbox, "cam@example.com")
    assert letter["Subject"] == "Today with the children, Sat 16 Jan"
    assert body(letter).splitlines()[:3] == [
        "You are in charge of the children tonight.",
        "• 8:00 AM Vitamin D, 1 gummy — Maya",
        "• 7:30 PM Bedtime — Maya",
    ]


def test_named_later_in_the_day_they_are_told_then_but_not_in_the_evening(
    family, week, frozen_time
):
    Cover.objects.filter(night__in=[date(2027, 1, 14), date(2027, 1, 15)]).delete()
    frozen_time.move_to(ny(2027, 1, 14, 10))
    plan_all()
    assert mornings() == []  # nobody in charge tonight

    frozen_time.move_to(ny(2027, 1, 14, 12))
    Cover.objects.create(
        household=family.household, night=date(2027, 1, 14), contact=family.contact
    )
    plan_all()
    assert [m.due_at for m in mornings()] == [ny(2027, 1, 14, 12)]

    frozen_time.move_to(ny(2027, 1, 15, 18, 30))
    Cover.objects.create(
        household=family.household, night=date(2027, 1, 15), contact=family.contact
    )
    plan_all()
    assert len(mornings()) == 1  # too late for this morning's reminder
