from __future__ import annotations

import hashlib
import secrets
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any, Self
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homefront.accounts.member_cache import forget_members
from homefront.households import measurements
from homefront.households.measurements import Units
from homefront.households.validators import parse_times, validate_phone, validate_time_zone

if TYPE_CHECKING:
    from homefront.accounts.models import User

NAME_LENGTH = 100
NOTE_LENGTH = 2000


def new_data_version() -> int:
    """A household's first data version: random, so no two households' histories meet."""
    return secrets.randbits(40)


def long_text(max_length: int = NOTE_LENGTH, **kwargs: Any) -> models.TextField:
    """A free-text field whose limit holds for the model, the forms and the API."""
    return models.TextField(
        blank=True, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )


class HouseholdScopedQuerySet(models.QuerySet):
    household_path = "household"

    def in_household(self, household: Household) -> Self:
        return self.filter(**{self.household_path: household})


class ChildScopedQuerySet(HouseholdScopedQuerySet):
    household_path = "child__household"


class HouseholdQuerySet(models.QuerySet):
    """A household is part of each signed-in member's cached copy (accounts/member_cache.py):
    an `update()`, which sends no signal, forgets its members' copies."""

    def update(self, **kwargs: Any) -> int:
        forget_members(
            Membership.objects.filter(household__in=self.values("pk")).values_list(
                "user_id", flat=True
            )
        )
        return super().update(**kwargs)


class MembershipQuerySet(HouseholdScopedQuerySet):
    """Memberships are cached with their user (accounts/member_cache.py): an `update()` or a
    `bulk_create()`, which send no signal, forget the users they touch."""

    def update(self, **kwargs: Any) -> int:
        forget_members(self.values_list("user_id", flat=True))
        return super().update(**kwargs)

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Membership]:
        made = super().bulk_create(objs, *args, **kwargs)
        forget_members(membership.user_id for membership in made)
        return made


class Household(models.Model):
    name = models.CharField(max_length=NAME_LENGTH)
    time_zone = models.CharField(
        _("home time zone"),
        max_length=64,
        validators=[validate_time_zone],
        help_text=_("Where the children live. Times of routines are in this zone."),
    )
    prep_tasks_per_day = models.PositiveSmallIntegerField(
        _("prep tasks a day"),
        default=3,
        validators=[
            MinValueValidator(1, _("At least one task a day.")),
            MaxValueValidator(10, "At most 10 a day: the point is a calm plan."),
        ],
        help_text=_("The most preparation Homefront plans for one day before a trip."),
    )
    units = models.CharField(
        "units for weight and height",
        max_length=8,
        choices=Units.choices,
        default=Units.METRIC,
        help_text=_("Pages show both; this is the one you type and see first."),
    )
    emergency_card_printed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # Moves with every write to the household's data, only through households/versions.py.
    data_version = models.BigIntegerField(default=new_data_version, editable=False)

    objects = HouseholdQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A copy of the household loaded before a write (a cached member's) must never
        # put an older version back: saves leave the column to versions.bump().
        if self.pk is not None and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "data_version"
            ]
        super().save(*args, **kwargs)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def today(self) -> date:
        return timezone.localdate(timezone=self.zone)


class Role(models.TextChoices):
    PARENT = "parent", _("Parent")
    CAREGIVER = "caregiver", _("Caregiver")


