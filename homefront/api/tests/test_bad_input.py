"""Bad input for the JSON API: every operation of /api/v1, read from the OpenAPI
document the API serves, driven with hostile JSON bodies, query strings and path
parameters, by every kind of token.

The operations and their body fields come from /api/v1/openapi.json, and each `{pk}`
is mapped to an object of the test household through test_isolation.py's
API_PK_OWNERS, so an operation added later is driven without editing this file (and
one whose `pk` nobody can map fails loudly). The values are those of the web forms'
test (homefront/core/tests/test_bad_input.py), as JSON: wrong types, huge and
deeply nested values, lone surrogates, NUL and control characters, SQL and HTML
payloads, ids of another household, and bodies that are not JSON at all.

Who asks: a parent's read-and-write token, a caregiver's (the API lets caregivers
read and log), a parent's read-only token, and the token of a parent of another
household. What must hold: no 5xx, ever; every refusal is JSON with a sentence in
`detail`; nothing stored holds control characters, and every page of the household
renders what the API stored escaped; a read-only token writes nothing; another
household's token changes none of the family's rows and reads none of its data.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from datetime import timedelta
from typing import Any
from urllib.parse import quote
from urllib.parse import urlencode

import pytest
import time_machine
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from homefront.core.tests.test_bad_input import BAD_JSON_BODIES
from homefront.core.tests.test_bad_input import DATES
from homefront.core.tests.test_bad_input import FUZZ
from homefront.core.tests.test_bad_input import INVISIBLE
from homefront.core.tests.test_bad_input import NOT_IDS
from homefront.core.tests.test_bad_input import NUMBERS
from homefront.core.tests.test_bad_input import SCRIPT
from homefront.core.tests.test_bad_input import STORED
from homefront.core.tests.test_bad_input import SURROGATES
from homefront.core.tests.test_bad_input import TEXTS
from homefront.core.tests.test_bad_input import TIMES
from homefront.core.tests.test_bad_input import assert_nothing_stored_is_broken
from homefront.core.tests.test_bad_input import assert_pages_are_safe
from homefront.core.tests.test_bad_input import columns_holding
from homefront.core.tests.test_bad_input import crawl
from homefront.core.tests.test_bad_input import hostile_batch
from homefront.core.tests.test_bad_input import household_rows
from homefront.core.tests.test_bad_input import json_text
from homefront.core.tests.test_bad_input import share_pages
from homefront.core.tests.test_bad_input import short_text
from homefront.core.tests.test_bad_input import shorten
from homefront.households.models import Child
from homefront.households.models import Contact
from homefront.households.tests.test_isolation import API_ENDPOINTS
from homefront.households.tests.test_isolation import API_OBJECTS
from homefront.households.tests.test_isolation import API_PK_OWNERS
from homefront.households.tests.test_isolation import assert_no_family_data
from homefront.households.tests.test_isolation import logged_entry
from homefront.households.tests.test_isolation import snapshot
from homefront.testing.trips import outsiders_trip

# -- The operations, from the API's own description -------------------------------


@dataclass
class Operation:
    method: str
    path: str  # as the OpenAPI document writes it: /api/v1/children/{pk}
    query: dict[str, dict[str, Any]]  # name -> schema
    body: dict[str, Any] | None  # the JSON body's schema, $refs resolved
    owner: str | None = None  # which object of the family `{pk}` is

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def writes(self) -> bool:
        return self.method != "get"


def resolved(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return resolved(document["components"]["schemas"][name], document)
    return schema


def operations(document: dict[str, Any]) -> list[Operation]:
    found = []
    routes = {e.route: e for e in API_ENDPOINTS}
    for path, item in document["paths"].items():
        for method, spec in item.items():
            query = {
                p["name"]: p["schema"] for p in spec.get("parameters", []) if p["in"] == "query"
            }
            path_params = [p["name"] for p in spec.get("parameters", []) if p["in"] == "path"]
            assert set(path_params) <= {"pk"}, f"{method} {path}: map {path_params} here"
            body = spec.get("requestBody", {}).get("content", {}).get("application/json")
            operation = Operation(
                method, path, query, resolved(body["schema"], document) if body else None
            )
            if path_params:
                route = path.removeprefix("/").replace("{pk}", "<pk>")
                names = [e.name for e in API_ENDPOINTS if e.route == route]
                assert route in routes, f"{operation}: no URL pattern {route}"
                owners = {API_PK_OWNERS[n] for n in names if n in API_PK_OWNERS}
                assert len(owners) == 1, (
                    f"{operation}: add its URL name ({names}) to API_PK_OWNERS in test_isolation.py"
                )
                operation.owner = owners.pop()
            found.append(operation)
    return found


# -- What goes in -----------------------------------------------------------------


def working_body(operation: Operation, family: Any) -> dict[str, Any]:
    """A body the operation takes from a parent: every required field filled by its
    type, and by its name where the type says too little."""
    schema = operation.body or {}
    today = family.household.today()
    by_name: dict[str, Callable[[], Any]] = {
        "entries": lambda: [logged_entry(family)],
        "start_date": lambda: (today + timedelta(days=40)).isoformat(),
        "end_date": lambda: (today + timedelta(days=43)).isoformat(),
        "birth_date": lambda: "2023-04-02",
    }
    by_type: dict[tuple[str, str | None], Callable[[], Any]] = {
        ("string", None): lambda: "Probe",
        ("string", "time"): lambda: "08:00",
        ("string", "date"): lambda: today.isoformat(),
        ("boolean", None): lambda: True,
        ("integer", None): lambda: 1,
    }
    body = {}
    for name, prop in schema.get("properties", {}).items():
        if name in by_name:
            body[name] = by_name[name]()
        elif name in schema.get("required", []):
            kind = (prop.get("type"), prop.get("format"))
            assert kind in by_type, f"{operation}: no value for required {name} ({kind})"
            body[name] = by_type[kind]()
    return body


def free_text(operation: Operation) -> list[str]:
    """The body's plain string fields (not a date or a time)."""
    properties = (operation.body or {}).get("properties", {})
    return [n for n, p in properties.items() if p.get("type") == "string" and "format" not in p]


