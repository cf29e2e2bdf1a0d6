"""The journal in real Chromium: Grandpa logs the girls' day from a link, also offline,
and Rachel, away in Albuquerque, watches it arrive on her timeline in her own time.

Rachel left yesterday for Albuquerque (Denver time) and is back in two days. Grandpa,
who has no account, opens the quick log from the link she made him on his phone and
logs that Maya and Noa tried raw currants and liked them. Then his phone loses its
connection: he logs a bath and a meal, which wait on the phone ("2 waiting to send")
and reach nobody. When the connection comes back they are sent, once each. Rachel's
timeline, open since before they were sent, shows them without a reload, at Denver
times.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.journal.tests.away import away_with_grandpas_link
from homefront.testing.browser import AWAY_ZONE
from homefront.testing.browser import HOME_ZONE
from homefront.testing.browser import PHONE
from homefront.testing.browser import POLLED
from homefront.testing.browser import assert_no_reload
from homefront.testing.browser import clock
from homefront.testing.browser import offline
from homefront.testing.browser import open_quick_log
from homefront.testing.browser import rachels_laptop
from homefront.testing.browser import screenshots
from homefront.testing.browser import watch_for_reloads
from homefront.trips.models import Trip

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

CURRANTS = {"food": "raw currants", "liked": "yes"}
MEAL = {"amount": "all"}


COUNT_ONLINE_EVENTS = (
    "() => { window.onlineEvents = 0;"
    " window.addEventListener('online', () => { window.onlineEvents += 1; }); }"
)


shot = screenshots("journal")


def entries_on_server(trip: Trip) -> list[tuple[str, dict]]:
    return sorted(
        JournalEntry.objects.filter(trip=trip).values_list("kind", "details"),
        key=lambda row: (row[0], sorted(row[1].items())),
    )


def test_grandpa_logs_offline_and_the_away_parent_sees_it_live_in_her_time(
    page: Page, context: BrowserContext, browser: Browser, live_server
) -> None:
    # 1. The Levins, Rachel away now, and a link for Grandpa.
    trip, rachel, girls, link, quick_log = away_with_grandpas_link()
    url = live_server.url

    # 2. Grandpa, on his phone and signed out, logs the currants for both girls.
    response = open_quick_log(page, url + quick_log)
    assert response is not None
    assert response.status == 200
    expect(page.get_by_text("Logging for: Maya, Noa")).to_be_visible()
    expect(page.locator(".tabbar")).to_have_count(0)
    status = page.locator("#sync-status")
    recent = page.locator("#recent")
    new_food = page.locator("form.log-form[data-kind='new_food']")
    new_food.get_by_label("Food").fill("raw currants")
    new_food.get_by_role("button", name="Liked it").click()
    expect(page.locator("#log-confirmation")).to_have_text(
        "Logged: New food: raw currants (liked it) for Maya and Noa"
    )
    expect(status).to_have_text("All sent")
    expect(recent).to_contain_text("New food: raw currants (liked it) for Maya and Noa")
    expect(new_food.get_by_label("Food")).to_have_value("")
    assert entries_on_server(trip) == [(Kind.NEW_FOOD, CURRANTS)]
    shot(page, "01-quick-log-390")

    # 5. (opened now) Rachel, in Albuquerque, reads the timeline on her laptop.
    with rachels_laptop(browser, url, rachel) as rachels:
        rachels.goto(f"{url}/trips/{trip.pk}/journal/")
        expect(rachels.get_by_role("heading", name="The kids' days")).to_be_visible()
        expect(rachels.locator(".zone-switch strong")).to_have_text(AWAY_ZONE)
        timeline = rachels.locator("#latest")
        expect(timeline.locator("li.entry")).to_have_count(1)
        expect(timeline).to_contain_text("Tried raw currants: liked it")
        expect(timeline).not_to_contain_text("Bath")
        navigations = watch_for_reloads(rachels)

        # 3. Grandpa's phone loses its connection; two more entries wait on it.
        with offline(context):
            page.get_by_role("button", name="Bath", exact=True).click()
            expect(page.locator("#log-confirmation")).to_have_text("Logged: Bath for Maya and Noa")
            expect(status).to_contain_text("1 waiting to send")
            page.locator("form.log-form[data-kind='meal']").get_by_role(
                "button", name="Ate all"
            ).click()
            expect(page.locator("#log-confirmation")).to_have_text(
                "Logged: Meal: ate all for Maya and Noa"
            )
            expect(status).to_contain_text("2 waiting to send")
            expect(status).to_have_text(
                "2 waiting to send · offline, they go when you are back online"
            )
            expect(status).to_be_visible()
            assert entries_on_server(trip) == [(Kind.NEW_FOOD, CURRANTS)]
            shot(page, "02-offline-waiting-390")

            # 4. Back online: the page hears it and the queue goes, each entry once.
            page.evaluate(COUNT_ONLINE_EVENTS)
        expect(status).to_have_text("All sent")
        assert page.evaluate("window.onlineEvents") == 1
        expect(recent).to_contain_text("Bath for Maya and Noa")
        expect(recent).to_contain_text("Meal: ate all for Maya and Noa")
        expect(page.locator("#sync-problems")).to_be_empty()
        shot(page, "03-all-sent-390")
        stored = list(
            JournalEntry.objects.filter(trip=trip).prefetch_related("children").order_by("pk")
        )
        assert entries_on_server(trip) == [
            (Kind.BATH, {}),
            (Kind.MEAL, MEAL),
            (Kind.NEW_FOOD, CURRANTS),
        ]
        assert len({entry.uuid for entry in stored}) == 3
        for entry in stored:
            assert entry.share_link == link
            assert entry.author is None
            assert set(entry.children.all()) == set(girls)
        bath = next(entry for entry in stored if entry.kind == Kind.BATH)

        # 5. Rachel's timeline shows them without a reload, at Denver times.
        expect(timeline.locator("li.entry")).to_have_count(3, timeout=POLLED)
        bath_row = rachels.locator(f"#entry-{bath.pk}")
        expect(bath_row).to_contain_text("Bath")
        expect(bath_row).to_contain_text("Maya, Noa")
        expect(bath_row).to_contain_text("Grandpa")
        expect(bath_row.locator("time")).to_have_text(clock(bath.occurred_at, AWAY_ZONE))
        assert clock(bath.occurred_at, AWAY_ZONE) != clock(bath.occurred_at, HOME_ZONE)
        expect(timeline).to_contain_text("Meal: ate all")
        expect(timeline).to_contain_text("Tried raw currants: liked it")
        assert_no_reload(rachels, navigations)
        shot(rachels, "04-timeline-1280")
        rachels.set_viewport_size(PHONE)
        shot(rachels, "05-timeline-390")


def test_what_the_script_draws_offline_is_what_the_server_draws_in_the_pages_language(
    page: Page, context: BrowserContext, live_server
) -> None:
    """Abuelo's link speaks Spanish. He logs Noa and Maya's mood and a note with no
    connection; journal.js draws them from the labels the page gave it, and once they are
    sent the server draws the same words for them."""
    trip, _rachel, _girls, _link, quick_log = away_with_grandpas_link("Abuelo", language="es")
    page.goto(live_server.url + quick_log)
    kinds = json.loads(page.locator("#journal-kinds").text_content() or "{}")
    assert (kinds["mood"]["label"], kinds["note"]["label"]) == ("Ánimo", "Nota")
    recent = page.locator("#recent")

    with offline(context):
        page.locator("summary", has_text=kinds["mood"]["label"]).click()
        page.get_by_role("button", name="Contento", exact=True).click()
        expect(page.locator("#log-confirmation")).to_have_text(
            "Anotado: Ánimo: contento para Maya y Noa"
        )
        page.locator("summary", has_text=kinds["note"]["label"]).click()
        note = page.locator("form.log-form[data-kind='note']")
        note.locator("textarea").fill("Jugaron en el parque")
        note.locator("button[type='submit']").click()
        expect(page.locator("#log-confirmation")).to_have_text("Anotado: Nota para Maya y Noa")
        expect(recent.locator("li.entry")).to_have_count(0)

    expect(recent.locator("li.entry")).to_have_count(2)
    drawn_by_the_script = recent.locator("li.entry strong").all_text_contents()
    assert JournalEntry.objects.filter(trip=trip).count() == 2

    page.reload()
    drawn_by_the_server = recent.locator("li.entry strong").all_text_contents()
    assert drawn_by_the_server == ["Nota", "Ánimo: contento"]
    assert drawn_by_the_script == [f"{label} para Maya y Noa" for label in drawn_by_the_server]
