"""The one exception hierarchy of bisphos.

Every error raised on purpose by the library is a :class:`BisphosError`. Each names the field it
concerns (a dotted path such as ``labs.creatinine.value``), the value it got and what was expected,
so that a clinician or an integrating system can correct the input without reading a traceback.
Errors that correspond to a builtin exception also subclass it (``UnitError`` is a ``ValueError``),
so generic handlers keep working.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Self

__all__ = [
    "BisphosError",
    "DimensionError",
    "FhirInputError",
    "HardLimitError",
    "ImplausibleValueError",
    "InputError",
    "InputLimitError",
    "InvalidValueError",
    "MissingDependencyError",
    "MissingUnitError",
    "MissingValueError",
    "OverrideError",
    "PatientInputError",
    "PluginError",
    "ProtocolConflictError",
    "ProtocolError",
    "TableInputError",
    "UnitError",
    "UnknownCodeError",
    "UnknownProtocolError",
    "UnknownUnitError",
]


class BisphosError(Exception):
    """Base class of every error bisphos raises on purpose.

    Attributes:
        field: Dotted path of the input field concerned, or ``""`` when none applies.
        value: The offending value, as received.
        expected: What would have been accepted, in words.
    """

    def __init__(
        self, message: str, *, field: str = "", value: object = None, expected: str = ""
    ) -> None:
        self.message = message
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [f"{self.field}: {self.message}" if self.field else self.message]
        if self.value is not None:
            parts.append(f"got {_picture(self.value)}")
        if self.expected:
            parts.append(f"expected {self.expected}")
        return "; ".join(parts)

    def at(self, prefix: str) -> Self:
        """Return a copy of this error whose field path is placed under ``prefix``.

        Loaders use this to report ``labs.creatinine.value`` where the model only knows
        ``value``.
        """
        field = f"{prefix}.{self.field}" if self.field else prefix
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.field = field
        Exception.__init__(clone, clone._render())
        return clone

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only constructor: rebuild from the structured fields, not from ``args``.
        return (_rebuild, (type(self), dict(self.__dict__)))


def _picture(value: object) -> str:
    """``repr(value)``, bounded, and safe for integers too large to write in decimal."""
    if isinstance(value, int) and value.bit_length() > 256:
        return f"<an integer of {value.bit_length()} bits>"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"<a {type(value).__name__}>"
    return text if len(text) <= 200 else text[:197] + "..."


def _rebuild(cls: type[BisphosError], state: dict[str, object]) -> BisphosError:
    error = BisphosError.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error._render())
    return error


class InputError(BisphosError, ValueError):
    """An input value cannot be accepted as it is."""


class InvalidValueError(InputError):
    """A value has the wrong type, format or enumeration member."""


class InputLimitError(InvalidValueError):
    """An input exceeds a limit of size or structure.

    The limits: file size, nesting depth, number of items, text length, integer size.

    Attributes:
        limit: Which limit, in words (``"nesting depth"``, ``"fractures per patient"``).
    """

    def __init__(
        self,
        message: str,
        *,
        field: str = "",
        value: object = None,
        expected: str = "",
        limit: str = "",
    ) -> None:
        self.limit = limit
        super().__init__(message, field=field, value=value, expected=expected)


class TableInputError(InvalidValueError):
    """A value of a table (a CSV or Parquet file, a DataFrame) cannot be accepted.

    The field reads ``administrations.csv, row 12, dose_mg``: the file (or table), the row of
    the file (1 is the first data row) and the column.

    Attributes:
        source: The file or table.
        row: The row (1 is the first data row), or ``None`` for the whole table.
        column: The column, or ``""``.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str,
        row: int | None = None,
        column: str = "",
        value: object = None,
        expected: str = "",
    ) -> None:
        self.source = source
        self.row = row
        self.column = column
        parts = [
            source,
            *([f"row {row}"] if row is not None else []),
            *([column] if column else []),
        ]
        super().__init__(message, field=", ".join(parts), value=value, expected=expected)


