from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from homefront.households.access import MemberRequest
from homefront.households.models import Child, Contact, Household
from homefront.households.schedule import day_plan


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
    return render(
        request,
        "core/home.html",
        {
            "day": day,
            "plans": [(child, day_plan(child, day)) for child in children],
            "has_backup": has_backup,
        },
    )


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For a load balancer or a monitor: the app answers and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
