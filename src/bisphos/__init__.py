"""bisphos: computable, verifiable protocols for bone-targeted drugs.

The public API is what this module exports (see ``__all__``); everything else is an implementation
detail that may change. Every measured value is a Pint quantity of :data:`bisphos.units.ureg`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from bisphos import _lazy
from bisphos._version import __version__

if TYPE_CHECKING:
    from bisphos._front import assess, plan, recommend
    from bisphos.engine import Engine
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
    from bisphos.orders import Order, OrderCheck, Verdict, check_order
    from bisphos.pediatric.dosing import DosingOptions
    from bisphos.pediatric.plan_types import Plan, PlanRequest, PlanStatus
    from bisphos.pediatric.schedule import Horizon
    from bisphos.units import Quantity, format_quantity, parse_quantity, quantity, ureg

__all__ = [
    "BisphosError",
    "BmdMeasurement",
    "BmdSite",
    "ComplicationGrade",
    "Diagnosis",
    "DimensionError",
    "DosingOptions",
    "Drug",
    "Engine",
    "Evidence",
    "Finding",
    "Fracture",
    "FractureSite",
    "HardLimitError",
    "Horizon",
    "ImplausibleValueError",
    "InfusionRecord",
    "InputError",
    "InvalidValueError",
    "LabResult",
    "Labs",
    "MissingUnitError",
    "MissingValueError",
    "OISeverity",
    "Order",
    "OrderCheck",
    "Patient",
    "PatientInputError",
    "Plan",
    "PlanRequest",
    "PlanStatus",
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
    "Verdict",
    "VitalSigns",
    "__version__",
    "assess",
    "check_order",
    "format_quantity",
    "load_patient",
    "parse_quantity",
    "patient_from_dict",
    "patient_from_text",
    "patient_to_dict",
    "plan",
    "quantity",
    "recommend",
    "ureg",
]


# The names are imported on first use (PEP 562): ``import bisphos`` stays cheap for code that
# needs one submodule, and the first access costs what the eager import did. Where each name
# comes from is read from the ``TYPE_CHECKING`` block above, so it is written once.
_SOURCE: Final = _lazy.Sources(__file__)


def __getattr__(name: str) -> object:
    return _lazy.load(__name__, _SOURCE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
