"""Access to household data: view decorators and one scoped getter per model.

Every object a view touches is fetched here, filtered by the current user's
household, so an object of another household is a 404 whatever its id.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from homefront.accounts.models import User
from homefront.households.models import (
    Child,
    Contact,
    Food,
    Household,
    HouseNote,
    Invitation,
    Medicine,
    Membership,
    Routine,
)

View = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)


class MemberRequest(HttpRequest):
    """A request that passed `member_required`: who is asking, and in which household."""

    user: User
    membership: Membership
    household: Household
    memberships: list[Membership]


def member_required(view: View) -> View:
    """Signed in and a member of a household; otherwise off to sign in or create one."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.membership is None:  # type: ignore[attr-defined]
            return redirect("households:create")
        return view(request, *args, **kwargs)

    wrapper.member_required = True  # type: ignore[attr-defined]
    return wrapper


def parent_required(view: View) -> View:
    """Parents only: a caregiver gets 403 (after the 404 scoping of the object)."""

    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.membership.is_parent:  # type: ignore[attr-defined]
            raise PermissionDenied("Only a parent of this household can do this.")
        return view(request, *args, **kwargs)

    wrapper.parent_required = True  # type: ignore[attr-defined]
    return wrapper


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
