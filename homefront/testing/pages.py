"""Reading the pages a test client gets: their text, a form field's error, a section of
the page, a new share link's address, and how many queries each page takes."""

from __future__ import annotations

import html
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

# The address of a share link, shown once when it is made: whole, its path, its token.
SHARE_URL = re.compile(
    r'id="share-url" type="text" value="(?P<url>http://testserver(?P<path>/s/(?P<token>[\w-]+)/))"'
)


def text(response: Any) -> str:
    """The page's HTML with its entities read (`&#x27;` is `'`)."""
    return html.unescape(response.content.decode())


def field_error(response: Any, name: str) -> str:
    """The error text shown right under one field of the page's form ("" if none)."""
    match = re.search(
        rf'<small class="error" id="id_{name}_errors">(.*?)</small>',
        response.content.decode(),
        re.DOTALL,
    )
    return html.unescape(match[1]) if match else ""


def plain(fragment: str) -> str:
    """The text of an HTML fragment: tags removed, spaces collapsed."""
    words = " ".join(re.sub(r"<[^>]+>", " ", fragment).split())
    return re.sub(r" ([,.:;])", r"\1", words)


def section(body: str, heading: str) -> str:
    """From an <h2> to the next one (or the end of the page's main part)."""
    match = re.search(rf"<h2[^>]*>{re.escape(heading)}</h2>(.*?)(?=<h2|</main>)", body, re.DOTALL)
    assert match, f"no section {heading!r}"
    return match[1]


def query_counts(client: Any, urls: list[str]) -> dict[str, int]:
    """The queries each page takes, once the client's first request has warmed up: it
    reads the signed-in member (and its session) from the database and writes them to
    the shared cache, once."""
    counts = {}
    client.get(urls[0])
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(queries)
    return counts
