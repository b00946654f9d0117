"""The batch driver's own steps: the checks of each row, the dosing weight, the diagnosis codes.

A row that cannot be planned gets status ``invalid`` and the first reason, worded as the
one-patient path's checks word it (birth date, age over 120 years, an unknown diagnosis, a value
outside :data:`bisphos.model.PLAUSIBLE_RANGES`, a Z-score outside -10 to 10, a negative count);
the plausible ends themselves are valid. The weight is taken to the nearest milligram as the
one-patient path takes it (P-ZOL-DOSE, P-PAM-DOSE), also where the float product and the decimal
disagree at half a milligram.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from bisphos.batch import columns_from_patients, vector
from bisphos.model import Diagnosis
from bisphos.pediatric.kernel import nearest_mg_kg
from bisphos.testing.pytest_plugin import example_patients

GIRL = example_patients()["oi-girl-20kg"]


def _rows(count: int) -> dict[str, npt.NDArray[Any]]:
    """``count`` copies of the 20 kg example girl, as columns."""
    return {
        name: np.asarray(values).copy()
        for name, values in columns_from_patients([GIRL] * count).items()
    }


def _errors(columns: dict[str, npt.NDArray[Any]]) -> list[str]:
    planned = vector.plan_arrays(columns)
    return [str(error) for error in planned["error"]]


def test_a_valid_row_has_no_error() -> None:
    """The example girl plans: status ready, no error, 0.25 mg first (P-ZOL-FIRST)."""
    planned = vector.plan_arrays(_rows(1))
    assert list(planned["status"]) == ["ready"]
    assert list(planned["error"]) == [""]
    assert float(planned["dose_1_mg"][0]) == 0.25


def test_dates_are_required_and_in_order() -> None:
    """A missing birth or assessment date, or a birth after the assessment date, is invalid;
    a child born on the assessment date is not."""
    columns = _rows(4)
    today = columns["assessment_date"][0]
    columns["birth_date"][0] = np.datetime64("NaT")
    columns["assessment_date"][1] = np.datetime64("NaT")
    columns["birth_date"][2] = today + np.timedelta64(1, "D")
    columns["birth_date"][3] = today
    errors = _errors(columns)
    assert errors[:3] == [
        "birth_date, assessment_date: a date is required",
        "birth_date, assessment_date: a date is required",
        "birth_date: the birth date is after the assessment date",
    ]
    assert errors[3] == ""


def test_over_120_years_from_the_121st_birthday() -> None:
    """Age over 120 years: invalid from the 121st birthday, not the day before."""
    columns = _rows(3)
    today = columns["assessment_date"][0].astype("datetime64[D]")
    year = today.astype("datetime64[Y]").astype(int) + 1970
    day = str(today)[4:]
    columns["birth_date"][0] = np.datetime64(f"{year - 121}{day}")
    columns["birth_date"][1] = np.datetime64(f"{year - 121}{day}") + np.timedelta64(1, "D")
    columns["birth_date"][2] = np.datetime64(f"{year - 120}{day}")
    errors = _errors(columns)
    assert errors[0] == "birth_date: age over 120 years"
    assert errors[1] == ""
    assert errors[2] == ""
    assert list(vector.plan_arrays(columns)["status"])[1:] == ["out_of_scope", "out_of_scope"]


def test_an_unknown_diagnosis_is_invalid() -> None:
    """A diagnosis that is not a Diagnosis value is invalid (P-IND-A needs a known one)."""
    columns = _rows(2)
    columns["diagnosis"] = np.array(["nonsense", Diagnosis.OSTEOGENESIS_IMPERFECTA.value], object)
    assert _errors(columns) == ["diagnosis: not known", ""]


def test_diagnosis_codes() -> None:
    """Each diagnosis is its index among the Diagnosis values; an unknown one is -1."""
    codes = vector.diagnosis_codes(
        np.array(["nonsense", *(d.value for d in Diagnosis)], dtype=object)
    )
    assert codes.dtype == np.int64
    assert list(codes) == [-1, *range(len(Diagnosis))]


def test_plausible_ranges_and_their_ends() -> None:
    """Outside the plausible range is invalid, its ends are valid; a missing weight is invalid,
    a missing height or lab is not (it has its own findings)."""
    columns = _rows(7)
    columns["weight_kg"][0] = 0.39
    columns["weight_kg"][1] = 0.4
    columns["weight_kg"][2] = np.nan
    columns["height_cm"][3] = np.nan
    columns["calcium_mmol_l"][4] = 5.01
    columns["calcium_mmol_l"][5] = 5.0
    columns["temperature_c"][6] = np.nan
    errors = _errors(columns)
    assert errors == [
        "weight_kg: outside the plausible range 0.4 to 250",
        "",
        "weight_kg: outside the plausible range 0.4 to 250",
        "",
        "calcium_mmol_l: outside the plausible range 0.5 to 5",
        "",
        "",
    ]


def test_z_score_and_counts() -> None:
    """A Z-score outside -10 to 10 and a negative count are invalid; -10 and 10 are valid."""
    columns = _rows(5)
    columns["lowest_bmd_z"][0] = -10.5
    columns["lowest_bmd_z"][1] = 10.5
    columns["lowest_bmd_z"][2] = -10.0
    columns["lowest_bmd_z"][3] = 10.0
    columns["vertebral_fractures"][4] = -1
    errors = _errors(columns)
    assert errors == [
        "lowest_bmd_z: a Z-score is from -10 to 10",
        "lowest_bmd_z: a Z-score is from -10 to 10",
        "",
        "",
        "vertebral_fractures: a count cannot be negative",
    ]


def test_the_first_reason_is_given() -> None:
    """A row with several problems gets the first: the dates before the weight."""
    columns = _rows(1)
    columns["birth_date"][0] = np.datetime64("NaT")
    columns["weight_kg"][0] = 0.1
    assert _errors(columns) == ["birth_date, assessment_date: a date is required"]


@pytest.mark.parametrize(
    ("weight_kg", "expected_mg"),
    [
        (20.0, 20_000_000),
        (19.999999999999996, 20_000_000),  # 20 kg through pounds and back
        (0.5000155, 500_016),  # half a mg: the float says 500015.49999999994, decimal even
        (0.5000185, 500_018),  # the float says 500018.50000000006, decimal even
        (0.4, 400_000),
        (250.0, 250_000_000),
    ],
)
def test_dosing_weight_in_milligrams(weight_kg: float, expected_mg: int) -> None:
    """The weight in whole mg, half to even on the decimal, as nearest_mg_kg takes it."""
    result = vector._weight_mg(np.array([weight_kg, 20.0]))
    assert result.dtype == np.int64
    assert int(result[0]) == expected_mg == round(nearest_mg_kg(weight_kg) * 10**6)
    assert int(result[1]) == 20_000_000


def test_every_block_blocks() -> None:
    """A fever alone blocks (P-CI-FEVER), as does a low calcium alone (P-CI-HYPOCA): each block
    counts, not only the last one looked at."""
    columns = _rows(3)
    columns["temperature_c"][0] = 38.6
    columns["calcium_mmol_l"][1] = 2.1
    planned = vector.plan_arrays(columns)
    assert list(planned["status"]) == ["blocked", "blocked", "ready"]
    assert list(planned["block_fever"]) == [True, False, False]
    assert list(planned["block_hypocalcaemia"]) == [False, True, False]


def test_gfr_of_the_batch_and_its_gate() -> None:
    """P-GFR: 40 x 135 cm / 60 µmol/l is exactly 90, which does not allow zoledronic acid
    (pamidronate is planned); 40 x 135 / 59 is above 90. A creatinine of 0 or a height of 0 (both
    implausible) raise no floating-point warning, and the rows are invalid."""
    columns = _rows(4)
    columns["height_cm"][:2] = 135.0
    columns["creatinine_umol_l"][0] = 60.0
    columns["creatinine_umol_l"][1] = 59.0
    columns["creatinine_umol_l"][2] = 0.0
    columns["creatinine_umol_l"][3] = 0.0
    columns["height_cm"][3] = 0.0
    planned = vector.plan_arrays(columns)
    assert float(planned["gfr_ml_min_1_73m2"][0]) == 90.0
    assert float(planned["gfr_ml_min_1_73m2"][1]) == 40 * 135.0 / 59.0
    assert list(planned["zoledronic_acid_allowed"][:2]) == [False, True]
    assert list(planned["drug"][:2]) == ["pamidronate", "zoledronic_acid"]
    assert list(planned["status"][2:]) == ["invalid", "invalid"]


def test_rows_without_a_course_have_empty_infusion_columns() -> None:
    """A row that is not indicated has no drug, no infusions, NaT dates and NaN doses."""
    columns = _rows(2)
    columns["expected_spontaneous_recovery"][0] = True
    planned = vector.plan_arrays(columns)
    assert list(planned["status"]) == ["not_indicated", "ready"]
    assert planned["drug"][0] == ""
    assert int(planned["infusions"][0]) == 0
    for number in range(1, vector.HORIZON + 1):
        assert np.isnat(planned[f"date_{number}"][0])
        assert np.isnan(planned[f"dose_{number}_mg"][0])
        assert np.isnan(planned[f"volume_{number}_ml"][0])
        assert np.isnan(planned[f"rate_{number}_ml_h"][0])
    assert not np.isnat(planned["date_1"][1])


def test_reduced_bmd_at_the_limit() -> None:
    """P-IND-B with P-FX-b and P-BMD: two long-bone fractures before 10 with a Z-score of
    exactly -2.0 are indicated; -1.999 and no Z-score are not."""
    columns = _rows(3)
    columns["vertebral_fractures"][:] = 0
    columns["long_bone_fractures_before_10"][:] = 2
    columns["long_bone_fractures_before_19"][:] = 2
    columns["lowest_bmd_z"][:] = [-2.0, -1.999, np.nan]
    planned = vector.plan_arrays(columns)
    assert list(planned["indicated"]) == [True, False, False]
    assert list(planned["block_not_indicated_criteria"]) == [False, True, True]


def test_a_dose_that_rounds_to_zero_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a rounding step of 1 mg, 0.25 mg rounds to nothing: the row has status error and
    says why (no default option reaches this; the batch refuses it all the same)."""
    a = vector.Integers()
    monkeypatch.setattr(vector, "_STEP", {drug: a.mg(1.0) for drug in vector._STEP})
    planned = vector.plan_arrays(_rows(1))
    assert list(planned["status"]) == ["error"]
    assert list(planned["error"]) == ["dose: the dose rounds down to zero"]


