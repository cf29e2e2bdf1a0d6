"""The household's models, one module per concept; every name is importable from here, as
Django and the migrations expect (`from homefront.households.models import Child`)."""

# The child's photo lives in its own module (its bytes, its serving); Django learns of
# the model here, with the app's others.
from homefront.households.child_photo import ChildPhoto
from homefront.households.models.child import Child
from homefront.households.models.child import ChildScopedQuerySet
from homefront.households.models.child import age_label
from homefront.households.models.contact import Contact
from homefront.households.models.contact import ContactQuerySet
from homefront.households.models.contact import ContactRole
from homefront.households.models.contact import PhoneTreeChanged
from homefront.households.models.fields import NAME_LENGTH
from homefront.households.models.fields import NOTE_LENGTH
from homefront.households.models.fields import long_text
from homefront.households.models.food import Food
from homefront.households.models.food import FoodKind
from homefront.households.models.food import Severity
from homefront.households.models.house_note import HouseNote
from homefront.households.models.house_note import HouseNoteQuerySet
from homefront.households.models.household import Household
from homefront.households.models.household import HouseholdQuerySet
from homefront.households.models.household import HouseholdScopedQuerySet
from homefront.households.models.household import Membership
from homefront.households.models.household import MembershipQuerySet
from homefront.households.models.household import Role
from homefront.households.models.household import new_data_version
from homefront.households.models.invitation import Invitation
from homefront.households.models.invitation import InvitationQuerySet
from homefront.households.models.invitation import hash_token
from homefront.households.models.medicine import Medicine
from homefront.households.models.routine import EVERY_DAY
from homefront.households.models.routine import SCHOOL_DAYS
from homefront.households.models.routine import Routine
from homefront.households.models.routine import RoutineKind
from homefront.households.models.routine import Weekday

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
