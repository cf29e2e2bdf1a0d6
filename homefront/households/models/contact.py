"""The household's contacts, and the phone tree of its backup caregivers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from homefront.households.models.fields import NAME_LENGTH
from homefront.households.models.fields import long_text
from homefront.households.models.household import Household
from homefront.households.models.household import HouseholdScopedQuerySet
from homefront.households.validators import validate_phone


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
