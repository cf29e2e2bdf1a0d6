"""A child's weight and height: stored metric, typed and shown in the household's units.

Weight is kept in grams and height in millimetres, whole numbers, so a household
file carries them exactly and a pound typed today reads back as the same pound.
Pages show the household's units first and the other in brackets: a US sitter
reads "36 lb", the pharmacist's dose chart wants kilograms, and both are on the
card.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP
from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

GRAMS_PER_POUND = Decimal("453.59237")
MM_PER_INCH = Decimal("25.4")

# Wide enough for a premature baby and a grown teenager, narrow enough to catch a
# weight typed in the wrong unit or with a slipped decimal point.
MIN_WEIGHT_GRAMS = 500
MAX_WEIGHT_GRAMS = 150_000
MIN_HEIGHT_MM = 300
MAX_HEIGHT_MM = 2_200
# For the API and imported files, which give grams and millimetres; the profile's form
# says it in the unit the parent typed.
WEIGHT_OUT_OF_RANGE = gettext_lazy(
    "Check the weight: a child weighs between 0.5 and 150 kg (1.1 and 330.7 lb)."
)
HEIGHT_OUT_OF_RANGE = gettext_lazy(
    "Check the height: a child measures between 30 and 220 cm (11.8 and 86.6 inches)."
)
WEIGHT_VALIDATORS = [
    MinValueValidator(MIN_WEIGHT_GRAMS, WEIGHT_OUT_OF_RANGE),
    MaxValueValidator(MAX_WEIGHT_GRAMS, WEIGHT_OUT_OF_RANGE),
]
HEIGHT_VALIDATORS = [
    MinValueValidator(MIN_HEIGHT_MM, HEIGHT_OUT_OF_RANGE),
    MaxValueValidator(MAX_HEIGHT_MM, HEIGHT_OUT_OF_RANGE),
]


class Units(models.TextChoices):
    METRIC = "metric", gettext_lazy("Metric (kg, cm)")
    US = "us", gettext_lazy("US (lb, in)")


# The United States' time zones: the one country where a parent gives a child's weight
# in pounds (Liberia and Myanmar too, rarely met; a parent changes it in the settings).
_US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Anchorage",
    "America/Boise",
    "America/Detroit",
    "America/Indiana/",
    "America/Kentucky/",
    "America/North_Dakota/",
    "America/Juneau",
    "America/Sitka",
    "America/Nome",
    "America/Yakutat",
    "America/Metlakatla",
    "America/Adak",
    "America/Menominee",
    "America/Puerto_Rico",
    "Pacific/Honolulu",
    "US/",
)


def units_for_time_zone(time_zone: str) -> str:
    """The units a new household most likely weighs its children in, from where it lives:
    a guess a parent can change in the household's settings."""
    return Units.US if time_zone.startswith(_US_ZONES) else Units.METRIC


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def grams_from(value: Decimal, units: str) -> int:
    grams = value * GRAMS_PER_POUND if units == Units.US else value * 1000
    return int(grams.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mm_from(value: Decimal, units: str) -> int:
    mm = value * MM_PER_INCH if units == Units.US else value * 10
    return int(mm.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def weight_in(grams: int, units: str) -> Decimal:
    """The weight as the household types it: pounds or kilograms, to a tenth."""
    if units == Units.US:
        return _one_decimal(Decimal(grams) / GRAMS_PER_POUND)
    return _one_decimal(Decimal(grams) / 1000)


def height_in(mm: int, units: str) -> Decimal:
    """The height as the household types it: inches or centimetres, to a tenth."""
    if units == Units.US:
        return _one_decimal(Decimal(mm) / MM_PER_INCH)
    return _one_decimal(Decimal(mm) / 10)


def _kilograms(grams: int) -> str:
    return _("%(kg)s kg") % {"kg": _trim(weight_in(grams, Units.METRIC))}


def _pounds(grams: int) -> str:
    return _("%(lb)s lb") % {"lb": _trim(weight_in(grams, Units.US))}


def _centimetres(mm: int) -> str:
    return _("%(cm)s cm") % {"cm": _trim(height_in(mm, Units.METRIC))}


def _feet_and_inches(mm: int) -> str:
    inches = int((Decimal(mm) / MM_PER_INCH).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    feet, rest = divmod(inches, 12)
    if not feet:
        return _("%(inches)d in") % {"inches": rest}
    return _("%(feet)d ft %(inches)d in") % {"feet": feet, "inches": rest}


def weight_label(grams: int, units: str) -> str:
    """ "16.3 kg (35.9 lb)", the household's unit first."""
    first, second = (_pounds, _kilograms) if units == Units.US else (_kilograms, _pounds)
    return f"{first(grams)} ({second(grams)})"


def height_label(mm: int, units: str) -> str:
    """ "104 cm (3 ft 5 in)", the household's unit first."""
    if units == Units.US:
        return f"{_feet_and_inches(mm)} ({_centimetres(mm)})"
    return f"{_centimetres(mm)} ({_feet_and_inches(mm)})"


def weight_range(units: str) -> str:
    low, high = weight_in(MIN_WEIGHT_GRAMS, units), weight_in(MAX_WEIGHT_GRAMS, units)
    if units == Units.US:
        return _("between %(low)s and %(high)s lb") % {"low": _trim(low), "high": _trim(high)}
    return _("between %(low)s and %(high)s kg") % {"low": _trim(low), "high": _trim(high)}


def height_range(units: str) -> str:
    low, high = height_in(MIN_HEIGHT_MM, units), height_in(MAX_HEIGHT_MM, units)
    if units == Units.US:
        return _("between %(low)s and %(high)s inches") % {
            "low": _trim(low.quantize(Decimal(1))),
            "high": _trim(high.quantize(Decimal(1))),
        }
    return _("between %(low)s and %(high)s cm") % {"low": _trim(low), "high": _trim(high)}
