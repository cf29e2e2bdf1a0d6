"""Fixtures shared by every app's tests.

`family` builds, in code, the household the tests act on: a parent, a
caregiver, and an outsider who is a parent of another household.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import time
from typing import Any

import pytest
from django.test import Client

from homefront.accounts.models import User
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import Household
from homefront.households.models import HouseNote
from homefront.households.models import Invitation
from homefront.households.models import Medicine
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.models import Routine
from homefront.households.models import RoutineKind
from homefront.households.models import Severity

# The helpers every app's tests share (homefront/testing/), their fixtures among them:
# `frozen_time`, the clock stopped at the module's NOW; `second`, a second parent;
# `trip`, the week in Denver; `smtp`, a real mail server; the browser journeys' Chromium,
# on a phone.
pytest_plugins = [
    "homefront.testing.clock",
    "homefront.testing.households",
    "homefront.testing.trips",
    "homefront.testing.receivers",
    "homefront.testing.browser",
]

# live_server runs Django in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def empty_cache(request: pytest.FixtureRequest) -> None:
    """Rate limits count in the cache; each test starts from none, and from no kept page
    (nor this process's copies of them). The cache is a table of the test database
    (settings.CACHES), so a test without a database has none."""
    from django.core.cache import cache

    from homefront.core import conditional

    names = request.fixturenames
    if "transactional_db" in names or "live_server" in names:
        request.getfixturevalue("transactional_db")
    elif "db" in names:
        request.getfixturevalue("db")
    elif request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")
    else:
        return
    cache.clear()
    conditional.nearby.clear()


class _EveryVersionMoves:
    """Tests make and change data with the ORM where a person would use a page, whose
    request moves its household's data version (households/versions.py). Here every
    write outside a request moves every household's, so no test reads a page kept from
    before it changed the data beneath it."""

    moving = False

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        from homefront.households.versions import in_request
        from homefront.households.versions import is_household_write

        result = execute(sql, params, many, context)
        if not self.moving and not in_request() and is_household_write(sql):
            self.moving = True
            try:
                with context["connection"].cursor() as cursor:
                    cursor.execute(
                        "UPDATE households_household SET data_version = data_version + 1"
                    )
            finally:
                self.moving = False
        return result


@pytest.fixture(autouse=True)
def writes_outside_requests_move_every_version() -> Iterator[None]:
    from django.db import connection

    with connection.execute_wrapper(_EveryVersionMoves()):
        yield


@dataclass
class Family:
    household: Household
    parent: User
    caregiver: User
    outsider: User
    other_household: Household
    child: Child
    routine: Routine
    allergy: Food
    medicine: Medicine
    contact: Contact
    note: HouseNote
    secret_note: HouseNote
    invitation: Invitation

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def make_user(email: str, name: str) -> User:
    return User.objects.create_user(email=email, password="a long test password", name=name)


@pytest.fixture
def family(db: None) -> Family:
    household = Household.objects.create(name="The Testers", time_zone="America/New_York")
    parent = make_user("parent@example.com", "Pat Parent")
    caregiver = make_user("carer@example.com", "Cam Carer")
    outsider = make_user("outsider@example.com", "Otto Outsider")
    Membership.objects.create(household=household, user=parent, role=Role.PARENT)
    Membership.objects.create(household=household, user=caregiver, role=Role.CAREGIVER)
    other = Household.objects.create(name="The Others", time_zone="Europe/London")
    Membership.objects.create(household=other, user=outsider, role=Role.PARENT)

    child = Child.objects.create(household=household, name="Maya", birth_date=date(2022, 5, 12))
    routine = Routine.objects.create(
        child=child, kind=RoutineKind.BEDTIME, time=time(19, 30), steps="Two books\nLights off"
    )
    allergy = Food.objects.create(
        child=child,
        name="Peanuts",
        kind=FoodKind.ALLERGY,
        severity=Severity.SEVERE,
        what_to_do="EpiPen, then call 911.",
    )
    medicine = Medicine.objects.create(
        child=child, name="Vitamin D", dose="1 gummy", times=["08:00"]
    )
    contact = Contact(
        household=household, name="Grandma", phone="+1 619 555 0187", roles=[ContactRole.BACKUP]
    )
    contact.save()
    note = HouseNote.objects.create(household=household, title="Wi-Fi", text="Password: moon")
    secret = HouseNote.objects.create(
        household=household, title="Alarm", text="Code 4815", sensitive=True
    )
    invitation, _token = Invitation.issue(household, Role.CAREGIVER, parent, "Sitter")
    return Family(
        household=household,
        parent=parent,
        caregiver=caregiver,
        outsider=outsider,
        other_household=other,
        child=child,
        routine=routine,
        allergy=allergy,
        medicine=medicine,
        contact=contact,
        note=note,
        secret_note=secret,
        invitation=invitation,
    )
