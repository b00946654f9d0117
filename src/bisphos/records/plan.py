"""The decision record of a pediatric plan: JSON with a fixed key order, replayable.

A record holds everything needed to recompute and check a plan: its provenance, the normalised
input (the patient as :func:`bisphos.io.patient_to_dict` writes it and the whole request), and the
result (status, drug, every planned infusion with date, dose, per-kg dose, cap, volume, rate,
duration and rule ids, the product, the volume drawn up and the dose it delivers, the
follow-up, every finding with rule ids, severity, message and evidence as text with units, every
local adjustment). Quantities are written exactly (``"0.25 mg"``,
magnitudes by ``repr``), so the same plan always gives the same bytes, and
:func:`bisphos.records.replaying.replay` can compare a recomputation byte for byte.

Keys appear in the order this module writes them, not sorted: the record reads top-down as
provenance, input, result. The digests in the provenance use canonical JSON (sorted keys)
instead, so they do not depend on this layout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from bisphos.errors import InputError, InvalidValueError
from bisphos.findings import Finding
from bisphos.io import parse_json, patient_to_dict
from bisphos.pediatric.adjustments import Adjustment
from bisphos.pediatric.dosing import Choice
from bisphos.pediatric.plan import Plan
from bisphos.pediatric.schedule import FollowUp, PlannedInfusion
from bisphos.provenance import normalise
from bisphos.records.request import request_to_dict
from bisphos.units import format_quantity
from bisphos.validation import StructureLimits, check_structure, input_byte_limit

__all__ = [
    "FORMAT",
    "KIND_PEDIATRIC_PLAN",
    "RECORD_LIMITS",
    "RECORD_VERSION",
    "load_record",
    "record",
    "record_json",
    "to_json",
]

#: The ``format`` of every decision record.
FORMAT: Final = "bisphos-decision-record"
#: The version of the record layout; a reader refuses versions it does not know.
RECORD_VERSION: Final = 1
#: The ``kind`` of a pediatric plan's record.
KIND_PEDIATRIC_PLAN: Final = "pediatric-plan"
#: The structure limits of a record: nesting, items per list, text length, values in all.
RECORD_LIMITS: Final = StructureLimits(
    max_depth=16, max_items=2000, max_text=4000, max_nodes=200_000
)
#: The ``kind`` of an oncology recommendation's record (:mod:`bisphos.oncology.record`).
KIND_ONCOLOGY: Final = "oncology-recommendation"
#: The kinds of record this version replays.
KINDS: Final = (KIND_PEDIATRIC_PLAN, KIND_ONCOLOGY)


def _choice(choice: Choice) -> dict[str, object]:
    return {
        "rule_id": choice.rule_id,
        "decision": choice.decision,
        "option": choice.option,
        "evidence": [str(item) for item in choice.evidence],
    }


def _infusion(planned: PlannedInfusion) -> dict[str, object]:
    dose, preparation = planned.dose, planned.preparation
    return {
        "number": planned.number,
        "date": planned.date.isoformat(),
        "due": planned.due.isoformat(),
        "phase": planned.phase.value,
        "dose": format_quantity(dose.value),
        "per_kg": format_quantity(dose.per_kg),
        "effective_per_kg": format_quantity(dose.effective_per_kg),
        "weight": format_quantity(dose.facts.weight),
        "computed": format_quantity(dose.computed),
        "ceiling": format_quantity(dose.ceiling),
        "daily_cap": format_quantity(dose.daily_cap.dose),
        "cap_applied": dose.cap_applied,
        "precision": format_quantity(dose.precision),
        "diluent": preparation.diluent,
        "volume": format_quantity(preparation.volume),
        "concentration": format_quantity(preparation.concentration),
        "rate": format_quantity(preparation.rate),
        "duration": format_quantity(preparation.duration),
        "product": preparation.product.name,
        "product_concentration": format_quantity(preparation.product.concentration),
        "vial": format_quantity(preparation.product.vial),
        "vials": preparation.vials,
        "syringe_resolution": format_quantity(preparation.syringe_resolution),
        "concentrate_volume": format_quantity(preparation.concentrate_volume),
        "delivered": format_quantity(preparation.delivered),
        "diluent_volume": format_quantity(preparation.diluent_volume),
        "dose_rate": format_quantity(preparation.dose_rate),
        "date_reason": planned.date_reason,
        "rule_ids": list(planned.rule_ids),
        "dose_rule_ids": list(dose.rule_ids),
        "choices": [_choice(choice) for choice in (*dose.choices, *preparation.choices)],
        "label_checks": [
            {
                "name": check.name,
                "value": format_quantity(check.value),
                "limit": format_quantity(check.limit),
                "passed": check.passed,
            }
            for check in preparation.checks
        ],
    }


def _follow_up(entry: FollowUp) -> dict[str, object]:
    return {
        "date": entry.date.isoformat(),
        "kind": entry.kind.value,
        "description": entry.description,
        "rule_ids": list(entry.rule_ids),
        "evidence": [str(item) for item in entry.evidence],
    }


def _finding(finding: Finding) -> dict[str, object]:
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "rule_ids": list(finding.rule_ids),
        "message": finding.message,
        "evidence": [str(item) for item in finding.evidence],
        "action": finding.action,
    }


def _adjustment(adjustment: Adjustment) -> dict[str, object]:
    return {
        "plugin": adjustment.plugin,
        "hook": adjustment.hook,
        "target": adjustment.target,
        "before": normalise(adjustment.before),
        "proposed": normalise(adjustment.proposed),
        "after": normalise(adjustment.after),
        "accepted": adjustment.accepted,
        "reason": adjustment.reason,
        "reason_code": adjustment.reason_code,
        "rule_ids": list(adjustment.rule_ids),
    }


def _assessment(plan: Plan) -> dict[str, object]:
    assessment = plan.assessment
    renal = assessment.renal
    estimate = None if renal is None else renal.estimate
    return {
        "in_scope": assessment.in_scope,
        "indicated": assessment.indicated,
        "first_infusion": assessment.first_infusion,
        "allowed_drugs": [drug.value for drug in assessment.allowed_drugs],
        "gfr": None if estimate is None else format_quantity(estimate.value),
        "gfr_estimator": None if renal is None else renal.estimator,
    }


def _result(plan: Plan) -> dict[str, object]:
    course, maintenance = plan.course, plan.maintenance
    return {
        "status": plan.status.value,
        "patient_id": plan.patient_id,
        "assessment_date": plan.assessment_date.isoformat(),
        "drug": None if plan.drug is None else plan.drug.value,
        "band": None if course is None or course.band is None else course.band.value,
        "assessment": _assessment(plan),
        "maintenance": None
        if maintenance is None
        else {
            "status": maintenance.status.value,
            "band": None if maintenance.band is None else maintenance.band.value,
            "z_score": maintenance.z_score,
        },
        "infusions": [_infusion(planned) for planned in plan.infusions],
        "follow_up": [] if course is None else [_follow_up(entry) for entry in course.follow_up],
        "findings": [_finding(finding) for finding in plan.findings],
        "adjustments": [_adjustment(adjustment) for adjustment in plan.adjustments],
    }


def record(plan: Plan) -> dict[str, Any]:
    """Return the decision record of ``plan``: format, provenance, input and result.

    A refused, not indicated or out-of-scope plan has a record like any other (no infusions,
    and the findings that say why).
    """
    patient = patient_to_dict(plan.patient)  # the input, and what the provenance digests
    return {
        "format": FORMAT,
        "record_version": RECORD_VERSION,
        "kind": KIND_PEDIATRIC_PLAN,
        "provenance": plan.provenance_of(patient).to_dict(),
        "input": {
            "patient": patient,
            "request": request_to_dict(plan.request),
        },
        "result": _result(plan),
    }


def to_json(data: Mapping[str, object]) -> str:
    """Write a record as JSON: two-space indent, keys in record order, UTF-8 text, final newline.

    Raises:
        InvalidValueError: the record holds a NaN or infinite number or a non-JSON value.
    """
    try:
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    except (TypeError, ValueError, RecursionError) as error:
        raise InvalidValueError(f"not a JSON record: {error}", field="record") from None


def record_json(plan: Plan) -> str:
    """Return the decision record of ``plan`` as JSON text (see :func:`to_json`)."""
    return to_json(record(plan))


_SECTIONS: Final = ("provenance", "input", "result")


def load_record(text: str) -> dict[str, Any]:
    """Parse a decision record and check its envelope (format, version, kind, sections).

    The text is parsed strictly before anything in it is used: at most the input size limit
    (:func:`bisphos.validation.input_byte_limit`), nested at most :data:`RECORD_LIMITS` deep, no
    key twice in one object (a duplicate key could show one value and replay another), no NaN,
    integers of at most 20 digits, every text printable (:func:`bisphos.validation.check_text`).

    Raises:
        InvalidValueError: the text is not JSON, breaks a limit (an
            :class:`~bisphos.errors.InputLimitError`), or is not a decision record this version
            reads.
    """
    if not isinstance(text, str):
        raise InvalidValueError("a record is JSON text", field="record", value=type(text).__name__)
    limit = input_byte_limit()
    if len(text) > limit:
        raise InvalidValueError(
            f"the record is larger than the input limit of {limit} characters", field="record"
        )
    try:
        data = parse_json(text, max_depth=RECORD_LIMITS.max_depth, field="record")
        check_structure(data, RECORD_LIMITS, field="record")
    except InputError as error:
        raise error if error.field.startswith("record") else error.at("record") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidValueError(
            "not a bisphos decision record", field="record.format", expected=repr(FORMAT)
        )
    if data.get("record_version") != RECORD_VERSION:
        raise InvalidValueError(
            "a record version this bisphos does not read",
            field="record.record_version",
            value=repr(data.get("record_version")),
            expected=str(RECORD_VERSION),
        )
    if data.get("kind") not in KINDS:
        raise InvalidValueError(
            "a record kind this bisphos does not replay",
            field="record.kind",
            value=repr(data.get("kind")),
            expected=" or ".join(repr(kind) for kind in KINDS),
        )
    for section in _SECTIONS:
        if not isinstance(data.get(section), dict):
            raise InvalidValueError("missing section", field=f"record.{section}")
    return data
