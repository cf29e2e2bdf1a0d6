"""The journal's kinds, their labels and detail keys are said once, in Python, and reach the
quick log's JavaScript through json_script: the page and journal.js cannot disagree.

journal.js once carried its own table of labels ("New food" where the page said "New food
tried", "Call" for "Call with the parent") and of detail keys. Now the quick log gives it
both, in the page's language, and the script has no table of its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.test import Client
from django.urls import reverse
from django.utils import translation

from homefront.handoff.models import ShareLink
from homefront.journal.models import DETAIL_CHOICES
from homefront.journal.models import DETAIL_TEXT
from homefront.journal.models import Kind
from homefront.journal.tests.away import the_levins_away

JOURNAL_JS = Path(__file__).resolve().parents[2] / "static" / "homefront" / "journal.js"


def json_script(page: str, element_id: str) -> dict:
    [data] = re.findall(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S
    )
    return json.loads(data)


def quick_log_in(language: str) -> str:
    """The quick log as Grandpa opens it from a link Rachel, away now, made in `language`."""
    trip, rachel, _ = the_levins_away()
    _, token = ShareLink.issue(trip, rachel, label="Abuelo", language=language)
    response = Client().get(reverse("journal:shared_log", args=[token]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_page_gives_the_script_every_kind_with_its_label_and_detail_keys(db):
    kinds = json_script(quick_log_in("en"), "journal-kinds")

    assert set(kinds) == set(Kind.values)
    for kind in Kind:
        accepted = [*DETAIL_CHOICES.get(kind, {}), *DETAIL_TEXT.get(kind, ())]
        assert kinds[kind]["label"] == kind.label
        assert sorted(kinds[kind]["details"]) == sorted(accepted)
    assert kinds["new_food"]["label"] == "New food tried"
    assert kinds["call"]["label"] == "Call with the parent"
    assert set(kinds["new_food"]["details"]) == {"food", "liked", "reaction"}


def test_the_labels_come_in_the_pages_language_and_its_headings_say_the_same(db):
    page = quick_log_in("es")
    kinds = json_script(page, "journal-kinds")

    with translation.override("es"):
        assert {kind: data["label"] for kind, data in kinds.items()} == {
            kind.value: str(kind.label) for kind in Kind
        }
    assert kinds["new_food"]["label"] == "Probó algo nuevo"
    for kind in ("meal", "new_food", "mood", "incident", "note"):
        assert f"<summary>{kinds[kind]['label']}</summary>" in page
    for kind in ("bath", "asleep", "nap"):
        assert f"<span>{kinds[kind]['label']}</span>" in page


def test_journal_js_has_no_table_of_kinds_of_its_own():
    script = JOURNAL_JS.read_text()

    for kind in Kind:
        assert f'"{kind.label}"' not in script, f"journal.js says {kind.label!r} itself"
        assert not re.search(rf"^\s*{kind.value}\s*:\s*[\[\"]", script, re.M), (
            f"journal.js has a table keyed by {kind.value!r}"
        )
    every_key = {*(key for keys in DETAIL_CHOICES.values() for key in keys)}
    for key in every_key | {key for keys in DETAIL_TEXT.values() for key in keys}:
        assert f'"{key}"' not in script, f"journal.js names the detail key {key!r} itself"
