from __future__ import annotations

from datetime import date
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from homefront import i18n
from homefront.handoff.models import ShareLink
from homefront.households.models import Contact
from homefront.households.models import Household
from homefront.ui.forms import AccessibleErrorsMixin
from homefront.ui.forms import DateInput
from homefront.ui.forms import TimeInput


class ShareLinkForm(AccessibleErrorsMixin, forms.ModelForm):
    # The caregiver's language, each named in its own words; the parent's pages stay theirs.
    language = forms.ChoiceField(
        label=_("In which language?"),
        choices=settings.LANGUAGES,
        required=False,  # left out (an older page, a script): the parent's own language
        help_text=_("The brief, its PDF, the quick log and the messages to them."),
    )

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or i18n.or_default(translation.get_language())

    class Meta:
        model = ShareLink
        fields = ["label", "contact", "language", "days_after"]
        labels = {"contact": _("From your contacts")}

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = i18n.or_default(translation.get_language())
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ModelChoiceField)
        contact.queryset = Contact.objects.in_household(household)


class LeaveNowForm(AccessibleErrorsMixin, forms.Form):
    back_on = forms.DateField(label=_("Back on (a guess is fine)"), widget=DateInput())
    back_at = forms.TimeField(label=_("at"), widget=TimeInput(), initial="18:00")
    destination = forms.CharField(label=_("Where to?"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("A word for whoever covers"),
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
            raise forms.ValidationError(_("The return cannot be in the past."))
        return back_on
