from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from homefront.api.models import AccessToken
from homefront.api.models import Scope
from homefront.handoff.models import ShareLink
from homefront.photos import testing as photo_testing
from homefront.prep.models import PrepTask
from homefront.testing.journal import lost_tooth
from homefront.testing.trips import trip_to_kyoto


class Api:
    """A test client that sends one token with each request."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get("/api/v1" + path, params, headers=self.headers)

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            "/api/v1" + path, body, content_type="application/json", headers=self.headers
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            "/api/v1" + path, body, content_type="application/json", headers=self.headers
        )


@pytest.fixture
def family(family):
    """The conftest family with a trip of the parent (a night covered, a prep task, a
    share link, a journal entry) and API tokens: the parent's read and write tokens,
    the caregiver's write token and the outsider's write token."""
    today = family.household.today()
    family.trip = trip_to_kyoto(family)
    family.prep_task = PrepTask.objects.create(
        trip=family.trip, title="Water the bonsai", due_on=today
    )
    family.share_link, family.share_token = ShareLink.issue(
        family.trip, family.parent, label="Aunt Probe", days_before=7
    )
    family.journal_entry = lost_tooth(family, family.trip)
    family.photo = photo_testing.store_photo_for(family.journal_entry, family.child)
    _, family.read_token = AccessToken.issue(family.parent, family.household, "Read", Scope.READ)
    family.write_access, family.write_token = AccessToken.issue(
        family.parent, family.household, "Write", Scope.WRITE
    )
    _, family.carer_token = AccessToken.issue(
        family.caregiver, family.household, "Carer", Scope.WRITE
    )
    _, family.outsider_token = AccessToken.issue(
        family.outsider, family.other_household, "Elsewhere", Scope.WRITE
    )
    return family


@pytest.fixture
def api(family) -> Api:
    return Api(family.write_token)
