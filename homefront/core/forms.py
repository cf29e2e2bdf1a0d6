from __future__ import annotations

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one, so an empty POST is a bound form
    that shows its errors rather than a blank page."""
    return request.POST if request.method == "POST" else None
