"""Turn an uploaded picture into the two JPEGs Homefront keeps: display and thumbnail.

The uploaded bytes are never stored or served. Every photo is decoded, turned
upright by its EXIF orientation, converted to sRGB, shrunk and re-encoded from
bare pixels, so nothing of the original file survives: no EXIF, no GPS, no
maker notes, no XMP, no ICC profile, no thumbnail hidden in a header.

Why JPEG and not WebP (measured on a 12 MP phone-like picture, Pillow 13):
encoding the 1600 px display takes ~5 ms as JPEG against 38–210 ms as WebP
(method 2 to 4), and a JPEG opens everywhere a photo has to go: the digest
email's inline images (Outlook on the desktop shows no WebP), the emergency
card PDF, and any program that reads an exported household file. WebP would
save about a quarter of the bytes; the quota is counted in re-encoded bytes, so
a family still fits thousands of photos (docs/architecture.md).
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image
from PIL import ImageCms
from PIL import ImageFile
from PIL import UnidentifiedImageError
from pillow_heif import register_heif_opener

register_heif_opener()

DISPLAY_PX = 1600
THUMBNAIL_PX = 400
CONTENT_TYPE = "image/jpeg"
# The formats a phone's camera or library hands over. MPO is what Pillow calls a
# camera JPEG carrying a second, smaller picture (depth map, preview): still one photo.
ACCEPTED_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}
_CHUNK = 256 * 1024
_SRGB = ImageCms.createProfile("sRGB")


class PhotoRefused(ValueError):
    """An upload Homefront will not keep; `message` is shown to the person who sent it."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ProcessedPhoto:
    display: bytes
    thumbnail: bytes
    width: int
    height: int
    thumbnail_width: int
    thumbnail_height: int
    # Of the uploaded bytes: a resend under the same id must carry the same picture.
    upload_sha256: str
    content_type: str = CONTENT_TYPE

    @property
    def stored_bytes(self) -> int:
        return len(self.display) + len(self.thumbnail)


def process_photo(upload: bytes | IO[bytes], *, household_bytes_used: int = 0) -> ProcessedPhoto:
    """The display and thumbnail JPEGs for `upload`, or PhotoRefused with a message to show.

    `household_bytes_used` is what the household's photos already take, for the quota.
    """
    quota = settings.PHOTO_HOUSEHOLD_QUOTA_BYTES
    if household_bytes_used >= quota:
        raise _over_quota()
    data = read_upload(upload)
    _refuse_what_is_not_a_photo(data)
    picture = _open(data)
    display = _upright_srgb(picture, DISPLAY_PX)
    thumbnail = display.copy()
    thumbnail.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX), Image.Resampling.LANCZOS)
    processed = ProcessedPhoto(
        display=_jpeg(display, quality=82),
        thumbnail=_jpeg(thumbnail, quality=78),
        width=display.width,
        height=display.height,
        thumbnail_width=thumbnail.width,
        thumbnail_height=thumbnail.height,
        upload_sha256=hashlib.sha256(data).hexdigest(),
    )
    if household_bytes_used + processed.stored_bytes > quota:
        raise _over_quota()
    return processed


def _over_quota() -> PhotoRefused:
    return PhotoRefused(
        _(
            "Your household's photo space is full. A parent can delete old photos "
            "to make room for new ones."
        ),
        code="quota",
    )


