"""Security headers, sessions, CSRF and guessing, for every URL of the project.

What is proved here, and what elsewhere:
- The Content-Security-Policy and the other headers are on every page a parent, a
  caregiver, a share-link visitor and a stranger can open, and the pages keep the
  policy honest: no inline script, style or event handler the policy would block.
- In production (settings loaded in a subprocess, as test_settings.py does): secure,
  HttpOnly, SameSite cookies, HSTS with the configured seconds on https, and http
  redirected to https. That `check --deploy` passes is test_settings.py's.
- Sessions: a new key at login, nothing left of the old one; logout ends the session
  on the server; a password change keeps its own session and ends the others.
- CSRF: every URL of the project, POST/PUT/PATCH/DELETE without a token (or with
  someone else's, or from another site) is a 403 that changes nothing. The JSON API is
  the one exception, listed with its reason, and it never takes the session cookie.
- Guessing: five failed logins for one email from one address pause that pair
  (test_accounts.py); here, only those pairs, and addresses behind a proxy. Guessed
  share links (test_share_links.py has the brief's budget) on every /s/ URL, and
  wrong API tokens, run out one budget per address a minute.

The URLs come from the live resolver through test_isolation.py's tables, so a URL
added later is held to all of this without editing this file.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from homefront.api.models import AccessToken
from homefront.api.models import Scope
from homefront.handoff.models import ShareLinkOpen
from homefront.households.models import Invitation
from homefront.households.models import Role
from homefront.households.tests import test_isolation
from homefront.households.tests.test_isolation import ALL_ENDPOINTS
from homefront.households.tests.test_isolation import API_ENDPOINTS
from homefront.households.tests.test_isolation import API_OPEN
from homefront.households.tests.test_isolation import ENDPOINTS
from homefront.households.tests.test_isolation import HTMX
from homefront.households.tests.test_isolation import JSON_BODY
from homefront.households.tests.test_isolation import OPEN_URLS
from homefront.households.tests.test_isolation import TOKEN_CHECKS
from homefront.households.tests.test_isolation import Endpoint
from homefront.households.tests.test_isolation import api_body
from homefront.households.tests.test_isolation import api_target
from homefront.households.tests.test_isolation import assert_no_family_data
from homefront.households.tests.test_isolation import body_of
from homefront.households.tests.test_isolation import logged_entry
from homefront.households.tests.test_isolation import params
from homefront.households.tests.test_isolation import payload
from homefront.households.tests.test_isolation import send
from homefront.households.tests.test_isolation import snapshot
from homefront.households.tests.test_isolation import urls_of
from homefront.journal.models import JournalEntry
from homefront.photos.testing import phone_jpeg
from homefront.testing.command import run_homefront

# test_isolation.py's family (the conftest family with a trip, its share link, a calendar
# feed and API tokens), taken as it is.
family = test_isolation.family

LOGIN = "/account/login/"
PASSWORD = "a long test password"  # what homefront/conftest.py gives every user
NEW_PASSWORD = "quiet harbour lantern 42"


@pytest.fixture
def frozen() -> Iterator[Any]:
    """Budgets count per minute: the clock stands still so a test never straddles two."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# -- 1. Headers on every page, and pages that keep the policy honest -------------------

# Sources that would let an injected script or style run; none may appear in the policy.
UNSAFE_SOURCES = {
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'unsafe-hashes'",
    "'wasm-unsafe-eval'",
    "'strict-dynamic'",
    "*",
    "http:",
    "https:",
}
# <script type=...> bodies that are data, not code: CSP does not run them.
DATA_SCRIPTS = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}


def policy_of(response: HttpResponse, where: str) -> dict[str, list[str]]:
    assert "Content-Security-Policy-Report-Only" not in response.headers, where
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{where}: no Content-Security-Policy"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split() or [""]
        if name:
            assert name not in directives, f"{where}: {name} twice in {header}"
            directives[name] = sources
    return directives


def configured_policy() -> dict[str, list[str]]:
    return {
        name: list(sources)
        for name, sources in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items()
    }


def assert_strict_policy(directives: dict[str, list[str]], where: str) -> None:
    for name, sources in directives.items():
        loose = [source for source in sources if source.lower() in UNSAFE_SOURCES]
        assert not loose, f"{where}: {name} allows {loose}"
        if name in ("default-src", "script-src", "style-src"):
            assert "data:" not in sources, f"{where}: {name} allows data: URLs"
    for name in ("default-src", "script-src", "style-src"):
        assert directives.get(name) == ["'self'"], f"{where}: {name} {directives.get(name)}"
    assert directives.get("object-src") == ["'none'"], where
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("base-uri") in (["'self'"], ["'none'"]), where
    assert directives.get("form-action") == ["'self'"], where


def assert_security_headers(response: HttpResponse, where: str) -> None:
    """What every answer carries, whatever its type or status."""
    directives = policy_of(response, where)
    # The same policy on every page: no view loosens it for itself.
    assert directives == configured_policy(), f"{where}: {directives}"
    assert_strict_policy(directives, where)
    assert response.headers.get("X-Frame-Options") == "DENY", where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where
    assert response.headers.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert "Access-Control-Allow-Origin" not in response.headers, where


