"""Importing work trips from a calendar file: upload, preview and choose, confirm.

The file is read once (trips/imports.py) and its candidate events are kept in a
`CalendarImport` row of the household until the parent confirms; then the
ticked events become work trips, keyed by (household, traveller, event UID), so
importing the same file again changes only what the calendar owns (times and place)
and only where the parent did not change it in Homefront: a field both changed is shown
on the confirm page, and the parent's value stays unless they choose the calendar's.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from enum import StrEnum
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction
from django.http import Http404
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from homefront.access import Action
from homefront.access import requires
from homefront.accounts.models import User
from homefront.households.access import MemberRequest
from homefront.households.models import Household
from homefront.households.models import Role
from homefront.trips import access
from homefront.trips.imports import CALENDAR_FIELDS
from homefront.trips.imports import MAX_UPLOAD_BYTES
from homefront.trips.imports import CalendarFileError
from homefront.trips.imports import CandidateEvent
from homefront.trips.imports import Conflict
from homefront.trips.imports import calendar_values
from homefront.trips.imports import merge
from homefront.trips.imports import read_calendar
from homefront.trips.imports import stored_values
from homefront.trips.models import CalendarImport
from homefront.trips.models import Trip
from homefront.trips.models import TripKind
from homefront.ui.forms import AccessibleErrorsMixin
from homefront.ui.views import form_page

# An upload nobody confirmed is forgotten after this long (at the next upload).
KEEP_UNCONFIRMED = timedelta(days=1)
FIELD_NAMES = {
    "starts_at": "departure",
    "ends_at": "return",
    "destination": "place",
    "destination_zone": "time zone there",
}


class CalendarUploadForm(AccessibleErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("Work calendar file (.ics)"),
        help_text=_(
            "In Outlook, Google Calendar or Apple Calendar, export the calendar "
            "as an .ics file (at most 1 MB). Nothing is imported before you choose."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".ics,.ical,.ifb,.icalendar,text/calendar"}
        ),
        error_messages={"required": "Choose the .ics file of your work calendar."},
    )

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.household = household
        self.events: list[CandidateEvent] = []

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(
                "The file is larger than 1 MB. Export a shorter period of the calendar, "
                "for example the coming year.",
                code="too_large",
            )
        upload.seek(0)
        try:
            self.events = read_calendar(upload.read(), self.household.zone)
        except CalendarFileError as error:
            raise ValidationError(str(error), code="not_a_calendar") from error
        if not self.events:
            raise ValidationError(
                "No event in this calendar lasts overnight, so there is nothing to import "
                "as a trip. Trips are only the times a parent is away for the night.",
                code="no_trips",
            )
        return upload


class ImportChoiceForm(AccessibleErrorsMixin, forms.Form):
    traveller = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Whose trips are these?"), empty_label=None
    )
    events = forms.MultipleChoiceField(
        label=_("Events to import as trips"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Tick at least one event to import."},
    )
    # "<trip pk>:<field>" for each conflict where the parent takes the calendar's value.
    take_calendar = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "The trip changed since this page was shown; check it again."
        },
    )

    def __init__(
        self,
        *args: Any,
        household: Household,
        candidates: list[CandidateEvent],
        conflicts: dict[str, list[TripConflict]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        take = self.fields["take_calendar"]
        assert isinstance(take, forms.MultipleChoiceField)
        take.choices = [(c.key, c.label) for found in conflicts.values() for c in found]
        traveller = self.fields["traveller"]
        assert isinstance(traveller, forms.ModelChoiceField)
        traveller.queryset = User.objects.filter(
            memberships__household=household, memberships__role=Role.PARENT
        ).order_by("name")
        events = self.fields["events"]
        assert isinstance(events, forms.MultipleChoiceField)
        events.choices = [(str(i), c.title) for i, c in enumerate(candidates)]
        self.candidates = candidates

    def chosen(self) -> list[CandidateEvent]:
        return [self.candidates[int(i)] for i in self.cleaned_data["events"]]

    def takes_calendar(self, conflict: TripConflict) -> bool:
        return conflict.key in (self["take_calendar"].value() or [])

    def ticked(self, index: int) -> bool:
        if self.is_bound:
            return str(index) in (self["events"].value() or [])
        return self.candidates[index].overnight


@dataclass(frozen=True)
class TripConflict:
    """A conflict of one trip already imported, as the confirm page shows it."""

    trip: Trip
    conflict: Conflict

    @property
    def key(self) -> str:
        return f"{self.trip.pk}:{self.conflict.field}"

    @property
    def label(self) -> str:
        return f"Take the calendar's {FIELD_NAMES[self.conflict.field]}"

    @property
    def what(self) -> str:
        return FIELD_NAMES[self.conflict.field]

    @property
    def yours(self) -> str:
        return _shown(self.conflict.yours)

    @property
    def calendar(self) -> str:
        return _shown(self.conflict.calendar)


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "D j M, g:i A")
    return str(value) or "(none)"


def _trip_values(trip: Trip) -> dict[str, Any]:
    return {name: getattr(trip, name) for name in CALENDAR_FIELDS}


def _conflicts(
    household: Household, candidates: list[CandidateEvent]
) -> dict[str, list[TripConflict]]:
    """For each event, where its trips (one per traveller) were changed both in Homefront
    and in the calendar since the last import."""
    by_uid = {event.uid: event for event in candidates}
    found: dict[str, list[TripConflict]] = {}
    trips = (
        Trip.objects.in_household(household)
        .active()
        .filter(imported_uid__in=by_uid)
        .select_related("traveller")
        .order_by("traveller__name", "pk")
    )
    for trip in trips:
        calendar = calendar_values(by_uid[trip.imported_uid], household.time_zone)
        for conflict in merge(_trip_values(trip), trip.imported_values, calendar).conflicts:
            found.setdefault(trip.imported_uid, []).append(TripConflict(trip, conflict))
    return found


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"


@dataclass
class EventResult:
    event: CandidateEvent
    outcome: Outcome
    trip: Trip | None = None
    reason: str = ""


@requires(Action.PLAN_TRIPS)
@require_http_methods(["GET", "POST"])
def import_upload(request: MemberRequest) -> HttpResponse:
    posted = request.method == "POST"
    form = CalendarUploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        household=request.household,
    )
    if posted and form.is_valid():
        with transaction.atomic():
            CalendarImport.objects.in_household(request.household).filter(
                created_at__lt=timezone.now() - KEEP_UNCONFIRMED
            ).delete()
            calendar_import = CalendarImport.objects.create(
                household=request.household,
                created_by=request.user,
                events=[event.to_json() for event in form.events],
            )
        return redirect("trips:import_confirm", pk=calendar_import.pk)
    return form_page(request, "trips/import_upload.html", form)


@requires(Action.PLAN_TRIPS)
@require_http_methods(["GET", "POST"])
def import_confirm(request: MemberRequest, pk: int) -> HttpResponse:
    calendar_import = access.get_calendar_import(request, pk)
    candidates = [CandidateEvent.from_json(data) for data in calendar_import.events]
    conflicts = _conflicts(request.household, candidates)
    form = ImportChoiceForm(
        request.POST if request.method == "POST" else None,
        household=request.household,
        candidates=candidates,
        conflicts=conflicts,
        initial={"traveller": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        results = _import(
            request.household,
            form.cleaned_data["traveller"],
            form.chosen(),
            calendar_import.pk,
            set(form.cleaned_data["take_calendar"]),
        )
        return render(
            request,
            "trips/import_preview.html",
            {"results": results, "summary": _summary(results)},
        )
    already = _already_imported(request.household, [c.uid for c in candidates])
    rows = [
        {
            "index": index,
            "event": event,
            "ticked": form.ticked(index),
            "already": already.get(event.uid, []),
            "conflicts": [
                (conflict, form.takes_calendar(conflict))
                for conflict in conflicts.get(event.uid, [])
            ],
        }
        for index, event in enumerate(candidates)
    ]
    return form_page(
        request,
        "trips/import_preview.html",
        form,
        {"rows": rows, "calendar_import": calendar_import},
    )


def _summary(results: list[EventResult]) -> str:
    """One line, such as: 2 trips added, 1 updated, 1 not imported (see why below)."""
    counts = Counter(result.outcome for result in results)
    added = counts[Outcome.CREATED]
    parts = [f"{added} trip{'s' if added != 1 else ''} added"]
    parts += [
        f"{counts[outcome]} {label}"
        for outcome, label in (
            (Outcome.UPDATED, "updated"),
            (Outcome.UNCHANGED, "already there"),
            (Outcome.CANCELLED, "left cancelled"),
            (Outcome.SKIPPED, "not imported (see why below)"),
        )
        if counts[outcome]
    ]
    return ", ".join(parts) + "."


def _already_imported(household: Household, uids: list[str]) -> dict[str, list[str]]:
    """Who already has a trip from each event: "Imported before for Pat"."""
    found: dict[str, list[str]] = {}
    trips = (
        Trip.objects.in_household(household)
        .filter(imported_uid__in=uids)
        .select_related("traveller")
        .order_by("traveller__name")
    )
    for trip in trips:
        found.setdefault(trip.imported_uid, []).append(trip.traveller.get_short_name())
    return found


def _import(
    household: Household,
    traveller: User,
    events: list[CandidateEvent],
    import_pk: int,
    take_calendar: set[str],
) -> list[EventResult]:
    """Creates or updates one work trip per event; an event that breaks a trip rule is
    skipped with the reason. All in one transaction, which also uses up the import.

    `take_calendar` holds the conflicts ("<trip pk>:<field>") where the parent chose the
    calendar's value; every other conflict keeps the parent's."""
    with transaction.atomic():
        # Deleting first locks the row: a second confirm of the same upload finds nothing.
        deleted, _counts = CalendarImport.objects.filter(pk=import_pk, household=household).delete()
        if not deleted:
            raise Http404("This import was already done.")
        existing = {
            trip.imported_uid: trip
            for trip in Trip.objects.in_household(household)
            .filter(traveller=traveller, imported_uid__in=[e.uid for e in events])
            .select_related("household", "traveller")
            .select_for_update(of=("self",))
        }
        results = []
        for event in sorted(events, key=lambda e: (e.start, e.uid)):
            trip = existing.get(event.uid)
            if trip is None:
                trip = Trip(
                    household=household,
                    traveller=traveller,
                    kind=TripKind.WORK,
                    imported_uid=event.uid,
                )
                results.append(_create(trip, event, household))
            elif trip.cancelled_at is not None:
                results.append(
                    EventResult(
                        event,
                        Outcome.CANCELLED,
                        trip,
                        "This trip was cancelled in Homefront, so it was left as it is.",
                    )
                )
            else:
                results.append(_update(trip, event, household, take_calendar))
    return results


def _create(trip: Trip, event: CandidateEvent, household: Household) -> EventResult:
    values = calendar_values(event, household.time_zone)
    for name, value in values.items():
        setattr(trip, name, value)
    trip.imported_values = stored_values(values)
    return _save(trip, event, Outcome.CREATED)


def _update(
    trip: Trip, event: CandidateEvent, household: Household, take_calendar: set[str]
) -> EventResult:
    """Takes the calendar's moves where the parent left the field as the calendar last
    said it, and keeps the parent's own changes; says which were kept."""
    calendar = calendar_values(event, household.time_zone)
    plan = merge(_trip_values(trip), trip.imported_values, calendar)
    changes = dict(plan.take)
    kept = [FIELD_NAMES[name] for name in plan.kept]
    for conflict in plan.conflicts:
        if f"{trip.pk}:{conflict.field}" in take_calendar:
            changes[conflict.field] = conflict.calendar
        else:
            kept.append(
                f"{FIELD_NAMES[conflict.field]} (the calendar says {_shown(conflict.calendar)})"
            )
    reason = f"Kept your own {', '.join(kept)}." if kept else ""
    stored = stored_values(calendar)
    if not changes:
        if trip.imported_values != stored:
            # Only the memory of what the calendar said moves: no change a feed must show.
            Trip.objects.filter(pk=trip.pk).update(imported_values=stored)
        return EventResult(event, Outcome.UNCHANGED, trip, reason)
    for name, value in changes.items():
        setattr(trip, name, value)
    trip.imported_values = stored
    # Only these columns: the parent's own fields are never written back from memory.
    result = _save(trip, event, Outcome.UPDATED, [*changes, "imported_values"])
    if result.outcome is Outcome.UPDATED:
        result.reason = reason
    return result


def _save(
    trip: Trip, event: CandidateEvent, outcome: Outcome, update_fields: list[str] | None = None
) -> EventResult:
    try:
        trip.full_clean()
        with transaction.atomic():
            trip.save(update_fields=update_fields)  # an update raises its sequence, for feeds
    except ValidationError as error:
        kept = " The trip stays as it was." if trip.pk else ""
        return EventResult(event, Outcome.SKIPPED, None, " ".join(error.messages) + kept)
    except IntegrityError:
        return EventResult(
            event,
            Outcome.SKIPPED,
            None,
            "Someone changed this trip at the same moment; import the file again.",
        )
    return EventResult(event, outcome, trip)
