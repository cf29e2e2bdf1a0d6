"""A new family's first evening with Homefront, in real Chromium on a phone.

A parent signs up, creates the household, fills in one child's bedtime and
allergy, and invites a caregiver, who joins from the link in a browser of
their own and can read everything but change nothing.
"""

from __future__ import annotations

import re
from datetime import date
from datetime import time
from datetime import timedelta

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.accounts.models import User
from homefront.demo.household import RACHEL
from homefront.demo.household import the_levins
from homefront.households.models import Child
from homefront.households.models import FoodKind
from homefront.households.models import Household
from homefront.households.models import Role
from homefront.households.models import RoutineKind
from homefront.households.models import Severity
from homefront.testing.browser import PHONE
from homefront.testing.browser import SCREENSHOTS
from homefront.testing.browser import log_in_without_the_form
from homefront.testing.household import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

ADD_OR_EDIT = re.compile(r"\b(Add|Edit)\b")


def shot(page: Page, name: str) -> None:
    page.screenshot(path=SCREENSHOTS / f"journey-{name}.png", full_page=True)


def sign_up(page: Page, name: str, email: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def test_parent_sets_up_and_a_caregiver_joins_read_only(
    page: Page, browser: Browser, live_server
) -> None:
    # 1. A new parent arrives, signs up and creates the household.
    page.goto(live_server.url)
    expect(page.get_by_role("heading", name="Time away, without the worry")).to_be_visible()
    page.get_by_role("button", name="Create an account").click()
    expect(page).to_have_url(re.compile(r"/account/signup/$"))
    sign_up(page, "Dana Rivera", "dana@example.com")

    expect(page).to_have_url(re.compile(r"/household/new/$"))
    expect(page.get_by_text("Welcome, Dana.")).to_be_visible()
    page.get_by_label("Household name").fill("The Riveras")
    page.get_by_label("Home time zone").fill("America/New_York")
    shot(page, "01-create-household")
    page.get_by_role("button", name="Create household").click()

    # 2. A child, her bedtime and her allergy.
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.get_by_text("Welcome to The Riveras.")).to_be_visible()
    page.get_by_role("button", name="+ Add a child").click()
    page.get_by_label("Name").fill("Lucia")
    page.get_by_label("Birth date").fill("2021-03-14")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Child added.")).to_be_visible()
    page.get_by_role("link", name="Lucia").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Lucia"))).to_be_visible()
    child_url = page.url

    page.get_by_role("button", name="+ Add a routine").click()
    expect(page.get_by_role("heading", name="Add a routine for Lucia")).to_be_visible()
    page.get_by_label("Kind").select_option(label="Bedtime")
    page.get_by_label("Time").fill("19:30")
    page.get_by_label("Steps").fill("Bath\nPyjamas and teeth\nTwo books\nThe moon song\nLights off")
    shot(page, "02-add-routine")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Routine added.")).to_be_visible()

    page.get_by_role("button", name="+ Add a food").click()
    page.get_by_label("Food").fill("Peanuts")
    page.get_by_label("Allergy").check()
    page.get_by_label("Severity").select_option("severe")
    page.get_by_label("What to do").fill("Hives or a cough: EpiPen in the fridge door, then 911.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Food added.")).to_be_visible()

    expect(page).to_have_url(child_url)
    allergy = page.get_by_role("note")
    expect(allergy).to_contain_text("Allergy: Peanuts")
    expect(allergy).to_contain_text("Severe")
    expect(allergy).to_contain_text("EpiPen in the fridge door")
    routines_heading = page.get_by_role("heading", name="Routines")
    assert allergy.bounding_box()["y"] < routines_heading.bounding_box()["y"]  # first thing read
    bedtime = page.locator("li", has_text="Bedtime").first
    expect(bedtime).to_contain_text("7:30 PM")
    expect(bedtime.locator("ol > li")).to_have_text(
        ["Bath", "Pyjamas and teeth", "Two books", "The moon song", "Lights off"]
    )
    shot(page, "03-child-parent")

    # 3. An invitation link for a caregiver.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Family").click()
    expect(page.get_by_role("heading", name="Invite someone")).to_be_visible()
    page.get_by_label("Who is it for?").fill("Grandma Rosa")
    expect(page.get_by_label("Caregiver")).to_be_checked()
    page.get_by_role("button", name="Create invitation link").click()
    expect(page.get_by_role("heading", name="Send this link")).to_be_visible()
    link_box = page.get_by_label("Invitation link")
    expect(link_box).to_have_value(re.compile(r"/join/[\w-]{20,}/$"))
    link = link_box.input_value()
    shot(page, "04-invitation-link")

    # 4. Grandma, on her own phone, joins with the link.
    context: BrowserContext = browser.new_context(viewport=PHONE)
    try:
        grandma = context.new_page()
        grandma.goto(link)
        expect(
            grandma.get_by_role("heading", name="You are invited to The Riveras")
        ).to_be_visible()
        grandma.get_by_role("button", name="Create account").click()
        sign_up(grandma, "Rosa Rivera", "rosa@example.com")

        expect(grandma).to_have_url(link)
        expect(grandma.get_by_text("you can read the children's profile")).to_be_visible()
        shot(grandma, "05-invitation-accept")
        grandma.get_by_role("button", name="Join The Riveras").click()
        expect(grandma.get_by_text("You joined The Riveras.")).to_be_visible()

        tabs = grandma.get_by_role("navigation", name="Main")
        tabs.get_by_role("link", name="Profile").click()
        main = grandma.get_by_role("main")
        expect(main.get_by_role("link", name="Lucia")).to_be_visible()
        expect(main.get_by_role("link", name=ADD_OR_EDIT)).to_have_count(0)
        expect(main.get_by_role("button", name=ADD_OR_EDIT)).to_have_count(0)

        main.get_by_role("link", name="Lucia").click()
        expect(grandma).to_have_url(child_url)
        expect(grandma.get_by_role("note")).to_contain_text("Allergy: Peanuts")
        expect(main.locator("ol > li")).to_have_count(5)
        expect(main.get_by_text("The moon song")).to_be_visible()
        expect(main.get_by_role("link", name=ADD_OR_EDIT)).to_have_count(0)
        expect(main.get_by_role("button")).to_have_count(0)
        shot(grandma, "06-child-caregiver")

        child_pk = int(child_url.rstrip("/").rsplit("/", 1)[1])
        edit_url = f"{live_server.url}/children/{child_pk}/edit/"
        response = grandma.goto(edit_url)
        assert response is not None
        assert response.status == 403
        expect(grandma.get_by_role("heading", name="Only a parent can do this")).to_be_visible()
        shot(grandma, "07-forbidden")

        csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        posted = grandma.request.post(
            edit_url,
            form={"csrfmiddlewaretoken": csrf, "name": "Hacked", "birth_date": "2020-01-01"},
            headers={"Referer": edit_url},
        )
        assert posted.status == 403
        assert "Only a parent can do this" in posted.text()
    finally:
        context.close()

    # 5. What the database holds.
    household = Household.objects.get()
    assert (household.name, household.time_zone) == ("The Riveras", "America/New_York")
    dana = User.objects.get(email="dana@example.com")
    rosa = User.objects.get(email="rosa@example.com")
    roles = {m.user: m.role for m in household.memberships.all()}
    assert roles == {dana: Role.PARENT, rosa: Role.CAREGIVER}

    child = household.children.get()
    assert (child.name, child.birth_date) == ("Lucia", date(2021, 3, 14))
    routine = child.routines.get()
    assert (routine.kind, routine.time) == (RoutineKind.BEDTIME, time(19, 30))
    assert routine.step_list == [
        "Bath",
        "Pyjamas and teeth",
        "Two books",
        "The moon song",
        "Lights off",
    ]
    food = child.foods.get()
    assert (food.name, food.kind, food.severity) == ("Peanuts", FoodKind.ALLERGY, Severity.SEVERE)
    assert "EpiPen" in food.what_to_do


