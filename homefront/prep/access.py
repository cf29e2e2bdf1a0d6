"""Scoped getters for prep; a trip's tasks and packing ask the access policy about the trip."""

from __future__ import annotations

from typing import TypeVar

from django.shortcuts import get_object_or_404

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import check
from homefront.households.access import MemberRequest
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.prep.models import TemplateItem

Part = TypeVar("Part", PrepTask, PackingItem)


def _of_a_trip(request: MemberRequest, model: type[Part], pk: int, action: Action) -> Part:
    """The household's task or packing item, if the request's actor may do `action` to its trip."""
    part = get_object_or_404(
        model.objects.in_household(request.household).select_related(
            "trip__household", "trip__traveller"
        ),
        pk=pk,
    )
    check(actor_of(request), action, part.trip)
    return part


def get_task(request: MemberRequest, pk: int, action: Action) -> PrepTask:
    return _of_a_trip(request, PrepTask, pk, action)


def get_packing_item(request: MemberRequest, pk: int, action: Action) -> PackingItem:
    return _of_a_trip(request, PackingItem, pk, action)


def get_template_item(request: MemberRequest, pk: int) -> TemplateItem:
    return get_object_or_404(TemplateItem.objects.in_household(request.household), pk=pk)