JSON_SCALARS = st.one_of(
    st.sampled_from(TEXTS + SURROGATES + NUMBERS + DATES + TIMES + NOT_IDS),
    short_text(),
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=True, allow_infinity=True),  # NaN and Infinity: not JSON, but sent
    st.booleans(),
    st.none(),
)
ANYTHING = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(short_text(), inner, max_size=3),
    max_leaves=8,
)
EXTRA_FIELDS = ("id", "household", "household_id", "author", "share_link", "trip", "user")


@dataclass
class Request:
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    body: str | bytes | None = None

    def url(self) -> str:
        return self.path + ("?" + urlencode(self.query, doseq=True) if self.query else "")

    def __str__(self) -> str:
        return shorten(f"{self.url()} {self.body!r}")


def pk_values(family: Any, operation: Operation, ids: tuple[int, ...]) -> st.SearchStrategy[str]:
    own = str(API_OBJECTS[operation.owner](family).pk) if operation.owner else "1"
    hostile = ("0", "-1", "abc", "9" * 30, "1e3", "²", "١", " 1", "1.0", "0x1", "<b>", "\x00")
    # Neither "/" nor nothing: that is another URL, outside the API.
    return st.one_of(
        st.just(own),
        st.sampled_from(hostile),
        st.sampled_from(ids).map(str),
        short_text().filter(lambda text: text and "/" not in text),
    )


@st.composite
def hostile_request(
    draw: Any, operation: Operation, family: Any, ids: tuple[int, ...], base: dict[str, Any]
) -> Request:
    path = operation.path
    if operation.owner:
        path = path.replace("{pk}", quote(draw(pk_values(family, operation, ids)), safe=""))
    query: dict[str, Any] = {}
    for name in operation.query:
        how = draw(st.integers(0, 3))
        if how == 1:
            query[name] = draw(JSON_SCALARS.map(str))
        elif how == 2:
            query[name] = draw(st.lists(st.sampled_from(NUMBERS + NOT_IDS), max_size=3))
        elif how == 3:
            query[name] = str(draw(st.sampled_from(ids)))
    if operation.body is None:
        return Request(path, query)
    body: Any = dict(base)
    if "entries" in base and draw(st.booleans()):
        body = draw(hostile_batch(base["entries"][0], ids))
    elif draw(st.integers(0, 7)) == 0:
        body = draw(ANYTHING)
    else:
        names = sorted(set(base) | set(operation.body.get("properties", {})) | set(EXTRA_FIELDS))
        for name in draw(st.sets(st.sampled_from(names), min_size=1, max_size=3)):
            if draw(st.integers(0, 5)) == 0:
                body.pop(name, None)
            else:
                body[name] = draw(st.one_of(ANYTHING, st.sampled_from(ids)))
    return Request(path, query, json_text(body))


