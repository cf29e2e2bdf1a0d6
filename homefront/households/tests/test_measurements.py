"""A child's weight and height: typed in the household's units, kept metric, shown in both."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from homefront.households import measurements
from homefront.households.measurements import Units
from homefront.households.models import Child
from homefront.households.models import Household

NOW = datetime(2026, 11, 10, 15, 0, tzinfo=UTC)  # 10:00 in New York

pytestmark = pytest.mark.usefixtures("frozen_time")


def edit(client, child: Child, **values: str):
    data = {"name": child.name, "birth_date": child.birth_date.isoformat(), **values}
    return client.post(reverse("households:child_edit", args=[child.pk]), data)


def test_a_us_household_types_pounds_and_inches_and_both_are_shown(family):
    Household.objects.filter(pk=family.household.pk).update(units=Units.US)
    client = family.client_for(family.parent)

    response = edit(client, family.child, weight="36.5", height="41", measured_on="2026-11-02")

    assert response.status_code == 302
    family.child.refresh_from_db()
    assert family.child.weight_grams == 16556  # 36.5 lb
    assert family.child.height_mm == 1041  # 41 in
    assert family.child.measured_on == date(2026, 11, 2)
    page = client.get(reverse("households:child", args=[family.child.pk])).content.decode()
    assert "36.5 lb (16.6 kg)" in page
    assert "3 ft 5 in (104.1 cm)" in page
    assert "2 Nov 2026" in page
    # The form shows back what was typed, in pounds.
    form = client.get(reverse("households:child_edit", args=[family.child.pk])).content.decode()
    assert 'name="weight" value="36.5"' in form


def test_a_metric_household_types_kilograms_and_centimetres(family):
    Household.objects.filter(pk=family.household.pk).update(units=Units.METRIC)
    client = family.client_for(family.parent)

    edit(client, family.child, weight="16.3", height="104.5", measured_on="2026-11-02")

    family.child.refresh_from_db()
    assert (family.child.weight_grams, family.child.height_mm) == (16300, 1045)
    page = client.get(reverse("households:child", args=[family.child.pk])).content.decode()
    assert "16.3 kg (35.9 lb)" in page
    assert "104.5 cm (3 ft 5 in)" in page


def test_a_weight_without_a_date_was_measured_today(family):
    client = family.client_for(family.parent)

    assert edit(client, family.child, weight="16").status_code == 302

    family.child.refresh_from_db()
    assert family.child.measured_on == date(2026, 11, 10)


@pytest.mark.parametrize(
    ("units", "values", "field", "message"),
    [
        (Units.US, {"weight": "365"}, "weight", "a child weighs between 1.1 and 330.7 lb"),
        (Units.METRIC, {"weight": "0.2"}, "weight", "a child weighs between 0.5 and 150 kg"),
        (Units.METRIC, {"height": "1.04"}, "height", "a child measures between 30 and 220 cm"),
        (Units.US, {"height": "410"}, "height", "a child measures between 12 and 87 inches"),
        (
            Units.METRIC,
            {"weight": "16", "measured_on": "2026-12-01"},
            "measured_on",
            "A measurement cannot be in the future.",
        ),
        (
            Units.METRIC,
            {"weight": "16", "measured_on": "2020-01-01"},
            "measured_on",
            "This date is before the child was born.",
        ),
        (Units.METRIC, {"weight": "sixteen"}, "weight", "Enter a number."),
    ],
    ids=["pounds", "kilograms", "metres-not-cm", "inches", "future", "before-birth", "words"],
)
def test_a_measurement_out_of_range_is_refused_next_to_its_field(
    family, units, values, field, message
):
    Household.objects.filter(pk=family.household.pk).update(units=units)
    client = family.client_for(family.parent)

    response = edit(client, family.child, notes="Changed", **values)

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}_errors"' in html or f'aria-describedby="id_{field}_errors"' in html
    family.child.refresh_from_db()
    assert family.child.weight_grams is None
    assert family.child.height_mm is None
    assert family.child.notes == ""  # nothing partial saved


def test_clearing_the_weight_and_height_clears_the_date(family):
    client = family.client_for(family.parent)
    edit(client, family.child, weight="16", height="104", measured_on="2026-11-01")

    edit(client, family.child, weight="", height="", measured_on="2026-11-01")

    family.child.refresh_from_db()
    assert (family.child.weight_grams, family.child.height_mm, family.child.measured_on) == (
        None,
        None,
        None,
    )


def test_the_household_chooses_its_units_in_the_settings(family):
    client = family.client_for(family.parent)
    data = {"name": "The Testers", "time_zone": "America/New_York", "prep_tasks_per_day": "3"}

    response = client.post(reverse("households:settings"), data | {"units": "us"})

    assert response.status_code == 302
    family.household.refresh_from_db()
    assert family.household.units == Units.US


@pytest.mark.parametrize(
    ("zone", "units"),
    [
        ("America/Chicago", Units.US),
        ("America/Indiana/Indianapolis", Units.US),
        ("Pacific/Honolulu", Units.US),
        ("America/Mexico_City", Units.METRIC),
        ("America/Toronto", Units.METRIC),
        ("Europe/Madrid", Units.METRIC),
        ("Asia/Jerusalem", Units.METRIC),
    ],
)
def test_a_new_household_starts_with_the_units_of_where_it_lives(db, zone, units, client):
    from homefront.accounts.models import User

    user = User.objects.create_user(email="new@example.com", password="a long test password")
    client.force_login(user)

    client.post(reverse("households:create"), {"name": "New", "time_zone": zone})

    assert Household.objects.get(name="New").units == units


def test_labels_round_and_convert_as_a_parent_reads_them():
    assert measurements.weight_label(16556, Units.US) == "36.5 lb (16.6 kg)"
    assert measurements.weight_label(16000, Units.METRIC) == "16 kg (35.3 lb)"
    assert measurements.height_label(1041, Units.US) == "3 ft 5 in (104.1 cm)"
    assert measurements.height_label(600, Units.METRIC) == "60 cm (2 ft 0 in)"
    assert measurements.height_label(280, Units.US) == "11 in (28 cm)"
    assert measurements.grams_from(Decimal("36.5"), Units.US) == 16556
    assert measurements.weight_in(16556, Units.US) == Decimal("36.5")


def test_the_api_gives_the_measurements_metric(family):
    from homefront.api.models import AccessToken
    from homefront.api.models import Scope

    Household.objects.filter(pk=family.household.pk).update(units=Units.US)
    Child.objects.filter(pk=family.child.pk).update(
        weight_grams=16556, height_mm=1041, measured_on=date(2026, 10, 1)
    )
    _token, secret = AccessToken.issue(family.parent, family.household, "Test", Scope.READ)

    response = family.client_for(family.parent).get(
        f"/api/v1/children/{family.child.pk}", headers={"Authorization": f"Bearer {secret}"}
    )

    assert response.status_code == 200
    child = response.json()
    assert (child["weight_grams"], child["height_mm"]) == (16556, 1041)
    assert child["measured_on"] == "2026-10-01"
    assert child["has_photo"] is False
