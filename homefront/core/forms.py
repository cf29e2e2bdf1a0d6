from __future__ import annotations

from django import forms
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _


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
