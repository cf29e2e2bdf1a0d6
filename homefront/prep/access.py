"""Scoped getters for prep; a trip's tasks and packing ask the access policy about the trip."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from homefront.access import Action, actor_of, check
from homefront.households.access import MemberRequest
from homefront.prep.models import PackingItem, PrepTask, TemplateItem


def get_task(request: MemberRequest, pk: int, action: Action) -> PrepTask:
    """The task, if the request's actor may do `action` to its trip."""
    task = get_object_or_404(
        PrepTask.objects.in_household(request.household).select_related(
            "trip__household", "trip__traveller"
        ),
        pk=pk,
    )
    check(actor_of(request), action, task.trip)
    return task


def get_packing_item(request: MemberRequest, pk: int, action: Action) -> PackingItem:
    """The packing item, if the request's actor may do `action` to its trip."""
    item = get_object_or_404(
        PackingItem.objects.in_household(request.household).select_related(
            "trip__household", "trip__traveller"
        ),
        pk=pk,
    )
    check(actor_of(request), action, item.trip)
    return item


def get_template_item(request: MemberRequest, pk: int) -> TemplateItem:
    return get_object_or_404(TemplateItem.objects.in_household(request.household), pk=pk)
