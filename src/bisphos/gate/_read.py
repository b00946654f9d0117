"""Reading the values of a plan or a patient the gate's own way (:mod:`bisphos.gate`).

A quantity must be exactly a quantity of :data:`bisphos.units.ureg` with a finite, non-negative
``float`` or ``int`` magnitude, read without its methods and converted here to the gate's unit; a
date is rebuilt as a plain :class:`datetime.date` from its year, month and day; every object read
is of the exact library class, and nothing is asked to describe itself.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Context, Decimal
from typing import Final, TypeVar

from pint.util import UnitsContainer

from bisphos._contain import contained
from bisphos.errors import BisphosError
from bisphos.findings import FIELD_PATH, Evidence, Finding, Severity
from bisphos.gate._refusal import refuse
from bisphos.model import Drug
from bisphos.units import Quantity, ureg

_T = TypeVar("_T")


QUANTITY: Final = ureg.Quantity


CONTEXT: Final = Context(prec=60)


def units_of(unit: str) -> UnitsContainer:
    container: UnitsContainer = ureg.parse_units(unit)._units
    return container


#: The unit the gate reads each kind of value in.
MG: Final = units_of("milligram")


KG: Final = units_of("kilogram")


ML: Final = units_of("milliliter")


HOUR: Final = units_of("hour")


CM: Final = units_of("centimeter")


UMOL_L: Final = units_of("micromole / liter")


GFR: Final = units_of("mL_min_1_73m2")


MG_PER_KG: Final = units_of("milligram / kilogram")


MG_PER_ML: Final = units_of("milligram / milliliter")


MG_PER_H: Final = units_of("milligram / hour")


def read_magnitude(value: object, unit: UnitsContainer, field: str) -> float:
    """The magnitude of ``value`` in ``unit``: finite, not negative, read without its methods.

    Raises:
        PluginError: ``value`` is not exactly a quantity of the registry with a float or int
            magnitude, is in a unit that is not ``unit``'s dimension, or is not finite and
            non-negative.
    """
    if type(value) is not QUANTITY:
        raise refuse("not a quantity of the bisphos unit registry", field, value)
    state = vars(value)
    magnitude = state.get("_magnitude")
    units = state.get("_units")
    if type(magnitude) not in (float, int) or type(units) is not UnitsContainer:
        raise refuse("a quantity's magnitude is not a plain number", field, magnitude)
    try:
        number = float(magnitude)  # type: ignore[arg-type]
        if units != unit:
            number = float(ureg.convert(number, units, unit))
    except (OverflowError, ArithmeticError, ValueError, TypeError, BisphosError) as error:
        raise refuse(
            f"a value the gate cannot read in {unit} ({type(error).__name__})", field
        ) from None
    except Exception:
        raise refuse(f"a value not convertible to {unit}", field) from None
    if not math.isfinite(number) or number < 0:
        raise refuse("a value must be finite and not negative", field, number)
    return number


def shortest_decimal(number: float) -> Decimal:
    """The shortest decimal that reads back as ``number``."""
    return Decimal(repr(float(number)))


def read_decimal(value: object, unit: UnitsContainer, field: str) -> Decimal:
    return shortest_decimal(read_magnitude(value, unit, field))


def read_date(value: object, field: str) -> dt.date:
    """``value`` rebuilt as a plain date from its year, month and day, each a plain ``int``."""
    if type(value) is dt.date:  # the builtin's own fields: nothing of a subclass can run
        return dt.date(value.year, value.month, value.day)
    parts = []
    for name in ("year", "month", "day"):
        part = contained(field, lambda name=name: getattr(value, name))  # type: ignore[misc]
        if type(part) is not int:
            raise refuse("not a calendar date", field, value, "a datetime.date")
        parts.append(part)
    try:
        return dt.date(*parts)
    except (ValueError, OverflowError):
        raise refuse("not a calendar date", field, None, "a datetime.date") from None


def read_exact(value: object, kind: type[_T], field: str) -> _T:
    if type(value) is not kind:
        raise refuse(
            f"not a {kind.__name__} of bisphos", field, value, f"{kind.__module__}.{kind.__name__}"
        )
    return value


def read_drug(value: object, field: str) -> Drug:
    if type(value) is not Drug:
        raise refuse("not a bisphos Drug", field, value, "a bisphos.model.Drug")
    return value


def read_tuple(value: object, field: str) -> tuple[object, ...]:
    if type(value) is not tuple:
        raise refuse("not a tuple", field, value)
    return value


def constant(value: Quantity, unit: UnitsContainer) -> Decimal:
    return read_decimal(value, unit, "constant")


def show(value: Decimal) -> str:
    """A decimal written plainly: ``0.5``, ``20``, never ``0.500000000`` or ``2E+1``."""
    return format(value.normalize(), "f")


#: The types of a value shown to a reader that need no further look (exact types only).
PLAIN_TYPES: Final = frozenset({str, int, float, bool, type(None), dt.date})


def check_plain(value: object, field: str) -> None:
    """A value shown to a reader: text, a number, a flag, a plain date or a plain quantity."""
    kind = type(value)
    if kind in PLAIN_TYPES:
        return
    if kind is QUANTITY:
        state = vars(value)
        if (
            type(state.get("_magnitude")) in (float, int)
            and type(state.get("_units")) is UnitsContainer
        ):
            return
    raise refuse("a value to show is not a plain value", field, value)


def read_findings(value: object, field: str) -> tuple[Finding, ...]:
    """Findings of bisphos's exact class, each field a plain value (no foreign object).

    The field names of an error are written only when one is raised.
    """
    findings = read_tuple(value, field)
    plain = PLAIN_TYPES
    for index, finding in enumerate(findings):
        if type(finding) is not Finding:
            read_exact(finding, Finding, f"{field}[{index}]")
        item: Finding = finding  # type: ignore[assignment]
        if type(item.severity) is not Severity:
            raise refuse("a finding's severity is not a bisphos Severity", f"{field}[{index}]")
        if type(item.code) is not str or type(item.message) is not str:
            check_texts(item, f"{field}[{index}]")
        if type(item.action) is not str or type(item.variant) is not str:
            check_texts(item, f"{field}[{index}]")
        params = item.params
        if type(params) is not tuple or params:  # a tuple's truth is the builtin's
            check_params(params, f"{field}[{index}].params")
        rules = item.rule_ids
        if type(rules) is not tuple or any(type(rule) is not str for rule in rules):
            for rule in read_tuple(rules, f"{field}[{index}].rule_ids"):
                if type(rule) is not str:
                    raise refuse("a rule id is not text", f"{field}[{index}].rule_ids")
        evidence = item.evidence
        if type(evidence) is not tuple:
            read_tuple(evidence, f"{field}[{index}].evidence")
        for number, shown in enumerate(evidence):
            if type(shown) is not Evidence:
                read_exact(shown, Evidence, f"{field}[{index}].evidence[{number}]")
            if type(shown.name) not in plain:
                check_plain(shown.name, f"{field}[{index}].evidence[{number}].name")
            if type(shown.path) is not str or not FIELD_PATH.match(shown.path):
                raise refuse(
                    "an evidence path is not a field path",
                    f"{field}[{index}].evidence[{number}].path",
                )
            if type(shown.value) not in plain:
                check_plain(shown.value, f"{field}[{index}].evidence[{number}].value")
            if type(shown.threshold) not in plain:
                check_plain(shown.threshold, f"{field}[{index}].evidence[{number}].threshold")
    return findings  # type: ignore[return-value]


def check_texts(item: Finding, where: str) -> None:
    """A finding's code, message, action and variant are text."""
    for name in ("code", "message", "action", "variant"):
        if type(getattr(item, name)) is not str:
            raise refuse(f"a finding's {name} is not text", f"{where}.{name}")


def check_params(params: object, where: str) -> None:
    """A finding's parameters: (name, value) pairs of plain values, a value or a tuple of them."""
    for number, pair in enumerate(read_tuple(params, where)):
        at = f"{where}[{number}]"
        if type(pair) is not tuple or len(pair) != 2 or type(pair[0]) is not str:
            raise refuse("a finding's parameter is not a (name, value) pair", at)
        for shown in pair[1] if type(pair[1]) is tuple else (pair[1],):
            check_plain(shown, at)
