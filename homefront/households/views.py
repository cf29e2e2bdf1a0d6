"""The household profile: the children with their routines, foods and medicines, the
contacts and their phone tree, and the house notes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.forms import ModelForm
from django.http import HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from homefront.access import Action
from homefront.access import actor_of
from homefront.access import check
from homefront.access import may
from homefront.access import member_required
from homefront.access import requires
from homefront.core.conditional import conditional_page
from homefront.core.decorators import secret_page
from homefront.households import access
from homefront.households.access import MemberRequest
from homefront.households.forms import ChildForm
from homefront.households.forms import ChildPhotoForm
from homefront.households.forms import ContactForm
from homefront.households.forms import FoodForm
from homefront.households.forms import HouseNoteForm
from homefront.households.forms import MedicineForm
from homefront.households.forms import RoutineForm
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import FoodKind
from homefront.households.models import Household
from homefront.households.models import HouseNote
from homefront.households.models import PhoneTreeChanged
from homefront.households.schedule import day_plan
from homefront.households.several_children import for_several_children
from homefront.ui.forms import posted
from homefront.ui.views import View
from homefront.ui.views import edit_and_delete_views
from homefront.ui.views import edit_page

# A child grows: a weight or photo older than this no longer describes them.
OUT_OF_DATE = timedelta(days=183)

# -- The household profile ------------------------------------------------------


def _notes(request: MemberRequest) -> Any:
    actor = actor_of(request)
    return HouseNote.objects.shown(
        request.household, sensitive=may(actor, Action.READ_SENSITIVE_NOTES)
    )


def _children_with_profile(household: Household) -> Any:
    return (
        Child.objects.in_household(household)
        .select_related("household")
        .prefetch_related("routines", "foods", "medicines")
    )


@requires(Action.READ_PROFILE)
@conditional_page
def profile(request: MemberRequest) -> HttpResponse:
    household: Household = request.household
    return render(
        request,
        "households/profile.html",
        {
            "children": list(Child.objects.in_household(household).select_related("household")),
            "contacts": list(Contact.objects.in_household(household)),
            "notes": list(_notes(request)),
            "today": household.today(),
        },
    )


@requires(Action.READ_PROFILE)
def at_a_glance(request: MemberRequest) -> HttpResponse:
    household: Household = request.household
    children = list(_children_with_profile(household))
    allergies = [
        (child, food)
        for child in children
        for food in child.foods.all()
        if food.kind == FoodKind.ALLERGY
    ]
    return render(
        request,
        "households/glance.html",
        {
            "children": children,
            "allergies": allergies,
            "contacts": list(Contact.objects.in_household(household)),
            "notes": list(_notes(request)),
            "today": household.today(),
        },
    )


@requires(Action.READ_PROFILE)
@conditional_page
def today(request: MemberRequest) -> HttpResponse:
    household: Household = request.household
    day = household.today()
    children = list(
        Child.objects.in_household(household)
        .select_related("household")
        .prefetch_related("routines", "medicines")
    )
    return render(
        request,
        "households/today.html",
        {"day": day, "plans": [(child, day_plan(child, day)) for child in children]},
    )


@requires(Action.READ_PROFILE)
def child_detail(request: MemberRequest, pk: int) -> HttpResponse:
    return child_page(request, access.get_child(request, pk))


def child_page(
    request: MemberRequest, child: Child, *, photo_form: Any = None, status: int = 200
) -> HttpResponse:
    today = child.household.today()
    return render(
        request,
        "households/child_detail.html",
        {
            "child": child,
            "routines": list(child.routines.all()),
            "foods": list(child.foods.all()),
            "medicines": list(child.medicines.all()),
            "today": today,
            "photo_form": photo_form or ChildPhotoForm(),
            "measured_long_ago": child.measured_on is not None
            and child.measured_on < today - OUT_OF_DATE,
        },
        status=status,
    )


def _instance_in(
    form_class: type[ModelForm], request: MemberRequest, **instance_fields: Any
) -> ModelForm:
    instance = form_class._meta.model(**instance_fields)
    return form_class(posted(request), instance=instance)


# Whole sentences per thing of the household, as each language words them (titles, then
# the note); an edit's title names the thing as %(name)s or %(title)s.
HOUSEHOLD_WORDS = {
    "child": (
        gettext_lazy("Add a child"),
        gettext_lazy("Edit %(name)s"),
        gettext_lazy("Child added."),
    ),
    "contact": (
        gettext_lazy("Add a contact"),
        gettext_lazy("Edit %(name)s"),
        gettext_lazy("Contact added."),
    ),
    "note": (
        gettext_lazy("Add a house note"),
        gettext_lazy("Edit “%(title)s”"),
        gettext_lazy("Note added."),
    ),
}


def _household_thing_views(
    form_class: type[ModelForm],
    getter: Any,
    noun: str,
    *,
    back: Callable[[Any], str] = lambda thing: reverse("households:profile"),
    what: Callable[[Any], str] = str,
) -> tuple[View, View, View]:
    """Create, edit and delete views for one kind of thing of the household's profile;
    after a delete, the profile."""
    add, edit_title, added = HOUSEHOLD_WORDS[noun]

    @requires(Action.EDIT_PROFILE)
    def create(request: MemberRequest) -> HttpResponse:
        return edit_page(
            request,
            _instance_in(form_class, request, household=request.household),
            title=str(add),
            back=reverse("households:profile"),
            saved=str(added),
        )

    edit, delete = edit_and_delete_views(
        getter,
        form_class,
        guard=requires(Action.EDIT_PROFILE),
        title=lambda thing: edit_title % {"name": thing, "title": thing},
        back=back,
        back_after_delete=lambda thing: reverse("households:profile"),
        delete_url=f"households:{noun}_delete",
        what=what,
    )
    return create, edit, delete


child_create, child_edit, child_delete = _household_thing_views(
    ChildForm,
    access.get_child,
    "child",
    back=lambda child: reverse("households:child", args=[child.pk]),
)


# Whole sentences per kind of thing, as each language words them (titles, then the note).
CHILD_PART_WORDS = {
    "routine": (
        gettext_lazy("Add a routine for %(name)s"),
        gettext_lazy("Edit a routine of %(name)s"),
        gettext_lazy("Routine added."),
    ),
    "food": (
        gettext_lazy("Add a food for %(name)s"),
        gettext_lazy("Edit a food of %(name)s"),
        gettext_lazy("Food added."),
    ),
    "medicine": (
        gettext_lazy("Add a medicine for %(name)s"),
        gettext_lazy("Edit a medicine of %(name)s"),
        gettext_lazy("Medicine added."),
    ),
}


def _child_part_views(
    form_class: type[ModelForm], getter: Any, noun: str, url_prefix: str
) -> tuple[Any, Any, Any]:
    """Create, edit and delete views for one kind of thing that belongs to a child."""

    @requires(Action.EDIT_PROFILE)
    def create(request: MemberRequest, child_pk: int) -> HttpResponse:
        child = access.get_child(request, child_pk)
        return edit_page(
            request,
            _instance_in(for_several_children(form_class), request, child=child),
            title=CHILD_PART_WORDS[noun][0] % {"name": child.name},
            back=reverse("households:child", args=[child.pk]),
            saved=str(CHILD_PART_WORDS[noun][2]),
        )

    edit, delete = edit_and_delete_views(
        getter,
        form_class,
        guard=requires(Action.EDIT_PROFILE),
        title=lambda part: CHILD_PART_WORDS[noun][1] % {"name": part.child.name},
        back=lambda part: reverse("households:child", args=[part.child_id]),
        delete_url=f"households:{url_prefix}_delete",
    )
    return create, edit, delete


routine_create, routine_edit, routine_delete = _child_part_views(
    RoutineForm, access.get_routine, "routine", "routine"
)
food_create, food_edit, food_delete = _child_part_views(FoodForm, access.get_food, "food", "food")
medicine_create, medicine_edit, medicine_delete = _child_part_views(
    MedicineForm, access.get_medicine, "medicine", "medicine"
)


@requires(Action.EDIT_PROFILE)
def contact_create(request: MemberRequest) -> HttpResponse:
    instance = Contact(household=request.household)
    # From a trip's nights: a backup caregiver, and back to the same night once saved.
    initial = {"roles": [ContactRole.BACKUP]} if request.GET.get("backup") else {}
    form = ContactForm(posted(request), instance=instance, initial=initial)
    back = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("households:profile")
    return edit_page(
        request,
        form,
        title=str(HOUSEHOLD_WORDS["contact"][0]),
        back=back,
        saved=str(HOUSEHOLD_WORDS["contact"][2]),
    )


# Not `_household_thing_views`: a contact has its own create view, as it may be added
# from a trip's nights.
contact_edit, contact_delete = edit_and_delete_views(
    access.get_contact,
    ContactForm,
    guard=requires(Action.EDIT_PROFILE),
    title=lambda contact: HOUSEHOLD_WORDS["contact"][1] % {"name": contact},
    back=lambda contact: reverse("households:profile"),
    delete_url="households:contact_delete",
)


@requires(Action.EDIT_PROFILE)
@require_POST
def contact_move_up(request: MemberRequest, pk: int) -> HttpResponse:
    """Swaps a backup caregiver with the one called before them in the phone tree."""
    contact = access.get_contact(request, pk)
    household: Household = request.household
    # The page sends the phone tree as it showed it: a move made on an older view of it
    # (someone else moved, added or removed a backup since) moves nothing.
    seen = [int(pk) for pk in request.POST.getlist("tree") if pk.isdecimal() and len(pk) < 19]
    conflict = ""
    try:
        contact.move_up(seen)
    except PhoneTreeChanged:
        conflict = PHONE_TREE_CHANGED
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "households/profile.html#contacts",
            {"contacts": list(Contact.objects.in_household(household)), "conflict": conflict},
        )
    if conflict:
        messages.error(request, conflict)
    return redirect("households:profile")


PHONE_TREE_CHANGED = (
    "Someone else changed the phone tree while you were looking at it, so nothing was "
    "moved. Here it is as it stands now: move again if it is still needed."
)


note_create, note_edit, note_delete = _household_thing_views(
    HouseNoteForm, access.get_house_note, "note", what=lambda note: f"“{note.title}”"
)


@member_required
@secret_page
def note_reveal(request: MemberRequest, pk: int) -> HttpResponse:
    """Shows a sensitive note's text; the same visibility rule as the lists."""
    note = access.get_house_note(request, pk)
    if note.sensitive:
        check(actor_of(request), Action.READ_SENSITIVE_NOTES)
    template = "profile.html#note_text" if request.htmx else "note_reveal.html"  # type: ignore[attr-defined]
    return render(request, f"households/{template}", {"note": note, "revealed": True})
