"""bisphos: computable, verifiable protocols for bone-targeted drugs.

The public API is what this module exports (see ``__all__``); everything else is an implementation
detail that may change. Every measured value is a Pint quantity of :data:`bisphos.units.ureg`.
"""

from __future__ import annotations

from bisphos._version import __version__
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
