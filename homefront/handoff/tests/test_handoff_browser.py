"""The handoff in real Chromium on a phone: a private link to the brief, and leaving now.

Rachel is away from tomorrow for three nights. On the trip's share page she makes
a link for Grandma Judy, who has no account: on Judy's phone the link opens the
brief (Maya's peanut allergy, her bedtime steps, who to call), as wide as the
screen and without the members' tab bar. Rachel stops the link; Judy's next
reload gets the "Nothing here" page.

Then the unplanned departure: on the readiness page Rachel says when she will be
back and presses "Leave now"; the link it makes opens the short-notice trip's brief.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from homefront.demo.household import DEMO_PHONES
from homefront.demo.household import RACHEL
from homefront.demo.household import Levins
from homefront.demo.household import the_levins
from homefront.handoff.models import ShareLink
from homefront.households.models import Contact
from homefront.households.models import Food
from homefront.households.models import FoodKind
from homefront.households.models import RoutineKind
from homefront.households.models import Severity
from homefront.testing.browser import PHONE
from homefront.testing.browser import SCREENSHOTS
from homefront.testing.browser import fits_the_screen
from homefront.testing.browser import log_in
from homefront.testing.browser import screenshots
from homefront.testing.household import JUDYS_PHONE
from homefront.testing.household import PASSWORD
from homefront.testing.household import grandma_judy
from homefront.testing.household import three_nights_from
from homefront.trips.models import Cover
from homefront.trips.models import Trip
from homefront.trips.models import TripKind

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

BEDTIME_STEPS = ["Bath", "Pyjamas", "Two books", "The moon song"]
ALLERGY_ADVICE = "Give the EpiPen (kitchen drawer), then call 911."
JUDYS_TEL = "tel:+16195550187"  # as typed on the page, dialled in E.164
RACHELS_PHONE = DEMO_PHONES[RACHEL]
SHARE_URL = re.compile(r"^http://[^/]+/s/[\w-]{20,64}/$")


shot = screenshots("handoff")


def long_day(day: date) -> str:
    """A date as the brief's day headings write it ("l j F"), e.g. "Friday 12 June"."""
    return f"{day:%A} {day.day} {day:%B}"


def maya_and_grandma_judy() -> tuple[Levins, Contact]:
    """The demo's Rachel and Maya (4½), with these bedtime steps and a peanut allergy;
    Grandma Judy, the one backup caregiver."""
    levins = the_levins(PASSWORD, people=(RACHEL,), girls=("Maya",))
    levins.maya.routines.filter(kind=RoutineKind.BEDTIME).update(steps="\n".join(BEDTIME_STEPS))
    Food.objects.create(
        child=levins.maya,
        name="Peanuts",
        kind=FoodKind.ALLERGY,
        severity=Severity.SEVERE,
        what_to_do=ALLERGY_ADVICE,
    )
    return levins, grandma_judy(levins.household)


def expect_the_brief(page: Page, first_day: date) -> None:
    """The allergy loud, the phone tree, and Maya's bedtime steps on the first evening."""
    allergy = page.get_by_role("note")
    expect(allergy).to_have_count(1)
    expect(allergy).to_contain_text("Maya: allergic to Peanuts")
    expect(allergy).to_contain_text(ALLERGY_ADVICE)
    expect(page.locator("ol.phone-tree > li")).to_have_text(
        [re.compile(rf"Grandma Judy\s+Rachel's mother\s+— {re.escape(JUDYS_PHONE)}")]
    )
    expect(page.get_by_role("link", name=JUDYS_PHONE)).to_have_attribute("href", JUDYS_TEL)
    evening = page.get_by_role("region", name=long_day(first_day))
    bedtime = evening.locator("ul.timeline > li.kind-bedtime")
    expect(bedtime.locator("time")).to_have_text("7:30 PM")
    expect(bedtime.locator("ol > li")).to_have_text(BEDTIME_STEPS)


