"""A phone number as a tel: link dials it: in E.164, the household's country where the
number was written without one."""

from __future__ import annotations

import pytest

from homefront.core.places import country_of
from homefront.core.places import e164


@pytest.mark.parametrize(
    ("written", "zone", "dialled"),
    [
        ("617 555 0111", "America/New_York", "+16175550111"),
        ("(619) 555-0142", "America/Los_Angeles", "+16195550142"),
        ("1 505 555 0134", "America/Denver", "+15055550134"),
        ("020 7946 0000", "Europe/London", "+442079460000"),
        ("06 12 34 56 78", "Europe/Paris", "+33612345678"),
        ("052-555-1234", "Asia/Jerusalem", "+972525551234"),
        ("+1 619 555 0142", "", "+16195550142"),
        ("+44 20 7946 0000", "America/Denver", "+442079460000"),
        ("0044 20 7946 0000", "America/New_York", "+442079460000"),
        ("(619) 555-0142 x12", "America/Los_Angeles", "+16195550142;ext=12"),
    ],
)
def test_a_number_is_dialled_in_e164(written, zone, dialled):
    assert e164(written, zone) == dialled


def test_a_number_without_a_country_or_a_known_zone_keeps_its_digits():
    assert e164("555 0134", "") == "5550134"
    assert e164("555 0134", "Mars/Olympus") == "5550134"


@pytest.mark.parametrize(
    ("zone", "country"),
    [("America/Denver", "US"), ("Europe/Lisbon", "PT"), ("Asia/Jerusalem", "IL"), ("UTC", "")],
)
def test_a_zone_names_its_country(zone, country):
    assert country_of(zone) == country
