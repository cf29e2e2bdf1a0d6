"""docs/home-assistant.md's YAML, field by field, against what Homefront sends: the REST
sensors' paths against GET /api/v1/now, and the automation's condition against a real
webhook as a receiver on 127.0.0.1 gets it."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from homefront.api.models import AccessToken
from homefront.api.models import Scope
from homefront.notify import webhooks
from homefront.notify.delivery import deliver_due
from homefront.notify.tests.receivers import WebhookReceiver
from homefront.testing.journal import logged
from homefront.testing.receivers import serving
from homefront.testing.trips import trip_to
from homefront.trips.models import Cover
from homefront.trips.models import Trip

RECIPE = Path(__file__).resolve().parents[3] / "docs" / "home-assistant.md"
NOW = datetime(2027, 1, 13, 2, 0, tzinfo=UTC)  # Tuesday 21:00 in New York
PATH = re.compile(r"\b(value_json|trigger\.json)((?:\.[a-z_]+)+)")


class HomeAssistantLoader(yaml.SafeLoader):
    """Home Assistant's YAML: `!secret name` reads secrets.yaml."""


HomeAssistantLoader.add_constructor("!secret", lambda loader, node: f"<secret {node.value}>")


def recipe_blocks() -> list[Any]:
    text = RECIPE.read_text()
    return [
        yaml.load(block, Loader=HomeAssistantLoader)  # noqa: S506 (a SafeLoader)
        for block in re.findall(r"```yaml\n(.*?)```", text, re.S)
    ]


def follow(data: Any, dotted: str) -> Any:
    for key in dotted.strip(".").split("."):
        assert isinstance(data, dict), f"{dotted}: {data!r} has no fields"
        assert key in data, f"{dotted}: no {key!r} in {sorted(data)}"
        data = data[key]
    return data


@pytest.fixture
def away(family) -> Trip:
    trip = trip_to(
        family, "Denver", "America/Denver", NOW - timedelta(days=1), NOW + timedelta(days=2)
    )
    Cover.objects.create(
        household=family.household, night=trip.nights_list[1], member=family.caregiver
    )
    return trip


def test_the_rest_sensors_read_fields_the_api_returns(family, frozen_time, away):
    logged(away, family.caregiver, "asleep", family.child, NOW - timedelta(minutes=30))
    _token, secret = AccessToken.issue(family.parent, family.household, "HA", Scope.READ)
    [rest] = [block["rest"] for block in recipe_blocks() if "rest" in block]
    [source] = rest
    assert source["resource"].endswith("/api/v1/now")
    assert source["headers"]["Authorization"] == "<secret homefront_token>"
    response = Client().get("/api/v1/now", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    now = response.json()
    assert now["tonight"] == {
        "night": "2027-01-12",
        "in_charge": "Cam Carer",
        "away": ["Pat Parent"],
        "uncovered": False,
    }
    assert (now["trip"]["state"], now["trip"]["destination"]) == ("away", "Denver")
    assert now["next_medicine"]["medicine"] == "Vitamin D"
    assert now["next_medicine"]["at"] == "2027-01-13T08:00:00-05:00"  # at home
    assert (now["last_entry"]["kind"], now["last_entry"]["children"]) == ("asleep", ["Maya"])

    sensors = source["sensor"] + source["binary_sensor"]
    assert len(sensors) == 5
    for sensor in sensors:
        paths = [path for _root, path in PATH.findall(sensor["value_template"])]
        assert paths, sensor["name"]
        for path in paths:
            follow(now, path)
        if "json_attributes_path" in sensor:
            attributes = follow(now, sensor["json_attributes_path"].removeprefix("$"))
            for name in sensor["json_attributes"]:
                assert name in attributes, f"{sensor['name']}: no {name!r}"


def test_the_automation_matches_the_webhook_homefront_posts(family, frozen_time, away, settings):
    settings.ALLOW_PRIVATE_TARGETS = True
    [automation] = [block for block in recipe_blocks() if "triggers" in block]
    [trigger] = automation["triggers"]
    assert trigger["trigger"] == "webhook"
    [condition] = automation["conditions"]
    template = condition["value_template"]
    wanted = dict(re.findall(r"trigger\.json((?:\.[a-z_]+)+) == '([a-z._]+)'", template))
    assert wanted == {".type": "entry.logged", ".data.kind": "asleep"}

    with serving(WebhookReceiver()) as receiver:
        path = f"/api/webhook/{trigger['webhook_id']}"
        _hook, receiver.secrets[path] = webhooks.add(
            family.household, "Home Assistant", receiver.url(path), [webhooks.Event.ENTRY_LOGGED]
        )
        for kind in ("asleep", "bath"):
            logged(away, family.caregiver, kind, family.child, NOW)
        deliver_due("worker", NOW)
    posted = [delivery.body for delivery in receiver.accepted]
    matching = [body for body in posted if all(follow(body, p) == v for p, v in wanted.items())]
    assert [body["data"]["kind"] for body in posted] == ["asleep", "bath"]
    assert [body["data"]["kind"] for body in matching] == ["asleep"]
