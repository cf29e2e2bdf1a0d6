"""Ask once for what is shared: one form, a routine or a food for several children."""

from __future__ import annotations

from datetime import date
from datetime import time

import pytest
import time_machine
from django.urls import reverse

from homefront.households.models import Child
from homefront.households.models import Food
from homefront.households.models import Routine
from homefront.households.models import RoutineKind


@pytest.fixture
def noa(family) -> Child:
    return Child.objects.create(household=family.household, name="Noa", birth_date=date(2023, 3, 3))


def test_one_dinner_for_both_girls(family, noa):
    client = family.client_for(family.parent)
    url = reverse("households:routine_create", args=[family.child.pk])
    page = client.get(url).content.decode()
    assert "For</legend>" in page
    assert "---------" not in page

    response = client.post(
        url,
        {
            "children": [family.child.pk, noa.pk],
            "kind": "dinner",
            "time": "17:45",
            "weekdays": list(range(7)),
            "every_n_days": 1,
        },
    )

    assert response.status_code == 302
    dinners = Routine.objects.filter(kind=RoutineKind.DINNER).order_by("child__name")
    assert [(r.child.name, r.time) for r in dinners] == [
        ("Maya", time(17, 45)),
        ("Noa", time(17, 45)),
    ]


def test_an_allergy_for_both_with_no_severity_saves_nothing(family, noa):
    client = family.client_for(family.parent)
    url = reverse("households:food_create", args=[noa.pk])

    response = client.post(
        url, {"children": [noa.pk, family.child.pk], "name": "Sesame", "kind": "allergy"}
    )

    assert response.status_code == 422
    assert "How serious is this allergy?" in response.content.decode()
    assert not Food.objects.filter(name="Sesame").exists()


def test_no_child_ticked_is_a_clear_message(family, noa):
    client = family.client_for(family.parent)
    url = reverse("households:food_create", args=[noa.pk])
    response = client.post(url, {"name": "Rice", "kind": "like"})
    assert response.status_code == 422
    assert "Tick at least one child." in response.content.decode()
    assert not Food.objects.filter(name="Rice").exists()


def test_every_other_day_counts_from_today_unless_told(family):
    client = family.client_for(family.parent)
    url = reverse("households:routine_create", args=[family.child.pk])
    with time_machine.travel("2026-03-10 15:00Z", tick=False):
        response = client.post(
            url,
            {"kind": "bath", "time": "18:45", "weekdays": list(range(7)), "every_n_days": 2},
        )
    assert response.status_code == 302
    assert Routine.objects.get(kind=RoutineKind.BATH).starts_on == date(2026, 3, 10)


def test_an_only_child_gets_no_choice(family):
    client = family.client_for(family.parent)
    page = client.get(reverse("households:routine_create", args=[family.child.pk]))
    assert "For</legend>" not in page.content.decode()
