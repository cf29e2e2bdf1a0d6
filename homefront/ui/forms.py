"""What every app's forms share: one clear message per field, the widgets for dates,
times and time zones, and the form data of a POST."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.utils import pretty_name
from django.http import HttpRequest
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from homefront.households.validators import validate_plain_text


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one, so an empty POST is a bound form
    that shows its errors rather than a blank page."""
    return request.POST if request.method == "POST" else None


# Django draws a choice field's empty choice as "---------". A radio list needs none when
# an answer is required; elsewhere the empty choice says what choosing nothing means.
DJANGO_BLANK = "---------"


def name_blank_choices(fields: dict[str, forms.Field]) -> None:
    for field in fields.values():
        if not isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            continue
        radio = isinstance(field.widget, forms.RadioSelect)
        blank = _("Choose…") if field.required else _("Not set")
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_BLANK:
                field.empty_label = None if radio and field.required else blank
            continue
        choices = list(field.choices)  # type: ignore[arg-type]
        if choices and choices[0][0] == "" and choices[0][1] == DJANGO_BLANK:
            field.choices = choices[1:] if radio else [("", blank), *choices[1:]]


# Labels Django makes from a model field's name ("Name", "Email"): in the catalog, so
# AccessibleErrorsMixin shows them in the page's language.
FIELD_NAME_LABELS = (
    gettext_noop("Name"),
    gettext_noop("Email"),
    gettext_noop("Text"),
    gettext_noop("Kind"),
    gettext_noop("Children"),
    gettext_noop("Relation"),
    gettext_noop("Phone"),
    gettext_noop("Other phone"),
    gettext_noop("Roles"),
    gettext_noop("Title"),
    gettext_noop("Notes"),
    gettext_noop("Dose"),
    gettext_noop("Label"),
    gettext_noop("Steps"),
    gettext_noop("Destination"),
    gettext_noop("Traveller"),
    gettext_noop("Target"),
    gettext_noop("Severity"),
    gettext_noop("Category"),
    gettext_noop("Essential"),
    gettext_noop("Who"),
    gettext_noop("Due on"),
    gettext_noop("Birth date"),
    gettext_noop("Address"),
    gettext_noop("Contact"),
    gettext_noop("Medicine"),
    gettext_noop("Reflection"),
)


class AccessibleErrorsMixin:
    """One clear message per field, marked so Pico shows it in red and screen readers
    announce it; no empty choice drawn as "---------"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_blank_choices(self.fields)  # type: ignore[attr-defined]
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if field.label is None:  # a form field of its own, named by Django
                field.label = gettext(pretty_name(name))
            elif isinstance(field.label, str):  # made by Django from the field's name
                field.label = gettext(field.label)

    def _update_errors(self, errors: ValidationError) -> None:
        # The model's clean() runs even when a field failed already, seeing the
        # old value; its message about that field would contradict the first.
        if hasattr(errors, "error_dict"):
            fresh = {
                name: messages
                for name, messages in errors.error_dict.items()
                if name not in self._errors  # type: ignore[attr-defined]
            }
            if not fresh:
                return
            errors = ValidationError(fresh)
        super()._update_errors(errors)  # type: ignore[misc]

    def full_clean(self) -> None:
        for field in self.fields.values():  # type: ignore[attr-defined]
            _plain_text_only(field)
        super().full_clean()  # type: ignore[misc]
        self._mark_invalid_fields()

    def add_error(self, field: str | None, error: Any) -> None:
        # Also for errors a view adds after validation (e.g. "leave now"'s trip checks).
        super().add_error(field, error)  # type: ignore[misc]
        self._mark_invalid_fields()

    def _mark_invalid_fields(self) -> None:
        for name in self._errors or {}:  # type: ignore[attr-defined]
            if name in self.fields:  # type: ignore[attr-defined]
                attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_errors"  # type: ignore[index]


def _plain_text_only(field: forms.Field) -> None:
    """Every text field refuses control characters and lone surrogates, with one
    message (Django's own NUL check would add a second, vaguer one)."""
    if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
        return
    if validate_plain_text not in field.validators:
        field.validators = [
            v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ] + [validate_plain_text]


class TimeZoneInput(forms.TextInput):
    """A text box with the tz database as suggestions: type “New Y” to find New York."""

    def __init__(self) -> None:
        super().__init__(
            attrs={"list": "time-zone-names", "autocomplete": "off", "spellcheck": "false"}
        )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")
