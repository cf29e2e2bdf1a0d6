from __future__ import annotations

from datetime import time
from typing import Any
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from homefront.accounts.member_cache import forget_members
from homefront.households.validators import validate_phone
from homefront.households.validators import validate_time_zone


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> int:
        # Signed-in users are cached (accounts/member_cache.py); an update sends no signal.
        forget_members(self.values_list("pk", flat=True))
        return super().update(**kwargs)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_queryset(self) -> UserQuerySet:
        return UserQuerySet(self.model, using=self._db)

    def _create(self, email: str, password: str | None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create(email, password, **fields)


class User(AbstractUser):
    """A person who signs in with their email address."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    name = models.CharField(_("your name"), max_length=100)
    phone = models.CharField(
        _("your phone"),
        max_length=32,
        blank=True,
        validators=[validate_phone],
        help_text=_("Shown in the brief, so whoever covers can reach you while you are away."),
    )
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Where you are usually. Empty means the household's home zone."),
    )

    quiet_from = models.TimeField(
        _("quiet hours from"), default=time(21, 0), help_text=_("No messages between these times.")
    )
    quiet_until = models.TimeField(_("until"), default=time(7, 0))
    # Empty: the browser's Accept-Language, as on the sign-in page (homefront/i18n.py).
    language = models.CharField(
        "language",
        max_length=16,
        blank=True,
        help_text=_("Your pages, emails and notifications. Empty: your browser's language."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["name"]

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name

    def zone_name(self, household_zone: str) -> str:
        return self.time_zone or household_zone

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email
