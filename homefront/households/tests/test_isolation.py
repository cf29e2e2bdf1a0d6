"""Household isolation and roles, for every URL of the project.

The URLs are read from the live resolver, so a URL added later is checked
without editing this file: a view marked `member_required` or
`parent_required` is held to those promises, and a URL kwarg this file
cannot map to an object of the test household fails loudly instead of
being skipped.

Who is asking:
- an outsider, a parent of another household: 404 on every object of this
  family, and none of its data on any page;
- a caregiver of this household: 403 on every parent-only view, nothing
  saved, and never the text of a sensitive note;
- nobody signed in: sent to the login page;
- anyone with a forged secret in a URL (invitation, password reset, calendar
  feed): nothing, while the real secret works.

Each request uses a form payload that would succeed for a parent, and the
database is compared before and after, so "refused" also means "nothing saved".
"""

from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern
from django.urls import URLResolver
from django.urls import get_resolver
from django.urls import resolve
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from homefront.accounts.models import User
from homefront.api.models import AccessToken
from homefront.api.models import Scope
from homefront.handoff.models import GoBagItem
from homefront.handoff.models import ShareLink
from homefront.households.child_photo import replace_photo
from homefront.households.models import Household
from homefront.households.models import Invitation
from homefront.households.models import Membership
from homefront.households.models import Role
from homefront.journal.models import JournalEntry
from homefront.notify.models import Channel
from homefront.notify.push import subscribe as subscribe_device
from homefront.photos import testing as photo_testing
from homefront.photos.processing import process_photo
from homefront.photos.testing import phone_jpeg
from homefront.prep.models import Category
from homefront.prep.models import PackingItem
from homefront.prep.models import PrepTask
from homefront.prep.models import TemplateItem
from homefront.testing.journal import lost_tooth
from homefront.testing.trips import outsiders_trip
from homefront.testing.trips import trip_to_kyoto
from homefront.trips.models import CalendarFeed
from homefront.trips.models import Goal


@pytest.fixture
def family(family):
    """The conftest family, plus what the trips app keeps: a trip of the parent,
    a night of it covered by the caregiver, and the parent's calendar feed; and what
    prep keeps: a task of the trip due today, an item of its packing list, and an
    item of the household's checklist; and what the journal keeps: a note the parent
    logged on the trip."""
    today = family.household.today()
    family.trip = trip_to_kyoto(family)
    family.feed, family.feed_token = CalendarFeed.issue(family.household, family.parent)
    family.prep_task = PrepTask.objects.create(
        trip=family.trip, title="Water the bonsai", due_on=today
    )
    family.packing_item = PackingItem.objects.create(
        trip=family.trip, name="Blue raincoat", per_night=0, extra=1, position=99
    )
    family.template_item = TemplateItem.objects.create(
        household=family.household, title="Feed the goldfish", category=Category.HOME
    )
    family.share_link, family.share_token = ShareLink.issue(
        family.trip, family.parent, label="Aunt Probe", days_before=7
    )
    family.go_bag_item = GoBagItem.objects.in_household(family.household).first()
    family.journal_entry = lost_tooth(family, family.trip)
    # What photos keep: a photo of the child with that entry.
    family.photo = photo_testing.store_photo_for(family.journal_entry, family.child)
    # The child's own photo on the profile.
    family.child_photo = replace_photo(family.child, process_photo(phone_jpeg()))
    # What notify keeps: where the parent's messages go.
    family.channel = Channel.objects.create(
        household=family.household, user=family.parent, target="parent@example.com"
    )
    # ...and the parent's phone, subscribed to Web Push (a public push service's address).
    family.push_channel = subscribe_device(
        family.household, family.parent, push_subscription("https://1.1.1.1/push/pats"), "Phone"
    )
    # What the debrief keeps: a next step the family set itself, weeks after Kyoto.
    family.goal = Goal.objects.create(
        household=family.household,
        traveller=family.parent,
        nights=2,
        first_night=today + timedelta(days=30),
        note="A weekend in Nara",
    )
    # What the api keeps: the parent's personal access token (the tokens page), and the
    # outsider's, for asking the JSON API as another household.
    family.api_token, family.api_secret = AccessToken.issue(
        family.parent, family.household, "Bath shortcut", Scope.WRITE
    )
    family.outsider_api_token, family.outsider_api_secret = AccessToken.issue(
        family.outsider, family.other_household, "Elsewhere", Scope.WRITE
    )
    return family


def work_calendar(family: Any) -> bytes:
    """An .ics file with one overnight work event, weeks after the Kyoto trip."""
    start = family.household.today() + timedelta(days=30)
    end = start + timedelta(days=2)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Homefront tests//EN\r\n"
        "BEGIN:VEVENT\r\nUID:isolation-probe@example.org\r\n"
        f"DTSTART:{start:%Y%m%d}T090000Z\r\nDTEND:{end:%Y%m%d}T170000Z\r\n"
        "SUMMARY:Conference\r\nLOCATION:Osaka\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def calendar_import(family: Any) -> Model:
    """An uploaded work calendar waiting for the parent to confirm it (made once)."""
    if not hasattr(family, "calendar_import"):
        from homefront.trips.imports import read_calendar
        from homefront.trips.models import CalendarImport

        events = read_calendar(work_calendar(family), family.household.zone)
        family.calendar_import = CalendarImport.objects.create(
            household=family.household,
            created_by=family.parent,
            events=[event.to_json() for event in events],
        )
    return family.calendar_import


# -- Every URL of the project, from the live resolver ---------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str  # "namespace:name"; the route itself for a pattern without a name
    route: str
    callback: Callable[..., Any]
    kwargs: tuple[str, ...]
    named: bool

    @property
    def member_required(self) -> bool:
        return getattr(self.callback, "member_required", False) is True

    @property
    def parent_required(self) -> bool:
        return getattr(self.callback, "parent_required", False) is True

    def url(self, **kwargs: Any) -> str:
        if self.named:
            return reverse(self.name, kwargs=kwargs or None)
        assert not kwargs, f"{self.route} has kwargs {sorted(kwargs)} but no name to reverse"
        return "/" + self.route


def walk(
    resolver: URLResolver, prefix: str = "", namespace: str | None = None
) -> Iterator[Endpoint]:
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(entry, route, inner)
        elif isinstance(entry, URLPattern):
            if entry.name:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
            else:
                name = route
            kwargs = tuple(entry.pattern.regex.groupindex)
            yield Endpoint(name, route, entry.callback, kwargs, named=bool(entry.name))
        else:  # pragma: no cover - Django has only these two
            raise AssertionError(f"Unknown URL entry {entry!r} under {prefix!r}")


# The JSON API at /api/v1 answers tokens, not sessions: JSON 401 to anonymous requests,
# 404 to another household's token. It has its own checks (at the end of this file);
# every other test here walks the rest.
API_NAMESPACE = "api_v1:"
ALL_ENDPOINTS = list(walk(get_resolver()))
API_ENDPOINTS = [e for e in ALL_ENDPOINTS if e.name.startswith(API_NAMESPACE)]
ENDPOINTS = [e for e in ALL_ENDPOINTS if not e.name.startswith(API_NAMESPACE)]

# -- Which object of the test household a URL kwarg points at -----------------

