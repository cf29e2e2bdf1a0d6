from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest
from django.http import HttpResponse
from django.utils import timezone

from homefront.households.models import Membership

SESSION_KEY = "household_id"


class CurrentHouseholdMiddleware:
    """Puts the signed-in user's current membership on the request.

    A user may belong to several households; the session remembers which one
    they are looking at. One query loads all of them, for the switcher too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.memberships = []  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.household = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            # Signed in through the login form, the user came with them (accounts/backends.py).
            memberships = getattr(request.user, "loaded_memberships", None)
            if memberships is None:
                memberships = list(
                    Membership.objects.filter(user=request.user)
                    .select_related("household")
                    .order_by("household__name", "pk")
                )
            wanted = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m.household_id == wanted), None)
            if current is None and memberships:
                current = memberships[0]
            request.memberships = memberships  # type: ignore[attr-defined]
            request.membership = current  # type: ignore[attr-defined]
            request.household = current.household if current else None  # type: ignore[attr-defined]
        if request.household is None:  # type: ignore[attr-defined]
            return self.get_response(request)
        # Pages show times at home unless they say otherwise.
        with timezone.override(request.household.zone):  # type: ignore[attr-defined]
            return self.get_response(request)
