"""What the browser journeys share: signing in through the real form, full-page
screenshots that are not painted over by the fixed tab bar, and what the service worker
keeps on the phone for offline use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

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


KEPT_PAGES = "homefront-pages-v1"
# Resolves with the addresses of the pages the service worker keeps for offline use.
KEPT = f"""async () => {{
  if (!(await caches.has("{KEPT_PAGES}"))) return [];
  const cache = await caches.open("{KEPT_PAGES}");
  return (await cache.keys()).map((request) => new URL(request.url).pathname);
}}"""


def wait_until_kept(page: Page, path: str) -> None:
    """The service worker keeps a page a moment after it opened (the page hands it over)."""
    for _ in range(100):
        if path in page.evaluate(KEPT):
            return
        page.wait_for_timeout(100)
    pytest.fail(f"The service worker did not keep {path}.")
