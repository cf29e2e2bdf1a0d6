"""Scoped getters for prep, as households/access.py does for the profile."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from homefront.households.access import MemberRequest
from homefront.prep.models import PackingItem, PrepTask, TemplateItem


def get_task(request: MemberRequest, pk: int) -> PrepTask:
    return get_object_or_404(
        PrepTask.objects.in_household(request.household).select_related(
            "trip__household", "trip__traveller"
        ),
        pk=pk,
    )


def get_packing_item(request: MemberRequest, pk: int) -> PackingItem:
    return get_object_or_404(
        PackingItem.objects.in_household(request.household).select_related(
            "trip__household", "trip__traveller"
        ),
        pk=pk,
    )


def get_template_item(request: MemberRequest, pk: int) -> TemplateItem:
    return get_object_or_404(TemplateItem.objects.in_household(request.household), pk=pk)
