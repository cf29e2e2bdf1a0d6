"""What a phone keeps of the family after someone logs out, in real Chromium.

Rachel opens the quick log on a phone, so the service worker keeps it for offline use.
Once she logs out, the phone opened offline shows nothing of her household. Had she
logged something that is still waiting to be sent, logging out says so and offers to
send it first. Grandpa, whose link Rachel revoked while his phone was offline, sees the
entries it refused with their text, to pass them on, and the link's page is gone too.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.core.tests.browser import KEPT
from homefront.core.tests.browser import wait_until_kept
from homefront.demo.household import DAVID
from homefront.demo.household import RACHEL
from homefront.demo.household import the_levins
from homefront.handoff.models import ShareLink
from homefront.journal.models import JournalEntry
from homefront.journal.models import Kind
from homefront.journal.tests.away import away_with_grandpas_link
from homefront.journal.tests.away import the_levins_away
from homefront.journal.tests.test_journal_browser import shot
from homefront.testing.browser import log_in
from homefront.testing.browser import log_out
from homefront.testing.browser import offline
from homefront.testing.browser import open_quick_log
from homefront.testing.browser import shows_nothing_offline
from homefront.testing.household import PASSWORD
from homefront.testing.household import away_now

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

HOUSEHOLD_WORDS = ("The Levins", "Maya", "Noa", "Rachel", "Log the day")
WAITING = """() => new Promise((resolve) => {
  const open = indexedDB.open("homefront-journal", 1);
  open.onsuccess = () => {
    const request = open.result.transaction("queue").objectStore("queue").getAll();
    request.onsuccess = () => {
      open.result.close();
      resolve(request.result.map((record) => record.entry.text));
    };
  };
})"""


def log_a_note_offline(page: Page, context: BrowserContext, text: str) -> None:
    context.set_offline(True)
    page.locator("summary", has_text="Note").click()
    page.get_by_label("Note", exact=True).fill(text)
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#sync-status")).to_contain_text("1 waiting to send")


def close_the_log(page: Page, context: BrowserContext) -> Page:
    """Closes the quick log while offline, so nothing sends what waits, and opens a new
    tab once back online."""
    page.close()
    context.set_offline(False)
    return context.new_page()


def test_after_logout_the_quick_log_opened_offline_shows_nothing_of_the_household(
    page: Page, context: BrowserContext, live_server
) -> None:
    trip, rachel, _girls = the_levins_away()
    url = live_server.url
    log = f"/trips/{trip.pk}/journal/log/"
    log_in(page, url, rachel)
    open_quick_log(page, url + log)
    wait_until_kept(page, log)

    # Still signed in: offline, the phone opens the kept copy (so the check below means
    # something).
    with offline(context):
        open_quick_log(page, url + log)
        expect(page.locator("body")).to_contain_text("Maya")

    log_out(page, url)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.evaluate(KEPT) == []

    shows_nothing_offline(page, url + log, HOUSEHOLD_WORDS)
    shot(page, "10-after-logout-offline-390")


def test_logging_out_with_entries_waiting_says_so_and_sends_them_first(
    page: Page, context: BrowserContext, live_server
) -> None:
    trip, rachel, _girls = the_levins_away()
    url = live_server.url
    log_in(page, url, rachel)
    page.goto(f"{url}/trips/{trip.pk}/journal/log/")
    log_a_note_offline(page, context, "Noa asked for Mama at the window")
    page = close_the_log(page, context)

    log_out(page, url)

    warning = page.locator("#logout-waiting")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("1 entry you logged on this phone has not been sent yet")
    expect(warning).to_contain_text("Note for Maya and Noa: “Noa asked for Mama at the window”")
    expect(page).to_have_url(re.compile(r"/account/$"))
    assert not JournalEntry.objects.exists()
    shot(page, "11-logout-waiting-390")

    page.get_by_role("button", name="Send them, then log out").click()

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    entry = JournalEntry.objects.get()
    assert (entry.kind, entry.text, entry.author) == (
        Kind.NOTE,
        "Noa asked for Mama at the window",
        rachel,
    )
    assert page.evaluate(WAITING) == []
    page.goto(url + "/account/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()  # signed out indeed


def test_logging_out_anyway_keeps_the_entries_for_their_author_alone(
    page: Page, context: BrowserContext, live_server
) -> None:
    levins = the_levins(PASSWORD, people=(RACHEL, DAVID))
    rachel, david = levins.rachel, levins.david
    trip = away_now(levins.household, rachel)
    url = live_server.url
    log = f"{url}/trips/{trip.pk}/journal/log/"
    log_in(page, url, rachel)
    page.goto(log)
    log_a_note_offline(page, context, "Maya lost a tooth")
    page = close_the_log(page, context)

    log_out(page, url)
    expect(page.locator("#logout-waiting")).to_contain_text("Maya lost a tooth")
    page.get_by_role("button", name="Log out anyway").click()

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert page.evaluate(WAITING) == ["Maya lost a tooth"]
    assert not JournalEntry.objects.exists()

    # David signs in on the same phone and logs a bath: Rachel's note is not sent as his.
    log_in(page, url, david)
    page.goto(log)
    page.get_by_role("button", name="Bath", exact=True).click()
    expect(page.locator("#sync-status")).to_have_text("All sent")
    assert [(e.kind, e.author) for e in JournalEntry.objects.all()] == [(Kind.BATH, david)]
    assert page.evaluate(WAITING) == ["Maya lost a tooth"]
    log_out(page, url)  # nothing of his waits: no question
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    # Rachel, signed in again, opens the log and her note goes, in her name.
    log_in(page, url, rachel)
    page.goto(log)
    expect(page.locator("#sync-status")).to_have_text("All sent")
    note = JournalEntry.objects.get(kind=Kind.NOTE)
    assert (note.text, note.author) == ("Maya lost a tooth", rachel)
    assert page.evaluate(WAITING) == []


def test_a_revoked_links_waiting_entries_are_shown_refused_with_their_text(
    page: Page, context: BrowserContext, live_server
) -> None:
    grandpas = away_with_grandpas_link()
    url, log = live_server.url, grandpas.quick_log
    open_quick_log(page, url + log)
    wait_until_kept(page, log)
    log_a_note_offline(page, context, "Noa fell asleep on the sofa at 8")

    # Rachel revokes the link while Grandpa's phone is offline; then it comes back.
    ShareLink.objects.filter(pk=grandpas.link.pk).update(revoked_at=timezone.now())
    context.set_offline(False)

    refused = page.locator("#refused-entries")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("this link no longer works")
    expect(refused).to_contain_text("Note for Maya and Noa: “Noa fell asleep on the sofa at 8”")
    expect(page.locator("#refused-text")).to_have_value(
        re.compile(r"Note for Maya and Noa: “Noa fell asleep on the sofa at 8”")
    )
    expect(page.locator("#sync-status")).to_contain_text("This link no longer works")
    assert not JournalEntry.objects.exists()
    shot(page, "12-link-refused-390")

    # Opened again, the link answers 404: its kept page is gone, the entries are not.
    page.reload()
    expect(page.get_by_role("heading", name="Nothing here")).to_be_visible()
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("Noa fell asleep on the sofa at 8")
    assert page.evaluate(KEPT) == []
    shows_nothing_offline(page, url + log, HOUSEHOLD_WORDS)

    # Passed on by hand, Grandpa removes them from his phone.
    page.goto(url + log)
    page.get_by_role("button", name="I passed them on: remove them from this phone").click()
    expect(refused).to_be_hidden()
    assert page.evaluate(WAITING) == []
