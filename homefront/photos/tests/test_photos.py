"""Photos through the quick log and back out: stored once, bare, refused with a reason,
and shown only to whom the access policy lets see the trip."""

from __future__ import annotations

import io
import uuid
from datetime import date
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from homefront.handoff.models import ShareLink
from homefront.households.models import Child
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.photos import testing
from homefront.photos.models import Photo
from homefront.photos.models import PhotoImage
from homefront.photos.tests.conftest import NOW
from homefront.testing.trips import trip_to
from homefront.trips.models import Trip

JSON = {"Accept": "application/json"}
pytestmark = pytest.mark.usefixtures("frozen_time")


def jpeg_file(data: bytes | None = None, name: str = "IMG_0001.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data or testing.phone_jpeg(), content_type="image/jpeg")


def upload(client: Client, url: str, family, photo_uuid: str | None = None, **extra):
    data = {
        "photo": extra.pop("photo", None) or jpeg_file(),
        "uuid": photo_uuid or str(uuid.uuid4()),
        "children": [family.child.pk],
        "caption": extra.pop("caption", "Raw currants"),
        **extra,
    }
    return client.post(url, data, headers=JSON)


def counted(client: Client, url: str) -> tuple[CaptureQueriesContext, str]:
    """The queries of a page rendered afresh: pages kept under the data version (and the
    session's first read) are other tests' business."""
    client.get(url)
    cache.clear()
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    return queries, page


def add_url(trip: Trip) -> str:
    return reverse("photos:add", args=[trip.pk])


def test_a_caregiver_adds_a_photo_and_it_is_kept_bare_and_upright(family, trip):
    client = family.client_for(family.caregiver)
    response = upload(client, add_url(trip), family)
    [result] = response.json()["results"]
    assert result["status"] == "stored"
    photo = Photo.objects.get()
    assert photo.caption == "Raw currants"
    assert list(photo.children.all()) == [family.child]
    assert photo.entry.kind == Kind.PHOTO
    assert photo.entry.text == "Raw currants"
    assert photo.author == family.caregiver
    for image in PhotoImage.objects.filter(photo=photo):
        stored = Image.open(io.BytesIO(bytes(image.data)))
        assert not stored.getexif()
        assert stored.height > stored.width  # orientation 6 applied
        assert b"PhoneMaker" not in bytes(image.data)


def test_sent_again_it_is_stored_once_and_other_bytes_under_its_id_are_reported(family, trip):
    client = family.client_for(family.caregiver)
    photo_uuid = str(uuid.uuid4())
    assert upload(client, add_url(trip), family, photo_uuid).json()["results"][0]["status"] == (
        "stored"
    )
    again = upload(client, add_url(trip), family, photo_uuid).json()["results"][0]
    assert again["status"] == "duplicate"
    other = upload(
        client, add_url(trip), family, photo_uuid, photo=jpeg_file(testing.phone_heic())
    ).json()["results"][0]
    assert other["status"] == "conflict"
    assert "different photo" in other["errors"]["uuid"]
    assert Photo.objects.count() == 1
    assert PhotoImage.objects.count() == 2
    assert JournalEntry.objects.filter(kind=Kind.PHOTO).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"milk, bread, currants\n" * 30, "not a photo"),
        (testing.png_of(50), "more than 49 million pixels"),
    ],
    ids=["text renamed .jpg", "50 megapixel PNG"],
)
def test_a_refused_upload_leaves_no_row(family, trip, data, message):
    client = family.client_for(family.parent)
    result = upload(client, add_url(trip), family, photo=jpeg_file(data)).json()["results"][0]
    assert result["status"] == "refused"
    assert message in result["errors"]["photo"]
    assert not Photo.objects.exists()
    assert not PhotoImage.objects.exists()
    assert not JournalEntry.objects.exists()


def test_the_plain_form_shows_the_refusal_and_stores_nothing(family, trip):
    client = family.client_for(family.parent)
    response = client.post(
        add_url(trip),
        {"photo": jpeg_file(b"not a picture" * 50), "children": [family.child.pk]},
    )
    assert response.status_code == 422
    page = response.content.decode()
    field = page.split('id="photo-file"')[1].split("</small>")[0]
    assert 'aria-invalid="true"' in field
    assert "Not added: This file is not a photo Homefront can read." in field
    assert not Photo.objects.exists()
    assert not JournalEntry.objects.exists()


def test_a_photo_goes_with_an_entry_already_logged(family, trip):
    entry = JournalEntry.objects.create(
        uuid=uuid.uuid4(),
        trip=trip,
        kind=Kind.NEW_FOOD,
        occurred_at=timezone.now(),
        details={"food": "raw currants"},
        content_hash="x",
    )
    entry.children.set([family.child])
    client = family.client_for(family.caregiver)
    result = upload(client, add_url(trip), family, entry=str(entry.uuid)).json()["results"][0]
    assert result["status"] == "stored"
    assert Photo.objects.get().entry == entry
    waiting = upload(client, add_url(trip), family, entry=str(uuid.uuid4())).json()["results"][0]
    assert waiting["status"] == "waiting"
    assert Photo.objects.count() == 1


def test_a_share_link_adds_photos_and_sees_its_trips(family, trip):
    link, token = ShareLink.issue(trip, family.parent, label="Aunt Jo", days_before=7)
    client = Client()
    result = upload(client, reverse("photos:shared_add", args=[token]), family).json()
    assert result["results"][0]["status"] == "stored"
    photo = Photo.objects.get()
    assert photo.share_link == link
    page = client.get(reverse("journal:shared_log", args=[token])).content.decode()
    assert reverse("photos:shared_photo", args=[token, photo.pk]) in page
    response = client.get(reverse("photos:shared_photo", args=[token, photo.pk]))
    assert response.status_code == 200
    ShareLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    assert client.get(reverse("photos:shared_photo", args=[token, photo.pk])).status_code == 404
    gone = upload(client, reverse("photos:shared_add", args=[token]), family)
    assert gone.status_code == 410