class Membership(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["household", "user"], name="one_membership_per_user"),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="membership_role_is_known"
            ),
        ]
        ordering = ["role", "joined_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.household}"

    @property
    def is_parent(self) -> bool:
        return self.role == Role.PARENT

    def is_last_parent(self) -> bool:
        return (
            self.is_parent
            and not Membership.objects.filter(household_id=self.household_id, role=Role.PARENT)
            .exclude(pk=self.pk)
            .exists()
        )


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(HouseholdScopedQuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A single-use link that makes whoever opens it a member with the given role.

    Only a hash of the token is stored, so a leaked database cannot be turned
    into working invitations.
    """

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=16, choices=Role.choices)
    invitee = models.CharField(
        "who is it for?",
        max_length=NAME_LENGTH,
        blank=True,
        help_text=_("Only for your list, e.g. “Grandma Ruth”."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation to {self.household} as {self.role}"

    @classmethod
    def issue(
        cls, household: Household, role: str, created_by: User, invitee: str = ""
    ) -> tuple[Invitation, str]:
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            household=household,
            role=role,
            invitee=invitee,
            token_hash=hash_token(token),
            created_by=created_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        return invitation, token

    @classmethod
    def find_pending(cls, token: str) -> Invitation | None:
        if not 20 <= len(token) <= 100:
            return None
        return (
            cls.objects.pending().select_related("household").filter(token_hash=hash_token(token))
        ).first()

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def accept(self, user: User) -> Membership:
        """Claims the invitation for the user; a second claim finds nothing to claim."""
        with transaction.atomic():
            claimed = (
                Invitation.objects.pending()
                .filter(pk=self.pk)
                .update(accepted_at=timezone.now(), accepted_by=user)
            )
            if not claimed:
                raise ValidationError(_("This invitation has already been used or has expired."))
            membership, created = Membership.objects.get_or_create(
                household_id=self.household_id, user=user, defaults={"role": self.role}
            )
            if not created and self.role == Role.PARENT and not membership.is_parent:
                membership.role = Role.PARENT
                membership.save(update_fields=["role"])
        return membership


def age_label(birth_date: date, today: date) -> str:
    """A child's age as parents say it: "8 months", "4½", "3", "7"."""
    months = (today.year - birth_date.year) * 12 + today.month - birth_date.month
    if today.day < birth_date.day:
        months -= 1
    if months < 0:
        return "not born yet"
    if months < 24:
        return f"{months} month" + ("" if months == 1 else "s")
    years, rest = divmod(months, 12)
    if years < 6 and rest >= 6:
        return f"{years}½"
    return str(years)


class Child(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="children")
    name = models.CharField(max_length=NAME_LENGTH)
    birth_date = models.DateField()
    notes = long_text(help_text=_("Anything a caregiver should know: comfort toy, fears, words."))
    health_reviewed_at = models.DateTimeField(
        "allergies and medicines last confirmed", null=True, blank=True, editable=False
    )
    # Metric, whole numbers (measurements.py): for medicine doses, and to describe the
    # child in an emergency.
    weight_grams = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(measurements.MIN_WEIGHT_GRAMS, measurements.WEIGHT_OUT_OF_RANGE),
            MaxValueValidator(measurements.MAX_WEIGHT_GRAMS, measurements.WEIGHT_OUT_OF_RANGE),
        ],
    )
    height_mm = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(measurements.MIN_HEIGHT_MM, measurements.HEIGHT_OUT_OF_RANGE),
            MaxValueValidator(measurements.MAX_HEIGHT_MM, measurements.HEIGHT_OUT_OF_RANGE),
        ],
    )
    measured_on = models.DateField(_("measured on"), null=True, blank=True)
    # When the current photo (child_photo.ChildPhoto) was added; empty without one.
    photo_updated_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = HouseholdScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("name"), "household", name="unique_child_name"),
        ]
        ordering = ["birth_date", "name"]
        verbose_name_plural = "children"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.household_id and self.birth_date:
            if self.birth_date > self.household.today():
                errors["birth_date"] = "A birth date cannot be in the future."
            elif self.birth_date < self.household.today() - timedelta(days=365 * 25):
                errors["birth_date"] = "Homefront is for children; check the year."
        if self.household_id and self.name:
            siblings = Child.objects.filter(household_id=self.household_id, name__iexact=self.name)
            if siblings.exclude(pk=self.pk).exists():
                errors["name"] = "A child with this name is already in your household."
        errors.update(self._measurement_errors())
        if errors:
            raise ValidationError(errors)

    def _measurement_errors(self) -> dict[str, str]:
        measured = self.weight_grams is not None or self.height_mm is not None
        if not measured:
            self.measured_on = None
            return {}
        if self.measured_on is None:
            return {"measured_on": str(_("When were they measured? Give the date."))}
        if self.household_id and self.measured_on > self.household.today():
            return {"measured_on": str(_("A measurement cannot be in the future."))}
        if self.birth_date and self.measured_on < self.birth_date:
            return {"measured_on": str(_("This date is before the child was born."))}
        return {}

    @property
    def weight_label(self) -> str:
        if self.weight_grams is None:
            return ""
        return measurements.weight_label(self.weight_grams, self.household.units)

    @property
    def height_label(self) -> str:
        if self.height_mm is None:
            return ""
        return measurements.height_label(self.height_mm, self.household.units)

    def age(self, today: date | None = None) -> str:
        return age_label(self.birth_date, today or self.household.today())


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Mon"
    TUESDAY = 1, "Tue"
    WEDNESDAY = 2, "Wed"
    THURSDAY = 3, "Thu"
    FRIDAY = 4, "Fri"
    SATURDAY = 5, "Sat"
    SUNDAY = 6, "Sun"


