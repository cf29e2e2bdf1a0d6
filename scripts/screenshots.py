"""Screenshots of Homefront's pages at phone and desktop width, for looking at them.

Usage: uv run python scripts/screenshots.py BASE_URL EMAIL PASSWORD PATH [PATH ...]
Writes screenshots/<name>-<width>.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from homefront.testing.browser import CHROMIUM
from homefront.testing.browser import CHROMIUM_FLAGS


def main() -> None:
    base, email, password, *paths = sys.argv[1:]
    out = Path("screenshots")
    out.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        for width, height in ((390, 844), (1280, 900)):
            page = browser.new_page(viewport={"width": width, "height": height})
            if email != "-":
                page.goto(f"{base}/account/login/")
                page.fill("input[name=username]", email)
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
            for path in paths:
                page.goto(f"{base}{path}")
                name = path.strip("/").replace("/", "_") or "home"
                page.screenshot(path=out / f"{name}-{width}.png", full_page=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
