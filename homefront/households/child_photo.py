"""A child's current photo on the profile: what a sitter shows a neighbour, a police
officer or a nurse when something goes wrong.

One photo per child, re-encoded by photos/processing.py (upright, no metadata), kept
in the database beside the child: it is small (two JPEGs, ~0.3 MB), every app server
reads it, and a backup or a household file carries it with the child. The bytes sit
in their own table so that loading a child never loads its photo; `Child.photo_updated_at`
says whether there is one and versions its URL.
"""

from __future__ import annotations

import base64
import hashlib
import io

from django.core.exceptions import ValidationError
from django.db import models
from django.db import transaction
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image
from PIL import UnidentifiedImageError

from homefront.households.models.child import Child
from homefront.photos.processing import CONTENT_TYPE
from homefront.photos.processing import ProcessedPhoto

# The photo changes rarely and its URL changes with it (?v=), but a parent who replaces
# it expects the new one at once on another device: revalidate after a minute.
MAX_AGE_SECONDS = 60


class ChildPhoto(models.Model):
    child = models.OneToOneField(Child, on_delete=models.CASCADE, related_name="photo")
    display = models.BinaryField()  # at most 1600 px: tap to see it large
    thumbnail = models.BinaryField()  # at most 400 px: the profile, the brief, the card
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, editable=False)
    updated_at = models.DateTimeField()

    class Meta:
        app_label = "households"

    def __str__(self) -> str:
        return f"Photo of {self.child}"

    def clean(self) -> None:
        """Only JPEGs made by processing reach the table; a household file's too."""
        for name in ("display", "thumbnail"):
            data = bytes(getattr(self, name) or b"")
            if not _is_plain_jpeg(data):
                raise ValidationError({name: _("This is not a photo Homefront made.")})
        self.sha256 = _digest(bytes(self.display), bytes(self.thumbnail))

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:32]}"'


def _digest(display: bytes, thumbnail: bytes) -> str:
    return hashlib.sha256(display + b"\0" + thumbnail).hexdigest()


def _is_plain_jpeg(data: bytes) -> bool:
    try:
        with Image.open(io.BytesIO(data)) as picture:
            return picture.format == "JPEG" and not picture.getexif()
    except (UnidentifiedImageError, OSError, ValueError):
        return False


def replace_photo(child: Child, processed: ProcessedPhoto) -> ChildPhoto:
    """The child's photo from now on; the one before is gone."""
    now = timezone.now()
    with transaction.atomic():
        photo, _created = ChildPhoto.objects.update_or_create(
            child=child,
            defaults={
                "display": processed.display,
                "thumbnail": processed.thumbnail,
                "width": processed.width,
                "height": processed.height,
                "sha256": _digest(processed.display, processed.thumbnail),
                "updated_at": now,
            },
        )
        Child.objects.filter(pk=child.pk).update(photo_updated_at=now)
    child.photo_updated_at = now
    return photo


def remove_photo(child: Child) -> None:
    with transaction.atomic():
        ChildPhoto.objects.filter(child=child).delete()
        Child.objects.filter(pk=child.pk).update(photo_updated_at=None)
    child.photo_updated_at = None


def attach_inline_thumbnails(children: list[Child]) -> None:
    """Sets `photo_src` on each child: its thumbnail as a data: URL, or "".

    For what must hold the photo itself: a PDF, a printed sheet, the brief a share link
    opens (and keeps offline). One query for all the children.
    """
    with_photo = [child.pk for child in children if child.photo_updated_at]
    thumbnails = dict(
        ChildPhoto.objects.filter(child_id__in=with_photo).values_list("child_id", "thumbnail")
        if with_photo
        else []
    )
    for child in children:
        data = thumbnails.get(child.pk)
        child.photo_src = (  # type: ignore[attr-defined]
            f"data:{CONTENT_TYPE};base64,{base64.b64encode(bytes(data)).decode()}" if data else ""
        )


def photo_response(request: HttpRequest, child: Child, *, small: bool) -> HttpResponse:
    """The photo's bytes, for a view that has asked the access policy: kept only by the
    browser (`private`), revalidated by its ETag, never sniffed into something else."""
    photo = (
        ChildPhoto.objects.filter(child=child)
        .only("sha256", "thumbnail" if small else "display")
        .first()
    )
    if photo is None:
        raise Http404("No photo.")
    etag = photo.etag if not small else photo.etag[:-1] + '-small"'
    if etag in _etags(request.headers.get("If-None-Match", "")):
        response = HttpResponse(status=304)
    else:
        data = bytes(photo.thumbnail if small else photo.display)
        response = HttpResponse(data, content_type=CONTENT_TYPE)
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={MAX_AGE_SECONDS}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
