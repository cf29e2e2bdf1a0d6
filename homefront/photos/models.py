"""Photos of the kids: each hangs from a journal entry of a trip, its bytes in the database.

Why the database and not files (measured, docs/architecture.md): every app server
reads every photo through the connection it already has, a backup and `homefront
export` hold them with the rest, and a refused or cut-off upload leaves nothing
behind because the row and its bytes are one transaction.
"""

from __future__ import annotations

import hashlib
from typing import Any
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from homefront.handoff.models import ShareLink
from homefront.households.models import Child
from homefront.households.models import Household
from homefront.households.models import HouseholdScopedQuerySet
from homefront.journal.models import JournalEntry
from homefront.photos.processing import ProcessedPhoto
from homefront.photos.processing import is_plain_jpeg
from homefront.trips.models import Trip

CAPTION_LENGTH = 500
# What a photo's row keeps of what processing made of it (processing.ProcessedPhoto).
PROCESSED = (
    "width",
    "height",
    "thumbnail_width",
    "thumbnail_height",
    "stored_bytes",
    "upload_sha256",
)


class Size(models.TextChoices):
    DISPLAY = "display", _("Display")
    THUMBNAIL = "thumbnail", _("Thumbnail")


class PhotoQuerySet(HouseholdScopedQuerySet):
    household_path = "household"

    def shown(self) -> Self:
        """Photos of entries that are not deleted."""
        return self.filter(entry__deleted_at__isnull=True)

    def stored_bytes(self, household: Household) -> int:
        total = self.filter(household=household).aggregate(total=Sum("stored_bytes"))["total"]
        return int(total or 0)

    def create_processed(
        self, processed: ProcessedPhoto, entry: JournalEntry, **fields: Any
    ) -> Photo:
        """The photo of `entry` that processing made, with its two sizes' bytes."""
        photo: Photo = self.create(
            entry=entry,
            taken_at=entry.occurred_at,
            **{name: getattr(processed, name) for name in PROCESSED},
            **fields,
        )
        PhotoImage.objects.bulk_create(
            PhotoImage(photo=photo, size=size, data=data, sha256=hashlib.sha256(data).hexdigest())
            for size, data in (
                (Size.DISPLAY, processed.display),
                (Size.THUMBNAIL, processed.thumbnail),
            )
        )
        return photo


class Photo(models.Model):
    """One photo, as re-encoded on arrival; never the uploaded file.

    `uuid` is made on the phone that took it: a resend after a lost answer finds the
    photo stored, and the same id with other bytes is reported, not stored.
    """

    uuid = models.UUIDField(unique=True)
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="+", editable=False
    )
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="photos")
    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="photos")
    children = models.ManyToManyField(Child, related_name="photos", blank=True)
    caption = models.CharField(max_length=CAPTION_LENGTH, blank=True)
    taken_at = models.DateTimeField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumbnail_width = models.PositiveIntegerField()
    thumbnail_height = models.PositiveIntegerField()
    stored_bytes = models.PositiveIntegerField()
    upload_sha256 = models.CharField(max_length=64)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    share_link = models.ForeignKey(
        ShareLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["taken_at", "pk"]
        indexes = [models.Index(fields=["household", "-taken_at"])]

    def __str__(self) -> str:
        return self.caption or f"Photo {self.uuid}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.household_id:
            self.household_id = self.trip.household_id
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class PhotoImage(models.Model):
    """The bytes of one size of a photo, apart from the photo's row, so that lists of
    photos never read them."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="images")
    size = models.CharField(max_length=16, choices=Size.choices)
    data = models.BinaryField()
    # The ETag: a photo's bytes never change, so its hash is read, never computed again.
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["photo", "size"], name="photo_image_one_per_size")
        ]

    def __str__(self) -> str:
        return f"{self.photo_id} {self.size}"

    def clean(self) -> None:
        """Only JPEGs made by processing are kept: a household file's are checked too."""
        data = bytes(self.data or b"")
        if not is_plain_jpeg(data):
            raise ValidationError({"data": _("This is not a photo Homefront made.")})
        self.sha256 = hashlib.sha256(data).hexdigest()
