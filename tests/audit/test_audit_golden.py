"""The audit on the guideline's own numbers: each deviation just inside and just outside its limit.

Every case runs both paths (columnar and one by one) and checks they agree (``audit_both``).
"""

from __future__ import annotations

import pytest

from tests.audit._histories import NORMAL_LABS, audit_both, found, pam, tables, zol

# A course of zoledronic acid for a 20 kg child: 0.0125, 0.025, then 0.05 mg/kg (P-ZOL-FIRST).
ZOL_COURSE = [zol("2020-01-15", 0.25), zol("2020-04-15", 0.5), zol("2020-10-15", 1.0)]


def test_a_course_as_the_guideline_gives_it_is_ok() -> None:
    result = audit_both(tables(ZOL_COURSE))
    assert result["verdict"].tolist() == ["ok", "ok", "ok"]
    assert result["rule_ids"].tolist() == ["", "", ""]
    assert result["limit_mg_per_kg"].tolist() == [0.025, 0.025, 0.05]
    assert result["cap_mg"].tolist() == [4.0, 4.0, 4.0]
    assert result["interval_days"].tolist()[1:] == [91.0, 183.0]
    assert result["min_interval_days"].tolist()[1:] == [91.0, 183.0]
    assert result["dose_mg_per_kg"].tolist() == [0.0125, 0.025, 0.05]


def test_zoledronic_acid_above_0_05_mg_per_kg_is_p_zol_dose() -> None:
    course = [*ZOL_COURSE[:2], zol("2020-10-15", 1.001)]
    result = audit_both(tables(course))
    assert result["deviations"].iloc[-1] == "zoledronic-acid-over-per-kg"
    assert result["rule_ids"].iloc[-1] == "P-ZOL-DOSE"
    assert result["verdict"].iloc[-1] == "deviation"


@pytest.mark.parametrize(("row", "dose_mg"), [(0, 0.501), (1, 0.501)])
def test_the_first_two_zoledronic_acid_doses_above_0_025_mg_per_kg_are_p_zol_first(
    row: int, dose_mg: float
) -> None:
    course = list(ZOL_COURSE)
    course[row] = zol(course[row][0], dose_mg)
    assert found(tables(course), row) == {"zoledronic-acid-first-over-per-kg"}
    course[row] = zol(course[row][0], 0.5)
    assert found(tables(course), row) == set()


def test_zoledronic_acid_above_4_mg_a_day_is_p_zol_cap() -> None:
    # 100 kg: 0.05 mg/kg would be 5 mg; the cap is 4 mg.
    course = [zol("2020-01-15", 2.5), zol("2020-04-15", 2.5), zol("2020-10-15", 4.0)]
    assert found(tables(course, weight_kg=100.0)) == set()
    course[-1] = zol("2020-10-15", 4.001)
    assert found(tables(course, weight_kg=100.0)) == {"zoledronic-acid-over-cap"}


def test_two_zoledronic_acid_infusions_on_one_day_add_up() -> None:
    # 80 kg: 0.05 mg/kg is 4 mg; two infusions of 2.5 mg on one day are 5 mg.
    course = [zol("2020-01-15", 2.0), zol("2020-04-15", 2.0), zol("2020-10-15", 2.5)]
    course.append(zol("2020-10-15", 2.5))
    result = audit_both(tables(course, weight_kg=80.0))
    assert result["deviations"].iloc[-2] == ""
    assert set(result["deviations"].iloc[-1].split(";")) == {
        "zoledronic-acid-over-cap",
        "zoledronic-acid-day-over-per-kg",
        "interval-too-short",
    }
    assert result["interval_days"].iloc[-1] == 0.0


def test_the_first_pamidronate_infusion_is_at_most_1_mg_per_kg_and_45_mg() -> None:
    assert found(tables([pam("2020-01-15", 20.0)])) == set()
    assert found(tables([pam("2020-01-15", 20.1)])) == {"pamidronate-first-over-per-kg"}
    # 50 kg: 1 mg/kg is 50 mg, half the cap is 45 mg (P-PAM-FIRST: the cap before the halving).
    result = audit_both(tables([pam("2020-01-15", 45.1)], weight_kg=50.0))
    assert result["deviations"].iloc[0] == "pamidronate-first-over-half-cap"
    assert result["cap_mg"].iloc[0] == 45.0
    assert result["limit_mg_per_kg"].iloc[0] == 1.0


