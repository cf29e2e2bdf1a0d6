"""Bad input everywhere: every form of the project, posted with generated hostile values
by each kind of person who can reach it.

The URLs come from the live resolver through test_isolation.py's walk and tables, so a
form added later is posted to without editing this file, and a URL kwarg nobody can
map fails there, loudly. A form's fields are read from the pages themselves: each
page a person can reach is fetched and its <form>s parsed (action, inputs, selects,
textareas), and where the view renders a Django form its field types sharpen the
values (a date field gets hostile dates). Hypothesis then mixes each field's working
value with hostile ones: huge, empty, right-to-left, emoji, NUL and other control
characters, invalid UTF-8, lists for scalars, numbers for dates, JSON, SQL and
HTML/JavaScript payloads, and ids of another household.

Who posts:
- a parent and a caregiver of the family, on every URL of their household;
- a share link of one of the family's trips (no account: the token is the key),
  and a visitor with forged tokens, on the links' pages and the open pages;
- a parent, a caregiver and a share link of another household, at the family's
  objects and with the family's ids in their posts.

What must hold:
- no answer is a 5xx, whatever was sent;
- afterwards every page of the household (the share link's too) is rendered, and
  no payload shows as live markup (a <script> element, an on…= handler, a
  javascript: link); escaped text is fine;
- nothing stored holds NUL, other control characters or lone surrogates;
- another household's posts change none of the family's rows and never show its data.

The tests at the end pin down, one by one, what these posts found (each was a 500, or
a control character stored): the message a person sees, and that nothing was saved.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlencode
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import ForeignKey
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch
from django.urls import Resolver404
from django.urls import resolve
from django.urls import reverse
from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from homefront.accounts.models import User
from homefront.handoff.models import ShareLink
from homefront.households.middleware import SESSION_KEY
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.models import ContactRole
from homefront.households.models import Household
from homefront.households.models import HouseNote
from homefront.households.models import Medicine
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.households.tests import test_isolation
from homefront.households.tests.test_isolation import BASE_PAYLOAD  # the walk and its tables
from homefront.households.tests.test_isolation import ENDPOINTS  # the walk and its tables
from homefront.households.tests.test_isolation import FORMLESS_PAYLOADS  # the walk and its tables
from homefront.households.tests.test_isolation import JSON_BODY  # the walk and its tables
from homefront.households.tests.test_isolation import OBJECT_URLS  # the walk and its tables
from homefront.households.tests.test_isolation import PLAIN_URLS  # the walk and its tables
from homefront.households.tests.test_isolation import TOKEN_CHECKS  # the walk and its tables
from homefront.households.tests.test_isolation import Endpoint  # the walk and its tables
from homefront.households.tests.test_isolation import (  # the walk and its tables
    assert_no_family_data,
)
from homefront.households.tests.test_isolation import body_of  # the walk and its tables
from homefront.households.tests.test_isolation import logged_entry  # the walk and its tables
from homefront.households.tests.test_isolation import payload  # the walk and its tables
from homefront.households.tests.test_isolation import snapshot  # the walk and its tables
from homefront.households.tests.test_isolation import urls_of  # the walk and its tables
from homefront.households.tests.test_isolation import work_calendar  # the walk and its tables
from homefront.journal.models import JournalEntry
from homefront.prep.outcomes import BRIEF_READ
from homefront.trips.models import Cover
from homefront.trips.models import Trip

# The isolation test's family fixture: the conftest family with a trip, its prep tasks,
# packing list, share link, journal entry, calendar feed, channel, goal and API tokens.
family = test_isolation.family

# -- Hostile values -----------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
SVG = "'><svg onload=alert(1)>"
JS_URL = "javascript:alert(1)"
# Both at once, short enough for most fields (stored where the field takes it).
STORED = SCRIPT + IMG
# Control characters a person cannot see, between letters so no strip() removes them.
INVISIBLE = "a\x01b\x0bc\x1bd\x7fe\x85f\x9fg"
HTML_PAYLOADS = (SCRIPT, IMG, SVG, JS_URL, STORED, "<b>bold</b><!--", "{{ 7*7 }}{% now 'Y' %}")
SQL_PAYLOADS = (
    "' OR 1=1 --",
    "'; DROP TABLE households_household; --",
    '" OR ""="',
    "1; DROP TABLE trips_trip",
    "1 OR 1=1",
    "%' AND 1=0 UNION SELECT email, password FROM accounts_user --",
)
UNICODE = (
    "مرحبا يا ماما",  # right to left
    "\u202eevil\u202c.txt",  # a right-to-left override
    "שלום\u200f",
    "👩\u200d👧\u200d👦🎉🧸",
    "Z̴̡̛a̵l̶g̸o̷",
    "\u200b\u200c\u200d\ufeff",
    "\u2028\u2029",
    "𝕳𝖔𝖒𝖊𝖋𝖗𝖔𝖓𝖙",
    "İstanbul ß ﬀ",
)
CONTROL = ("\x00", "a\x00b", "\x01\x02\x07\x08\x0b\x0c\x1b[31m\x7f", "tab\there\r\nnew", "\x85")
EMPTY = ("", " ", "\n", "\t \r\n")
HUGE = ("A" * 100_000, "<" * 20_000, "🎉" * 20_000, "x" * 2_000, "a " * 5_000)
NUMBERS = (
    "0",
    "-1",
    "1e308",
    "-1e308",
    "NaN",
    "Infinity",
    "99999999999999999999999",
    str(2**63),
    "1.5",
    "0x1F",
    "１２",  # full-width digits
    "²",  # a digit to str.isdigit(), not to int()
    "٣",  # an Arabic-Indic three
)
DATES = (
    "0001-01-01",
    "9999-12-31",
    "2024-02-30",
    "20240101",
    "1700000000",
    "-0001-01-01",
    "2024-13-45",
    "31/12/2024",
    "2024-01-01T25:00",
)
TIMES = ("24:00", "23:59:60", "-1:00", "99:99", "12", "noon", "00:00:00.000001", "7:30 pm")
EMAILS = ("a@b", "@", "x" * 300 + "@example.com", "a@b.c\r\nBcc: x@y.z", '"<script>"@x.org')
JSON_TEXTS = ('{"a": 1}', "[1, 2]", "null", "true", '{"__proto__": {"admin": true}}')
# Invalid UTF-8 in a form post: Django reads it with replacement characters.
BAD_BYTES = (b"\xff\xfe", b"\xed\xa0\x80", b"caf\xe9", b"\xc0\xaf")
# Lone surrogates: not encodable in a form post, but JSON can carry them.
SURROGATES = ("\ud800", "a\udfffb", "\udbff\udc00x\ud83d")

TEXTS = HTML_PAYLOADS + SQL_PAYLOADS + UNICODE + CONTROL + EMPTY + HUGE + JSON_TEXTS
NOT_IDS = ("0", "-1", "987654", str(2**63), str(2**64 + 1), "1 OR 1=1", "1.0", "None")

# Names a form does not have, that a view might read anyway (mass assignment).
EXTRA_NAMES = ("household", "household_id", "user", "trip", "id", "pk", "role", "next")


def short_text() -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8"), max_size=30)


def scalar(
    ids: tuple[str, ...], kind: str | None, options: tuple[str, ...]
) -> st.SearchStrategy[Any]:
    """One hostile form value for a field of this kind."""
    by_kind = {
        "date": DATES,
        "datetime-local": DATES + tuple(d + "T08:00" for d in DATES[:3]),
        "time": TIMES,
        "number": NUMBERS,
        "email": EMAILS,
        "url": (JS_URL, "data:text/html,<script>alert(1)</script>", "//evil.example"),
        "tel": ("+" + "9" * 40, "0", "+1 (555) <script>", "x12"),
        "file": (),
    }
    choices: list[st.SearchStrategy[Any]] = [
        st.sampled_from(TEXTS),
        short_text(),
        st.sampled_from(BAD_BYTES),
        st.sampled_from(NUMBERS + DATES + TIMES),
        st.sampled_from(ids + NOT_IDS),
    ]
    if by_kind.get(kind or ""):
        choices.insert(0, st.sampled_from(by_kind[kind or ""]))
    if options:
        choices.append(st.sampled_from(options))
    return st.one_of(*choices)


def hostile_value(ids: tuple[str, ...], spec: FieldSpec | None) -> st.SearchStrategy[Any]:
    kind = spec.kind if spec else None
    options = spec.options if spec else ()
    one = scalar(ids, kind, options)
    many = st.lists(one, min_size=0, max_size=4)  # a list where one value is expected
    if kind == "file":
        return st.sampled_from(FILES)
    return st.one_of(one, many)


def _ics(summary: str, start: str = "20300101T090000Z", end: str = "20300104T170000Z") -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bad input//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uuid.uuid4()}@example.org\r\nDTSTART:{start}\r\nDTEND:{end}\r\n"
        f"SUMMARY:{summary}\r\nLOCATION:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode("utf-8", "surrogatepass")


FILES: tuple[tuple[str, bytes], ...] = (
    ("work.ics", _ics(STORED)),
    ("work.ics", _ics(SCRIPT + "\x00\x01")),
    ("work.ics", _ics("Far", "99991231T090000Z", "99991231T230000Z")),
    ("work.ics", _ics("Early", "00010101T000000Z", "00010103T000000Z")),
    ("work.ics", _ics("Backwards", "20300104T090000Z", "20300101T090000Z")),
    ("work.ics", _ics("Surrogate \udc80")),
    ("work.ics", b""),
    ("work.ics", b"\xff\xfe\x00garbage" * 100),
    ("work.ics", b"BEGIN:VCALENDAR\r\n" + b"BEGIN:VEVENT\r\n" * 5000),
    ("<script>.ics", _ics("Named")),
    ("huge.ics", _ics("x" * 200_000)),
)


# -- Reading the pages: forms and links -------------------------------------------------


@dataclass
class FieldSpec:
    name: str
    kind: str  # an <input> type, "select", "textarea", or a Django field's equivalent
    options: tuple[str, ...] = ()  # the values of its options, checkboxes or radios


@dataclass
class FormSpec:
    page: str
    action: str  # a path
    method: str
    fields: dict[str, FieldSpec] = field(default_factory=dict)


class PageParser(HTMLParser):
    """The forms and same-site links of a page, and any payload that came out as markup."""

    URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "xlink:href"})

    def __init__(self, url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[FormSpec] = []
        self.links: list[str] = []
        self.live_markup: list[str] = []
        self._form: FormSpec | None = None
        self._select: FieldSpec | None = None
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on") and "alert(" in value:
                self.live_markup.append(f"<{tag} {name}={value!r}>")
            if name in self.URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                self.live_markup.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script = True
        elif tag == "a" and values.get("href"):
            self.links.append(urljoin(self.url, values["href"]))
        elif tag == "form":
            action = urlsplit(urljoin(self.url, values.get("action") or self.url)).path
            self._form = FormSpec(self.url, action, (values.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "select", "textarea", "button"):
            name = values.get("name")
            if not name or name == "csrfmiddlewaretoken":
                return
            kind = tag if tag != "input" else (values.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image") and "value" not in values:
                return
            spec = self._form.fields.setdefault(name, FieldSpec(name, kind))
            if kind in ("checkbox", "radio", "hidden", "submit", "button") and "value" in values:
                spec.options = (*spec.options, values["value"])
            if tag == "select":
                self._select = spec
        elif tag == "option" and self._select is not None:
            self._select.options = (*self._select.options, values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._in_script and "alert(" in data:
            self.live_markup.append(f"<script>{data[:80]}</script>")


RAW_PAYLOADS = (SCRIPT, "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<b>bold</b>")


def is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def django_kind(form_field: forms.Field) -> str:
    checks: tuple[tuple[type[forms.Field], str], ...] = (
        (forms.FileField, "file"),
        (forms.BooleanField, "checkbox"),
        (forms.MultipleChoiceField, "checkbox"),
        (forms.ModelMultipleChoiceField, "checkbox"),
        (forms.ChoiceField, "select"),
        (forms.ModelChoiceField, "select"),
        (forms.DateTimeField, "datetime-local"),
        (forms.DateField, "date"),
        (forms.TimeField, "time"),
        (forms.IntegerField, "number"),
        (forms.DecimalField, "number"),
        (forms.FloatField, "number"),
        (forms.EmailField, "email"),
        (forms.URLField, "url"),
    )
    for kind_of, kind in checks:
        if isinstance(form_field, kind_of):
            return kind
    return "text"


def context_forms(response: HttpResponse) -> list[forms.BaseForm]:
    """The Django forms a view rendered: where a form class is discoverable, its fields."""
    context = getattr(response, "context", None)
    if context is None:
        return []
    found: list[forms.BaseForm] = []
    for layer in context if isinstance(context, list) else [context]:
        for value in layer.flatten().values():
            if isinstance(value, forms.BaseForm) and all(value is not f for f in found):
                found.append(value)
    return found


@dataclass
class Page:
    url: str
    response: HttpResponse
    html: bool
    text: bool  # HTML, JSON or a calendar: not a PDF
    body: str
    forms: list[FormSpec]
    links: list[str]
    live_markup: list[str]

    @property
    def status(self) -> int:
        return self.response.status_code


# Pages the crawl never reads: they end the session or serve no household data.
NOT_CRAWLED = {"accounts:logout", "households:leave", "core:health", "journal:service_worker"}


def read_page(client: Client, url: str) -> Page:
    response = client.get(url)
    body = body_of(response)
    parser = PageParser(url)
    if is_html(response):
        parser.feed(body)
    text = not response.get("Content-Type", "").startswith(("application/pdf", "image/"))
    return Page(
        url, response, is_html(response), text, body, parser.forms, parser.links, parser.live_markup
    )


def crawl(
    client: Client, start: Iterable[str], *, follow: bool = True, pdfs: bool = True
) -> dict[str, Page]:
    """Each page of `start`, and, following the site's own links, the pages they lead
    to: two per view (so a child the posts added is read too), one PDF per view."""
    pages: dict[str, Page] = {}
    per_view: dict[str, int] = {}
    queue = list(dict.fromkeys(start))
    starting = set(queue)
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver") or parts.path.startswith("/static/"):
            continue
        url = parts.path + (f"?{parts.query}" if parts.query else "")
        if url in pages:
            continue
        try:
            name = resolve(parts.path).view_name
        except Resolver404:
            continue
        is_pdf = name.endswith("pdf")
        if name in NOT_CRAWLED or (is_pdf and not pdfs):
            continue
        if per_view.get(name, 0) >= (1 if is_pdf else 2) and url not in starting:
            continue
        per_view[name] = per_view.get(name, 0) + 1
        page = read_page(client, url)
        pages[url] = page
        if follow and page.status == 200:
            queue.extend(page.links)
    return pages


ESCAPED = "&lt;script&gt;"  # the start of SCRIPT escaped: a summary may cut the rest


def assert_pages_are_safe(pages: dict[str, Page], who: str) -> int:
    """No page is a 5xx, shows a payload as markup, or holds a NUL; returns how many show
    a payload escaped (the control: the payloads did reach the pages)."""
    problems = []
    for page in pages.values():
        where = f"{who} GET {page.url}"
        if page.status >= 500:
            problems.append(f"{where}: {page.status}")
        if page.html:
            problems += [f"{where} shows live markup {m}" for m in page.live_markup]
            problems += [
                f"{where} shows {raw!r} unescaped" for raw in RAW_PAYLOADS if raw in page.body
            ]
        if page.text and "\x00" in page.body:
            problems.append(f"{where} has a NUL character in its body")
    assert not problems, "\n".join(problems)
    return sum(ESCAPED in page.body for page in pages.values())


# -- What is stored -----------------------------------------------------------------


def bad_characters(value: Any) -> set[str]:
    """NUL, other control characters (but tab and line breaks) and lone surrogates."""
    if isinstance(value, str):
        return {
            ch
            for ch in value
            if (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r")
            or unicodedata.category(ch) == "Cs"
        }
    if isinstance(value, dict):
        return set().union(*(bad_characters(v) for v in (*value.keys(), *value.values())))
    if isinstance(value, list | tuple):
        return set().union(*(bad_characters(v) for v in value))
    return set()


def household_rows(household: Household) -> dict[str, list[dict[str, Any]]]:
    """Every row of the project that belongs to the household: `snapshot()`, with the
    tables it takes whole (no `in_household`) narrowed through their foreign key."""
    rows = snapshot(household)
    for model in apps.get_models():
        if not model.__module__.startswith("homefront.") or model in (User, Household):
            continue
        if hasattr(model._default_manager.all(), "in_household"):
            continue
        parent = next(
            f
            for f in model._meta.get_fields()
            if isinstance(f, ForeignKey)
            and hasattr(f.related_model._default_manager.all(), "in_household")
        )
        owners = parent.related_model._default_manager.all().in_household(household)
        queryset = model._default_manager.filter(**{f"{parent.name}__in": owners}).order_by("pk")
        rows[model._meta.label] = list(queryset.values())
    return rows


def assert_nothing_stored_is_broken() -> None:
    problems = []
    for label, table in snapshot().items():
        for row in table:
            bad = bad_characters(row)
            if bad:
                fields = [k for k, v in row.items() if bad_characters(v)]
                problems.append(f"{label} {row.get('id')} {fields}: {sorted(map(repr, bad))}")
    assert not problems, "stored with control characters:\n" + "\n".join(problems)


# -- Sending -------------------------------------------------------------------------


def form_body(data: dict[str, Any]) -> str | None:
    """A urlencoded body with every value as given (lists repeat the name; bytes go raw,
    invalid UTF-8 included); None when a value cannot be sent that way."""
    pairs: list[tuple[str, Any]] = []
    for name, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, tuple):  # a file
                return None
            pairs.append((name, item))
    return urlencode(pairs, encoding="utf-8", errors="strict")


def post(client: Client, url: str, data: Any, htmx: bool = False) -> HttpResponse:
    headers = {"HX-Request": "true"} if htmx else {}
    if isinstance(data, dict) and JSON_BODY in data:
        return client.post(url, data[JSON_BODY], content_type="application/json", headers=headers)
    body = form_body(data)
    if body is None:  # a file: multipart, as a browser sends an upload
        multipart = {
            name: SimpleUploadedFile(value[0], value[1], "text/calendar")
            if isinstance(value, tuple)
            else value
            for name, value in data.items()
            if not isinstance(value, bytes)
        }
        return client.post(url, multipart, headers=headers)
    return client.post(url, body, content_type="application/x-www-form-urlencoded", headers=headers)


class Replay:
    """A client that answers with a page already read: the isolation test's `payload()`
    reads the form from it without a second request."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def get(self, url: str) -> HttpResponse:
        assert url == self.page.url
        return self.page.response


