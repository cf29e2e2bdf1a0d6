"""Validation rules shared by the models, the forms and (later) the API."""

from __future__ import annotations

import re
from datetime import time
from functools import cache
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# What no text of a person's needs and a page or a database cannot hold: NUL and the other
# control characters (but tab and line breaks), and halves of a UTF-16 pair on their own.
_NOT_PLAIN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def validate_plain_text(value: str) -> None:
    """Refuses invisible control characters (they come with pasted text) and lone
    surrogates (only a program sends those), naming the first one found."""
    found = _NOT_PLAIN_TEXT.search(value)
    if found:
        raise ValidationError(
            "This text has an invisible character (U+%(code)04X) that cannot be saved. "
            "Type the text again rather than pasting it.",
            code="control_character",
            params={"code": ord(found.group())},
        )


_PHONE_ALLOWED = re.compile(r"^\+?[0-9 ()./-]+(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in time_zone_names():
        raise ValidationError(
            "“%(value)s” is not a time zone we know. Pick one from the list, "
            "for example America/New_York.",
            code="unknown_time_zone",
            params={"value": value},
        )


def validate_phone(value: str) -> None:
    # A phone number library would need each household's country to parse
    # local numbers like "505-555-0134"; we only check that it can be dialled.
    # The extension ("x12", "EXT. 12": any case, as the pattern allows) is not counted.
    digits = re.sub(r"\D", "", re.split(r"x|ext", value, maxsplit=1, flags=re.IGNORECASE)[0])
    if not _PHONE_ALLOWED.match(value.strip()) or not 5 <= len(digits) <= 15:
        raise ValidationError(
            _("Enter a phone number with 5 to 15 digits, for example +1 505 555 0134."),
            code="invalid_phone",
        )


_TIME_TOKEN = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)


def parse_times(text: str) -> list[time]:
    """Reads "8:00, 7:30 pm, 20:00" into sorted times; raises on anything else."""
    times: set[time] = set()
    for token in re.split(r"[,;\n]+", text):
        token = token.strip()
        if not token:
            continue
        match = _TIME_TOKEN.match(token)
        if not match:
            raise ValidationError(
                _("“%(token)s” is not a time. Write times like 8:00, 7:30 pm or 19:30."),
                code="invalid_time",
                params={"token": token},
            )
        hour, minute = int(match[1]), int(match[2] or 0)
        meridiem = (match[3] or "").lower().replace(".", "")
        if meridiem:
            if not 1 <= hour <= 12:
                raise ValidationError(
                    _("“%(token)s”: with am or pm the hour is 1 to 12."),
                    code="invalid_time",
                    params={"token": token},
                )
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if hour > 23 or minute > 59:
            raise ValidationError(
                _("“%(token)s” is not a time of day."), code="invalid_time", params={"token": token}
            )
        times.add(time(hour, minute))
    return sorted(times)
