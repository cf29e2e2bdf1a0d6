"""An invitation to join a household, by a single-use link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homefront.households.models.fields import NAME_LENGTH
from homefront.households.models.household import Household
from homefront.households.models.household import HouseholdScopedQuerySet
from homefront.households.models.household import Membership
from homefront.households.models.household import Role

if TYPE_CHECKING:
    from homefront.accounts.models import User


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
        _("who is it for?"),
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
