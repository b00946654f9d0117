"""The hook implementations of UMC's plugin, and the object the ``bisphos`` entry point loads.

Seven hooks, each a proposal that bisphos checks (or, the message catalogues, words for its
findings):

- ``bisphos_register_protocols``: the local cyclical pamidronate protocol;
- ``bisphos_gfr_estimator``: the bedside Schwartz estimator, k = 36.5 (UMC-GFR-1), within the
  1-250 ml/min/1.73 m² bisphos accepts from a local estimate (P-GFR-LOCAL);
- ``bisphos_extra_findings``: a recent orthopaedic procedure blocks the infusion (UMC-CI-1);
- ``bisphos_freshness``: labs of a first infusion at most 30 days old (P-FRESH, tightened);
- ``bisphos_adjust_dose``: doses rounded down to a measurable volume (UMC-VIAL-1);
- ``bisphos_formulary``: the ward's stock solutions and its 0.1 ml syringes (UMC-PREP-1);
- ``bisphos_message_catalogues``: the Dutch words of the plugin's findings (``locale/``).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from bisphos.findings import Finding, Severity
from bisphos.i18n import MessageCatalogue
from bisphos.model import Drug, Patient
from bisphos.pediatric.adjustments import DoseProposal
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.formulary import Formulary, Product
from bisphos.pediatric.freshness import Freshness
from bisphos.pediatric.limits import LOCAL_GFR_RANGE, exact
from bisphos.pediatric.renal import GfrEstimator, SchwartzEstimator
from bisphos.plugins import hookimpl
from bisphos.protocols import Protocol
from bisphos.units import quantity, ureg

from umc_bisphos.procedures import ProceduresFile, ProcedureSource, recent_procedure_findings
from umc_bisphos.protocol import CyclicalPamidronate
from umc_bisphos.vials import PRESENTATIONS, round_down

__all__ = [
    "BEDSIDE_SCHWARTZ",
    "CATALOGUE",
    "FORMULARY",
    "NAME",
    "NOT_LOOKED_UP",
    "REASON_CODE",
    "UmcPlugin",
    "plugin",
]

#: The name the entry point registers the plugin under.
NAME = "umc"

#: The coded reason of every rounding (UMC-VIAL-1).
REASON_CODE = "UMC-VIAL-ROUNDING"

#: The bedside Schwartz estimator for IDMS-traceable creatinine (UMC-GFR-1).
BEDSIDE_SCHWARTZ = SchwartzEstimator(name="schwartz-bedside-36.5", k=36.5)


#: The plugin's message catalogues: ``locale/nl/LC_MESSAGES/umc_bisphos.po``.
CATALOGUE = MessageCatalogue(domain="umc_bisphos", directory=Path(__file__).parent / "locale")


def _product(drug: Drug, vial_ml: float) -> Product:
    presentation = PRESENTATIONS[drug]
    return Product(
        name=presentation.product,
        drug=drug,
        concentration=quantity(float(presentation.concentration_mg_per_ml), "mg/mL"),
        vial=quantity(vial_ml, "mL"),
    )


#: The ward's formulary (UMC-PREP-1): the stock solutions of UMC-VIAL-1, 0.1 ml syringes.
FORMULARY = Formulary(
    zoledronic_acid=_product(Drug.ZOLEDRONIC_ACID, 100.0),
    pamidronate=_product(Drug.PAMIDRONATE, 10.0),
    syringe_resolution=quantity(0.1, "mL"),
    source="umc (UMC-PREP-1)",
)


#: The warning for a patient without an identifier (UMC-CI-1).
NOT_LOOKED_UP = Finding(
    code="umc-procedures-not-checked",
    rule_ids=("UMC-CI-1",),
    severity=Severity.WARN,
    message="orthopaedic procedures were not looked up: the patient has no identifier",
    action="check for an osteotomy or rodding in the last 6 weeks before the infusion",
)


class UmcPlugin:
    """UMC's plugin.

    Args:
        procedures: Where the patients' orthopaedic procedures are found.
        name: The name the plugin is registered under (recorded on every proposal).
    """

    def __init__(self, procedures: ProcedureSource | None = None, name: str = NAME) -> None:
        self.procedures: ProcedureSource = ProceduresFile() if procedures is None else procedures
        self.name = name

    @hookimpl
    def bisphos_register_protocols(self) -> Sequence[Protocol]:
        """Register the cyclical pamidronate protocol."""
        return (CyclicalPamidronate(),)

    @hookimpl
    def bisphos_gfr_estimator(self, protocol_id: str, patient: Patient) -> GfrEstimator | None:
        """Use the bedside Schwartz formula, k = 36.5, under every pediatric protocol.

        Where it would read outside 1-250 ml/min/1.73 m², which bisphos refuses from a local
        estimator (P-GFR-LOCAL), the protocol's Schwartz formula is used alone.
        """
        creatinine = patient.labs.creatinine
        if patient.height is None or creatinine is None:
            return BEDSIDE_SCHWARTZ
        estimate = BEDSIDE_SCHWARTZ(height=patient.height, creatinine=creatinine.value)
        low, high = LOCAL_GFR_RANGE
        if not low <= estimate.value <= high:
            return None
        return BEDSIDE_SCHWARTZ

    @hookimpl
    def bisphos_extra_findings(self, patient: Patient) -> Sequence[Finding]:
        """Block the infusion within 6 weeks of an orthopaedic procedure (UMC-CI-1).

        A patient without an identifier cannot be looked up: a warning says so, rather than
        clearing the patient silently.
        """
        if not patient.patient_id:
            return (NOT_LOOKED_UP,)
        return recent_procedure_findings(patient, self.procedures.procedures(patient.patient_id))

    @hookimpl
    def bisphos_freshness(self) -> Freshness:
        """Labs of a first infusion at most 30 days old: the ward's rule, tighter than 90."""
        return Freshness(first_labs_days=30)

    @hookimpl
    def bisphos_message_catalogues(self) -> Sequence[MessageCatalogue]:
        """The Dutch messages of the plugin's findings, so that Dutch output is Dutch."""
        return (CATALOGUE,)

    @hookimpl
    def bisphos_adjust_dose(self, dose: Dose) -> DoseProposal | None:
        """Round the dose down to a volume of the stock solution (UMC-VIAL-1)."""
        dose_mg: Decimal = exact(float(dose.value.m_as("mg")))
        rounded = round_down(dose.drug, dose_mg)
        if rounded is None:
            return None
        return DoseProposal(
            plugin=self.name,
            dose=ureg.Quantity(float(rounded.dose_mg), "milligram"),
            reason=(
                f"rounded down to {rounded.volume_ml} ml of {rounded.presentation.product} "
                f"(steps of {rounded.step_ml} ml)"
            ),
            reason_code=REASON_CODE,
            rule_ids=("UMC-VIAL-1",),
        )

    @hookimpl
    def bisphos_formulary(self) -> Formulary:
        """The ward's stock solutions and its 0.1 ml syringes (UMC-PREP-1)."""
        return FORMULARY


#: The plugin the entry point ``umc`` loads: procedures from ``UMC_BISPHOS_PROCEDURES``.
plugin = UmcPlugin()
