"""Who may open a trip's brief: parents, the caregiver member covering it, or a share link."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from homefront.handoff.models import GoBagItem, ShareLink
from homefront.households.access import MemberRequest
from homefront.trips.models import Cover, Trip


def covers_trip(request: MemberRequest, trip: Trip) -> bool:
    return (
        Cover.objects.in_household(request.household)
        .filter(member=request.user, night__in=trip.nights_list)
        .exists()
    )


def get_briefable_trip(request: MemberRequest, pk: int) -> Trip:
    """Parents see every trip's brief; a caregiver only those they cover (404 otherwise,
    so a caregiver learns nothing of other trips)."""
    trip = get_object_or_404(
        Trip.objects.in_household(request.household).select_related("traveller", "household"),
        pk=pk,
    )
    if not request.membership.is_parent and not covers_trip(request, trip):
        raise Http404("No such trip.")
    return trip


def get_share_link(request: MemberRequest, pk: int) -> ShareLink:
    return get_object_or_404(
        ShareLink.objects.in_household(request.household).select_related("trip__household"), pk=pk
    )


def get_go_bag_item(request: MemberRequest, pk: int) -> GoBagItem:
    return get_object_or_404(GoBagItem.objects.in_household(request.household), pk=pk)
