from __future__ import annotations

import calendar as month_calendar
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import get_trip
from homefront.access import may
from homefront.access import member_actor
from homefront.access import member_required
from homefront.access import requires
from homefront.core import ratelimit
from homefront.core.conditional import conditional_page
from homefront.core.decorators import secret_page
from homefront.households.access import MemberRequest
from homefront.households.models import Child
from homefront.trips import access
from homefront.trips import guesses
from homefront.trips.calls import call_days
from homefront.trips.charts import nights_chart
from homefront.trips.cover import FamilyNights
from homefront.trips.cover import Night
from homefront.trips.feeds import family_calendar as family_calendar_ics
from homefront.trips.forms import CoverForm
from homefront.trips.forms import TripForm
from homefront.trips.models import CalendarFeed
from homefront.trips.models import Cover
from homefront.trips.models import Goal
from homefront.trips.models import Trip
from homefront.trips.models import TripState
from homefront.ui.forms import posted
from homefront.ui.views import form_page

AGENDA_DAYS = 60


@requires(Action.READ_CALENDAR)
@conditional_page
def trip_list(request: MemberRequest) -> HttpResponse:
    now = timezone.now()
    trips = list(
        Trip.objects.in_household(request.household)
        .active()
        .filter(ends_at__gt=now)
        .select_related("traveller", "household")
    )
    today = request.household.today()
    family = FamilyNights.load(request.household, today, today + timedelta(days=AGENDA_DAYS))
    uncovered = {
        night.night
        for night in family.uncovered_between(today, today + timedelta(days=AGENDA_DAYS))
    }
    rows = [
        (trip, trip.state(now), [n for n in trip.nights_list if n in uncovered]) for trip in trips
    ]
    return render(request, "trips/trip_list.html", {"rows": rows, "to_repeat": _to_repeat(request)})


def _to_repeat(request: MemberRequest) -> list[Trip]:
    """The last few past trips, one per traveller and place: "repeat a past trip"."""
    past = (
        Trip.objects.in_household(request.household)
        .active()
        .filter(ends_at__lte=timezone.now())
        .select_related("traveller", "household")
        .order_by("-starts_at")[:20]
    )
    seen: set[tuple[int, str]] = set()
    chosen: list[Trip] = []
    for trip in past:
        if (trip.traveller_id, trip.destination) not in seen and len(chosen) < 3:
            seen.add((trip.traveller_id, trip.destination))
            chosen.append(trip)
    return chosen


@requires(Action.READ_CALENDAR)
def trip_history(request: MemberRequest) -> HttpResponse:
    past = list(
        Trip.objects.in_household(request.household)
        .active()
        .filter(ends_at__lte=timezone.now())
        .select_related("traveller", "household")
        .order_by("starts_at")
    )
    return render(
        request,
        "trips/history.html",
        {"trips": list(reversed(past)), "chart": nights_chart(past)},
    )


@requires(Action.PLAN_TRIPS)
def trip_create(request: MemberRequest) -> HttpResponse:
    form = TripForm(posted(request), household=request.household, initial=_new_trip(request))
    if request.method == "POST" and form.is_valid():
        trip = form.save()
        messages.success(
            request, f"Trip planned: {trip.nights} night{'s' if trip.nights != 1 else ''} away."
        )
        return redirect("trips:detail", pk=trip.pk)
    return form_page(request, "trips/trip_form.html", form, {"title": _("Plan a trip")})


def _new_trip(request: MemberRequest) -> dict[str, object]:
    """A new trip starts from the past trip asked to repeat, else the traveller's last one."""
    repeat = request.GET.get("repeat", "")
    source = (
        get_trip(request, int(repeat), Action.READ_TRIP)
        if repeat.isdecimal()
        else guesses.last_trip(request.household, request.user.pk)
    )
    if source is None:
        return {"traveller": request.user.pk}
    return guesses.repeated(source, request.household.today())