def htmx_eval(name: str, value: str) -> bool:
    """htmx attributes whose value is code: blocked without 'unsafe-eval'."""
    name = name.removeprefix("data-")
    if name.startswith("hx-on") or name == "hx-vars":
        return True
    return name == "hx-vals" and value.startswith(("js:", "javascript:"))


class InlineCode(HTMLParser):
    """Everything in a page that a policy without 'unsafe-inline' or 'unsafe-eval'
    would block, or that loads from another origin."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.in_code_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)
        if tag == "script":
            kind = (dict(attrs).get("type") or "").strip().lower()
            self.in_code_script = "src" not in dict(attrs) and kind not in DATA_SCRIPTS

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.check(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_code_script = False

    def handle_data(self, data: str) -> None:
        if self.in_code_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:60]!r}")

    def check(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "style":
            self.problems.append("a <style> element")
        if tag in ("iframe", "object", "embed", "base"):
            self.problems.append(f"a <{tag}> element")
        values = dict(attrs)
        if tag == "link" and "stylesheet" in (values.get("rel") or "").split():
            self.same_origin(tag, "href", values.get("href"))
        if tag in ("script", "img") and values.get("src") is not None:
            self.same_origin(tag, "src", values.get("src"))
        for name, value in attrs:
            text = (value or "").strip()
            if name == "style":
                self.problems.append(f'<{tag} style="{text[:40]}">')
            elif re.fullmatch(r"on[a-z]+", name):
                self.problems.append(f"<{tag} {name}=...>, an inline event handler")
            elif htmx_eval(name, text):
                self.problems.append(f"<{tag} {name}=...>, code htmx would eval")
            elif name in URL_ATTRIBUTES and re.sub(r"\s", "", text).lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"<{tag} {name}={text[:40]!r}>")

    def same_origin(self, tag: str, name: str, url: str | None) -> None:
        if not url or (url.startswith("data:") and tag == "img"):
            return
        parts = urlsplit(url)
        if (parts.scheme or parts.netloc) and parts.netloc != "testserver":
            self.problems.append(f"<{tag} {name}={url!r}> from another origin")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.problems


def is_html(response: HttpResponse) -> bool:
    return response.headers.get("Content-Type", "").startswith("text/html")


def audit(response: HttpResponse, where: str) -> bool:
    """The headers of any answer, and the HTML of a page; True when it was a page."""
    assert response.status_code < 500, f"{where}: {response.status_code}"
    assert_security_headers(response, where)
    if not is_html(response) or getattr(response, "streaming", False):
        return False
    problems = inline_code(body_of(response))
    assert not problems, f"{where} breaks its own Content-Security-Policy: {problems}"
    return bool(response.content.strip())


def test_the_configured_policy_is_strict():
    assert_strict_policy(configured_policy(), "settings.CONTENT_SECURITY_POLICY")
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert "csp.middleware.CSPMiddleware" in settings.MIDDLEWARE


def test_the_page_check_finds_what_the_policy_would_block():
    """The control: the parser below sees each kind of inline code (so a clean result
    on the pages means something), and lets data scripts and same-origin files be."""
    page = """<!doctype html><html><head>
      <link rel="stylesheet" href="/static/app.css"><script src="/static/app.js" defer></script>
      <script type="application/json" id="settings">{"a": 1}</script>
      <script>alert(1)</script><style>p {color: red}</style>
      <script src="https://cdn.example.com/htmx.js"></script></head>
      <body onload="go()"><p style="color: red">x</p><a href=" javascript:go()">y</a>
      <button hx-on:click="go()">z</button><img src="data:image/png;base64,AAAA" alt="">
      <div hx-vals='js:{a: go()}'></div></body></html>"""
    problems = inline_code(page)
    assert len(problems) == 8, problems
    assert any("inline <script>" in problem for problem in problems)
    assert not any("app.js" in problem or "settings" in problem for problem in problems)
    assert inline_code('<form action="/x"><button type="submit">Go</button></form>') == []


PAGE_URLS = [e for e in ENDPOINTS if e.name not in TOKEN_CHECKS]
SHARE_LINK_URLS = {
    "handoff:shared_brief",
    "handoff:shared_brief_pdf",
    "journal:shared_log",
    "journal:shared_sync",
    "journal:shared_manifest",
    "photos:shared_add",
    "photos:shared_photo",
}
# The share link's URLs a page posts to rather than opens.
POSTED_SHARE_URLS = {"journal:shared_sync", "photos:shared_add"}


def share_url(name: str, token: str, photo_pk: int) -> str:
    args: list[Any] = [token, photo_pk] if name == "photos:shared_photo" else [token]
    return reverse(name, args=args)


@pytest.mark.parametrize("endpoint", params(PAGE_URLS))
def test_every_page_members_open_has_the_headers_and_no_inline_code(family, endpoint):
    """Parents and caregivers, whole pages and htmx fragments (a fragment's inline
    code would be blocked once swapped into the page), before and during the trip."""
    people = {"parent": family.parent, "caregiver": family.caregiver}
    times = {"now": timezone.now(), "during the trip": family.trip.starts_at + timedelta(hours=3)}
    for when, moment in times.items():
        with time_machine.travel(moment, tick=False):
            for who, user in people.items():
                client = family.client_for(user)
                for target, headers in itertools.product(urls_of(family, endpoint), ({}, HTMX)):
                    response = client.get(target.url, headers=headers)
                    audit(response, f"{who} GET {target} {when}{' (htmx)' if headers else ''}")


def test_the_share_link_visitor_gets_the_headers_and_no_inline_code(family):
    pages = 0
    for moment in (timezone.now(), family.trip.starts_at + timedelta(hours=3)):
        with time_machine.travel(moment, tick=False):
            for name in sorted(SHARE_LINK_URLS):
                url = share_url(name, family.share_token, family.photo.pk)
                for headers in ({}, HTMX):
                    response = Client(REMOTE_ADDR="198.51.100.20").get(url, headers=headers)
                    where = f"share-link visitor GET {url}"
                    if name not in POSTED_SHARE_URLS:
                        assert response.status_code == 200, f"{where}: {response.status_code}"
                    if audit(response, where):
                        pages += 1
                        # Links on the page send no Referer with the secret in it.
                        assert response["Referrer-Policy"] == "no-referrer", where
    assert pages == 8, "the brief and the quick log, plain and htmx, before and during"


def test_pages_for_people_without_an_account_have_the_headers_and_no_inline_code(family, frozen):
    """Sign-in, sign-up, the password pages, an invitation, the API's docs, and the
    answers to mistakes: 403, 404, a refused form, a locked-out login, too many tries."""
    client = Client()
    urls = [target.url for endpoint in OPEN_URLS for target in urls_of(family, endpoint)]
    _invitation, token = Invitation.issue(family.household, Role.CAREGIVER, family.parent)
    urls.append(reverse("households:accept", args=[token]))
    urls += [reverse(name) for name in sorted(API_OPEN)]
    urls.append("/no-such-page/")
    pages = 0
    for url in urls:
        for headers in ({}, HTMX):
            pages += audit(client.get(url, headers=headers, follow=True), f"anonymous GET {url}")
    assert pages >= 10

    reset = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(family.parent.pk)),
            default_token_generator.make_token(family.parent),
        ],
    )
    response = client.get(reset, follow=True)
    assert "new_password1" in body_of(response)
    audit(response, "the password reset form")

    caregiver = family.client_for(family.caregiver)
    response = caregiver.get(reverse("households:note_reveal", args=[family.secret_note.pk]))
    assert response.status_code == 403
    assert audit(response, "a caregiver's 403")

    refused = Client(enforce_csrf_checks=True)
    refused.get(LOGIN)
    response = refused.post(LOGIN, {"username": "parent@example.com", "password": PASSWORD})
    assert response.status_code == 403
    assert audit(response, "the page of a form refused for its missing CSRF token")
    assert "Nothing was saved" in body_of(response)

    locked = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        response = locked.post(LOGIN, {"username": "parent@example.com", "password": "wrong"})
    assert response.status_code == 429
    assert audit(response, "the locked-out login")

    for _guess in range(31):
        response = client.get(reverse("handoff:shared_brief", args=["x" * 32]))
    assert response.status_code == 429
    audit(response, "too many share-link guesses")
    assert response["Retry-After"] == "60"


# -- 2. Production: cookies, HSTS, https ------------------------------------------------

PRODUCTION_PROBE = """
import json
import os
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from homefront.accounts.models import User

