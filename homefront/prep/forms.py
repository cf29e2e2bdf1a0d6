from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homefront.prep.models import MAX_LEAD_DAYS
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.prep.models import TemplateItem
from homefront.trips.models import Trip
from homefront.trips.models import TripKind
from homefront.ui.forms import AccessibleErrorsMixin
from homefront.ui.forms import DateInput

WHEN_MISSED = "missed"


class TemplateItemForm(AccessibleErrorsMixin, forms.ModelForm):
    days_before = forms.IntegerField(
        label=_("Days before leaving"),
        initial=1,
        help_text=_("0 = on the day you leave."),
        error_messages={"required": "How many days before leaving?"},
    )
    trip_kinds = forms.MultipleChoiceField(
        label=_("For trips that are"),
        choices=TripKind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(TripKind.values),
        error_messages={"required": "Choose at least one kind of trip."},
    )

    class Meta:
        model = TemplateItem
        fields = [
            "title",
            "category",
            "essential",
            "days_before",
            "who",
            "trip_kinds",
            "per_night",
            "extra",
        ]
        labels = {
            "per_night": _("Packing: how many per night"),
            "extra": _("Packing: how many on top"),
        }

    def clean_days_before(self) -> int:
        days = self.cleaned_data["days_before"]
        if days < 0:
            raise forms.ValidationError(
                _("Prep is done before leaving: use 0 for the day itself, never after departure.")
            )
        if days > MAX_LEAD_DAYS:
            raise forms.ValidationError(
                _("At most %(days)s days ahead; nobody needs more.") % {"days": MAX_LEAD_DAYS}
            )
        return days


class PrepTaskForm(AccessibleErrorsMixin, forms.ModelForm):
    give_on = forms.ChoiceField(
        label=_("Comfort item: when to give it"),
        required=False,
        help_text=_("Shown to the caregiver at the right moment."),
    )

    class Meta:
        model = PrepTask
        fields = ["title", "due_on", "who", "essential", "give_on", "notes"]
        widgets = {"due_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"due_on": _("Do it on")}

    def __init__(self, *args: Any, trip: Trip, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trip = trip
        self.instance.trip = trip
        self.fields["give_on"].choices = [  # type: ignore[attr-defined]
            ("", "Not a comfort item"),
            (WHEN_MISSED, "For when they miss you"),
            *((night.isoformat(), f"The night of {night:%A %-d %B}") for night in trip.nights_list),
        ]
        if self.instance.comfort_when_missed:
            self.initial["give_on"] = WHEN_MISSED
        elif self.instance.comfort_night:
            self.initial["give_on"] = self.instance.comfort_night.isoformat()

    def _update_errors(self, errors: forms.ValidationError) -> None:
        # The model speaks of comfort_night; the form asks "when to give it".
        if hasattr(errors, "error_dict") and "comfort_night" in errors.error_dict:
            moved = dict(errors.error_dict)
            moved["give_on"] = moved.pop("comfort_night")
            errors = forms.ValidationError(moved)
        super()._update_errors(errors)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        give_on = data.get("give_on", "")
        self.instance.comfort_when_missed = give_on == WHEN_MISSED
        self.instance.comfort_night = (
            None if give_on in ("", WHEN_MISSED) else forms.DateField().clean(give_on)
        )
        return data


class PackingItemForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = PackingItem
        fields = ["name", "per_night", "extra"]
        labels = {"name": _("Add an item"), "per_night": _("per night"), "extra": _("+ extra")}
