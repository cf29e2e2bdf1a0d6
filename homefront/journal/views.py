"""The quick log, for a member and through a share link: an entry in a tap or two, the
offline queue's sync, and the installable app's manifest and service worker."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import act_as_share_link
from homefront.access import get_trip
from homefront.access import member_required
from homefront.core import ratelimit
from homefront.core.conditional import conditional_page
from homefront.core.decorators import kept_offline_until
from homefront.core.decorators import secret_page
from homefront.handoff.models import ShareLink
from homefront.households.access import MemberRequest
from homefront.households.models import Child
from homefront.journal import entries
from homefront.journal.medicines import doses_today
from homefront.journal.models import ALL_DETAIL_KEYS
from homefront.journal.models import DETAIL_CHOICES
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.journal.models import kinds_for_the_page
from homefront.trips.models import Trip

MAX_SYNC_BYTES = 1_000_000


@dataclass(frozen=True)
class LogContext:
    """Where a quick-log page sends its entries, for a member or a share link."""

    trip: Trip
    author: entries.Author
    log_url: str
    sync_url: str
    manifest_url: str
    token: str = ""


def _member_context(request: MemberRequest, pk: int) -> LogContext:
    trip = get_trip(request, pk, Action.LOG_JOURNAL)
    return LogContext(
        trip=trip,
        author=entries.Author(user=request.user),
        log_url=reverse("journal:log", args=[trip.pk]),
        sync_url=reverse("journal:sync", args=[trip.pk]),
        manifest_url=reverse("journal:manifest", args=[trip.pk]),
    )


def journal_words() -> dict[str, object]:
    """What journal.js writes on the quick log, in the page's language (read through
    json_script); %(name)s placeholders are filled in by the script. The kinds' labels
    come with their detail keys (models.kinds_for_the_page)."""
    return {
        "names": _("%(some)s and %(last)s"),
        "for": _("%(what)s for %(children)s"),
        "new_food": _("New food: %(food)s"),
        "given": _("%(medicine)s given"),
        "logged": _("Logged: %(entry)s"),
        "all_sent": _("All sent"),
        "waiting": _("%(count)s waiting to send"),
        "waiting_blocked": _("%(error)s Entries waiting on this phone: %(count)s."),
        "offline": _("offline, they go when you are back online"),
        "unreachable": _("the server cannot be reached, trying again shortly"),
        "elsewhere": _("(and %(count)s from another log page or another person, sent from there)"),
        "dismiss": _("Dismiss"),
        "not_logged": _("Not logged: %(entry)s at %(time)s. %(reasons)s"),
        "not_logged_again": _("Not logged again: %(entry)s at %(time)s. %(reasons)s"),
        "signed_out": _("You are signed out: sign in again on this phone to send what you logged."),
        "refused": _("The server refused the entries: reload this page, or sign in again."),
        "closed": _("This trip's journal is no longer open to you."),
        "server_problem": _("The server had a problem; trying again shortly."),
        "refused_status": _("The server refused the entries (%(status)s)."),
    }


class TooManyGuesses(Exception):
    """This address sent too many dead share links this minute."""


def _find_link(request: HttpRequest, token: str) -> ShareLink | None:
    """The live link of a token; a dead one (forged, expired, revoked) counts against the
    address's share-link budget, which the brief's opens spend too."""
    if ratelimit.SHARE_LINKS.spent(request):
        raise TooManyGuesses()
    link = ShareLink.find(token)
    if link is None:
        # Guessers at once all pass `spent` at 29; the count decides who was over.
        if not ratelimit.SHARE_LINKS.spend(request):
            raise TooManyGuesses()
    else:
        act_as_share_link(request, link)
    return link


def _link_context(token: str, link: ShareLink | None) -> LogContext:
    if link is None:
        raise Http404("This link does not work.")
    return LogContext(
        trip=link.trip,
        author=entries.Author(share_link=link),
        log_url=reverse("journal:shared_log", args=[token]),
        sync_url=reverse("journal:shared_sync", args=[token]),
        manifest_url=reverse("journal:shared_manifest", args=[token]),
        token=token,
    )


def _children(trip: Trip, request: HttpRequest) -> tuple[list[Child], list[Child]]:
    """All the family's children, and those chosen on this page (all by default)."""
    children = list(
        Child.objects.filter(household_id=trip.household_id)
        .select_related("household")
        .prefetch_related("medicines")
    )
    wanted = {part for part in request.GET.get("children", "").split(",") if part.isdecimal()}
    chosen = [child for child in children if str(child.pk) in wanted] or children
    return children, chosen