# `pk` of a URL: by the URL's name (the longest matching prefix wins).
PK_OWNERS: dict[str, tuple[str, ...]] = {
    "households:child": ("child",),  # child, child_edit, child_delete
    "households:routine_": ("routine",),
    "households:food_": ("allergy",),
    "households:medicine_": ("medicine",),
    "households:contact_": ("contact",),
    "households:note_": ("note", "secret_note"),
    "households:remove_member": ("caregiver_membership",),
    "households:revoke_invitation": ("invitation",),
    "trips:": ("trip",),  # detail, edit, cancel, cover
    "trips:revoke_feed": ("feed",),
    "trips:import_confirm": ("calendar_import",),
    "prep:trip": ("trip",),
    "prep:task_create": ("trip",),
    "prep:packing": ("trip",),  # packing, packing_add
    "prep:tick": ("prep_task",),
    "prep:needed": ("prep_task",),
    "prep:task_edit": ("prep_task",),
    "prep:task_delete": ("prep_task",),
    "prep:toggle_packed": ("packing_item",),
    "prep:remove_packing_item": ("packing_item",),
    "prep:template_item_": ("template_item",),  # template_item_edit, template_item_delete
    "prep:make_optional": ("template_item",),
    "handoff:brief": ("trip",),  # brief, brief_pdf
    "handoff:fridge": ("trip",),
    "handoff:share_links": ("trip",),
    "handoff:revoke_share_link": ("share_link",),
    "handoff:confirm_health": ("child",),
    "handoff:toggle_go_bag": ("go_bag_item",),
    "journal:timeline": ("trip",),
    "journal:log": ("trip",),
    "journal:sync": ("trip",),
    "journal:deleted": ("trip",),
    "journal:manifest": ("trip",),
    "journal:edit_entry": ("journal_entry",),
    "journal:delete_entry": ("journal_entry",),
    "journal:restore_entry": ("journal_entry",),
    "photos:photo": ("photo",),
    "photos:shared_photo": ("photo",),
    "photos:add": ("trip",),
    "debrief:trip": ("trip",),
    "debrief:add_food_like": ("child",),
    "debrief:drop_goal": ("goal",),
    "notify:": ("channel",),  # send_test, delete_channel
    "api:revoke_token": ("api_token",),
}
# Any other kwarg naming an object, whatever the URL.
KWARG_OWNERS: dict[str, tuple[str, ...]] = {"child_pk": ("child",)}
# Kwargs that are values, not ids: what to put in them.
VALUE_KWARGS: dict[str, Callable[[Any], Any]] = {
    "year": lambda family: family.household.today().year,
    "month": lambda family: family.household.today().month,
    "night": lambda family: family.trip.nights_list[0].isoformat(),  # a night away
}

OBJECTS: dict[str, Callable[[Any], Model]] = {
    "child": lambda family: family.child,
    "routine": lambda family: family.routine,
    "allergy": lambda family: family.allergy,
    "medicine": lambda family: family.medicine,
    "contact": lambda family: family.contact,
    "note": lambda family: family.note,
    "secret_note": lambda family: family.secret_note,
    "invitation": lambda family: family.invitation,
    "trip": lambda family: family.trip,
    "feed": lambda family: family.feed,
    "calendar_import": calendar_import,
    "prep_task": lambda family: family.prep_task,
    "packing_item": lambda family: family.packing_item,
    "template_item": lambda family: family.template_item,
    "share_link": lambda family: family.share_link,
    "go_bag_item": lambda family: family.go_bag_item,
    "journal_entry": lambda family: family.journal_entry,
    "photo": lambda family: family.photo,
    "goal": lambda family: family.goal,
    "channel": lambda family: family.channel,
    "api_token": lambda family: family.api_token,
    "caregiver_membership": lambda family: Membership.objects.get(
        household=family.household, user=family.caregiver
    ),
}

HOW_TO_FIX = (
    "test_isolation.py cannot tell which object of the test household it points at. "
    "Add the URL name prefix to PK_OWNERS, or the kwarg to KWARG_OWNERS (an id) or "
    "VALUE_KWARGS (a value such as a date); a URL with a secret (a token) needs its own "
    "check in TOKEN_CHECKS."
)


def kwarg_owners(endpoint: Endpoint, kwarg: str) -> tuple[str, ...]:
    if kwarg == "pk":
        prefixes = [prefix for prefix in PK_OWNERS if endpoint.name.startswith(prefix)]
        assert prefixes, f"URL {endpoint.name} ({endpoint.route}) has a `pk`: {HOW_TO_FIX}"
        return PK_OWNERS[max(prefixes, key=len)]
    assert kwarg in KWARG_OWNERS, (
        f"URL {endpoint.name} ({endpoint.route}) has a kwarg `{kwarg}`: {HOW_TO_FIX}"
    )
    return KWARG_OWNERS[kwarg]


@dataclass
class Target:
    url: str
    objects: dict[str, Model]  # kwarg -> object of the test household
    missing_url: str  # the same URL with ids that exist nowhere

    def __str__(self) -> str:
        named = ", ".join(
            f"{kwarg}={type(obj).__name__} {obj.pk}" for kwarg, obj in self.objects.items()
        )
        return f"{self.url} ({named})" if named else self.url


def targets(family: Any, endpoint: Endpoint) -> list[Target]:
    """The URLs of an endpoint pointing at the test household's objects; one per choice."""
    assert endpoint.name not in TOKEN_CHECKS, f"{endpoint.name} has its own check"
    values = {
        kwarg: VALUE_KWARGS[kwarg](family) for kwarg in endpoint.kwargs if kwarg in VALUE_KWARGS
    }
    choices = [
        [(kwarg, key) for key in kwarg_owners(endpoint, kwarg)]
        for kwarg in endpoint.kwargs
        if kwarg not in VALUE_KWARGS
    ]
    result = []
    for combination in itertools.product(*choices):
        objects = {kwarg: OBJECTS[key](family) for kwarg, key in combination}
        result.append(
            Target(
                url=endpoint.url(**values, **{kwarg: obj.pk for kwarg, obj in objects.items()}),
                objects=objects,
                missing_url=endpoint.url(**values, **dict.fromkeys(objects, 987654)),
            )
        )
    return result


# -- What must not leak ---------------------------------------------------------

# The test household's data, as the `family` fixture creates it.
FAMILY_TEXTS = (
    "Maya",
    "Peanuts",
    "EpiPen",
    "Vitamin D",
    "Grandma",
    "619 555 0187",
    "Wi-Fi",
    "Password: moon",
    "Code 4815",
    "Pat Parent",
    "Cam Carer",
    "parent@example.com",
    "carer@example.com",
    "The Testers",
    "Sitter",
    "Kyoto",
    "Water the bonsai",
    "Blue raincoat",
    "Feed the goldfish",
    "Lost a tooth at lunch",
    "A weekend in Nara",
)
SECRET = "Code 4815"
# The interface's own words that contain some of those texts; removed before looking.
UI_PHRASES = (
    "e.g. “Grandma Ruth”",
    "e.g. Grandma, paediatrician",
    "No house notes yet: Wi-Fi",
)

# Pages made of household data, and what of the family a parent sees on each.
DATA_PAGES: dict[str, tuple[str, ...]] = {
    "core:home": ("Maya",),
    "households:profile": ("Maya", "Grandma", "Wi-Fi", "Password: moon"),
    "households:glance": ("Maya", "Peanuts", "EpiPen", "Vitamin D", "Grandma", "Wi-Fi"),
    "households:today": ("Maya", "Vitamin D"),
    "households:members": ("The Testers", "Pat Parent", "Cam Carer", "Sitter"),
    "trips:list": ("Kyoto",),
    "trips:calendar": ("Kyoto",),
    "prep:today": ("Kyoto", "Water the bonsai"),
    "prep:template": ("Feed the goldfish",),
    "notify:channels": ("parent@example.com",),
    "debrief:insights": ("A weekend in Nara",),
}