def test_later_pamidronate_is_at_most_2_mg_per_kg_and_90_mg() -> None:
    course = [pam("2020-01-15", 25.0), pam("2020-04-15", 90.0)]
    assert found(tables(course, weight_kg=50.0)) == set()
    course[-1] = pam("2020-04-15", 90.1)
    assert found(tables(course, weight_kg=50.0)) == {"pamidronate-over-cap"}
    course[-1] = pam("2020-04-15", 40.1)
    assert found(tables(course, weight_kg=20.0)) == {"pamidronate-over-per-kg"}


def test_pamidronate_concentration_is_at_most_0_36_mg_per_ml() -> None:
    course = [pam("2020-01-15", 25.0), pam("2020-04-15", 90.0, volume_ml=250.0)]
    assert found(tables(course, weight_kg=50.0)) == set()
    course[-1] = pam("2020-04-15", 90.0, volume_ml=249.9)
    assert found(tables(course, weight_kg=50.0)) == {"pamidronate-too-concentrated"}


def test_pamidronate_rate_is_at_most_60_mg_per_h() -> None:
    course = [pam("2020-01-15", 25.0), pam("2020-04-15", 60.0, minutes=60.0)]
    assert found(tables(course, weight_kg=50.0)) == set()
    course[-1] = pam("2020-04-15", 60.0, minutes=59.9)
    assert found(tables(course, weight_kg=50.0)) == {"pamidronate-too-fast"}


def test_pamidronate_rate_is_at_most_20_mg_per_h_with_a_gfr_of_90_or_less() -> None:
    # Schwartz-40: 40 x 120 cm / 53.3333 µmol/l = 90.0 (at most 90: the renal rate applies).
    renal = [("2020-04-15", "creatinine_umol_l", 40 * 120 / 90)]
    course = [pam("2020-01-15", 25.0), pam("2020-04-15", 40.0, minutes=120.0)]
    assert found(tables(course, weight_kg=50.0, measurements=renal)) == set()
    course[-1] = pam("2020-04-15", 40.0, minutes=119.0)
    assert found(tables(course, weight_kg=50.0, measurements=renal)) == {
        "pamidronate-too-fast-renal"
    }


def test_no_pamidronate_below_a_gfr_of_30() -> None:
    course = [pam("2020-01-15", 25.0), pam("2020-04-15", 40.0, minutes=120.0)]
    at_30 = [("2020-04-15", "creatinine_umol_l", 160.0)]  # 40 x 120 / 160 = 30
    assert found(tables(course, weight_kg=50.0, measurements=at_30)) == set()
    below = [("2020-04-15", "creatinine_umol_l", 160.5)]  # 29.9
    assert found(tables(course, weight_kg=50.0, measurements=below)) == {"pamidronate-gfr-too-low"}


def test_zoledronic_acid_needs_a_gfr_above_90() -> None:
    at_90 = [("2020-10-15", "creatinine_umol_l", 40 * 120 / 90)]
    assert found(tables(ZOL_COURSE, measurements=at_90)) == {"zoledronic-acid-gfr-too-low"}
    above = [("2020-10-15", "creatinine_umol_l", 53.3)]  # 90.06
    assert found(tables(ZOL_COURSE, measurements=above)) == set()


def test_zoledronic_acid_without_a_creatinine_is_refused() -> None:
    labs = {k: v for k, v in NORMAL_LABS.items() if k != "creatinine_umol_l"}
    result = audit_both(tables([zol("2020-01-15", 0.25)], labs=labs))
    assert set(result["deviations"].iloc[0].split(";")) == {
        "zoledronic-acid-gfr-too-low",
        "first-labs-missing",
    }


