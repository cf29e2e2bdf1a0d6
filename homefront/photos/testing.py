"""Real pictures made in code for the tests: a phone's JPEG with GPS and a turned
sensor, an iPhone's HEIC, a huge PNG. Shared by every app's photo tests."""

from __future__ import annotations

import io
import uuid
from typing import Any

from PIL import Image
from pillow_heif import from_pillow

# Where the test phone says the picture was taken: a position nobody may learn.
GPS_LATITUDE = (52.0, 31.0, 12.0)
ORIENTATION_TAG = 0x0112
GPS_IFD_TAG = 0x8825


def two_colour_picture(width: int = 600, height: int = 400) -> Image.Image:
    """Left half red, right half blue: after orientation 6 (turn clockwise), red is on top."""
    picture = Image.new("RGB", (width, height), (220, 30, 30))
    picture.paste((30, 30, 220), (width // 2, 0, width, height))
    return picture


def phone_jpeg(width: int = 600, height: int = 400, *, orientation: int = 6) -> bytes:
    """A JPEG as a phone held upright writes it: pixels stored sideways, EXIF
    orientation 6, a GPS position, the camera's make."""
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = orientation
    exif[0x010F] = "PhoneMaker"  # Make
    exif[GPS_IFD_TAG] = {1: "N", 2: GPS_LATITUDE, 3: "E", 4: (13.0, 24.0, 36.0)}
    out = io.BytesIO()
    two_colour_picture(width, height).save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def phone_heic(width: int = 600, height: int = 400) -> bytes:
    out = io.BytesIO()
    from_pillow(two_colour_picture(width, height)).save(out, quality=80)
    return out.getvalue()


def png_of(megapixels: float) -> bytes:
    """A plain PNG of that many pixels: small on disk, huge once decoded."""
    width = 10_000
    height = int(megapixels * 1_000_000 / width)
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, "PNG")
    return out.getvalue()


def animated_gif() -> bytes:
    frames = [Image.new("RGB", (50, 50), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


def animated_webp() -> bytes:
    frames = [Image.new("RGB", (50, 50), colour) for colour in ("red", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


class Rewinding(io.BytesIO):
    """A file for a test client's form, sent whole however many times the data is posted."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name

    def read(self, size: int | None = -1) -> bytes:
        self.seek(0)
        return super().read()


def store_photo_for(entry: Any, child: Any) -> Any:
    """A photo of `child` kept with `entry`, as an upload would keep it."""

    from homefront.photos.models import Photo
    from homefront.photos.processing import process_photo

    photo = Photo.objects.create_processed(
        process_photo(phone_jpeg()),
        entry,
        uuid=uuid.uuid4(),
        trip=entry.trip,
        caption="Raw currants",
        author=entry.author,
    )
    photo.children.set([child])
    return photo