def body_of(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    else:
        content = response.content
    text = content.decode(errors="replace")
    for phrase in UI_PHRASES:
        text = text.replace(phrase, "")
    return text


def assert_no_family_data(
    response: HttpResponse, where: str, texts: tuple[str, ...] = FAMILY_TEXTS
) -> None:
    body = body_of(response)
    leaked = [text for text in texts if text in body]
    assert not leaked, f"{where} (status {response.status_code}) shows {leaked}"


def snapshot(household: Household | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every row of the project's models; only the household's rows when one is given."""
    rows = {}
    for model in apps.get_models():
        if not model.__module__.startswith("homefront."):
            continue
        queryset = model._default_manager.order_by("pk")
        if household is not None:
            if hasattr(queryset, "in_household"):
                queryset = queryset.in_household(household)
            elif model is Household:
                queryset = queryset.filter(pk=household.pk)
            elif model is User:
                queryset = queryset.filter(memberships__household=household)
            # Any other model: the whole table, to be safe.
        rows[model._meta.label] = list(queryset.values())
    # A household's data version moves with the writes a request makes, on purpose even
    # for one that ends up changing nothing; core/tests/test_data_version.py proves when.
    for row in rows[Household._meta.label]:
        row.pop("data_version")
    return rows


# -- A request that would change something ---------------------------------------

PROBE = "Isolation probe"
# POST-only forms show no form on GET; these fields fill theirs (an invitation, a
# packing item).
BASE_PAYLOAD: dict[str, Any] = {
    "invitee": PROBE,
    "role": Role.CAREGIVER.value,
    "name": PROBE,
    "per_night": "1",
    "extra": "1",
    # Leave now: back tomorrow, before the Kyoto trip of the fixture.
    "back_on": (date.today() + timedelta(days=1)).isoformat(),
    "back_at": "18:00",
}
FILLERS_BY_NAME = {
    "times": "08:00",
    "phone": "+1 505 555 0134",
    "time_zone": "UTC",
    "what_to_do": "Call a parent.",
    "target": "probe@example.org",  # a notification channel's address
    "url": "https://1.1.1.1/hooks/probe",  # a webhook's (a public address)
}
FILLERS_BY_TYPE: tuple[tuple[type[forms.Field], str], ...] = (
    (forms.DateField, "2021-03-04"),
    (forms.TimeField, "07:45"),
    (forms.IntegerField, "1"),
    (forms.EmailField, "probe@example.org"),
    (forms.CharField, PROBE),
)


def first_choice(field: forms.ChoiceField) -> str:
    for value, label in field.choices:
        if isinstance(label, list | tuple):  # an option group
            for inner, _ in label:
                if inner not in ("", None):
                    return str(inner)
        elif value not in ("", None):
            return str(value)
    raise AssertionError(f"{field!r} has no choice to pick")


def field_value(bound: forms.BoundField) -> Any:
    """What a browser would send for the field: its shown value, or a valid filler."""
    field, value = bound.field, bound.value()
    if isinstance(field, forms.BooleanField):
        return "on" if value else None
    if isinstance(field, forms.MultipleChoiceField):
        values = [str(item) for item in value or []]
        if not values and field.required:
            values = [first_choice(field)]
        return values or None
    if isinstance(field, forms.ChoiceField):
        if value not in (None, ""):
            return str(value)
        return first_choice(field) if field.required else None
    if value in (None, "", []):
        if bound.name in FILLERS_BY_NAME:
            return FILLERS_BY_NAME[bound.name]
        if not field.required:
            return None
        for kind, filler in FILLERS_BY_TYPE:
            if isinstance(field, kind):
                return filler
        raise AssertionError(f"No filler for required field {bound.name} ({type(field)})")
    return field.widget.format_value(value)


# A payload key: send its value as the request's JSON body instead of a form.
JSON_BODY = "json body"


def logged_entry(family: Any) -> dict[str, Any]:
    """A journal entry as the quick log's JavaScript sends it: a bath for the child, now."""
    return {
        "uuid": str(uuid.uuid4()),
        "kind": "bath",
        "children": [family.child.pk],
        "occurred_at": timezone.now().isoformat(),
    }


# Views that take no Django form, and what a browser sends them that works: the quick
# log's buttons (a plain form) and its offline queue (a JSON batch).
FORMLESS_PAYLOADS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "journal:log": lambda family: {
        "uuid": str(uuid.uuid4()),
        "kind": "bath",
        "children": [str(family.child.pk)],
    },
    "journal:sync": lambda family: {JSON_BODY: {"entries": [logged_entry(family)]}},
    # A new photo of the child for the profile.
    "households:child_photo_upload": lambda family: {
        "photo": SimpleUploadedFile("kid.jpg", phone_jpeg(), "image/jpeg")
    },
    # Deleting and restoring an entry: the version of it the page showed.
    "journal:delete_entry": lambda family: {"version": str(family.journal_entry.version)},
    "journal:restore_entry": lambda family: {"version": str(family.journal_entry.version)},
    # A photo from the quick log's camera button.
    "photos:add": lambda family: {
        "photo": photo_testing.Rewinding(photo_testing.phone_jpeg(), "IMG_0001.jpg"),
        "uuid": "0c6a4d0e-0b7e-4a39-8a51-6f1d2e3c4b5a",
        "children": [str(family.child.pk)],
    },
    # The insights page's small forms, which only POST: a food to add to a child's likes,
    # and a goal (the next step) for a parent of the household.
    "debrief:add_food_like": lambda family: {"food": PROBE},
    "debrief:set_goal": lambda family: {
        "traveller": str(family.parent.pk),
        "nights": "2",
        "first_night": (family.household.today() + timedelta(days=60)).isoformat(),
        "note": PROBE,
    },
    # The trip form's time-zone box, asked as the destination is typed (GET only).
    "trips:zone_guess": lambda family: {"destination": "Lisbon"},
    # A browser subscribing to Web Push, and the service worker renewing the parent's.
    "notify:push_subscribe": lambda family: {
        JSON_BODY: {"subscription": push_subscription("https://1.1.1.1/push/new"), "name": PROBE}
    },
    "notify:push_resubscribe": lambda family: {
        JSON_BODY: {
            "old_endpoint": family.push_channel.target,
            "subscription": push_subscription("https://1.1.1.1/push/renewed"),
        }
    },
}


def push_subscription(endpoint: str) -> dict[str, Any]:
    """A browser's PushSubscription as JSON: a real P-256 public key and auth secret."""
    from homefront.notify.tests.receivers import Browser

    return Browser(endpoint).subscription()


def payload(client: Client, url: str, family: Any) -> dict[str, Any]:
    """The form of `url` as `client` sees it, valid, with its first text changed."""
    data = dict(BASE_PAYLOAD)
    name = resolve(urlsplit(url).path).view_name
    if name in FORMLESS_PAYLOADS:
        return data | FORMLESS_PAYLOADS[name](family)
    context = client.get(url).context
    form = context.get("form") if context is not None else None
    if not isinstance(form, forms.BaseForm):
        return data
    probed = False
    for bound in form:
        if isinstance(bound.field, forms.FileField):  # the one upload: a work calendar
            data[bound.name] = SimpleUploadedFile(
                "work.ics", work_calendar(family), "text/calendar"
            )
            continue
        value = field_value(bound)
        if (
            not probed
            and type(bound.field) is forms.CharField
            and bound.name not in FILLERS_BY_NAME
        ):
            value, probed = PROBE, True
        if value is None:
            data.pop(bound.name, None)
        else:
            data[bound.name] = value
    return data


HTMX = {"HX-Request": "true"}
REQUESTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("get", {}),
    ("get", HTMX),
    ("post", {}),
    ("post", HTMX),
)