def _quick_log(request: HttpRequest, context: LogContext, status: int = 200) -> HttpResponse:
    trip = context.trip
    children, chosen = _children(trip, request)
    now = timezone.now()
    recent = list(
        JournalEntry.objects.alive()
        .filter(trip=trip)
        .select_related("author", "share_link", "medicine")
        .prefetch_related("children", "photos")[:5]
    )
    # Times at home, for a share link's visitor too, who has no household to set the zone.
    with timezone.override(trip.household.zone):
        response = render(
            request,
            "journal/quick_log.html",
            {
                "log": context,
                "journal_words": journal_words(),
                "kinds": kinds_for_the_page(),
                "trip": trip,
                "children": children,
                "chosen": chosen,
                "chosen_ids": ",".join(str(c.pk) for c in chosen),
                "doses": doses_today(trip, chosen, now),
                "comfort_tasks": entries.trip_comfort_tasks(trip),
                "recent": recent,
                "closed": entries.logging_closed(trip, now),
                "opens_on": (trip.starts_at - timedelta(days=1))
                if now < trip.starts_at - timedelta(days=1)
                else None,
                "choices": DETAIL_CHOICES,
                "shared": bool(context.token),
                "token": context.token,
                "new_uuid": uuid.uuid4(),
            },
            status=status,
        )
    if context.token:
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "no-referrer"
    return response


def _log_from_form(request: HttpRequest, context: LogContext) -> HttpResponse:
    """The quick log without JavaScript: one entry from a plain form post."""
    data = request.POST
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    children_ids = [int(c) for c in data.getlist("children") if c.isdecimal()]
    details = {key: data[key] for key in ALL_DETAIL_KEYS if data.get(key)}
    sent_uuid = data.get("uuid") or str(uuid.uuid4())
    raw: dict[str, Any] = {
        "uuid": sent_uuid,
        "kind": data.get("kind"),
        "children": children_ids,
        "occurred_at": data.get("occurred_at")
        or _first_logged_at(context.trip, sent_uuid)
        or timezone.now().isoformat(),
        "details": details,
        "text": data.get("text", ""),
    }
    for key in ("medicine", "comfort_task"):
        if data.get(key, "").isdecimal():
            raw[key] = int(data[key])
    [outcome] = entries.store(context.trip, context.author, [raw])
    if outcome.status in ("stored", "duplicate"):
        messages.success(request, _("Logged: %(kind)s.") % {"kind": Kind(raw["kind"]).label})
        if outcome.warning:
            messages.warning(request, outcome.warning)
    else:
        messages.error(request, "Not logged: " + " ".join(outcome.errors.values()))
    query = f"?children={data.get('chosen', '')}" if data.get("chosen") else ""
    return redirect(context.log_url + query)


def _first_logged_at(trip: Trip, sent_uuid: str) -> str | None:
    """A form sent again (a double tap, a reload) is logged at the time it was first sent,
    so it is the same entry, not a conflict."""
    try:
        key = uuid.UUID(sent_uuid)
    except ValueError:
        return None
    entry = JournalEntry.objects.filter(trip=trip, uuid=key).only("occurred_at").first()
    return entry.occurred_at.isoformat() if entry else None


