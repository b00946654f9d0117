"""The one unit registry of bisphos and the parser for units as clinicians type them.

Every measured value in bisphos is a Pint quantity of :data:`ureg`. Quantities from another Pint
registry are refused, because Pint cannot compare quantities across registries.

Text such as ``"35 umol/L"``, ``"0.4 mg/dL"``, ``"44 lb"`` or ``"38.9 °C"`` is parsed by
:func:`parse_quantity`. Spellings are matched case-sensitively against a whitelist of unit atoms
(``ML`` is not ``mL``, ``MG`` is not ``mg``) and never handed to Pint's own parser, which would
accept ``gr`` as grains and ``cc`` as cubic centimetres. The prefixes ``u``, ``µ`` (U+00B5),
``μ`` (U+03BC) and ``mc`` all mean micro. A GFR normalised to body surface
(``mL/min/1.73m2``, ``ml/min/1.73 m²``, UCUM ``mL/min/{1.73_m2}``) is recognised as a whole and
becomes the single unit ``mL_min_1_73m2``.

Which unit a field expects, and the per-analyte conversions (creatinine mg/dl to µmol/l and the
like), live in :mod:`bisphos.quantities`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from importlib.resources import files
from typing import Final, NoReturn, TypeAlias, cast

import pint
from pint.facets.plain import PlainUnit

from bisphos.errors import InvalidValueError, MissingUnitError, UnitError, UnknownUnitError

__all__ = [
    "FrozenQuantity",
    "Quantity",
    "Unit",
    "format_quantity",
    "format_unit",
    "is_quantity",
    "magnitude_in",
    "parse_quantity",
    "parse_unit",
    "quantity",
    "ureg",
]


class FrozenQuantity(pint.UnitRegistry.Quantity):  # type: ignore[type-arg]
    """A Pint quantity that cannot be changed once made: the quantities of :data:`ureg`.

    Pint's own scalar arithmetic, in-place operators included, already returns new quantities;
    what would change a quantity in place is refused: the ``ito`` family of conversions and any
    assignment to an attribute that is already set. A value bisphos hands out may then be held by
    several plans at once without one plan (or a plugin) changing what another reads.
    """

    def __new__(cls, value: object, units: object = None) -> FrozenQuantity:
        """Pint's quantity; one of a float and a unit is made as Pint makes it, without its checks.

        Pint's checks are for other inputs (text, arrays, another quantity, a class without a
        registry); of a float and a unit Pint stores the float and the unit's container, as this
        does. A plan makes a few hundred quantities, most of them in Pint's own arithmetic.
        """
        if type(value) is float and hasattr(cls, "_REGISTRY"):
            if isinstance(units, PlainUnit):
                units = units._units
            if type(units) is pint.util.UnitsContainer:
                made = object.__new__(cls)
                object.__setattr__(made, "_magnitude", value)
                object.__setattr__(made, "_units", units)
                return made
        return super().__new__(cls, value, units)  # type: ignore[call-overload,no-any-return]

    def __setattr__(self, name: str, value: object) -> None:
        if name in self.__dict__:
            raise AttributeError(f"a bisphos quantity cannot be changed (attribute {name!r})")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a bisphos quantity cannot be changed (attribute {name!r})")

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        """Refused: a bisphos quantity is never converted in place; ``to()`` makes a new one.

        Raises:
            AttributeError: always.
        """
        raise AttributeError("a bisphos quantity cannot be converted in place: use .to(unit)")

    ito = ito_base_units = ito_root_units = ito_reduced_units = _refuse
    ito_preferred = ito_unprefixed = _refuse


class _Registry(pint.UnitRegistry):  # type: ignore[type-arg]
    """Pint's registry whose quantities are :class:`FrozenQuantity`."""

    Quantity: TypeAlias = FrozenQuantity


#: The registry every bisphos quantity belongs to, built once at import from ``units.txt``.
ureg: Final[pint.UnitRegistry[float]] = _Registry(
    str(files("bisphos").joinpath("units.txt")),
    cache_folder=None,
    autoconvert_offset_to_baseunit=False,
    on_redefinition="raise",
)

#: A Pint quantity of :data:`ureg` with a float magnitude.
Quantity: TypeAlias = "pint.Quantity[float]"
#: A Pint unit of :data:`ureg`.
Unit: TypeAlias = PlainUnit


def magnitude_in(value: Quantity, unit: str | Unit) -> float:
    """Return the magnitude of ``value`` (a quantity of :data:`ureg`) in ``unit``, as a float.

    For code, not for user input: ``unit`` is a registry expression (``"mg"``, ``"mL/h"``) or a
    unit of :data:`ureg`; Pint converts, and raises when the dimensions differ.
    """
    return float(value.m_as(unit))


