from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.utils import pretty_name
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.utils.translation import gettext_lazy as _

from homefront.core.forms import name_blank_choices
from homefront.households import measurements
from homefront.households.measurements import Units, units_for_time_zone
from homefront.households.models import (
    EVERY_DAY,
    Child,
    Contact,
    ContactRole,
    Food,
    Household,
    HouseNote,
    Invitation,
    Medicine,
    Role,
    Routine,
    Weekday,
)
from homefront.households.validators import parse_times, validate_plain_text
from homefront.photos.processing import PhotoRefused, ProcessedPhoto, process_photo

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


class HouseholdForm(AccessibleErrorsMixin, forms.ModelForm):
    """A new household: only what Homefront cannot guess."""

    class Meta:
        model = Household
        fields = ["name", "time_zone"]
        widgets = {"time_zone": TimeZoneInput()}
        labels = {"name": _("Household name")}
        help_texts = {"name": _("e.g. “The Garcias” — it is only shown to your family.")}

    def save(self, commit: bool = True) -> Household:
        if self.instance.pk is None:
            # Pounds in Ohio, kilograms in Spain: a guess the settings can change.
            self.instance.units = units_for_time_zone(self.instance.time_zone)
        return super().save(commit)


class HouseholdSettingsForm(HouseholdForm):
    class Meta(HouseholdForm.Meta):
        fields = ["name", "time_zone", "prep_tasks_per_day", "units"]
        widgets: dict[str, Any] = {**HouseholdForm.Meta.widgets, "units": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].required = False

    def clean_units(self) -> str:
        # Not sent (an older page, a script): the household keeps its units.
        return self.cleaned_data["units"] or self.instance.units


