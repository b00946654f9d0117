"""What each kind of measured value is expected in, and the per-analyte conversions.

A :class:`QuantityKind` says, for one kind of value (a weight, a creatinine, a temperature), which
canonical unit bisphos stores it in, which units it accepts, and which conversions across
dimensions are allowed for that analyte only. Creatinine in mg/dl becomes µmol/l by the factor 88.4
*because it is creatinine*; the registry itself knows no equivalence between mass and amount of
substance, or between international units and micrograms.

Every value entering the model passes :meth:`QuantityKind.conform`, which parses text, refuses
quantities of another registry, NaN and infinities, checks the units and returns the value in the
canonical unit. Rules then compare canonical magnitudes, so a decision cannot depend on the unit
the input came in (invariant 7 of the rule catalogue).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Final

import attrs
import pint

from bisphos.errors import (
    DimensionError,
    ImplausibleValueError,
    InvalidValueError,
    MissingUnitError,
)
from bisphos.units import (
    Quantity,
    Unit,
    format_unit,
    is_quantity,
    magnitude_in,
    parse_quantity,
    ureg,
)

__all__ = [
    "AGE",
    "ALBUMIN",
    "ALKALINE_PHOSPHATASE",
    "BLOOD_PRESSURE",
    "CALCIUM",
    "CALCIUM_DOSE",
    "CLEARANCE",
    "CONCENTRATION",
    "CREATININE",
    "DOSE",
    "DOSE_PER_KG",
    "DURATION",
    "GFR",
    "HAEMOGLOBIN",
    "HEART_RATE",
    "HEIGHT",
    "INFUSION_RATE",
    "NEUTROPHILS",
    "PHOSPHATE",
    "PLATELETS",
    "PTH",
    "RADIOACTIVITY",
    "RADIOACTIVITY_PER_KG",
    "TEMPERATURE",
    "UREA",
    "VITAMIN_D_25OH",
    "VITAMIN_D_DOSE",
    "VOLUME",
    "WEIGHT",
    "Conversion",
    "QuantityKind",
]

_FROZEN: Final = ureg.Quantity

_MASS = frozenset(
    {"kilogram", "gram", "milligram", "microgram", "nanogram", "picogram", "pound", "ounce"}
)
# Each field its own list (the unit part of P-WEIGHT-PLAUSIBLE): dimension alone is not enough,
# "500000 mg" is no body weight and "0.02 kg" no dose.
#: A body weight: kg, g or lb; never mg or µg.
_BODY_MASS = frozenset({"kilogram", "gram", "pound"})
#: A drug dose: mg, µg or g.
_DRUG_MASS = frozenset({"milligram", "microgram", "gram"})
#: The mass in a laboratory concentration: g, mg, µg, ng, pg (never kg or lb).
_LAB_MASS = frozenset({"gram", "milligram", "microgram", "nanogram", "picogram"})
_LENGTH = frozenset({"meter", "centimeter", "millimeter", "inch"})
_VOLUME = frozenset({"liter", "deciliter", "milliliter", "microliter"})
_SUBSTANCE = frozenset({"mole", "millimole", "micromole", "nanomole", "picomole"})
_TIME = frozenset({"second", "minute", "hour", "day", "week", "month", "year"})
_ACTIVITY = frozenset({"becquerel", "kilobecquerel", "megabecquerel"})
_COUNTS = frozenset({"ten_to_the_9", "ten_to_the_12"})


@attrs.frozen
class Conversion:
    """A conversion into a kind's canonical unit that holds for one analyte only.

    Attributes:
        from_unit: The unit the factor applies to, e.g. mg/dl for creatinine.
        factor: How many canonical units one ``from_unit`` is, e.g. 88.4 (µmol/l per mg/dl).
        source: Where the factor comes from (molar mass, label, guideline).
    """

    from_unit: Unit
    factor: float
    source: str


@attrs.frozen
class QuantityKind:
    """One kind of measured value: its canonical unit, accepted units and analyte conversions.

    Attributes:
        name: Short name used in messages, e.g. ``"creatinine"``.
        canonical: The unit values are stored and compared in.
        units: Registry unit names a value of this kind may be written with. Dimension alone is
            not enough: a heart rate and a radioactivity are both per time.
        conversions: Cross-dimension conversions valid for this analyte only.
    """

    name: str
    canonical: Unit
    units: frozenset[str]
    conversions: tuple[Conversion, ...] = ()
    # Whether the canonical unit is among the accepted ones, read once from ``canonical``.
    _canonical_accepted: bool = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        accepted = self.canonical._units.keys() <= self.units
        object.__setattr__(self, "_canonical_accepted", accepted)

    @property
    def expected(self) -> str:
        """The accepted units, in words, for error messages."""
        alternatives = [format_unit(self.canonical)]
        alternatives += [format_unit(c.from_unit) for c in self.conversions]
        accepted = ", ".join(sorted(format_unit(ureg.Unit(name)) for name in self.units))
        return f"a {self.name} in {' or '.join(alternatives)} (units accepted: {accepted})"

    def conform(self, value: object, *, field: str) -> Quantity:
        """Return ``value`` as a quantity in this kind's canonical unit.

        Args:
            value: A quantity of :data:`bisphos.units.ureg`, or text such as ``"0.4 mg/dL"``.
            field: The input field, named in errors.

        Raises:
            MissingUnitError: ``value`` is a bare number.
            InvalidValueError: ``value`` is of another type, or a quantity of another registry,
                or its magnitude is not a real number.
            ImplausibleValueError: the magnitude is NaN or infinite.
            DimensionError: the unit does not fit this kind.
            UnknownUnitError: text whose unit spelling is not accepted.
        """
        given = self._as_quantity(value, field=field)
        magnitude = self._canonical_magnitude(given, value, field)
        same = given._units == self.canonical._units
        if same and type(given) is _FROZEN and type(given.magnitude) is float:
            return given  # already what it would become: a quantity cannot be changed
        return ureg.Quantity(magnitude, self.canonical)

    def of(self, magnitude: float) -> Quantity:
        """Return ``magnitude``, a magnitude in this kind's canonical unit, as a quantity.

        For the library's own results, computed on canonical magnitudes: nothing is converted.
        """
        return ureg.Quantity(magnitude, self.canonical)

    def magnitude(self, value: object, *, field: str) -> float:
        """Return ``value`` as a float in this kind's canonical unit (see :meth:`conform`)."""
        return self._canonical_magnitude(self._as_quantity(value, field=field), value, field)

    def _canonical_magnitude(self, given: Quantity, value: object, field: str) -> float:
        """The magnitude of a checked quantity in the canonical unit, or a DimensionError."""
        if self._canonical_accepted and given._units == self.canonical._units:
            return float(given.magnitude)
        if {name for name, _ in given.unit_items()} <= self.units:
            if given.dimensionality == self.canonical.dimensionality:
                return float(given.m_as(self.canonical))
            for conversion in self.conversions:
                if given.dimensionality == conversion.from_unit.dimensionality:
                    return magnitude_in(given, conversion.from_unit) * conversion.factor
        raise DimensionError(
            f"unit {format_unit(given.units)!r} does not fit a {self.name}",
            field=field,
            value=str(value),
            expected=self.expected,
        )

    def _as_quantity(self, value: object, *, field: str) -> Quantity:
        given: Quantity
        if isinstance(value, pint.Quantity):
            if not is_quantity(value):
                raise InvalidValueError(
                    "a quantity of another Pint registry cannot be compared",
                    field=field,
                    value=str(value),
                    expected="a quantity of bisphos.units.ureg",
                )
            given = value
        elif isinstance(value, str):
            given = parse_quantity(value, field=field)
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InvalidValueError(
                "not a quantity", field=field, value=value, expected=self.expected
            )
        else:
            raise MissingUnitError(
                "a bare number has no unit", field=field, value=value, expected=self.expected
            )
        magnitude = given.magnitude
        if isinstance(magnitude, bool) or not isinstance(magnitude, (int, float)):
            raise InvalidValueError(
                "the magnitude must be a real number",
                field=field,
                value=str(value),
                expected=self.expected,
            )
        if not math.isfinite(magnitude):
            raise ImplausibleValueError(
                "the value must be finite", field=field, value=str(value), expected=self.expected
            )
        return given


