"""The API's photos: list a trip's, upload one, fetch one (display or thumbnail).

Added to the API's NinjaAPI once every app is ready (api/apps.py): the API builds on the
photos app, which knows nothing of the API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File
from ninja import Form
from ninja import Router
from ninja import Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from homefront.access import Action
from homefront.api.api import ERRORS
from homefront.api.api import Page
from homefront.api.api import _error
from homefront.api.api import _trips
from homefront.api.api import allowed
from homefront.api.api import scoped
from homefront.api.auth import ApiRequest
from homefront.api.auth import write
from homefront.journal.entries import Author
from homefront.photos import store
from homefront.photos.models import Photo
from homefront.photos.views import image_response

router = Router(tags=["photos"])


class PhotoOut(Schema):
    id: int
    uuid: UUID
    trip: int
    entry: UUID
    caption: str
    children: list[int]
    taken_at: datetime
    width: int
    height: int
    url: str
    thumbnail_url: str

    @staticmethod
    def resolve_trip(photo: Photo) -> int:
        return photo.trip_id

    @staticmethod
    def resolve_entry(photo: Photo) -> UUID:
        return photo.entry.uuid

    @staticmethod
    def resolve_children(photo: Photo) -> list[int]:
        return [child.pk for child in photo.children.all()]

    @staticmethod
    def resolve_url(photo: Photo) -> str:
        return reverse("api_v1:photo", args=[photo.pk])

    @staticmethod
    def resolve_thumbnail_url(photo: Photo) -> str:
        return reverse("api_v1:photo", args=[photo.pk]) + "?size=thumbnail"


def _photos() -> QuerySet[Photo]:
    return (
        Photo.objects.shown()
        .select_related("entry", "trip__household")
        .prefetch_related("children")
        .order_by("-taken_at", "-pk")
    )


@router.get("/trips/{pk}/photos", response={200: list[PhotoOut], **ERRORS}, url_name="photos")
@paginate(Page)
def list_photos(request: ApiRequest, pk: int) -> QuerySet[Photo]:
    trip = scoped(request, _trips(), pk)
    allowed(request, Action.READ_TRIP, trip)
    return _photos().filter(trip=trip)


@router.post(
    "/trips/{pk}/photos",
    response={200: PhotoOut, 201: PhotoOut, **ERRORS},
    auth=write,
    url_name="add_photo",
)
def add_photo(
    request: ApiRequest,
    pk: int,
    photo: File[UploadedFile | None] = None,
    uuid: Form[str] = "",
    caption: Form[str] = "",
    entry: Form[str] = "",
) -> Any:
    """One photo (JPEG, PNG, WebP or HEIC) as `multipart/form-data`, with the ids of the
    `children` it shows (the field repeated), stored once by its `uuid`; re-encoded
    without its metadata. 201 when stored, 200 when that uuid already holds these bytes,
    409 when it holds another photo."""
    trip = scoped(request, _trips(), pk)
    allowed(request, Action.LOG_JOURNAL, trip)
    if photo is None:
        return _error(request, 422, _("photo: send the photo as a file."))
    sent = store.Sent(
        uuid=uuid,
        upload=photo,
        caption=caption.strip(),
        # `children` may come several times; the form's list, read as the quick log reads it.
        children=[int(c) for c in request.POST.getlist("children") if c.isdecimal()],
        entry_uuid=entry,
    )
    outcome = store.store(trip, Author(user=request.auth.user), sent)
    if outcome.kept:
        return 201 if outcome.status == "stored" else 200, _photos().get(pk=outcome.photo.pk)  # type: ignore[union-attr]
    status = {"conflict": 409, "waiting": 409}.get(outcome.status, 422)
    detail = " ".join(outcome.errors.values())
    return _error(request, status, detail, errors={k: [v] for k, v in outcome.errors.items()})


@router.get("/photos/{pk}", response={200: None, 304: None, **ERRORS}, url_name="photo")
def get_photo(request: ApiRequest, pk: int, size: str = "display") -> HttpResponse:
    """The photo's JPEG bytes; `?size=thumbnail` for the small one. Sends an ETag."""
    found = scoped(request, _photos(), pk)
    allowed(request, Action.READ_TRIP, found.trip)
    return image_response(request, found)
