from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from homefront.households import measurements
from homefront.households.measurements import MAX_HEIGHT_MM
from homefront.households.measurements import MAX_WEIGHT_GRAMS
from homefront.households.measurements import MIN_HEIGHT_MM
from homefront.households.measurements import MIN_WEIGHT_GRAMS
from homefront.households.measurements import Units
from homefront.households.measurements import grams_from
from homefront.households.measurements import mm_from
from homefront.households.measurements import units_for_time_zone
from homefront.households.models import EVERY_DAY
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Food
from homefront.households.models import Household
from homefront.households.models import HouseNote
from homefront.households.models import Invitation
from homefront.households.models import Medicine
from homefront.households.models import Role
from homefront.households.models import Routine
from homefront.households.models import Weekday
from homefront.households.validators import parse_times
from homefront.photos.processing import PhotoRefused
from homefront.photos.processing import ProcessedPhoto
from homefront.photos.processing import process_photo
from homefront.ui.forms import AccessibleErrorsMixin
from homefront.ui.forms import DateInput
from homefront.ui.forms import TimeInput
from homefront.ui.forms import TimeZoneInput


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

    def _metric(
        self, name: str, convert: Callable[[Decimal, str], int], low: int, high: int, problem: str
    ) -> int | None:
        """The typed value in grams or millimetres; outside `low`–`high`, `problem`."""
        value = self.cleaned_data[name]
        if value is None:
            return None
        metric = convert(value, self.units)
        if not low <= metric <= high:
            raise ValidationError(problem)
        return metric

    def clean_weight(self) -> int | None:
        problem = _("Check the weight and its unit: a child weighs %(range)s.") % {
            "range": measurements.weight_range(self.units)
        }
        return self._metric("weight", grams_from, MIN_WEIGHT_GRAMS, MAX_WEIGHT_GRAMS, problem)

    def clean_height(self) -> int | None:
        problem = _("Check the height and its unit: a child measures %(range)s.") % {
            "range": measurements.height_range(self.units)
        }
        return self._metric("height", mm_from, MIN_HEIGHT_MM, MAX_HEIGHT_MM, problem)

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