def quantity(magnitude: float, unit: str | Unit) -> Quantity:
    """Return ``magnitude`` in ``unit`` (a registry name such as ``"kg"`` or ``"umol/L"``).

    For code, not for user input: the unit is parsed by Pint and not checked against the clinical
    whitelist. Use :func:`parse_quantity` for text that comes from people or files.
    """
    return ureg.Quantity(magnitude, unit)


def is_quantity(value: object) -> bool:
    """Return whether ``value`` is a Pint quantity of :data:`ureg`."""
    return isinstance(value, pint.Quantity) and value._REGISTRY is ureg


# Accepted unit atoms, case-sensitive, mapped to registry names. Micro is written ``u`` here;
# ``µ`` and ``μ`` are folded to ``u`` before lookup, ``mc`` has explicit entries.
_ATOMS: Final[dict[str, str]] = {
    # mass
    "kg": "kilogram",
    "g": "gram",
    "mg": "milligram",
    "ug": "microgram",
    "mcg": "microgram",
    "ng": "nanogram",
    "pg": "picogram",
    "lb": "pound",
    "lbs": "pound",
    "oz": "ounce",
    # length
    "m": "meter",
    "cm": "centimeter",
    "mm": "millimeter",
    "in": "inch",
    "inch": "inch",
    # volume
    "l": "liter",
    "L": "liter",
    "dl": "deciliter",
    "dL": "deciliter",
    "ml": "milliliter",
    "mL": "milliliter",
    "ul": "microliter",
    "uL": "microliter",
    "mcl": "microliter",
    "mcL": "microliter",
    # amount of substance
    "mol": "mole",
    "mmol": "millimole",
    "umol": "micromole",
    "mcmol": "micromole",
    "nmol": "nanomole",
    "pmol": "picomole",
    # time
    "s": "second",
    "sec": "second",
    "min": "minute",
    "h": "hour",
    "hr": "hour",
    "d": "day",
    "day": "day",
    "days": "day",
    "wk": "week",
    "week": "week",
    "weeks": "week",
    "mo": "month",
    "month": "month",
    "months": "month",
    "y": "year",
    "yr": "year",
    "year": "year",
    "years": "year",
    # radioactivity
    "Bq": "becquerel",
    "kBq": "kilobecquerel",
    "MBq": "megabecquerel",
    # enzyme and biological activity
    "U": "enzyme_unit",
    "IU": "international_unit",
    # pressure
    "mmHg": "millimeter_Hg",
    "kPa": "kilopascal",
    "%": "percent",
}

# Offset units stand alone: "degC/min" or "2 degC" products are not temperatures.
_TEMPERATURES: Final[dict[str, str]] = {
    "degC": "degree_Celsius",
    "°C": "degree_Celsius",
    "℃": "degree_Celsius",
    "C": "degree_Celsius",
    "celsius": "degree_Celsius",
    "degF": "degree_Fahrenheit",
    "°F": "degree_Fahrenheit",
    "℉": "degree_Fahrenheit",
    "F": "degree_Fahrenheit",
    "fahrenheit": "degree_Fahrenheit",
}

# Whole-expression spellings that are not products of atoms.
_WHOLE: Final[dict[str, str]] = {
    "bpm": "1 / minute",
    "/min": "1 / minute",
    "1/min": "1 / minute",
    "min^-1": "1 / minute",
    "beats/min": "1 / minute",
    "beat/min": "1 / minute",
}

_GFR_UNIT: Final = "mL_min_1_73m2"
_GFR = re.compile(r"^m[lL]/min/(?:\{1\.73_m2\}|1[.,]73(?:m(?:\^2|\*\*2|2)))$")
_SUPERSCRIPTS: Final = str.maketrans({"²": "^2", "³": "^3", "⁹": "^9", "⁻": "^-", "¹": "1"})
_FACTOR = re.compile(r"^(?P<atom>[A-Za-z%]+)(?:(?:\^|\*\*)(?P<exp>-?\d+))?$")
_POWER_OF_TEN = re.compile(r"^[x×]?10(?:\^|\*\*)(?P<exp>9|12)$")
_NUMBER = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?)(?P<unit>.*)$", re.DOTALL
)
# "1,000" could be one thousand or one: a comma followed by exactly three digits is refused.
_AMBIGUOUS_COMMA = re.compile(r",\d{3}(?!\d)")


def _normalise(text: str) -> str:
    unit = text.strip().replace("µ", "u").replace("μ", "u").replace("−", "-")
    # Every pattern below matches white space only: text without any is left as it is.
    spaced = " " in unit or not unit.isprintable()
    if spaced:
        unit = re.sub(r"°\s+([CF])$", r"°\1", unit)
        unit = re.sub(r"\s*/\s*", "/", unit)
        unit = re.sub(r"\s*(\*\*|\^|\*|·)\s*", r"\1", unit)
    unit = unit.translate(_SUPERSCRIPTS)
    return re.sub(r"\s+", " ", unit) if spaced else unit


