"""A parent downloads the same file as `homefront export` writes."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from homefront.demo.household import load_demo
from homefront.portability.household_file import TABLES
from homefront.portability.household_file import export_household

URL = "/household/export/"


def test_url_name():
    assert reverse("portability:export") == URL


def test_parent_downloads_the_export(family):
    response = family.client_for(family.parent).get(URL)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/json")
    out = StringIO()
    call_command("export", household=family.household.pk, stdout=out)
    assert response.content.decode() == out.getvalue()
    assert b"The Others" not in response.content


def test_members_page_links_to_it_for_parents(family):
    page = family.client_for(family.parent).get(reverse("households:members"))
    assert URL in page.content.decode()
    assert "Download all our data" in page.content.decode()
    page = family.client_for(family.caregiver).get(reverse("households:members"))
    assert URL not in page.content.decode()


def test_caregiver_is_refused(family):
    assert family.client_for(family.caregiver).get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(family):
    response = Client().get(URL)
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_post_changes_nothing_and_downloads_the_same(family):
    """Read-only either way; the isolation test posts to every parent URL."""
    client = family.client_for(family.parent)
    assert client.post(URL).content == client.get(URL).content


@pytest.mark.django_db
def test_the_export_takes_a_fixed_number_of_queries(django_assert_max_num_queries):
    """One query a table and a few more, whatever the size of the journal."""
    household = load_demo(StringIO())
    with django_assert_max_num_queries(len(TABLES) + 3):
        export_household(household)
