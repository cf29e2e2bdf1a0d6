from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import check
from homefront.access import get_trip
from homefront.access import may
from homefront.access import member_required
from homefront.access import requires
from homefront.core.conditional import conditional_page
from homefront.debrief.analysis import debrief
from homefront.debrief.analysis import new_foods_tried
from homefront.debrief.analysis import suggest_next_step
from homefront.debrief.forms import GoalForm
from homefront.debrief.forms import ReflectionForm
from homefront.debrief.models import Reflection
from homefront.debrief.photos import trip_in_photos
from homefront.households import access as household_access
from homefront.households.access import MemberRequest
from homefront.households.models import Child
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.validators import validate_plain_text
from homefront.prep.models import TemplateItem
from homefront.prep.planning import unneeded_suggestions
from homefront.trips.access import get_goal
from homefront.trips.charts import nights_chart
from homefront.trips.models import MAX_NIGHTS
from homefront.trips.models import Goal
from homefront.trips.models import Trip
from homefront.ui.forms import posted


@member_required
@conditional_page
def debrief_page(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.READ_TRIP)
    reflection = Reflection.objects.filter(trip=trip).first() or Reflection(trip=trip)
    form = ReflectionForm(posted(request), instance=reflection)
    if request.method == "POST":
        check(actor_of(request), Action.EDIT_TRIP, trip)
        if form.is_valid():
            form.instance.updated_by = request.user
            form.save()
            messages.success(request, _("Reflection saved."))
            return redirect("debrief:trip", pk=trip.pk)
    report = debrief(trip, timezone.now())
    parents = [
        m.user
        for m in Membership.objects.in_household(request.household)
        .filter(role=Role.PARENT)
        .select_related("user")
    ]
    for task in report.tasks:
        # The prep row shows who it was for, as on the prep page and after an htmx tap.
        task.who_name = task.who_label(trip, parents)  # type: ignore[attr-defined]
    return render(
        request,
        "debrief/debrief.html",
        {
            "trip": trip,
            "report": report,
            "form": form,
            "reflection": reflection if reflection.pk else None,
            "may_edit_trip": may(actor_of(request), Action.EDIT_TRIP, trip),
            "photo_days": trip_in_photos(trip),
        },
        status=422 if form.errors else 200,
    )


@requires(Action.READ_INSIGHTS)
@conditional_page
def insights(request: MemberRequest) -> HttpResponse:
    household = request.household
    trips = list(
        Trip.objects.in_household(household)
        .active()
        .filter(ends_at__lte=timezone.now())
        .select_related("traveller", "household")
        .order_by("starts_at")
    )
    parents = [
        m.user
        for m in Membership.objects.in_household(household)
        .filter(role=Role.PARENT)
        .select_related("user")
    ]
    charts = [
        (
            parent,
            nights_chart([t for t in trips if t.traveller_id == parent.pk]),
            [t for t in trips if t.traveller_id == parent.pk],
        )
        for parent in parents
    ]
    children = list(Child.objects.in_household(household).prefetch_related("foods"))
    suggestions = unneeded_suggestions(household)
    unneeded = list(TemplateItem.objects.in_household(household).filter(pk__in=suggestions))
    all_trips = list(Trip.objects.in_household(household).active().select_related("household"))
    today = household.today()
    goals = [
        goal
        for goal in Goal.objects.in_household(household)
        .filter(dropped_at__isnull=True, first_night__gte=today - timedelta(days=MAX_NIGHTS))
        .select_related("traveller")
        if goal.last_night >= today
    ]
    own = [t for t in all_trips if t.traveller_id == request.user.pk] or all_trips
    next_step = suggest_next_step(own, all_trips, goals, today)
    return render(
        request,
        "debrief/insights.html",
        {
            "charts": [(p, c, t) for p, c, t in charts if t],
            "unneeded": unneeded,
            "new_foods": new_foods_tried(trips, children),
            "next_step": next_step,
            "goals": goals,
            "goal_form": GoalForm(household=household, initial={"traveller": request.user.pk}),
        },
    )


@requires(Action.EDIT_PROFILE)
@require_POST
def add_food_like(request: MemberRequest, pk: int) -> HttpResponse:
    child = household_access.get_child(request, pk)
    food = request.POST.get("food", "").strip()[:100]
    try:
        validate_plain_text(food)
    except ValidationError as problem:
        messages.error(request, problem.messages[0])
        return redirect(reverse("debrief:insights") + "#new-foods")
    if not food:
        messages.error(request, _("Which food?"))
    elif child.foods.filter(name__iexact=food).exists():
        messages.success(
            request,
            _("%(food)s is already on %(child)s's list.") % {"food": food, "child": child.name},
        )
    else:
        Food.objects.create(child=child, name=food, kind=FoodKind.LIKE)
        messages.success(
            request,
            _("%(food)s added to what %(child)s likes.") % {"food": food, "child": child.name},
        )
    return redirect(reverse("debrief:insights") + "#new-foods")


@requires(Action.PLAN_TRIPS)
@require_POST
def set_goal(request: MemberRequest) -> HttpResponse:
    form = GoalForm(request.POST, household=request.household)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            _("Goal set: %(goal)s. It is on the family calendar.") % {"goal": form.instance},
        )
        return redirect(reverse("debrief:insights") + "#next-step")
    for field, problems in form.errors.items():
        for problem in problems:
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else ''} {problem}".strip(),
            )
    return redirect(reverse("debrief:insights") + "#next-step")


@requires(Action.PLAN_TRIPS)
@require_POST
def drop_goal(request: MemberRequest, pk: int) -> HttpResponse:
    goal = get_goal(request, pk)
    Goal.objects.filter(pk=goal.pk).update(dropped_at=timezone.now())
    messages.success(request, _("Goal dropped."))
    return redirect(reverse("debrief:insights") + "#next-step")
