"""The child's own photo on the profile: added, changed, removed, and served only to those
the access policy lets read the profile."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from homefront.households.models import Child
from homefront.households.models import ChildPhoto
from homefront.photos.testing import GPS_IFD_TAG
from homefront.photos.testing import phone_heic
from homefront.photos.testing import phone_jpeg
from homefront.photos.testing import png_of


def upload(client: Client, child: Child, data: bytes, name: str = "kid.jpg") -> object:
    photo = SimpleUploadedFile(name, data, "image/jpeg")
    return client.post(reverse("households:child_photo_upload", args=[child.pk]), {"photo": photo})


def photo_url(child: Child, small: bool = False) -> str:
    return reverse("households:child_photo", args=[child.pk]) + ("?size=small" if small else "")


@pytest.fixture
def parent(family):
    return family.client_for(family.parent)


def test_a_parent_adds_a_photo_stored_upright_without_its_location(family, parent):
    response = upload(parent, family.child, phone_jpeg(600, 400, orientation=6))

    assert response.status_code == 302
    assert response["Location"] == reverse("households:child", args=[family.child.pk])
    stored = ChildPhoto.objects.get(child=family.child)
    family.child.refresh_from_db()
    assert family.child.photo_updated_at == stored.updated_at
    for data in (stored.display, stored.thumbnail):
        picture = Image.open(io.BytesIO(bytes(data)))
        assert picture.format == "JPEG"
        assert not picture.getexif()
        assert GPS_IFD_TAG not in picture.getexif()
        assert b"PhoneMaker" not in bytes(data)
        # Orientation 6 applied: the stored picture stands upright, red (left) on top.
        assert picture.height > picture.width
        top = picture.convert("RGB").getpixel((picture.width // 2, 5))
        assert top[0] > 150
        assert top[2] < 100
    page = parent.get(reverse("households:child", args=[family.child.pk])).content.decode()
    assert f'src="{photo_url(family.child, small=True)}&amp;v=' in page
    assert "Change the photo" in page


def test_a_heic_from_an_iphone_is_accepted(family, parent):
    assert upload(parent, family.child, phone_heic(), "IMG_0001.HEIC").status_code == 302
    assert ChildPhoto.objects.filter(child=family.child).exists()


def test_a_new_photo_replaces_the_old_one(family, parent):
    upload(parent, family.child, phone_jpeg(600, 400))
    first = ChildPhoto.objects.get(child=family.child).sha256
    upload(parent, family.child, phone_jpeg(800, 300, orientation=1))

    assert ChildPhoto.objects.filter(child=family.child).count() == 1
    assert ChildPhoto.objects.get(child=family.child).sha256 != first


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 not a picture at all", "This file is not a photo Homefront can read."),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "Drawings (SVG"),
        (png_of(50), "more than 49 million pixels"),
    ],
    ids=["renamed", "svg", "50-megapixel"],
)
def test_what_is_not_a_photo_is_refused_next_to_the_field_and_nothing_is_kept(
    family, parent, data, message
):
    response = upload(parent, family.child, data)

    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert not ChildPhoto.objects.exists()
    family.child.refresh_from_db()
    assert family.child.photo_updated_at is None


def test_an_upload_without_a_file_asks_for_one(family, parent):
    response = parent.post(reverse("households:child_photo_upload", args=[family.child.pk]))
    assert response.status_code == 422
    assert "Choose a photo first." in response.content.decode()


def test_the_photo_is_served_privately_with_an_etag_and_no_sniffing(family, parent):
    upload(parent, family.child, phone_jpeg())
    stored = ChildPhoto.objects.get(child=family.child)

    response = parent.get(photo_url(family.child))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == bytes(stored.display)
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"
    etag = response["ETag"]
    again = parent.get(photo_url(family.child), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    small = parent.get(photo_url(family.child, small=True))
    assert small.content == bytes(stored.thumbnail)
    assert small["ETag"] != etag
    # A caregiver reads the profile, so sees the photo.
    carer = family.client_for(family.caregiver).get(photo_url(family.child))
    assert carer.status_code == 200


def test_outsiders_and_strangers_never_get_the_photo(family, parent):
    upload(parent, family.child, phone_jpeg())

    assert family.client_for(family.outsider).get(photo_url(family.child)).status_code == 404
    anonymous = Client().get(photo_url(family.child))
    assert anonymous.status_code == 302
    assert not anonymous.content


def test_a_caregiver_cannot_change_or_remove_the_photo(family, parent):
    upload(parent, family.child, phone_jpeg())
    carer = family.client_for(family.caregiver)

    assert upload(carer, family.child, phone_jpeg(300, 300)).status_code == 403
    url = reverse("households:child_photo_remove", args=[family.child.pk])
    assert carer.post(url).status_code == 403
    assert ChildPhoto.objects.filter(child=family.child).count() == 1


def test_removing_the_photo_leaves_no_bytes(family, parent):
    upload(parent, family.child, phone_jpeg())

    response = parent.post(reverse("households:child_photo_remove", args=[family.child.pk]))

    assert response.status_code == 302
    assert not ChildPhoto.objects.exists()
    family.child.refresh_from_db()
    assert family.child.photo_updated_at is None
    assert parent.get(photo_url(family.child)).status_code == 404


def test_deleting_a_child_deletes_its_photo(family, parent):
    upload(parent, family.child, phone_jpeg())

    parent.post(reverse("households:child_delete", args=[family.child.pk]))

    assert not Child.objects.filter(pk=family.child.pk).exists()
    assert not ChildPhoto.objects.exists()


def test_deleting_a_household_deletes_its_childrens_photos(family, parent):
    upload(parent, family.child, phone_jpeg())
    theirs = Child.objects.create(
        household=family.other_household, name="Lior", birth_date=family.child.birth_date
    )
    upload(family.client_for(family.outsider), theirs, phone_jpeg())
    assert ChildPhoto.objects.count() == 2

    family.household.delete()

    assert list(ChildPhoto.objects.values_list("child__name", flat=True)) == ["Lior"]
