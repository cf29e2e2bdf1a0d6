"""The household's data version moves with every write to its data, and only then.

The walk is the access matrix's (test_access_matrix.py): every URL pattern of the live
resolver, GET and POST, as every actor, every share-link state and every API operation
with every token. For each request the household's rows (every table, as the matrix
reads them) are compared before and after: a request that changed them must have moved
the version, in the same transaction; one that changed nothing (every read, every refused
or invalid write) must have left it alone. A new view, form or API operation that writes
around the shared write path fails here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from homefront.core.tests.test_access_matrix import API_ACTORS
from homefront.core.tests.test_access_matrix import LINK_STATES
from homefront.core.tests.test_access_matrix import SESSION_ACTORS
from homefront.core.tests.test_access_matrix import SESSION_ENDPOINTS
from homefront.core.tests.test_access_matrix import SHARE_LINK_NAMES
from homefront.core.tests.test_access_matrix import api_operations
from homefront.core.tests.test_access_matrix import api_request
from homefront.core.tests.test_access_matrix import api_tokens
from homefront.core.tests.test_access_matrix import during_the_trip
from homefront.core.tests.test_access_matrix import household_rows
from homefront.core.tests.test_access_matrix import link_in_state
from homefront.core.tests.test_access_matrix import post_data
from homefront.core.tests.test_access_matrix import session_clients
from homefront.core.tests.test_access_matrix import url_for
from homefront.households.models import Household
from homefront.households.tests import test_isolation
from homefront.households.tests.test_isolation import send
from homefront.households.versions import bump
from homefront.households.versions import versions_of
from homefront.households.versions import watching

family = test_isolation.family


@pytest.fixture(autouse=True)
def writes_outside_requests_move_every_version() -> None:
    """Here only what the application moves counts (conftest.py moves every version
    with each write a test makes outside a request)."""


def version(family: Any) -> int:
    return Household.objects.filter(pk=family.household.pk).values_list("data_version", flat=True)[
        0
    ]


def mismatch(family: Any, request: Any, *, writing: bool) -> str | None:
    """Makes the request in a transaction rolled back after; says what went wrong, if.

    A read must leave the version as it is. A write must move it when it changed the
    household's rows; a write may move it when it ended up changing nothing the rows
    show (an update to the same value, a new household moving its member's others): a
    page rendered again for nothing costs time, never a stale page."""
    cache.clear()  # rate limits are their own tests' business
    with transaction.atomic():
        rows, before = household_rows(family), version(family)
        response = request()
        wrote, moved = household_rows(family) != rows, version(family) != before
        transaction.set_rollback(True)
    if wrote == moved or (writing and moved):
        return None
    what = (
        "changed the household's data, the version stayed"
        if wrote
        else ("changed nothing, the version moved")
    )
    return f"{response.status_code}: {what}"


@pytest.mark.parametrize("endpoint", SESSION_ENDPOINTS, ids=lambda e: e.name)
def test_every_page_and_form_moves_the_version_exactly_when_it_writes(family, endpoint):
    clients = session_clients(family)
    failures = {}
    with during_the_trip(family):
        url = url_for(family, endpoint)
        data = post_data(family, endpoint, url)
        for who in SESSION_ACTORS:
            for method in ("get", "post"):
                client = clients[who]
                found = mismatch(
                    family,
                    lambda c=client, m=method: send(c, m, url, {}, data),  # type: ignore[misc]
                    writing=method == "post",
                )
                if found:
                    failures[f"{who} {method.upper()}"] = found
    assert not failures, f"{endpoint.name} ({url}): {failures}"


@pytest.mark.parametrize("name", SHARE_LINK_NAMES)
def test_every_share_link_request_moves_the_version_exactly_when_it_writes(family, name):
    endpoint = next(e for e in SESSION_ENDPOINTS if e.name == name)
    failures = {}
    with during_the_trip(family):
        for state in LINK_STATES:
            photo = {"pk": family.photo.pk} if "pk" in endpoint.kwargs else {}
            url = endpoint.url(token=link_in_state(family, state), **photo)
            data = post_data(family, endpoint, url)
            for method in ("get", "post"):
                found = mismatch(
                    family,
                    lambda m=method, u=url, d=data: send(Client(), m, u, {}, d),  # type: ignore[misc]
                    writing=method == "post",
                )
                if found:
                    failures[f"{state} {method.upper()}"] = found
    assert not failures, f"{name}: {failures}"


@pytest.mark.parametrize("operation", sorted(api_operations()))
def test_every_api_operation_moves_the_version_exactly_when_it_writes(family, operation):
    tokens = api_tokens(family)
    failures = {}
    with during_the_trip(family):
        method, path, body = api_request(family, operation)
        for who in API_ACTORS:
            secret = tokens[who]
            headers = {"Authorization": f"Bearer {secret}"} if secret else {}

            def call(h: dict[str, str] = headers) -> Any:
                if isinstance(body, dict) and "photo" in body:  # a file goes as a form
                    return Client().post(path, body, headers=h)
                return Client().generic(
                    method,
                    path,
                    data=None if body is None else json.dumps(body),
                    content_type="application/json",
                    headers=h,
                )

            found = mismatch(family, call, writing=method != "GET")
            if found:
                failures[who] = found
    assert not failures, f"{operation}: {failures}"


# -- Outside a request ---------------------------------------------------------------------


def test_bump_moves_only_the_households_named(family):
    before = versions_of(Household.objects.values_list("pk", flat=True))
    bump(family.household.pk)
    after = versions_of(before)
    assert after[family.household.pk] > before[family.household.pk]
    assert {pk: v for pk, v in after.items() if pk != family.household.pk} == {
        pk: v for pk, v in before.items() if pk != family.household.pk
    }


def test_a_command_s_writes_move_the_version_inside_watching(family):
    before = version(family)
    with watching(family.household.pk):
        Household.objects.filter(pk=family.household.pk).update(name="The Levins")
    assert version(family) != before


def test_a_saved_household_copy_never_puts_an_older_version_back(family):
    stale = Household.objects.get(pk=family.household.pk)
    bump(family.household.pk)
    moved = version(family)
    stale.name = "Renamed"
    stale.save()
    assert version(family) == moved


@pytest.mark.django_db(transaction=True)
def test_a_write_that_fails_leaves_the_version_where_it_was(family):
    """The version moves in the write's own transaction: rolled back with it."""
    before = version(family)

    def half_way() -> None:
        with transaction.atomic(), watching(family.household.pk):
            Household.objects.filter(pk=family.household.pk).update(name="Half-way")
            raise RuntimeError("the disk filled up")

    with pytest.raises(RuntimeError):
        half_way()
    assert version(family) == before
