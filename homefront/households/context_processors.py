from __future__ import annotations

from django.http import HttpRequest


def current_household(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "household": getattr(request, "household", None),
        "memberships": getattr(request, "memberships", []),
        "is_parent": bool(membership and membership.is_parent),
    }
