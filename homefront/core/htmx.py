"""htmx requests, through django-htmx's `request.htmx`.

A URL that answers a whole page to a browser and a partial to htmx must say so
with `Vary: HX-Request`, or a cache (the browser's own, on back and forward)
could show the partial as the page. Each view would forget it one day, so the
middleware adds it to every response whose view asked `request.htmx`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import patch_vary_headers
from django_htmx.middleware import HtmxDetails
from django_htmx.middleware import HtmxMiddleware as DjangoHtmxMiddleware


class _NotedHtmxDetails(HtmxDetails):
    """django-htmx's details, noting whether the view asked if htmx sent the request."""

    asked = False

    def __bool__(self) -> bool:
        self.asked = True
        return super().__bool__()


class HtmxMiddleware(DjangoHtmxMiddleware):
    """django-htmx's middleware, and `Vary: HX-Request` where the answer depended on it."""

    async_capable = False

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        details = _NotedHtmxDetails(request)
        request.htmx = details  # type: ignore[attr-defined]
        response = self.get_response(request)
        assert isinstance(response, HttpResponseBase)  # sync only: async_capable is False
        if details.asked:
            patch_vary_headers(response, ("HX-Request",))
        return response
