"""The .po catalogs read as the tests need them: every entry of every app's locale/ and
the project's, without a library (gettext's format is small)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from django.conf import settings

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
ROOT = Path(settings.BASE_DIR)
# %(name)s, %s, %d… as Python's % operator reads them; %% is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")


@dataclass
class Entry:
    msgid: str
    msgid_plural: str = ""
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    path: Path | None = None

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    nplurals: int = 2

    @property
    def translated(self) -> bool:
        forms = self.nplurals if self.msgid_plural else 1
        return len(self.msgstr) == forms and all(self.msgstr.values()) and not self.fuzzy


def po_files(language: str) -> list[Path]:
    return sorted(ROOT.glob(f"**/locale/{language}/LC_MESSAGES/*.po"))


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file, each with the number of plural forms its header says."""
    found = re.search(r"nplurals=(\d+)", path.read_text(encoding="utf-8"))
    nplurals = int(found.group(1)) if found else 2
    entries: list[Entry] = []
    entry, key, flags = Entry(""), "", set[str]()

    def finish() -> None:
        nonlocal entry, flags
        if entry.msgid:
            entry.flags, entry.path, entry.nplurals = flags, path, nplurals
            entries.append(entry)
        entry, flags = Entry(""), set()

    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#") or not line.strip():
            if (not line.strip() or line.startswith("#~")) and key.startswith("msgstr"):
                finish()
                key = ""
            continue
        elif line.startswith("msgid "):
            if key.startswith("msgstr"):
                finish()
            key, entry.msgid = "msgid", ast.literal_eval(line[6:])
        elif line.startswith("msgid_plural "):
            key, entry.msgid_plural = "msgid_plural", ast.literal_eval(line[13:])
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            key = f"msgstr{index}"
            entry.msgstr[index] = ast.literal_eval(line[line.index("]") + 2 :])
        elif line.startswith("msgstr "):
            key, entry.msgstr[0] = "msgstr0", ast.literal_eval(line[7:])
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if key == "msgid":
                entry.msgid += text
            elif key == "msgid_plural":
                entry.msgid_plural += text
            elif key.startswith("msgstr"):
                entry.msgstr[int(key[6:])] += text
    finish()
    return entries


def catalog(language: str) -> list[Entry]:
    return [entry for path in po_files(language) for entry in read_po(path)]


def placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text) if m.group(0) != "%%"}


def placeholder_problems(entry: Entry) -> list[str]:
    """What a translation's placeholders get wrong: one the English lacks (a KeyError at
    run time) or one it drops. A plural's one-form may leave out the count ("one
    photo"), never another value."""
    problems = []
    wanted = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
    for index, text in entry.msgstr.items():
        if not text:
            continue
        got = placeholders(text)
        if extra := got - wanted:
            problems.append(f"{entry.msgid!r} [{index}]: unknown {sorted(extra)}")
        missing = wanted - got
        # "one photo", "two nights" (Hebrew's dual): the number in words, not the count.
        if entry.msgid_plural and len(missing) == 1 and index < max(entry.msgstr):
            missing = set()
        if missing:
            problems.append(f"{entry.msgid!r} [{index}]: drops {sorted(missing)}")
    return problems