def _day(text: str) -> np.datetime64:
    return np.datetime64(text, "D")


def test_thresholds_at_their_limits() -> None:
    """Exactly 38.5 °C is no fever (P-CI-FEVER), exactly 2.2 mmol/l no hypocalcaemia
    (P-CI-HYPOCA), exactly 50 nmol/l no vitamin D deficiency (P-PRE-VITD); just past each, a
    block."""
    columns = _rows(6)
    columns["temperature_c"][:2] = [38.5, 38.501]
    columns["calcium_mmol_l"][2:4] = [2.2, 2.199]
    columns["vitamin_d_25oh_nmol_l"][4:6] = [50.0, 49.999]
    planned = vector.plan_arrays(columns)
    assert list(planned["block_fever"]) == [False, True, False, False, False, False]
    assert list(planned["block_hypocalcaemia"]) == [False, False, False, True, False, False]
    assert list(planned["block_vitamin_d_deficient"]) == [False] * 4 + [False, True]


def test_a_history_of_either_drug_makes_it_a_later_infusion() -> None:
    """P-PRE-LABS holds before the first infusion of any bisphosphonate only: with one
    zoledronic acid and one pamidronate infusion given, a missing phosphate blocks nothing."""
    columns = _rows(2)
    columns["phosphate_mmol_l"][:] = np.nan
    columns["zoledronic_acid_given"][0] = 1
    columns["last_zoledronic_acid_date"][0] = _day("2026-01-10")
    columns["pamidronate_given"][0] = 1
    columns["last_pamidronate_date"][0] = _day("2025-10-10")
    planned = vector.plan_arrays(columns)
    assert list(planned["block_labs_missing"]) == [False, True]