def valid_payload(page: Page, family: Any) -> dict[str, Any]:
    """The isolation test's working payload, with an upload as a (name, bytes) pair."""
    data = payload(Replay(page), page.url, family)  # type: ignore[arg-type]
    for name, value in list(data.items()):
        if isinstance(value, SimpleUploadedFile):
            data[name] = ("work.ics", work_calendar(family))
        elif name == JSON_BODY:
            data[name] = json.loads(json.dumps(value))
    return data


@dataclass
class Target:
    """A URL to post to, with what is known of its fields and a payload that works."""

    name: str
    url: str
    fields: dict[str, FieldSpec]
    base: dict[str, Any]
    json: bool = False

    @property
    def is_form(self) -> bool:
        return bool(self.fields) or self.json


def fields_for(url: str, pages: dict[str, Page]) -> dict[str, FieldSpec]:
    """The fields of the forms that post to `url`, from every page read, sharpened by the
    Django form the view renders at `url` (if any)."""
    path = urlsplit(url).path
    fields: dict[str, FieldSpec] = {}
    for page in pages.values():
        for spec in page.forms:
            if spec.action == path and spec.method == "post":
                for name, one in spec.fields.items():
                    known = fields.setdefault(name, FieldSpec(name, one.kind))
                    known.options = tuple(dict.fromkeys((*known.options, *one.options)))
    own = pages.get(url)
    for form in context_forms(own.response) if own and own.status == 200 else []:
        html_names = set(fields)
        for bound in form:
            if html_names and bound.name not in html_names:
                continue  # a form of the page that posts elsewhere
            kind = django_kind(bound.field)
            options = tuple(
                str(value)
                for value, label in getattr(bound.field, "choices", ())
                if not isinstance(label, list | tuple)
            )
            known = fields.setdefault(bound.name, FieldSpec(bound.name, kind))
            known.kind = kind
            known.options = tuple(dict.fromkeys((*known.options, *options)))
    return fields


