"""Small charts drawn on the server as SVG: no script, readable on a phone."""

from __future__ import annotations

from dataclasses import dataclass

from homefront.trips.models import Trip

WIDTH = 320
HEIGHT = 160
LEFT = 28
BOTTOM = 24
TOP = 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    nights: int
    label: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    ticks: list[tuple[float, int]]
    baseline: float
    left: int


def nights_chart(trips: list[Trip], limit: int = 24) -> Chart | None:
    """Nights away per trip, oldest on the left; the latest `limit` trips."""
    shown = trips[-limit:]
    if not shown:
        return None
    most = max(max(trip.nights for trip in shown), 1)
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / len(shown)
    bar_width = min(slot * 0.7, 36)
    bars = []
    for index, trip in enumerate(shown):
        height = plot_height * trip.nights / most
        bars.append(
            Bar(
                x=round(LEFT + index * slot + (slot - bar_width) / 2, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(bar_width, 1),
                height=round(height, 1),
                nights=trip.nights,
                label=f"{trip.local_start:%b ’%y}",
                title=f"{trip.traveller.get_short_name()}, {trip.local_start:%-d %b %Y}: "
                f"{trip.nights} night{'s' if trip.nights != 1 else ''}",
            )
        )
    step = max(1, most // 4)
    ticks = [
        (round(TOP + plot_height - plot_height * value / most, 1), value)
        for value in range(0, most + 1, step)
    ]
    return Chart(WIDTH, HEIGHT, bars, ticks, TOP + plot_height, LEFT)
