from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from homefront.accounts.models import User
from homefront.households.models import Contact
from homefront.households.models import Household
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.trips.guesses import zone_candidates
from homefront.trips.models import Trip
from homefront.ui.forms import AccessibleErrorsMixin
from homefront.ui.forms import DateInput
from homefront.ui.forms import TimeInput
from homefront.ui.forms import TimeZoneInput


def _exists(moment: datetime) -> bool:
    """False for a wall-clock time skipped by a DST change (e.g. 2:30 am in spring)."""
    round_trip = moment.astimezone(UTC).astimezone(moment.tzinfo)
    return round_trip.replace(tzinfo=None) == moment.replace(tzinfo=None)


def _ambiguous(moment: datetime) -> bool:
    """True for a wall-clock time that happens twice (e.g. 1:30 am in autumn)."""
    return moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset()


class LocalMoment:
    """Reads a local date and time in a zone, and explains DST gaps and overlaps."""

    def __init__(self, day: date, at: time, zone: ZoneInfo) -> None:
        self.naive = datetime.combine(day, at)
        self.zone = zone

    def resolve(self, fold_choice: str, label: str) -> datetime:
        moment = self.naive.replace(tzinfo=self.zone)
        if not _exists(moment):
            before = (moment.replace(fold=0) - timedelta(hours=1)).strftime("%-I:%M %p")
            # In a gap, fold=0 reads the time with the offset before the jump: past the gap.
            after = moment.replace(fold=0).astimezone(UTC).astimezone(self.zone)
            raise ValidationError(
                f"{moment:%-I:%M %p} does not exist on {moment:%-d %B} in {self.zone.key}: "
                f"the clocks jump forward that night. Choose {before} or {after:%-I:%M %p}.",
                code="dst_gap",
            )
        if _ambiguous(moment):
            if fold_choice not in ("0", "1"):
                raise ValidationError(
                    f"{moment:%-I:%M %p} happens twice on {moment:%-d %B} in {self.zone.key} "
                    f"(the clocks go back). Say which one the {label} is below.",
                    code="dst_ambiguous",
                )
            moment = moment.replace(fold=int(fold_choice))
        return moment


FOLD_CHOICES = [
    ("", "—"),
    ("0", "The first one (summer time)"),
    ("1", "The second one (winter time)"),
]