@requires(Action.PLAN_TRIPS)
@require_GET
def zone_guess(request: MemberRequest) -> HttpResponse:
    """The time-zone box, as the destination typed so far suggests it (htmx)."""
    data = request.GET.copy()
    zones = {place.zone for place in guesses.zone_candidates(data.get("destination", ""))}
    if len(zones) == 1:
        data["destination_zone"] = zones.pop()
    form = TripForm(data, household=request.household)
    return render(request, "trips/trip_form.html#zone-field", {"form": form})


@member_required
def trip_edit(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.EDIT_TRIP)
    form = TripForm(posted(request), instance=trip, household=request.household)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Trip saved."))
        return redirect("trips:detail", pk=trip.pk)
    return form_page(request, "trips/trip_form.html", form, {"title": _("Edit trip"), "trip": trip})


@member_required
@require_POST
def trip_cancel(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.EDIT_TRIP)
    if trip.cancelled_at is None:
        trip.cancelled_at = timezone.now()
        trip.save(update_fields=["cancelled_at"])
        messages.success(request, _("Trip cancelled."))
    return redirect("trips:list")


@member_required
@conditional_page
def trip_detail(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.READ_TRIP)
    actor = actor_of(request)
    may_edit_trip = may(actor, Action.EDIT_TRIP, trip)
    nights = _trip_nights(trip)
    children = list(
        Child.objects.in_household(request.household)
        .select_related("household")
        .prefetch_related("routines")
    )
    return render(
        request,
        "trips/trip_detail.html",
        {
            "trip": trip,
            "state": trip.state(),
            "nights": nights,
            "uncovered": [n for n in nights if n.uncovered],
            "cover_form": CoverForm(household=request.household, traveller_id=trip.traveller_id)
            if may_edit_trip
            else None,
            "call_days": call_days(trip, children) if trip.destination_zone else [],
            "zones_differ": trip.destination_zone != request.household.time_zone,
            "may_read_brief": may(actor, Action.READ_BRIEF, trip),
            "may_edit_trip": may_edit_trip,
        },
    )


def _trip_nights(trip: Trip) -> list[Night]:
    dates = trip.nights_list
    if not dates or trip.cancelled_at:
        return []
    family = FamilyNights.load(trip.household, dates[0], dates[-1])
    return [n for n in (family.night(d) for d in dates) if n is not None]


@member_required
@require_POST
def set_cover(request: MemberRequest, pk: int, night: str) -> HttpResponse:
    trip = get_trip(request, pk, Action.EDIT_TRIP)
    try:
        night_date = date.fromisoformat(night)
    except ValueError:
        raise Http404("No such night.") from None
    if night_date not in trip.nights_list:
        raise Http404("The traveller is not away that night.")
    form = CoverForm(request.POST, household=request.household, traveller_id=trip.traveller_id)
    error = None
    if form.is_valid():
        try:
            member, contact = form.chosen()
        except ValidationError as problem:
            error = str(problem.messages[0])
        else:
            with transaction.atomic():
                Cover.objects.in_household(request.household).filter(night=night_date).delete()
                if member or contact:
                    Cover.objects.create(
                        household=request.household,
                        night=night_date,
                        member=member,
                        contact=contact,
                    )
    else:
        error = str(form.errors["adult"][0])
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        return redirect(reverse("trips:detail", args=[trip.pk]) + f"#night-{night}")
    # The whole nights section comes back, so the uncovered warning above the
    # rows stays true.
    nights = _trip_nights(trip)
    return render(
        request,
        "trips/trip_detail.html#nights",
        {
            "trip": trip,
            "nights": nights,
            "uncovered": [n for n in nights if n.uncovered],
            "cover_form": CoverForm(household=request.household, traveller_id=trip.traveller_id),
            "cover_error": error,
            "error_night": night_date,
        },
        status=422 if error else 200,
    )


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    trips: list[Trip]
    night: Night | None
    goals: list[Goal] = field(default_factory=list)


