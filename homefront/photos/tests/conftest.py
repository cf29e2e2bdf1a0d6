"""What the photos tests share: the moment their clock (the shared `frozen_time`, which
reads a test module's NOW) stops at, the second evening of the trip to Denver (`trip`,
homefront/testing/trips.py)."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

NOW = datetime(2026, 11, 13, 1, 0, tzinfo=UTC)