def _sync(request: HttpRequest, context: LogContext) -> JsonResponse:
    """The offline queue's batch: each entry stored once, whatever the retries."""
    try:
        raw = request.body
    except RawPostDataException:  # a form post, read already: not the JSON this takes
        return JsonResponse({"error": "The request is not JSON."}, status=400)
    if len(raw) > MAX_SYNC_BYTES:
        return JsonResponse({"error": "Too much at once: send at most 500 entries."}, status=413)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested past Python's limit
        return JsonResponse({"error": "The request is not JSON."}, status=400)
    batch = body.get("entries") if isinstance(body, dict) else None
    if not isinstance(batch, list):
        return JsonResponse({"error": 'Send {"entries": [...]}.'}, status=400)
    if len(batch) > entries.MAX_BATCH:
        return JsonResponse({"error": "Too much at once: send at most 500 entries."}, status=413)
    outcomes = entries.store(context.trip, context.author, batch)
    return JsonResponse({"results": [outcome.as_json() for outcome in outcomes]})


@member_required
@secret_page
@conditional_page
def quick_log(request: MemberRequest, pk: int) -> HttpResponse:
    context = _member_context(request, pk)
    if request.method == "POST":
        return _log_from_form(request, context)
    return _quick_log(request, context)


@require_POST
@secret_page
def sync(request: HttpRequest, pk: int) -> JsonResponse:
    """JSON in, JSON out: a signed-out phone gets a 401 it can explain, not a login page."""
    if not request.user.is_authenticated or request.membership is None:  # type: ignore[attr-defined]
        return JsonResponse(
            {"error": "You are signed out. Sign in again; what you logged stays on this phone."},
            status=401,
        )
    return _sync(request, _member_context(request, pk))  # type: ignore[arg-type]


@secret_page
def shared_quick_log(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _find_link(request, token)
    except TooManyGuesses:
        response = ratelimit.too_many_requests()
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    context = _link_context(token, link)
    if request.method == "POST":
        return _log_from_form(request, context)
    response = _quick_log(request, context)
    return kept_offline_until(response, link.valid_until) if link else response


@require_POST
@secret_page
def shared_sync(request: HttpRequest, token: str) -> JsonResponse:
    try:
        link = _find_link(request, token)
    except TooManyGuesses:
        response = JsonResponse(
            {
                "error": "Too many tries from here: wait a minute. "
                "What you logged stays on this phone."
            },
            status=429,
        )
        response["Retry-After"] = "60"
        return response
    if link is None:
        # The offline queue keeps its entries and tells the caregiver why.
        return JsonResponse(
            {
                "error": "This link no longer works. Ask a parent for a new one; "
                "what you logged stays on this phone."
            },
            status=410,
        )
    return _sync(request, _link_context(token, link))


def _manifest(start_url: str, name: str) -> JsonResponse:
    static = settings.STATIC_URL
    return JsonResponse(
        {
            "name": name,
            "short_name": "Homefront log",
            "start_url": start_url,
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0f766e",
            "icons": [
                {
                    "src": f"{static}homefront/icon-192.png",
                    "sizes": "192x192",
                    "type": "image/png",
                },
                {
                    "src": f"{static}homefront/icon-512.png",
                    "sizes": "512x512",
                    "type": "image/png",
                },
            ],
        },
        content_type="application/manifest+json",
    )


@member_required
def manifest(request: MemberRequest, pk: int) -> JsonResponse:
    trip = get_trip(request, pk, Action.LOG_JOURNAL)
    return _manifest(
        reverse("journal:log", args=[trip.pk]), f"Log the kids' day — {trip.household.name}"
    )


def shared_manifest(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _find_link(request, token)
    except TooManyGuesses:
        return ratelimit.too_many_requests()
    if link is None:
        raise Http404("This link does not work.")
    return _manifest(reverse("journal:shared_log", args=[token]), "Log the kids' day")


SERVICE_WORKER = Path(__file__).resolve().parent.parent / "static" / "homefront" / "sw.js"


def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from the root so it may look after every page of the site."""
    response = HttpResponse(SERVICE_WORKER.read_bytes(), content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
