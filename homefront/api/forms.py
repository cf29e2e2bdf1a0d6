from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from homefront.api.models import AccessToken
from homefront.ui.forms import AccessibleErrorsMixin


class AccessTokenForm(AccessibleErrorsMixin, forms.ModelForm):
    class Meta:
        model = AccessToken
        fields = ["name", "scope"]
        widgets = {"scope": forms.RadioSelect}
        labels = {"name": _("What is it for?"), "scope": _("It may")}
