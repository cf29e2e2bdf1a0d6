"""View decorators shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from functools import wraps
from typing import Any

from django.http import HttpResponse

View = Callable[..., HttpResponse]

NOT_KEPT = "private, no-store"


def secret_page(view: View) -> View:
    """A page holding the family's secrets (a brief, a code, the kids' day): no cache keeps
    it, neither a proxy's nor the browser's, so the back button after logging out, or the
    next person at a shared computer, finds nothing. Only the service worker keeps the
    quick log and the brief for offline use, and drops them at logout."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> HttpResponse:
        response = view(*args, **kwargs)
        response["Cache-Control"] = NOT_KEPT
        return response

    return wrapper


# The service worker (static/homefront/sw.js) drops a kept page once this moment has
# passed, even on a phone that no connection reaches to hear that the link is gone.
KEEP_UNTIL = "Homefront-Keep-Until"


def kept_offline_until(response: HttpResponse, until: datetime) -> HttpResponse:
    response[KEEP_UNTIL] = until.astimezone(UTC).isoformat()
    return response