def read_upload(upload: bytes | IO[bytes]) -> bytes:
    """The upload's bytes, or PhotoRefused when there are none or more than the limit."""
    limit = settings.PHOTO_MAX_UPLOAD_BYTES
    if isinstance(upload, bytes | bytearray | memoryview):
        data = bytes(upload)
    else:
        # Read no further than one byte past the limit: a huge upload costs no memory.
        parts, size = [], 0
        while size <= limit:
            chunk = upload.read(min(_CHUNK, limit + 1 - size))
            if not chunk:
                break
            parts.append(chunk)
            size += len(chunk)
        data = b"".join(parts)
    if len(data) > limit:
        raise PhotoRefused(
            _("This photo is larger than %(limit)d MB. Please send a smaller one.")
            % {"limit": limit // (1024 * 1024)},
            code="too_large",
        )
    if not data:
        raise PhotoRefused(_("This file is empty. Please choose the photo again."), code="empty")
    return data


def _refuse_what_is_not_a_photo(data: bytes) -> None:
    """Name the usual wrong files (a drawing, a video) before Pillow is asked about them."""
    head = data[:1024].lstrip().lower()
    if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
        raise PhotoRefused(
            _("Drawings (SVG files) cannot be added. Please choose a photo."), code="svg"
        )
    if _is_video(data[:64]):
        raise PhotoRefused(_("Videos cannot be added yet. Please choose a photo."), code="video")


_VIDEO_BRANDS = {
    b"isom",
    b"iso2",
    b"mp41",
    b"mp42",
    b"qt  ",
    b"m4v ",
    b"3gp4",
    b"3gp5",
    b"3g2a",
    b"avc1",
    b"dash",
}
# HEIF brands that mean a sequence of pictures (a burst, a Live Photo's motion).
_IMAGE_SEQUENCE_BRANDS = {b"msf1", b"hevc", b"hevx", b"avis"}


def _is_video(head: bytes) -> bool:
    if head[4:8] == b"ftyp":
        return head[8:12] in _VIDEO_BRANDS | _IMAGE_SEQUENCE_BRANDS
    if head.startswith(b"\x1a\x45\xdf\xa3"):  # Matroska / WebM
        return True
    return head[:4] == b"RIFF" and head[8:12] == b"AVI "


def _open(data: bytes) -> Image.Image:
    not_a_photo = PhotoRefused(
        _(
            "This file is not a photo Homefront can read. "
            "Please choose a JPEG, PNG, WebP or HEIC photo."
        ),
        code="not_an_image",
    )
    max_pixels = settings.PHOTO_MAX_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            # Pillow only warns between the limit and twice the limit: refuse there too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            picture = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(max_pixels) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise not_a_photo from None
    if picture.format not in ACCEPTED_FORMATS:
        if getattr(picture, "is_animated", False):
            raise _animated()
        raise not_a_photo
    if picture.width * picture.height > max_pixels:
        raise _too_many_pixels(max_pixels)
    if picture.format != "MPO" and getattr(picture, "n_frames", 1) > 1:
        raise _animated()
    return picture


def _animated() -> PhotoRefused:
    return PhotoRefused(
        _("Moving pictures (animations, bursts) cannot be added. Please choose a single photo."),
        code="animated",
    )


def _too_many_pixels(max_pixels: int) -> PhotoRefused:
    return PhotoRefused(
        _(
            "This picture has more than %(megapixels)d million pixels, more than any phone "
            "camera takes. Please send a smaller copy."
        )
        % {"megapixels": max_pixels // 1_000_000},
        code="too_many_pixels",
    )


@contextmanager
def _whole_files_only() -> Iterator[None]:
    """WeasyPrint, once imported, has Pillow accept cut-off images in the whole process
    (its PDFs draw what they can); an upload cut off halfway must be refused instead.
    Only a PDF drawn in another thread at this very moment would see the strict setting,
    and the photos it draws are stored whole."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _upright_srgb(picture: Image.Image, longest_side: int) -> Image.Image:
    """Decoded at the smallest JPEG scale that still covers `longest_side`, turned
    upright, in sRGB, shrunk to fit: the pixels only, none of the file's metadata."""
    if picture.format in {"JPEG", "MPO"}:
        picture.draft("RGB", (longest_side, longest_side))
    try:
        orientation = picture.getexif().get(_ORIENTATION, 1)
        with _whole_files_only():
            picture.load()
        # Shrunk first, turned after: turning 1600 px costs less than turning 12 MP, and
        # the box is square, so which way is up does not change the size.
        picture.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
        upright = _turned(picture, orientation)
        return _as_srgb(upright, picture.info.get("icc_profile"))
    except (OSError, ValueError, SyntaxError):
        # A truncated upload (the connection dropped halfway) or a damaged file.
        raise PhotoRefused(
            _("This photo arrived incomplete or is damaged. Please send it again."),
            code="damaged",
        ) from None


_ORIENTATION = 0x0112
# EXIF orientation -> the turn that makes the picture upright (ImageOps.exif_transpose's).
_TURNS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _turned(picture: Image.Image, orientation: int) -> Image.Image:
    turn = _TURNS.get(orientation)
    return picture.transpose(turn) if turn is not None else picture


def _as_srgb(picture: Image.Image, icc_profile: bytes | None) -> Image.Image:
    if picture.mode in {"RGBA", "LA", "PA"} or (
        picture.mode == "P" and "transparency" in picture.info
    ):
        # Transparent parts become white, as on paper.
        rgba = picture.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        picture = Image.alpha_composite(background, rgba)
    rgb = picture.convert("RGB")
    if icc_profile:
        # A phone's wide-gamut (Display P3) colours, brought into sRGB so the
        # profile can be dropped without the colours going dull.
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(rgb, source, _SRGB, outputMode="RGB")
            if converted is not None:
                rgb = converted
        except (ImageCms.PyCMSError, OSError):
            pass  # an unreadable profile: keep the pixels as they are
    # A fresh image holds pixels only: no info dict, no EXIF, no profile travels on.
    return Image.frombytes("RGB", rgb.size, rgb.tobytes())


def _jpeg(picture: Image.Image, *, quality: int) -> bytes:
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def is_plain_jpeg(data: bytes) -> bool:
    """Whether `data` is a JPEG with no metadata, as this module makes them: what a
    household file may bring back."""
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return (
                picture.format == "JPEG"
                and not picture.getexif()
                and "icc_profile" not in picture.info
            )
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return False
