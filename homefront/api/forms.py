from __future__ import annotations

from django import forms

from homefront.api.models import AccessToken
from homefront.households.forms import AccessibleErrorsMixin


class AccessTokenForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = AccessToken
        fields = ["name", "scope"]
        widgets = {"scope": forms.RadioSelect}
        labels = {"name": "What is it for?", "scope": "It may"}
