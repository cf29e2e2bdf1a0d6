"""The demo household: the family of Homefront's founding story.

A mother, the primary caretaker, takes her first long trip away; the father,
who travels for work a few times a month, covers; their daughters are 4½ and 3
(children.py). What is only data (the phone tree, the house notes, the mother's trips)
is in household.toml. `the_levins` builds its people and daughters, all of them for
`load_demo`, and the few each browser journey needs for the journey.
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from homefront.accounts.models import User
from homefront.demo.children import add_girl
from homefront.households.measurements import Units
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import Household
from homefront.households.models import HouseNote
from homefront.households.models import Membership
from homefront.households.models import Role

DEMO_HOUSEHOLD_NAME = "The Levins (demo)"
DEMO_PEOPLE = [
    ("rachel@demo.homefront.invalid", "Rachel Levin", Role.PARENT),
    ("david@demo.homefront.invalid", "David Levin", Role.PARENT),
    ("judy@demo.homefront.invalid", "Judy Stern", Role.CAREGIVER),
]
DEMO_PHONES = {
    "rachel@demo.homefront.invalid": "+1 617 555 0111",
    "david@demo.homefront.invalid": "+1 617 555 0112",
    "judy@demo.homefront.invalid": "+1 619 555 0187",
}
RACHEL, DAVID, JUDY = (email for email, _name, _role in DEMO_PEOPLE)
HOME: dict[str, Any] = tomllib.loads(
    Path(__file__).with_name("household.toml").read_text(encoding="utf-8")
)


def DEMO_LOGINS_FILE() -> Path:
    return Path(settings.DATA_DIR) / "demo-logins.txt"


def new_demo_household(**fields: Any) -> Household:
    """The Levins' household, with nobody in it yet; `fields` change what differs."""
    home = {"name": DEMO_HOUSEHOLD_NAME, "time_zone": "America/New_York", "units": Units.US}
    return Household.objects.create(**{**home, **fields})


def add_demo_member(household: Household, email: str, password: str) -> User:
    """One of DEMO_PEOPLE, in `household` with the role the story gives them."""
    name, role = next((name, role) for known, name, role in DEMO_PEOPLE if known == email)
    user = User.objects.create_user(
        email=email, password=password, name=name, phone=DEMO_PHONES[email], time_zone=""
    )
    Membership.objects.create(household=household, user=user, role=role)
    return user


@dataclass
class Levins:
    """What `the_levins` built: the household, its members by email, the daughters."""

    household: Household
    members: dict[str, User]  # by email
    girls: list[Child]

    @property
    def rachel(self) -> User:
        return self.members[RACHEL]

    @property
    def david(self) -> User:
        return self.members[DAVID]

    @property
    def maya(self) -> Child:
        return self.girls[0]


def the_levins(
    password: str,
    *,
    people: Sequence[str] = (RACHEL, DAVID, JUDY),
    girls: Sequence[str] = ("Maya", "Noa"),
    **household: Any,
) -> Levins:
    """The demo's household with the people and daughters named, each girl with her
    profile; `household` changes what differs from the demo's home (its time zone)."""
    home = new_demo_household(**household)
    return Levins(
        household=home,
        members={email: add_demo_member(home, email, password) for email in people},
        girls=[add_girl(home, name) for name in girls],
    )


@transaction.atomic
def load_demo(out: Any) -> Household:
    # A fresh random password per installation: the demo has no shared
    # default credential, and the logins are printed, never hidden.
    password = secrets.token_urlsafe(9)
    levins = the_levins(password)
    household = levins.household
    add_demo_contacts(household)
    _add_demo_trips(household, levins.rachel, levins.david)
    logins = "\n".join(
        [
            f"Demo household “{DEMO_HOUSEHOLD_NAME}” is loaded. Log in as:",
            *(f"  {name:<14} {email}  ({role})" for email, name, role in DEMO_PEOPLE),
            f"  password for all three: {password}",
            "",
        ]
    )
    login_file = DEMO_LOGINS_FILE()
    login_file.parent.mkdir(parents=True, exist_ok=True)
    login_file.touch(mode=0o600)
    login_file.write_text(logins, encoding="utf-8")
    out.write(logins)
    return household


def add_demo_contacts(household: Household) -> None:
    """The phone tree, in its order, and the house notes, as household.toml has them."""
    for contact in HOME["contacts"]:
        # One by one: save() numbers the phone tree in this order.
        Contact.objects.create(household=household, **contact)
    HouseNote.objects.bulk_create(
        HouseNote(household=household, **note) for note in HOME["house_notes"]
    )


