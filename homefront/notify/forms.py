from __future__ import annotations

from typing import Any

from django import forms

from homefront.households.forms import AccessibleErrorsMixin
from homefront.households.models import Contact, Membership
from homefront.notify.models import Channel, ChannelKind


class ChannelForm(AccessibleErrorsMixin, forms.ModelForm):
    owner = forms.ChoiceField(label="Messages for", required=True)

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
        self.initial.setdefault("kind", ChannelKind.EMAIL)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        owner = data.get("owner", "me")
        if owner == "me":
            self.instance.user = self.membership.user
            self.instance.contact = None
        else:
            _, _, pk = str(owner).partition(":")
            self.instance.user = None
            self.instance.contact = Contact.objects.in_household(self.membership.household).get(
                pk=int(pk)
            )
        return data