# -- The hypothesis driver -----------------------------------------------------------


@st.composite
def hostile_form(draw: Any, target: Target, ids: tuple[str, ...]) -> dict[str, Any]:
    """The working payload with one to three fields made hostile (or left out)."""
    data = dict(target.base)
    names = sorted(set(target.fields) | set(target.base) | set(EXTRA_NAMES))
    for name in draw(st.sets(st.sampled_from(names), min_size=1, max_size=3)):
        if draw(st.integers(0, 7)) == 0:
            data.pop(name, None)
        else:
            data[name] = draw(hostile_value(ids, target.fields.get(name)))
    return data


@st.composite
def hostile_entry(draw: Any, base: dict[str, Any], ids: tuple[int, ...]) -> Any:
    """One journal entry as the offline queue sends it, made hostile."""
    json_scalars = st.one_of(
        st.sampled_from(TEXTS[:40] + SURROGATES),
        short_text(),
        st.integers(-(2**70), 2**70),
        st.sampled_from(ids),
        st.floats(allow_nan=False),
        st.booleans(),
        st.none(),
    )
    anything = st.recursive(
        json_scalars,
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(short_text(), inner, max_size=3)
        ),
        max_leaves=6,
    )
    entry = dict(base)
    entry["uuid"] = str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1))))
    hostile_fields = {
        "uuid": st.one_of(st.sampled_from(("", "not-a-uuid", SCRIPT, "0" * 32)), anything),
        "kind": st.one_of(
            st.sampled_from(("meal", "note", "new_food", "medicine", "mood")), anything
        ),
        "children": st.one_of(st.lists(st.sampled_from(ids) | st.integers(), max_size=3), anything),
        "occurred_at": st.one_of(st.sampled_from((*DATES, "2030-01-01T00:00:00+99:00")), anything),
        "details": st.one_of(
            st.dictionaries(
                st.sampled_from(("food", "what", "amount", "mood", "liked", "reaction", "x")),
                json_scalars | st.sampled_from(HUGE),
                max_size=3,
            ),
            anything,
        ),
        "text": st.one_of(st.sampled_from(TEXTS + SURROGATES), anything),
        "medicine": st.one_of(st.sampled_from(ids), anything),
        "comfort_task": anything,
    }
    for name in draw(st.sets(st.sampled_from(sorted(hostile_fields)), min_size=1, max_size=4)):
        entry[name] = draw(hostile_fields[name])
    if draw(st.integers(0, 9)) == 0:
        return draw(anything)  # not an object at all
    return entry


