"""Values written for reading, in English or Dutch: numbers, units, dates, lists, yes and no.

Numbers, dates and lists are written by Babel for the language's locale: Dutch has the decimal
comma, day-month-year dates and "a, b en c" (``38,5 °C``, ``23-11-2026``); English keeps the
decimal point and ISO dates, as the library's own messages do. A number is first written as the
shortest plain decimal of its float (no float noise, no exponent), then in the locale's symbols.
Units are written as clinicians write them (``ml``, ``µmol/l``, ``°C``, ``ml/min/1.73 m²``;
Dutch ``uur``, ``IE``, ``jaar``).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Final, Literal

from babel.core import Locale
from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import NumberPattern, parse_pattern

from bisphos.units import Quantity, format_quantity, format_unit, is_quantity

__all__ = [
    "DISPLAY_DECIMALS",
    "DISPLAY_DECIMALS_BY_UNIT",
    "DISPLAY_DIGITS",
    "Language",
    "display_unit",
    "for_people",
    "show",
    "show_number",
    "slug",
]

#: A language of the message catalogue.
Language = Literal["en", "nl"]

_GFR_UNIT: Final = "mL/min/1.73m2"
_COMMON: Final = {
    "mL": "ml",
    "L": "l",
    "dL": "dl",
    "uL": "µl",
    "ug": "µg",
    "umol": "µmol",
    "degC": "°C",
    "degF": "°F",
}
# Per language, each unit atom as (singular, plural).
_BY_LANGUAGE: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "en": {
        "year": ("year", "years"),
        "month": ("month", "months"),
        "week": ("week", "weeks"),
        "d": ("day", "days"),
    },
    "nl": {
        "IU": ("IE", "IE"),
        "h": ("uur", "uur"),
        "year": ("jaar", "jaar"),
        "month": ("maand", "maanden"),
        "week": ("week", "weken"),
        "d": ("dag", "dagen"),
    },
}
_TRUE_FALSE: Final = {"en": ("yes", "no"), "nl": ("ja", "nee")}
#: The date pattern per language (Babel's): ISO in English, the locale's short date in Dutch.
_DATE: Final = {"en": "yyyy-MM-dd", "nl": "short"}
_SLUG: Final = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Return ``text`` as a catalogue key part: lower case, runs of other characters as ``_``.

    ``"labs.vitamin_d_25oh"`` becomes ``labs_vitamin_d_25oh``; ``"19th birthday"`` becomes
    ``n19th_birthday``, so that a key never starts with a digit.
    """
    key = _SLUG.sub("_", text.lower()).strip("_")
    return f"n{key}" if key[:1].isdigit() else key


@functools.cache
def _locale(lang: Language) -> Locale:
    """Babel's locale data of ``lang`` (CLDR), read once."""
    return Locale.parse(lang)


@functools.cache
def _decimals(count: int) -> NumberPattern:
    """The number pattern with exactly ``count`` decimals and no grouping, parsed once."""
    return parse_pattern("0." + "0" * count if count else "0")


#: The decimals a quantity is shown with: the 0.001 to which every threshold of the protocols
#: decides (bisphos.pediatric.thresholds), so that a value shown decides as the exact one did
#: (89.96 ml/min/1.73 m² is shown so, not as 90), and none of the binary noise
#: (114.99999999999999 cm is 115 cm, 19.999999 kg is 20 kg).
DISPLAY_DECIMALS: Final = 3
#: Units shown with more decimals: doses per kg and concentrations (0.0125 mg/kg).
DISPLAY_DECIMALS_BY_UNIT: Final[dict[str, int]] = {"mg/kg": 4, "mg/mL": 4}
#: The significant digits of a plain number (no unit): the figures a person reads, no noise.
DISPLAY_DIGITS: Final = 6


def for_people(value: float, unit: str | None = None) -> float:
    """``value`` as written for people, rounded to its field's display precision.

    A quantity (``unit`` its spelling, ``""`` for a dimensionless one) to
    :data:`DISPLAY_DECIMALS` (or :data:`DISPLAY_DECIMALS_BY_UNIT`), a plain number (``None``) to
    :data:`DISPLAY_DIGITS` significant digits. The one rounding of every displayed number, text
    and JSON, in both languages; a decision record keeps the exact value.
    """
    if not math.isfinite(value):
        return value
    if unit is None:
        return float(f"{value:.{DISPLAY_DIGITS}g}") + 0.0  # + 0.0: no -0.0
    return round(value, DISPLAY_DECIMALS_BY_UNIT.get(unit, DISPLAY_DECIMALS)) + 0.0


