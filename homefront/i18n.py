"""Whose language a page, a PDF or a message speaks.

A signed-in person's pages follow their account's language (empty: their browser's
Accept-Language); a share link's pages follow the language the parent chose for that
link; a message follows its recipient's (notify/drafts.py). Anything unknown, in a header,
a setting or a stored row, falls back to English without an error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import datetime
from datetime import time

from django.conf import settings
from django.http import HttpRequest
from django.http import HttpResponse
from django.utils import formats
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.functional import lazy
from django.utils.translation import gettext


def supported(code: str | None) -> str | None:
    """The language Homefront speaks for a code ('es-MX' → 'es'), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def or_default(code: str | None) -> str:
    return supported(code) or settings.LANGUAGE_CODE


def use(request: HttpRequest, code: str | None) -> None:
    """From here on this request speaks `code` (an unknown one: English)."""
    language = or_default(code)
    translation.activate(language)
    request.LANGUAGE_CODE = language


def is_right_to_left(code: str) -> bool:
    return translation.get_language_info(or_default(code))["bidi"]


class LanguageMiddleware:
    """The account's language, else the browser's; share-link views switch to the link's
    (access.act_as_share_link). The language is put back after the response, so a thread
    never carries one request's language into the next."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None else ""
        try:
            use(request, supported(chosen) or translation.get_language_from_request(request))
            response = self.get_response(request)
            if not chosen:
                patch_vary_headers(response, ["Accept-Language"])
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            translation.deactivate()
        return response


def lazy_text(message: str | Promise, **values: object) -> str:
    """`message % values`, put into words only when it is read: in the language active then.

    A message planned once for several people (notify/plan/) is said in each one's
    language when it is made for them. `message` is a gettext_lazy/ngettext_lazy string;
    values may be lazy too (`lazy_time`, `lazy_day`)."""

    def render() -> str:
        said = {k: str(v) if isinstance(v, Promise) else v for k, v in values.items()}
        return str(message % said) if said else str(message)

    return lazy(render, str)()


def _time(moment: datetime | time) -> str:
    # Translators choose the clock: "g:i A" (2:30 PM) in English, "H:i" (14:30) elsewhere.
    return formats.time_format(moment, gettext("g:i A"))


def _day(day: date | datetime) -> str:
    return formats.date_format(day, gettext("D j M"))


lazy_time = lazy(_time, str)
lazy_day = lazy(_day, str)
