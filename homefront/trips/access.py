"""Scoped getters for feeds, imports and goals; trips come through the access policy
(homefront.access.get_trip), which also says who may open them."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from homefront.households.access import MemberRequest
from homefront.trips.models import CalendarFeed
from homefront.trips.models import CalendarImport
from homefront.trips.models import Goal


def get_feed(request: MemberRequest, pk: int) -> CalendarFeed:
    return get_object_or_404(
        CalendarFeed.objects.in_household(request.household).filter(user=request.user), pk=pk
    )


def get_calendar_import(request: MemberRequest, pk: int) -> CalendarImport:
    return get_object_or_404(CalendarImport.objects.in_household(request.household), pk=pk)


def get_goal(request: MemberRequest, pk: int) -> Goal:
    return get_object_or_404(Goal.objects.in_household(request.household), pk=pk)