def test_a_creatinine_older_than_12_months_does_not_clear_zoledronic_acid() -> None:
    course = [zol("2020-01-15", 0.25), zol("2020-04-15", 0.5), zol("2021-04-15", 1.0)]
    frames = tables(course)
    measured = frames[2]
    # The creatinine of the last infusion's day removed: the latest is that of 2020-04-15.
    keep = ~((measured["date"] == "2021-04-15") & (measured["kind"] == "creatinine_umol_l"))
    assert found((frames[0], frames[1], measured[keep])) == set()  # exactly 12 months
    course[-1] = zol("2021-04-16", 1.0)
    frames = tables(course)
    measured = frames[2]
    keep = ~((measured["date"] == "2021-04-16") & (measured["kind"] == "creatinine_umol_l"))
    result = audit_both((frames[0], frames[1], measured[keep]))
    assert result["deviations"].iloc[-1] == "creatinine-not-fresh"
    assert result["rule_ids"].iloc[-1] == "P-FRESH;P-GFR"


def test_zoledronic_acid_over_15_minutes_at_least() -> None:
    course = [*ZOL_COURSE[:2], zol("2020-10-15", 1.0, minutes=15.0)]
    assert found(tables(course)) == set()
    course[-1] = zol("2020-10-15", 1.0, minutes=14.9)
    result = audit_both(tables(course))
    assert result["deviations"].iloc[-1] == "zoledronic-acid-too-fast"
    assert result["rule_ids"].iloc[-1] == "P-HARD;P-ZOL-DOSE"


def test_no_infusion_from_the_19th_birthday_on() -> None:
    assert found(tables(ZOL_COURSE, birth_date="2001-10-16")) == set()
    result = audit_both(tables(ZOL_COURSE, birth_date="2001-10-15"))
    assert result["deviations"].iloc[-1] == "after-19th-birthday"
    assert result["rule_ids"].iloc[-1] == "P-SCOPE-1"


def test_the_interval_is_the_last_drugs_own() -> None:
    # 3 months after the first zoledronic acid infusion, 6 after the second.
    early_second = [zol("2020-01-15", 0.25), zol("2020-04-14", 0.5)]
    assert found(tables(early_second)) == {"interval-too-short"}
    early_third = [*ZOL_COURSE[:2], zol("2020-10-14", 1.0)]
    result = audit_both(tables(early_third))
    assert result["deviations"].iloc[-1] == "interval-too-short"
    assert result["rule_ids"].iloc[-1] == "P-HIST-INTERVAL"
    assert result["min_interval_days"].iloc[-1] == 183.0
    assert result["interval_days"].iloc[-1] == 182.0


def test_a_drug_switch_never_shortens_the_interval() -> None:
    # After a regular zoledronic acid infusion pamidronate waits 6 months, and restarts its
    # first dose (1 mg/kg).
    switch = [*ZOL_COURSE, pam("2021-03-15", 20.0)]
    result = audit_both(tables(switch))
    assert result["deviations"].iloc[-1] == "interval-too-short"
    assert result["limit_mg_per_kg"].iloc[-1] == 1.0
    assert found(tables([*ZOL_COURSE, pam("2021-04-15", 20.0)])) == set()
    # After pamidronate, zoledronic acid waits 3 months, its first dose 0.025 mg/kg at most.
    back = [pam("2020-01-15", 20.0), zol("2020-04-14", 0.5)]
    assert found(tables(back)) == {"interval-too-short"}
    assert found(tables([pam("2020-01-15", 20.0), zol("2020-04-15", 0.501)])) == {
        "zoledronic-acid-first-over-per-kg"
    }


def test_a_calcium_below_2_2_in_the_90_days_before_is_hypocalcaemia() -> None:
    course = ZOL_COURSE[:2]
    low = [("2020-04-15", "calcium_mmol_l", 2.199)]
    assert found(tables(course, measurements=low)) == {"hypocalcaemia"}
    assert found(tables(course, measurements=[("2020-04-15", "calcium_mmol_l", 2.2)])) == set()