EVERY_DAY = 0b1111111
SCHOOL_DAYS = 0b0011111


class RoutineKind(models.TextChoices):
    WAKE = "wake", _("Wake up")
    BREAKFAST = "breakfast", _("Breakfast")
    DROP_OFF = "drop_off", _("Daycare/school drop-off")
    SNACK = "snack", _("Snack")
    LUNCH = "lunch", _("Lunch")
    NAP = "nap", _("Nap")
    PICK_UP = "pick_up", _("Daycare/school pick-up")
    DINNER = "dinner", _("Dinner")
    BATH = "bath", _("Bath")
    BEDTIME = "bedtime", _("Bedtime")
    OTHER = "other", _("Other")


class Routine(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="routines")
    kind = models.CharField(max_length=16, choices=RoutineKind.choices)
    label = models.CharField(
        max_length=NAME_LENGTH, blank=True, help_text=_("e.g. “Drop-off at Little Acorns”.")
    )
    time = models.TimeField()
    weekdays = models.PositiveSmallIntegerField(
        default=EVERY_DAY,
        validators=[MinValueValidator(1, "Pick at least one day."), MaxValueValidator(EVERY_DAY)],
    )
    every_n_days = models.PositiveSmallIntegerField(
        "repeats",
        default=1,
        choices=[(1, "On each chosen day"), (2, "Every other day")]
        + [(n, f"Every {n} days") for n in range(3, 15)],
        validators=[MinValueValidator(1), MaxValueValidator(14)],
    )
    starts_on = models.DateField(
        null=True, blank=True, help_text=_("A day it happened, to count “every other day” from.")
    )
    steps = long_text(help_text=_("One step per line: bath, two books, the moon song, lights off."))
    notes = long_text()

    objects = ChildScopedQuerySet.as_manager()

    class Meta:
        ordering = ["time", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=EVERY_DAY), name="routine_has_a_day"
            ),
            models.CheckConstraint(
                condition=Q(every_n_days=1) | Q(starts_on__isnull=False),
                name="routine_interval_has_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.time:%H:%M}"

    @property
    def title(self) -> str:
        return self.label or self.get_kind_display()

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    @property
    def day_list(self) -> list[int]:
        return [day for day in range(7) if self.weekdays & (1 << day)]

    def schedule_label(self) -> str:
        if self.every_n_days > 1:
            every = (
                "every other day" if self.every_n_days == 2 else f"every {self.every_n_days} days"
            )
            if self.weekdays == EVERY_DAY:
                return every
            return f"{every}, on " + ", ".join(Weekday(d).label for d in self.day_list)
        if self.weekdays == EVERY_DAY:
            return "every day"
        if self.weekdays == SCHOOL_DAYS:
            return "weekdays"
        if self.weekdays == 0b1100000:
            return "weekends"
        return ", ".join(Weekday(d).label for d in self.day_list)

    def clean(self) -> None:
        if self.every_n_days and self.every_n_days > 1 and not self.starts_on:
            # "Every other day" counts from today unless the parent said otherwise.
            if not self.child_id:
                raise ValidationError(
                    {"starts_on": "Give a day it happened, so we can count the days from it."}
                )
            self.starts_on = self.child.household.today()

    def occurs_on(self, day: date) -> bool:
        if not self.weekdays & (1 << day.weekday()):
            return False
        if self.every_n_days > 1 and self.starts_on:
            return (day - self.starts_on).days % self.every_n_days == 0
        return True


class FoodKind(models.TextChoices):
    LIKE = "like", _("Likes")
    DISLIKE = "dislike", _("Dislikes")
    ALLERGY = "allergy", _("Allergy")


class Severity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe (can be life-threatening)")


class Food(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="foods")
    name = models.CharField(max_length=NAME_LENGTH)
    kind = models.CharField(max_length=16, choices=FoodKind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices, blank=True)
    what_to_do = long_text(
        help_text=_("For an allergy: the signs, and what to do (e.g. antihistamine, call 911).")
    )

    objects = ChildScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="allergy") | ~Q(severity=""), name="allergy_has_severity"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == FoodKind.ALLERGY:
            errors = {}
            if not self.severity:
                errors["severity"] = "How serious is this allergy?"
            if not self.what_to_do.strip():
                errors["what_to_do"] = "Tell the caregiver what to do if it happens."
            if errors:
                raise ValidationError(errors)
        else:
            self.severity = ""