def send(
    client: Client, method: str, url: str, headers: dict[str, str], data: dict[str, Any]
) -> HttpResponse:
    if method == "get":
        return client.get(url, headers=headers)
    if JSON_BODY in data:
        return client.post(url, data[JSON_BODY], content_type="application/json", headers=headers)
    for value in data.values():
        if isinstance(value, SimpleUploadedFile):
            value.seek(0)  # sent again from the start
    return client.post(url, data, headers=headers)


def every_request(
    family: Any, who: str, targets: list[Target]
) -> Iterator[tuple[Target, str, dict[str, str], dict[str, Any], str]]:
    """Each of REQUESTS to each target, with the data a parent's valid form would send and
    where it went, for messages; once a target's requests are made, no data has changed."""
    parent = family.client_for(family.parent)
    for target in targets:
        data = payload(parent, target.url, family)
        before = snapshot()
        for method, headers in REQUESTS:
            htmx = " (htmx)" if headers else ""
            yield target, method, headers, data, f"{who} {method.upper()} {target}{htmx}"
        assert snapshot() == before, f"{who} requests to {target} changed data"


# -- Token URLs: a forged secret opens nothing ----------------------------------


def people(family: Any, *members: str) -> dict[str, Client]:
    """Someone signed in to nothing, and the family's `members` ("outsider", "caregiver",
    "parent") signed in, by name."""
    return {"anonymous": Client()} | {
        who: family.client_for(getattr(family, who)) for who in members
    }


def forged_requests(
    clients: dict[str, Client],
    forged: list[str],
    endpoint: Endpoint,
    data: dict[str, Any] | None = None,
) -> Iterator[tuple[str, str, HttpResponse, str]]:
    """Each of REQUESTS by each person to the endpoint with each forged token: who sent
    it, the method, the answer and where it went, for messages. The per-address rate
    limit is its own test's business; none of it may change any data."""
    before = snapshot()
    for (who, client), token, (method, headers) in itertools.product(
        clients.items(), forged, REQUESTS
    ):
        cache.clear()
        url = endpoint.url(token=token)
        response = send(client, method, url, headers, data or {})
        yield who, method, response, f"{who} {method.upper()} {url}"
    assert snapshot() == before, f"a forged token to {endpoint.name} changed data"


def check_forged_invitation(family: Any, endpoint: Endpoint) -> None:
    other_caregiver = User.objects.create_user(email="oc@example.com", password="x" * 20)
    Membership.objects.create(
        household=family.other_household, user=other_caregiver, role=Role.CAREGIVER
    )
    forged = [
        "x" * 43,  # the length of a real token
        "short",
        family.invitation.token_hash,  # what a leaked database would give away
    ]
    clients = people(family, "outsider", "caregiver", "parent")
    clients["outsider caregiver"] = family.client_for(other_caregiver)
    for who, _, response, where in forged_requests(clients, forged, endpoint):
        assert response.status_code == 404, f"{where}: {response.status_code}"
        if who in ("anonymous", "outsider", "outsider caregiver"):
            assert_no_family_data(response, where)

    # The control: the real link works, so the 404s above are the token's doing.
    _invitation, token = Invitation.issue(family.household, Role.CAREGIVER, family.parent)
    response = clients["outsider"].get(endpoint.url(token=token))
    assert response.status_code == 200
    assert "The Testers" in body_of(response)


def check_forged_password_reset(family: Any, endpoint: Endpoint) -> None:
    uidb64 = urlsafe_base64_encode(force_bytes(family.parent.pk))
    url = endpoint.url(uidb64=uidb64, token="cz5x1e-0123456789abcdef0123456789abcdef")
    new_password = {
        "new_password1": "a brand new password 9",
        "new_password2": "a brand new password 9",
    }
    for who, client in {
        "anonymous": Client(),
        "outsider": family.client_for(family.outsider),
    }.items():
        response = client.get(url)
        assert response.status_code == 200, f"{who} GET {url}"
        assert response.context["validlink"] is False
        assert_no_family_data(response, f"{who} GET {url}")
        response = client.post(url, new_password)
        assert response.status_code == 200, f"{who} POST {url}"
        assert response.context["validlink"] is False
        assert_no_family_data(response, f"{who} POST {url}")
    family.parent.refresh_from_db()
    assert family.parent.check_password("a long test password")
    assert not family.parent.check_password("a brand new password 9")


def check_calendar_feed(family: Any, endpoint: Endpoint) -> None:
    clients = people(family, "outsider", "caregiver", "parent")
    forged = ["x" * 43, "short", family.feed.token_hash]
    for who, _, response, where in forged_requests(clients, forged, endpoint):
        assert response.status_code == 404, f"{where}: {response.status_code}"
        if who in ("anonymous", "outsider"):
            assert_no_family_data(response, where)

    # The control: the real address gives the calendar to whoever holds it...
    cache.clear()
    url = endpoint.url(token=family.feed_token)
    response = Client().get(url)
    assert response.status_code == 200, f"the real feed: {response.status_code}"
    assert response["Content-Type"].startswith("text/calendar")
    assert "Kyoto" in body_of(response)
    # ...until it is revoked, or its owner is no longer a member.
    CalendarFeed.objects.filter(pk=family.feed.pk).update(revoked_at=timezone.now())
    assert Client().get(url).status_code == 404
    _feed, token = CalendarFeed.issue(family.household, family.caregiver)
    assert Client().get(endpoint.url(token=token)).status_code == 200
    Membership.objects.filter(household=family.household, user=family.caregiver).delete()
    response = Client().get(endpoint.url(token=token))
    assert response.status_code == 404
    assert_no_family_data(response, "the feed of someone who left")


def check_share_link(family: Any, endpoint: Endpoint) -> None:
    clients = people(family, "outsider", "caregiver")
    forged = ["x" * 32, "short", family.share_link.token_hash, family.share_token[:-1]]
    for who, _, response, where in forged_requests(clients, forged, endpoint):
        assert response.status_code in (404, 405), f"{where}: {response.status_code}"
        if who != "caregiver":  # a member sees their own household's name in the header
            assert_no_family_data(response, where)
    # The control: the real link opens the brief of its trip, until it is revoked.
    cache.clear()
    url = endpoint.url(token=family.share_token)
    response = Client().get(url)
    assert response.status_code == 200, f"the real link: {response.status_code}"
    ShareLink.objects.filter(pk=family.share_link.pk).update(revoked_at=timezone.now())
    assert Client().get(url).status_code == 404


def check_shared_photos(family: Any, endpoint: Endpoint) -> None:
    """A share link's photos: a forged link sees and stores nothing; the real one sees its
    trip's photos until it is revoked."""
    clients = (Client(), family.client_for(family.outsider), family.client_for(family.caregiver))
    forged = ["x" * 32, "short", family.share_link.token_hash, family.share_token[:-1]]
    kwargs = {"pk": family.photo.pk} if "pk" in endpoint.kwargs else {}
    upload = {"photo": photo_testing.Rewinding(photo_testing.phone_jpeg(), "a.jpg")}
    before = snapshot()
    for client, token, (method, headers) in itertools.product(clients, forged, REQUESTS):
        cache.clear()
        url = endpoint.url(token=token, **kwargs)
        response = send(client, method, url, headers, upload)
        assert response.status_code in (404, 405, 410), f"{method} {url}: {response.status_code}"
        assert response.get("Content-Type") != "image/jpeg"
    assert snapshot() == before, "a forged share link changed data"
    if kwargs:
        cache.clear()
        url = endpoint.url(token=family.share_token, **kwargs)
        assert Client().get(url).status_code == 200
        ShareLink.objects.filter(pk=family.share_link.pk).update(revoked_at=timezone.now())
        assert Client().get(url).status_code == 404


