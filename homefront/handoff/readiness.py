"""What a departure on an hour's notice needs, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from homefront.handoff.models import GoBagItem
from homefront.households.models import Child, Contact, ContactRole, Household, RoutineKind

REVIEW_EVERY = timedelta(days=90)
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
            "A backup caregiver with a phone number",
            bool(backups),
            f"First to call: {backups[0].name}, {backups[0].phone}"
            if backups
            else "Nobody to call yet.",
            reverse("households:contact_create"),
            "Add a backup caregiver",
        ),
        Check(
            "A doctor",
            bool(doctors),
            doctors[0].name if doctors else "No doctor in the contacts.",
            reverse("households:contact_create"),
            "Add the doctor",
        ),
        Check(
            "Bedtime and meal routines for each child",
            bool(children) and not no_routine,
            "Missing for " + ", ".join(no_routine)
            if no_routine
            else ("Set." if children else "No children yet."),
            reverse("households:profile"),
            "Fill in routines",
        ),
        Check(
            "Allergies and medicines confirmed in the last 90 days",
            bool(children) and not unreviewed,
            "To confirm: " + ", ".join(unreviewed) if unreviewed else "Confirmed.",
            reverse("handoff:readiness") + "#review",
            "Confirm them",
        ),
        Check(
            "Go-bag packed",
            bool(go_bag) and not bag_missing,
            "Missing: " + ", ".join(bag_missing) if bag_missing else "Ready.",
            reverse("handoff:readiness") + "#go-bag",
            "Pack it",
        ),
        Check(
            "Emergency card printed",
            household.emergency_card_printed_at is not None,
            f"Printed {household.emergency_card_printed_at:%-d %b %Y}."
            if household.emergency_card_printed_at
            else "Not printed yet.",
            reverse("handoff:emergency_card"),
            "Print the card",
        ),
    ]


def score(checks: list[Check]) -> int:
    return round(100 * sum(check.ok for check in checks) / len(checks))