def _add_demo_trips(household: Household, mother: User, father: User) -> None:
    """The story's trip and two shorter ones before it (1, 2, 3 nights), and the
    father's next work trip."""
    from homefront.trips.models import Trip
    from homefront.trips.models import TripKind

    zone = household.zone
    today = household.today()
    # "Two weeks ago": the Thursday two to three weeks back.
    story_thursday = today - timedelta(days=14 + (today.weekday() - 3) % 7)

    def at(day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=zone)

    def trip(traveller: User, leaves: datetime, back: datetime, **fields: Any) -> Trip:
        return Trip.objects.create(
            household=household, traveller=traveller, starts_at=leaves, ends_at=back, **fields
        )

    mothers = []
    for row in HOME["mothers_trips"]:
        fields = dict(row)
        leaves_on = story_thursday - timedelta(weeks=fields.pop("weeks_before_story"))
        back_on = leaves_on + timedelta(days=fields.pop("nights"))
        leaves, back = at(leaves_on, fields.pop("leaves")), at(back_on, fields.pop("back"))
        mothers.append(trip(mother, leaves, back, **fields))
    story = mothers[-1]
    for past in mothers:
        _prepared_as_in_the_story(past, comfort=past is story)
    from homefront.handoff.models import ShareLink

    ShareLink.issue(story, mother, label="Grandma Judy", days_before=2, days_after=1)
    _journal_of_the_story(story, father)
    from homefront.debrief.models import BackToRoutine
    from homefront.debrief.models import Reflection

    Reflection.objects.create(
        trip=story,
        traveller_felt=(
            "Four days of anxious preparation before, and then I slept like a stone. "
            "Nourished, rested, ready to re-engage."
        ),
        kids_did="Fine. No baths, raw currants, nobody needed the presents or the cards.",
        back_to_routine=BackToRoutine.MINUTES,
        next_time="Skip the shopping, the presents and the tidying. Two nights away in November.",
        updated_by=mother,
    )
    # Far enough ahead for a calm prep plan: the Tuesday of next week.
    next_tuesday = today + timedelta(days=(1 - today.weekday()) % 7 + 7)
    trip(
        father,
        at(next_tuesday, time(6)),
        at(next_tuesday + timedelta(days=2), time(20)),
        destination="Chicago",
        destination_zone="America/Chicago",
        kind=TripKind.WORK,
        notes="Client visit. Back Thursday evening.",
    )


UNNEEDED_IN_THE_STORY = {"Comfort notes or small presents for the kids", "Tidy up the house"}


def _prepared_as_in_the_story(trip: Any, *, comfort: bool) -> None:
    """Prep made four days ahead and all done; the presents, cards and tidying
    turned out not to be needed."""
    from homefront.prep.models import Category
    from homefront.prep.models import PrepTask
    from homefront.prep.models import Who
    from homefront.prep.planning import plan_trip

    departure = trip.local_start.date()
    plan_trip(trip, today=departure - timedelta(days=4))
    if comfort:
        nights = trip.nights_list
        # The traveller's comfort tasks: what, how many days before leaving, and when for.
        comfort_tasks = [
            ("A card for each girl, to read on Friday at bedtime", 2, {"comfort_night": nights[1]}),
            (
                "Small presents and new books, for when they miss me",
                3,
                {"comfort_when_missed": True},
            ),
        ]
        PrepTask.objects.bulk_create(
            PrepTask(
                trip=trip,
                title=title,
                category=Category.COMFORT,
                due_on=departure - timedelta(days=days_before),
                who=Who.TRAVELLER,
                **when_for,
            )
            for title, days_before, when_for in comfort_tasks
        )
    done_at = datetime.combine(departure, time(7, 0), tzinfo=trip.household.zone)
    tasks = list(trip.prep_tasks.all())
    for task in tasks:
        task.done_at = done_at
        task.needed = not (
            task.title in UNNEEDED_IN_THE_STORY
            or (task.category == Category.COMFORT and not task.essential)
        )
    PrepTask.objects.bulk_update(tasks, ["done_at", "needed"])
    trip.packing_items.update(packed=True)


def _journal_of_the_story(trip: Any, father: User) -> None:
    """What the father logged: meals, raw currants tried by both girls, no bath in
    four days, bedtimes, and the cards and presents never needed."""
    import uuid as uuid_module

    from homefront.journal.models import EntryChange
    from homefront.journal.models import JournalEntry
    from homefront.journal.models import Kind

    zone = trip.household.zone
    girls = list(trip.household.children.order_by("birth_date"))
    first = trip.local_start.date()
    rows: list[tuple[int, int, int, str, dict[str, str], str, list[Any]]] = []
    for offset in range(4):
        if offset:  # the first morning was still with mum
            rows.append(
                (offset, 7, 20, Kind.MEAL, {"what": "oatmeal", "amount": "most"}, "", girls)
            )
        rows.append((offset, 17, 50, Kind.MEAL, {"what": "pasta", "amount": "all"}, "", girls))
        if offset < 3:
            rows.append((offset, 19, 5, Kind.ASLEEP, {}, "", girls[1:]))
            rows.append((offset, 19, 40, Kind.ASLEEP, {}, "", girls[:1]))
    rows += [
        (
            1,
            16,
            0,
            Kind.NEW_FOOD,
            {"food": "raw currants", "liked": "yes"},
            "Both asked for more!",
            girls,
        ),
        (0, 18, 30, Kind.CALL, {"minutes": "10"}, "Called mum before bed.", girls),
        (
            1,
            18,
            45,
            Kind.MISSED_PARENT,
            {},
            "Noa asked where mum is; we looked at the calendar.",
            girls[1:],
        ),
        (
            2,
            2,
            15,
            Kind.WOKE,
            {"when": "night"},
            "Bad dream, back asleep in 10 minutes.",
            girls[1:],
        ),
        (2, 10, 0, Kind.MOOD, {"mood": "happy"}, "Playground all morning.", girls),
        (3, 12, 30, Kind.NOTE, {}, "Skipped baths again, nobody minded.", girls),
    ]
    vitamin = girls[0].medicines.filter(name="Vitamin D").first()
    for offset in range(4):
        rows.append((offset, 8, 5, Kind.MEDICINE, {}, "", girls[:1]))
    for offset, hour, minute, kind, details, text, children in rows:
        entry = JournalEntry.objects.create(
            medicine=vitamin if kind == Kind.MEDICINE else None,
            uuid=uuid_module.uuid4(),
            trip=trip,
            kind=kind,
            occurred_at=datetime.combine(
                first + timedelta(days=offset), time(hour, minute), tzinfo=zone
            ),
            details=details,
            text=text,
            author=father,
            content_hash="demo",
        )
        entry.children.set(children)
        EntryChange.objects.create(
            entry=entry,
            action=EntryChange.Action.CREATED,
            by_name=str(father),
            after=entry.snapshot(),
        )
