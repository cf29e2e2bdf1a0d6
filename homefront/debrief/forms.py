from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homefront.accounts.models import User
from homefront.debrief.models import BackToRoutine
from homefront.debrief.models import Reflection
from homefront.households.models import Household
from homefront.households.models import Role
from homefront.trips.models import Goal
from homefront.ui.forms import AccessibleErrorsMixin
from homefront.ui.forms import DateInput


class ReflectionForm(AccessibleErrorsMixin, forms.ModelForm):
    back_to_routine = forms.ChoiceField(
        label=_("Back to the usual routine"),
        choices=BackToRoutine.choices,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = Reflection
        fields = ["traveller_felt", "kids_did", "back_to_routine", "next_time"]
        widgets = {
            "traveller_felt": forms.Textarea(attrs={"rows": 3}),
            "kids_did": forms.Textarea(attrs={"rows": 3}),
            "next_time": forms.Textarea(attrs={"rows": 2}),
        }


class GoalForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["traveller", "nights", "first_night", "note"]
        widgets = {"first_night": DateInput()}
        labels = {"traveller": _("Who goes"), "note": _("Note (e.g. “a weekend with my sister”)")}

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.household = household
        self.household = household
        traveller = self.fields["traveller"]
        assert isinstance(traveller, forms.ModelChoiceField)
        traveller.queryset = User.objects.filter(
            memberships__household=household, memberships__role=Role.PARENT
        )
        traveller.empty_label = None

    def clean_first_night(self) -> Any:
        first = self.cleaned_data["first_night"]
        if first < self.household.today():
            raise forms.ValidationError(_("A goal is for the days ahead."))
        return first
