"""View decorators shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpResponse

View = Callable[..., HttpResponse]

NOT_KEPT = "private, no-store"


def secret_page(view: View) -> View:
    """A page holding the family's secrets (a brief, a code, the kids' day): no cache keeps
    it, neither a proxy's nor the browser's, so the back button after logging out, or the
    next person at a shared computer, finds nothing. Only the service worker keeps the
    quick log for offline use, and drops it at logout."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> HttpResponse:
        response = view(*args, **kwargs)
        response["Cache-Control"] = NOT_KEPT
        return response

    return wrapper
