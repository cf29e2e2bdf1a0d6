"""The API's photos: upload once by uuid, list a trip's, fetch the JPEG with its ETag."""

from __future__ import annotations

import io
import uuid

import pytest
from django.test import Client
from PIL import Image

from homefront.api.models import AccessToken
from homefront.api.models import Scope
from homefront.photos import testing
from homefront.photos.models import Photo
from homefront.photos.tests.conftest import NOW  # noqa: F401 (frozen_time's)

pytestmark = pytest.mark.usefixtures("frozen_time")


def api_client(family, user=None, scope=Scope.WRITE) -> Client:
    secret = AccessToken.issue(user or family.parent, family.household, "Test", scope)[1]
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, trip, data: bytes, photo_uuid: str, family):
    return client.post(
        f"/api/v1/trips/{trip.pk}/photos",
        {
            "photo": testing.Rewinding(data, "IMG.HEIC"),
            "uuid": photo_uuid,
            "children": [family.child.pk],
            "caption": "At the lake",
        },
    )


def test_upload_list_and_fetch(family, trip):
    client = api_client(family)
    photo_uuid = str(uuid.uuid4())
    created = send(client, trip, testing.phone_heic(), photo_uuid, family)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["uuid"] == photo_uuid
    assert body["children"] == [family.child.pk]
    assert body["caption"] == "At the lake"

    again = send(client, trip, testing.phone_heic(), photo_uuid, family)
    assert again.status_code == 200
    other = send(client, trip, testing.phone_jpeg(), photo_uuid, family)
    assert other.status_code == 409
    assert "different photo" in other.json()["detail"]
    refused = send(client, trip, b"just text, named .HEIC" * 20, str(uuid.uuid4()), family)
    assert refused.status_code == 422
    assert "not a photo" in refused.json()["detail"]
    assert Photo.objects.count() == 1

    listed = client.get(f"/api/v1/trips/{trip.pk}/photos").json()
    assert listed["count"] == 1
    [item] = listed["items"]
    thumbnail = client.get(item["thumbnail_url"])
    assert thumbnail.status_code == 200
    assert Image.open(io.BytesIO(thumbnail.content)).format == "JPEG"
    assert (
        client.get(item["thumbnail_url"], headers={"If-None-Match": thumbnail["ETag"]}).status_code
        == 304
    )


def test_a_read_token_uploads_nothing(family, trip):
    response = send(
        api_client(family, scope=Scope.READ), trip, testing.phone_jpeg(), str(uuid.uuid4()), family
    )
    assert response.status_code == 403
    assert not Photo.objects.exists()