def test_a_private_link_opens_the_brief_on_a_phone_until_it_is_stopped(
    page: Page, browser: Browser, live_server
) -> None:
    levins, judy = maya_and_grandma_judy()
    rachel = levins.rachel
    tomorrow = levins.household.today() + timedelta(days=1)
    trip = three_nights_from(levins.household, rachel, tomorrow)
    assert trip.nights == 3
    url = live_server.url
    share_page = f"{url}/trips/{trip.pk}/share/"

    # 1. Rachel makes a link for Grandma Judy on the trip's share page.
    log_in(page, url, rachel)
    page.goto(share_page)
    expect(page.get_by_role("heading", name="Share the brief")).to_be_visible()
    expect(page.get_by_role("heading", name="Links for this trip")).to_have_count(0)
    page.get_by_label("Who is it for?").fill("Grandma Judy")
    page.get_by_role("button", name="Create a link").click()
    expect(page.locator(".created-link")).to_be_visible()
    share_url = page.locator("#share-url").input_value()
    assert SHARE_URL.match(share_url), share_url
    assert share_url.startswith(url)
    message = page.get_by_label("Message to send")
    # Greeted by the first word of the contact's name (issue 17: by first name).
    expect(message).to_have_value(
        re.compile(r"^Hi Grandma, here is everything about the kids while Rachel is away ")
    )
    expect(message).to_have_value(re.compile(re.escape(share_url) + "$"))
    links = page.locator("ul.plain > li")
    expect(links).to_have_count(1)
    expect(links.first).to_contain_text("Grandma Judy")
    expect(links.first).to_contain_text("working")
    expect(links.first).to_contain_text("not opened yet")
    fits_the_screen(page)
    shot(page, "01-share-created")

    # The brief as a PDF, with Rachel's session, for a look at its pages.
    pdf = page.request.get(f"{url}/trips/{trip.pk}/brief.pdf")
    assert pdf.ok
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    pdf_path = SCREENSHOTS / "handoff-brief.pdf"
    pdf_path.write_bytes(pdf.body())
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(pdf_path), str(SCREENSHOTS / "handoff-brief-pdf")],
            check=True,
            timeout=60,
        )

    # 2. Judy, with no account, opens the link on her phone.
    context = browser.new_context(viewport=PHONE)
    try:
        judys = context.new_page()
        response = judys.goto(share_url)
        assert response is not None
        assert response.status == 200
        assert response.headers["x-robots-tag"] == "noindex, nofollow"
        expect(judys.get_by_role("heading", name="While Rachel is away")).to_be_visible()
        expect_the_brief(judys, tomorrow)
        # Times as at home, though nobody is signed in to say where home is.
        expect(judys.get_by_role("region", name="The trip", exact=True)).to_contain_text(
            f"Rachel leaves {long_day(tomorrow)}, 9:00 AM and is back "
            f"{long_day(tomorrow + timedelta(days=3))}, 6:00 PM, in Albuquerque."
        )
        expect(judys.locator("dl.facts")).to_contain_text(f"Rachel (away){RACHELS_PHONE}")
        # The last evening is after Rachel is home: no bedtime in the brief that day.
        last_day = judys.get_by_role("region", name=long_day(tomorrow + timedelta(days=3)))
        expect(last_day.locator("li.kind-bedtime")).to_have_count(0)
        expect(judys.locator(".brief-day")).to_have_count(4)
        # Nothing of the members' app: no tab bar, no way to the trip or to sharing.
        expect(judys.get_by_role("navigation", name="Main")).to_have_count(0)
        expect(judys.locator(".tabbar")).to_have_count(0)
        expect(judys.get_by_role("link", name="← The trip")).to_have_count(0)
        expect(judys.get_by_role("link", name="Share with someone")).to_have_count(0)
        expect(judys.get_by_role("link", name="PDF")).to_have_attribute(
            "href", re.compile(r"^/s/[\w-]+/brief\.pdf$")
        )
        fits_the_screen(judys)
        judys.screenshot(path=SCREENSHOTS / "handoff-02-brief-390.png", full_page=True)
        shared_pdf = judys.request.get(share_url + "brief.pdf")
        assert shared_pdf.status == 200
        assert shared_pdf.headers["content-type"] == "application/pdf"
        assert shared_pdf.body().startswith(b"%PDF")
        (SCREENSHOTS / "handoff-shared-brief.pdf").write_bytes(shared_pdf.body())

        # 3. Rachel sees the link was opened, and stops it working.
        page.goto(share_page)
        judys_link = page.locator("ul.plain > li").filter(has_text="Grandma Judy")
        expect(judys_link).to_contain_text("opened 2 times")
        judys_link.get_by_role("button", name="Stop it working").click()
        expect(page.get_by_role("status")).to_have_text(
            "The link for Grandma Judy no longer works."
        )
        expect(page).to_have_url(share_page)
        judys_link = page.locator("ul.plain > li").filter(has_text="Grandma Judy")
        expect(judys_link.locator(".badge")).to_have_text("revoked")
        expect(judys_link.get_by_role("button", name="Stop it working")).to_have_count(0)
        expect(page.locator("#share-url")).to_have_count(0)
        shot(page, "03-share-revoked")

        # 4. Judy's reload gets the same page as a link that never existed.
        response = judys.reload()
        assert response is not None
        assert response.status == 404
        expect(judys.get_by_role("heading", name="Nothing here")).to_be_visible()
        expect(judys.get_by_text("allergic to Peanuts")).to_have_count(0)
        expect(judys.get_by_text(JUDYS_PHONE)).to_have_count(0)
        expect(judys.locator(".tabbar")).to_have_count(0)
        fits_the_screen(judys)
    finally:
        context.close()

    link = ShareLink.objects.get()
    assert (link.trip, link.label, link.contact, link.created_by) == (
        trip,
        "Grandma Judy",
        judy,
        rachel,
    )
    assert link.revoked_at is not None
    assert sorted(link.opens.values_list("page", flat=True)) == ["brief", "pdf"]
    assert share_url.rstrip("/").rsplit("/", 1)[1] not in link.token_hash