def _case_hint(part: str) -> str:
    matches = sorted(a for a in (*_ATOMS, *_TEMPERATURES) if a.lower() == part.lower())
    if matches and part not in matches:
        return f" (units are case-sensitive: did you mean {' or '.join(map(repr, matches))}?)"
    return ""


# The unit of each atom, of the registry's definitions; a parse multiplies them.
_ATOM_UNITS: Final[dict[str, pint.util.UnitsContainer]] = {
    atom: ureg.Unit(name)._units for atom, name in _ATOMS.items()
}
_POWERS_OF_TEN: Final[dict[str, pint.util.UnitsContainer]] = {
    exp: ureg.Unit(f"ten_to_the_{exp}")._units for exp in ("9", "12")
}
_DIMENSIONLESS: Final = ureg.dimensionless._units
_GFR_UNITS: Final = ureg.Unit(_GFR_UNIT)._units
_TEMPERATURE_UNITS: Final = {text: ureg.Unit(name)._units for text, name in _TEMPERATURES.items()}
_WHOLE_UNITS: Final = {text: ureg.Unit(name)._units for text, name in _WHOLE.items()}
_FACTOR_SEPARATOR = re.compile(r"[ *·.]")


def _parse_unit_text(text: str) -> Unit:
    unit = _normalise(text)
    if not unit:
        raise MissingUnitError("a unit is required", value=text, expected="e.g. 'kg', 'umol/L'")
    if _GFR.match(unit.replace(" ", "")):
        return ureg.Unit(_GFR_UNITS)
    if unit in _TEMPERATURES:
        return ureg.Unit(_TEMPERATURE_UNITS[unit])
    if unit in _WHOLE:
        return ureg.Unit(_WHOLE_UNITS[unit])
    result = _DIMENSIONLESS
    parts = unit.split("/")
    for index, part in enumerate(parts):
        sign = 1 if index == 0 else -1
        if index == 0 and part in {"", "1"} and len(parts) > 1:
            continue
        for factor in _FACTOR_SEPARATOR.split(part):
            atom = _parse_factor(factor, text)
            result = result * atom if sign == 1 else result / atom
    return ureg.Unit(result)


def _parse_factor(factor: str, text: str) -> pint.util.UnitsContainer:
    power = _POWER_OF_TEN.match(factor)
    if power:
        return _POWERS_OF_TEN[power["exp"]]  # 10^9/L for blood counts
    match = _FACTOR.match(factor)
    if match is None or match["atom"] not in _ATOMS:
        hint = _case_hint(match["atom"] if match else factor)
        raise UnknownUnitError(
            f"unit {factor!r} is not accepted{hint}",
            value=text,
            expected="a unit such as kg, lb, cm, umol/L, mg/dL, mmol/L, degC, mmHg, mL/min/1.73m2",
        )
    atom = _ATOM_UNITS[match["atom"]]
    if not match["exp"]:
        return atom
    return cast("pint.util.UnitsContainer", atom ** int(match["exp"]))


def parse_unit(text: str, *, field: str = "") -> Unit:
    """Parse a unit spelling as clinicians type it into a unit of :data:`ureg`.

    Args:
        text: The unit, e.g. ``"umol/L"``, ``"µmol/l"``, ``"mg/dL"``, ``"ml/min/1.73 m²"``.
        field: The input field, named in errors.

    Raises:
        MissingUnitError: ``text`` is empty.
        UnknownUnitError: a part of ``text`` is not an accepted spelling (``MG``, ``ML``, ``cc``,
            ``gr``, ``KG`` ...).
    """
    try:
        return _parse_unit_text(text)
    except (MissingUnitError, UnknownUnitError) as error:
        raise error.at(field) if field else error from None


