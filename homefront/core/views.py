from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from homefront.core.conditional import conditional_page
from homefront.households.access import MemberRequest
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import Household
from homefront.households.schedule import day_plan
from homefront.photos.kids_today import kids_today
from homefront.trips.cover import FamilyNights
from homefront.trips.models import TripState

HORIZON_DAYS = 60


@conditional_page
def home(request: MemberRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "core/welcome.html")
    household: Household | None = request.household
    if household is None:
        return redirect("households:create")
    day = household.today()
    children = list(
        Child.objects.in_household(household)
        .select_related("household")
        .prefetch_related("routines", "medicines")
    )
    has_backup = Contact.objects.in_household(household).backups().exists()
    family = FamilyNights.load(
        household, day - timedelta(days=1), day + timedelta(days=HORIZON_DAYS)
    )
    now = timezone.now()
    away_now = [trip for trip in family.trips if trip.state(now) == TripState.AWAY]
    upcoming = [trip for trip in family.trips if trip.state(now) == TripState.UPCOMING]
    next_trip = upcoming[0] if upcoming else None
    uncovered = family.uncovered_between(day, day + timedelta(days=HORIZON_DAYS))
    return render(
        request,
        # While someone is away the card polls (core/conditional.py answers 304 until
        # something is logged).
        "core/home.html#away" if _polled(request, "away") else "core/home.html",
        {
            "day": day,
            "plans": [(child, day_plan(child, day)) for child in children],
            "has_backup": has_backup,
            "away_now": away_now,
            "next_trip": next_trip,
            "next_trip_uncovered": [n for n in uncovered if next_trip in n.trips],
            "kids": kids_today(request.user, away_now, now),
            "tonight": family.night(day),
            "uncovered": uncovered,
        },
    )


def _polled(request: HttpRequest, part: str) -> bool:
    return bool(request.htmx) and request.GET.get("part") == part  # type: ignore[attr-defined]


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer or a monitor: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