class TripForm(AccessibleErrorsMixin, forms.ModelForm):
    start_date = forms.DateField(label=_("Leaves on"), widget=DateInput())
    start_time = forms.TimeField(label=_("Leaves at"), widget=TimeInput(), initial=time(8, 0))
    start_fold = forms.ChoiceField(
        label=_("Which departure time?"), choices=FOLD_CHOICES, required=False
    )
    end_date = forms.DateField(label=_("Back on"), widget=DateInput())
    end_time = forms.TimeField(label=_("Back at"), widget=TimeInput(), initial=time(18, 0))
    end_fold = forms.ChoiceField(
        label=_("Which return time?"), choices=FOLD_CHOICES, required=False
    )

    class Meta:
        model = Trip
        fields = ["traveller", "destination", "destination_zone", "kind", "notes"]
        widgets = {
            "destination_zone": TimeZoneInput(),
            "kind": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"destination": _("Where to?"), "traveller": _("Who is going away?")}
        help_texts = {
            "destination_zone": _("For “when to call”: the kids' routine in the time there."),
            "notes": _("What's different this time, e.g. “back late Sunday, don't wait up”."),
        }

    field_order = [
        "traveller",
        "start_date",
        "start_time",
        "start_fold",
        "end_date",
        "end_time",
        "end_fold",
        "destination",
        "destination_zone",
        "kind",
        "notes",
    ]

    def __init__(self, *args: Any, household: Household, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.household = household
        self.instance.household = household
        traveller = self.fields["traveller"]
        assert isinstance(traveller, forms.ModelChoiceField)
        traveller.queryset = User.objects.filter(
            memberships__household=household, memberships__role=Role.PARENT
        ).order_by("name")
        traveller.empty_label = None
        if self.instance.pk:
            start, end = self.instance.local_start, self.instance.local_end
            self.initial.update(
                start_date=start.date(),
                start_time=start.time().replace(tzinfo=None),
                start_fold=str(start.fold),
                end_date=end.date(),
                end_time=end.time().replace(tzinfo=None),
                end_fold=str(end.fold),
            )
        else:
            self.initial.setdefault("destination_zone", household.time_zone)
        # As the parent types the destination, its time zone is looked up (offline).
        self.fields["destination"].widget.attrs.update(
            {
                "data-hx-get": reverse("trips:zone_guess"),
                "data-hx-trigger": "input changed delay:300ms, change",
                "data-hx-target": "#zone-field",
                "data-hx-swap": "outerHTML",
                "data-hx-include": "[name=destination_zone]",
                "autocomplete": "off",
            }
        )
        # Suggested until the parent types in it (app.js).
        self.fields["destination_zone"].widget.attrs["data-suggested"] = "destination"
        self.places = zone_candidates(str(self["destination"].value() or ""))
        if len(self.places) > 1:  # "Portland": the box suggests each place's zone first
            self.fields["destination_zone"].widget.attrs["list"] = "destination-places"
        # The DST question is asked only when the typed time needs it.
        for name in ("start_fold", "end_fold"):
            if not self._needs_fold(name):
                self.fields[name].widget = forms.HiddenInput()

    def _needs_fold(self, name: str) -> bool:
        prefix = name.removesuffix("_fold")
        if not self.is_bound:
            # Editing a saved time that happens twice: show which one it is.
            saved = getattr(self.instance, f"{prefix}s_at", None) if self.instance.pk else None
            return saved is not None and _ambiguous(saved.astimezone(self.household.zone))
        try:
            day = self.fields[f"{prefix}_date"].clean(self.data.get(f"{prefix}_date"))
            at = self.fields[f"{prefix}_time"].clean(self.data.get(f"{prefix}_time"))
        except ValidationError:
            return False
        if day is None or at is None:
            return False
        return _ambiguous(datetime.combine(day, at, tzinfo=self.household.zone))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._guess_zone(data)
        zone = self.household.zone
        for prefix, label, field in (
            ("start", "departure", "starts_at"),
            ("end", "return", "ends_at"),
        ):
            day, at = data.get(f"{prefix}_date"), data.get(f"{prefix}_time")
            if day is None or at is None:
                continue
            try:
                moment = LocalMoment(day, at, zone).resolve(data.get(f"{prefix}_fold", ""), label)
            except ValidationError as error:
                self.add_error(f"{prefix}_time", error)
                continue
            setattr(self.instance, field, moment)
        return data

    def _guess_zone(self, data: dict[str, Any]) -> None:
        """The destination's zone when the parent left the home zone (or nothing) in the box:
        one place, its zone; several ("Portland"), the parent picks; none, the box stands."""
        typed = data.get("destination_zone") or ""
        if "destination" not in self.changed_data or typed not in ("", self.household.time_zone):
            return
        zones = {place.zone for place in self.places}
        if len(zones) == 1:
            data["destination_zone"] = zones.pop()
        elif len(zones) > 1 and typed not in zones:
            self.add_error(
                "destination_zone",
                _("%(destination)s is in more than one place: choose its time zone (%(places)s).")
                % {
                    "destination": data.get("destination"),
                    "places": "; ".join(f"{p.label}: {p.zone}" for p in self.places),
                },
            )

    def _update_errors(self, errors: ValidationError) -> None:
        # The model speaks of the two moments; people typed dates and times.
        if hasattr(errors, "error_dict"):
            moved = {"starts_at": "start_date", "ends_at": "end_date"}
            remapped: dict[str, list[ValidationError]] = {}
            for name, messages in errors.error_dict.items():
                remapped.setdefault(moved.get(name, name), []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


class CoverForm(forms.Form):
    """Names the adult in charge on one night: a member, or a backup caregiver contact."""

    adult = forms.ChoiceField(label=_("In charge that night"), required=False)

    def __init__(
        self, *args: Any, household: Household, traveller_id: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The traveller is never offered as the adult in charge of their own trip.
        members = (
            Membership.objects.in_household(household)
            .exclude(user_id=traveller_id)
            .select_related("user")
        )
        backups = Contact.objects.in_household(household).backups()
        self.fields["adult"].choices = [  # type: ignore[attr-defined]
            ("", "A parent at home (default)"),
            *((f"member:{m.user_id}", m.user.name) for m in members),
            *(
                (f"contact:{c.pk}", _("%(name)s (backup caregiver)") % {"name": c.name})
                for c in backups
            ),
        ]
        self.members = {str(m.user_id): m.user for m in members}
        self.contacts = {str(c.pk): c for c in backups}

    def chosen(self) -> tuple[User | None, Contact | None]:
        value = self.cleaned_data["adult"]
        if not value:
            return None, None
        kind, _sep, key = value.partition(":")
        if kind == "member" and key in self.members:
            return self.members[key], None
        if kind == "contact" and key in self.contacts:
            return None, self.contacts[key]
        raise ValidationError(_("Choose someone from the list."))