class MissingValueError(InputError):
    """A required value is absent."""


class OverrideError(InputError):
    """A clinician's override is refused: of a hard limit, or without a coded reason, name or time.

    Only soft limits may be overridden (P-OVERRIDE); the hard limits hold whoever asks.
    """


class ImplausibleValueError(InputError):
    """A value is outside the physiologically plausible range, negative, NaN or infinite.

    Such values are refused rather than dosed: a 300 kg child or a creatinine of 0 µmol/l is a
    typing error, not a patient.
    """


class UnitError(InputError):
    """A quantity's unit is not accepted for the field."""


class UnknownUnitError(UnitError):
    """The unit spelling is not one bisphos accepts (``MG``, ``cc``, ``gr``, ``KG`` ...)."""


class MissingUnitError(UnitError):
    """A bare number was given where a quantity with its unit is required."""


class DimensionError(UnitError):
    """The unit is valid but measures the wrong thing for the field (``kg`` for a height)."""


class PatientInputError(InputError):
    """A patient input holds one or more problems; all of them are listed in :attr:`problems`.

    The message gives one ``path: problem`` line per problem, so a whole file can be corrected at
    once.
    """

    def __init__(self, problems: Iterable[InputError], *, source: str = "") -> None:
        self.problems: tuple[InputError, ...] = tuple(problems)
        self.source = source
        lines = "\n".join(f"  {p}" for p in self.problems)
        where = f" in {source}" if source else ""
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''}{where}:\n{lines}",
            field="",
            value=None,
            expected="",
        )

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.problems,), {"source": self.source})


class FhirInputError(PatientInputError):
    """A FHIR Bundle holds one or more problems; each names the resource and the element path.

    A problem's field reads ``Observation/w1.valueQuantity.code`` (or ``entry[3].resource...``
    for a resource without an id).
    """


class UnknownCodeError(InvalidValueError):
    """A code is in no table of the mapping where the protocol needs to know its meaning.

    Codes are reported, never guessed: a bisphosphonate coded only by name, a pregnancy status
    outside the table, a urea nitrogen where urea is read.
    """


class ProtocolError(BisphosError):
    """A protocol cannot answer the question asked (wrong scope, unknown option ...)."""


class ProtocolConflictError(ProtocolError, ValueError):
    """Two protocols were registered under the same protocol id."""


class UnknownProtocolError(ProtocolError, LookupError):
    """No protocol is registered under the requested id."""


class HardLimitError(BisphosError, ArithmeticError):
    """A dose could not be brought within a hard limit, or a plan breaks one (P-HARD).

    Raised instead of returning a dose that no safe limit can be applied to, and by the gate
    (:mod:`bisphos.gate`) for a whole plan that breaks a limit: such a plan is never returned.

    Attributes:
        rule_id: The rule of the limit broken (``"P-ZOL-CAP"``), or ``""``.
        limit: The limit in words with its unit (``"4 mg per calendar day"``), or ``""``.
        infusion: The index of the planned infusion concerned, or ``None``.
        message_id: The message catalogue's id of the refusal in an order's words
            (``gate.<kind>``, its limit ``gate.<kind>.limit``), or ``""``: the message is worded
            for a plan ("a planned dose ..."), an order check words it for the order.
        params: The values those words name.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str = "",
        value: object = None,
        expected: str = "",
        rule_id: str = "",
        limit: str = "",
        infusion: int | None = None,
        message_id: str = "",
        params: tuple[tuple[str, object], ...] = (),
    ) -> None:
        self.rule_id = rule_id
        self.limit = limit
        self.infusion = infusion
        self.message_id = message_id
        self.params = params
        super().__init__(message, field=field, value=value, expected=expected)


class MissingDependencyError(BisphosError, ImportError):
    """An optional dependency a feature needs is not installed (the error says which extra)."""


class PluginError(BisphosError):
    """A plugin returned something the library cannot accept, or raised."""
