from __future__ import annotations

from django.http import HttpRequest

from homefront import access


def current_household(request: HttpRequest) -> dict[str, object]:
    actor = access.actor_of(request)
    return {
        "membership": getattr(request, "membership", None),
        "household": getattr(request, "household", None),
        "memberships": getattr(request, "memberships", []),
        "actor": actor,
        "may": access.Permissions(actor),
    }