def test_add_child_errors_sit_by_their_fields_and_keep_the_input(page: Page, live_server) -> None:
    levins = the_levins(PASSWORD, people=(RACHEL,), girls=("Maya",))
    household = levins.household
    log_in_without_the_form(page, live_server.url, levins.rachel)

    future = (household.today() + timedelta(days=40)).isoformat()
    page.goto(f"{live_server.url}/children/new/")
    page.get_by_label("Name").fill("maya")
    page.get_by_label("Birth date").fill(future)
    page.get_by_label("Notes").fill("Loves the blue blanket")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_have_text(re.compile(r"check the 2 highlighted fields"))
    name = page.get_by_label("Name")
    birth_date = page.get_by_label("Birth date")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(birth_date).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-name .error")).to_have_text(
        "A child with this name is already in your household."
    )
    expect(page.locator(".field-birth_date .error")).to_have_text(
        "A birth date cannot be in the future."
    )
    expect(name).to_have_accessible_description(re.compile("already in your household"))
    expect(name).to_have_value("maya")
    expect(birth_date).to_have_value(future)
    expect(page.get_by_label("Notes")).to_have_value("Loves the blue blanket")
    shot(page, "08-add-child-errors")

    assert list(Child.objects.values_list("name", flat=True)) == ["Maya"]
