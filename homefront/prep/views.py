from __future__ import annotations

from collections import Counter
from itertools import groupby

from django.contrib import messages
from django.db.models import Count
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import get_trip
from homefront.access import may
from homefront.access import member_required
from homefront.access import requires
from homefront.access import visible_trips
from homefront.core.conditional import conditional_page
from homefront.households.access import MemberRequest
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.prep import access
from homefront.prep.forms import PackingItemForm
from homefront.prep.forms import PrepTaskForm
from homefront.prep.forms import TemplateItemForm
from homefront.prep.models import Category
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.prep.models import TemplateItem
from homefront.prep.planning import unneeded_suggestions
from homefront.trips.models import Trip
from homefront.trips.models import TripKind
from homefront.trips.models import TripState
from homefront.ui.forms import posted
from homefront.ui.views import edit_and_delete_views
from homefront.ui.views import edit_page


def _parents(request: MemberRequest) -> list:
    return [
        m.user
        for m in Membership.objects.in_household(request.household)
        .filter(role=Role.PARENT)
        .select_related("user")
    ]


@member_required
@conditional_page
def trip_prep(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.READ_TRIP)
    tasks = list(trip.prep_tasks.all())
    per_day = request.household.prep_tasks_per_day
    load = Counter(task.due_on for task in tasks)
    parents = _parents(request)
    for task in tasks:
        task.who_name = task.who_label(trip, parents)
    days = [(day, list(group)) for day, group in groupby(tasks, key=lambda t: t.due_on)]
    done = sum(1 for task in tasks if task.done)
    return render(
        request,
        "prep/trip_prep.html",
        {
            "trip": trip,
            "days": days,
            "done": done,
            "total": len(tasks),
            "crowded_days": []
            if trip.kind == TripKind.SHORT_NOTICE
            else sorted(day for day, count in load.items() if count > per_day),
            "per_day": per_day,
            "today": request.household.today(),
            "is_back": trip.state() == TripState.BACK,
            "may_edit_trip": may(actor_of(request), Action.EDIT_TRIP, trip),
        },
    )


@member_required
@conditional_page
def prep_today(request: MemberRequest) -> HttpResponse:
    """Today's prep across every coming trip, with what is overdue, and how far each trip is."""
    today = request.household.today()
    trips = list(
        visible_trips(actor_of(request), Trip.objects.all())
        .active()
        .filter(ends_at__gt=timezone.now())
        .select_related("traveller", "household")
        .annotate(
            task_count=Count("prep_tasks"),
            done_count=Count("prep_tasks", filter=Q(prep_tasks__done_at__isnull=False)),
        )
        .order_by("starts_at")
    )
    trips = [trip for trip in trips if trip.local_start.date() >= today]
    tasks = list(
        PrepTask.objects.filter(trip__in=trips, due_on__lte=today)
        .filter(Q(done_at__isnull=True) | Q(due_on=today))
        .select_related("trip__traveller", "trip__household")
    )
    parents = _parents(request)
    for task in tasks:
        task.who_name = task.who_label(task.trip, parents)
    overdue = [t for t in tasks if t.due_on < today and not t.done]
    return render(
        request,
        "prep/today.html",
        {
            "today": today,
            "due_today": [t for t in tasks if t.due_on == today],
            "overdue": overdue,
            "trips": trips,
            "editable_trips": {
                trip.pk for trip in trips if may(actor_of(request), Action.EDIT_TRIP, trip)
            },
        },
    )


def _task_row(request: MemberRequest, task: PrepTask) -> HttpResponse:
    """The ticked row, and the trip's progress out of band, so both change without a reload."""
    task.who_name = task.who_label(task.trip, _parents(request))  # type: ignore[attr-defined]
    counts = PrepTask.objects.filter(trip=task.trip).aggregate(
        total=Count("pk"), done=Count("pk", filter=Q(done_at__isnull=False))
    )
    row = render_to_string(
        "prep/trip_prep.html#task",
        {
            "task": task,
            "trip": task.trip,
            "is_back": task.trip.state() == TripState.BACK,
            "back": request.POST.get("back", ""),
            "may_edit_trip": may(actor_of(request), Action.EDIT_TRIP, task.trip),
        },
        request=request,
    )
    progress = render_to_string(
        "prep/trip_prep.html#progress", {"trip": task.trip, "oob": True, **counts}, request=request
    )
    return HttpResponse(row + progress)


@member_required
@require_POST
def tick_task(request: MemberRequest, pk: int) -> HttpResponse:
    """Idempotent, so two people ticking at once both see it done and nobody sees an error."""
    task = access.get_task(request, pk, Action.TICK_PREP)
    if request.POST.get("done") == "0":
        PrepTask.objects.filter(pk=task.pk).update(done_at=None, done_by=None)
    else:
        PrepTask.objects.filter(pk=task.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=request.user
        )
    task.refresh_from_db(fields=["done_at", "done_by"])
    if request.htmx:  # type: ignore[attr-defined]
        return _task_row(request, task)
    back = request.POST.get("back", "")
    # A path of this site only: `redirect()` would read "a:b" as a URL name to reverse.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("prep:trip", args=[task.trip_id])
    return redirect(back)


@member_required
@require_POST
def mark_needed(request: MemberRequest, pk: int) -> HttpResponse:
    task = access.get_task(request, pk, Action.EDIT_TRIP)
    answer = request.POST.get("needed", "")
    task.needed = {"yes": True, "no": False}.get(answer)
    task.save(update_fields=["needed"])
    if request.htmx:  # type: ignore[attr-defined]
        return _task_row(request, task)
    return redirect(reverse("prep:trip", args=[task.trip_id]) + f"#task-{task.pk}")


