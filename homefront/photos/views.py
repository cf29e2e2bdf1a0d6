"""Photos in and out: uploads from the quick log (member and share link) and the photo
itself, only ever through the access policy, never from a public URL."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseNotModified
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import check
from homefront.access import get_trip
from homefront.access import member_required
from homefront.core import ratelimit
from homefront.journal import entries
from homefront.journal import views as journal_views
from homefront.journal.views import TooManyGuesses
from homefront.journal.views import _find_link
from homefront.photos import store
from homefront.photos.models import Photo
from homefront.photos.models import PhotoImage
from homefront.photos.models import Size
from homefront.trips.models import Trip

# A photo's bytes never change under its id; kept in the browser's own cache a while
# (never a shared one), so scrolling back through the timeline costs nothing.
PHOTO_CACHE = "private, max-age=3600"


def image_response(request: HttpRequest, photo: Photo) -> HttpResponse:
    size = Size.THUMBNAIL if request.GET.get("size") == Size.THUMBNAIL else Size.DISPLAY
    image = PhotoImage.objects.filter(photo=photo, size=size).only("sha256", "data").first()
    if image is None:
        raise Http404(_("No such photo."))
    etag = f'"{image.sha256[:32]}"'
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(bytes(image.data), content_type="image/jpeg")
        response["Content-Disposition"] = f'inline; filename="photo-{photo.pk}-{size}.jpg"'
    response["ETag"] = etag
    response["Cache-Control"] = PHOTO_CACHE
    response["X-Content-Type-Options"] = "nosniff"
    return response


@member_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    found = (
        Photo.objects.in_household(actor.household)  # type: ignore[arg-type]
        .shown()
        .select_related("trip__household")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404(_("No such photo."))
    check(actor, Action.READ_TRIP, found.trip)
    return image_response(request, found)


def shared_photo(request: HttpRequest, token: str, pk: int) -> HttpResponse:
    """A photo of the link's trip, as its quick log shows the latest entries."""
    try:
        link = _find_link(request, token)
    except TooManyGuesses:
        return ratelimit.too_many_requests()
    if link is None:
        raise Http404(_("This link does not work."))
    found = Photo.objects.shown().filter(trip=link.trip, pk=pk).first()
    if found is None:
        raise Http404(_("No such photo."))
    check(actor_of_link(request), Action.LOG_JOURNAL, link.trip)
    response = image_response(request, found)
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def actor_of_link(request: HttpRequest) -> Any:
    return request._actor  # type: ignore[attr-defined]  # set by _find_link


# -- Uploads -------------------------------------------------------------------------


def sent_photos(request: HttpRequest) -> list[store.Sent]:
    """The photos of a post: one from the phone's queue, or several from the plain form."""
    data = request.POST
    children = [int(c) for c in data.getlist("children") if c.isdecimal()]
    files = request.FILES.getlist("photo")
    first = data.get("uuid", "") or str(uuid.uuid4())
    result = []
    for index, upload in enumerate(files):
        # The form's one id names the first photo; the others' follow from it, so the
        # same form sent again is the same photos.
        photo_uuid = first if index == 0 else _nth_uuid(first, index)
        result.append(
            store.Sent(
                uuid=photo_uuid,
                upload=upload,
                caption=data.get("caption", "").strip(),
                children=children,
                entry_uuid=data.get("entry", ""),
                taken_at=data.get("taken_at", ""),
            )
        )
    return result


def _nth_uuid(first: str, index: int) -> str:
    try:
        return str(uuid.uuid5(uuid.UUID(first), str(index)))
    except ValueError:
        return first


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def upload(
    request: HttpRequest,
    trip: Trip,
    author: entries.Author,
    back: str,
    log_page: Callable[[], HttpResponse],
) -> HttpResponse:
    """JSON for the phone's queue; for the plain form, back to the quick log, or the quick
    log again with each refusal next to the photo field (422)."""
    sent = sent_photos(request)
    if not sent:
        message = _("Choose a photo first.")
        if wants_json(request):
            return JsonResponse({"error": message}, status=400)
        return refused_page(request, [message], log_page)
    outcomes = [store.store(trip, author, one) for one in sent]
    if wants_json(request):
        return JsonResponse({"results": [outcome.as_json() for outcome in outcomes]})
    kept = sum(outcome.kept for outcome in outcomes)
    if kept:
        messages.success(
            request,
            ngettext("Photo added.", "%(count)d photos added.", kept) % {"count": kept},
        )
    refused = [outcome for outcome in outcomes if not outcome.kept]
    problems = [_("Not added: ") + " ".join(outcome.errors.values()) for outcome in refused]
    if refused and any(set(outcome.errors) != {"when"} for outcome in refused):
        return refused_page(request, problems, log_page)
    # Only the journal's dates said no (not open yet, closed): the quick log says so at
    # the top, where its form is not shown, as it does for entries.
    for problem in problems:
        messages.error(request, problem)
    query = f"?children={request.POST['chosen']}" if request.POST.get("chosen") else ""
    return redirect(back + query + "#photos")


def refused_page(
    request: HttpRequest, problems: list[str], log_page: Callable[[], HttpResponse]
) -> HttpResponse:
    request.photo_problems = problems  # type: ignore[attr-defined]  # read by _photo_form.html
    response = log_page()
    response.status_code = 422
    return response


@member_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.LOG_JOURNAL)
    author = entries.Author(user=actor_of(request).user)
    return upload(
        request,
        trip,
        author,
        reverse("journal:log", args=[trip.pk]),
        lambda: journal_views._quick_log(request, journal_views._member_context(request, pk)),  # type: ignore[arg-type]
    )


@require_POST
def shared_add(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = _find_link(request, token)
    except TooManyGuesses:
        refused = JsonResponse({"error": _("Too many tries from here: wait a minute.")}, status=429)
        refused["Retry-After"] = "60"  # as every other throttled answer says
        return refused
    if link is None:
        return JsonResponse(
            {
                "error": _(
                    "This link no longer works. Ask a parent for a new one; "
                    "your photos stay on this phone."
                )
            },
            status=410,
        )
    check(actor_of_link(request), Action.LOG_JOURNAL, link.trip)

    return upload(
        request,
        link.trip,
        entries.Author(share_link=link),
        reverse("journal:shared_log", args=[token]),
        lambda: journal_views._quick_log(request, journal_views._link_context(token, link)),
    )
