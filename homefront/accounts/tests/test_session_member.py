"""On Redis, a signed-in request reads its session and its member in one round trip, and a
change to the member still shows on the very next request (test_member_cache.py runs
every such change on Redis too)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from homefront.conftest import Family
from homefront.households.models import Membership

PROFILE = reverse("households:profile")
# A database of the machine's Redis that no other test uses, so its commands can be told.
REDIS_DB = 8


@pytest.fixture(autouse=True)
def on_redis(settings: Any) -> Iterator[None]:
    settings.CACHES = {
        "default": {
            "BACKEND": "homefront.core.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "KEY_PREFIX": "homefront",
        }
    }
    cache.clear()
    yield
    cache.clear()


def redis_commands(during: Callable[[], Any]) -> list[str]:
    """The commands this test's Redis database received while `during` ran (MONITOR)."""
    monitor = subprocess.Popen(
        ["redis-cli", "-n", str(REDIS_DB), "monitor"], stdout=subprocess.PIPE, text=True
    )
    try:
        time.sleep(0.3)  # until MONITOR listens
        during()
        time.sleep(0.3)
    finally:
        monitor.terminate()
    out = monitor.communicate()[0]
    return [line.split('"')[1].upper() for line in out.splitlines() if f"[{REDIS_DB} " in line]


def test_the_session_and_its_member_are_read_in_one_round_trip(family: Family) -> None:
    client = family.client_for(family.parent)
    assert client.get(PROFILE).status_code == 200  # the member is kept with the session now
    commands = redis_commands(lambda: client.get(PROFILE))
    reads = [command for command in commands if command in {"GET", "MGET"}]
    assert reads[:1] == ["MGET"], commands
    assert "GET" not in reads, commands


def test_the_first_request_of_a_session_keeps_its_member_for_the_next(family: Family) -> None:
    client = family.client_for(family.parent)
    commands = redis_commands(lambda: client.get(PROFILE))
    assert "SADD" in commands, commands  # the session's key joins the user's set
    assert redis_commands(lambda: client.get(PROFILE)).count("SADD") == 0


def test_a_removed_caregiver_loses_the_household_though_kept_with_the_session(
    family: Family,
) -> None:
    carer = family.client_for(family.caregiver)
    assert carer.get(PROFILE).status_code == 200
    assert carer.get(PROFILE).status_code == 200  # read with the session now
    membership = Membership.objects.get(user=family.caregiver, household=family.household)
    commands = redis_commands(membership.delete)
    assert "SMEMBERS" in commands, commands  # the kept copies are found and dropped
    assert carer.get(PROFILE).status_code == 302, "a user with no household makes one"