def test_leave_now_starts_a_short_notice_trip_whose_link_opens_the_brief(
    page: Page, browser: Browser, live_server
) -> None:
    levins, judy = maya_and_grandma_judy()
    household, rachel = levins.household, levins.rachel
    today = household.today()
    back_on = today + timedelta(days=2)
    url = live_server.url

    log_in(page, url, rachel)
    page.goto(f"{url}/ready/")
    expect(page.get_by_role("heading", name="Ready for the unplanned")).to_be_visible()
    expect(page.get_by_text("First to call: Grandma Judy, " + JUDYS_PHONE)).to_be_visible()
    leave_now = page.locator("#leave-now")
    expect(leave_now.get_by_label("Back on (a guess is fine)")).to_have_value(back_on.isoformat())
    leave_now.get_by_label("Back on (a guess is fine)").fill(back_on.isoformat())
    leave_now.get_by_label("Where to?").fill("San Diego")
    leave_now.get_by_label("A word for whoever covers").fill("Mum is in hospital; I call at 7.")
    fits_the_screen(page)
    shot(page, "04-readiness")

    leave_now.get_by_role("button", name="Leave now").click()
    expect(page.get_by_role("heading", name="Go. It's handled.")).to_be_visible()
    expect(page.get_by_text("Grandma Judy is named for every night")).to_be_visible()
    expect(page.get_by_role("button", name="Text Grandma Judy")).to_have_attribute(
        "href", re.compile(rf"^sms:{re.escape(JUDYS_PHONE)}\?&body=")
    )
    share_url = page.get_by_label("Link to the brief").input_value()
    assert SHARE_URL.match(share_url), share_url
    expect(page.get_by_label("Message to send")).to_have_value(
        re.compile(r"^Hi Grandma, .* while Rachel is away .*" + re.escape(share_url) + "$")
    )
    fits_the_screen(page)
    shot(page, "05-leave-now-done")

    trip = Trip.objects.get()
    assert (trip.traveller, trip.kind, trip.destination) == (
        rachel,
        TripKind.SHORT_NOTICE,
        "San Diego",
    )
    assert trip.local_end == datetime.combine(back_on, time(18, 0), tzinfo=household.zone)
    assert sorted(Cover.objects.values_list("night", "contact", "member")) == [
        (night, judy.pk, None) for night in trip.nights_list
    ]

    context = browser.new_context(viewport=PHONE)
    try:
        judys = context.new_page()
        judys.goto(share_url)
        expect(judys.get_by_role("heading", name="While Rachel is away")).to_be_visible()
        expect(judys.locator("p.different")).to_have_text(
            "What's different this time: Mum is in hospital; I call at 7."
        )
        expect(judys.get_by_role("region", name="The trip", exact=True)).to_contain_text(
            "in San Diego"
        )
        # Tonight's bedtime may already be past; tomorrow's is whole.
        expect_the_brief(judys, today + timedelta(days=1))
        expect(judys.locator(".brief-day")).to_have_count(3)
        expect(judys.locator(".tabbar")).to_have_count(0)
        fits_the_screen(judys)
        judys.screenshot(path=SCREENSHOTS / "handoff-06-leave-now-brief-390.png", full_page=True)
    finally:
        context.close()