@requires(Action.READ_CALENDAR)
@conditional_page
def family_calendar(
    request: MemberRequest, year: int | None = None, month: int | None = None
) -> HttpResponse:
    today = request.household.today()
    year, month = year or today.year, month or today.month
    if not (1 <= month <= 12 and 1900 < year < 3000):
        raise Http404("No such month.")
    weeks = month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    agenda_end = today + timedelta(days=AGENDA_DAYS)
    family = FamilyNights.load(request.household, min(first, today), max(last, agenda_end))
    zone = request.household.zone
    colour_of = {parent.pk: index % 6 for index, parent in enumerate(family.parents)}
    for trip in family.trips:
        trip.colour = colour_of.get(trip.traveller_id, 5)  # type: ignore[attr-defined]

    def trips_on(day: date) -> list[Trip]:
        return [
            trip
            for trip in family.trips
            if trip.starts_at.astimezone(zone).date() <= day <= trip.ends_at.astimezone(zone).date()
        ]

    goals = list(
        Goal.objects.in_household(request.household)
        .filter(dropped_at__isnull=True, first_night__lte=max(last, agenda_end))
        .select_related("traveller")
    )

    def goals_on(day: date) -> list[Goal]:
        return [goal for goal in goals if goal.covers(day)]

    grid = [
        [
            CalendarDay(day, day.month == month, trips_on(day), family.night(day), goals_on(day))
            for day in week
        ]
        for week in weeks
    ]
    agenda = [
        CalendarDay(day, True, trips_on(day), family.night(day), goals_on(day))
        for day in (today + timedelta(days=n) for n in range(AGENDA_DAYS))
    ]
    agenda = [entry for entry in agenda if entry.trips or entry.night or entry.goals]
    previous = date(year, month, 1) - timedelta(days=1)
    following = date(year, month, 28) + timedelta(days=7)
    return render(
        request,
        "trips/calendar.html",
        {
            "month": date(year, month, 1),
            "weeks": grid,
            "agenda": agenda,
            "today": today,
            "previous": previous,
            "following": following,
            "state_away": TripState.AWAY,
        },
    )


@requires(Action.KEEP_OWN_ACCESS)
@secret_page
def feeds(request: MemberRequest) -> HttpResponse:
    """The member's private calendar addresses: make one, see when it was used, revoke it."""
    links = None
    if request.method == "POST":
        _feed, token = CalendarFeed.issue(request.household, request.user)
        https = request.build_absolute_uri(reverse("trips:feed", args=[token]))
        links = {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}
    return render(
        request,
        "trips/feeds.html",
        {
            "links": links,
            "feeds": CalendarFeed.objects.in_household(request.household)
            .filter(user=request.user, revoked_at__isnull=True)
            .order_by("-created_at"),
        },
    )


@requires(Action.KEEP_OWN_ACCESS)
@require_POST
def revoke_feed(request: MemberRequest, pk: int) -> HttpResponse:
    feed = access.get_feed(request, pk)
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    messages.success(request, _("That calendar address no longer works."))
    return redirect("trips:feeds")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """Public by design: the unguessable token is the credential. Unknown, revoked
    or tampered tokens all get the same bare 404, and spend the address's budget as a
    dead share link does; a working address never counts, since a calendar service
    fetches the feeds of many households from one address."""
    if ratelimit.CALENDAR_FEEDS.spent(request):
        return ratelimit.too_many_requests()
    feed = CalendarFeed.find(token)
    if feed is None or not may(member_actor(feed.household, feed.user_id), Action.READ_CALENDAR):
        # Guessers at once all pass `spent` at 29; the count decides who was over.
        if not ratelimit.CALENDAR_FEEDS.spend(request):
            return ratelimit.too_many_requests()
        raise Http404()
    feed.note_read(timezone.now())
    response = HttpResponse(
        family_calendar_ics(feed.household), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="homefront.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
