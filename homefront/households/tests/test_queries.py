"""Profile pages run a fixed number of queries, however many children there are."""

from __future__ import annotations

from datetime import date
from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import HouseNote
from homefront.households.models import Medicine
from homefront.households.models import Routine
from homefront.households.models import RoutineKind
from homefront.households.models import Severity
from homefront.testing.pages import query_counts

PAGES = ["/", "/profile/", "/glance/", "/today/"]


def add_children(family, count: int) -> None:
    for number in range(count):
        child = Child.objects.create(
            household=family.household, name=f"Child {number}", birth_date=date(2021, 1, 1 + number)
        )
        Routine.objects.create(child=child, kind=RoutineKind.WAKE, time=time(7, 0))
        Routine.objects.create(
            child=child, kind=RoutineKind.BEDTIME, time=time(19, 0), steps="Book\nSong"
        )
        Food.objects.create(child=child, name="Pasta", kind=FoodKind.LIKE)
        Food.objects.create(
            child=child,
            name="Sesame",
            kind=FoodKind.ALLERGY,
            severity=Severity.MODERATE,
            what_to_do="Antihistamine.",
        )
        Medicine.objects.create(child=child, name="Drops", dose="2", times=["08:00", "20:00"])
        Contact(
            household=family.household,
            name=f"Helper {number}",
            phone="+1 555 010 0000",
            roles=[ContactRole.BACKUP],
        ).save()
        HouseNote.objects.create(household=family.household, title=f"Note {number}", text="…")


@pytest.mark.parametrize("role", ["parent", "caregiver"])
def test_profile_pages_query_count_does_not_grow_with_children(family, role):
    client = family.client_for(getattr(family, role))
    Child.objects.all().delete()
    add_children(family, 1)
    with_one = query_counts(client, PAGES)
    assert Child.objects.count() == 1
    Child.objects.all().delete()
    add_children(family, 10)
    assert Child.objects.count() == 10
    with_ten = query_counts(client, PAGES)
    assert with_ten == with_one


def test_child_page_query_count_does_not_grow_with_routines(family):
    client = family.client_for(family.parent)
    url = f"/children/{family.child.pk}/"
    client.get(url)  # the member and session cached, as for every request after the first
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for hour in range(6, 21):
        Routine.objects.create(child=family.child, kind=RoutineKind.OTHER, time=time(hour, 15))
        Food.objects.create(child=family.child, name=f"Food {hour}", kind=FoodKind.LIKE)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
