"""Ask once for what is shared: a new routine, food or medicine entered for several
children at once ("Maya and Noa: dinner 5:45 PM") becomes one row per child."""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db import transaction
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from homefront.households.models import Child


class ForSeveralChildrenMixin:
    """Adds "For: ☑ Maya ☐ Noa" to a new child's thing when the family has more than one
    child; each child ticked gets the same row, checked by the same rules, all or none."""

    instance: Any
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.copies: list[models.Model] = []
        child = self.instance.child
        family = Child.objects.filter(household_id=child.household_id).order_by("birth_date")
        if self.instance.pk is None and family.count() > 1:
            self.fields = {
                "children": forms.ModelMultipleChoiceField(
                    queryset=family,
                    widget=forms.CheckboxSelectMultiple,
                    initial=[child.pk],
                    label=gettext_lazy("For"),
                    error_messages={"required": gettext_lazy("Tick at least one child.")},
                ),
                **self.fields,
            }

    def _post_clean(self) -> None:
        chosen = list(self.cleaned_data.get("children") or [])
        if chosen:
            self.instance.child = chosen[0]
        super()._post_clean()  # type: ignore[misc]
        self.copies = []
        for child in chosen[1:]:
            twin = copy.copy(self.instance)
            twin.pk = None
            twin._state.adding = True
            twin.child = child
            try:
                twin.full_clean()
            except ValidationError as error:
                self.add_error(  # type: ignore[attr-defined]
                    "children",
                    _("%(child)s: %(problem)s")
                    % {
                        "child": child.name,
                        "problem": " ".join(error.messages),
                    },
                )
            self.copies.append(twin)

    def save(self, commit: bool = True) -> Any:
        with transaction.atomic():
            saved = super().save(commit)  # type: ignore[misc]
            for twin in self.copies:
                twin.save()
        return saved


def for_several_children(form_class: type[forms.ModelForm]) -> type[forms.ModelForm]:
    return type(form_class.__name__, (ForSeveralChildrenMixin, form_class), {})