@member_required
def task_create(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.EDIT_TRIP)
    form = PrepTaskForm(posted(request), trip=trip, initial={"due_on": request.household.today()})
    return edit_page(
        request,
        form,
        title=_("Add a prep task"),
        back=reverse("prep:trip", args=[trip.pk]),
        saved=_("Task added."),
    )


task_edit, task_delete = edit_and_delete_views(
    lambda request, pk: access.get_task(request, pk, Action.EDIT_TRIP),
    lambda data, instance: PrepTaskForm(data, instance=instance, trip=instance.trip),
    guard=member_required,
    title=lambda task: _("Edit prep task"),
    back=lambda task: reverse("prep:trip", args=[task.trip_id]),
    delete_url="prep:task_delete",
    what=lambda task: f"“{task}”",
)


@member_required
@conditional_page
def packing(request: MemberRequest, pk: int) -> HttpResponse:
    trip = get_trip(request, pk, Action.READ_TRIP)
    return _packing_page(request, trip, PackingItemForm())


@member_required
@require_POST
def packing_add(request: MemberRequest, pk: int) -> HttpResponse:
    """Adds to this trip's list; the traveller's next trip starts from this list."""
    trip = get_trip(request, pk, Action.EDIT_TRIP)
    form = PackingItemForm(request.POST, instance=PackingItem(trip=trip))
    if not form.is_valid():
        return _packing_page(request, trip, form)
    last = trip.packing_items.order_by("-position").first()
    form.instance.position = (last.position + 1) if last else 0
    form.save()
    return redirect("prep:packing", pk=trip.pk)


def _packing_page(request: MemberRequest, trip: Trip, form: PackingItemForm) -> HttpResponse:
    items = list(trip.packing_items.all())
    nights = trip.nights
    for item in items:
        item.count = item.quantity(nights)
    return render(
        request,
        "prep/packing.html",
        {
            "trip": trip,
            "items": items,
            "form": form,
            "packed": sum(1 for item in items if item.packed),
            "may_edit_trip": may(actor_of(request), Action.EDIT_TRIP, trip),
        },
        status=422 if form.errors else 200,
    )


@member_required
@require_POST
def toggle_packed(request: MemberRequest, pk: int) -> HttpResponse:
    item = access.get_packing_item(request, pk, Action.EDIT_TRIP)
    PackingItem.objects.filter(pk=item.pk).update(packed=request.POST.get("packed") != "0")
    item.refresh_from_db(fields=["packed"])
    if request.htmx:  # type: ignore[attr-defined]
        item.count = item.quantity(item.trip.nights)  # type: ignore[attr-defined]
        return render(
            request,
            "prep/packing.html#item",
            {"item": item, "trip": item.trip, "may_edit_trip": True},
        )
    return redirect("prep:packing", pk=item.trip_id)


@member_required
@require_POST
def remove_packing_item(request: MemberRequest, pk: int) -> HttpResponse:
    item = access.get_packing_item(request, pk, Action.EDIT_TRIP)
    item.delete()
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponse("")
    return redirect("prep:packing", pk=item.trip_id)


@requires(Action.READ_PROFILE)
def template(request: MemberRequest) -> HttpResponse:
    items = list(
        TemplateItem.objects.in_household(request.household).annotate(
            needed_count=Count("tasks", filter=Q(tasks__needed=True)),
            not_needed_count=Count("tasks", filter=Q(tasks__needed=False)),
        )
    )
    suggestions = unneeded_suggestions(request.household)
    for item in items:
        item.suggest_dropping = item.pk in suggestions
    order = list(Category.values)
    items.sort(
        key=lambda item: (order.index(item.category), -item.days_before, item.position, item.pk)
    )
    groups = [
        (Category(category).label, list(group))
        for category, group in groupby(items, key=lambda item: item.category)
    ]
    return render(request, "prep/template.html", {"groups": groups})


@requires(Action.EDIT_PROFILE)
def template_item_create(request: MemberRequest) -> HttpResponse:
    last = TemplateItem.objects.in_household(request.household).order_by("-position").first()
    form = TemplateItemForm(
        posted(request),
        instance=TemplateItem(
            household=request.household, position=(last.position + 1) if last else 0
        ),
    )
    return edit_page(
        request,
        form,
        title=_("Add to the checklist"),
        back=reverse("prep:template"),
        saved=_("Added."),
    )


template_item_edit, template_item_delete = edit_and_delete_views(
    access.get_template_item,
    TemplateItemForm,
    guard=requires(Action.EDIT_PROFILE),
    title=lambda item: _("Edit “%(title)s”") % {"title": item.title},
    back=lambda item: reverse("prep:template"),
    delete_url="prep:template_item_delete",
    what=lambda item: f"“{item}”",
    saved=gettext_lazy("Saved. Trips planned from now on use it."),
)


@requires(Action.EDIT_PROFILE)
@require_POST
def make_optional(request: MemberRequest, pk: int) -> HttpResponse:
    """Takes up the suggestion for an item that keeps proving unnecessary."""
    item = access.get_template_item(request, pk)
    item.essential = False
    item.save(update_fields=["essential"])
    messages.success(request, _("“%(title)s” is optional now.") % {"title": item.title})
    return redirect("prep:template")