def explicit_requests(operation: Operation, family: Any, base: dict[str, Any]) -> Iterator[Request]:
    """Every field at once as the same hostile thing; bodies that are not the JSON asked
    for; query strings and ids of the wrong kind."""
    own = str(API_OBJECTS[operation.owner](family).pk) if operation.owner else ""
    path = operation.path.replace("{pk}", own)
    for value in ("²", str(10**30), ["1", "2"], "", "a\x00b"):
        yield Request(path, dict.fromkeys(operation.query, value))
    if operation.owner:
        for pk in ("9" * 30, "-1", "%C2%B2", "%00"):
            yield Request(operation.path.replace("{pk}", pk))
    if operation.body is None:
        return
    names = list(operation.body.get("properties", {}))
    strings = free_text(operation)
    if "entries" in base:
        entry = base["entries"][0]
        for text in (STORED, INVISIBLE, SURROGATES[0]):
            batch = [
                entry | {"uuid": str(uuid.uuid4()), "kind": "note", "text": text, "details": {}},
                entry | {"uuid": str(uuid.uuid4()), "kind": "new_food", "details": {"food": text}},
            ]
            yield Request(path, body=json_text({"entries": batch}))
    for text in (INVISIBLE, SURROGATES[1], "x" * 100_000):
        yield Request(path, body=json_text(base | dict.fromkeys(strings, text)))
    for wrong in (None, [], {"a": [1]}, 2**70, -1, 1.5, True, "²", float("nan")):
        yield Request(path, body=json_text(base | dict.fromkeys(names, wrong)))
    for body in (*BAD_JSON_BODIES, "[]", "null", '"a string"', "x" * 1_100_000):
        yield Request(path, body=body)


def send(client: Client, token: str, method: str, request: Request) -> HttpResponse:
    headers = {"Authorization": f"Bearer {token}"}
    if request.body is None:
        return client.generic(method.upper(), request.url(), headers=headers)
    return client.generic(
        method.upper(),
        request.url(),
        request.body,
        content_type="application/json",
        headers=headers,
    )


def answers_well(response: HttpResponse, where: str) -> None:
    """Below 500, and a refusal is JSON with a sentence in `detail`, as docs/api.md says."""
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), where
        detail = response.json().get("detail")
        assert isinstance(detail, str), f"{where}: {response.content[:300]!r}"
        assert detail.strip(), f"{where}: an empty detail"


def drive_one(
    family: Any,
    token: str,
    operation: Operation,
    ids: tuple[int, ...],
    examples: int,
    check: Callable[[HttpResponse, str], None],
    explicit: bool,
) -> None:
    """Hypothesis drives one operation, the explicit requests first. Before it all, with
    `explicit`, what is meant to be stored: every text field holding the HTML payloads
    (again without the fields the API refused, such as a trip's kind)."""
    base = working_body(operation, family)
    client = Client(raise_request_exception=False)
    texts = free_text(operation)
    if explicit and texts:
        path = operation.path.replace(
            "{pk}", str(API_OBJECTS[operation.owner](family).pk) if operation.owner else ""
        )
        for attempt in range(3):
            request = Request(path, body=json_text(base | dict.fromkeys(texts, STORED)))
            response = send(client, token, operation.method, request)
            check(response, f"{operation.method.upper()} {request}")
            refused = (
                set(response.json().get("errors") or {}) if response.status_code == 422 else set()
            )
            texts = [name for name in texts if name not in refused]
            if not refused or not texts or attempt == 2:
                break

    @settings(FUZZ, max_examples=examples)
    @given(request=hostile_request(operation, family, ids, base))
    def run(request: Request) -> None:
        response = send(client, token, operation.method, request)
        check(response, f"{operation.method.upper()} {request}")

    for request in explicit_requests(operation, family, base) if explicit else ():
        run = example(request=request)(run)
    run()