def check_shared_sync(family: Any, endpoint: Endpoint) -> None:
    """The offline queue of a share link: a forged link stores nothing and says the link
    no longer works (410, so the phone keeps what was logged); the real one stores for
    its trip only, until it is revoked."""
    clients = people(family, "outsider", "caregiver")
    forged = ["x" * 32, "short", family.share_link.token_hash, family.share_token[:-1]]
    batch = {JSON_BODY: {"entries": [logged_entry(family)]}}
    for _, method, response, where in forged_requests(clients, forged, endpoint, batch):
        if method == "get":
            assert response.status_code == 405, f"{where}: {response.status_code}"
        else:
            assert response.status_code == 410, f"{where}: {response.status_code}"
            assert "This link no longer works." in response.json()["error"], where
        assert_no_family_data(response, where)

    # The control, during the trip: the real link stores the entry, for its trip...
    url = endpoint.url(token=family.share_token)
    with time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False):
        entry = logged_entry(family)
        response = send(Client(), "post", url, {}, {JSON_BODY: {"entries": [entry]}})
        assert response.status_code == 200, f"the real link: {response.status_code}"
        assert response.json()["results"] == [{"uuid": entry["uuid"], "status": "stored"}]
        stored = JournalEntry.objects.get(uuid=entry["uuid"])
        assert (stored.trip, stored.share_link) == (family.trip, family.share_link)

        # ...but never for a child of another household, even with a link of its own...
        theirs = outsiders_trip(family, "Europe/Paris", family.trip.starts_at, family.trip.ends_at)
        _link, token = ShareLink.issue(theirs, family.outsider, label="Nanny")
        before = snapshot()
        response = send(
            Client(), "post", endpoint.url(token=token), {}, {JSON_BODY: {"entries": [entry]}}
        )
        [result] = response.json()["results"]
        assert result["status"] == "invalid"
        assert result["errors"]["children"] == "That child is not in this family."
        assert snapshot() == before

        # ...and not once it is revoked.
        ShareLink.objects.filter(pk=family.share_link.pk).update(revoked_at=timezone.now())
        before = snapshot()
        response = send(Client(), "post", url, {}, {JSON_BODY: {"entries": [logged_entry(family)]}})
        assert response.status_code == 410
        assert snapshot() == before


TOKEN_CHECKS: dict[str, Callable[[Any, Endpoint], None]] = {
    "households:accept": check_forged_invitation,
    "accounts:password_reset_confirm": check_forged_password_reset,
    "trips:feed": check_calendar_feed,
    "handoff:shared_brief": check_share_link,
    "handoff:shared_brief_pdf": check_share_link,
    "journal:shared_log": check_share_link,
    "journal:shared_manifest": check_share_link,
    "journal:shared_sync": check_shared_sync,
    "photos:shared_photo": check_shared_photos,
    "photos:shared_add": check_shared_photos,
}

# -- The groups of URLs the tests walk ----------------------------------------------


def params(endpoints: list[Endpoint]) -> list[Any]:
    return [pytest.param(endpoint, id=endpoint.name) for endpoint in endpoints]


def has_ids(endpoint: Endpoint) -> bool:
    return any(kwarg not in VALUE_KWARGS for kwarg in endpoint.kwargs)


TOKEN_URLS = [e for e in ENDPOINTS if e.name in TOKEN_CHECKS]
OBJECT_URLS = [e for e in ENDPOINTS if has_ids(e) and e.name not in TOKEN_CHECKS]
PLAIN_URLS = [e for e in ENDPOINTS if not has_ids(e) and e.name not in TOKEN_CHECKS]
MEMBER_URLS = [e for e in ENDPOINTS if e.member_required]
PARENT_URLS = [e for e in ENDPOINTS if e.parent_required]
OPEN_URLS = [e for e in ENDPOINTS if not e.member_required and e.name not in TOKEN_CHECKS]
# Members' views that answer a request with no member behind it with a JSON 401 instead
# of the login page, so the quick log's offline queue can say why and keep its entries.
JSON_MEMBER_NAMES = {"journal:sync"}
JSON_MEMBER_URLS = [e for e in ENDPOINTS if e.name in JSON_MEMBER_NAMES]
CAREGIVER_URLS = [e for e in MEMBER_URLS + JSON_MEMBER_URLS if not e.parent_required]
# Views open to members through which a caregiver may change rows of their own
# (leave the household, make a calendar address, add where their messages go), and
# nothing else.
CAREGIVER_OWN_ROWS = {
    "households:leave",
    "trips:feeds",
    "notify:channels",
    "notify:push_choices",
    "notify:push_subscribe",
    "api:tokens",
}
# Views open to members through which a caregiver may change some columns of the
# family's rows, and nothing else: ticking a prep task done (or not).
CAREGIVER_MAY_SET: dict[str, dict[str, tuple[str, ...]]] = {
    "prep:tick": {"prep.PrepTask": ("done_at", "done_by_id")},
}
# Views open to members through which a caregiver may add rows of these models, and
# change nothing else: logging the kids' day, from the quick log's form or its offline
# queue. (Editing, deleting and restoring an entry is for its author or a parent.)
CAREGIVER_MAY_ADD: dict[str, tuple[str, ...]] = {
    "journal:log": ("journal.JournalEntry", "journal.EntryChange"),
    "journal:sync": ("journal.JournalEntry", "journal.EntryChange"),
}


def urls_of(family: Any, endpoint: Endpoint) -> list[Target]:
    if endpoint.kwargs:
        return targets(family, endpoint)
    return [Target(url=endpoint.url(), objects={}, missing_url=endpoint.url())]