def test_the_course_continues_from_the_history() -> None:
    """P-ZOL-FREQ: two zoledronic acid infusions given, the last on 2026-09-23: the third is due
    6 months later, 2027-03-23, at 0.05 mg/kg x 20 kg = 1 mg (P-ZOL-DOSE); with the last on
    2026-03-01 it is overdue and planned today, 2026-11-23. P-PAM-FREQ: one pamidronate infusion
    on 2026-10-23 (GFR not above 90) gives the second on 2027-01-23 at 2 mg/kg = 40 mg."""
    columns = _rows(3)
    columns["zoledronic_acid_given"][:2] = 2
    columns["last_zoledronic_acid_date"][:2] = [_day("2026-09-23"), _day("2026-03-01")]
    columns["creatinine_umol_l"][2] = 60.0  # 40 x 112 / 60 = 74.7: pamidronate
    columns["pamidronate_given"][2] = 1
    columns["last_pamidronate_date"][2] = _day("2026-10-23")
    planned = vector.plan_arrays(columns)
    assert list(planned["drug"]) == ["zoledronic_acid", "zoledronic_acid", "pamidronate"]
    assert [str(day) for day in planned["date_1"]] == ["2027-03-23", "2026-11-23", "2027-01-23"]
    assert [str(day) for day in planned["date_2"]] == ["2027-09-23", "2027-05-23", "2027-04-23"]
    assert [float(dose) for dose in planned["dose_1_mg"]] == [1.0, 1.0, 40.0]
    assert [float(volume) for volume in planned["volume_1_ml"]] == [50.0, 50.0, 400.0]
    assert [float(rate) for rate in planned["rate_1_ml_h"]] == [50.0, 50.0, 100.0]


def test_low_turnover_or_a_complication_each_reduce_the_regular_dose() -> None:
    """P-ZOL-LOW and P-ZOL-COMPL: either alone makes the third infusion 0.025 mg/kg x 20 kg =
    0.5 mg instead of 1 mg."""
    columns = _rows(3)
    columns["zoledronic_acid_given"][:] = 2
    columns["last_zoledronic_acid_date"][:] = _day("2026-09-23")
    columns["low_bone_turnover"][0] = True
    columns["complication_after_infusion"][1] = True
    planned = vector.plan_arrays(columns)
    assert [float(dose) for dose in planned["dose_1_mg"]] == [0.5, 0.5, 1.0]
