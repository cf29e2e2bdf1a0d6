"""Conditional GET, and pages kept under the household's data version.

A signed-in page depends on the household's data (its version, households/versions.py),
on who asks (member, role), how (language, time zone, whole page or htmx part, the
browser's CSRF secret in its forms), the address, the release, and the clock (to the
minute: no page shows seconds, and "tonight", "away now" and the sensitive notes' window
turn with it). `@conditional_page` makes a tag of all of that before the view runs:

- a request whose `If-None-Match` holds the tag gets `304 Not Modified`, not rendered;
- a page rendered for the tag is kept in the shared cache (Redis on a hosted service),
  so the next request with the same tag, on any app server, is answered from it;
- and in the process that rendered or fetched it (`NearbyPages`), so that process answers
  it again without the shared cache's round trip. What a tag names never changes, so a
  copy in one process cannot go stale while the others move on.

A tag can never match another household's page, another member's or an older version's,
and a forged or stale `If-None-Match` just gets the page. A version is never reused
(versions.py), so nothing kept can be older than what the database holds. Pages showing
a flash message are neither answered 304 nor kept.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseNotModified
from django.utils import timezone
from django.utils import translation
from django.utils.cache import patch_vary_headers

from homefront.access import actor_of
from homefront.households.versions import versions_of

View = Callable[..., HttpResponse]

# Long enough for a family's phones to come back to a page; a page under a version
# nobody asks for any more just ages out.
KEPT_SECONDS = 3600
REVALIDATE = "private, no-cache"  # kept by the browser, but asked about each time
# What one process holds of the kept pages: a few hundred pages of 10 to 40 KB.
NEARBY_BYTES = 8 * 1024 * 1024
_release: list[str] = []


def release() -> str:
    """A digest of the code, templates and static manifest this process serves: a deploy
    never answers with a page an older release rendered, on any server of the same one."""
    if not _release:
        root = Path(__file__).resolve().parent.parent
        digest = hashlib.sha256()
        for path in sorted(root.rglob("*")):
            if path.suffix in (".py", ".html", ".txt") and "tests" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
        manifest = Path(str(settings.STATIC_ROOT or "")) / "staticfiles.json"
        if settings.STATIC_ROOT and manifest.exists():
            digest.update(manifest.read_bytes())
        _release.append(digest.hexdigest()[:16])
    return _release[0]


def _has_messages(request: HttpRequest) -> bool:
    """A flash message waits for this request (cookie or session storage)."""
    if request.COOKIES.get("messages"):
        return True
    session = getattr(request, "session", None)
    return session is not None and "_messages" in session


def page_tag(request: HttpRequest) -> str | None:
    """The page's tag as the request stands, or None when it must not be conditional."""
    membership = getattr(request, "membership", None)
    csrf = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    if membership is None or not csrf or _has_messages(request):
        return None
    return _tag(request, membership, f"csrf:{csrf}")


def api_tag(request: HttpRequest, token_id: int, versions: dict[int, int]) -> str:
    """An API answer's tag: the token's member and household; the token in place of the
    browser (a read token and a write token of one member see the same, but apart).
    `versions` is the household's, read with the token."""
    return _tag(request, request.membership, f"token:{token_id}", versions)  # type: ignore[attr-defined]


def _tag(
    request: HttpRequest, membership: Any, client: str, versions: dict[int, int] | None = None
) -> str:
    if versions is None:
        memberships = getattr(request, "memberships", None) or [membership]
        if membership not in memberships:  # an API token's member, not the session's
            memberships = [membership]
        versions = versions_of(m.household_id for m in memberships)  # the switcher too
    parts = (
        release(),
        str(membership.household_id),
        repr(sorted(versions.items())),
        str(membership.pk),
        actor_of(request).role,
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
        hashlib.sha256(client.encode()).hexdigest(),
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        str(int(time.time() // 60)),
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def matches(request: HttpRequest, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return any(tag.strip() == etag for tag in sent.split(","))


def not_modified(etag: str, cache_control: str) -> HttpResponseNotModified:
    response = HttpResponseNotModified()
    response["ETag"] = etag
    response["Cache-Control"] = cache_control
    patch_vary_headers(response, ("HX-Request",))
    return response


Kept = tuple[bytes, list[tuple[str, str]]]


class NearbyPages:
    """The kept pages this process used last, up to a size: a hosted service's app server
    answers a page again without asking Redis, as a box answers it without its database.
    Safe to share between a worker's threads."""

    def __init__(self, most_bytes: int) -> None:
        self.most_bytes = most_bytes
        self.bytes = 0
        self.pages: OrderedDict[str, Kept] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, tag: str) -> Kept | None:
        with self.lock:
            page = self.pages.get(tag)
            if page is not None:
                self.pages.move_to_end(tag)
            return page

    def put(self, tag: str, page: Kept) -> None:
        size = len(page[0])
        if size > self.most_bytes:
            return
        with self.lock:
            if tag in self.pages:
                return
            self.pages[tag] = page
            self.bytes += size
            while self.bytes > self.most_bytes:
                _, dropped = self.pages.popitem(last=False)
                self.bytes -= len(dropped[0])

    def clear(self) -> None:
        with self.lock:
            self.pages.clear()
            self.bytes = 0


nearby = NearbyPages(NEARBY_BYTES)


def kept(tag: str) -> HttpResponse | None:
    if not settings.KEEP_PAGES:
        return None
    page = nearby.get(tag)
    if page is None:
        page = cache.get(f"page:{tag}")
        if page is None:
            return None
        nearby.put(tag, page)
    content, headers = page
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def keep_page(tag: str, response: HttpResponse) -> None:
    if not settings.KEEP_PAGES:
        return
    headers = [(name, value) for name, value in response.items() if name.lower() != "set-cookie"]
    page = (response.content, headers)
    nearby.put(tag, page)
    cache.set(f"page:{tag}", page, KEPT_SECONDS)


def _showed_messages(request: HttpRequest) -> bool:
    storage: Any = getattr(request, "_messages", None)
    if storage is None:
        return False
    return bool(storage._queued_messages) or bool(getattr(storage, "_loaded_data", None))


def conditional_page(view: View | None = None, *, keep: bool = True) -> Any:
    """A signed-in page answered `304` when unchanged, and kept in the shared cache under
    its tag (`keep=False` for a page whose render costs less than keeping it)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            tag = page_tag(request)
            if tag is None:
                return view(request, *args, **kwargs)
            etag = f'W/"{tag}"'
            if matches(request, etag):
                return not_modified(etag, REVALIDATE)  # @secret_page, outside, says no-store
            response = kept(tag) if keep else None
            if response is None:
                response = view(request, *args, **kwargs)
                if response.status_code != 200 or response.streaming or _showed_messages(request):
                    return response
                response.setdefault("Cache-Control", REVALIDATE)
                response["ETag"] = etag
                if getattr(getattr(request, "htmx", None), "asked", False):
                    # core/htmx.py adds it too, but after this: the kept copy needs it.
                    patch_vary_headers(response, ("HX-Request",))
                if keep:
                    keep_page(tag, response)
            return response

        wrapper.conditional = True  # type: ignore[attr-defined]
        return wrapper

    return decorate(view) if view is not None else decorate