# Static files from their folders, not collected ones: nothing here is about them.
override_settings(
    STORAGES={
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
).enable()
sign_in = bool(os.environ.get("PROBE_SIGN_IN"))
if sign_in:  # the only step that needs the database
    call_command("migrate", verbosity=0)
    User.objects.create_user(email="pat@example.org", password="a long test password", name="Pat")
browser = Client(HTTP_HOST="home.example.org")


def answer(response):
    return {
        "status": response.status_code,
        "location": response.get("Location"),
        "hsts": response.get("Strict-Transport-Security"),
        "headers": {
            name: response.get(name)
            for name in (
                "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options",
                "Referrer-Policy",
            )
        },
        "cookies": {
            name: {flag: morsel[flag] for flag in ("secure", "httponly", "samesite")}
            for name, morsel in response.cookies.items()
        },
    }


login = {"username": "pat@example.org", "password": "a long test password"}
print(json.dumps({
    "settings": {
        name: getattr(settings, name)
        for name in (
            "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
            "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
        )
    },
    "http": answer(browser.get("/account/login/?next=/trips/")),
    "https": answer(browser.get("/account/login/", secure=True)),
    "https login": answer(browser.post("/account/login/", login, secure=True)) if sign_in else None,
    "proxied https": answer(
        Client(HTTP_HOST="home.example.org").get(
            "/account/login/", headers={"X-Forwarded-Proto": "https"}
        )
    ),
}))
"""


def run_production(tmp_path: Any, **env: str) -> dict[str, Any]:
    result = run_homefront(
        "shell",
        "-v",
        "0",
        "-c",
        PRODUCTION_PROBE,
        env={
            "HOMEFRONT_ENV": "production",
            "HOMEFRONT_DATA_DIR": str(tmp_path),
            "HOMEFRONT_ALLOWED_HOSTS": "home.example.org",
            "DATABASE_URL": "sqlite://:memory:",
            **env,
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_secure_cookies(answer: dict[str, Any], names: set[str], where: str) -> None:
    assert names <= set(answer["cookies"]), f"{where}: {answer['cookies']}"
    for name in names:
        flags = answer["cookies"][name]
        assert flags["secure"] is True, f"{where}: {name} is not Secure"
        assert flags["samesite"] in ("Lax", "Strict"), f"{where}: {name} {flags}"


def test_production_cookies_are_secure_and_https_is_enforced(tmp_path):
    """The defaults behind a proxy that terminates TLS (README's production example)."""
    result = run_production(tmp_path, HOMEFRONT_TRUST_X_FORWARDED_PROTO="true", PROBE_SIGN_IN="1")

    assert result["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
    }
    # Plain http: sent to the same page on https, no cookie handed out over it.
    http = result["http"]
    assert http["status"] == 301
    assert http["location"] == "https://home.example.org/account/login/?next=/trips/"
    assert http["cookies"] == {}
    # https: HSTS with the configured seconds, and only Secure cookies.
    for name in ("https", "https login", "proxied https"):
        assert result[name]["hsts"] == "max-age=31536000; includeSubDomains; preload", name
    assert_secure_cookies(result["https"], {settings.CSRF_COOKIE_NAME}, "login page")
    login = result["https login"]
    assert login["status"] == 302, "the login worked"
    assert_secure_cookies(login, {settings.SESSION_COOKIE_NAME}, "login")
    assert login["cookies"][settings.SESSION_COOKIE_NAME]["httponly"] is True
    # The proxy says the visitor came over https: served, not redirected.
    assert result["proxied https"]["status"] == 200
    # The headers of every page, in production too.
    headers = result["https"]["headers"]
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert (headers["X-Frame-Options"], headers["X-Content-Type-Options"]) == ("DENY", "nosniff")
    assert headers["Referrer-Policy"] == "same-origin"


def test_production_hsts_and_redirect_follow_their_settings(tmp_path):
    result = run_production(
        tmp_path,
        HOMEFRONT_HSTS_SECONDS="86400",
        HOMEFRONT_HSTS_PRELOAD="false",
        HOMEFRONT_HSTS_INCLUDE_SUBDOMAINS="false",
        HOMEFRONT_SSL_REDIRECT="false",
    )
    assert result["https"]["hsts"] == "max-age=86400"
    # Without the redirect (a proxy that redirects itself), http is served, without HSTS
    # (browsers ignore it over http) and still without a cookie that could travel in clear.
    http = result["http"]
    assert (http["status"], http["hsts"]) == (200, None)
    assert all(flags["secure"] is True for flags in http["cookies"].values())
    # An X-Forwarded-Proto header is only believed with HOMEFRONT_TRUST_X_FORWARDED_PROTO:
    # a visitor cannot make plain http look secure.
    assert result["proxied https"]["hsts"] is None


# -- 3. Sessions ---------------------------------------------------------------------------


def browser() -> Client:
    """A browser that sends the CSRF token the way the pages do."""
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    return client


def csrf_token(client: Client) -> str:
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def session_key(client: Client) -> str | None:
    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    return cookie.value if cookie and cookie.value else None


def sign_in(client: Client, email: str, password: str = PASSWORD) -> HttpResponse:
    return client.post(
        LOGIN,
        {"username": email, "password": password},
        headers={"X-CSRFToken": csrf_token(client)},
    )


def with_session(key: str) -> Client:
    """Another browser that sends a session cookie it got hold of."""
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def signed_in(client: Client) -> bool:
    response = client.get(reverse("households:profile"))
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def test_login_gives_a_new_session_key_and_the_old_one_is_worth_nothing(family):
    client = browser()
    anonymous = client.session  # an anonymous session with something in it
    anonymous["probe"] = "planted"
    anonymous.save()
    before = session_key(client)
    assert before
    assert Session.objects.filter(session_key=before).exists()

    response = sign_in(client, "parent@example.com")

    assert response.status_code == 302
    after = session_key(client)
    assert after
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert signed_in(client)
    assert not signed_in(with_session(before)), "the key from before login signs in"


def test_session_cookie_flags_on_this_machine(family):
    """Locally over http: HttpOnly and SameSite, not Secure (production's test above)."""
    client = browser()
    response = sign_in(client, "parent@example.com")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["secure"]
    assert client.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Lax"


def test_logout_ends_the_session_on_the_server(family):
    client = browser()
    sign_in(client, "parent@example.com")
    key = session_key(client)
    assert key
    assert signed_in(with_session(key))

    response = client.post(reverse("accounts:logout"), headers={"X-CSRFToken": csrf_token(client)})

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    assert not signed_in(with_session(key)), "a copy of the cookie still signs in"
    assert not signed_in(client)


def test_a_password_change_keeps_this_session_and_ends_the_others(family):
    phone, laptop, carer = browser(), browser(), browser()
    sign_in(phone, "parent@example.com")
    sign_in(laptop, "parent@example.com")
    sign_in(carer, "carer@example.com")
    old_phone_key = session_key(phone)
    assert signed_in(phone)
    assert signed_in(laptop)

    response = phone.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        headers={"X-CSRFToken": csrf_token(phone)},
    )

    assert response.status_code == 302
    assert signed_in(phone), "the browser that changed the password was signed out"
    assert session_key(phone) != old_phone_key
    assert not signed_in(with_session(old_phone_key)), "the key from before the change works"
    assert not signed_in(laptop), "another session outlived the password change"
    assert signed_in(carer), "someone else's session ended"


def test_a_password_reset_ends_every_session(family):
    """Someone who fears their password is known resets it from the email link: a
    session signed in with the old password ends too."""
    laptop = browser()
    sign_in(laptop, "parent@example.com")
    assert signed_in(laptop)

    phone = browser()
    family.parent.refresh_from_db()  # the link is made from the user as stored, last login too
    uidb64 = urlsafe_base64_encode(force_bytes(family.parent.pk))
    token = default_token_generator.make_token(family.parent)
    response = phone.get(reverse("accounts:password_reset_confirm", args=[uidb64, token]))
    assert response.status_code == 302  # to the form, the token kept in the session
    response = phone.post(
        response.url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        headers={"X-CSRFToken": csrf_token(phone)},
    )

    assert response.status_code == 302
    family.parent.refresh_from_db()
    assert family.parent.check_password(NEW_PASSWORD)
    assert not signed_in(laptop)


# -- 4. CSRF on every state change ---------------------------------------------------------

# URLs that take no CSRF token, and why that is safe. Each must say how it is proved.
CSRF_EXEMPT: dict[str, str] = {
    "api_v1:": (
        "The JSON API authenticates with a bearer token in the Authorization header, "
        "which a browser never adds to a cross-site request by itself; it does not "
        "take the session cookie at all (test_the_api_never_takes_the_session_cookie)."
    ),
    "notify:push_resubscribe": (
        "The service worker renews its device's address with no page, so no CSRF token; "
        "the session cookie is SameSite=Lax, another site's request is refused by its "
        "Origin, and only a device whose old address the caller knows changes "
        "(test_another_site_cannot_renew_a_device)."
    ),
}
# Share links need none of their own: the secret token in the address is what
# authorises, so a site that does not know it cannot aim a form at it, and one that
# knows it needs no visitor's browser. They are CSRF-protected like every other form
# anyway (test_share_link_forms_need_the_csrf_token_too): the quick log carries the
# token and its offline queue sends it, so the protection costs the caregiver nothing.


def csrf_exempt(endpoint: Endpoint) -> bool:
    """Whether Django skips the CSRF check for the view (the walk below finds any other
    way a view might get past it)."""
    return getattr(endpoint.callback, "csrf_exempt", False) is True


def listed(endpoint: Endpoint) -> bool:
    return endpoint.name.startswith(tuple(CSRF_EXEMPT))


EXEMPT_URLS = [e for e in ALL_ENDPOINTS if csrf_exempt(e)]
CSRF_URLS = [e for e in ALL_ENDPOINTS if not csrf_exempt(e)]
# Unsafe methods, as a form, htmx, and a script would send them.
ATTACKS: tuple[tuple[str, dict[str, str]], ...] = (
    ("post", {}),
    ("post", HTMX),
    ("put", {}),
    ("patch", {}),
    ("delete", {}),
)
EVIL_ORIGIN = "https://evil.example"


def secret_urls(family: Any, endpoint: Endpoint) -> list[str]:
    """URLs with a secret in them, with a working secret (test_isolation has the forged)."""
    if endpoint.name in SHARE_LINK_URLS:
        photo = {"pk": family.photo.pk} if "pk" in endpoint.kwargs else {}
        return [endpoint.url(token=family.share_token, **photo)]
    if endpoint.name == "households:accept":
        _invitation, token = Invitation.issue(family.household, Role.CAREGIVER, family.parent)
        return [endpoint.url(token=token)]
    if endpoint.name == "trips:feed":
        return [endpoint.url(token=family.feed_token)]
    if endpoint.name == "accounts:password_reset_confirm":
        uidb64 = urlsafe_base64_encode(force_bytes(family.parent.pk))
        token = default_token_generator.make_token(family.parent)
        return [
            endpoint.url(uidb64=uidb64, token=token),
            endpoint.url(uidb64=uidb64, token="set-password"),
        ]
    raise AssertionError(f"{endpoint.name}: say in secret_urls() which working secret to use")


def csrf_urls(family: Any, endpoint: Endpoint) -> list[str]:
    if endpoint.name in TOKEN_CHECKS:
        return secret_urls(family, endpoint)
    return [target.url for target in urls_of(family, endpoint)]


def forge(
    client: Client, method: str, url: str, headers: dict[str, str], data: dict[str, Any]
) -> HttpResponse:
    if method == "post":
        return send(client, method, url, headers, data)
    if JSON_BODY in data:
        body, kind = json.dumps(data[JSON_BODY]), "application/json"
    else:
        fields = {k: v for k, v in data.items() if not isinstance(v, SimpleUploadedFile)}
        body, kind = urlencode(fields, doseq=True), "application/x-www-form-urlencoded"
    return client.generic(method.upper(), url, body, content_type=kind, headers=headers)


def refused_for_csrf(response: HttpResponse) -> bool:
    templates = [template.name for template in getattr(response, "templates", [])]
    return response.status_code == 403 and "403_csrf.html" in templates


def session_data(client: Client) -> dict[str, Any]:
    return dict(client.session.items())


def test_every_csrf_exempt_view_is_listed_with_a_reason():
    unlisted = [e.name for e in EXEMPT_URLS if not listed(e)]
    assert not unlisted, f"CSRF-exempt views no one has argued for in CSRF_EXEMPT: {unlisted}"
    for prefix in CSRF_EXEMPT:
        assert any(e.name.startswith(prefix) for e in EXEMPT_URLS), f"stale: {prefix}"
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    # Today that is the JSON API's operations and the service worker's renewal, nothing
    # else; the API's description and docs pages are ordinary views, walked with the rest.
    api_operations = {e.name for e in API_ENDPOINTS} - API_OPEN
    assert {e.name for e in EXEMPT_URLS} == api_operations | {"notify:push_resubscribe"}


@pytest.mark.parametrize("endpoint", params(CSRF_URLS))
def test_no_request_changes_anything_without_the_csrf_token(family, endpoint):
    """The parent's own browser, signed in and holding its CSRF cookie, sends what a
    form on another site could make it send: without the token, with the attacker's
    own token, and (with the right token) from another origin. Each is a 403 and
    nothing changes, neither in the database nor in the session (a household switch
    or a logout lives there). Then the same request with the token gets through."""
    parent = Client(enforce_csrf_checks=True)
    parent.force_login(family.parent)
    parent.get(reverse("core:home"))
    attackers_token = csrf_token(browser())
    helper = family.client_for(family.parent)
    for url in csrf_urls(family, endpoint):
        data = payload(helper, url, family)
        if endpoint.name == "journal:shared_sync":  # the offline queue of a share link
            data = {JSON_BODY: {"entries": [logged_entry(family)]}}
        before, session_before = snapshot(), session_data(parent)
        tries = [(method, headers) for method, headers in ATTACKS]
        tries.append(("post", {"X-CSRFToken": attackers_token}))
        tries.append(("post", {"X-CSRFToken": csrf_token(parent), "Origin": EVIL_ORIGIN}))
        for method, headers in tries:
            response = forge(parent, method, url, headers, data)
            where = f"parent {method.upper()} {url} {headers or ''}"
            assert refused_for_csrf(response), f"{where}: {response.status_code}, not refused"
        assert snapshot() == before, f"requests to {url} without a CSRF token changed data"
        assert session_data(parent) == session_before, f"{url} changed the session"
        assert signed_in(parent)

        # The control: the refusals above are the token's doing.
        response = forge(parent, "post", url, {"X-CSRFToken": csrf_token(parent)}, data)
        assert not refused_for_csrf(response), f"parent POST {url} with the token was refused"


def test_share_link_forms_need_the_csrf_token_too(family):
    """The caregiver without an account, during the trip, on the quick log of a link:
    the plain form and the offline queue need the token the page gave them."""
    with time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False):
        visitor = Client(enforce_csrf_checks=True, REMOTE_ADDR="198.51.100.21")
        log = reverse("journal:shared_log", args=[family.share_token])
        sync = reverse("journal:shared_sync", args=[family.share_token])
        assert visitor.get(log).status_code == 200
        form = {
            "uuid": str(logged_entry(family)["uuid"]),
            "kind": "bath",
            "children": [str(family.child.pk)],
        }
        batch = {JSON_BODY: {"entries": [logged_entry(family)]}}
        before = snapshot()
        for url, data in ((log, form), (sync, batch)):
            for headers in ({}, HTMX, {"X-CSRFToken": csrf_token(browser())}):
                response = send(visitor, "post", url, headers, data)
                assert refused_for_csrf(response), (
                    f"visitor POST {url} {headers}: {response.status_code}"
                )
        assert snapshot() == before

        token = {"X-CSRFToken": csrf_token(visitor)}
        assert send(visitor, "post", log, token, form).status_code == 302
        response = send(visitor, "post", sync, token, batch)
        assert response.json()["results"][0]["status"] == "stored"
        assert JournalEntry.objects.filter(share_link=family.share_link).count() == 2


