"""One scoped getter per profile model.

Every object a view touches is fetched here, filtered by the current user's
household, so an object of another household is a 404 whatever its id. What a
member may do with it is the access policy's to say (homefront/access.py).
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from homefront.accounts.models import User
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import Food
from homefront.households.models import Household
from homefront.households.models import HouseNote
from homefront.households.models import Invitation
from homefront.households.models import Medicine
from homefront.households.models import Membership
from homefront.households.models import Routine

M = TypeVar("M", bound=Model)


class MemberRequest(HttpRequest):
    """A request that passed `member_required`: who is asking, and in which household."""

    user: User
    membership: Membership
    household: Household
    memberships: list[Membership]


def _scoped(request: MemberRequest, queryset: QuerySet[M], pk: int) -> M:
    return get_object_or_404(queryset.in_household(request.household), pk=pk)  # type: ignore[attr-defined]


def get_child(request: MemberRequest, pk: int) -> Child:
    return _scoped(request, Child.objects.select_related("household"), pk)


def get_routine(request: MemberRequest, pk: int) -> Routine:
    return _scoped(request, Routine.objects.select_related("child__household"), pk)


def get_food(request: MemberRequest, pk: int) -> Food:
    return _scoped(request, Food.objects.select_related("child__household"), pk)


def get_medicine(request: MemberRequest, pk: int) -> Medicine:
    return _scoped(request, Medicine.objects.select_related("child__household"), pk)


def get_contact(request: MemberRequest, pk: int) -> Contact:
    return _scoped(request, Contact.objects.select_related("household"), pk)


def get_house_note(request: MemberRequest, pk: int) -> HouseNote:
    return _scoped(request, HouseNote.objects.select_related("household"), pk)


def get_membership(request: MemberRequest, pk: int) -> Membership:
    return _scoped(request, Membership.objects.select_related("user", "household"), pk)


def get_invitation(request: MemberRequest, pk: int) -> Invitation:
    return _scoped(request, Invitation.objects.all(), pk)
