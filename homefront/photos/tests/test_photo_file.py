"""The household file carries the journal's photos, byte for byte, and takes back only
JPEGs Homefront could have made."""

from __future__ import annotations

import json
import re
from io import StringIO

from django.core.management import call_command

from homefront.households.models import Household
from homefront.journal.models import JournalEntry
from homefront.photos.models import Photo
from homefront.photos.models import PhotoImage
from homefront.photos.testing import store_photo_for
from homefront.portability.tests.test_household_file import edited
from homefront.portability.tests.test_household_file import export_text
from homefront.portability.tests.test_household_file import exported_demo
from homefront.portability.tests.test_household_file import forget_everyone
from homefront.portability.tests.test_household_file import refused


def demo_with_photos(tmp_path):
    def photos_of_two_entries(household: Household) -> None:
        entries = JournalEntry.objects.filter(household=household).order_by("pk")[:2]
        for entry in entries:
            store_photo_for(entry, entry.children.first())

    return exported_demo(tmp_path, photos_of_two_entries)


def test_photos_survive_export_import_export_byte_for_byte(db, tmp_path):
    _household, path = demo_with_photos(tmp_path)
    first = path.read_bytes()
    before = {
        (str(image.photo.uuid), image.size): bytes(image.data)
        for image in PhotoImage.objects.select_related("photo")
    }
    data = json.loads(first)
    assert len(data["photos"]["photos"]) == 2
    assert len(data["photos"]["images"]) == 4
    assert all(photo["children"] for photo in data["photos"]["photos"])

    forget_everyone()
    assert not PhotoImage.objects.exists()
    call_command("import", str(path), stdout=StringIO())

    imported = Household.objects.get()
    assert export_text(imported).encode() == first
    after = {
        (str(image.photo.uuid), image.size): bytes(image.data)
        for image in PhotoImage.objects.select_related("photo")
    }
    assert after == before
    for photo in Photo.objects.all():
        assert photo.household == imported
        assert photo.entry.household == imported
        assert photo.children.exists()


def test_an_image_that_is_not_one_homefront_made_is_refused(db, tmp_path):
    _household, path = demo_with_photos(tmp_path)
    page = "PGh0bWw+PHNjcmlwdD48L3NjcmlwdD4="  # <html><script>
    edited(path, lambda data: data["photos"]["images"][0].update(data=page))

    refused(path, re.escape("“data”: This is not a photo Homefront made."))

    assert not Photo.objects.exists()
    assert not Household.objects.exists()