API_WRITES = ("post", "put", "patch", "delete")
API_NAMES = {e.name for e in API_ENDPOINTS}


def test_another_site_cannot_renew_a_device(family):
    """The signed-in parent's browser, made to post the right old address and a new one
    by another site's page: refused by its Origin, the device keeps its address."""
    renew = reverse("notify:push_resubscribe")
    body = json.dumps(
        {
            "old_endpoint": family.push_channel.target,
            "subscription": test_isolation.push_subscription("https://1.1.1.1/push/evil"),
        }
    )
    parent = Client(enforce_csrf_checks=True)
    parent.force_login(family.parent)
    before = snapshot()
    response = parent.post(renew, body, "application/json", headers={"Origin": EVIL_ORIGIN})
    assert response.status_code == 403
    assert response.json()["error"] == "Only this site's own pages may renew a device."
    assert snapshot() == before
    # The service worker, on this site, renews it.
    response = parent.post(renew, body, "application/json", headers={"Origin": "http://testserver"})
    assert response.status_code == 200
    family.push_channel.refresh_from_db()
    assert family.push_channel.target == "https://1.1.1.1/push/evil"


@pytest.mark.parametrize("endpoint", params([e for e in EXEMPT_URLS if e.name in API_NAMES]))
def test_the_api_never_takes_the_session_cookie(family, endpoint):
    """A signed-in parent's browser, made to call the API by another site: its cookies
    (the session and the CSRF cookie, even the right CSRF token) are no API token."""
    parent = Client(enforce_csrf_checks=True)
    parent.force_login(family.parent)
    parent.get(reverse("core:home"))
    target = api_target(family, endpoint)
    body = api_body(family)
    before = snapshot()
    for method in ("get", *API_WRITES):
        for headers in ({}, {"X-CSRFToken": csrf_token(parent)}, {"Origin": EVIL_ORIGIN}):
            if method == "get":
                response = parent.get(target.url, headers=headers)
            else:
                response = parent.generic(
                    method.upper(),
                    target.url,
                    json.dumps(body),
                    "application/json",
                    headers=headers,
                )
            where = f"parent's cookies {method.upper()} {target} {headers or ''}"
            assert response.status_code in (401, 405), f"{where}: {response.status_code}"
            assert "Access-Control-Allow-Origin" not in response.headers, where
            assert_no_family_data(response, where)
    assert snapshot() == before, f"cookie-authenticated requests to {target} changed data"


