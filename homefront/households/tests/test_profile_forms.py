"""The profile's form pages: a parent saves and is sent back; bad input gets a 422 with the
message next to the field, the typed values kept, and nothing saved."""

from __future__ import annotations

import re
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from html.parser import HTMLParser
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import Household
from homefront.households.models import HouseNote
from homefront.households.models import Medicine
from homefront.households.models import Routine
from homefront.households.models import RoutineKind
from homefront.households.models import Severity
from homefront.households.views import PHONE_TREE_CHANGED

# A Monday; 10:00 in the household's America/New_York.
NOW = datetime(2025, 6, 16, 14, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("frozen_time")
LONG = "x" * 10_000
PROFILE_MODELS = (Household, Child, Routine, Food, Medicine, Contact, HouseNote)


@pytest.fixture
def parent(family):
    return family.client_for(family.parent)


# -- Reading the rendered page ------------------------------------------------------


class FormPage(HTMLParser):
    """The field errors by element id, and the value each form control shows."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.errors: dict[str, str] = {}
        self.values: dict[str, list[str]] = {}
        self.controls: dict[str, dict[str, Any]] = {}
        self._error_id: str | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "small" and "error" in (a.get("class") or "").split():
            self._error_id = a.get("id") or ""
            self.errors[self._error_id] = ""
        elif tag == "input" and name and name != "csrfmiddlewaretoken":
            self.controls.setdefault(name, a)
            if a.get("type") in ("checkbox", "radio"):
                self.values.setdefault(name, [])
                if "checked" in a:
                    self.values[name].append(a.get("value") or "on")
            else:
                self.values[name] = [a.get("value") or ""]
        elif tag == "textarea" and name:
            self.controls[name] = a
            self.values[name] = [""]
            self._textarea = name
        elif tag == "select" and name:
            self.controls[name] = a
            self.values[name] = []
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select].append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "small":
            self._error_id = None
        elif tag == "textarea" and self._textarea:
            # Django writes a newline after <textarea>, which browsers drop.
            self.values[self._textarea][0] = self.values[self._textarea][0].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._error_id is not None:
            self.errors[self._error_id] += data
        if self._textarea:
            self.values[self._textarea][0] += data

    def value(self, name: str) -> str:
        (value,) = self.values[name]
        return value


def assert_rejected(response, errors: dict[str, str]) -> FormPage:
    """A 422 whose page shows each message in the error element of its field."""
    assert response.status_code == 422, response.content[:500]
    page = FormPage(response.content.decode())
    assert "Nothing was saved yet." in response.content.decode()
    for field, message in errors.items():
        element_id = f"id_{field}_errors"
        assert element_id in page.errors, f"no error shown for {field}: {page.errors}"
        assert message in page.errors[element_id]
        control = page.controls[field]
        assert control.get("aria-invalid") == "true"
        assert element_id in (control.get("aria-describedby") or "")
    assert set(page.errors) == {f"id_{field}_errors" for field in errors}
    return page


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in PROFILE_MODELS}


def row(obj) -> dict[str, Any]:
    return type(obj).objects.filter(pk=obj.pk).values().get()


class Unchanged:
    """Counts of every profile table, and the stored rows of some objects, before and after."""

    def __init__(self, *objects: Any) -> None:
        self.objects = objects
        self.counts = counts()
        self.rows = [row(obj) for obj in objects]

    def check(self) -> None:
        assert counts() == self.counts
        assert [row(obj) for obj in self.objects] == self.rows


# -- Children ------------------------------------------------------------------------


def test_parent_adds_a_child(family, parent):
    response = parent.post(
        reverse("households:child_create"),
        {"name": "Leo", "birth_date": "2024-10-03", "notes": "Loves the blue rabbit."},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("households:profile")
    leo = Child.objects.get(household=family.household, name="Leo")
    assert leo.birth_date == date(2024, 10, 3)
    assert leo.notes == "Loves the blue rabbit."
    page = parent.get(response["Location"]).content.decode()
    assert "Child added." in page
    assert "Leo" in page
    assert "8 months" in page


def test_parent_edits_a_child(family, parent):
    url = reverse("households:child_edit", args=[family.child.pk])
    page = FormPage(parent.get(url).content.decode())
    assert page.value("name") == "Maya"
    assert page.value("birth_date") == "2022-05-12"

    response = parent.post(url, {"name": "Maya Rose", "birth_date": "2022-05-13", "notes": "Hi"})
    assert response.status_code == 302
    assert response["Location"] == reverse("households:child", args=[family.child.pk])
    family.child.refresh_from_db()
    assert (family.child.name, family.child.birth_date, family.child.notes) == (
        "Maya Rose",
        date(2022, 5, 13),
        "Hi",
    )


def test_renaming_a_child_to_another_case_of_its_own_name_is_fine(family, parent):
    response = parent.post(
        reverse("households:child_edit", args=[family.child.pk]),
        {"name": "MAYA", "birth_date": "2022-05-12"},
    )
    assert response.status_code == 302
    family.child.refresh_from_db()
    assert family.child.name == "MAYA"


def test_parent_deletes_a_child_after_confirming(family, parent):
    url = reverse("households:child_delete", args=[family.child.pk])
    confirm = parent.get(url)
    assert confirm.status_code == 200
    assert "Delete Maya?" in confirm.content.decode()
    assert Child.objects.filter(pk=family.child.pk).exists()

    response = parent.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("households:profile")
    assert not Child.objects.filter(pk=family.child.pk).exists()
    # Her routines, foods and medicines go with her.
    assert not Routine.objects.filter(pk=family.routine.pk).exists()
    assert not Food.objects.filter(pk=family.allergy.pk).exists()
    assert not Medicine.objects.filter(pk=family.medicine.pk).exists()


@pytest.mark.parametrize(
    ("now", "birth_date", "accepted"),
    [
        # 10:00 in New York on 16 June.
        (datetime(2025, 6, 16, 14, 0, tzinfo=UTC), "2025-06-16", True),
        (datetime(2025, 6, 16, 14, 0, tzinfo=UTC), "2025-06-17", False),
        # 22:30 on 16 June in New York, but already 17 June in UTC.
        (datetime(2025, 6, 17, 2, 30, tzinfo=UTC), "2025-06-16", True),
        (datetime(2025, 6, 17, 2, 30, tzinfo=UTC), "2025-06-17", False),
        # 00:30 on 17 June in New York: now the 17th is today.
        (datetime(2025, 6, 17, 4, 30, tzinfo=UTC), "2025-06-17", True),
        (datetime(2025, 6, 17, 4, 30, tzinfo=UTC), "2025-06-18", False),
    ],
)
def test_a_birth_date_may_be_today_in_the_household_zone_but_not_later(
    family, parent, now, birth_date, accepted
):
    before = Unchanged(family.child)
    with time_machine.travel(now, tick=False):
        response = parent.post(
            reverse("households:child_create"), {"name": "Newborn", "birth_date": birth_date}
        )
    if accepted:
        assert response.status_code == 302
        assert Child.objects.get(name="Newborn").birth_date == date.fromisoformat(birth_date)
    else:
        page = assert_rejected(response, {"birth_date": "A birth date cannot be in the future."})
        assert page.value("name") == "Newborn"
        assert page.value("birth_date") == birth_date
        before.check()


def test_a_birth_date_more_than_25_years_ago_is_questioned(family, parent):
    before = Unchanged(family.child)
    response = parent.post(
        reverse("households:child_create"), {"name": "Old", "birth_date": "1925-06-16"}
    )
    page = assert_rejected(response, {"birth_date": "Homefront is for children; check the year."})
    assert page.value("birth_date") == "1925-06-16"
    before.check()


def test_a_child_needs_a_name_and_a_real_birth_date(family, parent):
    before = Unchanged(family.child)
    response = parent.post(
        reverse("households:child_create"),
        {"name": "", "birth_date": "2023-02-30", "notes": "Sleeps with a light on"},
    )
    page = assert_rejected(
        response, {"name": "This field is required.", "birth_date": "Enter a valid date."}
    )
    assert page.value("birth_date") == "2023-02-30"
    assert page.value("notes") == "Sleeps with a light on"
    before.check()


@pytest.mark.parametrize("name", ["Maya", "maya", "MAYA", "  maya  "])
def test_two_children_of_a_household_cannot_share_a_name(family, parent, name):
    before = Unchanged(family.child)
    response = parent.post(
        reverse("households:child_create"),
        {"name": name, "birth_date": "2024-01-01", "notes": "Twin"},
    )
    page = assert_rejected(
        response, {"name": "A child with this name is already in your household."}
    )
    assert page.value("name") == name  # as typed
    assert page.value("birth_date") == "2024-01-01"
    assert page.value("notes") == "Twin"
    before.check()


def test_renaming_a_child_to_a_siblings_name_is_refused(family, parent):
    leo = Child.objects.create(household=family.household, name="Leo", birth_date=date(2024, 1, 1))
    before = Unchanged(family.child, leo)
    response = parent.post(
        reverse("households:child_edit", args=[leo.pk]),
        {"name": "mAyA", "birth_date": "2024-01-01"},
    )
    assert_rejected(response, {"name": "A child with this name is already in your household."})
    before.check()


def test_the_same_name_in_another_household_is_fine(family, parent):
    Child.objects.create(household=family.other_household, name="Leo", birth_date=date(2020, 1, 1))
    response = parent.post(
        reverse("households:child_create"), {"name": "leo", "birth_date": "2024-01-01"}
    )
    assert response.status_code == 302
    assert Child.objects.filter(name__iexact="leo").count() == 2

    outsider = family.client_for(family.outsider)
    response = outsider.post(
        reverse("households:child_create"), {"name": "Maya", "birth_date": "2021-01-01"}
    )
    assert response.status_code == 302
    assert Child.objects.get(household=family.other_household, name="Maya")


@pytest.mark.parametrize("name", ["נועה", "مريم", "Zoë 🌈", "李小龍", "Zoë & <Bo>"])
def test_names_in_any_script_are_saved_and_shown_back(family, parent, name):
    response = parent.post(
        reverse("households:child_create"),
        {"name": name, "birth_date": "2023-01-01", "notes": f"{name} ❤️"},
    )
    assert response.status_code == 302
    child = Child.objects.get(household=family.household, name=name)
    assert child.notes == f"{name} ❤️"

    detail = parent.get(reverse("households:child", args=[child.pk])).content.decode()
    assert f"<h1>{escape(name)} <span" in detail
    profile = parent.get(reverse("households:profile")).content.decode()
    assert f"<strong>{escape(name)}</strong>" in profile
    form = FormPage(parent.get(reverse("households:child_edit", args=[child.pk])).content.decode())
    assert form.value("name") == name
    assert form.value("notes") == f"{name} ❤️"


# -- Routines ------------------------------------------------------------------------


def routine_data(**overrides: Any) -> dict[str, Any]:
    return {
        "kind": RoutineKind.NAP,
        "label": "",
        "time": "13:00",
        "weekdays": ["0", "2", "4"],
        "every_n_days": "1",
        "starts_on": "",
        "steps": "Curtains\nWhite noise",
        "notes": "",
        **overrides,
    }


def test_the_new_routine_form_starts_with_every_day_ticked(family, parent):
    page = FormPage(
        parent.get(reverse("households:routine_create", args=[family.child.pk])).content.decode()
    )
    assert page.values["weekdays"] == [str(day) for day in range(7)]
    assert page.value("every_n_days") == "1"


def test_parent_adds_a_routine(family, parent):
    response = parent.post(
        reverse("households:routine_create", args=[family.child.pk]), routine_data()
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("households:child", args=[family.child.pk])
    nap = Routine.objects.get(child=family.child, kind=RoutineKind.NAP)
    assert nap.time == time(13, 0)
    assert nap.weekdays == 0b0010101
    assert nap.day_list == [0, 2, 4]
    assert nap.step_list == ["Curtains", "White noise"]
    page = parent.get(response["Location"]).content.decode()
    assert "Routine added." in page
    assert "Mon, Wed, Fri" in page


def test_parent_edits_a_routine_to_every_other_day(family, parent):
    url = reverse("households:routine_edit", args=[family.routine.pk])
    page = FormPage(parent.get(url).content.decode())
    assert page.values["weekdays"] == [str(day) for day in range(7)]
    assert page.value("time") == "19:30"

    response = parent.post(
        url,
        routine_data(
            kind=RoutineKind.BATH,
            label="Bubble bath",
            time="18:45",
            weekdays=[str(day) for day in range(7)],
            every_n_days="2",
            starts_on="2025-06-15",
        ),
    )
    assert response.status_code == 302
    family.routine.refresh_from_db()
    assert family.routine.title == "Bubble bath"
    assert family.routine.time == time(18, 45)
    assert family.routine.every_n_days == 2
    assert family.routine.starts_on == date(2025, 6, 15)
    assert family.routine.schedule_label() == "every other day"


def test_a_routine_needs_a_time(family, parent):
    before = Unchanged(family.routine)
    response = parent.post(
        reverse("households:routine_create", args=[family.child.pk]),
        routine_data(time="", label="Quiet time"),
    )
    page = assert_rejected(response, {"time": "When does it happen? Give a time."})
    assert page.value("label") == "Quiet time"
    assert page.values["weekdays"] == ["0", "2", "4"]
    assert page.value("steps") == "Curtains\nWhite noise"
    before.check()


def test_every_other_day_counts_from_today_without_a_start_day(family, parent):
    response = parent.post(
        reverse("households:routine_edit", args=[family.routine.pk]),
        routine_data(every_n_days="2", starts_on=""),
    )
    assert response.status_code == 302
    family.routine.refresh_from_db()
    assert family.routine.starts_on == family.household.today()


def test_a_routine_needs_at_least_one_day(family, parent):
    before = Unchanged(family.routine)
    data = routine_data(label="Swimming")
    del data["weekdays"]
    response = parent.post(reverse("households:routine_create", args=[family.child.pk]), data)
    page = assert_rejected(response, {"weekdays": "Pick at least one day."})
    assert page.values["weekdays"] == []
    assert page.value("label") == "Swimming"
    before.check()


def test_parent_deletes_a_routine(family, parent):
    url = reverse("households:routine_delete", args=[family.routine.pk])
    assert parent.get(url).status_code == 200
    assert Routine.objects.filter(pk=family.routine.pk).exists()
    response = parent.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("households:child", args=[family.child.pk])
    assert not Routine.objects.filter(pk=family.routine.pk).exists()


def test_htmx_delete_of_a_routine_returns_an_empty_row(family, parent):
    response = parent.post(
        reverse("households:routine_delete", args=[family.routine.pk]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.content == b""
    assert not Routine.objects.filter(pk=family.routine.pk).exists()
    # No "deleted" message waits for the next page: the row simply disappeared.
    assert "deleted" not in parent.get(reverse("households:profile")).content.decode()


# -- Foods ---------------------------------------------------------------------------


def test_parent_adds_a_liked_food_and_severity_is_dropped(family, parent):
    response = parent.post(
        reverse("households:food_create", args=[family.child.pk]),
        {"name": "Pasta", "kind": FoodKind.LIKE, "severity": Severity.SEVERE, "what_to_do": ""},
    )
    assert response.status_code == 302
    pasta = Food.objects.get(child=family.child, name="Pasta")
    assert (pasta.kind, pasta.severity) == (FoodKind.LIKE, "")


def test_parent_adds_an_allergy(family, parent):
    response = parent.post(
        reverse("households:food_create", args=[family.child.pk]),
        {
            "name": "Sesame",
            "kind": FoodKind.ALLERGY,
            "severity": Severity.MODERATE,
            "what_to_do": "Antihistamine, watch her breathing.",
        },
    )
    assert response.status_code == 302
    sesame = Food.objects.get(child=family.child, name="Sesame")
    assert sesame.severity == Severity.MODERATE
    detail = parent.get(reverse("households:child", args=[family.child.pk])).content.decode()
    assert "Allergy: Sesame" in detail


def test_parent_edits_a_food(family, parent):
    url = reverse("households:food_edit", args=[family.allergy.pk])
    page = FormPage(parent.get(url).content.decode())
    assert page.values["kind"] == [FoodKind.ALLERGY]
    assert page.values["severity"] == [Severity.SEVERE]
    response = parent.post(
        url,
        {
            "name": "Peanuts and tree nuts",
            "kind": FoodKind.ALLERGY,
            "severity": Severity.SEVERE,
            "what_to_do": "EpiPen in the blue bag, then call 911.",
        },
    )
    assert response.status_code == 302
    family.allergy.refresh_from_db()
    assert family.allergy.name == "Peanuts and tree nuts"
    assert family.allergy.what_to_do == "EpiPen in the blue bag, then call 911."


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"severity": "", "what_to_do": "Call 911."},
            {"severity": "How serious is this allergy?"},
        ),
        (
            {"severity": Severity.MILD, "what_to_do": "   "},
            {"what_to_do": "Tell the caregiver what to do if it happens."},
        ),
        (
            {"severity": "", "what_to_do": ""},
            {
                "severity": "How serious is this allergy?",
                "what_to_do": "Tell the caregiver what to do if it happens.",
            },
        ),
    ],
)
def test_an_allergy_needs_a_severity_and_what_to_do(family, parent, data, errors):
    before = Unchanged(family.allergy)
    response = parent.post(
        reverse("households:food_create", args=[family.child.pk]),
        {"name": "Kiwi", "kind": FoodKind.ALLERGY, **data},
    )
    page = assert_rejected(response, errors)
    assert page.value("name") == "Kiwi"
    assert page.values["kind"] == [FoodKind.ALLERGY]
    assert page.values["severity"] == ([data["severity"]] if data["severity"] else [""])
    before.check()


def test_food_name_longer_than_its_limit_is_refused(family, parent):
    before = Unchanged(family.allergy)
    response = parent.post(
        reverse("households:food_create", args=[family.child.pk]),
        {"name": LONG, "kind": FoodKind.LIKE},
    )
    page = assert_rejected(response, {"name": "at most 100 characters (it has 10000)"})
    assert page.value("name") == LONG
    before.check()


# -- Medicines -----------------------------------------------------------------------


def medicine_data(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Amoxicillin",
        "dose": "5 ml",
        "times": "8:00, 7:30 pm, 08:00",
        "min_interval_hours": "",
        "notes": "With food. In the fridge.",
        **overrides,
    }


def test_the_new_medicine_form_starts_with_empty_times(family, parent):
    page = FormPage(
        parent.get(reverse("households:medicine_create", args=[family.child.pk])).content.decode()
    )
    assert page.value("times") == ""


def test_parent_adds_a_medicine_with_times(family, parent):
    response = parent.post(
        reverse("households:medicine_create", args=[family.child.pk]), medicine_data()
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("households:child", args=[family.child.pk])
    medicine = Medicine.objects.get(child=family.child, name="Amoxicillin")
    assert medicine.times == ["08:00", "19:30"]
    assert medicine.as_needed is False
    page = parent.get(response["Location"]).content.decode()
    assert "At 8:00 AM, 7:30 PM" in page


def test_parent_adds_an_as_needed_medicine(family, parent):
    response = parent.post(
        reverse("households:medicine_create", args=[family.child.pk]),
        medicine_data(name="Ibuprofen", times="", as_needed="on", min_interval_hours="6"),
    )
    assert response.status_code == 302
    medicine = Medicine.objects.get(name="Ibuprofen")
    assert (medicine.times, medicine.as_needed, medicine.min_interval_hours) == ([], True, 6)


def test_parent_edits_a_medicine(family, parent):
    url = reverse("households:medicine_edit", args=[family.medicine.pk])
    assert FormPage(parent.get(url).content.decode()).value("times") == "08:00"
    response = parent.post(url, medicine_data(name="Vitamin D", dose="2 gummies", times="7 am"))
    assert response.status_code == 302
    family.medicine.refresh_from_db()
    assert (family.medicine.dose, family.medicine.times) == ("2 gummies", ["07:00"])


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"times": ""}, {"times": "Give the times it is taken, or tick “as needed”."}),
        (
            {"times": "", "as_needed": "on"},
            {"min_interval_hours": "How many hours must pass between two doses?"},
        ),
        (
            {"times": "8:00", "as_needed": "on", "min_interval_hours": "6"},
            {"times": "An as-needed medicine has no fixed times; clear them or untick it."},
        ),
        ({"times": "25:00"}, {"times": "“25:00” is not a time of day."}),
        ({"times": "8:00, soon"}, {"times": "“soon” is not a time. Write times like 8:00"}),
        ({"times": "13 pm"}, {"times": "“13 pm”: with am or pm the hour is 1 to 12."}),
        (
            {"times": "", "as_needed": "on", "min_interval_hours": "0"},
            {"min_interval_hours": "greater than or equal to 1"},
        ),
        (
            {"times": "", "as_needed": "on", "min_interval_hours": "100"},
            {"min_interval_hours": "less than or equal to 72"},
        ),
    ],
)
def test_bad_medicine_schedules_are_refused(family, parent, data, errors):
    before = Unchanged(family.medicine)
    response = parent.post(
        reverse("households:medicine_create", args=[family.child.pk]), medicine_data(**data)
    )
    page = assert_rejected(response, errors)
    assert page.value("name") == "Amoxicillin"
    assert page.value("times") == data["times"]
    assert page.values["as_needed"] == (["on"] if "as_needed" in data else [])
    before.check()


# -- Contacts and the phone tree -------------------------------------------------------


def contact_data(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Uncle Sam",
        "relation": "Uncle",
        "phone": "+1 505 555 0134",
        "other_phone": "",
        "email": "",
        "roles": [ContactRole.BACKUP],
        "address": "",
        "notes": "",
        **overrides,
    }


def backups(family) -> list[tuple[str, int]]:
    return [
        (contact.name, contact.backup_order)
        for contact in Contact.objects.in_household(family.household).backups()
    ]


def test_a_new_backup_caregiver_joins_the_end_of_the_phone_tree(family, parent):
    response = parent.post(reverse("households:contact_create"), contact_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("households:profile")
    response = parent.post(
        reverse("households:contact_create"),
        contact_data(name="Dr Kim", phone="", email="kim@clinic.example", roles=["doctor"]),
    )
    assert response.status_code == 302
    response = parent.post(reverse("households:contact_create"), contact_data(name="Aunt Jo"))
    assert response.status_code == 302
    assert backups(family) == [("Grandma", 1), ("Uncle Sam", 2), ("Aunt Jo", 3)]
    doctor = Contact.objects.get(name="Dr Kim")
    assert (doctor.backup_order, doctor.email, doctor.roles) == (
        None,
        "kim@clinic.example",
        ["doctor"],
    )


def test_parent_edits_a_contact_and_the_order_is_kept(family, parent):
    Contact(household=family.household, name="Uncle Sam", phone="55501", roles=["backup"]).save()
    url = reverse("households:contact_edit", args=[family.contact.pk])
    page = FormPage(parent.get(url).content.decode())
    assert page.value("name") == "Grandma"
    assert page.values["roles"] == [ContactRole.BACKUP]

    response = parent.post(
        url,
        contact_data(name="Grandma Ruth", phone="(619) 555-0187 ext. 4", email="ruth@example.com"),
    )
    assert response.status_code == 302
    family.contact.refresh_from_db()
    assert family.contact.name == "Grandma Ruth"
    assert family.contact.phone == "(619) 555-0187 ext. 4"
    assert backups(family) == [("Grandma Ruth", 1), ("Uncle Sam", 2)]

    # No longer a backup: out of the phone tree.
    response = parent.post(url, contact_data(name="Grandma Ruth", roles=[]))
    assert response.status_code == 302
    family.contact.refresh_from_db()
    assert family.contact.backup_order is None


def move_form(client, contact: Contact) -> dict[str, list[str]]:
    """What the ↑ button of `contact` on the profile page sends: the phone tree it shows."""
    page = client.get(reverse("households:profile")).content.decode()
    action = reverse("households:contact_move_up", args=[contact.pk])
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', page, re.S)
    assert form, f"no ↑ for {contact.name}"
    return {"tree": re.findall(r'name="tree" value="(\d+)"', form.group(1))}


def test_parent_moves_a_backup_up_the_phone_tree(family, parent):
    for name in ("Uncle Sam", "Aunt Jo"):
        Contact(household=family.household, name=name, phone="55501", roles=["backup"]).save()
    aunt = Contact.objects.get(name="Aunt Jo")
    url = reverse("households:contact_move_up", args=[aunt.pk])
    response = parent.post(url, move_form(parent, aunt))
    assert response.status_code == 302
    assert response["Location"] == reverse("households:profile")
    assert backups(family) == [("Grandma", 1), ("Aunt Jo", 2), ("Uncle Sam", 3)]

    parent.post(url, move_form(parent, aunt))
    assert backups(family) == [("Aunt Jo", 1), ("Grandma", 2), ("Uncle Sam", 3)]

    # The first one stays first (the page offers no ↑ for them).
    parent.post(url, {"tree": Contact.phone_tree(family.household.pk)})
    assert backups(family) == [("Aunt Jo", 1), ("Grandma", 2), ("Uncle Sam", 3)]


def test_a_move_on_an_older_phone_tree_moves_nothing_and_says_why(family, parent):
    for name in ("Uncle Sam", "Aunt Jo"):
        Contact(household=family.household, name=name, phone="55501", roles=["backup"]).save()
    uncle, aunt = Contact.objects.get(name="Uncle Sam"), Contact.objects.get(name="Aunt Jo")
    # Both buttons as one page showed them: [Grandma, Uncle Sam, Aunt Jo].
    seen_by_uncle, seen_by_aunt = move_form(parent, uncle), move_form(parent, aunt)
    uncle_up = reverse("households:contact_move_up", args=[uncle.pk])
    assert parent.post(uncle_up, seen_by_uncle).status_code == 302

    response = parent.post(
        reverse("households:contact_move_up", args=[aunt.pk]), seen_by_aunt, follow=True
    )

    assert backups(family) == [("Uncle Sam", 1), ("Grandma", 2), ("Aunt Jo", 3)]
    page = response.content.decode()
    assert escape(PHONE_TREE_CHANGED) in page
    # The page they are back on shows the tree as it is, so moving again works.
    parent.post(reverse("households:contact_move_up", args=[aunt.pk]), move_form(parent, aunt))
    assert backups(family) == [("Uncle Sam", 1), ("Aunt Jo", 2), ("Grandma", 3)]


def test_moving_up_with_htmx_returns_the_contact_list(family, parent):
    Contact(household=family.household, name="Uncle Sam", phone="55501", roles=["backup"]).save()
    uncle = Contact.objects.get(name="Uncle Sam")
    response = parent.post(
        reverse("households:contact_move_up", args=[uncle.pk]),
        move_form(parent, uncle),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<ul class="plain" id="contacts">')
    assert "<html" not in html
    assert html.index("Uncle Sam") < html.index("Grandma")
    assert backups(family) == [("Uncle Sam", 1), ("Grandma", 2)]


def test_moving_up_a_contact_outside_the_phone_tree_changes_nothing(family, parent):
    doctor = Contact(household=family.household, name="Dr Kim", email="kim@example.com")
    doctor.save()
    before = Unchanged(family.contact, doctor)
    tree = {"tree": Contact.phone_tree(family.household.pk)}
    response = parent.post(reverse("households:contact_move_up", args=[doctor.pk]), tree)
    assert response.status_code == 302
    before.check()


def test_moving_up_is_post_only(family, parent):
    Contact(household=family.household, name="Uncle Sam", phone="55501", roles=["backup"]).save()
    uncle = Contact.objects.get(name="Uncle Sam")
    response = parent.get(reverse("households:contact_move_up", args=[uncle.pk]))
    assert response.status_code == 405
    assert backups(family) == [("Grandma", 1), ("Uncle Sam", 2)]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"email": "ruth@"}, {"email": "Enter a valid email address."}),
        ({"phone": "call me"}, {"phone": "Enter a phone number with 5 to 15 digits"}),
        ({"phone": "123"}, {"phone": "Enter a phone number with 5 to 15 digits"}),
        ({"other_phone": "+1 (505) ☎"}, {"other_phone": "Enter a phone number with 5 to 15"}),
        ({"phone": "", "email": ""}, {"phone": "Give a phone number or an email address."}),
        ({"roles": ["backup", "pilot"]}, {"roles": "Select a valid choice. pilot is not one"}),
        ({"name": LONG}, {"name": "at most 100 characters (it has 10000)"}),
        ({"notes": LONG}, {"notes": "at most 2000 characters (it has 10000)"}),
        ({"address": LONG}, {"address": "at most 500 characters (it has 10000)"}),
    ],
)
def test_bad_contacts_are_refused(family, parent, data, errors):
    before = Unchanged(family.contact)
    response = parent.post(reverse("households:contact_create"), contact_data(**data))
    page = assert_rejected(response, errors)
    typed = contact_data(**data)
    for field in ("name", "phone", "other_phone", "email", "notes", "address"):
        assert page.value(field) == typed[field]
    before.check()


def test_contact_names_in_any_script_are_shown_on_the_profile(family, parent):
    for name in ("مريم", "נועה", "Zoë 🌈"):
        response = parent.post(reverse("households:contact_create"), contact_data(name=name))
        assert response.status_code == 302
    assert [name for name, _order in backups(family)] == ["Grandma", "مريم", "נועה", "Zoë 🌈"]
    profile = parent.get(reverse("households:profile")).content.decode()
    for name in ("مريم", "נועה", "Zoë 🌈"):
        assert f"<strong>{name}</strong>" in profile


def test_parent_deletes_a_contact(family, parent):
    url = reverse("households:contact_delete", args=[family.contact.pk])
    assert "Delete Grandma?" in parent.get(url).content.decode()
    assert Contact.objects.filter(pk=family.contact.pk).exists()
    response = parent.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("households:profile")
    assert not Contact.objects.filter(pk=family.contact.pk).exists()


# -- A bad edit of any kind --------------------------------------------------------------


def child_data(**overrides: str) -> dict[str, str]:
    return {"name": "Maya", "birth_date": "2022-05-12", "notes": "", **overrides}


TOO_LONG_100 = "at most 100 characters (it has 10000)"
TOO_LONG_2000 = "at most 2000 characters (it has 10000)"


# The form, the family's object it edits, what is sent, the errors, the fields shown as typed.
BAD_EDITS = [
    ("child_edit", "child", child_data(name=LONG), {"name": TOO_LONG_100}, ["name"]),
    ("child_edit", "child", child_data(notes=LONG), {"notes": TOO_LONG_2000}, ["notes"]),
    ("routine_edit", "routine", routine_data(label=LONG), {"label": TOO_LONG_100}, ["label"]),
    ("routine_edit", "routine", routine_data(steps=LONG), {"steps": TOO_LONG_2000}, ["steps"]),
    ("routine_edit", "routine", routine_data(notes=LONG), {"notes": TOO_LONG_2000}, ["notes"]),
    (
        "food_edit",
        "allergy",
        {"name": "Peanuts", "kind": FoodKind.ALLERGY, "severity": "", "what_to_do": ""},
        {
            "severity": "How serious is this allergy?",
            "what_to_do": "Tell the caregiver what to do if it happens.",
        },
        [],
    ),
    (
        "medicine_edit",
        "medicine",
        medicine_data(name="Vitamin D", times="soon"),
        {"times": "“soon” is not a time."},
        ["times"],
    ),
    (
        "medicine_edit",
        "medicine",
        medicine_data(notes=LONG, dose=LONG),
        {"notes": TOO_LONG_2000, "dose": TOO_LONG_100},
        ["notes"],
    ),
    (
        "contact_edit",
        "contact",
        contact_data(name="Grandma", phone="not a number"),
        {"phone": "Enter a phone number with 5 to 15 digits"},
        ["phone"],
    ),
]


@pytest.mark.parametrize(
    ("form", "stored", "data", "errors", "shown"),
    BAD_EDITS,
    ids=[f"{edit[0]}-{'-'.join(edit[3])}" for edit in BAD_EDITS],
)
def test_a_bad_edit_is_refused_and_the_stored_one_kept(
    family, parent, form, stored, data, errors, shown
):
    """Once per kind of object: the page says what is wrong, and the row is as it was."""
    obj = getattr(family, stored)
    before = Unchanged(obj)
    response = parent.post(reverse(f"households:{form}", args=[obj.pk]), data)
    page = assert_rejected(response, errors)
    for field in shown:
        assert page.value(field) == data[field]
    before.check()


# -- House notes ---------------------------------------------------------------------


def test_parent_adds_a_house_note(family, parent):
    response = parent.post(
        reverse("households:note_create"),
        {"title": "Trash day", "text": "Tuesday night, bins to the curb.", "sensitive": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("households:profile")
    note = HouseNote.objects.get(household=family.household, title="Trash day")
    assert (note.text, note.sensitive) == ("Tuesday night, bins to the curb.", False)


def test_parent_edits_a_house_note_into_a_sensitive_one(family, parent):
    url = reverse("households:note_edit", args=[family.note.pk])
    page = FormPage(parent.get(url).content.decode())
    assert (page.value("title"), page.value("text")) == ("Wi-Fi", "Password: moon")
    response = parent.post(url, {"title": "Wi-Fi", "text": "Password: sun", "sensitive": "on"})
    assert response.status_code == 302
    family.note.refresh_from_db()
    assert (family.note.text, family.note.sensitive) == ("Password: sun", True)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"title": "", "text": "Spare key under the pot"}, {"title": "This field is required."}),
        ({"title": LONG, "text": "ok"}, {"title": "at most 100 characters (it has 10000)"}),
        ({"title": "Long", "text": LONG}, {"text": "at most 5000 characters (it has 10000)"}),
    ],
)
def test_bad_house_notes_are_refused(family, parent, data, errors):
    before = Unchanged(family.note)
    response = parent.post(reverse("households:note_edit", args=[family.note.pk]), data)
    page = assert_rejected(response, errors)
    assert page.value("title") == data["title"]
    assert page.value("text") == data["text"]
    before.check()


def test_parent_deletes_a_house_note(family, parent):
    url = reverse("households:note_delete", args=[family.note.pk])
    assert "Delete “Wi-Fi”?" in parent.get(url).content.decode()
    response = parent.post(url)
    assert response.status_code == 302
    assert not HouseNote.objects.filter(pk=family.note.pk).exists()


def test_a_sensitive_note_is_masked_until_a_parent_reveals_it(family, parent):
    profile = parent.get(reverse("households:profile")).content.decode()
    assert "Alarm" in profile
    assert "Code 4815" not in profile

    url = reverse("households:note_reveal", args=[family.secret_note.pk])
    response = parent.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<div id="note-{family.secret_note.pk}">' in html
    assert "Code 4815" in html
    assert "<html" not in html
    assert "Reveal" not in html

    page = parent.get(url)
    assert page.status_code == 200
    assert "<html" in page.content.decode()
    assert "Code 4815" in page.content.decode()


def test_a_caregiver_cannot_reveal_a_sensitive_note(family):
    carer = family.client_for(family.caregiver)
    assert "Alarm" not in carer.get(reverse("households:profile")).content.decode()
    url = reverse("households:note_reveal", args=[family.secret_note.pk])
    for headers in ({"HX-Request": "true"}, {}):
        response = carer.get(url, headers=headers)
        assert response.status_code == 403
        assert "Code 4815" not in response.content.decode()
    # An ordinary note is no secret.
    response = carer.get(reverse("households:note_reveal", args=[family.note.pk]))
    assert response.status_code == 200
    assert "Password: moon" in response.content.decode()


# -- Household settings ----------------------------------------------------------------


def test_parent_changes_the_household_settings(family, parent):
    url = reverse("households:settings")
    page = FormPage(parent.get(url).content.decode())
    assert (page.value("name"), page.value("time_zone")) == ("The Testers", "America/New_York")
    assert page.value("prep_tasks_per_day") == "3"
    response = parent.post(
        url, {"name": "The Testers 🏡", "time_zone": "Europe/Lisbon", "prep_tasks_per_day": "4"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("households:members")
    family.household.refresh_from_db()
    assert (
        family.household.name,
        family.household.time_zone,
        family.household.prep_tasks_per_day,
    ) == ("The Testers 🏡", "Europe/Lisbon", 4)


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"name": "The Martians", "time_zone": "Mars/Olympus"},
            {"time_zone": "“Mars/Olympus” is not a time zone we know."},
        ),
        (
            {"name": "The Testers", "time_zone": "america/new_york"},
            {"time_zone": "is not a time zone we know"},
        ),
        ({"name": "", "time_zone": "Europe/Paris"}, {"name": "This field is required."}),
        ({"name": LONG, "time_zone": "Europe/Paris"}, {"name": "at most 100 characters"}),
        (
            {"name": "The Testers", "time_zone": "Europe/Paris", "prep_tasks_per_day": "0"},
            {"prep_tasks_per_day": "At least one task a day."},
        ),
        (
            {"name": "The Testers", "time_zone": "Europe/Paris", "prep_tasks_per_day": "100"},
            {"prep_tasks_per_day": "At most 10 a day: the point is a calm plan."},
        ),
    ],
)
def test_bad_household_settings_are_refused(family, parent, data, errors):
    before = Unchanged(family.household)
    data = {"prep_tasks_per_day": "3", **data}
    response = parent.post(reverse("households:settings"), data)
    page = assert_rejected(response, errors)
    assert page.value("name") == data["name"]
    assert page.value("time_zone") == data["time_zone"]
    before.check()


def test_a_new_household_with_an_unknown_time_zone_is_refused(family):
    client = family.client_for(family.caregiver)
    before = Unchanged()
    response = client.post(
        reverse("households:create"), {"name": "Second home", "time_zone": "Mars/Olympus"}
    )
    page = assert_rejected(response, {"time_zone": "“Mars/Olympus” is not a time zone we know."})
    assert page.value("name") == "Second home"
    before.check()


# -- Who may use the forms -------------------------------------------------------------


def form_urls(family) -> list[str]:
    """Every parent-only form of the profile, create pages of the household's own first."""
    child, routine, food = family.child.pk, family.routine.pk, family.allergy.pk
    return [
        *own_household_urls(),
        reverse("households:child_edit", args=[child]),
        reverse("households:child_delete", args=[child]),
        reverse("households:routine_create", args=[child]),
        reverse("households:routine_edit", args=[routine]),
        reverse("households:routine_delete", args=[routine]),
        reverse("households:food_create", args=[child]),
        reverse("households:food_edit", args=[food]),
        reverse("households:medicine_create", args=[child]),
        reverse("households:medicine_edit", args=[family.medicine.pk]),
        reverse("households:contact_edit", args=[family.contact.pk]),
        reverse("households:contact_delete", args=[family.contact.pk]),
        reverse("households:contact_move_up", args=[family.contact.pk]),
        reverse("households:note_edit", args=[family.note.pk]),
        reverse("households:note_delete", args=[family.note.pk]),
    ]


def own_household_urls() -> list[str]:
    """Forms that act on whichever household the user is in: no object id to guess."""
    return [
        reverse("households:child_create"),
        reverse("households:contact_create"),
        reverse("households:note_create"),
        reverse("households:settings"),
    ]


def test_a_caregiver_gets_403_from_every_form_and_changes_nothing(family):
    carer = family.client_for(family.caregiver)
    before = Unchanged(family.child, family.routine, family.contact, family.note, family.household)
    for url in form_urls(family):
        assert carer.post(url, {"name": "Hacked", "title": "Hacked"}).status_code == 403, url
        if not url.endswith("/move-up/"):
            assert carer.get(url).status_code == 403, url
    before.check()


def test_an_outsider_gets_404_for_another_households_things(family):
    outsider = family.client_for(family.outsider)
    before = Unchanged(family.child, family.routine, family.contact, family.note)
    own = own_household_urls()
    for url in form_urls(family):
        if url in own:
            continue
        assert outsider.post(url, {"name": "Hacked"}).status_code == 404, url
    before.check()
