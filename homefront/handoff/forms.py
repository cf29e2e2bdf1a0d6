from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms

from homefront.handoff.models import ShareLink
from homefront.households.forms import AccessibleErrorsMixin, DateInput, TimeInput
from homefront.households.models import Contact, Household


class ShareLinkForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = ShareLink
        fields = ["label", "contact", "days_after"]
        labels = {"contact": "From your contacts"}

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ModelChoiceField)
        contact.queryset = Contact.objects.in_household(household)


class LeaveNowForm(AccessibleErrorsMixin, forms.Form):
    back_on = forms.DateField(label="Back on (a guess is fine)", widget=DateInput())
    back_at = forms.TimeField(label="at", widget=TimeInput(), initial="18:00")
    destination = forms.CharField(label="Where to?", max_length=100, required=False)
    notes = forms.CharField(
        label="A word for whoever covers",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["back_on"].initial = today + timedelta(days=2)

    def clean_back_on(self) -> date:
        back_on = self.cleaned_data["back_on"]
        if back_on < self.today:
            raise forms.ValidationError("The return cannot be in the past.")
        return back_on
