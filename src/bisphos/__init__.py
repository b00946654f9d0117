"""bisphos: computable, verifiable protocols for bone-targeted drugs.

The public API is what this module exports (see ``__all__``); everything else is an implementation
detail that may change. Every measured value is a Pint quantity of :data:`bisphos.units.ureg`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from bisphos import _lazy
from bisphos._version import __version__

if TYPE_CHECKING:
    from bisphos.errors import (
        BisphosError,
        DimensionError,
        HardLimitError,
        ImplausibleValueError,
        InputError,
        InvalidValueError,
        MissingUnitError,
        MissingValueError,
        PatientInputError,
        PluginError,
        ProtocolConflictError,
        ProtocolError,
        UnitError,
        UnknownProtocolError,
        UnknownUnitError,
    )
    from bisphos.findings import Evidence, Finding, Severity
    from bisphos.io import load_patient, patient_from_dict, patient_from_text, patient_to_dict
    from bisphos.model import (
        BmdMeasurement,
        BmdSite,
        ComplicationGrade,
        Diagnosis,
        Drug,
        Fracture,
        FractureSite,
        InfusionRecord,
        LabResult,
        Labs,
        OISeverity,
        Patient,
        RiskFlags,
        Sex,
        Trauma,
        VitalSigns,
    )
    from bisphos.units import Quantity, format_quantity, parse_quantity, quantity, ureg

__all__ = [
    "BisphosError",
    "BmdMeasurement",
    "BmdSite",
    "ComplicationGrade",
    "Diagnosis",
    "DimensionError",
    "Drug",
    "Evidence",
    "Finding",
    "Fracture",
    "FractureSite",
    "HardLimitError",
    "ImplausibleValueError",
    "InfusionRecord",
    "InputError",
    "InvalidValueError",
    "LabResult",
    "Labs",
    "MissingUnitError",
    "MissingValueError",
    "OISeverity",
    "Patient",
    "PatientInputError",
    "PluginError",
    "ProtocolConflictError",
    "ProtocolError",
    "Quantity",
    "RiskFlags",
    "Severity",
    "Sex",
    "Trauma",
    "UnitError",
    "UnknownProtocolError",
    "UnknownUnitError",
    "VitalSigns",
    "__version__",
    "format_quantity",
    "load_patient",
    "parse_quantity",
    "patient_from_dict",
    "patient_from_text",
    "patient_to_dict",
    "quantity",
    "ureg",
]


# The names are imported on first use (PEP 562): ``import bisphos`` stays cheap for code that
# needs one submodule, and the first access costs what the eager import did.
_EXPORTS: Final[dict[str, tuple[str, ...]]] = {
    "bisphos.errors": (
        "BisphosError",
        "DimensionError",
        "HardLimitError",
        "ImplausibleValueError",
        "InputError",
        "InvalidValueError",
        "MissingUnitError",
        "MissingValueError",
        "PatientInputError",
        "PluginError",
        "ProtocolConflictError",
        "ProtocolError",
        "UnitError",
        "UnknownProtocolError",
        "UnknownUnitError",
    ),
    "bisphos.findings": (
        "Evidence",
        "Finding",
        "Severity",
    ),
    "bisphos.io": (
        "load_patient",
        "patient_from_dict",
        "patient_from_text",
        "patient_to_dict",
    ),
    "bisphos.model": (
        "BmdMeasurement",
        "BmdSite",
        "ComplicationGrade",
        "Diagnosis",
        "Drug",
        "Fracture",
        "FractureSite",
        "InfusionRecord",
        "LabResult",
        "Labs",
        "OISeverity",
        "Patient",
        "RiskFlags",
        "Sex",
        "Trauma",
        "VitalSigns",
    ),
    "bisphos.units": (
        "Quantity",
        "format_quantity",
        "parse_quantity",
        "quantity",
        "ureg",
    ),
}
_SOURCE: Final = _lazy.sources(_EXPORTS)


def __getattr__(name: str) -> object:
    return _lazy.load(__name__, _SOURCE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
