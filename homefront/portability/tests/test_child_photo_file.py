"""The household file carries each child's photo and measurements, byte for byte."""

from __future__ import annotations

import json
import re
from io import StringIO

import time_machine
from django.core.management import call_command

from homefront.demo.household import load_demo
from homefront.households.child_photo import replace_photo
from homefront.households.models import Child, ChildPhoto, Household
from homefront.photos.processing import process_photo
from homefront.photos.testing import phone_jpeg
from homefront.portability.tests.test_household_file import (
    NOW,
    export_text,
    forget_everyone,
    refused,
)


def demo_with_a_photo(tmp_path):
    with time_machine.travel(NOW, tick=False):
        household = load_demo(StringIO())
        maya = Child.objects.get(household=household, name="Maya")
        replace_photo(maya, process_photo(phone_jpeg(900, 600)))
    path = tmp_path / "household.json"
    call_command("export", household=household.pk, output=path, stderr=StringIO())
    return household, path


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
    forget_everyone()
    data = json.loads(path.read_text())
    # Anything else where a JPEG belongs: a page a browser might run.
    data["child_photos"][0]["display"] = "PGh0bWw+PHNjcmlwdD48L3NjcmlwdD4="
    path.write_text(json.dumps(data))

    refused(path, re.escape("Child photo 1, field “display”: This is not a photo Homefront made."))

    assert not ChildPhoto.objects.exists()
    assert not Household.objects.exists()


def test_a_photo_that_is_not_base64_is_refused(db, tmp_path):
    _household, path = demo_with_a_photo(tmp_path)
    forget_everyone()
    data = json.loads(path.read_text())
    data["child_photos"][0]["thumbnail"] = "not base64 at all!"
    path.write_text(json.dumps(data))

    refused(path, re.escape("Child photo 1, field “thumbnail”:"))

    assert not Household.objects.exists()
