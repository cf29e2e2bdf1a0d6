from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from homefront.households.models import Child
from homefront.journal.entries import FUTURE_SLACK
from homefront.journal.models import NOTE_LENGTH
from homefront.journal.models import JournalEntry
from homefront.ui.forms import AccessibleErrorsMixin

# Ids past this exist in no database; looking them up would overflow its integers.
MAX_ID = 2**63 - 1


class ChildrenField(forms.ModelMultipleChoiceField):
    """The children of an entry; an id too large for the database is not a choice (Django
    would send it to the database, which fails instead of finding nothing)."""

    def clean(self, value: Any) -> Any:
        for pk in value if isinstance(value, list | tuple) else ():
            text = str(pk).strip()
            if text.lstrip("+-").isdecimal() and abs(int(text)) > MAX_ID:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text},
                )
        return super().clean(value)


class EntryForm(AccessibleErrorsMixin, forms.Form):
    """Corrects when it happened, for whom, and the note; the kind stays what was logged."""

    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    children = ChildrenField(
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one child."},
    )
    text = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, entry: JournalEntry, stale: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entry = entry
        self.stale = stale
        children = self.fields["children"]
        assert isinstance(children, forms.ModelMultipleChoiceField)
        children.queryset = Child.objects.filter(household_id=entry.trip.household_id)
        self.initial.update(
            occurred_at=timezone.localtime(entry.occurred_at).replace(tzinfo=None),
            children=[c.pk for c in entry.children.all()],
            text=entry.text,
            version=entry.version,
        )

    def clean_occurred_at(self) -> datetime:
        moment: datetime = self.cleaned_data["occurred_at"]
        if moment > timezone.now() + FUTURE_SLACK:
            raise forms.ValidationError(_("That is more than an hour from now. Check the time."))
        return moment

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.stale:
            raise forms.ValidationError(
                "Someone else changed this entry while you were editing it. It now shows "
                "their version; nothing of yours was saved. Make your change again if it "
                "is still needed."
            )
        return data