# -- 5. Guessing: logins, share links, API tokens ---------------------------------------


def fail_login(client: Client, email: str = "parent@example.com", **extra: str) -> HttpResponse:
    return client.post(LOGIN, {"username": email, "password": "wrong password"}, **extra)


def log_in(client: Client, email: str = "parent@example.com", **extra: str) -> HttpResponse:
    return client.post(LOGIN, {"username": email, "password": PASSWORD}, **extra)


def test_login_failures_count_per_email_and_address(family):
    """The pause is for one email from one address: failures from several addresses do
    not add up, and the owner can sign in from elsewhere while a guesser is paused."""
    limit = settings.AXES_FAILURE_LIMIT
    home, office = Client(REMOTE_ADDR="192.0.2.10"), Client(REMOTE_ADDR="192.0.2.20")
    for _attempt in range(limit - 1):
        assert fail_login(home).status_code == 200
        assert fail_login(office).status_code == 200
    assert log_in(home).status_code == 302

    guesser = Client(REMOTE_ADDR="192.0.2.66")
    statuses = [fail_login(guesser).status_code for _ in range(limit + 2)]
    assert statuses == [200] * (limit - 1) + [429] * 3, "the pause is a 429, never a 500"
    assert log_in(guesser).status_code == 429
    assert log_in(Client(REMOTE_ADDR="192.0.2.67")).status_code == 302


