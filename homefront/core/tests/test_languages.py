"""Homefront in English, Spanish and Hebrew: complete catalogs with sound placeholders,
each person's language and each share link's, English for anything unknown, and no
English left on any page a parent, a caregiver or a share link opens in Spanish or
Hebrew."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from homefront import i18n
from homefront.core.tests import catalogs
from homefront.core.tests.test_access_matrix import SESSION_ENDPOINTS
from homefront.core.tests.test_access_matrix import during_the_trip
from homefront.core.tests.test_access_matrix import household_rows
from homefront.core.tests.test_access_matrix import url_for
from homefront.handoff.models import ShareLink
from homefront.households.tests import test_isolation

family = test_isolation.family
SCREENSHOTS = Path(__file__).resolve().parents[3] / "screenshots"  # git-ignored


# -- The catalogs ----------------------------------------------------------------------


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_every_message_has_a_translation(language):
    missing = [
        f"{entry.path.relative_to(catalogs.ROOT)}: {entry.msgid!r}"  # type: ignore[union-attr]
        for entry in catalogs.catalog(language)
        if not entry.translated
    ]
    assert catalogs.po_files(language), f"no {language} catalog"
    assert not missing, f"{len(missing)} without a {language} translation:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_every_translation_keeps_the_placeholders(language):
    problems = [
        p for entry in catalogs.catalog(language) for p in catalogs.placeholder_problems(entry)
    ]
    assert not problems, "\n".join(problems)


BROKEN = """msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#, python-format
msgid "Welcome, %(name)s."
msgstr "Bienvenida, %(nombre)s."
"""


def test_a_broken_placeholder_is_caught_before_any_page_shows_it(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(BROKEN, encoding="utf-8")
    [entry] = catalogs.read_po(po)
    assert catalogs.placeholder_problems(entry) == [
        "'Welcome, %(name)s.' [0]: unknown ['%(nombre)s']",
        "'Welcome, %(name)s.' [0]: drops ['%(name)s']",
    ]
    # compilemessages (msgfmt --check-format) refuses it too: no .mo is made from it.
    checked = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(tmp_path / "django.mo"), str(po)],
        capture_output=True,
        text=True,
    )
    assert checked.returncode != 0
    assert "argument 'name' doesn't exist in 'msgstr'" in checked.stderr


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_the_compiled_catalogs_are_those_of_the_po_files(language, tmp_path):
    """The committed .mo files (what Django reads) are made from the .po files as they
    are: `make messages` was run after the last change of a translation."""
    assert shutil.which("msgfmt"), "msgfmt is missing: apt-get install gettext"
    for po in catalogs.po_files(language):
        fresh = tmp_path / "fresh.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(po)], check=True)
        assert fresh.read_bytes() == po.with_suffix(".mo").read_bytes(), f"{po}: run make messages"


# -- Whose language ----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["", "xx", "klingon", "es-MX-x-unknown!", "zz-ZZ", "en-GB"])
def test_an_unknown_language_code_is_english(code):
    assert i18n.or_default(code) == ("en" if code != "es-MX-x-unknown!" else "es")


@pytest.mark.django_db
def test_the_browser_language_speaks_to_someone_signed_out():
    login = reverse("accounts:login")
    spanish = Client(headers={"accept-language": "es-MX,es;q=0.9,en;q=0.5"}).get(login)
    hebrew = Client(headers={"accept-language": "he-IL"}).get(login)
    nonsense = Client(headers={"accept-language": "xx-YY, ;q=abc, klingon"}).get(login)

    assert '<html lang="es" dir="ltr"' in spanish.content.decode()
    assert "Iniciar sesión" in spanish.content.decode()
    assert '<html lang="he" dir="rtl"' in hebrew.content.decode()
    assert nonsense.status_code == 200
    assert '<html lang="en" dir="ltr"' in nonsense.content.decode()
    assert spanish["Content-Language"] == "es"
    assert "Accept-Language" in spanish["Vary"]


def test_the_account_language_wins_over_the_browser_and_a_bad_one_is_english(family):
    client = family.client_for(family.parent)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "es"
    assert "Perfil" in client.get(reverse("households:profile")).content.decode()

    family.parent.language = "he"
    family.parent.save(update_fields=["language"])
    page = client.get(reverse("households:profile")).content.decode()
    assert '<html lang="he" dir="rtl"' in page

    family.parent.language = "tlh"  # not one of ours: written past the form
    family.parent.save(update_fields=["language"])
    page = client.get(reverse("households:profile"))
    assert page.status_code == 200
    assert '<html lang="es"' in page.content.decode()  # the browser's, as if none was chosen
    # and the request after it is not left in another request's language
    assert translation.get_language() in (None, "en", "en-us")


def test_the_account_page_sets_the_language(family):
    client = family.client_for(family.parent)
    page = client.get(reverse("accounts:account")).content.decode()
    assert '<option value="he">עברית</option>' in page
    data = {"name": "Pat Parent", "phone": "", "time_zone": "", "language": "es"}
    assert client.post(reverse("accounts:account"), data).status_code == 302
    family.parent.refresh_from_db()
    assert family.parent.language == "es"
    assert "Tu cuenta" in client.get(reverse("accounts:account")).content.decode()
    refused = client.post(reverse("accounts:account"), {**data, "language": "xx"})
    assert refused.status_code == 422
    family.parent.refresh_from_db()
    assert family.parent.language == "es"


def test_a_spanish_share_link_speaks_spanish_while_the_parent_stays_english(family):
    ShareLink.objects.filter(pk=family.share_link.pk).update(language="es")
    parent = family.client_for(family.parent)
    token = family.share_token
    with during_the_trip(family):
        brief = Client().get(reverse("handoff:shared_brief", args=[token])).content.decode()
        log = Client().get(reverse("journal:shared_log", args=[token])).content.decode()
        pdf = Client().get(reverse("handoff:shared_brief_pdf", args=[token]))
        own = parent.get(reverse("handoff:brief", args=[family.trip.pk])).content.decode()
        # a parent opening the caregiver's link sees it as the caregiver does
        through_link = parent.get(reverse("handoff:shared_brief", args=[token])).content.decode()

    assert '<html lang="es"' in brief
    assert "A quién llamar" in brief
    assert '<html lang="es"' in log
    assert "Anotar el día" in log
    assert "A quién llamar" in pdf_text(pdf.content)
    assert '<html lang="en"' in own
    assert "Who to call" in own
    assert "A quién llamar" in through_link


def test_the_share_link_form_chooses_the_language(family):
    parent = family.client_for(family.parent)
    url = reverse("handoff:share_links", args=[family.trip.pk])
    response = parent.post(url, {"label": "Abuela", "language": "es", "days_after": 1})
    assert response.status_code == 302
    created = parent.get(url).content.decode()
    link = ShareLink.objects.get(label="Abuela")
    assert link.language == "es"
    assert "Hola, Abuela: aquí tienes todo sobre los niños" in created
    assert parent.post(url, {"label": "X", "language": "tlh", "days_after": 1}).status_code == 422
    assert not ShareLink.objects.filter(label="X").exists()


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_hebrew_brief_pdf_reads_back_in_hebrew(family):
    ShareLink.objects.filter(pk=family.share_link.pk).update(language="he")
    with during_the_trip(family):
        response = Client().get(reverse("handoff:shared_brief_pdf", args=[family.share_token]))
    text = pdf_text(response.content)
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / "brief-he.pdf").write_bytes(response.content)  # to look at
    assert "למי להתקשר" in text  # "Who to call"
    assert "הבית" in text  # "The house"
    assert "עמוד" in text  # the footer's "page 1 of 2"
    assert "מתוך" in text
    fonts = subprocess.run(
        ["pdffonts", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "Noto-Sans-Hebrew" in fonts  # the vendored font, not whatever the machine has


# -- No English left on the pages -----------------------------------------------------------


class VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes and labels, not scripts or styles."""

    SPOKEN = ("aria-label", "placeholder", "title", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self.hidden += 1
        self.parts += [value for name, value in attrs if name in self.SPOKEN and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return re.sub(r"\s+", " ", " ".join(parser.parts))


def english_phrases(language: str, data: str) -> dict[str, str]:
    """Each English message id's literal pieces (what a page shows of it with its values
    filled in), for those translated into something else; pieces the household's own
    data contains are left out, as are bare format strings."""
    phrases: dict[str, str] = {}
    for entry in catalogs.catalog(language):
        if entry.msgstr.get(0) == entry.msgid:
            continue  # a name, the same in every language ("Homefront", "PDF")
        for text in (entry.msgid, entry.msgid_plural):
            for piece in re.split(r"%\(\w+\)[sd]|%[sd]|<[^>]+>", text):
                piece = re.sub(r"\s+", " ", piece.replace("&amp;", "&")).strip(" .,:;·—–()")
                if len(re.findall(r"[A-Za-z]", piece)) >= 4 and piece not in data:
                    phrases[piece] = entry.msgid
    return phrases


def household_data(family: Any) -> str:
    values = [family.parent.name, family.caregiver.name, family.household.name]
    for rows in household_rows(family).values():
        for row in rows:
            values += [str(v) for v in row.values()]
    return "\n".join(values)


def english_on(page: str, phrases: dict[str, str], same: list[str]) -> list[str]:
    """The English phrases on a page, each with what surrounds it; names that are the same
    in every language ("Google Calendar") are not English to find."""
    text = VisibleText.of(page)
    for name in same:
        text = text.replace(name, " ")
    found = []
    for phrase in phrases:
        if hit := re.search(rf"(?<![\w'’]){re.escape(phrase)}(?![\w'’])", text):
            found.append(f"{phrase!r} in “…{text[max(0, hit.start() - 30) : hit.end() + 30]}…”")
    return sorted(found)


def same_in(language: str) -> list[str]:
    names = {e.msgid for e in catalogs.catalog(language) if e.msgstr.get(0) == e.msgid}
    names |= {"Home Assistant"}  # a product's name in a sentence
    return sorted((n for n in names if "%" not in n and len(n) > 3), key=len, reverse=True)


def untranslated_field_labels() -> list[str]:
    """Labels and help a model gives its fields in plain English: a form built from the
    model shows them as they are in every language, which no page crawl finds, since
    they are in no catalog. A label Django makes from the field's name is left to
    the forms (they name every field they show)."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("homefront."):
            continue
        for field in model._meta.concrete_fields:
            label, help_text = field.verbose_name, field.help_text
            made = field.name.replace("_", " ") if not field.primary_key else "ID"
            if not isinstance(label, Promise) and label != made:
                found.append(f"{model.__name__}.{field.name} label {label!r}")
            if help_text and not isinstance(help_text, Promise):
                found.append(f"{model.__name__}.{field.name} help {help_text!r}")
    return found


def test_every_label_a_model_gives_a_field_is_translated():
    assert untranslated_field_labels() == []


@pytest.mark.parametrize(
    ("path", "english", "language"),
    [
        ("accounts:account", "Your phone", "he"),
        ("households:settings", "Units for weight and height", "es"),
    ],
)
def test_a_label_from_the_model_speaks_the_members_language(family, path, english, language):
    family.parent.language = language
    family.parent.save(update_fields=["language"])
    page = family.client_for(family.parent).get(reverse(path))
    assert page.status_code == 200
    assert english not in page.content.decode()


@pytest.mark.parametrize(
    ("language", "every_day", "monday"), [("es", "todos los días", "lun"), ("he", "כל יום", "ב׳")]
)
def test_a_routine_s_days_speak_the_members_language(family, language, every_day, monday):
    """The days come from the model, not a template, so the page crawl cannot see them."""
    family.parent.language = language
    family.parent.save(update_fields=["language"])
    client = family.client_for(family.parent)
    child = client.get(reverse("households:child", args=[family.child.pk])).content.decode()
    form = client.get(reverse("households:routine_edit", args=[family.routine.pk]))
    assert f"· {every_day}" in child
    assert "every day" not in child
    assert monday in form.content.decode()
    assert not re.search(r"\bMon\b", form.content.decode())


@pytest.mark.parametrize("language", catalogs.LANGUAGES)
def test_no_english_on_any_page_in_spanish_and_hebrew(family, language):
    """Every page a parent and the caregiver in charge open, and the share link's pages."""
    for person in (family.parent, family.caregiver):
        person.language = language
        person.save(update_fields=["language"])
    ShareLink.objects.filter(pk=family.share_link.pk).update(language=language)
    phrases = english_phrases(language, household_data(family))
    same = same_in(language)
    clients = {
        "parent": family.client_for(family.parent),
        "carer": family.client_for(family.caregiver),
    }
    found: dict[str, list[str]] = {}
    seen = 0
    with during_the_trip(family):
        for endpoint in SESSION_ENDPOINTS:
            url = url_for(family, endpoint)
            for actor, client in clients.items():
                if (
                    endpoint.name.startswith(("handoff:shared", "journal:shared"))
                    and actor == "carer"
                ):
                    continue  # a share link is the same page whoever holds it
                cache.clear()
                response = client.get(url)
                if response.status_code != 200 or "text/html" not in response.get(
                    "Content-Type", ""
                ):
                    continue
                seen += 1
                page = response.content.decode()
                assert f'<html lang="{language}"' in page or "<html" not in page, url
                if english := english_on(page, phrases, same):
                    found[f"{actor} {endpoint.name}"] = english
    assert seen > 40, f"only {seen} pages opened"
    report = "\n".join(f"{where}: {'; '.join(english)}" for where, english in sorted(found.items()))
    assert not found, f"English left in {language}:\n{report}"


# -- Messages in the recipient's language ---------------------------------------------------


def test_the_caregivers_email_arrives_in_the_share_links_language(family, settings):
    """The backup caregiver hears "can you take over?" in Spanish, the language the parent
    chose for their link, at a real mail server; the parent's own messages stay English."""
    from homefront.households.models import Contact
    from homefront.notify import plan
    from homefront.notify.delivery import deliver_due
    from homefront.notify.models import Channel
    from homefront.notify.models import ChannelKind
    from homefront.testing.receivers import smtp_server
    from homefront.trips.models import Cover

    abuela = Contact.objects.create(
        household=family.household, name="Abuela Rosa", email="rosa@example.com"
    )
    ShareLink.issue(family.trip, family.parent, label="Abuela Rosa", contact=abuela, language="es")
    Cover.objects.update_or_create(
        household=family.household,
        night=family.trip.nights_list[0],
        defaults={"contact": abuela, "member": None},
    )
    Channel.objects.create(
        household=family.household, contact=abuela, kind=ChannelKind.EMAIL, target=abuela.email
    )
    parents_email = Channel.objects.create(
        household=family.household,
        user=family.parent,
        kind=ChannelKind.EMAIL,
        target="pat@example.com",
    )

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_USE_TLS = "127.0.0.1", False
    with smtp_server() as (mailbox, port), during_the_trip(family):
        settings.EMAIL_PORT = port
        plan.leave_now(family.trip, "https://home.example/s/token/")
        plan.trial_message(parents_email, "hello")
        deliver_due("w1")
        letters = {letter["To"]: letter for letter in mailbox.received}

    spanish = letters["rosa@example.com"]
    assert spanish["Subject"] == "¿Puedes quedarte con los niños? Es urgente"
    body = spanish.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "tiene que irse ahora; vuelve el" in body
    assert "Te han elegido para cuidar de los niños" in body
    assert letters["pat@example.com"]["Subject"] == "A test from Homefront"