def _kind(
    name: str, canonical: str, units: Iterable[frozenset[str]], *conversions: Conversion
) -> QuantityKind:
    return QuantityKind(
        name=name,
        canonical=ureg.Unit(canonical),
        units=frozenset().union(*units),
        conversions=conversions,
    )


def _per_analyte(from_unit: str, factor: float, source: str) -> Conversion:
    return Conversion(from_unit=ureg.Unit(from_unit), factor=factor, source=source)


#: Body weight, stored in kg.
WEIGHT: Final = _kind("body weight", "kilogram", [_BODY_MASS])
#: Body height (length), stored in cm.
HEIGHT: Final = _kind("body height", "centimeter", [_LENGTH])
#: An age or a time span in years (Julian years of 365.25 days).
AGE: Final = _kind("age", "year", [_TIME])
#: A duration such as an infusion time, stored in hours.
DURATION: Final = _kind("duration", "hour", [_TIME])
#: Body temperature, stored in °C; °F is converted as an offset unit.
TEMPERATURE: Final = _kind(
    "temperature", "degree_Celsius", [frozenset({"degree_Celsius", "degree_Fahrenheit"})]
)
#: Heart rate, stored per minute.
HEART_RATE: Final = _kind("heart rate", "1 / minute", [_TIME])
#: Systolic or diastolic blood pressure, stored in mmHg.
BLOOD_PRESSURE: Final = _kind(
    "blood pressure", "millimeter_Hg", [frozenset({"millimeter_Hg", "kilopascal"})]
)
#: GFR normalised to body surface, in ml/min/1.73 m² (pediatric, Schwartz).
GFR: Final = _kind(
    "GFR normalised to 1.73 m²",
    "milliliter_per_minute_per_1_73_m2",
    [frozenset({"milliliter_per_minute_per_1_73_m2"})],
)
#: Creatinine clearance not normalised to body surface, in ml/min (adult, Cockcroft-Gault).
CLEARANCE: Final = _kind("creatinine clearance", "milliliter / minute", [_VOLUME, _TIME])
#: A drug dose by mass, stored in mg.
DOSE: Final = _kind("dose", "milligram", [_DRUG_MASS])
#: A dose per kg body weight, stored in mg/kg.
DOSE_PER_KG: Final = _kind(
    "dose per kg", "milligram / kilogram", [_DRUG_MASS, frozenset({"kilogram"})]
)
#: A volume of infusion fluid, stored in ml.
VOLUME: Final = _kind("volume", "milliliter", [_VOLUME])
#: A pump rate, stored in ml/h.
INFUSION_RATE: Final = _kind("infusion rate", "milliliter / hour", [_VOLUME, _TIME])
#: A drug concentration in solution, stored in mg/ml.
CONCENTRATION: Final = _kind("concentration", "milligram / milliliter", [_DRUG_MASS, _VOLUME])
#: Radioactivity (radium-223), stored in kBq.
RADIOACTIVITY: Final = _kind("radioactivity", "kilobecquerel", [_ACTIVITY])
#: Radioactivity per kg body weight, stored in kBq/kg.
RADIOACTIVITY_PER_KG: Final = _kind(
    "radioactivity per kg", "kilobecquerel / kilogram", [_ACTIVITY, _BODY_MASS]
)
#: A daily vitamin D (cholecalciferol) dose, stored in IU; 1 µg = 40 IU.
VITAMIN_D_DOSE: Final = _kind(
    "vitamin D dose",
    "international_unit",
    [_DRUG_MASS, frozenset({"international_unit"})],
    _per_analyte("microgram", 40.0, "cholecalciferol: 1 IU = 0.025 µg (WHO)"),
)
#: An elemental calcium dose, stored in mg.
CALCIUM_DOSE: Final = _kind("calcium dose", "milligram", [_DRUG_MASS])

