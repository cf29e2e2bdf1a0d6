"""The limits of a household's names and free text, the same for the model, the forms
and the API."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator
from django.db import models

NAME_LENGTH = 100
NOTE_LENGTH = 2000


def long_text(max_length: int = NOTE_LENGTH, **kwargs: Any) -> models.TextField:
    """A free-text field whose limit holds for the model, the forms and the API."""
    return models.TextField(
        blank=True, max_length=max_length, validators=[MaxLengthValidator(max_length)], **kwargs
    )