def drive(
    family: Any,
    token: str,
    ops: list[Operation],
    ids: tuple[int, ...],
    examples: Callable[[Operation], int],
    check: Callable[[HttpResponse, str], None],
    explicit: bool = True,
) -> None:
    """Every operation driven; all failures reported at once."""
    failures = []
    for operation in ops:
        try:
            drive_one(family, token, operation, ids, examples(operation), check, explicit)
        except AssertionError as error:
            failures.append(f"{operation}: {error}")
    assert not failures, "\n\n".join(failures)


# -- The family, another household, and the pages ---------------------------------------


@pytest.fixture
def ops(client):
    document = client.get(reverse("api_v1:openapi-json")).json()
    found = operations(document)
    assert len(found) >= 20, f"only {len(found)} operations in the OpenAPI document"
    assert {"POST /api/v1/trips/{pk}/journal/sync", "POST /api/v1/children"} <= {
        str(o) for o in found
    }
    return found


def elsewhere(family: Any) -> None:
    """Rows of the other household for the family's tokens to name: a child, a contact,
    a trip of its parent."""
    family.other_child = Child.objects.create(
        household=family.other_household, name="Noor Elsewhere", birth_date=family.child.birth_date
    )
    Contact(household=family.other_household, name="Uncle Ravi", phone="+44 20 7946 0000").save()
    leaves, back = family.trip.starts_at, family.trip.ends_at
    family.other_trip = outsiders_trip(
        family, "Atlantic/Reykjavik", leaves, back, destination="Hafnarfjordur fjords"
    )


def ids_of_both(family: Any) -> tuple[int, ...]:
    found: set[int] = set()
    for household in (family.household, family.other_household):
        for table in household_rows(household).values():
            found |= {row["id"] for row in table if isinstance(row.get("id"), int)}
    return tuple(sorted(found))


def during_the_trip(family: Any) -> Any:
    return time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=True)


def pages_of_the_family(family: Any) -> dict[str, Any]:
    """What the API stored, as the parent's and the caregiver's pages show it."""
    trip = family.trip.pk
    start = [
        reverse("core:home"),
        reverse("households:profile"),
        reverse("households:glance"),
        reverse("households:today"),
        reverse("trips:list"),
        reverse("trips:calendar"),
        reverse("trips:detail", args=[trip]),
        reverse("handoff:brief", args=[trip]),
        reverse("handoff:brief_pdf", args=[trip]),
        reverse("journal:timeline", args=[trip]),
        reverse("journal:log", args=[trip]),
        reverse("prep:trip", args=[trip]),
        reverse("debrief:insights"),
    ]
    shown = {}
    for who, user in (("parent", family.parent), ("caregiver", family.caregiver)):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        shown[who] = assert_pages_are_safe(crawl(client, start, pdfs=who == "parent"), who)
    shown["share link"] = assert_pages_are_safe(
        share_pages(family, family.share_token, pdf=False), "share link"
    )
    return shown


