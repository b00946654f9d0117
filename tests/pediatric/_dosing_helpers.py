"""Small patients for the dosing, course and maintenance tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from bisphos.model import (
    BmdMeasurement,
    ComplicationGrade,
    Diagnosis,
    Drug,
    Fracture,
    InfusionRecord,
    OISeverity,
    Patient,
    RiskFlags,
    Sex,
)
from bisphos.units import Quantity, ureg

ASSESSMENT = dt.date(2026, 11, 23)
BORN_7 = dt.date(2019, 3, 14)


KG = ureg.Unit("kilogram")
MG = ureg.Unit("milligram")


def kg(value: float) -> Quantity:
    return ureg.Quantity(value, KG)


def mg(value: float) -> Quantity:
    return ureg.Quantity(value, MG)


def given(
    drug: Drug,
    date: dt.date,
    dose_mg: float,
    complication: ComplicationGrade = ComplicationGrade.NONE,
) -> InfusionRecord:
    return InfusionRecord(drug=drug, date=date, dose=mg(dose_mg), complication=complication)


def child(
    weight_kg: float = 20.0,
    *,
    born: dt.date = BORN_7,
    assessed: dt.date = ASSESSMENT,
    sex: Sex = Sex.FEMALE,
    diagnosis: Diagnosis = Diagnosis.OSTEOGENESIS_IMPERFECTA,
    oi_severity: OISeverity | None = OISeverity.MODERATE,
    infusions: Sequence[InfusionRecord] = (),
    fractures: Sequence[Fracture] = (),
    bmd: Sequence[BmdMeasurement] = (),
    risks: RiskFlags | None = None,
    still_growing: bool | None = True,
) -> Patient:
    return Patient(
        birth_date=born,
        assessment_date=assessed,
        sex=sex,
        weight=kg(weight_kg),
        diagnosis=diagnosis,
        oi_severity=oi_severity if diagnosis is Diagnosis.OSTEOGENESIS_IMPERFECTA else None,
        infusions=tuple(infusions),
        fractures=tuple(fractures),
        bmd=tuple(bmd),
        risks=RiskFlags(could_become_pregnant=False) if risks is None else risks,
        still_growing=still_growing,
    )
