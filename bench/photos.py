"""Photos at the family scale, in-process: what `make bench` reports for issue 15.

    python -m bench.photos [--data bench/data/family] [--runs 10]

1. Processing a 12 MP phone JPEG (4032 × 3024, EXIF orientation 6 and a GPS position,
   ~3.5 MB of photo-like pixels) into the display and thumbnail JPEGs: median ms of
   `--runs`; the same for a 12 MP HEIC.
2. The away parent's Home and the trip's timeline with 1 and with 50 photos on the
   current trip of the seeded family (150,000 entries): queries and requests per second,
   one request at a time, each rendered anew (the conditional GET's kept pages are
   cleared before every request); and serving one photo (display and thumbnail).

It works on a copy of the family database (made by `python -m bench.run`), so the
seeded data stays as the page benchmarks expect it. Prints a table and one JSON line;
writes bench/photos-results.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "photos-results.json"
REQUESTS = 40


def phone_picture_12mp() -> Any:
    from PIL import Image
    from PIL import ImageFilter

    width, height = 4032, 3024
    gradient = Image.linear_gradient("L").resize((width, height))
    radial = Image.radial_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 40)
    picture = Image.merge("RGB", (gradient, radial, Image.blend(noise, gradient, 0.5)))
    picture = picture.filter(ImageFilter.GaussianBlur(1))
    return Image.blend(picture, Image.merge("RGB", (noise, noise, noise)), 0.15)


def timed_processing(runs: int) -> dict[str, Any]:
    from pillow_heif import from_pillow

    from homefront.photos import testing
    from homefront.photos.processing import process_photo

    picture = phone_picture_12mp()
    exif = picture.getexif()
    exif[testing.ORIENTATION_TAG] = 6
    exif[testing.GPS_IFD_TAG] = {1: "N", 2: testing.GPS_LATITUDE}
    jpeg = io.BytesIO()
    picture.save(jpeg, "JPEG", quality=92, exif=exif.tobytes())
    heic = io.BytesIO()
    from_pillow(picture).save(heic, quality=50)
    result: dict[str, Any] = {"jpeg_bytes": jpeg.tell(), "heic_bytes": heic.tell()}
    for name, data, count in (("jpeg", jpeg.getvalue(), runs), ("heic", heic.getvalue(), 1)):
        times = []
        for _ in range(count):
            started = time.perf_counter()
            processed = process_photo(data)
            times.append((time.perf_counter() - started) * 1000)
        result[f"{name}_ms"] = round(statistics.median(times), 1)
        result[f"{name}_stored_bytes"] = processed.stored_bytes
    return result


def add_photos(trip: Any, wanted: int) -> None:
    """Photos on the trip's latest entries until it has `wanted`, one processed picture
    stored again and again (the pages read rows, never the bytes)."""
    import uuid

    from homefront.households.versions import bump
    from homefront.journal.models import JournalEntry
    from homefront.photos import testing
    from homefront.photos.models import Photo
    from homefront.photos.processing import process_photo

    processed = process_photo(testing.phone_jpeg(1200, 900))
    have = Photo.objects.filter(trip=trip).count()
    entries = JournalEntry.objects.alive().filter(trip=trip).order_by("-occurred_at", "-pk")
    for entry in entries[have:wanted]:
        photo = Photo.objects.create_processed(processed, entry, uuid=uuid.uuid4(), trip=trip)
        photo.children.set(entry.children.all())
    bump(trip.household_id)  # as an upload in a request moves it: no page is kept stale


def measured(client: Any, path: str) -> dict[str, Any]:
    """Queries and requests per second of `path`, rendered anew each time: an address of
    its own (an unknown parameter) has no kept page, as after a write (bench/probe.py)."""
    from django.db import connection

    from bench.probe import QueryCounter
    from bench.probe import fresh

    client.get(path)
    queries = QueryCounter()
    with connection.execute_wrapper(queries):
        response = client.get(fresh(path, 0))
    assert response.status_code == 200, (path, response.status_code)
    started = time.perf_counter()
    for number in range(1, REQUESTS + 1):
        client.get(fresh(path, number))
    seconds = time.perf_counter() - started
    return {"queries": queries.count, "req_per_s": round(REQUESTS / seconds, 1)}


def pages(facts: dict[str, Any]) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from homefront.accounts.models import User
    from homefront.photos.models import Photo
    from homefront.trips.models import Trip

    trip = Trip.objects.get(pk=facts["current_trip"])
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(email=facts["email"]))
    home, timeline = reverse("core:home"), reverse("journal:timeline", args=[trip.pk])
    result: dict[str, Any] = {}
    for count in (1, 50):
        add_photos(trip, count)
        page = client.get(home).content.decode()
        result[f"home_{count}"] = measured(client, home) | {
            "thumbnails": page.count('class="photo-thumb"')
        }
        page = client.get(timeline).content.decode()
        result[f"timeline_{count}"] = measured(client, timeline) | {
            "thumbnails": page.count('class="photo-thumb"')
        }
    photo = Photo.objects.filter(trip=trip).first()
    assert photo is not None
    url = reverse("photos:photo", args=[photo.pk])
    result["photo_display"] = measured(client, url)
    result["photo_thumbnail"] = measured(client, url + "?size=thumbnail")
    return result


def copy_database(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("secret_key",):
        if (source / name).exists():
            shutil.copy(source / name, target / name)
    with (
        sqlite3.connect(source / "homefront.sqlite3") as live,
        sqlite3.connect(target / "homefront.sqlite3") as copy,
    ):
        live.backup(copy)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(PROJECT / "bench" / "data" / "family"))
    parser.add_argument("--runs", type=int, default=10)
    options = parser.parse_args()
    source = Path(options.data)
    facts_file = source / "seeded.json"
    if not facts_file.exists():
        raise SystemExit(f"No seeded family database in {source}: run `python -m bench.run` first.")
    facts = json.loads(facts_file.read_text())
    with tempfile.TemporaryDirectory(prefix="homefront-photos-bench-") as scratch:
        copy_database(source, Path(scratch))
        os.environ["HOMEFRONT_DATA_DIR"] = scratch
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
        os.environ["HOMEFRONT_LOG_LEVEL"] = "WARNING"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # the photos tables, if the seed predates them
        call_command("collectstatic", interactive=False, verbosity=0)
        result = {"processing": timed_processing(options.runs), "pages": pages(facts)}
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    processing, measured_pages = result["processing"], result["pages"]
    print(
        f"photos (family scale, in-process)\n"
        f"  12 MP JPEG ({processing['jpeg_bytes'] / 1e6:.1f} MB) → display + thumbnail: "
        f"{processing['jpeg_ms']} ms (median of {options.runs}); 12 MP HEIC: "
        f"{processing['heic_ms']} ms; kept {processing['jpeg_stored_bytes'] / 1e3:.0f} kB",
        file=sys.stderr,
    )
    for name in (
        "home_1",
        "home_50",
        "timeline_1",
        "timeline_50",
        "photo_display",
        "photo_thumbnail",
    ):
        row = measured_pages[name]
        print(
            f"  {name:<16} {row['req_per_s']:>7} req/s  {row['queries']:>3} queries",
            file=sys.stderr,
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
