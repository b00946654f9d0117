"""bisphos: computable, verifiable protocols for bone-targeted drugs.

The public API is what this module exports (see ``__all__``); everything else is an implementation
detail that may change. Every measured value is a Pint quantity of :data:`bisphos.units.ureg`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from bisphos import _lazy

if TYPE_CHECKING:
    from bisphos._front import assess as assess
    from bisphos._front import plan as plan
    from bisphos._front import recommend as recommend
    from bisphos._version import __version__ as __version__
    from bisphos.audit.run import audit as audit
    from bisphos.engine import Engine as Engine
    from bisphos.errors import BisphosError as BisphosError
    from bisphos.errors import DimensionError as DimensionError
    from bisphos.errors import HardLimitError as HardLimitError
    from bisphos.errors import ImplausibleValueError as ImplausibleValueError
    from bisphos.errors import InputError as InputError
    from bisphos.errors import InvalidValueError as InvalidValueError
    from bisphos.errors import MissingUnitError as MissingUnitError
    from bisphos.errors import MissingValueError as MissingValueError
    from bisphos.errors import PatientInputError as PatientInputError
    from bisphos.errors import PluginError as PluginError
    from bisphos.errors import ProtocolConflictError as ProtocolConflictError
    from bisphos.errors import ProtocolError as ProtocolError
    from bisphos.errors import UnitError as UnitError
    from bisphos.errors import UnknownProtocolError as UnknownProtocolError
    from bisphos.errors import UnknownUnitError as UnknownUnitError
    from bisphos.findings import Evidence as Evidence
    from bisphos.findings import Finding as Finding
    from bisphos.findings import Severity as Severity
    from bisphos.io import load_patient as load_patient
    from bisphos.io import patient_from_dict as patient_from_dict
    from bisphos.io import patient_from_text as patient_from_text
    from bisphos.io import patient_to_dict as patient_to_dict
    from bisphos.model import BmdMeasurement as BmdMeasurement
    from bisphos.model import BmdSite as BmdSite
    from bisphos.model import ComplicationGrade as ComplicationGrade
    from bisphos.model import Diagnosis as Diagnosis
    from bisphos.model import Drug as Drug
    from bisphos.model import Fracture as Fracture
    from bisphos.model import FractureSite as FractureSite
    from bisphos.model import InfusionRecord as InfusionRecord
    from bisphos.model import LabResult as LabResult
    from bisphos.model import Labs as Labs
    from bisphos.model import OISeverity as OISeverity
    from bisphos.model import Patient as Patient
    from bisphos.model import RiskFlags as RiskFlags
    from bisphos.model import Sex as Sex
    from bisphos.model import Trauma as Trauma
    from bisphos.model import VitalSigns as VitalSigns
    from bisphos.orders import Order as Order
    from bisphos.orders import OrderCheck as OrderCheck
    from bisphos.orders import Verdict as Verdict
    from bisphos.orders import check_order as check_order
    from bisphos.pediatric.dosing import DosingOptions as DosingOptions
    from bisphos.pediatric.plan_types import Plan as Plan
    from bisphos.pediatric.plan_types import PlanRequest as PlanRequest
    from bisphos.pediatric.plan_types import PlanStatus as PlanStatus
    from bisphos.pediatric.schedule import Horizon as Horizon
    from bisphos.units import Quantity as Quantity
    from bisphos.units import format_quantity as format_quantity
    from bisphos.units import parse_quantity as parse_quantity
    from bisphos.units import quantity as quantity
    from bisphos.units import ureg as ureg


# The names are imported on first use (PEP 562): ``import bisphos`` stays cheap for code that
# needs one submodule, and the first access costs what the eager import did. Each name is written
# once, in the ``TYPE_CHECKING`` block above (an explicit re-export that type checkers read): the
# loader and ``__all__`` are read from it.
_SOURCE: Final = _lazy.type_checking_imports(__file__)
__all__: list[str] = []
__all__.extend(_SOURCE)


def __getattr__(name: str) -> object:
    return _lazy.load(__name__, _SOURCE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