def _localise(number: str, lang: Language) -> str:
    """Write a plain decimal (``-12.50``) in the locale's symbols, every digit kept, no grouping.

    Babel writes it (what ``babel.numbers.format_decimal`` does, with its pattern and locale
    parsed once).
    """
    decimals = len(number.partition(".")[2])
    shown: str = _decimals(decimals).apply(Decimal(number), _locale(lang), group_separator=False)
    return shown


def _plain(text: str) -> str:
    """Write a number without exponent and without trailing zeros after the point."""
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def show_number(value: float, lang: Language, spec: str = "") -> str:
    """Write a number: ``spec`` as in :func:`format`, else at most 6 significant digits.

    ``"exact"`` writes the shortest form that reads back to the same float (doses, volumes).
    """
    if isinstance(value, int) and not spec:
        return str(value)
    number = float(value)
    if not math.isfinite(number):
        return repr(number)
    if spec == "exact":
        text = _plain(repr(number))
    elif spec:
        text = format(number, spec)
        text = _plain(text) if "e" in text.lower() else text
    else:
        text = _plain(f"{for_people(number):.{DISPLAY_DIGITS}g}")
    return _localise("0" if text == "-0" else text, lang)


def display_unit(unit: str, lang: Language, magnitude: float = 2.0) -> str:
    """Write a unit of :func:`bisphos.units.format_unit` as clinicians write it.

    Args:
        unit: The library's spelling, e.g. ``"mL/h"`` or ``"umol/L"``.
        lang: The language.
        magnitude: The number it follows, for singular or plural (``1 month``, ``2 months``).
    """
    if unit == _GFR_UNIT:
        return "ml/min/1,73 m²" if lang == "nl" else "ml/min/1.73 m²"
    words = _BY_LANGUAGE[lang]

    def atom(text: str) -> str:
        base, _, power = text.partition("^")
        if base in words:
            singular, plural = words[base]
            base = singular if magnitude == 1 else plural
        else:
            base = _COMMON.get(base, base)
        return f"{base}^{power}" if power else base

    parts = unit.split("/")
    return "/".join("*".join(atom(a) for a in part.split("*")) if part else "" for part in parts)


def _show_quantity(value: Quantity, lang: Language, spec: str) -> str:
    magnitude = float(value.magnitude)
    if spec == "raw" and lang == "en":
        return format_quantity(value)
    number_spec = "exact" if spec == "raw" else spec
    if number_spec not in {"", "exact"}:
        return show_number(magnitude, lang, number_spec)
    unit = format_unit(value.units)
    if not number_spec:
        magnitude = for_people(magnitude, unit)
    number = show_number(magnitude, lang, number_spec)
    return f"{number} {display_unit(unit, lang, magnitude)}" if unit else number


def _show_date(value: dt.date, lang: Language, spec: str) -> str:
    if spec == "iso":
        return value.isoformat()
    return format_date(value, format=_DATE[lang], locale=_locale(lang))


def show(value: object, lang: Language, spec: str = "") -> str:
    """Write ``value`` for reading in ``lang``.

    Args:
        value: A quantity, date, number, flag, text, or a list of them.
        lang: The language.
        spec: ``""`` (readable), ``"exact"`` (every digit), ``"raw"`` (the library's own
            spelling in English), ``"iso"`` (ISO dates), ``"and"`` (a list joined with "and"),
            or a :func:`format` spec for the number alone (``".1f"``, ``"g"``).
    """
    if isinstance(value, Sequence) and not isinstance(value, str):
        if spec == "and":
            return format_list([show(item, lang) for item in value], locale=_locale(lang))
        return ", ".join(show(item, lang, spec) for item in value)
    if isinstance(value, bool):
        yes, no = _TRUE_FALSE[lang]
        return yes if value else no
    if is_quantity(value):
        return _show_quantity(value, lang, spec)  # type: ignore[arg-type]
    if isinstance(value, dt.date):
        return _show_date(value, lang, spec)
    if isinstance(value, int | float):
        return show_number(value, lang, spec)
    return str(value)
