"""People added to the test household (conftest's `family`): `add_parent` for a second
parent, and the `second` fixture, Sam, the parent most tests add."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from homefront.accounts.models import User
from homefront.households.models import Membership
from homefront.households.models import Role

if TYPE_CHECKING:
    from homefront.conftest import Family


def add_parent(family: Family, email: str = "sam@example.com", name: str = "Sam Second") -> User:
    password = "a long test password"  # noqa: S105 (a test user's)
    user = User.objects.create_user(email=email, password=password, name=name)
    Membership.objects.create(household=family.household, user=user, role=Role.PARENT)
    return user


@pytest.fixture
def second(family: Family) -> User:
    """Sam Second, the household's other parent."""
    return add_parent(family)
