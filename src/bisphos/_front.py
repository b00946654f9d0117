"""The front door: ``bisphos.plan``, ``bisphos.assess`` and ``bisphos.recommend``.

One documented way to plan.

Each function asks an engine (:class:`bisphos.engine.Engine`; the one with the installed plugins
by default, :func:`bisphos.engine.default_engine`) and returns what the engine returns: every plan
has passed the hard-limit gate (:mod:`bisphos.gate`). Only a :class:`~bisphos.errors.BisphosError`
leaves them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bisphos.oncology.rules import PROTOCOL_ID as ONCOLOGY_ID
from bisphos.pediatric.rules import PROTOCOL_ID as PEDIATRIC_ID

if TYPE_CHECKING:
    from bisphos.engine import Engine
    from bisphos.model import Patient
    from bisphos.oncology import AdultPatient, OncologyRecommendation
    from bisphos.pediatric.assessment import Assessment
    from bisphos.pediatric.plan_types import Plan, PlanRequest

__all__ = ["assess", "plan", "recommend"]


def _engine(engine: Engine | None) -> Engine:
    from bisphos.engine import default_engine  # noqa: PLC0415 - import bisphos stays cheap

    return default_engine() if engine is None else engine


def plan(
    patient: Patient,
    request: PlanRequest | None = None,
    *,
    protocol: str = PEDIATRIC_ID,
    engine: Engine | None = None,
) -> Plan:
    """Plan ``patient``'s next infusions under a pediatric protocol.

    Args:
        patient: The patient (:func:`bisphos.load_patient` reads one from a file).
        request: What to plan (drug, start, horizon, maintenance, options); the protocol's
            defaults when ``None``.
        protocol: The protocol id; the national guideline ``nl-pediatric-iv-bp-2024`` by default.
        engine: The engine; the one with the installed plugins by default.

    Raises:
        HardLimitError: the plan breaks a hard limit (P-HARD) and is refused as a whole.
        BisphosError: the input, the protocol id or a plugin cannot be accepted.
    """
    return _engine(engine).plan(patient, request, protocol_id=protocol)


def assess(
    patient: Patient, *, protocol: str = PEDIATRIC_ID, engine: Engine | None = None
) -> Assessment:
    """Assess ``patient`` today: scope, indication, what blocks an infusion, the GFR gate.

    Raises:
        BisphosError: the input, the protocol id or a plugin cannot be accepted.
    """
    return _engine(engine).assess(patient, protocol_id=protocol)


def recommend(
    patient: AdultPatient, *, protocol: str = ONCOLOGY_ID, engine: Engine | None = None
) -> OncologyRecommendation:
    """Recommend bone-targeted treatment for an adult oncology patient.

    Raises:
        HardLimitError: a regimen breaks a hard limit of the oncology protocol.
        BisphosError: the input, the protocol id or a plugin cannot be accepted.
    """
    return _engine(engine).recommend(patient, protocol_id=protocol)