def hostile_batch(base: dict[str, Any], ids: tuple[int, ...]) -> st.SearchStrategy[Any]:
    entries = st.lists(hostile_entry(base, ids), min_size=1, max_size=4)
    return st.one_of(
        entries.map(lambda items: {"entries": items}),
        entries.map(lambda items: {"entries": items, "extra": {"__proto__": 1}}),
        st.sampled_from(
            (
                [],
                None,
                "entries",
                {"entries": None},
                {"entries": {"0": {}}},
                {"entries": "x" * 10},
            )
        ),
    )


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=6,
)


def hostile_json_body(base: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A JSON body shaped like `base` whose values, at any depth, may be anything."""

    def like(value: Any) -> st.SearchStrategy[Any]:
        if isinstance(value, dict):
            shaped = st.fixed_dictionaries({name: like(inner) for name, inner in value.items()})
            return st.one_of(shaped, JSON_VALUES)
        return st.one_of(st.just(value), JSON_VALUES)

    return st.one_of(like(base), JSON_VALUES)


def json_text(body: Any) -> str:
    """JSON as a browser would send it; lone surrogates as \\ud800 escapes."""
    return json.dumps(body, ensure_ascii=True)


FUZZ = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def fuzz_target(
    send: Callable[[Any, bool], HttpResponse],
    target: Target,
    ids: tuple[str, ...],
    int_ids: tuple[int, ...],
    check: Callable[[HttpResponse, str], None],
    examples: int,
    explicit: Iterable[Any] = (),
) -> None:
    """Hypothesis posts hostile payloads to one target, the explicit ones first; every
    answer is checked."""
    if target.json and "entries" not in target.base[JSON_BODY]:  # a phone's push device
        strategy: st.SearchStrategy[Any] = hostile_json_body(target.base[JSON_BODY]).map(
            lambda body: {JSON_BODY: json_text(body)}
        )
    elif target.json:
        [base] = target.base[JSON_BODY]["entries"]
        strategy = hostile_batch(base, int_ids).map(lambda body: {JSON_BODY: json_text(body)})
    else:
        strategy = hostile_form(target, ids)

    @settings(FUZZ, max_examples=examples)
    @given(data=strategy, htmx=st.booleans())
    def run(data: Any, htmx: bool) -> None:
        cache.clear()  # the share links' per-address limit is not this test's business
        response = send(data, htmx)
        check(response, f"POST {target.url} {shorten(data)}")

    for data in explicit:
        run = example(data=data, htmx=False)(run)
    run()


def shorten(data: Any) -> str:
    text = repr(data)
    return text if len(text) < 400 else text[:400] + "…"


def no_server_error(response: HttpResponse, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"


# -- Who posts --------------------------------------------------------------------------


def signed_in(user: User, household: Household) -> Client:
    """A fresh session of the user, looking at this household (a household the user made
    by a hostile post, sorted first by name, must not take over)."""
    client = Client(raise_request_exception=False)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = household.pk
    session.save()
    return client


def staying_signed_in(user: User, household: Household) -> Callable[[], Client]:
    """One session of the user for many posts: before each, signed in again if a post
    ended the session, and looking at this household again if one switched it."""
    client = signed_in(user, household)

    def again() -> Client:
        session = client.session
        if session.get("_auth_user_id") != str(user.pk):
            return signed_in(user, household)
        if session.get(SESSION_KEY) != household.pk:
            session[SESSION_KEY] = household.pk
            session.save()
        return client

    return again


def anonymous() -> Client:
    return Client(raise_request_exception=False)


def ids_of(household: Household) -> tuple[str, ...]:
    """The ids of a household's rows, as a form would carry them."""
    found: set[int] = set()
    for table in household_rows(household).values():
        found |= {row["id"] for row in table if isinstance(row.get("id"), int)}
    return tuple(str(pk) for pk in sorted(found))


# URLs that end the session, the membership or an object that other URLs need: posted
# to last, after the pages were checked.
ENDINGS = ("delete", "remove", "revoke", "cancel", "leave", "drop", "logout")


def ends_something(endpoint: Endpoint) -> bool:
    return any(word in endpoint.name for word in ENDINGS)


def post_targets(
    family: Any, endpoints: list[Endpoint], client: Client, pages: dict[str, Page]
) -> list[Target]:
    """Every URL of these endpoints that takes a POST, with its fields and the payload
    that works there (as the client sees its page)."""
    found = []
    for endpoint in endpoints:
        for where in urls_of(family, endpoint):
            page = pages.get(where.url) or read_page(client, where.url)
            pages[where.url] = page
            if page.status == 405 and "POST" not in page.response.get("Allow", ""):
                continue
            base = valid_payload(page, family)
            fields = fields_for(where.url, pages) or {
                # A form no page showed this time (the likes form needs a new food
                # tried): the fields of the isolation test's working payload for it.
                name: FieldSpec(name, "text")
                for name in base
                if name not in BASE_PAYLOAD and name != JSON_BODY
            }
            found.append(Target(endpoint.name, where.url, fields, base, json=JSON_BODY in base))
    return found


TEXT_KINDS = ("text", "textarea", "search", "email", "url", "tel")


def refused_fields(response: HttpResponse) -> set[str]:
    """The fields the forms of an answer said were wrong."""
    return {name for form in context_forms(response) for name in form.errors}


def store_hostile_text(
    send: Callable[[Any, bool], HttpResponse],
    target: Target,
    check: Callable[[HttpResponse, str], None],
) -> None:
    """Every text field of the form holds all the HTML payloads at once, so what the form
    takes is stored and the page checks render it; fields the form refuses (a phone
    number, a time zone) get their working value back and the rest go again. Then
    invisible characters in every text field, and each hostile calendar file."""

    def sending(data: Any) -> HttpResponse:
        cache.clear()
        response = send(data, False)
        check(response, f"POST {target.url} {shorten(data)}")
        return response

    if target.json and "entries" not in target.base[JSON_BODY]:  # a phone's push device
        body = target.base[JSON_BODY]
        texts = [name for name, value in body.items() if isinstance(value, str)]
        for text in (STORED, INVISIBLE, SURROGATES[1]):
            sending({JSON_BODY: json_text(body | dict.fromkeys(texts, text))})
        return
    if target.json:
        entry = dict(target.base[JSON_BODY]["entries"][0])
        for text in (STORED, INVISIBLE, SURROGATES[1]):
            batch = [
                entry
                | {
                    "uuid": str(uuid.uuid4()),
                    "kind": kind,
                    "details": dict.fromkeys(details, text),
                    "text": text,
                }
                for kind, details in (("note", ()), ("new_food", ("food",)), ("meal", ("what",)))
            ]
            sending({JSON_BODY: json_text({"entries": batch})})
        return
    texts = [name for name, spec in target.fields.items() if spec.kind in TEXT_KINDS]
    if texts:
        refused = refused_fields(sending(target.base | dict.fromkeys(texts, STORED))) & set(texts)
        kept = [name for name in texts if name not in refused]
        if refused and kept:
            sending(target.base | dict.fromkeys(kept, STORED))
        if refused:  # too long for a short field, perhaps
            sending(target.base | dict.fromkeys(refused, SCRIPT))
        sending(target.base | dict.fromkeys(texts, INVISIBLE))
    for name, spec in target.fields.items():
        if spec.kind == "file":
            for upload in FILES:
                sending(target.base | {name: upload})


# Every field at once: one row per kind of confusion. A view reads its fields one by
# one, so whichever field it chokes on, the row finds it.
ALL_AT_ONCE: tuple[dict[str, Any], ...] = (
    {"date": "9999-12-31", "time": "23:59:60", "number": "1e308", "": "²"},
    {"date": "0001-01-01", "time": "24:00", "number": str(-(10**30)), "": str(10**30)},
    {"": ["1", STORED, "²"]},  # a list where one value is expected
    {"": "a\x00b"},
    {"": ""},
)
# Bodies that are not the JSON asked for: nested past any parser's recursion, cut short,
# not UTF-8, or not JSON at all.
DEEP = "[" * 50_000 + "]" * 50_000
BAD_JSON_BODIES: tuple[str | bytes, ...] = (
    DEEP,
    '{"entries": [' + DEEP + "]}",
    '{"entries": [{"uuid": "',
    b'{"entries": ["\xff\xfe"]}',
    "entries=1&x=2",
    "",
    "NaN",
    '{"entries": [], "entries": null}',
)
# The same for the journal's offline queue: each field of an entry of the wrong type.
WRONG_TYPES: tuple[Any, ...] = (None, True, 2**70, -1, 1.5, "", "²", [], [1, "a"], {"a": {}})


def wrong_json_values(body: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The body with each value, at any depth, of each wrong type in turn."""
    for name, value in body.items():
        for wrong in WRONG_TYPES:
            yield body | {name: wrong}
        if isinstance(value, dict):
            for inner in wrong_json_values(value):
                yield body | {name: inner}


def all_at_once(target: Target) -> Iterator[dict[str, Any]]:
    if target.json and "entries" not in target.base[JSON_BODY]:  # a phone's push device
        yield from (
            {JSON_BODY: json_text(body)} for body in wrong_json_values(target.base[JSON_BODY])
        )
        yield from ({JSON_BODY: body} for body in BAD_JSON_BODIES)
        return
    if target.json:
        entry = target.base[JSON_BODY]["entries"][0]
        batch = [
            entry | {"uuid": str(uuid.uuid4()), name: wrong}
            for name in (*entry, "details", "text", "medicine", "comfort_task")
            for wrong in WRONG_TYPES
        ]
        yield {JSON_BODY: json_text({"entries": batch})}
        yield {JSON_BODY: json_text({"entries": WRONG_TYPES})}
        yield from ({JSON_BODY: body} for body in BAD_JSON_BODIES)
        return
    names = sorted(set(target.fields) | set(target.base) | set(EXTRA_NAMES))
    yield {}  # an empty post
    for row in ALL_AT_ONCE:
        data = {}
        for name in names:
            spec = target.fields.get(name)
            if spec is not None and spec.kind == "file":
                data[name] = FILES[0]
            else:
                data[name] = row.get(spec.kind if spec else "", row[""])
        yield data


def post_everything(
    client_for: Callable[[], Client],
    items: list[Target],
    ids: tuple[str, ...],
    int_ids: tuple[int, ...],
    examples: Callable[[Target], int],
    check: Callable[[HttpResponse, str], None],
    explicit: bool = True,
) -> None:
    """Each target gets explicit examples (every field at once of the wrong kind), then
    hypothesis's own, then the payloads meant to be stored; all failures are reported
    at once."""
    failures = []
    for target in items:
        client = client_for()

        def send(data: Any, htmx: bool, client: Client = client, url: str = target.url) -> Any:
            return post(client, url, data, htmx)

        explicit_here = explicit and examples(target) > 1  # not for a view that answers 403
        try:
            chosen = list(all_at_once(target)) if explicit_here else []
            fuzz_target(send, target, ids, int_ids, check, examples(target), chosen)
            if explicit_here:  # last, so no later post of this form overwrites what it stored
                store_hostile_text(send, target, check)
        except AssertionError as error:
            failures.append(f"{target.name}: {error}")
    assert not failures, "\n\n".join(failures)


# -- The family's own people -----------------------------------------------------------


def other_family(family: Any) -> Any:
    """Another household with rows of every kind the family's posts could name by id: a
    child with a medicine, a backup contact, a note, a trip with a share link, and a
    caregiver covering a night of it."""
    other = family.other_household
    family.other_child = Child.objects.create(
        household=other, name="Noor Elsewhere", birth_date=family.child.birth_date
    )
    Medicine.objects.create(child=family.other_child, name="Zinc drops", dose="2", times=["09:00"])
    family.other_contact = Contact(
        household=other, name="Uncle Ravi", phone="+44 20 7946 0000", roles=[ContactRole.BACKUP]
    )
    family.other_contact.save()
    HouseNote.objects.create(household=other, title="Boiler", text="Reset twice")
    family.other_trip = Trip.objects.create(
        household=other,
        traveller=family.outsider,
        starts_at=family.trip.starts_at,
        ends_at=family.trip.ends_at,
        destination="Hafnarfjordur fjords",
        destination_zone="Atlantic/Reykjavik",
    )
    family.other_caregiver = User.objects.create_user(
        email="olive@example.com", password="a long test password", name="Olive Other"
    )
    Membership.objects.create(household=other, user=family.other_caregiver, role=Role.CAREGIVER)
    Cover.objects.create(
        household=other, night=family.other_trip.nights_list[0], member=family.other_caregiver
    )
    family.other_link, family.other_token = ShareLink.issue(
        family.other_trip, family.outsider, label="Nanny Elsewhere", days_before=7
    )
    return family


# The other household's texts: never on a page of the family's people.
OTHER_TEXTS = ("Noor Elsewhere", "Zinc drops", "Uncle Ravi", "Reset twice", "Hafnarfjordur")


def during_the_trip(family: Any) -> Any:
    """Hostile posts while the parent is away: the journal takes entries and the share
    link works, so what is posted is stored and shown."""
    return time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=True)


def member_pages(
    family: Any,
    client: Client,
    endpoints: list[Endpoint],
    *,
    follow: bool = True,
    pdfs: bool = True,
) -> dict[str, Page]:
    """The pages of these endpoints (for the test household's objects), and with `follow`
    the pages their links lead to; without, no PDFs (they hold no forms)."""
    start = [t.url for e in endpoints if e.name not in TOKEN_CHECKS for t in urls_of(family, e)]
    return crawl(client, start, follow=follow, pdfs=follow and pdfs)


SHARED_PAGES = (
    "handoff:shared_brief",
    "journal:shared_log",
    "journal:shared_manifest",
    "handoff:shared_brief_pdf",
)


def share_pages(family: Any, token: str, *, pdf: bool = True) -> dict[str, Page]:
    client = anonymous()
    pages = {}
    for name in SHARED_PAGES if pdf else SHARED_PAGES[:-1]:
        cache.clear()  # the per-address limit
        url = reverse(name, args=[token])
        pages[url] = read_page(client, url)
    return pages


MEMBER_ENDPOINTS = [e for e in OBJECT_URLS + PLAIN_URLS if e.name not in TOKEN_CHECKS]
# What a post can reach: not the PDFs (a GET that renders the brief again, slowly, whatever
# is posted; the page checks read each once).
POSTABLE = [e for e in MEMBER_ENDPOINTS if not e.name.endswith("pdf")]


def assert_everything_renders_safely(
    family: Any, pdfs: str, shown: dict[str, int], stored: set[str]
) -> None:
    """Every page of the family, as its parent, its caregiver and its share link; the
    calendar feed; and every stored row. The PDFs (slow, and one template for everyone)
    as `pdfs` only: the actor who posted. The controls: the payloads were `stored` in
    these columns, and each person sees them (escaped) on at least `shown` pages."""
    assert_payloads_were_stored(stored)
    cache.clear()
    people = {"parent": family.parent, "caregiver": family.caregiver}
    seen = {}
    for who, user in people.items():
        client = signed_in(user, family.household)
        pages = member_pages(family, client, MEMBER_ENDPOINTS, pdfs=pdfs == who)
        seen[who] = assert_pages_are_safe(pages, who)
    link_pages = share_pages(family, family.share_token, pdf=pdfs == "share link")
    seen["share link"] = assert_pages_are_safe(link_pages, "share link")
    too_few = {who: seen[who] for who in shown if seen[who] < shown[who]}
    assert not too_few, f"pages showing a payload, escaped: {seen}, expected {shown}"
    feed = anonymous().get(reverse("trips:feed", args=[family.feed_token]))
    assert feed.status_code == 200, f"the calendar feed: {feed.status_code}"
    assert b"\x00" not in feed.content, "the calendar feed has a NUL character"
    assert_nothing_stored_is_broken()


def columns_holding(text: str) -> set[str]:
    """Where `text` is stored: "app.Model.column" for each column holding it somewhere."""
    return {
        f"{label}.{column}"
        for label, table in snapshot().items()
        for row in table
        for column, value in row.items()
        if text in str(value)
    }


def assert_payloads_were_stored(expected: set[str]) -> None:
    """The control: the posts stored the payloads where the pages show them, so the page
    checks above prove something."""
    missing = expected - columns_holding(SCRIPT)
    assert not missing, f"no payload was stored in {sorted(missing)}: the posts were all refused"


def no_other_household(response: HttpResponse, where: str) -> None:
    no_server_error(response, where)
    shown = body_of(response)
    leaked = [text for text in OTHER_TEXTS if text in shown]
    assert not leaked, f"{where} shows another household's {leaked}"


def no_family_data(response: HttpResponse, where: str) -> None:
    no_server_error(response, where)
    assert_no_family_data(response, where)


def endpoint_named(name: str) -> Endpoint:
    return next(e for e in ENDPOINTS if e.name == name)


def all_ids(family: Any) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The ids of both households' rows: a post may name any of them."""
    ids = ids_of(family.household) + ids_of(family.other_household)
    return ids, tuple(int(i) for i in ids)


def members_post_everywhere(
    family: Any,
    who: str,
    examples: Callable[[Target], int],
    shown: dict[str, int],
    stored: set[str],
) -> int:
    """`user`, a member of the family, posts hostile input to every URL of the household
    that takes a post; then every page is checked; then the URLs that end something
    (delete, revoke, leave, log out) get theirs. Returns how many forms were found."""
    user = {"parent": family.parent, "caregiver": family.caregiver}[who]
    other_family(family)
    others_before = household_rows(family.other_household)
    ids, int_ids = all_ids(family)
    with during_the_trip(family):
        client = signed_in(user, family.household)
        pages = member_pages(family, client, MEMBER_ENDPOINTS, follow=False)
        items = post_targets(family, POSTABLE, client, pages)
        if who == "parent":
            assert_addresses_take_bad_values(client, pages)
        first = [t for t in items if not ends_something(endpoint_named(t.name))]
        last = [t for t in items if ends_something(endpoint_named(t.name))]
        again = staying_signed_in(user, family.household)
        post_everything(again, first, ids, int_ids, examples, no_other_household)
        assert_everything_renders_safely(family, who, shown, stored)
        post_everything(again, last, ids, int_ids, lambda t: 1, no_other_household, explicit=False)
    assert household_rows(family.other_household) == others_before, (
        "the family's posts changed another household's rows"
    )
    return sum(t.is_form for t in items)


# Where the parent's posts store a payload (a core of them: more is fine).
PARENT_STORES = {
    "accounts.User.name",
    "api.AccessToken.name",
    "handoff.ShareLink.label",
    "households.Child.name",
    "households.Child.notes",
    "households.Contact.name",
    "households.Food.name",
    "households.HouseNote.text",
    "households.Medicine.name",
    "households.Routine.steps",
    "journal.JournalEntry.text",
    "prep.PackingItem.name",
    "prep.PrepTask.title",
    "prep.TemplateItem.title",
    "trips.Goal.note",
    "trips.Trip.destination",
    "trips.Trip.notes",
}


def query_names(pages: dict[str, Page]) -> dict[str, set[str]]:
    """The query parameters the pages' own links use, by path (?before=, ?zone=...)."""
    found: dict[str, set[str]] = {}
    for page in pages.values():
        for link in page.links:
            parts = urlsplit(link)
            if parts.query and parts.netloc in ("", "testserver"):
                found.setdefault(parts.path, set()).update(parse_qs(parts.query))
    return found


def takes_text(endpoint: Endpoint, kwarg: str) -> bool:
    """Whether the URL's converter takes any text there (`str`), not only digits."""
    values = dict.fromkeys(endpoint.kwargs, "1")
    try:
        endpoint.url(**values | {kwarg: "x"})
    except NoReverseMatch:
        return False
    return True


URL_TEXTS = tuple(t for t in TEXTS + DATES if t and "/" not in t and len(t) < 500)


def fuzz_path(client: Client, endpoint: Endpoint) -> None:
    """Hostile ids, nights, years and months in the URL's path, by GET and by POST."""
    strategies = {
        kwarg: st.sampled_from(URL_TEXTS) | short_text().filter(lambda t: t and "/" not in t)
        if takes_text(endpoint, kwarg)
        else st.sampled_from(("0", "00001", str(2**31), str(2**63), str(10**30)))
        for kwarg in endpoint.kwargs
    }

    @settings(FUZZ, max_examples=3)
    @given(values=st.fixed_dictionaries(strategies), method=st.sampled_from(("get", "post")))
    def run(values: dict[str, str], method: str) -> None:
        url = endpoint.url(**values)
        response = client.get(url) if method == "get" else post(client, url, {"x": STORED})
        no_server_error(response, f"{method.upper()} {url[:300]}")

    run()


def fuzz_query(client: Client, path: str, names: set[str]) -> None:
    """Hostile values for the query parameters a page's links use."""
    values = st.sampled_from(URL_TEXTS + NUMBERS)

    @settings(FUZZ, max_examples=4)
    @given(query=st.fixed_dictionaries({}, optional=dict.fromkeys(sorted(names), values)))
    def ask(query: dict[str, str]) -> None:
        url = f"{path}?{urlencode(query)}"
        no_server_error(client.get(url), f"GET {url[:300]}")

    ask()


def assert_addresses_take_bad_values(client: Client, pages: dict[str, Page]) -> None:
    """Hostile values where a URL carries them: each id, night, year and month in a path
    (digits past any database's integers, nights that are no date), and each query
    parameter the pages' links use. Never a 5xx."""
    failures = []
    for endpoint in POSTABLE:
        try:
            if endpoint.kwargs:
                fuzz_path(client, endpoint)
        except AssertionError as error:
            failures.append(f"{endpoint.name}: {error}")
    for path, names in query_names(pages).items():
        try:
            fuzz_query(client, path, names)
        except AssertionError as error:
            failures.append(f"{path}: {error}")
    assert not failures, "\n\n".join(failures)


def test_parent_posts_bad_input_to_every_form(family):
    forms_found = members_post_everywhere(
        family,
        "parent",
        examples=lambda t: 4 if t.is_form else 1,
        shown={"parent": 30, "caregiver": 5, "share link": 1},
        stored=PARENT_STORES,
    )
    assert forms_found >= 40, f"only {forms_found} forms found: the walk lost them"


def test_caregiver_posts_bad_input_to_every_form(family):
    """The caregiver's own forms (the quick log, their account, tokens, channels) take
    the full treatment; the parents' forms answer a hostile post with 403 too."""
    open_to_caregivers = {e.name for e in MEMBER_ENDPOINTS if not e.parent_required}
    forms_found = members_post_everywhere(
        family,
        "caregiver",
        examples=lambda t: 4 if t.is_form and t.name in open_to_caregivers else 1,
        shown={"parent": 2, "caregiver": 2},
        stored={"accounts.User.name", "api.AccessToken.name", "journal.JournalEntry.text"},
    )
    assert forms_found >= 8, f"only {forms_found} forms found for the caregiver"


# -- A share link, and anyone without an account ---------------------------------------

# The pages of a share link that take a post, and what the quick log sends them: the
# same as it sends signed in.
SHARED_POSTS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "journal:shared_log": FORMLESS_PAYLOADS["journal:log"],
    "journal:shared_sync": FORMLESS_PAYLOADS["journal:sync"],
}


def shared_targets(family: Any, token: str, pages: dict[str, Page]) -> list[Target]:
    found = []
    for name, make in SHARED_POSTS.items():
        url = reverse(name, args=[token])
        base = make(family)
        fields = {} if JSON_BODY in base else fields_for(url, pages)
        found.append(Target(name, url, fields, base, json=JSON_BODY in base))
    return found


def hostile_secrets(family: Any) -> st.SearchStrategy[str]:
    """Values for a URL's secret: forged, hostile, or another secret of the family's."""
    usable = [
        t
        for t in TEXTS + NUMBERS + DATES
        if t.strip() and "/" not in t and len(t) < 3000 and "\x00" not in t
    ]
    return st.one_of(
        st.sampled_from(usable),
        st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=60),
        st.sampled_from(
            (
                family.share_link.token_hash,
                family.share_token[:-1],
                family.share_token + "x",
                family.share_token.upper(),
                family.feed.token_hash,
                "x" * 43,
            )
        ),
    )


def fuzz_secret(family: Any, endpoint: Endpoint) -> None:
    """GET and POST with a hostile secret in the URL: a 4xx (or the page saying the link
    does not work), never a 5xx, never the family."""

    @settings(FUZZ, max_examples=6)
    @given(secret=hostile_secrets(family), method=st.sampled_from(("get", "post")))
    def run(secret: str, method: str) -> None:
        # The secret is hostile; an id beside it (a share link's photo) is the family's.
        url = endpoint.url(
            **{kwarg: family.photo.pk if kwarg == "pk" else secret for kwarg in endpoint.kwargs}
        )
        cache.clear()
        client = anonymous()
        response = client.get(url) if method == "get" else post(client, url, {"x": STORED})
        where = f"{method.upper()} {url[:200]}"
        no_family_data(response, where)
        # The password reset page says the link is not valid, with a 200.
        assert response.status_code in (200, 404, 405, 410, 429), f"{where}: {response.status_code}"

    run()


def only_added(
    before: dict[str, list[dict[str, Any]]],
    after: dict[str, list[dict[str, Any]]],
    labels: set[str],
) -> dict[str, list[dict[str, Any]]]:
    """`after` without rows of `labels` that `before` did not have."""
    kept = {label: {row["id"] for row in table} for label, table in before.items()}
    return {
        label: [row for row in table if label not in labels or row["id"] in kept[label]]
        for label, table in after.items()
    }


# What a share link may add to the family: its log, and the record of its opens.
LINK_ADDS = {"journal.JournalEntry", "journal.EntryChange", "handoff.ShareLinkOpen"}


def test_share_link_and_visitors_post_bad_input(family):
    """The share link's quick log and offline queue take hostile entries; hostile and
    forged secrets in every URL that carries one open nothing; the pages open to anyone
    (sign up, log in, reset a password) take hostile posts. Afterwards the brief, the
    quick log and every page of the family render what was stored, escaped."""
    other_family(family)
    others_before = household_rows(family.other_household)
    family_before = household_rows(family.household)
    ids, int_ids = all_ids(family)
    token_urls = [e for e in ENDPOINTS if e.name in TOKEN_CHECKS]
    with during_the_trip(family):
        pages = share_pages(family, family.share_token, pdf=False)
        items = shared_targets(family, family.share_token, pages)
        assert items[0].fields, "the share link's quick log shows no form"
        post_everything(anonymous, items, ids, int_ids, lambda t: 12, no_other_household)

        # Every URL with a secret in it (share links, invitations, password resets,
        # calendar feeds), with hostile secrets.
        failures = []
        for endpoint in token_urls:
            try:
                fuzz_secret(family, endpoint)
            except AssertionError as error:
                failures.append(f"{endpoint.name}: {error}")
        assert not failures, "\n\n".join(failures)

        # The pages open to anyone: sign up, log in, reset a password...
        open_urls = [e for e in PLAIN_URLS if not e.member_required and e.name not in TOKEN_CHECKS]
        open_pages = crawl(anonymous(), [e.url() for e in open_urls], follow=False)
        visiting = post_targets(family, open_urls, anonymous(), open_pages)
        assert {"accounts:signup", "accounts:login", "accounts:password_reset"} <= {
            t.name for t in visiting if t.is_form
        }
        post_everything(
            anonymous, visiting, ids, int_ids, lambda t: 4 if t.is_form else 1, no_family_data
        )
        after = household_rows(family.household)
        assert_everything_renders_safely(
            family,
            "share link",
            shown={"share link": 1, "parent": 1},
            stored={"journal.JournalEntry.text", "journal.JournalEntry.details"},
        )
    # The link logged entries for its trip, its first opening ticked the walk-through
    # (prep/outcomes.py), and it changed nothing else of the family.
    ticked = [
        row["id"]
        for row in after["prep.PrepTask"]
        if row["title"] in BRIEF_READ and row["done_at"] is not None
    ]
    assert ticked, "opening the link ticked the walk-through"
    for row in after["prep.PrepTask"]:
        if row["id"] in ticked:
            row["done_at"] = None
    assert only_added(family_before, after, LINK_ADDS) == family_before
    assert household_rows(family.other_household) == others_before


# -- Another household's people, at the family ----------------------------------------


def has_ids(target: Target) -> bool:
    return any(kwarg not in ("year", "month") for kwarg in endpoint_named(target.name).kwargs)


def refused_if_the_familys(target: Target) -> Callable[[HttpResponse, str], None]:
    """A URL naming an object of the family is refused outright; a form of their own
    may answer anything but a 5xx. Neither shows the family's data."""
    of_the_family = has_ids(target)

    def check(response: HttpResponse, where: str) -> None:
        no_family_data(response, where)
        if of_the_family:
            assert response.status_code in (403, 404, 405), f"{where}: {response.status_code}"

    return check


def with_the_familys_ids(family: Any, base: dict[str, Any]) -> dict[str, Any]:
    """A share link's post naming the family's child, medicine and comfort item."""
    if JSON_BODY in base:
        entry = dict(base[JSON_BODY]["entries"][0])
        entry |= {
            "kind": "medicine",
            "children": [family.child.pk],
            "medicine": family.medicine.pk,
            "comfort_task": family.prep_task.pk,
        }
        return {JSON_BODY: {"entries": [entry]}}
    return base | {"children": [str(family.child.pk)], "medicine": str(family.medicine.pk)}


def test_another_household_changes_nothing_of_the_family(family):
    """A parent, a caregiver and a share link of another household post hostile input,
    with the family's ids in it, to every URL of the family's objects and to every form
    of their own: the family's rows stay as they were and no answer shows them."""
    other_family(family)
    ids = ids_of(family.household)
    int_ids = tuple(int(i) for i in ids)
    with during_the_trip(family):
        # The family's forms as its parent sees them: their fields, and ids worth naming.
        parent = signed_in(family.parent, family.household)
        pages = member_pages(family, parent, MEMBER_ENDPOINTS, follow=False)
        items = [
            t
            for t in post_targets(family, POSTABLE, parent, pages)
            # Leaving their own household or logging out is their own business.
            if has_ids(t) or not ends_something(endpoint_named(t.name))
        ]
        others = {
            "the other parent": staying_signed_in(family.outsider, family.other_household),
            "the other caregiver": staying_signed_in(
                family.other_caregiver, family.other_household
            ),
        }
        failures = []
        for who, client_for in others.items():
            before = household_rows(family.household)
            for target in items:
                check = refused_if_the_familys(target)
                try:
                    # The parent's own working payload first: the strongest try.
                    response = post(client_for(), target.url, target.base)
                    check(response, f"POST {target.url} (the family's working payload)")
                    post_everything(
                        client_for,
                        [target],
                        ids,
                        int_ids,
                        lambda t: 2 if t.is_form and not has_ids(t) else 1,
                        check,
                        explicit=False,
                    )
                except AssertionError as error:
                    failures.append(f"{who}: {error}")
            if household_rows(family.household) != before:
                failures.append(f"{who} changed the family: {culprit(family, client_for, items)}")
        assert not failures, "\n\n".join(failures)

        # The other household's share link, naming the family's child and medicine.
        before = household_rows(family.household)
        link_targets = shared_targets(
            family, family.other_token, share_pages(family, family.other_token, pdf=False)
        )
        for target in link_targets:
            target.base = with_the_familys_ids(family, target.base)
        post_everything(anonymous, link_targets, ids, int_ids, lambda t: 8, no_family_data)
        assert household_rows(family.household) == before, (
            "the other household's share link changed the family's rows"
        )


def culprit(family: Any, client_for: Callable[[], Client], items: list[Target]) -> str:
    """Which URL changes the family's rows: each target again, with a snapshot around it."""
    found = []
    for target in items:
        before = household_rows(family.household)
        post(client_for(), target.url, target.base)
        after = household_rows(family.household)
        if after != before:
            tables = sorted(label for label in after if after[label] != before[label])
            found.append(f"POST {target.url} changes {tables}")
    return "; ".join(found) or "no single URL: run the test with -vv"


# -- What the posts above found, each pinned down ---------------------------------------


def test_an_invisible_character_gets_a_clear_message_next_to_its_field(family):
    """Text pasted with a control character is refused with a message under the field
    (not Django's bare "Null characters are not allowed"), and nothing is saved."""
    client = signed_in(family.parent, family.household)
    children = Child.objects.count()
    for name, code in (("Noor\x1b[31m", "001B"), ("Noor\x00", "0000"), ("No\x85or", "0085")):
        response = client.post(
            reverse("households:child_create"), {"name": name, "birth_date": "2023-04-02"}
        )
        assert response.status_code == 422
        assert response.context["form"].errors["name"] == [
            f"This text has an invisible character (U+{code}) that cannot be saved. "
            "Type the text again rather than pasting it."
        ]
        assert 'id="id_name_errors"' in body_of(response)
    assert Child.objects.count() == children
    # Tabs and line breaks are text.
    response = client.post(
        reverse("households:child_create"),
        {"name": "Noor", "birth_date": "2023-04-02", "notes": "Naps\tat 1\r\nBed at 7"},
    )
    assert response.status_code == 302
    assert Child.objects.get(name="Noor").notes == "Naps\tat 1\r\nBed at 7"


def test_the_offline_queue_refuses_invisible_characters_and_lone_surrogates(family):
    url = reverse("journal:sync", args=[family.trip.pk])
    client = signed_in(family.caregiver, family.household)
    entries = [
        logged_entry(family) | {"kind": "note", "text": "Slept\x00 well"},
        logged_entry(family) | {"kind": "note", "text": "Slept \ud83d well"},
        logged_entry(family) | {"kind": "new_food", "details": {"food": "Kiwi\x07"}},
    ]
    with during_the_trip(family):
        stored = JournalEntry.objects.count()
        response = client.post(url, json_text({"entries": entries}), "application/json")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["invalid"] * 3
    assert "U+0000" in results[0]["errors"]["text"]
    assert "U+D83D" in results[1]["errors"]["text"]
    assert results[2]["errors"]["details"].startswith("food: This text has an invisible")
    assert JournalEntry.objects.count() == stored


@pytest.mark.parametrize("body", [DEEP, '{"entries": [' + DEEP + "]}"])
def test_json_nested_past_any_limit_is_not_json(family, body):
    """Python's parser gives up with a RecursionError, which is not a ValueError."""
    client = signed_in(family.parent, family.household)
    response = client.post(reverse("journal:sync", args=[family.trip.pk]), body, "application/json")
    assert response.status_code == 400
    assert response.json() == {"error": "The request is not JSON."}


@pytest.mark.parametrize("field", ["children", "medicine", "comfort_task"])
def test_the_quick_log_form_takes_a_digit_that_is_no_number(family, field):
    """ "²" is a digit to str.isdigit() and not to int(): the entry is refused, not a 500."""
    client = signed_in(family.parent, family.household)
    data = {"kind": "medicine", "children": [str(family.child.pk)], "medicine": "", field: "²"}
    with during_the_trip(family):
        stored = JournalEntry.objects.count()
        response = client.post(reverse("journal:log", args=[family.trip.pk]), data, follow=True)
    assert response.status_code == 200
    assert "Not logged:" in body_of(response)
    assert JournalEntry.objects.count() == stored


def test_an_entry_for_a_child_id_past_any_database_is_refused(family):
    client = signed_in(family.parent, family.household)
    url = reverse("journal:edit_entry", args=[family.journal_entry.pk])
    data = {"occurred_at": "2021-01-01T08:00", "children": [str(10**30)], "version": "1"}
    response = client.post(url, data)
    assert response.status_code == 422
    assert "children" in response.context["form"].errors


@pytest.mark.parametrize(
    "back", ["a:b", '{"__proto__": 1}', "javascript:alert(1)", "//evil.example"]
)
def test_ticking_a_task_goes_back_only_to_a_page_of_this_site(family, back):
    """`redirect()` reads "a:b" as a URL name to reverse: it was a 500."""
    client = signed_in(family.parent, family.household)
    response = client.post(reverse("prep:tick", args=[family.prep_task.pk]), {"back": back})
    assert response.status_code == 302
    assert response["Location"] == reverse("prep:trip", args=[family.trip.pk])


def test_signing_up_goes_on_only_to_a_page_of_this_site(family, settings):
    settings.SIGNUP_OPEN = True
    data = {
        "name": "Nina",
        "email": "nina@example.com",
        "password1": "a long test password 7",
        "password2": "a long test password 7",
        "next": "a:b",
    }
    response = anonymous().post(reverse("accounts:signup"), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("households:create")


def test_a_food_liked_with_an_invisible_character_is_not_added(family):
    client = signed_in(family.parent, family.household)
    foods = family.child.foods.count()
    response = client.post(
        reverse("debrief:add_food_like", args=[family.child.pk]), {"food": "Kiwi\x00"}, follow=True
    )
    assert "invisible character (U+0000)" in body_of(response)
    assert family.child.foods.count() == foods
