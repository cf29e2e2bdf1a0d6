"""Time standing still for a test: the `frozen_time` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine


@pytest.fixture
def frozen_time(request: pytest.FixtureRequest) -> Iterator[time_machine.Traveller]:
    """The clock stopped at the test module's NOW; the test may move it. A module whose
    every test happens at one moment says `pytestmark = pytest.mark.usefixtures(
    "frozen_time")`; a test beside a live server, which needs the real clock, does not
    ask for it."""
    with time_machine.travel(request.module.NOW, tick=False) as traveller:
        yield traveller