def test_an_address_of_its_own_in_x_forwarded_for_buys_no_more_tries(family):
    """Without proxies configured the header is the visitor's own writing: ignored."""
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        fail_login(Client(REMOTE_ADDR="192.0.2.66"), HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}")
    response = log_in(Client(REMOTE_ADDR="192.0.2.66"), HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert response.status_code == 429


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_logins_are_counted_per_visitor(family):
    """HOMEFRONT_PROXY_COUNT=1: every visitor arrives from the proxy's address, and the
    proxy appends the visitor's to X-Forwarded-For."""
    proxy = "10.0.0.1"
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        fail_login(Client(REMOTE_ADDR=proxy), HTTP_X_FORWARDED_FOR="203.0.113.5")
    # The guesser is paused, even when writing another address in front of theirs...
    for forwarded in ("203.0.113.5", "198.51.100.7, 203.0.113.5"):
        response = log_in(Client(REMOTE_ADDR=proxy), HTTP_X_FORWARDED_FOR=forwarded)
        assert response.status_code == 429, forwarded
    # ...and the family, behind the same proxy, is not.
    response = log_in(Client(REMOTE_ADDR=proxy), HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert response.status_code == 302


def share_urls(token: str, photo_pk: int = 1) -> Iterator[tuple[str, str]]:
    """Every URL of a share link, with the method its page uses."""
    for name in sorted(SHARE_LINK_URLS):
        method = "post" if name in POSTED_SHARE_URLS else "get"
        yield method, share_url(name, token, photo_pk)


def share_request(client: Client, method: str, url: str) -> HttpResponse:
    if method == "post" and url.endswith("/photos/add/"):
        # What the phone's queue sends: one photo, answered in JSON.
        photo = SimpleUploadedFile("IMG_0001.jpg", phone_jpeg(), content_type="image/jpeg")
        return client.post(url, {"photo": photo}, headers={"Accept": "application/json"})
    if method == "post":
        return client.post(url, json.dumps({"entries": []}), content_type="application/json")
    return client.get(url)


def test_guessing_share_links_on_any_of_their_urls_is_throttled(family, frozen):
    """test_share_links.py proves it for the brief; a guesser who tries the quick log,
    its offline queue or its manifest instead spends the same budget."""
    guesser = Client(REMOTE_ADDR="198.51.100.66")
    statuses = []
    for guess in range(30):
        method, url = list(share_urls(f"{guess:032d}"))[guess % len(SHARE_LINK_URLS)]
        statuses.append(share_request(guesser, method, url).status_code)
    assert set(statuses) <= {404, 410}, statuses

    for method, url in share_urls("y" * 32):
        response = share_request(guesser, method, url)
        assert response.status_code == 429, f"guess {method.upper()} {url}"
        assert response["Retry-After"] == "60"
    # The guesser's address is refused the real link too, for the rest of the minute...
    for method, url in share_urls(family.share_token, family.photo.pk):
        response = share_request(guesser, method, url)
        assert response.status_code == 429, f"real {method.upper()} {url}"
        assert_no_family_data(response, f"throttled {url}")
    assert ShareLinkOpen.objects.count() == 0
    # ...while the caregiver's phone, elsewhere, opens it.
    caregiver = Client(REMOTE_ADDR="198.51.100.10")
    for method, url in share_urls(family.share_token, family.photo.pk):
        assert share_request(caregiver, method, url).status_code == 200, url
    frozen.shift(timedelta(minutes=1))
    response = guesser.get(reverse("handoff:shared_brief", args=[family.share_token]))
    assert response.status_code == 200


def test_logging_with_a_real_link_spends_no_budget(family):
    """A busy evening of logging from one phone is never throttled: only the brief's
    opens and dead links count."""
    with time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False):
        phone = Client(REMOTE_ADDR="198.51.100.11")
        log = reverse("journal:shared_log", args=[family.share_token])
        sync = reverse("journal:shared_sync", args=[family.share_token])
        for _entry in range(40):
            assert phone.get(log).status_code == 200
            batch = json.dumps({"entries": [logged_entry(family)]})
            response = phone.post(sync, batch, content_type="application/json")
            assert response.status_code == 200
    assert JournalEntry.objects.filter(share_link=family.share_link).count() == 40


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_share_link_guessers_are_told_apart(family, frozen):
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    guesser = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    for guess in range(31):
        response = guesser.get(reverse("journal:shared_log", args=[f"{guess:032d}"]))
    assert response.status_code == 429
    sneaky = Client(**proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    assert sneaky.get(reverse("handoff:shared_brief", args=[family.share_token])).status_code == 429
    family_phone = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    response = family_phone.get(reverse("handoff:shared_brief", args=[family.share_token]))
    assert response.status_code == 200


def api_get(token: str, **extra: str) -> HttpResponse:
    return Client(**extra).get("/api/v1/children", headers={"Authorization": f"Bearer {token}"})


def test_wrong_api_tokens_are_throttled_per_address(family, frozen):
    guesser = {"REMOTE_ADDR": "198.51.100.66"}
    statuses = [api_get("hf_" + f"{guess:043d}", **guesser).status_code for guess in range(30)]
    assert statuses == [401] * 30

    response = api_get("hf_" + "z" * 43, **guesser)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "wait a minute" in response.json()["detail"]
    # A good token from that address waits too (a guess that happened to be right would);
    # from anywhere else it works, and the next minute from there again.
    assert api_get(family.api_secret, **guesser).status_code == 429
    assert api_get(family.api_secret, REMOTE_ADDR="198.51.100.10").status_code == 200
    frozen.shift(timedelta(minutes=1))
    assert api_get(family.api_secret, **guesser).status_code == 200


def test_a_busy_script_with_a_good_token_is_never_throttled(family, frozen):
    for _call in range(40):
        assert api_get(family.api_secret, REMOTE_ADDR="198.51.100.12").status_code == 200
    # A token that stopped working counts as a wrong one.
    AccessToken.objects.filter(pk=family.api_token.pk).update(revoked_at=timezone.now())
    statuses = {
        api_get(family.api_secret, REMOTE_ADDR="198.51.100.12").status_code for _ in range(31)
    }
    assert statuses == {401, 429}


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_api_token_guessers_are_told_apart(family, frozen):
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for guess in range(31):
        response = api_get("hf_" + f"{guess:043d}", **proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response.status_code == 429
    _token, secret = AccessToken.issue(family.parent, family.household, "Shortcut", Scope.READ)
    assert api_get(secret, **proxy, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 200


def test_the_api_documents_its_429():
    from homefront.api.api import api

    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/children"]["get"]
    assert "429" in {str(status) for status in operation["responses"]}


def test_a_form_post_to_an_offline_queue_is_a_400_not_a_500(family):
    """Found by the CSRF walk: the CSRF check reads a form body first, after which the
    queue could not read it as JSON and failed with a 500."""
    with time_machine.travel(family.trip.starts_at + timedelta(hours=3), tick=False):
        urls = {
            family.client_for(family.parent): reverse("journal:sync", args=[family.trip.pk]),
            Client(): reverse("journal:shared_sync", args=[family.share_token]),
        }
        for client, url in urls.items():
            response = client.post(url, {"entries": "bath"})
            assert response.status_code == 400, url
            assert response.json() == {"error": "The request is not JSON."}
    assert not JournalEntry.objects.exclude(pk=family.journal_entry.pk).exists()
