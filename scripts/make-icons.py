#!/usr/bin/env python3
"""Draws the app icons (icon-192.png, icon-512.png) from the shapes of icon.svg.

Standard library only: the shapes are polygons filled scanline by scanline with
4 sub-rows per pixel and exact horizontal coverage (smooth edges), and the PNG
is written with zlib and struct.

    python3 scripts/make-icons.py            # writes homefront/static/homefront/icon-*.png
"""

from __future__ import annotations

import math
import struct
import sys
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "homefront" / "static" / "homefront"
SIZES = (192, 512)
SUBROWS = 4

TEAL = (0x0F, 0x76, 0x6E)
WHITE = (0xFF, 0xFF, 0xFF)
AMBER = (0xF5, 0x9E, 0x0B)

Point = tuple[float, float]


def arc(cx: float, cy: float, r: float, start: float, end: float, steps: int) -> list[Point]:
    """Points along a circle from angle `start` to `end` (degrees, y down)."""
    return [
        (
            cx + r * math.cos(math.radians(start + (end - start) * i / steps)),
            cy + r * math.sin(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


# The shapes of icon.svg, in its 64 x 64 viewBox.
def rounded_square() -> list[Point]:
    # <rect width="64" height="64" rx="14"/>
    r, n = 14, 24
    return (
        arc(64 - r, r, r, -90, 0, n)
        + arc(64 - r, 64 - r, r, 0, 90, n)
        + arc(r, 64 - r, r, 90, 180, n)
        + arc(r, r, r, 180, 270, n)
    )


def house() -> list[Point]:
    # M12 31 32 14l20 17v19a2 2 0 0 1-2 2H38V38H26v14H14a2 2 0 0 1-2-2z
    return [
        (12, 31),
        (32, 14),
        (52, 31),
        *arc(50, 50, 2, 0, 90, 6),  # (52,50) round to (50,52)
        (38, 52),
        (38, 38),
        (26, 38),
        (26, 52),
        *arc(14, 50, 2, 90, 180, 6),  # (14,52) round to (12,50)
    ]


def dot() -> list[Point]:
    # <circle cx="32" cy="29" r="4"/>
    return arc(32, 29, 4, 0, 360, 48)[:-1]


def coverage(polygon: list[Point], size: int) -> list[list[float]]:
    """How much of each pixel the polygon covers, 0..1 (even-odd rule)."""
    scale = size / 64
    points = [(x * scale, y * scale) for x, y in polygon]
    edges = [(points[i], points[(i + 1) % len(points)]) for i in range(len(points))]
    rows = [[0.0] * size for _ in range(size)]
    weight = 1 / SUBROWS
    for py in range(size):
        row = rows[py]
        for sub in range(SUBROWS):
            y = py + (sub + 0.5) / SUBROWS
            xs = sorted(
                x0 + (y - y0) * (x1 - x0) / (y1 - y0)
                for (x0, y0), (x1, y1) in edges
                if (y0 <= y < y1) or (y1 <= y < y0)
            )
            for left, right in zip(xs[0::2], xs[1::2], strict=False):
                left, right = max(left, 0.0), min(right, float(size))
                if right <= left:
                    continue
                first, last = int(left), min(int(right), size - 1)
                if first == last:
                    row[first] += (right - left) * weight
                    continue
                row[first] += (first + 1 - left) * weight
                for px in range(first + 1, last):
                    row[px] += weight
                row[last] += (right - last) * weight
    return rows


def mix(under: tuple[float, ...], over: tuple[int, ...], amount: float) -> tuple[float, ...]:
    return tuple(u + (o - u) * amount for u, o in zip(under, over, strict=True))


def draw(size: int) -> bytes:
    square, home, amber = (coverage(shape(), size) for shape in (rounded_square, house, dot))
    raw = bytearray()
    for y in range(size):
        raw.append(0)  # filter: none
        for x in range(size):
            alpha = min(square[y][x], 1.0)
            colour: tuple[float, ...] = TEAL
            colour = mix(colour, WHITE, min(home[y][x], 1.0))
            colour = mix(colour, AMBER, min(amber[y][x], 1.0))
            raw.extend(round(c) for c in colour)
            raw.append(round(alpha * 255))
    return png(size, size, bytes(raw))


def png(width: int, height: int, rgba_rows: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rgba_rows, 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    for size in SIZES:
        path = OUT / f"icon-{size}.png"
        path.write_bytes(draw(size))
        print(f"wrote {path} ({path.stat().st_size:,} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