def parse_quantity(text: str, *, field: str = "") -> Quantity:
    """Parse ``"<number> <unit>"`` as clinicians type it into a quantity of :data:`ureg`.

    A decimal comma is accepted (``"2,2 mmol/l"``) unless it is followed by exactly three digits,
    which could as well be a thousands separator and is refused. The magnitude must be finite.

    Args:
        text: e.g. ``"20 kg"``, ``"44 lb"``, ``"0.4 mg/dL"``, ``"38.9 degC"``, ``"101.3 °F"``.
        field: The input field, named in errors.

    Raises:
        MissingUnitError: the text is a bare number.
        UnknownUnitError: the unit spelling is not accepted.
        InvalidValueError: the text does not start with a finite number.
    """
    if not isinstance(text, str):
        raise InvalidValueError(
            "a quantity must be text with its unit",
            field=field,
            value=text,
            expected="text such as '20 kg'",
        )
    _check_quantity_text(text, field)
    match = _NUMBER.match(text.strip().replace("−", "-"))
    if match is None:
        raise InvalidValueError(
            "a quantity must start with a number",
            field=field,
            value=text,
            expected="text such as '20 kg' or '35 umol/L'",
        )
    number = match["number"]
    if _AMBIGUOUS_COMMA.search(number):
        raise InvalidValueError(
            "a comma followed by three digits is ambiguous (decimal or thousands separator)",
            field=field,
            value=text,
            expected="a decimal point, e.g. '1.000' or '1000'",
        )
    magnitude = float(number.replace(",", "."))
    if not math.isfinite(magnitude):
        raise InvalidValueError("the number must be finite", field=field, value=text)
    if not match["unit"].strip():
        raise MissingUnitError(
            "a bare number has no unit",
            field=field,
            value=text,
            expected="the number followed by its unit, e.g. '20 kg'",
        )
    try:
        unit = _parse_unit_text(match["unit"])
    except UnitError as error:
        raise type(error)(error.message, field=field, value=text, expected=error.expected) from None
    return ureg.Quantity(magnitude, unit)


#: The longest quantity text accepted, in characters.
MAX_QUANTITY_TEXT: Final = 64


def _check_quantity_text(text: str, field: str) -> None:
    """Refuse quantity text that is too long or holds digits other than ASCII 0-9."""
    if len(text) > MAX_QUANTITY_TEXT:
        raise InvalidValueError(
            f"a quantity of more than {MAX_QUANTITY_TEXT} characters",
            field=field,
            value=text[:40] + "...",
            expected="a number and a unit, such as '20 kg'",
        )
    if not text.isascii():
        for character in text:
            if not character.isascii() and unicodedata.category(character) == "Nd":
                raise InvalidValueError(
                    f"only the ASCII digits 0-9 are accepted in a quantity, not {character!r} "
                    f"(U+{ord(character):04X})",
                    field=field,
                    value=text,
                    expected="a number in the digits 0-9 and a unit, such as '20 kg'",
                )


# The spelling format_unit writes for each registry name: one that parse_unit reads back.
_SPELLING: Final[dict[str, str]] = {
    "kilogram": "kg",
    "gram": "g",
    "milligram": "mg",
    "microgram": "ug",
    "nanogram": "ng",
    "picogram": "pg",
    "pound": "lb",
    "ounce": "oz",
    "meter": "m",
    "centimeter": "cm",
    "millimeter": "mm",
    "inch": "in",
    "liter": "L",
    "deciliter": "dL",
    "milliliter": "mL",
    "microliter": "uL",
    "mole": "mol",
    "millimole": "mmol",
    "micromole": "umol",
    "nanomole": "nmol",
    "picomole": "pmol",
    "second": "s",
    "minute": "min",
    "hour": "h",
    "day": "d",
    "week": "week",
    "month": "month",
    "year": "year",
    "becquerel": "Bq",
    "kilobecquerel": "kBq",
    "megabecquerel": "MBq",
    "enzyme_unit": "U",
    "international_unit": "IU",
    "millimeter_Hg": "mmHg",
    "kilopascal": "kPa",
    "degree_Celsius": "degC",
    "degree_Fahrenheit": "degF",
    "percent": "%",
    "milliliter_per_minute_per_1_73_m2": "mL/min/1.73m2",
    "ten_to_the_9": "10^9",
    "ten_to_the_12": "10^12",
}


def format_unit(unit: Unit) -> str:
    """Write ``unit`` in a spelling that :func:`parse_unit` reads back to the same unit."""
    return _format_units(unit._units)


def _format_units(units: pint.util.UnitsContainer) -> str:
    numerator: list[str] = []
    denominator: list[str] = []
    for name, exponent in sorted(units.unit_items()):
        spelling = _SPELLING.get(name)
        if spelling is None:
            raise InvalidValueError("unit has no accepted spelling", value=str(ureg.Unit(units)))
        if exponent == 1:  # the common case
            numerator.append(spelling)
            continue
        power = float(cast("float", exponent))
        text = spelling if abs(power) == 1 else f"{spelling}^{abs(power):g}"
        (numerator if power > 0 else denominator).append(text)
    if not numerator and not denominator:
        return ""
    head = "*".join(numerator)
    return "/".join([head, *denominator])


def format_quantity(value: Quantity) -> str:
    """Write ``value`` as ``"<magnitude> <unit>"`` that :func:`parse_quantity` reads back exactly.

    The magnitude is written with ``repr``, so the round trip loses no precision.
    """
    return f"{float(value.magnitude)!r} {_format_units(value._units)}"