class InvitationForm(AccessibleErrorsMixin, forms.ModelForm):
    role = forms.ChoiceField(
        choices=Role.choices,
        widget=forms.RadioSelect,
        initial=Role.CAREGIVER,
        help_text=_("A parent can change everything; a caregiver reads the profile."),
    )

    class Meta:
        model = Invitation
        fields = ["invitee", "role"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class ChildForm(AccessibleErrorsMixin, forms.ModelForm):
    """The child, with weight and height typed in the household's units and kept metric."""

    # Any number of decimals: "1.04" (metres, by mistake) gets the message about the range.
    weight = forms.DecimalField(required=False, max_digits=9)
    height = forms.DecimalField(required=False, max_digits=9)

    class Meta:
        model = Child
        fields = ["name", "birth_date", "notes", "weight", "height", "measured_on"]
        widgets = {
            "birth_date": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "measured_on": DateInput(),
        }

    # The model says it of grams and millimetres; the parent typed these two boxes.
    MODEL_FIELDS = {"weight_grams": "weight", "height_mm": "height"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        units = self.instance.household.units
        self.units = units
        unit = "lb" if units == Units.US else "kg"
        self.fields["weight"].label = _("Weight (%(unit)s)") % {"unit": unit}
        self.fields["height"].label = _("Height (%(unit)s)") % {
            "unit": "inches" if units == Units.US else "cm"
        }
        self.fields["weight"].help_text = _("For medicine doses; leave empty if unsure.")
        self.fields["measured_on"].help_text = _("Empty: today.")
        for name in ("weight", "height"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.1"})
        if self.instance.weight_grams is not None:
            self.initial["weight"] = measurements.weight_in(self.instance.weight_grams, units)
        if self.instance.height_mm is not None:
            self.initial["height"] = measurements.height_in(self.instance.height_mm, units)

    def clean_weight(self) -> int | None:
        value = self.cleaned_data["weight"]
        if value is None:
            return None
        grams = measurements.grams_from(value, self.units)
        if not measurements.MIN_WEIGHT_GRAMS <= grams <= measurements.MAX_WEIGHT_GRAMS:
            raise ValidationError(
                _("Check the weight and its unit: a child weighs %(range)s.")
                % {"range": measurements.weight_range(self.units)}
            )
        return grams

    def clean_height(self) -> int | None:
        value = self.cleaned_data["height"]
        if value is None:
            return None
        mm = measurements.mm_from(value, self.units)
        if not measurements.MIN_HEIGHT_MM <= mm <= measurements.MAX_HEIGHT_MM:
            raise ValidationError(
                _("Check the height and its unit: a child measures %(range)s.")
                % {"range": measurements.height_range(self.units)}
            )
        return mm

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        changed = {"weight", "height"} & set(self.changed_data)
        if changed and not cleaned.get("measured_on") and not self.has_error("measured_on"):
            # A new weight without a date was measured today: one box less to fill.
            cleaned["measured_on"] = self.instance.household.today()
        return cleaned

    def _post_clean(self) -> None:
        self.instance.weight_grams = self.cleaned_data.get("weight", self.instance.weight_grams)
        self.instance.height_mm = self.cleaned_data.get("height", self.instance.height_mm)
        super()._post_clean()  # type: ignore[misc]

    def _update_errors(self, errors: ValidationError) -> None:
        if hasattr(errors, "error_dict"):
            errors = ValidationError(
                {
                    self.MODEL_FIELDS.get(name, name): value
                    for name, value in errors.error_dict.items()
                }
            )
        super()._update_errors(errors)


class RoutineForm(AccessibleErrorsMixin, forms.ModelForm):
    weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "weekday"}),
        initial=list(range(7)),
        label=_("On these days"),
        error_messages={"required": "Pick at least one day."},
    )

    class Meta:
        model = Routine
        fields = [
            "kind",
            "label",
            "time",
            "weekdays",
            "every_n_days",
            "starts_on",
            "steps",
            "notes",
        ]
        widgets = {
            "time": TimeInput(),
            "starts_on": DateInput(),
            "steps": forms.Textarea(attrs={"rows": 4}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {"time": {"required": "When does it happen? Give a time."}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's bitmask (127 for a new routine) means nothing to the
        # checkboxes: tick the days it stands for.
        if isinstance(self.initial.get("weekdays"), int):
            self.initial["weekdays"] = self.instance.day_list

    def clean_weekdays(self) -> int:
        days = self.cleaned_data["weekdays"]
        mask = sum(1 << day for day in set(days))
        return mask or EVERY_DAY


class FoodForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Food
        fields = ["name", "kind", "severity", "what_to_do"]
        widgets = {"kind": forms.RadioSelect, "what_to_do": forms.Textarea(attrs={"rows": 3})}
        labels = {"name": _("Food"), "kind": _("This child…"), "what_to_do": _("What to do")}


class MedicineForm(AccessibleErrorsMixin, forms.ModelForm):
    times = forms.CharField(
        required=False,
        label=_("Times"),
        help_text=_("Home time, e.g. 8:00, 19:30 — or tick “as needed”."),
    )

    class Meta:
        model = Medicine
        fields = ["name", "dose", "times", "as_needed", "min_interval_hours", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The model's list ([] for a new medicine, shown as “[]”) as text to edit.
        if isinstance(self.initial.get("times"), list):
            self.initial["times"] = ", ".join(f"{t:%H:%M}" for t in self.instance.time_list)

    def clean_times(self) -> list[str]:
        return [value.strftime("%H:%M") for value in parse_times(self.cleaned_data["times"])]


class ContactForm(AccessibleErrorsMixin, forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=ContactRole.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Backup caregivers form the phone tree, called in order."),
    )

    class Meta:
        model = Contact
        fields = ["name", "relation", "phone", "other_phone", "email", "roles", "address", "notes"]
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "other_phone": forms.TextInput(attrs={"type": "tel"}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class HouseNoteForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = HouseNote
        fields = ["title", "text", "sensitive"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        labels = {"sensitive": _("Sensitive (a code or a password)")}


class ChildPhotoForm(AccessibleErrorsMixin, forms.Form):
    photo = forms.FileField(
        label=gettext_lazy("A recent photo"),
        help_text=gettext_lazy(
            "Face clearly visible, as you would show it to a neighbour or the police. "
            "Its location and camera details are removed."
        ),
        error_messages={"required": gettext_lazy("Choose a photo first.")},
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )

    def clean_photo(self) -> ProcessedPhoto:
        upload = self.cleaned_data["photo"]
        try:
            return process_photo(upload)
        except PhotoRefused as refused:
            raise ValidationError(refused.message, code=refused.code) from None
