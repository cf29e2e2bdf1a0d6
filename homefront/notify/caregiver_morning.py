"""This morning's reminder, for the adult in charge of the children tonight: the day's
routines and medicines with their times, at 7:30 at home, in their own language.

A caregiver member is reached on their own channels, a contact named in charge on the
channels the parents gave them (as "leave now" reaches them); each once a day, by the
day's key. It is made in the morning, not at midnight, so a routine changed overnight
is told as it is then. The home zone is theirs: they are with the children."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from django.utils.functional import Promise
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from homefront.households.models import Household
from homefront.households.models import Medicine
from homefront.households.models import Routine
from homefront.i18n import lazy_day
from homefront.i18n import lazy_text
from homefront.i18n import lazy_time
from homefront.notify.drafts import Draft
from homefront.notify.models import Channel
from homefront.notify.models import MessageKind
from homefront.trips.models import Cover

MORNING = time(7, 30)
# Named in charge later in the day, they still hear of it until the evening; after
# that, this morning's reminder would come too late to help.
TOO_LATE = time(18, 0)


def plan(
    household: Household, now: datetime, channels: list[Channel]
) -> tuple[list[tuple[Channel, Draft]], list[datetime]]:
    """The drafts due now, and the next morning one comes due."""
    home = household.zone
    today = now.astimezone(home).date()
    covers = list(
        Cover.objects.filter(
            household=household, night__gte=today, night__lte=today + timedelta(days=1)
        )
        .select_related("member", "contact")
        .order_by("night")
    )
    morning = datetime.combine(today, MORNING, tzinfo=home)
    later = [_morning_of(c.night, home) for c in covers if _morning_of(c.night, home) > now]
    later += _next_covered_morning(household, today, home)
    tonight = next((c for c in covers if c.night == today), None)
    if tonight is None or not morning <= now < datetime.combine(today, TOO_LATE, tzinfo=home):
        return [], later
    theirs = [c for c in channels if _belongs_to(c, tonight)]
    if not theirs:
        return [], later
    draft = Draft(
        MessageKind.CAREGIVER_MORNING,
        f"caregiver-morning:{today}",
        lazy_text(gettext_lazy("Today with the children, %(day)s"), day=lazy_day(today)),
        reminder_lines(household, today),
        morning,
        zone=home,
    )
    return [(channel, draft) for channel in theirs], later


def _morning_of(night: date, home: object) -> datetime:
    return datetime.combine(night, MORNING, tzinfo=home)  # type: ignore[arg-type]


def _next_covered_morning(household: Household, today: date, home: object) -> list[datetime]:
    """Beyond tomorrow, the next night someone is named for: its morning. One query."""
    night = (
        Cover.objects.filter(household=household, night__gt=today + timedelta(days=1))
        .order_by("night")
        .values_list("night", flat=True)
        .first()
    )
    return [] if night is None else [_morning_of(night, home)]


def _belongs_to(channel: Channel, cover: Cover) -> bool:
    if cover.member_id is not None:
        return channel.user_id == cover.member_id
    return channel.contact_id is not None and channel.contact_id == cover.contact_id


def reminder_lines(household: Household, day: date) -> list[str | Promise]:
    """Tonight's charge, then the day's routines and doses in the order of their times."""
    timed: list[tuple[time, str | Promise]] = []
    for routine in Routine.objects.in_household(household).select_related("child"):
        if routine.occurs_on(day):
            timed.append((routine.time, _routine_line(routine)))
    for medicine in (
        Medicine.objects.in_household(household).filter(as_needed=False).select_related("child")
    ):
        timed += [(at, _dose_line(medicine, at)) for at in medicine.time_list]
    lines: list[str | Promise] = [gettext_lazy("You are in charge of the children tonight.")]
    lines += [line for _at, line in sorted(timed, key=lambda pair: pair[0])]
    if not timed:
        lines.append(gettext_lazy("Nothing is scheduled today."))
    return lines


def _routine_line(routine: Routine) -> str:
    return lazy_text(
        gettext_lazy("• %(time)s %(routine)s — %(child)s"),
        time=lazy_time(routine.time),
        routine=lazy(lambda: routine.title, str)(),  # a kind's name, in their language
        child=routine.child.name,
    )


def _dose_line(medicine: Medicine, at: time) -> str:
    return lazy_text(
        gettext_lazy("• %(time)s %(medicine)s, %(dose)s — %(child)s"),
        time=lazy_time(at),
        medicine=medicine.name,
        dose=medicine.dose,
        child=medicine.child.name,
    )