def without_token_use(rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Rows as they were, but for when a token was last used (asking marks it)."""
    return {
        label: [{k: v for k, v in row.items() if k != "last_used_at"} for row in table]
        for label, table in rows.items()
    }


# -- The family's own tokens ------------------------------------------------------------

TOKENS = {
    "parent": "write_token",
    "caregiver": "carer_token",
    "read-only": "read_token",
}
# Where each token's posts store a payload (the control: the page checks saw them).
STORES = {
    "parent": {"households.Child.name", "trips.Trip.destination", "journal.JournalEntry.text"},
    "caregiver": {"journal.JournalEntry.text", "journal.JournalEntry.details"},
    "read-only": set(),
}


@pytest.mark.parametrize("who", TOKENS)
def test_the_familys_tokens_send_bad_input_to_every_operation(family, ops, who):
    elsewhere(family)
    token = getattr(family, TOKENS[who])
    ids = ids_of_both(family)
    others_before = household_rows(family.other_household)
    before = without_token_use(snapshot())
    with during_the_trip(family):
        drive(
            family,
            token,
            ops,
            ids,
            examples=lambda o: 8 if o.writes else 3,
            check=answers_well,
        )
        if who == "read-only":
            assert without_token_use(snapshot()) == before, "a read-only token changed data"
        missing = STORES[who] - columns_holding(SCRIPT)
        assert not missing, f"the {who}'s token stored no payload in {sorted(missing)}"
        shown = pages_of_the_family(family)
    assert_nothing_stored_is_broken()
    if who != "read-only":
        assert shown["parent"] >= 2, f"pages showing a payload, escaped: {shown}"
    assert household_rows(family.other_household) == others_before, (
        f"the {who}'s token changed another household's rows"
    )


# -- Another household's token --------------------------------------------------------


def refused_and_silent(operation: Operation) -> Callable[[HttpResponse, str], None]:
    """The family's objects are not found (or the request is refused before anyone
    looks); no answer shows anything of the family."""

    def check(response: HttpResponse, where: str) -> None:
        answers_well(response, where)
        assert_no_family_data(response, f"another household's token: {where}")
        if operation.owner:
            assert response.status_code in (403, 404, 405, 413, 422), (
                f"{where}: {response.status_code}"
            )

    return check


def test_another_households_token_changes_and_reads_nothing_of_the_family(family, ops):
    """The outsider's token, at every operation, with the family's ids in the path, the
    query and the body (a trip for the family's parent, entries for its child)."""
    elsewhere(family)
    family_ids = tuple(
        sorted(
            {
                row["id"]
                for table in household_rows(family.household).values()
                for row in table
                if isinstance(row.get("id"), int)
            }
        )
    )
    before = without_token_use(household_rows(family.household))
    failures = []
    with during_the_trip(family):
        for operation in ops:
            try:
                drive(
                    family,
                    family.outsider_token,
                    [operation],
                    family_ids,
                    examples=lambda o: 5 if o.writes else 2,
                    check=refused_and_silent(operation),
                    explicit=False,
                )
                # The family's ids where a body names people and children.
                base = working_body(operation, family)
                if operation.body is not None:
                    named = base | {"traveller": family.parent.pk}
                    if "entries" in base:
                        named = {"entries": [base["entries"][0] | {"children": [family.child.pk]}]}
                    path = operation.path.replace(
                        "{pk}",
                        str(API_OBJECTS[operation.owner](family).pk) if operation.owner else "",
                    )
                    response = send(
                        Client(raise_request_exception=False),
                        family.outsider_token,
                        operation.method,
                        Request(path, body=json.dumps(named)),
                    )
                    refused_and_silent(operation)(response, f"{operation} naming the family")
            except AssertionError as error:
                failures.append(str(error))
            if without_token_use(household_rows(family.household)) != before:
                failures.append(f"{operation} with another household's token changed the family")
                before = without_token_use(household_rows(family.household))
    assert not failures, "\n\n".join(failures)


def test_the_api_refuses_invisible_characters_by_field(family):
    """The forms' rule, through the API: a 422 naming the field, and nothing saved."""
    api = Client()
    headers = {"Authorization": f"Bearer {family.write_token}"}
    children = Child.objects.count()
    response = api.post(
        reverse("api_v1:children"),
        json_text({"name": "Noor\x1b", "birth_date": "2023-04-02", "notes": "\ud800"}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "U+001B" in errors["name"][0]
    assert "U+D800" in errors["notes"][0]
    assert Child.objects.count() == children

    with during_the_trip(family):
        entry = logged_entry(family) | {"kind": "note", "text": "a\x00b"}
        response = api.post(
            reverse("api_v1:journal_sync", args=[family.trip.pk]),
            json_text({"entries": [entry]}),
            content_type="application/json",
            headers=headers,
        )
    [result] = response.json()["results"]
    assert result["status"] == "invalid"
    assert "U+0000" in result["errors"]["text"]
