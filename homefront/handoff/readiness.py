"""What a departure on an hour's notice needs, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from homefront.handoff.models import GoBagItem
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Household
from homefront.households.models import RoutineKind

REVIEW_EVERY = timedelta(days=90)
# A child changes in six months: an older photo or weight no longer describes them, and
# a dose by weight would be wrong.
DESCRIBES_CHILD_FOR = timedelta(days=183)
MEALS = {RoutineKind.BREAKFAST, RoutineKind.LUNCH, RoutineKind.DINNER}


@dataclass(frozen=True)
class Check:
    label: str
    ok: bool
    detail: str
    fix_url: str
    fix_label: str


def readiness(household: Household) -> list[Check]:
    now = timezone.now()
    contacts = list(Contact.objects.in_household(household))
    children = list(Child.objects.in_household(household).prefetch_related("routines"))
    go_bag = list(GoBagItem.objects.in_household(household))
    backups = [c for c in contacts if c.backup_order is not None and c.phone]
    doctors = [c for c in contacts if ContactRole.DOCTOR in c.roles]
    no_routine = [
        child.name
        for child in children
        if not {r.kind for r in child.routines.all()} >= {RoutineKind.BEDTIME}
        or not {r.kind for r in child.routines.all()} & MEALS
    ]
    unreviewed = [
        child.name
        for child in children
        if child.health_reviewed_at is None or now - child.health_reviewed_at > REVIEW_EVERY
    ]
    bag_missing = [item.name for item in go_bag if not item.ready]
    return [
        Check(
            _("A backup caregiver with a phone number"),
            bool(backups),
            _("First to call: %(name)s, %(phone)s")
            % {"name": backups[0].name, "phone": backups[0].phone}
            if backups
            else _("Nobody to call yet."),
            reverse("households:contact_create"),
            _("Add a backup caregiver"),
        ),
        Check(
            _("A doctor"),
            bool(doctors),
            doctors[0].name if doctors else _("No doctor in the contacts."),
            reverse("households:contact_create"),
            _("Add the doctor"),
        ),
        Check(
            _("Bedtime and meal routines for each child"),
            bool(children) and not no_routine,
            _("Missing for %(children)s") % {"children": ", ".join(no_routine)}
            if no_routine
            else (_("Set.") if children else _("No children yet.")),
            reverse("households:profile"),
            _("Fill in routines"),
        ),
        Check(
            _("Allergies and medicines confirmed in the last 90 days"),
            bool(children) and not unreviewed,
            _("To confirm: %(children)s") % {"children": ", ".join(unreviewed)}
            if unreviewed
            else _("Confirmed."),
            reverse("handoff:readiness") + "#review",
            _("Confirm them"),
        ),
        _photo_and_weight(household, children),
        Check(
            _("Go-bag packed"),
            bool(go_bag) and not bag_missing,
            _("Missing: %(items)s") % {"items": ", ".join(bag_missing)}
            if bag_missing
            else _("Ready."),
            reverse("handoff:readiness") + "#go-bag",
            _("Pack it"),
        ),
        Check(
            _("Emergency card printed"),
            household.emergency_card_printed_at is not None,
            _("Printed %(day)s.")
            % {"day": date_format(household.emergency_card_printed_at, _("j M Y"))}
            if household.emergency_card_printed_at
            else _("Not printed yet."),
            reverse("handoff:emergency_card"),
            _("Print the card"),
        ),
    ]


def _photo_and_weight(household: Household, children: list[Child]) -> Check:
    """Each child's photo and weight, taken in the last six months: what describes them
    to a stranger in an emergency, and what a dose is worked out from."""
    today = household.today()
    oldest_photo = timezone.now() - DESCRIBES_CHILD_FOR
    problems: list[tuple[Child, str]] = []
    for child in children:
        if child.photo_updated_at is None:
            problems.append((child, _("no photo of %(name)s") % {"name": child.name}))
        elif child.photo_updated_at < oldest_photo:
            problems.append(
                (child, _("%(name)s's photo is over six months old") % {"name": child.name})
            )
        if child.weight_grams is None or child.measured_on is None:
            problems.append((child, _("no weight for %(name)s") % {"name": child.name}))
        elif child.measured_on < today - DESCRIBES_CHILD_FOR:
            problems.append(
                (
                    child,
                    _("%(name)s was weighed over six months ago (%(date)s)")
                    % {"name": child.name, "date": date_format(child.measured_on, "j M Y")},
                )
            )
    if not children:
        detail = _("No children yet.")
    elif problems:
        said = "; ".join(problem for _child, problem in problems)
        detail = said[:1].upper() + said[1:] + "."
    else:
        detail = _("Up to date.")
    first = problems[0][0] if problems else None
    return Check(
        _("A photo and weight of each child from the last six months"),
        bool(children) and not problems,
        detail,
        reverse("households:child", args=[first.pk]) if first else reverse("households:profile"),
        _("Update %(name)s") % {"name": first.name} if first else _("Add the children"),
    )


def score(checks: list[Check]) -> int:
    return round(100 * sum(check.ok for check in checks) / len(checks))
