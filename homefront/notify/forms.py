from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from homefront.households.models import Contact
from homefront.households.models import Membership
from homefront.journal.models import Kind
from homefront.notify import targets
from homefront.notify.choices import ALWAYS_KINDS
from homefront.notify.choices import PHOTO_KINDS
from homefront.notify.choices import SLEEP_KINDS
from homefront.notify.models import TYPED_KINDS
from homefront.notify.models import Channel
from homefront.notify.models import ChannelKind
from homefront.notify.models import PushChoices
from homefront.notify.webhooks import EVENTS
from homefront.ui.forms import AccessibleErrorsMixin


class ChannelForm(AccessibleErrorsMixin, forms.ModelForm):
    owner = forms.ChoiceField(label=_("Messages for"), required=True)

    class Meta:
        model = Channel
        fields = ["owner", "kind", "target"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(
        self, *args: Any, membership: Membership, for_contacts: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.instance.household = membership.household
        choices = [("me", "Me")]
        if for_contacts:
            choices += [
                (f"contact:{c.pk}", f"{c.name} (a contact)")
                for c in Contact.objects.in_household(membership.household)
            ]
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ChoiceField)
        owner.choices = choices
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        # Devices subscribe from their browser and webhooks have a form of their own.
        kind.choices = [(k.value, k.label) for k in TYPED_KINDS]
        self.initial.setdefault("kind", ChannelKind.EMAIL)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner = data.get("owner", "me")
        if owner == "me":
            self.instance.user = self.membership.user
            self.instance.contact = None
        else:
            _kind, _sep, pk = str(owner).partition(":")
            self.instance.user = None
            self.instance.contact = Contact.objects.in_household(self.membership.household).get(
                pk=int(pk)
            )
        return data


# Parents hear of the trip's planning; everyone may choose what of the kids' day they get.
PLANNING_CHOICES = ("prep", "leaving", "uncovered", "share_opened", "readiness")


class PushChoicesForm(AccessibleErrorsMixin, forms.ModelForm):
    entry_kinds = forms.MultipleChoiceField(
        label=_("Also these entries"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Incidents always reach you."),
    )

    class Meta:
        model = PushChoices
        fields = [
            "photos",
            "sleep",
            "entry_kinds",
            "journal_digest",
            "prep",
            "leaving",
            "uncovered",
            "share_opened",
            "readiness",
        ]

    def __init__(self, *args: Any, plans_trips: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entry_kinds = self.fields["entry_kinds"]
        assert isinstance(entry_kinds, forms.MultipleChoiceField)
        entry_kinds.choices = [
            (kind.value, kind.label)
            for kind in Kind
            if kind.value not in SLEEP_KINDS + ALWAYS_KINDS + PHOTO_KINDS
        ]
        if not plans_trips:
            for name in PLANNING_CHOICES:
                del self.fields[name]


class WebhookForm(AccessibleErrorsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("e.g. Home Assistant"))
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Where Homefront posts each event, e.g. "
            "http://homeassistant.local:8123/api/webhook/homefront-…"
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EVENTS, widget=forms.CheckboxSelectMultiple
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            targets.check(url)
        except targets.TargetRefused as refused:
            raise forms.ValidationError(str(refused)) from None
        return url