class Medicine(models.Model):
    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="medicines")
    name = models.CharField(max_length=NAME_LENGTH)
    dose = models.CharField(max_length=NAME_LENGTH, help_text=_("e.g. 5 ml, one tablet"))
    times = models.JSONField(default=list, blank=True)
    as_needed = models.BooleanField(_("as needed"), default=False)
    min_interval_hours = models.PositiveSmallIntegerField(
        "at least … hours apart",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(72)],
    )
    notes = long_text(help_text=_("What it is for, with food or not, where it is kept."))

    objects = ChildScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}"

    @property
    def time_list(self) -> list[time]:
        return [time.fromisoformat(value) for value in self.times]

    def set_times_from_text(self, text: str) -> None:
        self.times = [value.strftime("%H:%M") for value in parse_times(text)]

    def clean(self) -> None:
        if self.as_needed and self.times:
            raise ValidationError(
                {"times": "An as-needed medicine has no fixed times; clear them or untick it."}
            )
        if self.as_needed and not self.min_interval_hours:
            raise ValidationError(
                {"min_interval_hours": "How many hours must pass between two doses?"}
            )
        if not self.as_needed and not self.times:
            raise ValidationError({"times": "Give the times it is taken, or tick “as needed”."})


class ContactRole(models.TextChoices):
    BACKUP = "backup", _("Backup caregiver")
    DOCTOR = "doctor", _("Doctor")
    DENTIST = "dentist", _("Dentist")
    SCHOOL = "school", _("Daycare/school")
    NEIGHBOUR = "neighbour", _("Neighbour")
    EMERGENCY = "emergency", _("Emergency")
    HOSPITAL = "hospital", _("Nearest hospital")


class PhoneTreeChanged(Exception):
    """The phone tree is no longer in the order the page showed; nothing was moved."""


class ContactQuerySet(HouseholdScopedQuerySet):
    def backups(self) -> ContactQuerySet:
        return self.filter(backup_order__isnull=False).order_by("backup_order")


