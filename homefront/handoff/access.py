"""Scoped getters for share links and the go-bag; who may use them is the access policy's
to say (homefront/access.py)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from homefront.handoff.models import GoBagItem
from homefront.handoff.models import ShareLink
from homefront.households.access import MemberRequest


def get_share_link(request: MemberRequest, pk: int) -> ShareLink:
    return get_object_or_404(
        ShareLink.objects.in_household(request.household).select_related("trip__household"), pk=pk
    )


def get_go_bag_item(request: MemberRequest, pk: int) -> GoBagItem:
    return get_object_or_404(GoBagItem.objects.in_household(request.household), pk=pk)