_LAB = (_LAB_MASS, _VOLUME, _SUBSTANCE)

#: Total serum calcium, stored in mmol/l; mg/dl x 0.2495.
CALCIUM: Final = _kind(
    "total calcium",
    "millimole / liter",
    _LAB,
    _per_analyte("milligram / deciliter", 0.2495, "calcium, molar mass 40.08 g/mol"),
)
#: Serum phosphate, stored in mmol/l; mg/dl (as phosphorus) x 0.3229.
PHOSPHATE: Final = _kind(
    "phosphate",
    "millimole / liter",
    _LAB,
    _per_analyte("milligram / deciliter", 0.3229, "phosphorus, molar mass 30.97 g/mol"),
)
#: Alkaline phosphatase activity, stored in U/l; IU/l is the same unit for an enzyme.
ALKALINE_PHOSPHATASE: Final = _kind(
    "alkaline phosphatase",
    "enzyme_unit / liter",
    [_VOLUME, frozenset({"enzyme_unit", "international_unit"})],
    _per_analyte("international_unit / liter", 1.0, "enzyme activity: 1 IU = 1 U = 1 µmol/min"),
)
#: Serum urea, stored in mmol/l. Mass units are refused: mg/dl may mean urea or urea nitrogen.
UREA: Final = _kind("urea", "millimole / liter", [_VOLUME, _SUBSTANCE])
#: Serum creatinine, stored in µmol/l; mg/dl x 88.4 (as the guideline's Schwartz formula needs).
CREATININE: Final = _kind(
    "creatinine",
    "micromole / liter",
    _LAB,
    _per_analyte("milligram / deciliter", 88.4, "creatinine, molar mass 113.12 g/mol (P-GFR)"),
)
#: Serum albumin, stored in g/l.
ALBUMIN: Final = _kind("albumin", "gram / liter", [_LAB_MASS, _VOLUME])
#: 25-OH vitamin D, stored in nmol/l; ng/ml x 2.496.
VITAMIN_D_25OH: Final = _kind(
    "25-OH vitamin D",
    "nanomole / liter",
    _LAB,
    _per_analyte("nanogram / milliliter", 2.496, "25-OH vitamin D3, molar mass 400.64 g/mol"),
)
#: Parathyroid hormone (1-84), stored in pmol/l; pg/ml x 0.106.
PTH: Final = _kind(
    "PTH",
    "picomole / liter",
    _LAB,
    _per_analyte("picogram / milliliter", 0.106, "PTH 1-84, molar mass 9425 g/mol"),
)
#: Haemoglobin, stored in g/dl; mmol/l (as reported in the Netherlands) x 1.6114.
HAEMOGLOBIN: Final = _kind(
    "haemoglobin",
    "gram / deciliter",
    _LAB,
    _per_analyte("millimole / liter", 1.6114, "haemoglobin monomer, 16 114 g/mol"),
)
#: Absolute neutrophil count, stored in 10^9/l.
NEUTROPHILS: Final = _kind("neutrophil count", "ten_to_the_9 / liter", [_COUNTS, _VOLUME])
#: Platelet count, stored in 10^9/l.
PLATELETS: Final = _kind("platelet count", "ten_to_the_9 / liter", [_COUNTS, _VOLUME])