@pytest.mark.parametrize(("second", "judged"), [("2020-04-14", True), ("2020-04-15", False)])
def test_a_calcium_counts_for_90_days(second: str, judged: bool) -> None:
    """P-CI-HYPOCA with P-FRESH: a calcium older than 90 days is not judged (its WARN)."""
    labs = {**NORMAL_LABS, "calcium_mmol_l": 2.0}
    frames = tables([zol("2020-01-15", 0.25), zol(second, 0.5)], labs=labs)
    measured = frames[2]
    keep = ~((measured["date"] == second) & (measured["kind"] == "calcium_mmol_l"))
    result = audit_both((frames[0], frames[1], measured[keep]))
    assert result["deviations"].iloc[0] == "hypocalcaemia"
    assert result["deviations"].iloc[1] == ("hypocalcaemia;interval-too-short" if judged else "")


def test_a_fever_above_38_5_on_the_day_blocks() -> None:
    course = ZOL_COURSE[:2]
    assert found(tables(course, measurements=[("2020-04-15", "temperature_c", 38.6)])) == {"fever"}
    assert found(tables(course, measurements=[("2020-04-15", "temperature_c", 38.5)])) == set()
    # A fever of the day before is not today's.
    assert found(tables(course, measurements=[("2020-04-14", "temperature_c", 39.5)])) == set()


def test_the_first_infusion_needs_every_lab_of_the_90_days_before() -> None:
    first = [zol("2020-01-15", 0.25)]
    assert found(tables(first, labs_date="2019-10-17")) == set()  # 90 days
    assert found(tables(first, labs_date="2019-10-16")) == {"first-labs-missing"}
    labs = {k: v for k, v in NORMAL_LABS.items() if k != "pth_pmol_l"}
    assert found(tables(first, labs=labs)) == {"first-labs-missing"}


def test_the_first_infusion_with_vitamin_d_below_50_is_p_pre_vitd() -> None:
    first = [zol("2020-01-15", 0.25)]
    assert found(tables(first, labs={**NORMAL_LABS, "vitamin_d_25oh_nmol_l": 49.9})) == {
        "vitamin-d-deficient"
    }
    assert found(tables(first, labs={**NORMAL_LABS, "vitamin_d_25oh_nmol_l": 50.0})) == set()


def test_a_condition_outside_p_ind_a_is_not_indicated() -> None:
    result = audit_both(tables(ZOL_COURSE, diagnosis="other"))
    assert result["rule_ids"].tolist() == ["P-IND-A"] * 3


def test_without_a_weight_the_per_kg_limits_are_not_assessable() -> None:
    result = audit_both(tables(ZOL_COURSE, weight_kg=None))
    assert result["verdict"].tolist() == ["not_assessable"] * 3
    assert result["unassessed"].tolist() == ["weight-missing"] * 3
    # The cap needs no weight.
    over = audit_both(tables([zol("2020-01-15", 4.5)], weight_kg=None))
    assert over["verdict"].iloc[0] == "deviation"
    assert over["deviations"].iloc[0] == "zoledronic-acid-over-cap"


def test_a_weight_older_than_30_days_is_not_assessable() -> None:
    frames = tables(ZOL_COURSE[:2])
    measured = frames[2]
    weights = measured["kind"] == "weight_kg"
    measured.loc[weights & (measured["date"] == "2020-04-15"), "date"] = "2020-03-16"
    assert audit_both((frames[0], frames[1], measured))["verdict"].iloc[-1] == "ok"
    measured.loc[weights & (measured["date"] == "2020-03-16"), "date"] = "2020-03-15"
    result = audit_both((frames[0], frames[1], measured))
    assert result["verdict"].iloc[-1] == "not_assessable"
    assert result["unassessed"].iloc[-1] == "weight-not-fresh"


def test_pamidronate_without_a_gfr_runs_at_20_mg_per_h_at_most() -> None:
    """The gate's reading of P-PAM-RENAL: renal function unknown limits the rate to 20 mg/h."""
    labs = {k: v for k, v in NORMAL_LABS.items() if k != "creatinine_umol_l"}
    course = [pam("2020-01-15", 20.0, minutes=59.0)]  # 20.3 mg/h
    result = audit_both(tables(course, labs=labs))
    assert set(result["deviations"].iloc[0].split(";")) == {
        "pamidronate-too-fast-renal",
        "first-labs-missing",
    }
    assert result["gfr_ml_min_1_73m2"].isna().all()
    # With a normal GFR the same infusion is within the label's 60 mg/h.
    assert found(tables(course)) == set()