class Contact(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=NAME_LENGTH)
    relation = models.CharField(
        max_length=NAME_LENGTH, blank=True, help_text=_("e.g. Grandma, paediatrician, neighbour")
    )
    phone = models.CharField(max_length=32, blank=True, validators=[validate_phone])
    other_phone = models.CharField(max_length=32, blank=True, validators=[validate_phone])
    email = models.EmailField(blank=True)
    address = long_text(max_length=500)
    roles = models.JSONField(default=list, blank=True)
    backup_order = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    notes = long_text()

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = [models.F("backup_order").asc(nulls_last=True), "name"]
        constraints = [
            # Not deferrable, so it holds on SQLite too: moves and renumbering below go
            # through an empty place instead of ever sharing one, even within a transaction.
            models.UniqueConstraint(
                fields=["household", "backup_order"], name="contact_one_place_in_phone_tree"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A contact's place is the phone tree's to say: read again under the tree's lock,
        # never written back from a copy loaded before someone else moved it.
        with transaction.atomic():
            Contact.lock_phone_tree(self.household_id)
            stored = (
                Contact.objects.filter(pk=self.pk).values_list("backup_order", flat=True).first()
                if self.pk
                else None
            )
            leaving_tree = not self.is_backup and stored is not None
            if self.is_backup and stored is None:
                # The phone tree is the backups in order; a new backup joins at the end.
                last = Contact.objects.filter(household_id=self.household_id).aggregate(
                    models.Max("backup_order")
                )["backup_order__max"]
                self.backup_order = (last or 0) + 1
            else:
                self.backup_order = stored if self.is_backup else None
            super().save(*args, **kwargs)
            if leaving_tree:
                Contact.renumber_phone_tree(self.household_id)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        with transaction.atomic():
            Contact.lock_phone_tree(self.household_id)
            result = super().delete(*args, **kwargs)
            Contact.renumber_phone_tree(self.household_id)
        return result

    @staticmethod
    def lock_phone_tree(household_id: int) -> None:
        """One change at a time to a household's phone tree, to the end of the transaction:
        PostgreSQL locks the household's row; SQLite's IMMEDIATE transactions already let
        one writer in at a time."""
        if not transaction.get_connection().in_atomic_block:
            raise transaction.TransactionManagementError("Lock the phone tree in a transaction.")
        list(Household.objects.select_for_update().filter(pk=household_id).values_list("pk"))

    @staticmethod
    def phone_tree(household_id: int) -> list[int]:
        """The backups' ids, first to call first."""
        return list(
            Contact.objects.filter(household_id=household_id, backup_order__isnull=False)
            .order_by("backup_order")
            .values_list("pk", flat=True)
        )

    @staticmethod
    def renumber_phone_tree(household_id: int) -> None:
        """Closes gaps, so the first to call is always number 1. Each backup only ever moves
        down into a place the ones before it have left, so no two share a place."""
        backups = Contact.objects.filter(household_id=household_id, backup_order__isnull=False)
        for position, contact in enumerate(backups.order_by("backup_order", "pk"), start=1):
            if contact.backup_order != position:
                Contact.objects.filter(pk=contact.pk).update(backup_order=position)

    def move_up(self, seen: list[int]) -> None:
        """Swaps this backup with the one called before it, if the phone tree is still the
        order `seen` (the ids the page showed); raises PhoneTreeChanged, moving nothing,
        when someone else changed it since."""
        with transaction.atomic():
            Contact.lock_phone_tree(self.household_id)
            places = dict(
                Contact.objects.filter(household_id=self.household_id, backup_order__isnull=False)
                .order_by("backup_order")
                .values_list("pk", "backup_order")
            )
            tree = list(places)
            if tree != seen or self.pk not in places:
                raise PhoneTreeChanged()
            index = tree.index(self.pk)
            if index == 0:
                return
            above = tree[index - 1]
            mine, theirs = places[self.pk], places[above]
            # Through the empty place (NULL), as the constraint allows no shared one.
            Contact.objects.filter(pk=self.pk).update(backup_order=None)
            Contact.objects.filter(pk=above).update(backup_order=mine)
            Contact.objects.filter(pk=self.pk).update(backup_order=theirs)
            self.backup_order = theirs

    def clean(self) -> None:
        unknown = [role for role in self.roles if role not in ContactRole.values]
        if unknown:
            raise ValidationError({"roles": f"Unknown role: {', '.join(map(str, unknown))}."})
        if not self.phone and not self.email:
            raise ValidationError({"phone": "Give a phone number or an email address."})

    @property
    def is_backup(self) -> bool:
        return ContactRole.BACKUP in self.roles

    def role_labels(self) -> list[str]:
        return [str(ContactRole(role).label) for role in self.roles if role in ContactRole.values]


class HouseNoteQuerySet(HouseholdScopedQuerySet):
    def shown(self, household: Household, *, sensitive: bool) -> Self:
        """The household's notes, with the sensitive ones only when the access policy says."""
        notes = self.in_household(household)
        return notes if sensitive else notes.filter(sensitive=False)


class HouseNote(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="house_notes")
    title = models.CharField(max_length=NAME_LENGTH)
    text = long_text(max_length=5000)
    sensitive = models.BooleanField(
        default=False,
        help_text=_(
            "Alarm or door codes: hidden until revealed, and only for parents "
            "(and the caregiver in charge, from the day before the trip)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseNoteQuerySet.as_manager()

    class Meta:
        ordering = ["sensitive", "title"]

    def __str__(self) -> str:
        return self.title


# The child's photo lives in its own module (its bytes, its serving); Django learns of
# the model here, with the app's others.
from homefront.households.child_photo import ChildPhoto  # noqa: E402, F401
