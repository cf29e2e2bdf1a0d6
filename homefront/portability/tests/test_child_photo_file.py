"""The household file carries each child's photo and measurements, byte for byte."""

from __future__ import annotations

import json
import re
from io import StringIO

from django.core.management import call_command

from homefront.households.child_photo import replace_photo
from homefront.households.models import Child
from homefront.households.models import ChildPhoto
from homefront.households.models import Household
from homefront.photos.processing import process_photo
from homefront.photos.testing import phone_jpeg
from homefront.portability.tests.test_household_file import edited
from homefront.portability.tests.test_household_file import export_text
from homefront.portability.tests.test_household_file import exported_demo
from homefront.portability.tests.test_household_file import forget_everyone
from homefront.portability.tests.test_household_file import refused


def demo_with_a_photo(tmp_path):
    def photo_of_maya(household: Household) -> None:
        maya = Child.objects.get(household=household, name="Maya")
        replace_photo(maya, process_photo(phone_jpeg(900, 600)))

    return exported_demo(tmp_path, photo_of_maya)


def test_photo_and_measurements_survive_export_import_export_byte_for_byte(db, tmp_path):
    _household, path = demo_with_a_photo(tmp_path)
    first = path.read_bytes()
    stored = ChildPhoto.objects.get()
    display, thumbnail = bytes(stored.display), bytes(stored.thumbnail)
    data = json.loads(first)
    assert len(data["child_photos"]) == 1
    maya = next(child for child in data["children"] if child["name"] == "Maya")
    assert (maya["weight_grams"], maya["height_mm"]) == (17237, 1067)
    assert data["household"]["units"] == "us"

    forget_everyone()
    call_command("import", str(path), stdout=StringIO())

    imported = Household.objects.get()
    assert export_text(imported).encode() == first
    photo = ChildPhoto.objects.select_related("child").get()
    assert photo.child.name == "Maya"
    assert photo.child.household == imported
    assert (bytes(photo.display), bytes(photo.thumbnail)) == (display, thumbnail)
    assert photo.sha256 == stored.sha256
    assert photo.child.photo_updated_at == stored.updated_at


def test_a_photo_that_is_not_one_homefront_made_is_refused(db, tmp_path):
    _household, path = demo_with_a_photo(tmp_path)
    # Anything else where a JPEG belongs: a page a browser might run.
    page = "PGh0bWw+PHNjcmlwdD48L3NjcmlwdD4="
    edited(path, lambda data: data["child_photos"][0].update(display=page))

    refused(path, re.escape("Child photo 1, field “display”: This is not a photo Homefront made."))

    assert not ChildPhoto.objects.exists()
    assert not Household.objects.exists()


def test_a_photo_that_is_not_base64_is_refused(db, tmp_path):
    _household, path = demo_with_a_photo(tmp_path)
    edited(path, lambda data: data["child_photos"][0].update(thumbnail="not base64 at all!"))

    refused(path, re.escape("Child photo 1, field “thumbnail”:"))

    assert not Household.objects.exists()