def without_rows_of(user: User, rows: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    # ...and the rows hanging from their own channels (a phone's push keys, messages).
    channels = {row["id"] for row in rows.get("notify.Channel", []) if row["user_id"] == user.pk}
    return {
        label: [
            row
            for row in table
            if row.get("user_id") != user.pk and row.get("channel_id") not in channels
        ]
        for label, table in rows.items()
    }


def without_added_rows(
    labels: tuple[str, ...],
    before: dict[str, list[dict[str, Any]]],
    after: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    """`after` without the rows of `labels` that `before` did not have."""
    kept = {label: {row["id"] for row in table} for label, table in before.items()}
    return {
        label: [row for row in table if label not in labels or row["id"] in kept[label]]
        for label, table in after.items()
    }


def added_rows(
    label: str, before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    kept = {row["id"] for row in before[label]}
    return [row for row in after[label] if row["id"] not in kept]


def without_columns(
    columns: dict[str, tuple[str, ...]], rows: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    return {
        label: [
            {key: value for key, value in row.items() if key not in columns.get(label, ())}
            for row in table
        ]
        for label, table in rows.items()
    }


# -- The enumeration itself ------------------------------------------------------------


def test_resolver_walk_finds_the_project_urls():
    names = {endpoint.name for endpoint in ENDPOINTS}
    assert {"core:home", "accounts:login", "households:child", "households:note_reveal"} <= names
    assert len(ENDPOINTS) == len(names), "two URL patterns share a name"
    assert len(OBJECT_URLS) >= 20
    assert {"households:profile", "households:members"} <= {e.name for e in MEMBER_URLS}
    assert "households:child_edit" in {e.name for e in PARENT_URLS}
    assert "households:child" not in {e.name for e in PARENT_URLS}
    assert set(PARENT_URLS) <= set(MEMBER_URLS), "parent_required implies member_required"
    for endpoint in ENDPOINTS:
        assert endpoint.named or not endpoint.kwargs, f"{endpoint.route} needs a name"


def test_every_url_kwarg_maps_to_an_object_or_a_token_check():
    problems = []
    for endpoint in OBJECT_URLS:
        try:
            for kwarg in endpoint.kwargs:
                if kwarg in VALUE_KWARGS:
                    continue
                for key in kwarg_owners(endpoint, kwarg):
                    assert key in OBJECTS, f"{endpoint.name}: no object called {key!r}"
        except AssertionError as error:
            problems.append(str(error))
    assert not problems, "\n".join(problems)


def test_the_tables_of_this_file_are_not_stale():
    names = {endpoint.name for endpoint in ENDPOINTS}
    for prefix in PK_OWNERS:
        assert any(e.name.startswith(prefix) and "pk" in e.kwargs for e in ENDPOINTS), prefix
    for kwarg in KWARG_OWNERS:
        assert any(kwarg in e.kwargs for e in ENDPOINTS), kwarg
    assert set(TOKEN_CHECKS) <= names
    assert set(DATA_PAGES) <= names
    caregiver_names = {e.name for e in CAREGIVER_URLS}
    assert CAREGIVER_OWN_ROWS.issubset(caregiver_names)
    assert set(CAREGIVER_MAY_SET) <= caregiver_names
    assert set(CAREGIVER_MAY_ADD) <= caregiver_names
    assert set(JSON_MEMBER_NAMES) <= names
    for endpoint in JSON_MEMBER_URLS:
        assert not endpoint.member_required, f"{endpoint.name} now sends people to sign in"
    assert set(FORMLESS_PAYLOADS) <= names
    labels = {model._meta.label for model in apps.get_models()}
    for columns in CAREGIVER_MAY_SET.values():
        assert set(columns) <= labels, columns
    for added in CAREGIVER_MAY_ADD.values():
        assert set(added) <= labels, added
    for kwarg in VALUE_KWARGS:
        assert any(kwarg in e.kwargs for e in ENDPOINTS), kwarg


# -- Positive controls: the URLs and texts above really point at this family -------------


@pytest.mark.parametrize("endpoint", params(OBJECT_URLS))
def test_parent_reaches_every_object_url(family, endpoint):
    """The 404s below are isolation, not a wrong id: a parent of the household gets through."""
    client = family.client_for(family.parent)
    for target in targets(family, endpoint):
        response = client.get(target.url)
        if response.status_code == 405:  # a POST-only view
            response = send(client, "post", target.url, {}, payload(client, target.url, family))
        assert response.status_code < 400, f"parent on {target}: {response.status_code}"


@pytest.mark.parametrize("endpoint", params(PARENT_URLS))
def test_parent_may_do_what_the_caregiver_may_not(family, endpoint):
    """The caregiver's request below is one that works for a parent."""
    client = family.client_for(family.parent)
    for target in urls_of(family, endpoint):
        data = payload(client, target.url, family)
        response = send(client, "post", target.url, {}, data)
        if response.status_code == 405:  # a GET-only view, which saves nothing: ask it
            response = client.get(target.url, data, headers=HTMX)
            assert response.status_code == 200, f"parent GET {target}: {response.status_code}"
            continue
        form = response.context.get("form") if response.context is not None else None
        errors = form.errors if isinstance(form, forms.BaseForm) else None
        assert response.status_code < 400, f"parent POST {target}: {response.status_code} {errors}"
        assert not errors, f"parent POST {target}: {errors}"


def test_parent_sees_every_family_text(family):
    client = family.client_for(family.parent)
    pages = [reverse(name) for name in DATA_PAGES]
    pages += [reverse("accounts:account"), reverse("households:child", args=[family.child.pk])]
    pages.append(reverse("prep:packing", args=[family.trip.pk]))
    pages.append(reverse("journal:timeline", args=[family.trip.pk]))
    pages.append(reverse("households:note_reveal", args=[family.secret_note.pk]))
    seen = "".join(body_of(client.get(page)) for page in pages)
    unseen = [text for text in FAMILY_TEXTS if text not in seen]
    assert not unseen, f"texts no page shows, so checking for them proves nothing: {unseen}"


# -- Outsiders: another household's parent (and caregiver) --------------------------------


@pytest.mark.parametrize("endpoint", params(OBJECT_URLS))
def test_outsider_gets_404_for_every_object_of_the_family(family, endpoint):
    outsider = family.client_for(family.outsider)
    for target, method, headers, data, where in every_request(
        family, "outsider", targets(family, endpoint)
    ):
        response = send(outsider, method, target.url, headers, data)
        missing = send(outsider, method, target.missing_url, headers, data)
        assert response.status_code == missing.status_code, (
            f"{where}: {response.status_code}, but {missing.status_code} for an id "
            "that does not exist: the answer tells the object exists"
        )
        if method == "get" and response.status_code == 405:
            # A POST-only view turns a GET away before it looks up any object.
            assert "GET" not in response["Allow"], where
        else:
            assert response.status_code == 404, f"{where}: {response.status_code}"
        assert_no_family_data(response, where)


@pytest.mark.parametrize("endpoint", params(OBJECT_URLS))
def test_another_households_caregiver_learns_nothing_from_object_urls(family, endpoint):
    user = User.objects.create_user(email="oc@example.com", password="x" * 20, name="Olive")
    Membership.objects.create(household=family.other_household, user=user, role=Role.CAREGIVER)
    client = family.client_for(user)
    data = payload(family.client_for(family.parent), targets(family, endpoint)[0].url, family)
    before = snapshot()
    for target in targets(family, endpoint):
        for method, headers in REQUESTS:
            where = f"other caregiver {method.upper()} {target}"
            response = send(client, method, target.url, headers, data)
            missing = send(client, method, target.missing_url, headers, data)
            assert response.status_code == missing.status_code, where
            assert response.status_code in (403, 404, 405), f"{where}: {response.status_code}"
            assert_no_family_data(response, where)
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", params(PLAIN_URLS))
def test_outsider_sees_nothing_of_the_family_on_pages_without_ids(family, endpoint):
    outsider = family.client_for(family.outsider)
    parent = family.client_for(family.parent)
    url = urls_of(family, endpoint)[0].url
    response = outsider.get(url)
    assert response.status_code < 500, f"outsider GET {url}: {response.status_code}"
    assert response.status_code == parent.get(url).status_code, (
        f"outsider GET {url}: a parent elsewhere should get the same page as a parent here"
    )
    assert_no_family_data(response, f"outsider GET {url}")

    # A POST acts on the outsider's own household, never on this one.
    data = payload(outsider, url, family) | {"household": str(family.household.pk)}
    before = snapshot(family.household)
    for headers in ({}, HTMX):
        response = outsider.post(url, data, headers=headers)
        assert response.status_code < 500, f"outsider POST {url}: {response.status_code}"
        assert_no_family_data(response, f"outsider POST {url}")
    assert snapshot(family.household) == before, f"outsider POST {url} changed the family's data"


@pytest.mark.parametrize("name", DATA_PAGES)
def test_data_pages_show_each_household_its_own_data(family, name):
    url = reverse(name)
    parent = family.client_for(family.parent).get(url)
    assert parent.status_code == 200
    body = body_of(parent)
    assert all(text in body for text in DATA_PAGES[name]), f"parent on {url}"

    outsider = family.client_for(family.outsider).get(url)
    assert outsider.status_code == 200
    assert "The Others" in body_of(outsider) or name == "core:home"
    assert_no_family_data(outsider, f"outsider GET {url}")


def test_outsider_cannot_switch_to_the_family(family):
    outsider = family.client_for(family.outsider)
    response = outsider.post(
        reverse("households:switch"), {"household": family.household.pk}, follow=True
    )
    assert response.status_code == 200
    assert "You are not a member of that household." in body_of(response)
    for name in DATA_PAGES:
        assert_no_family_data(outsider.get(reverse(name)), f"outsider after switching: {name}")


# -- The caregiver of this household --------------------------------------------------------


@pytest.mark.parametrize("endpoint", params(PARENT_URLS))
def test_caregiver_is_refused_every_parent_only_url(family, endpoint):
    caregiver = family.client_for(family.caregiver)
    urls = urls_of(family, endpoint)
    for target, method, headers, data, where in every_request(family, "caregiver", urls):
        response = send(caregiver, method, target.url, headers, data)
        assert response.status_code == 403, f"{where}: {response.status_code}"
        assert SECRET not in body_of(response), where
    for target in urls:
        for obj in target.objects.values():
            assert type(obj)._default_manager.filter(pk=obj.pk).exists(), f"{obj!r} is gone"


@pytest.mark.parametrize("endpoint", params(CAREGIVER_URLS))
def test_caregiver_changes_nothing_through_views_open_to_members(family, endpoint):
    """A view that drops `parent_required` by mistake is caught here: its POST saves nothing."""
    caregiver = family.client_for(family.caregiver)
    parent = family.client_for(family.parent)
    for target in urls_of(family, endpoint):
        data = payload(parent, target.url, family)
        before = snapshot()
        for headers in ({}, HTMX):
            response = send(caregiver, "post", target.url, headers, data)
            assert response.status_code < 500, f"caregiver POST {target}: {response.status_code}"
        after = snapshot()
        if endpoint.name in CAREGIVER_MAY_ADD:
            after = without_added_rows(CAREGIVER_MAY_ADD[endpoint.name], before, after)
        if endpoint.name in CAREGIVER_OWN_ROWS:
            before, after = (without_rows_of(family.caregiver, rows) for rows in (before, after))
        if endpoint.name in CAREGIVER_MAY_SET:
            columns = CAREGIVER_MAY_SET[endpoint.name]
            before, after = (without_columns(columns, rows) for rows in (before, after))
        assert after == before, f"caregiver POST {target} changed data"


@pytest.mark.parametrize("name", CAREGIVER_MAY_ADD)
def test_caregiver_adds_only_their_own_rows_where_they_may(family, name):
    """During the trip the caregiver's log really is stored (the test above, before the
    trip, proves only that nothing else changes): rows of theirs, on this trip, once."""
    [endpoint] = [e for e in ENDPOINTS if e.name == name]
    [target] = urls_of(family, endpoint)
    with time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False):
        caregiver = family.client_for(family.caregiver)
        data = payload(family.client_for(family.parent), target.url, family)
        before = snapshot()
        for headers in ({}, HTMX):  # sent twice, as a retry would: stored once
            response = send(caregiver, "post", target.url, headers, data)
            assert response.status_code < 400, f"caregiver POST {target}: {response.status_code}"
        after = snapshot()
    assert without_added_rows(CAREGIVER_MAY_ADD[name], before, after) == before
    [entry] = added_rows("journal.JournalEntry", before, after)
    assert (entry["trip_id"], entry["author_id"]) == (family.trip.pk, family.caregiver.pk)
    [change] = added_rows("journal.EntryChange", before, after)
    assert (change["entry_id"], change["by_name"]) == (entry["id"], str(family.caregiver))


@pytest.mark.parametrize("endpoint", params(OBJECT_URLS + PLAIN_URLS))
def test_caregiver_never_sees_a_sensitive_note(family, endpoint):
    caregiver = family.client_for(family.caregiver)
    for target in urls_of(family, endpoint):
        for headers in ({}, HTMX):
            response = caregiver.get(target.url, headers=headers)
            assert response.status_code < 500, f"caregiver GET {target}"
            assert SECRET not in body_of(response), f"caregiver GET {target} shows {SECRET}"


def test_sensitive_note_is_for_parents_only(family):
    secret = reverse("households:note_reveal", args=[family.secret_note.pk])
    plain = reverse("households:note_reveal", args=[family.note.pk])
    caregiver = family.client_for(family.caregiver)
    parent = family.client_for(family.parent)

    for name in ("households:profile", "households:glance"):
        for client in (caregiver, parent):
            response = client.get(reverse(name))
            assert response.status_code == 200
            assert "Password: moon" in body_of(response)  # a plain note shows
            assert SECRET not in body_of(response)  # masked, or absent for the caregiver
        assert "Alarm" not in body_of(caregiver.get(reverse(name)))
        assert "Alarm" in body_of(parent.get(reverse(name)))

    for headers in ({}, HTMX):
        response = caregiver.get(secret, headers=headers)
        assert response.status_code == 403
        assert SECRET not in body_of(response)
        response = caregiver.get(plain, headers=headers)
        assert response.status_code == 200
        assert "Password: moon" in body_of(response)
        response = parent.get(secret, headers=headers)
        assert response.status_code == 200
        assert SECRET in body_of(response)


# -- Nobody signed in -----------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", params(MEMBER_URLS))
def test_anonymous_is_sent_to_login(family, endpoint):
    client = Client()
    login = resolve_url(settings.LOGIN_URL)
    urls = urls_of(family, endpoint)
    before = snapshot()
    for target in urls:
        for method, headers in REQUESTS:
            where = f"anonymous {method.upper()} {target}"
            response = send(client, method, target.url, headers, {"name": PROBE})
            assert response.status_code == 302, f"{where}: {response.status_code}"
            location = urlsplit(response["Location"])
            assert location.path == login, f"{where} goes to {response['Location']}"
            assert parse_qs(location.query)["next"] == [target.url], where
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", params(JSON_MEMBER_URLS))
def test_nobody_signed_in_gets_a_json_401_and_changes_nothing(family, endpoint):
    homeless = User.objects.create_user(email="nh@example.com", password="x" * 20, name="Nohome")
    people = {"anonymous": Client(), "no household": family.client_for(homeless)}
    parent = family.client_for(family.parent)
    for target in urls_of(family, endpoint):
        data = payload(parent, target.url, family)
        before = snapshot()
        for (who, client), (method, headers) in itertools.product(people.items(), REQUESTS):
            where = f"{who} {method.upper()} {target}"
            response = send(client, method, target.url, headers, data)
            if method == "get":
                assert response.status_code == 405, f"{where}: {response.status_code}"
                continue
            assert response.status_code == 401, f"{where}: {response.status_code}"
            assert "Sign in again" in response.json()["error"], where
            assert_no_family_data(response, where)
        assert snapshot() == before, f"requests without a member to {target} changed data"


@pytest.mark.parametrize("endpoint", params(OPEN_URLS))
def test_anonymous_sees_nothing_of_the_family_on_open_urls(family, endpoint):
    client = Client()
    for target in urls_of(family, endpoint):
        for method, headers in REQUESTS:
            where = f"anonymous {method.upper()} {target}"
            response = send(client, method, target.url, headers, {})
            assert response.status_code < 500, f"{where}: {response.status_code}"
            assert_no_family_data(response, where)


def test_the_service_worker_is_the_same_public_script_for_everyone(family):
    """/sw.js is static code served from the root: open to all, the same for all, and
    never anything of a family, whoever asks."""
    url = reverse("journal:service_worker")
    people = {
        "anonymous": Client(),
        "outsider": family.client_for(family.outsider),
        "caregiver": family.client_for(family.caregiver),
        "parent": family.client_for(family.parent),
    }
    bodies = set()
    for who, client in people.items():
        response = client.get(url)
        assert response.status_code == 200, f"{who} GET {url}: {response.status_code}"
        assert response["Content-Type"].startswith("text/javascript")
        assert_no_family_data(response, f"{who} GET {url}")
        bodies.add(response.content)
    assert len(bodies) == 1, "the service worker differs by who asks"


# -- URLs with a secret in them -------------------------------------------------------------


@pytest.mark.parametrize("endpoint", params(TOKEN_URLS))
def test_forged_secrets_open_nothing(family, endpoint):
    TOKEN_CHECKS[endpoint.name](family, endpoint)


def test_every_url_with_a_secret_has_a_check():
    secret_kwargs = {"token", "uidb64", "key", "secret"}
    for endpoint in ENDPOINTS:
        if secret_kwargs & set(endpoint.kwargs):
            assert endpoint.name in TOKEN_CHECKS, f"{endpoint.name}: {HOW_TO_FIX}"


# -- The JSON API: a token, not a session -----------------------------------------------

# Open to all: the API's description and its docs page (no household data in either).
API_OPEN = {"api_v1:openapi-json", "api_v1:openapi-view", "api_v1:api-root"}
# `pk` of an API URL: which object of the test household it is (by the URL's name).
API_PK_OWNERS: dict[str, str] = {
    "api_v1:child": "child",
    "api_v1:routine": "routine",
    "api_v1:food": "allergy",
    "api_v1:medicine": "medicine",
    "api_v1:contact": "contact",
    "api_v1:trip": "trip",
    "api_v1:share_links": "trip",
    "api_v1:journal_sync": "trip",
    "api_v1:prep_task": "prep_task",
    "api_v1:patch_prep_task": "prep_task",
    "api_v1:journal_entry": "journal_entry",
    "api_v1:photos": "trip",
    "api_v1:add_photo": "trip",
    "api_v1:photo": "photo",
}
API_OBJECTS: dict[str, Callable[[Any], Model]] = OBJECTS | {
    "prep_task": lambda family: family.prep_task
}
API_METHODS = ("get", "post", "patch", "put", "delete")
API_OBJECT_URLS = [e for e in API_ENDPOINTS if e.kwargs and e.name not in API_OPEN]
API_PLAIN_URLS = [e for e in API_ENDPOINTS if not e.kwargs and e.name not in API_OPEN]


def api_body(family: Any) -> dict[str, Any]:
    """A body each write of the API would take: a bath logged now, a task ticked done."""
    return {"entries": [logged_entry(family)], "done": True, "name": PROBE}


def api_send(
    method: str, url: str, token: str | None, body: dict[str, Any] | None = None
) -> HttpResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    client = Client()
    if method == "get":
        return client.get(url, headers=headers)
    return getattr(client, method)(
        url, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def api_target(family: Any, endpoint: Endpoint) -> Target:
    if not endpoint.kwargs:
        return Target(url=endpoint.url(), objects={}, missing_url=endpoint.url())
    assert endpoint.kwargs == ("pk",), f"API URL {endpoint.name} has {endpoint.kwargs}: add it"
    assert endpoint.name in API_PK_OWNERS, (
        f"API URL {endpoint.name} ({endpoint.route}) has a `pk`: add it to API_PK_OWNERS"
    )
    obj = API_OBJECTS[API_PK_OWNERS[endpoint.name]](family)
    return Target(
        url=endpoint.url(pk=obj.pk), objects={"pk": obj}, missing_url=endpoint.url(pk=987654)
    )


def test_the_api_is_walked_too():
    names = {e.name for e in API_ENDPOINTS}
    assert {"api_v1:children", "api_v1:child", "api_v1:journal_sync"} <= names
    assert names >= API_OPEN
    assert set(API_PK_OWNERS) <= names, "stale API_PK_OWNERS"
    assert len(ENDPOINTS) + len(API_ENDPOINTS) == len(ALL_ENDPOINTS)


@pytest.mark.parametrize("endpoint", params(API_OBJECT_URLS + API_PLAIN_URLS))
def test_the_api_answers_requests_without_a_token_with_a_json_401(family, endpoint):
    target = api_target(family, endpoint)
    before = snapshot()
    statuses = []
    for method, token in itertools.product(API_METHODS, (None, "hf_" + "x" * 43)):
        response = api_send(method, target.url, token, api_body(family))
        where = f"{'forged token' if token else 'anonymous'} {method.upper()} {target}"
        assert response.status_code in (401, 405), f"{where}: {response.status_code}"
        if response.status_code == 401:
            assert "API token" in response.json()["detail"], where
        assert_no_family_data(response, where)
        statuses.append(response.status_code)
    assert 401 in statuses, f"{target}: no method asks for a token"
    assert snapshot() == before, f"requests without a token to {target} changed data"


@pytest.mark.parametrize("endpoint", params(API_OBJECT_URLS))
def test_another_households_token_gets_404_for_every_object_of_the_family(family, endpoint):
    target = api_target(family, endpoint)
    before = snapshot(family.household)
    statuses = []
    for method in API_METHODS:
        where = f"outsider's token {method.upper()} {target}"
        body = api_body(family)
        response = api_send(method, target.url, family.outsider_api_secret, body)
        missing = api_send(method, target.missing_url, family.outsider_api_secret, body)
        assert response.status_code == missing.status_code, (
            f"{where}: {response.status_code}, but {missing.status_code} for an id "
            "that does not exist: the answer tells the object exists"
        )
        assert response.status_code in (404, 405), f"{where}: {response.status_code}"
        assert_no_family_data(response, where)
        statuses.append(response.status_code)
    assert 404 in statuses, f"{target}: no method looks the object up"
    assert snapshot(family.household) == before, f"outsider's token on {target} changed data"


@pytest.mark.parametrize("endpoint", params(API_PLAIN_URLS))
def test_another_households_token_lists_nothing_of_the_family(family, endpoint):
    target = api_target(family, endpoint)
    response = api_send("get", target.url, family.outsider_api_secret)
    assert response.status_code in (200, 405), f"outsider's token GET {target}"
    assert_no_family_data(response, f"outsider's token GET {target}")


@pytest.mark.parametrize("endpoint", params(API_OBJECT_URLS + API_PLAIN_URLS))
def test_the_familys_token_reaches_every_api_url(family, endpoint):
    """The control: the 401s and 404s above are the token's doing, not a wrong URL."""
    target = api_target(family, endpoint)
    with time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False):
        reached = [
            api_send(method, target.url, family.api_secret, api_body(family)).status_code
            for method in API_METHODS
        ]
    assert any(status < 400 for status in reached), f"parent's token on {target}: {reached}"


@pytest.mark.parametrize("name", sorted(API_OPEN))
def test_the_api_description_is_open_and_shows_no_family(family, name):
    response = Client().get(reverse(name))
    assert response.status_code < 500, name
    assert_no_family_data(response, f"anonymous GET {name}")
