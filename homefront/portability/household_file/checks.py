"""The refusals of an import: each names the object and the field, and what is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError

from homefront.households.validators import validate_plain_text
from homefront.portability.household_file.schema import TABLES
from homefront.portability.household_file.schema import ImportRefused


def refusal(label: str, field: str | None, problem: str) -> ImportRefused:
    where = f"{label}, field “{field}”" if field else label
    return ImportRefused(f"{where}: {problem} Nothing was imported.")


def broken_rule(label: str, error: ValidationError) -> ImportRefused:
    """Names every field the model refused, with the message a page would show."""
    problems = [
        (None if name == NON_FIELD_ERRORS else name, " ".join(messages))
        for name, messages in error.message_dict.items()
    ]
    field, problem = problems[0]
    others = "".join(
        f" Also “{name}”: {message}" if name else f" Also: {message}"
        for name, message in problems[1:]
    )
    return refusal(label, field, problem + others)


def _plain_strings(value: Any) -> Iterator[str]:
    """Every text inside a value: itself, or the keys and values of a JSON list or object."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _plain_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _plain_strings(item)


def check_plain_text(label: str, field: str, value: Any) -> None:
    """The rule every form applies to every text box, also inside JSON details."""
    for text in _plain_strings(value):
        try:
            validate_plain_text(text)
        except ValidationError as error:
            raise refusal(label, field, " ".join(error.messages)) from None


def check_keys(label: str, item: Any, expected: set[str]) -> None:
    """A key the file lacks is damage; one Homefront does not know would be lost on import."""
    if not isinstance(item, dict):
        raise refusal(label, None, "this is not an object of the file.")
    unknown = sorted(set(item) - expected)
    if unknown:
        raise refusal(label, unknown[0], "Homefront does not know this field, so it would be lost.")
    missing = sorted(expected - set(item))
    if missing:
        raise refusal(label, missing[0], "this field is missing.")


def check_sections(data: dict[str, Any]) -> None:
    groups: dict[str, set[str]] = {}
    for table in TABLES:
        if len(table.path) > 1:
            groups.setdefault(table.path[0], set()).add(table.path[1])
    top = {"format", "version", "household", "people"} | {t.path[0] for t in TABLES}
    check_keys("The file", data, top)
    for group, sections in groups.items():
        check_keys(f"The file's “{group}”", data[group], sections)
    for table in TABLES:
        section: Any = data
        for key in table.path:
            section = section[key]
        if not isinstance(section, list):
            raise refusal(f"The file's “{'.'.join(table.path)}”", None, "this is not a list.")
