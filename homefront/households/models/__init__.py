"""The household's models, one module per concept; every name is importable from here, as
Django and the migrations expect (`from homefront.households.models import Child`)."""

# The child's photo lives in its own module (its bytes, its serving); Django learns of
# the model here, with the app's others.
from homefront.households.child_photo import ChildPhoto
from homefront.households.models.child import Child, ChildScopedQuerySet, age_label
from homefront.households.models.contact import (
    Contact,
    ContactQuerySet,
    ContactRole,
    PhoneTreeChanged,
)
from homefront.households.models.fields import NAME_LENGTH, NOTE_LENGTH, long_text
from homefront.households.models.food import Food, FoodKind, Severity
from homefront.households.models.house_note import HouseNote, HouseNoteQuerySet
from homefront.households.models.household import (
    Household,
    HouseholdQuerySet,
    HouseholdScopedQuerySet,
    Membership,
    MembershipQuerySet,
    Role,
    new_data_version,
)
from homefront.households.models.invitation import Invitation, InvitationQuerySet, hash_token
from homefront.households.models.medicine import Medicine
from homefront.households.models.routine import (
    EVERY_DAY,
    SCHOOL_DAYS,
    Routine,
    RoutineKind,
    Weekday,
)

__all__ = [
    "EVERY_DAY",
    "NAME_LENGTH",
    "NOTE_LENGTH",
    "SCHOOL_DAYS",
    "Child",
    "ChildPhoto",
    "ChildScopedQuerySet",
    "Contact",
    "ContactQuerySet",
    "ContactRole",
    "Food",
    "FoodKind",
    "HouseNote",
    "HouseNoteQuerySet",
    "Household",
    "HouseholdQuerySet",
    "HouseholdScopedQuerySet",
    "Invitation",
    "InvitationQuerySet",
    "Medicine",
    "Membership",
    "MembershipQuerySet",
    "PhoneTreeChanged",
    "Role",
    "Routine",
    "RoutineKind",
    "Severity",
    "Weekday",
    "age_label",
    "hash_token",
    "long_text",
    "new_data_version",
]
