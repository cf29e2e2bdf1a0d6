"""What the browser journeys share: signing in through the real form, and full-page
screenshots that are not painted over by the fixed tab bar."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

# A full-page capture would paint the fixed tab bar over the middle of the page, so it
# joins the flow for the picture (through the CSSOM: the CSP refuses injected styles).
TABBAR_POSITION = (
    "position => { const bar = document.querySelector('.tabbar');"
    " if (bar) bar.style.position = position; }"
)


def full_page_shot(page: Page, path: Path) -> None:
    page.evaluate(TABBAR_POSITION, "static")
    try:
        page.screenshot(path=path, full_page=True)
    finally:
        page.evaluate(TABBAR_POSITION, "")


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Hello, "))).to_be_visible()