def test_a_photo_is_served_privately_with_an_etag(family, trip):
    upload(family.client_for(family.parent), add_url(trip), family)
    photo = Photo.objects.get()
    client = family.client_for(family.parent)
    url = reverse("photos:photo", args=[photo.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(response.content)).size == (photo.width, photo.height)
    thumbnail = client.get(url + "?size=thumbnail")
    assert Image.open(io.BytesIO(thumbnail.content)).size == (
        photo.thumbnail_width,
        photo.thumbnail_height,
    )
    assert thumbnail["ETag"] != response["ETag"]
    again = client.get(url, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_only_those_who_see_the_trip_see_its_photos(family, trip):
    upload(family.client_for(family.parent), add_url(trip), family)
    photo = Photo.objects.get()
    url = reverse("photos:photo", args=[photo.pk])
    from homefront.core.tests.test_access_matrix import carer_off

    assert family.client_for(family.caregiver).get(url).status_code == 200
    assert family.client_for(carer_off(family)).get(url).status_code == 404
    assert family.client_for(family.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    # A deleted entry's photos go with it.
    JournalEntry.objects.filter(pk=photo.entry_id).update(deleted_at=timezone.now())
    assert family.client_for(family.parent).get(url).status_code == 404


def test_the_timeline_shows_thumbnails_at_a_fixed_number_of_queries(family, trip):
    client = family.client_for(family.parent)
    upload(client, add_url(trip), family)
    url = reverse("journal:timeline", args=[trip.pk])
    one, page = counted(client, url)
    photo = Photo.objects.get()
    assert reverse("photos:photo", args=[photo.pk]) + "?size=thumbnail" in page
    for _ in range(4):
        upload(client, add_url(trip), family)
    Child.objects.create(household=family.household, name="Noa", birth_date=date(2020, 1, 1))
    five, page = counted(client, url)
    assert page.count('class="photo-thumb"') == 5
    assert len(five) == len(one)


def test_the_away_parents_home_shows_today_with_the_kids_in_her_zone(family, trip):
    upload(family.client_for(family.caregiver), add_url(trip), family)
    photo = Photo.objects.get()
    page = family.client_for(family.parent).get(reverse("core:home")).content.decode()
    assert "Today with the kids" in page
    assert reverse("photos:photo", args=[photo.pk]) + "?size=thumbnail" in page
    # Logged at 01:00 UTC: 6:00 PM in Denver, where she is (8:00 PM at home in New York).
    assert "6:00 PM" in page.split('id="kids-today"')[1].split("</section>")[0]
    assert "Next good time to call" in page
    # The caregiver at home sees no such panel: it is the traveller's.
    other = family.client_for(family.caregiver).get(reverse("core:home")).content.decode()
    assert "Today with the kids" not in other


def test_home_costs_the_same_queries_with_one_photo_or_six(family, trip):
    client = family.client_for(family.parent)
    upload(client, add_url(trip), family)
    one, _page = counted(client, reverse("core:home"))
    for _ in range(5):
        upload(client, add_url(trip), family)
    six, page = counted(client, reverse("core:home"))
    assert page.count('class="photo-thumb"') == 6
    assert len(six) == len(one)


def test_a_deleted_entrys_photos_go_once_it_can_no_longer_be_restored(family, trip):
    from homefront.photos.cleanup import purge_deleted_entries_photos

    client = family.client_for(family.parent)
    upload(client, add_url(trip), family)
    kept = upload(client, add_url(trip), family).json()["results"][0]
    photo = Photo.objects.exclude(pk=kept["photo"]).get()
    JournalEntry.objects.filter(pk=photo.entry_id).update(deleted_at=timezone.now())
    assert purge_deleted_entries_photos() == 0  # it may still be restored, photos and all
    with time_machine.travel(NOW + timedelta(days=30, minutes=1), tick=False):
        assert purge_deleted_entries_photos() == 1
    assert list(Photo.objects.values_list("pk", flat=True)) == [kept["photo"]]
    assert PhotoImage.objects.filter(photo_id=photo.pk).count() == 0


def test_deleting_a_child_takes_the_photos_of_only_them_and_a_household_all(family, trip):
    noa = Child.objects.create(household=family.household, name="Noa", birth_date=date(2020, 1, 1))
    client = family.client_for(family.parent)
    upload(client, add_url(trip), family)  # Maya alone
    upload(client, add_url(trip), family, children=[family.child.pk, noa.pk])  # both
    response = client.post(reverse("households:child_delete", args=[family.child.pk]))
    assert response.status_code == 302
    [left] = Photo.objects.all()
    assert list(left.children.all()) == [noa]
    assert PhotoImage.objects.count() == 2
    family.household.delete()
    assert not Photo.objects.exists()
    assert not PhotoImage.objects.exists()


def test_a_photo_for_a_journal_not_open_yet_is_refused_at_the_top_of_the_quick_log(family):
    from datetime import UTC
    from datetime import datetime

    leaves, back = datetime(2026, 12, 1, 12, tzinfo=UTC), datetime(2026, 12, 3, 12, tzinfo=UTC)
    later = trip_to(family, "Lima", "", leaves, back)
    client = family.client_for(family.parent)
    response = client.post(
        add_url(later), {"photo": jpeg_file(), "children": [family.child.pk]}, follow=True
    )
    assert "Not added: That is before the trip began." in response.content.decode()
    assert not Photo.objects.exists()
