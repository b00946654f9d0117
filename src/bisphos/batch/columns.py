"""The columns of the vectorised path: what goes in, what comes out, and patients as columns.

Every measured value is a magnitude in the canonical unit of its kind (:mod:`bisphos.quantities`),
and the column's name says the unit (``weight_kg``, ``creatinine_umol_l``). A missing value is
NaN (numbers) or NaT (dates). The fracture and BMD columns hold what the rules count, as the rules
count it: :func:`columns_from_patients` computes them with the library's own functions
(:func:`~bisphos.pediatric.indication.count_fractures`,
:func:`~bisphos.pediatric.indication.lowest_z_score`), so a table made from patients decides
exactly as the patients do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from bisphos.model import Drug, Patient
from bisphos.pediatric.dosing import first_complication
from bisphos.pediatric.indication import EXCLUDED_GENES, count_fractures, lowest_z_score

__all__ = [
    "BLOCK_CODES",
    "COUNT_COLUMNS",
    "FLAG_COLUMNS",
    "INPUT_COLUMNS",
    "LAB_COLUMNS",
    "columns_from_patients",
]

#: The lab columns, by field of :class:`~bisphos.model.Labs` (P-PRE-LABS), in canonical units.
LAB_COLUMNS: Final = {
    "calcium": "calcium_mmol_l",
    "phosphate": "phosphate_mmol_l",
    "alkaline_phosphatase": "alkaline_phosphatase_u_l",
    "urea": "urea_mmol_l",
    "creatinine": "creatinine_umol_l",
    "albumin": "albumin_g_l",
    "vitamin_d_25oh": "vitamin_d_25oh_nmol_l",
    "pth": "pth_pmol_l",
}

_FLAGS: Final = (
    "prolonged_immobilisation",
    "low_bone_turnover",
    "pregnant",
    "expected_spontaneous_recovery",
    "bisphosphonate_hypersensitivity",
)

#: Every input column with its meaning; ``patient_id`` is optional, every other one required.
INPUT_COLUMNS: Final[dict[str, str]] = {
    "patient_id": "the caller's identifier, copied to the output (optional)",
    "birth_date": "date of birth (datetime64)",
    "assessment_date": "the date planned for, 'today' (datetime64)",
    "sex": "sex, a bisphos.model.Sex value (P-WEIGHT-PLAUSIBLE)",
    "weight_kg": "body weight in kg",
    "height_cm": "body height in cm; NaN when not measured (P-GFR)",
    "diagnosis": "the underlying condition, a bisphos.model.Diagnosis value (P-IND-A)",
    "excluded_gene_variant": "a WNT1 or LRP5 variant (P-IND-GENE)",
    "vertebral_fractures": "vertebral compression fractures not after high-energy trauma (P-FX-a)",
    "long_bone_fractures_before_10": "long-bone fractures after minimal or low trauma before "
    "age 10 (P-FX-b)",
    "long_bone_fractures_before_19": "long-bone fractures after minimal or low trauma before "
    "age 19 (P-FX-c)",
    "lowest_bmd_z": "lowest lumbar spine or TBLH Z-score, size-corrected where given; NaN when "
    "none (P-BMD)",
    "temperature_c": "today's temperature in °C; NaN when not recorded (P-CI-FEVER)",
    **{
        column: f"{name.replace('_', ' ')}; NaN when missing"
        for name, column in LAB_COLUMNS.items()
    },
    **{flag: f"risk flag {flag.replace('_', ' ')}" for flag in _FLAGS},
    "oldest_lab_date": "the oldest date of the P-PRE-LABS values given; NaT when none is dated "
    "(P-FRESH)",
    "undated_lab": "a P-PRE-LABS value without a date (P-FRESH: of unknown age)",
    "creatinine_date": "the date of the creatinine; NaT when missing or undated (P-FRESH)",
    "zoledronic_acid_given": "zoledronic acid infusions in the history",
    "pamidronate_given": "pamidronate infusions in the history",
    "last_zoledronic_acid_date": "date of the last zoledronic acid infusion; NaT when none",
    "last_pamidronate_date": "date of the last pamidronate infusion; NaT when none",
    "complication_after_infusion": "a more than mild complication after an earlier infusion "
    "(P-ZOL-COMPL)",
}

#: The codes of the findings that can block today's infusion in the vectorised path, in the
#: order a plan lists them; the output has one boolean column ``block_<code>`` for each.
BLOCK_CODES: Final = (
    "out-of-scope",
    "not-indicated-condition",
    "not-indicated-gene",
    "not-indicated-recovery",
    "not-indicated-criteria",
    "fever",
    "hypocalcaemia",
    "hypersensitivity",
    "pregnancy",
    "weight-implausible",
    "labs-missing",
    "vitamin-d-deficient",
    "labs-not-fresh",
    "pamidronate-gfr-below-30",
    "contraindicated-hypersensitivity",
    "contraindicated-pregnancy",
    "no-drug-allowed",
)

#: The boolean columns (no missing values).
FLAG_COLUMNS: Final = frozenset(
    {*_FLAGS, "excluded_gene_variant", "complication_after_infusion", "undated_lab"}
)
#: The whole-number columns (no missing values).
COUNT_COLUMNS: Final = frozenset(
    {
        "vertebral_fractures",
        "long_bone_fractures_before_10",
        "long_bone_fractures_before_19",
        "zoledronic_acid_given",
        "pamidronate_given",
    }
)

_NAT: Final = np.datetime64("NaT", "D")


def _magnitude(value: object) -> float:
    """The canonical magnitude of a model quantity (the model stores canonical units)."""
    return float("nan") if value is None else float(value.magnitude)  # type: ignore[attr-defined]


def columns_from_patients(patients: Iterable[Patient]) -> dict[str, npt.NDArray[Any]]:
    """Return ``patients`` as input columns (see :data:`INPUT_COLUMNS`), one row per patient."""
    rows: dict[str, list[object]] = {name: [] for name in INPUT_COLUMNS}
    for patient in patients:
        counts = count_fractures(patient)
        lowest = lowest_z_score(patient.bmd)
        risks = patient.risks
        given = {Drug.ZOLEDRONIC_ACID: 0, Drug.PAMIDRONATE: 0}
        last: dict[Drug, object] = {Drug.ZOLEDRONIC_ACID: _NAT, Drug.PAMIDRONATE: _NAT}
        for record in patient.infusions:  # sorted by date
            given[record.drug] += 1
            last[record.drug] = np.datetime64(record.date, "D")
        values: dict[str, object] = {
            "patient_id": patient.patient_id,
            "birth_date": np.datetime64(patient.birth_date, "D"),
            "assessment_date": np.datetime64(patient.assessment_date, "D"),
            "sex": patient.sex.value,
            "weight_kg": _magnitude(patient.weight),
            "height_cm": _magnitude(patient.height),
            "diagnosis": patient.diagnosis.value,
            "excluded_gene_variant": not EXCLUDED_GENES.isdisjoint(patient.gene_variants),
            "vertebral_fractures": counts.vertebral,
            "long_bone_fractures_before_10": counts.long_bone_before_10,
            "long_bone_fractures_before_19": counts.long_bone_before_19,
            "lowest_bmd_z": float("nan") if lowest is None else float(lowest.z_score),
            "temperature_c": _magnitude(patient.vitals.temperature),
            "zoledronic_acid_given": given[Drug.ZOLEDRONIC_ACID],
            "pamidronate_given": given[Drug.PAMIDRONATE],
            "last_zoledronic_acid_date": last[Drug.ZOLEDRONIC_ACID],
            "last_pamidronate_date": last[Drug.PAMIDRONATE],
            "complication_after_infusion": first_complication(patient.infusions) is not None,
        }
        dated = []
        for name, column in LAB_COLUMNS.items():
            result = getattr(patient.labs, name)
            values[column] = _magnitude(None if result is None else result.value)
            if result is not None:
                dated.append(result.date)
        known = [date for date in dated if date is not None]
        values["oldest_lab_date"] = np.datetime64(min(known), "D") if known else _NAT
        values["undated_lab"] = None in dated
        creatinine = patient.labs.creatinine
        values["creatinine_date"] = (
            _NAT
            if creatinine is None or creatinine.date is None
            else np.datetime64(creatinine.date, "D")
        )
        for flag in _FLAGS:
            values[flag] = getattr(risks, flag)
        for name, value in values.items():
            rows[name].append(value)
    return {name: _array(name, values) for name, values in rows.items()}


def _array(name: str, values: list[object]) -> npt.NDArray[Any]:
    if name in {"patient_id", "diagnosis", "sex"}:
        return np.array(values, dtype=object)
    if name.endswith("_date"):
        return np.array(values, dtype="datetime64[D]")
    if name in FLAG_COLUMNS:
        return np.array(values, dtype=bool)
    if name in COUNT_COLUMNS:
        return np.array(values, dtype=np.int64)
    return np.array(values, dtype=np.float64)
