"""What the photos tests share: time frozen on the second evening of the trip to Denver
(`trip`, homefront/testing/trips.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

NOW = datetime(2026, 11, 13, 1, 0, tzinfo=UTC)


@pytest.fixture
def frozen_time():
    with time_machine.travel(NOW, tick=False):
        yield
