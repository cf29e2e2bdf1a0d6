"""Every page of the demo household, for each role and a share link, through the W3C Nu
HTML Checker (no error) and axe-core at 390 px (no serious or critical violation).

The pages are found by following the links of each actor's pages from Home (a share
link's from its brief), GET only, at most two pages per URL name: the second trip's
page says nothing the first does not. Both tools come from the npm registry at pinned
versions; `scripts/test-prerequisites` (run by `make test`) puts them in .tools/npm.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404
from django.urls import resolve

from homefront.accounts.models import User
from homefront.demo.household import load_demo
from homefront.handoff.models import ShareLink
from homefront.households.models import Household
from homefront.trips.models import Cover
from homefront.trips.models import Trip

ROOT = Path(__file__).resolve().parents[3]
NPM_TOOLS = ROOT / ".tools" / "npm" / "node_modules"
VNU_JAR = NPM_TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NPM_TOOLS / "axe-core" / "axe.min.js"
MISSING_TOOL = "{} is missing: run scripts/test-prerequisites (make test runs it)."

ROLES = ("parent", "caregiver", "share_link", "anonymous")
PAGES_PER_NAME = 2
# Not pages of ours: leaving, the health check, switching households, the API browser.
SKIPPED_NAMES = {
    "accounts:logout",
    "core:health",
    "households:switch",
    "api_v1:openapi-view",  # django-ninja's own API browser, not one of Homefront's pages
}
ANONYMOUS_START = ["/account/login/", "/account/signup/", "/account/password/reset/"]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


@dataclass
class Page:
    url: str
    html: str


@dataclass
class Visitor:
    """One actor of the demo: a client to crawl with, where to start, and the session
    cookie the browser takes over."""

    client: Client
    start: list[str]


def visitors(household: Household) -> dict[str, Visitor]:
    rachel = User.objects.get(email="rachel@demo.homefront.invalid")
    judy = User.objects.get(email="judy@demo.homefront.invalid")
    # Judy covers the first night of David's next trip, so she sees a trip's pages too.
    upcoming = Trip.objects.filter(household=household, starts_at__gt=_now()).first()
    assert upcoming is not None
    Cover.objects.update_or_create(
        household=household,
        night=upcoming.local_start.date(),
        defaults={"member": judy, "contact": None},
    )
    _link, token = ShareLink.issue(upcoming, rachel, label="Grandma Judy")
    parent, caregiver = Client(), Client()
    parent.force_login(rachel)
    caregiver.force_login(judy)
    return {
        "parent": Visitor(parent, ["/"]),
        "caregiver": Visitor(caregiver, ["/"]),
        "share_link": Visitor(Client(), [f"/s/{token}/"]),
        "anonymous": Visitor(Client(), ANONYMOUS_START),
    }


def _now() -> Any:
    from django.utils import timezone

    return timezone.now() + timedelta(hours=1)


def crawl(visitor: Visitor) -> list[Page]:
    """The HTML pages reachable by links from the start, at most two per URL name."""
    queue = list(visitor.start)
    seen: set[str] = set(queue)
    per_name: Counter[str] = Counter()
    pages = []
    while queue:
        url = queue.pop(0)
        name = _url_name(url)
        if name is None or name in SKIPPED_NAMES or per_name[name] >= PAGES_PER_NAME:
            continue
        response = visitor.client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        per_name[name] += 1
        html = response.content.decode()
        pages.append(Page(url, html))
        parser = Links()
        parser.feed(html)
        for href in parser.hrefs:
            link = urldefrag(href)[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


def _url_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name


@pytest.fixture
def demo(transactional_db: None) -> Household:
    return load_demo(StringIO())


def validation_errors(pages: list[Page], folder: Path) -> list[str]:
    """The Nu checker's errors, each with the page it is on."""
    assert VNU_JAR.exists(), MISSING_TOOL.format(VNU_JAR)
    for index, page in enumerate(pages):
        (folder / f"{index}.html").write_text(page.html)
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always"]
        + [str(folder / f"{index}.html") for index in range(len(pages))],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    errors = []
    for message in json.loads(run.stderr or run.stdout)["messages"]:
        index = int(Path(message.get("url", "0.html")).stem.rsplit("/", 1)[-1])
        line = message.get("lastLine", "?")
        errors.append(f"{pages[index].url} line {line}: {message['message']}")
    return errors


@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_valid_html(demo, role, tmp_path):
    pages = crawl(visitors(demo)[role])
    assert len(pages) >= (2 if role in ("share_link", "anonymous") else 15), [p.url for p in pages]
    errors = validation_errors(pages, tmp_path)
    assert not errors, f"{len(errors)} errors on {len(pages)} pages:\n" + "\n".join(errors)


# -- axe-core in Chromium at 390 px ------------------------------------------------------

SERIOUS = ("serious", "critical")
RUN_AXE = (
    "async () => { const result = await axe.run(document, {resultTypes: ['violations']});"
    " return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
    " nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))})); }"
)


@pytest.mark.browser
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_at_phone_width(demo, role, live_server, browser):
    visitor = visitors(demo)[role]
    pages = crawl(visitor)
    axe = AXE.read_text() if AXE.exists() else pytest.fail(MISSING_TOOL.format(AXE))
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    session = visitor.client.cookies.get("sessionid")
    if session is not None:
        host = urlsplit(live_server.url).hostname
        context.add_cookies(
            [{"name": "sessionid", "value": session.value, "domain": host, "path": "/"}]
        )
    page = context.new_page()
    problems = []
    for found in pages:
        page.goto(live_server.url + found.url)
        page.evaluate(axe)  # through the debugging protocol: the CSP does not apply
        for violation in page.evaluate(RUN_AXE):
            if violation["impact"] in SERIOUS:
                problems.append(
                    f"{found.url}: {violation['impact']} {violation['id']} "
                    f"({violation['help']}) at {violation['nodes']}"
                )
    context.close()
    assert not problems, f"{len(problems)} on {len(pages)} pages:\n" + "\n".join(problems)
