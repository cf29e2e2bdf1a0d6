"""The household models' own rules: ages, schedules, parsing, invitations, the day plan."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction

from homefront.accounts.models import User
from homefront.households.models import EVERY_DAY
from homefront.households.models import SCHOOL_DAYS
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import Household
from homefront.households.models import Invitation
from homefront.households.models import Medicine
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.models import Routine
from homefront.households.models import RoutineKind
from homefront.households.models import age_label
from homefront.households.models import hash_token
from homefront.households.schedule import day_plan
from homefront.households.validators import parse_times
from homefront.households.validators import validate_phone
from homefront.households.validators import validate_time_zone

MON, TUE, WED, THU, FRI, SAT, SUN = (1 << day for day in range(7))
# A Monday.
MONDAY = date(2025, 6, 16)

# -- Ages ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "today", "label"),
    [
        (date(2025, 6, 1), date(2025, 6, 16), "0 months"),
        (date(2025, 5, 16), date(2025, 6, 16), "1 month"),
        (date(2025, 5, 17), date(2025, 6, 16), "0 months"),
        (date(2024, 10, 16), date(2025, 6, 16), "8 months"),
        (date(2023, 7, 16), date(2025, 6, 16), "23 months"),
        (date(2023, 6, 16), date(2025, 6, 16), "2"),
        (date(2020, 12, 1), date(2025, 6, 16), "4½"),
        (date(2020, 12, 17), date(2025, 6, 16), "4"),
        (date(2019, 12, 1), date(2025, 6, 16), "5½"),
        # From six on, whole years only.
        (date(2018, 12, 1), date(2025, 6, 16), "6"),
        (date(2018, 1, 1), date(2025, 6, 16), "7"),
        (date(2008, 1, 1), date(2025, 6, 16), "17"),
        (date(2025, 6, 17), date(2025, 6, 16), "not born yet"),
        # It turns on the birthday, not the day before.
        (date(2022, 6, 16), date(2025, 6, 15), "2½"),
        (date(2022, 6, 16), date(2025, 6, 16), "3"),
        (date(2022, 6, 16), date(2024, 12, 15), "2"),
        (date(2022, 6, 16), date(2024, 12, 16), "2½"),
        (date(2022, 6, 16), date(2022, 6, 16), "0 months"),
        # A leap-day child: in a common year the month is not complete until 1 March.
        (date(2020, 2, 29), date(2021, 2, 28), "11 months"),
        (date(2020, 2, 29), date(2021, 3, 1), "12 months"),
        (date(2020, 2, 29), date(2024, 2, 28), "3½"),
        (date(2020, 2, 29), date(2024, 2, 29), "4"),
        # At the end of a short month.
        (date(2025, 1, 31), date(2025, 2, 28), "0 months"),
        (date(2025, 1, 31), date(2025, 3, 31), "2 months"),
    ],
)
def test_age_label(born, today, label):
    assert age_label(born, today) == label


@pytest.mark.django_db
def test_a_childs_age_is_counted_in_the_household_zone():
    household = Household.objects.create(name="Far West", time_zone="Pacific/Honolulu")
    child = Child.objects.create(household=household, name="Kai", birth_date=date(2022, 6, 17))
    # 17 June in UTC, still 16 June in Honolulu.
    with time_machine.travel(datetime(2025, 6, 17, 5, 0, tzinfo=UTC), tick=False):
        assert household.today() == date(2025, 6, 16)
        assert child.age() == "2½"
    with time_machine.travel(datetime(2025, 6, 17, 10, 0, tzinfo=UTC), tick=False):
        assert child.age() == "3"
    assert child.age(date(2025, 1, 1)) == "2½"


# -- Routines ------------------------------------------------------------------------


def routine(**fields) -> Routine:
    return Routine(**{"kind": RoutineKind.BATH, "time": time(18, 0), **fields})


def test_a_routine_occurs_on_the_ticked_weekdays():
    mon_wed_fri = routine(weekdays=MON | WED | FRI)
    week = [MONDAY + timedelta(days=n) for n in range(7)]
    assert [mon_wed_fri.occurs_on(day) for day in week] == [1, 0, 1, 0, 1, 0, 0]
    school = routine(weekdays=SCHOOL_DAYS)
    assert [school.occurs_on(day) for day in week] == [1, 1, 1, 1, 1, 0, 0]
    sunday = routine(weekdays=SUN)
    assert [day.isoformat() for day in week if sunday.occurs_on(day)] == ["2025-06-22"]
    assert all(routine(weekdays=EVERY_DAY).occurs_on(day) for day in week)


def test_every_other_day_counts_from_the_start_day():
    bath = routine(every_n_days=2, starts_on=date(2025, 6, 17))
    days = [date(2025, 6, 17) + timedelta(days=n) for n in range(6)]
    assert [bath.occurs_on(day) for day in days] == [True, False, True, False, True, False]
    assert bath.occurs_on(date(2025, 7, 17))  # 30 days on
    assert not bath.occurs_on(date(2025, 7, 18))


def test_every_three_days_across_a_month_and_a_year_end():
    routine_ = routine(every_n_days=3, starts_on=date(2025, 12, 30))
    hits = [
        day
        for day in (date(2025, 12, 30) + timedelta(days=n) for n in range(10))
        if routine_.occurs_on(day)
    ]
    assert hits == [date(2025, 12, 30), date(2026, 1, 2), date(2026, 1, 5), date(2026, 1, 8)]


def test_before_the_start_day_the_rhythm_continues_backwards():
    # starts_on is “a day it happened”, an anchor to count from, not a first day.
    bath = routine(every_n_days=2, starts_on=date(2025, 6, 17))
    assert bath.occurs_on(date(2025, 6, 15))
    assert not bath.occurs_on(date(2025, 6, 16))
    assert not bath.occurs_on(date(2025, 6, 14))
    assert bath.occurs_on(date(2025, 6, 17) - timedelta(days=364))
    assert not bath.occurs_on(date(2025, 6, 17) - timedelta(days=365))


def test_a_daily_routine_ignores_its_start_day():
    daily = routine(every_n_days=1, starts_on=date(2025, 6, 17))
    assert daily.occurs_on(date(2025, 6, 16))
    assert daily.occurs_on(date(2025, 6, 17))


def test_every_n_days_and_weekdays_must_both_match():
    # Every other day, but only on school days: from Monday 16 June, the even days off.
    routine_ = routine(weekdays=SCHOOL_DAYS, every_n_days=2, starts_on=MONDAY)
    days = [MONDAY + timedelta(days=n) for n in range(14)]
    assert [day.day for day in days if routine_.occurs_on(day)] == [16, 18, 20, 24, 26]


@pytest.mark.parametrize(
    ("fields", "label"),
    [
        ({"weekdays": EVERY_DAY}, "every day"),
        ({"weekdays": SCHOOL_DAYS}, "weekdays"),
        ({"weekdays": SAT | SUN}, "weekends"),
        ({"weekdays": MON | WED | FRI}, "Mon, Wed, Fri"),
        ({"weekdays": SUN}, "Sun"),
        ({"weekdays": MON | SUN}, "Mon, Sun"),
        ({"every_n_days": 2, "starts_on": MONDAY}, "every other day"),
        ({"every_n_days": 3, "starts_on": MONDAY}, "every 3 days"),
        ({"every_n_days": 14, "starts_on": MONDAY}, "every 14 days"),
        (
            {"every_n_days": 2, "starts_on": MONDAY, "weekdays": SCHOOL_DAYS},
            "every other day, on Mon, Tue, Wed, Thu, Fri",
        ),
        ({"every_n_days": 3, "starts_on": MONDAY, "weekdays": SAT}, "every 3 days, on Sat"),
    ],
)
def test_schedule_label(fields, label):
    assert routine(**fields).schedule_label() == label


def test_routine_title_steps_and_days():
    bedtime = routine(kind=RoutineKind.BEDTIME, steps="  Bath \n\nTwo books\n  \nLights off")
    assert bedtime.title == "Bedtime"
    assert bedtime.step_list == ["Bath", "Two books", "Lights off"]
    bedtime.label = "Sleepover bedtime"
    assert bedtime.title == "Sleepover bedtime"
    assert routine(weekdays=TUE | THU).day_list == [1, 3]


@pytest.mark.django_db
def test_the_database_refuses_routines_with_no_day_or_no_start(family):
    with pytest.raises(IntegrityError), transaction.atomic():
        Routine.objects.create(child=family.child, kind="nap", time=time(13), weekdays=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Routine.objects.create(child=family.child, kind="nap", time=time(13), every_n_days=2)
    assert list(Routine.objects.all()) == [family.routine]


def test_every_other_day_without_a_start_day_is_invalid():
    with pytest.raises(ValidationError) as error:
        routine(every_n_days=2).clean()
    assert error.value.message_dict == {
        "starts_on": ["Give a day it happened, so we can count the days from it."]
    }
    routine(every_n_days=2, starts_on=MONDAY).clean()
    routine(every_n_days=1).clean()


# -- Times, phones, time zones --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "times"),
    [
        ("8:00", [time(8)]),
        ("8", [time(8)]),
        ("19:30", [time(19, 30)]),
        ("0:05", [time(0, 5)]),
        ("23:59", [time(23, 59)]),
        ("7:30 pm", [time(19, 30)]),
        ("7:30pm", [time(19, 30)]),
        ("7 PM", [time(19)]),
        ("7:30 p.m.", [time(19, 30)]),
        ("12 am", [time(0)]),
        ("12:15 am", [time(0, 15)]),
        ("12 pm", [time(12)]),
        ("12:45 PM", [time(12, 45)]),
        ("", []),
        (" , ;\n", []),
        ("20:00, 8:00; 12:30", [time(8), time(12, 30), time(20)]),
        ("8:00\n7:30 pm\n 13:00 ", [time(8), time(13), time(19, 30)]),
        ("8:00, 08:00, 8 am, 8", [time(8)]),
        ("8 pm, 20:00", [time(20)]),
    ],
)
def test_parse_times(text, times):
    assert parse_times(text) == times


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("25:00", "“25:00” is not a time of day."),
        ("24:00", "“24:00” is not a time of day."),
        ("8:60", "“8:60” is not a time of day."),
        ("soon", "“soon” is not a time. Write times like 8:00, 7:30 pm or 19:30."),
        ("8:00, soon", "“soon” is not a time."),
        ("8.30", "“8.30” is not a time."),
        ("8:5", "“8:5” is not a time."),
        ("-1", "“-1” is not a time."),
        ("13 pm", "“13 pm”: with am or pm the hour is 1 to 12."),
        ("0 am", "“0 am”: with am or pm the hour is 1 to 12."),
        ("noon", "“noon” is not a time."),
    ],
)
def test_parse_times_refuses_anything_else(text, message):
    with pytest.raises(ValidationError) as error:
        parse_times(text)
    assert message in error.value.messages[0]
    assert error.value.code == "invalid_time"


@pytest.mark.parametrize(
    "phone",
    [
        "+1 505 555 0134",
        "505-555-0134",
        "(505) 555.0134",
        "+44 20 7946 0958",
        "12345",
        "123 456 789 012 345",
        "  +1 505 555 0134  ",
        "+1 505 555 0134 x12",
        "+1 505 555 0134 ext. 12",
        "+1 505 555 0134 ext 12",
        # The extension does not count towards the 15 digits, whatever its case.
        "+49 30 1234 5678 x 123456",
        "+49 30 1234 5678 X 123456",
        "+49 30 1234 5678 EXT. 123456",
    ],
)
def test_validate_phone_accepts_dialable_numbers(phone):
    validate_phone(phone)


@pytest.mark.parametrize(
    "phone",
    [
        "",
        "1234",
        "1234567890123456",
        "call me",
        "555-CALL-NOW",
        "++1 505 555 0134",
        "+1 505 555 0134 x",
        "+1 505 555 0134 x1234567",
        "505 555 0134 #2",
        "x 12345",
        "٥٠٥٥٥٥٠١٣٤",  # Arabic-Indic digits cannot be dialled from a tel: link everywhere
    ],
)
def test_validate_phone_refuses_the_rest(phone):
    with pytest.raises(ValidationError) as error:
        validate_phone(phone)
    assert error.value.code == "invalid_phone"
    assert "5 to 15 digits" in error.value.messages[0]


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/London", "Asia/Kolkata", "UTC"])
def test_validate_time_zone_accepts_tz_database_names(zone):
    validate_time_zone(zone)


@pytest.mark.parametrize(
    "zone", ["Mars/Olympus", "", "america/new_york", "EST5EDT ", "New York", "+02:00"]
)
def test_validate_time_zone_refuses_the_rest(zone):
    with pytest.raises(ValidationError) as error:
        validate_time_zone(zone)
    assert error.value.code == "unknown_time_zone"
    assert error.value.messages == [
        f"“{zone}” is not a time zone we know. Pick one from the list, "
        "for example America/New_York."
    ]


# -- Invitations -----------------------------------------------------------------------

NOW = datetime(2025, 6, 16, 14, 0, tzinfo=UTC)


@pytest.fixture
def newcomer(db) -> User:
    return User.objects.create_user(email="new@example.com", password="a long test password")


def test_an_invitation_stores_only_a_hash_of_its_token(family):
    with time_machine.travel(NOW, tick=False):
        invitation, token = Invitation.issue(family.household, Role.PARENT, family.parent, "Ruth")
    assert len(token) >= 40
    assert invitation.token_hash == hash_token(token)
    assert len(invitation.token_hash) == 64
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in {str(value) for value in stored.values()}
    assert invitation.expires_at == NOW + timedelta(days=settings.INVITATION_DAYS)
    assert (invitation.role, invitation.invitee, invitation.created_by) == (
        Role.PARENT,
        "Ruth",
        family.parent,
    )
    # Each invitation gets its own token.
    _other, other_token = Invitation.issue(family.household, Role.PARENT, family.parent)
    assert other_token != token


def test_find_pending_needs_the_token_itself(family):
    invitation, token = Invitation.issue(family.household, Role.CAREGIVER, family.parent)
    assert Invitation.find_pending(token) == invitation
    assert Invitation.find_pending(invitation.token_hash) is None
    assert Invitation.find_pending(token[:-1]) is None
    assert Invitation.find_pending(token.upper()) is None
    assert Invitation.find_pending("") is None
    assert Invitation.find_pending("a" * 19) is None
    assert Invitation.find_pending(token + "x" * 100) is None
    assert invitation.status == "pending"


def test_accepting_makes_a_member_once(family, newcomer):
    invitation, token = Invitation.issue(family.household, Role.CAREGIVER, family.parent)
    with time_machine.travel(NOW, tick=False):
        membership = invitation.accept(newcomer)
    assert (membership.household, membership.user, membership.role) == (
        family.household,
        newcomer,
        Role.CAREGIVER,
    )
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at) == (newcomer, NOW)
    assert invitation.status == "accepted"
    assert Invitation.find_pending(token) is None

    with pytest.raises(ValidationError, match="already been used or has expired"):
        invitation.accept(newcomer)
    with pytest.raises(ValidationError):
        invitation.accept(family.outsider)
    assert not Membership.objects.filter(user=family.outsider, household=family.household)
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer
    assert Membership.objects.filter(household=family.household, user=newcomer).count() == 1


def test_a_stale_copy_of_an_accepted_invitation_cannot_be_accepted_again(family, newcomer):
    _invitation, token = Invitation.issue(family.household, Role.PARENT, family.parent)
    first, second = Invitation.find_pending(token), Invitation.find_pending(token)
    first.accept(newcomer)
    with pytest.raises(ValidationError):
        second.accept(family.outsider)
    assert Membership.objects.in_household(family.household).count() == 3


def test_an_invitation_expires(family, newcomer):
    with time_machine.travel(NOW, tick=False) as traveller:
        invitation, token = Invitation.issue(family.household, Role.CAREGIVER, family.parent)
        traveller.move_to(invitation.expires_at - timedelta(seconds=1))
        assert Invitation.find_pending(token) == invitation
        assert invitation.status == "pending"
        traveller.move_to(invitation.expires_at)
        assert Invitation.find_pending(token) is None
        assert invitation.status == "expired"
        with pytest.raises(ValidationError):
            invitation.accept(newcomer)
    assert not Membership.objects.filter(user=newcomer).exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_revoked_invitation_cannot_be_used(family, newcomer):
    invitation, token = Invitation.issue(family.household, Role.PARENT, family.parent)
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=NOW)
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert Invitation.find_pending(token) is None
    assert invitation not in Invitation.objects.pending()
    with pytest.raises(ValidationError):
        invitation.accept(newcomer)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_parent_invitation_promotes_a_caregiver_but_never_demotes(family):
    invitation, _token = Invitation.issue(family.household, Role.PARENT, family.parent)
    membership = invitation.accept(family.caregiver)
    assert membership.role == Role.PARENT
    assert Membership.objects.get(user=family.caregiver, household=family.household).is_parent

    invitation, _token = Invitation.issue(family.household, Role.CAREGIVER, family.parent)
    membership = invitation.accept(family.parent)
    assert Membership.objects.get(user=family.parent, household=family.household).is_parent
    assert Membership.objects.in_household(family.household).count() == 2


# -- Members -------------------------------------------------------------------------


def test_is_last_parent(family):
    parent = Membership.objects.get(user=family.parent, household=family.household)
    carer = Membership.objects.get(user=family.caregiver, household=family.household)
    assert parent.is_last_parent()
    assert not carer.is_last_parent()
    # The outsider is a parent too, but of another household.
    assert Membership.objects.get(user=family.outsider).is_last_parent()

    carer.role = Role.PARENT
    carer.save()
    assert not parent.is_last_parent()
    assert not carer.is_last_parent()

    carer.delete()
    assert parent.is_last_parent()


# -- Other model rules ---------------------------------------------------------------


def test_medicine_times_must_match_as_needed():
    with pytest.raises(ValidationError) as error:
        Medicine(name="Drops", dose="2", times=[]).clean()
    assert error.value.message_dict == {
        "times": ["Give the times it is taken, or tick “as needed”."]
    }
    with pytest.raises(ValidationError) as error:
        Medicine(name="Drops", dose="2", as_needed=True).clean()
    assert "min_interval_hours" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        Medicine(
            name="Drops", dose="2", as_needed=True, times=["08:00"], min_interval_hours=4
        ).clean()
    assert "times" in error.value.message_dict
    Medicine(name="Drops", dose="2", as_needed=True, min_interval_hours=4).clean()
    medicine = Medicine(name="Drops", dose="2")
    medicine.set_times_from_text("7:30 pm, 8")
    medicine.clean()
    assert medicine.times == ["08:00", "19:30"]
    assert medicine.time_list == [time(8), time(19, 30)]


def test_a_food_that_is_not_an_allergy_loses_its_severity():
    food = Food(name="Pasta", kind=FoodKind.DISLIKE, severity="severe")
    food.clean()
    assert food.severity == ""
    with pytest.raises(ValidationError) as error:
        Food(name="Kiwi", kind=FoodKind.ALLERGY, what_to_do="  ").clean()
    assert set(error.value.message_dict) == {"severity", "what_to_do"}


@pytest.mark.django_db
def test_backups_are_numbered_in_the_order_they_join(family):
    household = family.household
    doctor = Contact(household=household, name="Dr Kim", email="k@example.com", roles=["doctor"])
    doctor.save()
    uncle = Contact(household=household, name="Uncle", phone="55501", roles=[ContactRole.BACKUP])
    uncle.save()
    assert (doctor.backup_order, family.contact.backup_order, uncle.backup_order) == (None, 1, 2)
    doctor.roles = ["doctor", ContactRole.BACKUP]
    doctor.save()
    assert doctor.backup_order == 3
    uncle.save()  # saving again keeps the place
    assert uncle.backup_order == 2
    family.contact.roles = []
    family.contact.save()
    assert family.contact.backup_order is None
    assert [c.name for c in Contact.objects.in_household(household).backups()] == [
        "Uncle",
        "Dr Kim",
    ]
    # Another household's phone tree starts at 1.
    theirs = Contact(household=family.other_household, name="Nan", phone="55501", roles=["backup"])
    theirs.save()
    assert theirs.backup_order == 1


def test_a_contact_needs_a_phone_or_an_email_and_known_roles():
    with pytest.raises(ValidationError) as error:
        Contact(name="Nobody").clean()
    assert error.value.message_dict == {"phone": ["Give a phone number or an email address."]}
    with pytest.raises(ValidationError) as error:
        Contact(name="Pilot", phone="55501", roles=["pilot"]).clean()
    assert error.value.message_dict == {"roles": ["Unknown role: pilot."]}
    Contact(name="Email only", email="a@example.com").clean()


# -- The day plan --------------------------------------------------------------------


def test_day_plan_merges_routines_and_medicine_times_in_time_order(family):
    child = family.child  # bedtime 19:30 every day; Vitamin D at 08:00
    Routine.objects.create(child=child, kind=RoutineKind.WAKE, time=time(7, 0))
    Routine.objects.create(
        child=child, kind=RoutineKind.DROP_OFF, time=time(8, 30), weekdays=SCHOOL_DAYS
    )
    Routine.objects.create(
        child=child,
        kind=RoutineKind.BATH,
        time=time(18, 30),
        every_n_days=2,
        starts_on=MONDAY,
    )
    Medicine.objects.create(
        child=child, name="Amoxicillin", dose="5 ml", times=["07:00", "13:00", "19:30"]
    )
    Medicine.objects.create(
        child=child, name="Ibuprofen", dose="4 ml", as_needed=True, min_interval_hours=6
    )

    monday = [(item.at, item.title, item.kind) for item in day_plan(child, MONDAY)]
    assert monday == [
        # At the same minute, the order is by kind, so it is the same every day.
        (time(7, 0), "Amoxicillin — 5 ml", "medicine"),
        (time(7, 0), "Wake up", "wake"),
        (time(8, 0), "Vitamin D — 1 gummy", "medicine"),
        (time(8, 30), "Daycare/school drop-off", "drop_off"),
        (time(13, 0), "Amoxicillin — 5 ml", "medicine"),
        (time(18, 30), "Bath", "bath"),
        (time(19, 30), "Bedtime", "bedtime"),
        (time(19, 30), "Amoxicillin — 5 ml", "medicine"),
    ]

    tuesday = [item.title for item in day_plan(child, MONDAY + timedelta(days=1))]
    assert "Bath" not in tuesday  # every other day
    assert "Daycare/school drop-off" in tuesday
    saturday = [item.title for item in day_plan(child, MONDAY + timedelta(days=5))]
    assert "Daycare/school drop-off" not in saturday
    assert "Bath" not in saturday
    assert not any("Ibuprofen" in title for title in monday + tuesday + saturday)


def test_day_plan_items_carry_their_steps_and_source(family):
    family.routine.notes = "Door ajar"
    family.routine.save()
    bedtime, vitamin = (
        next(item for item in day_plan(family.child, MONDAY) if item.kind == kind)
        for kind in ("bedtime", "medicine")
    )
    assert bedtime.steps == ["Two books", "Lights off"]
    assert bedtime.notes == "Door ajar"
    assert bedtime.routine == family.routine
    assert bedtime.medicine is None
    assert vitamin.medicine == family.medicine
    assert vitamin.routine is None


@pytest.mark.django_db
def test_day_plan_of_a_child_with_nothing_is_empty():
    household = Household.objects.create(name="New", time_zone="Europe/Paris")
    child = Child.objects.create(household=household, name="Ana", birth_date=date(2024, 1, 1))
    assert day_plan(child, MONDAY) == []
