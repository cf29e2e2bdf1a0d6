"""The journal as the away parent reads it, a page at a time in the zone they choose, and
an entry changed afterwards: edited with its history, deleted, restored, and each of them
refused with the other person's version when someone changed it first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.http import HttpResponse
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import get_trip
from homefront.access import may_edit_entry
from homefront.access import member_required
from homefront.core.conditional import conditional_page
from homefront.core.decorators import secret_page
from homefront.households.access import MemberRequest
from homefront.journal import changes
from homefront.journal.forms import EntryForm
from homefront.journal.models import RESTORE_DAYS
from homefront.journal.models import JournalEntry
from homefront.trips.models import Trip
from homefront.ui.forms import posted

PAGE_SIZE = 50


@member_required
@secret_page
@conditional_page
def timeline(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.READ_TRIP)
    zone_choice = request.GET.get(
        "zone", "away" if trip.destination_zone != trip.household.time_zone else "home"
    )
    zone = trip.destination_zone if zone_choice == "away" else trip.household.time_zone
    page = (
        JournalEntry.objects.alive()
        .filter(trip=trip)
        .select_related("author", "share_link", "medicine", "comfort_task")
        .prefetch_related("children", "photos")
        .order_by("-occurred_at", "-pk")
    )
    before = request.GET.get("before", "")
    if before:
        moment, _sep, entry_id = before.partition("|")
        try:
            cursor_time = datetime.fromisoformat(moment)
            cursor_id = int(entry_id)
        except ValueError:
            raise Http404("No such page.") from None
        page = page.filter(
            Q(occurred_at__lt=cursor_time) | Q(occurred_at=cursor_time, pk__lt=cursor_id)
        )
    shown = list(page[: PAGE_SIZE + 1])
    more = len(shown) > PAGE_SIZE
    shown = shown[:PAGE_SIZE]
    next_cursor = f"{shown[-1].occurred_at.isoformat()}|{shown[-1].pk}" if more else ""
    context = {
        "trip": trip,
        "entries": shown,
        "zone": zone,
        "zone_choice": zone_choice,
        "next_cursor": next_cursor,
        "first_page": not before,
    }
    if request.htmx and request.GET.get("part") == "latest":  # type: ignore[attr-defined]
        return render(request, "journal/timeline.html#entries", context)
    return render(request, "journal/timeline.html", context)


# -- Editing, with history and conflicts ------------------------------------------------


def _editable_entry(request: MemberRequest, pk: int) -> JournalEntry:
    entry = get_object_or_404(
        JournalEntry.objects.in_household(request.household).select_related("trip__household"),
        pk=pk,
    )
    get_trip(request, entry.trip_id, Action.READ_TRIP)  # 404 unless the trip is theirs to see
    if not may_edit_entry(actor_of(request), entry):
        raise PermissionDenied("Only the person who logged it or a parent can change it.")
    return entry


def _as_sent(entry: JournalEntry) -> QueryDict:
    """The entry as its edit form sends it."""
    data = QueryDict(mutable=True)
    data["occurred_at"] = timezone.localtime(entry.occurred_at).strftime("%Y-%m-%dT%H:%M")
    data.setlist("children", [str(child.pk) for child in entry.children.all()])
    data["text"] = entry.text
    data["version"] = str(entry.version)
    return data


@member_required
@secret_page
def edit_entry(request: MemberRequest, pk: int) -> HttpResponse:
    entry = _editable_entry(request, pk)
    form = EntryForm(posted(request), entry=entry)
    if request.method == "POST" and form.is_valid():
        outcome = changes.edit(
            entry,
            form.cleaned_data["version"],
            occurred_at=form.cleaned_data["occurred_at"],
            children=list(form.cleaned_data["children"]),
            text=form.cleaned_data["text"],
            by=str(request.user),
        )
        if outcome is changes.Outcome.DONE:
            messages.success(request, _("Entry saved."))
            return redirect("journal:timeline", pk=entry.trip_id)
        return _conflict(request, entry)
    return _edit_page(request, entry, form, status=422 if form.errors else 200)


def _conflict(
    request: MemberRequest, entry: JournalEntry, *, deleting: bool = False
) -> HttpResponse:
    """The entry as it is now, after someone else changed it since the page was opened."""
    entry.refresh_from_db()
    if entry.deleted_at is not None:
        return _deleted_page(
            request,
            entry.trip,
            status=409,
            conflict="Someone else deleted this entry while you were editing it; nothing "
            "of yours was saved. Restore it below to change it again.",
        )
    # Their version, with its version number, so a change made again can be saved.
    form = EntryForm(_as_sent(entry), entry=entry, stale=not deleting)
    form.is_valid()
    conflict = (
        "Someone else changed this entry after you opened it, so it was not deleted. "
        "Below is their version. Delete it again if it should still go."
        if deleting
        else "Someone else changed this entry while you were editing. Below is their "
        "version; nothing of yours was saved."
    )
    return _edit_page(request, entry, form, status=409, conflict=conflict)


def _edit_page(
    request: MemberRequest, entry: JournalEntry, form: EntryForm, *, status: int, conflict: str = ""
) -> HttpResponse:
    return render(
        request,
        "journal/edit_entry.html",
        {"entry": entry, "form": form, "conflict": conflict, "changes": entry.changes.all()[:20]},
        status=status,
    )


def _changed(
    request: MemberRequest, pk: int, change: Callable[..., changes.Outcome]
) -> tuple[JournalEntry, changes.Outcome]:
    """The entry the request may change, and the outcome of `change` at the version its
    page showed."""
    entry = _editable_entry(request, pk)
    return entry, change(entry, changes.sent_version(request.POST), by=str(request.user))


@member_required
@require_POST
def delete_entry(request: MemberRequest, pk: int) -> HttpResponse:
    entry, outcome = _changed(request, pk, changes.delete)
    if outcome is changes.Outcome.CONFLICT:
        return _conflict(request, entry, deleting=True)
    messages.success(
        request, _("Entry deleted. You can restore it for %(days)s days.") % {"days": RESTORE_DAYS}
    )
    return redirect(reverse("journal:deleted", args=[entry.trip_id]))


@member_required
@require_POST
def restore_entry(request: MemberRequest, pk: int) -> HttpResponse:
    entry, outcome = _changed(request, pk, changes.restore)
    if outcome is changes.Outcome.TOO_LATE:
        messages.error(
            request, f"Deleted more than {RESTORE_DAYS} days ago: it can no longer be restored."
        )
        return redirect(reverse("journal:deleted", args=[entry.trip_id]))
    if outcome is changes.Outcome.CONFLICT:
        return _deleted_page(
            request,
            entry.trip,
            status=409,
            conflict="Someone else changed this entry after you opened this page, so it was "
            "not restored. Below is how it is now. Restore it again if it should come back.",
        )
    if outcome is changes.Outcome.DONE:
        messages.success(request, _("Entry restored."))
    return redirect("journal:timeline", pk=entry.trip_id)


@member_required
@secret_page
def deleted_entries(request: MemberRequest, pk: int) -> HttpResponse:
    return _deleted_page(request, get_trip(request, pk, Action.READ_TRIP))


def _deleted_page(
    request: MemberRequest, trip: Trip, *, status: int = 200, conflict: str = ""
) -> HttpResponse:
    cutoff = timezone.now() - timedelta(days=RESTORE_DAYS)
    deleted = list(
        JournalEntry.objects.filter(trip=trip, deleted_at__gte=cutoff)
        .select_related("author", "share_link")
        .prefetch_related("children")
        .order_by("-deleted_at")
    )
    return render(
        request,
        "journal/deleted.html",
        {"trip": trip, "entries": deleted, "conflict": conflict},
        status=status,
    )
