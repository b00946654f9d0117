"""Worked patients of the pediatric guideline, from ``examples/patients/``, with exact findings.

Each patient is a realistic case of the guideline's text; the test asserts every finding (code,
severity, rule ids) in order, whether an infusion is cleared today, which drugs are allowed, and
the values that decided it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bisphos.findings import Finding
from bisphos.io import load_patient
from bisphos.model import Drug
from bisphos.pediatric.assessment import Assessment, assess
from bisphos.units import quantity

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "patients"

ZOL_PAM = (Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE)
PAM = (Drug.PAMIDRONATE,)

GFR_OK = ("gfr-above-90", "info", ("P-GFR",))
# The advice every indicated patient gets: P-SUPP-VITD, P-SUPP-CA, P-MON-*.
ADVICE = (
    ("vitamin-d-supplementation", "info", ("P-SUPP-VITD",)),
    ("calcium-intake", "info", ("P-SUPP-CA",)),
    ("monitoring", "info", ("P-MON-CHECKS", "P-MON-CALL")),
    ("hypocalcaemia-warning", "info", ("P-MON-HYPOCA",)),
)


# With the first infusion: the side effects to expect and the long-term effects (seed rules).
FIRST = (
    ("side-effects", "info", ("P-SE-ACUTE",)),
    ("long-term-effects", "info", ("P-LONGTERM",)),
)
# Prolonged immobilisation: serum calcium after the infusion (P-HUNGRY-CA).
HUNGRY_CA = ("calcium-check-after-infusion", "info", ("P-HUNGRY-CA", "P-HUNGRY", "P-MON-HYPOCA"))
# Immobility or corticosteroids, low turnover not recorded (P-TURNOVER-PROMPT).
TURNOVER = ("bone-turnover-not-recorded", "info", ("P-TURNOVER-PROMPT", "P-ZOL-LOW"))


def _indicated(*criteria: str) -> tuple[str, str, tuple[str, ...]]:
    return ("indicated", "info", ("P-IND-A", "P-IND-B", *criteria))


NOT_B = ("not-indicated-criteria", "block", ("P-IND-B", "P-FX-a", "P-FX-b", "P-FX-c", "P-BMD"))

# file stem: (cleared today, allowed drugs, first infusion, findings in order)
GOLDEN: dict[
    str, tuple[bool, tuple[Drug, ...], bool, tuple[tuple[str, str, tuple[str, ...]], ...]]
] = {
    # The example girl: OI, vertebral fracture, 2 long-bone fractures before 10, LS Z -2.8.
    "oi-girl-20kg": (
        True,
        ZOL_PAM,
        True,
        (_indicated("P-FX-a", "P-FX-b", "P-BMD"), GFR_OK, *ADVICE, *FIRST),
    ),
    # OI with a vertebral compression fracture and a normal BMD: P-FX-a needs no reduced BMD.
    "ped-oi-vertebral-fracture-normal-bmd": (
        True,
        ZOL_PAM,
        True,
        (_indicated("P-FX-a"), GFR_OK, *ADVICE, *FIRST),
    ),
    # Idiopathic juvenile osteoporosis, 2 long-bone fractures at 7 and 8 years, LS Z -2.1.
    "ped-ijo-two-fractures-before-10": (
        True,
        ZOL_PAM,
        True,
        (_indicated("P-FX-b", "P-BMD"), GFR_OK, *ADVICE, *FIRST),
    ),
    # Corticosteroid osteoporosis, 3 long-bone fractures at 12-17 years, LS Z exactly -2.0.
    "ped-steroid-three-fractures-z-minus-2": (
        True,
        ZOL_PAM,
        False,
        (_indicated("P-FX-c", "P-BMD"), GFR_OK, *ADVICE, TURNOVER),
    ),
    # A WNT1 variant: bisphosphonates not advised, whatever the fractures and BMD.
    "ped-wnt1-variant": (
        False,
        (),
        True,
        (("not-indicated-gene", "block", ("P-IND-GENE",)), GFR_OK),
    ),
    # Dexamethasone stopped: spontaneous recovery expected.
    "ped-dexamethasone-stopped": (
        False,
        (),
        True,
        (("not-indicated-recovery", "block", ("P-IND-RECOVERY",)), GFR_OK),
    ),
    # A condition outside P-IND-A.
    "ped-other-condition": (
        False,
        (),
        True,
        (("not-indicated-condition", "block", ("P-IND-A",)), GFR_OK),
    ),
    # Fever 38.6 °C before the second infusion: postpone.
    "ped-fever-38-6": (
        False,
        ZOL_PAM,
        False,
        (_indicated("P-FX-a", "P-BMD"), ("fever", "block", ("P-CI-FEVER",)), GFR_OK, *ADVICE),
    ),
    # Total calcium 2.15 mmol/l before the first infusion, PTH 9.1 above the limit of 7.0.
    "ped-hypocalcaemia-2-15": (
        False,
        ZOL_PAM,
        True,
        (
            _indicated("P-FX-a", "P-BMD"),
            ("hypocalcaemia", "block", ("P-CI-HYPOCA",)),
            ("albumin-corrected-calcium", "info", ("P-CI-HYPOCA",)),
            ("calcium-consult", "warn", ("P-PRE-CA",)),
            ("calcium-supplementation", "warn", ("P-PRE-CA", "P-SUPP-CA")),
            GFR_OK,
            *ADVICE,
            *FIRST,
        ),
    ),
    # GFR exactly 90 (40 x 90 cm / 40 µmol/l): pamidronate only.
    "ped-gfr-exactly-90": (
        True,
        PAM,
        True,
        (
            _indicated("P-FX-a", "P-BMD"),
            ("dxa-needed", "warn", ("P-PRE-DXA",)),
            ("gfr-not-above-90", "warn", ("P-GFR", "P-CI-RENAL")),
            # GFR exactly 90 is renal impairment for pamidronate too: at most 20 mg/h.
            ("pamidronate-renal-impairment", "warn", ("P-PAM-RENAL", "P-CI-RENAL")),
            *ADVICE,
            *FIRST,
        ),
    ),
    # 20 years old: out of scope, one finding.
    "ped-twenty-years-old": (False, (), True, (("out-of-scope", "block", ("P-SCOPE-1",)),)),
    # 25-OH vitamin D 20 ng/ml = 49.92 nmol/l before the first infusion; dark skin: 800 IU.
    "ped-vitamin-d-20-ng-ml": (
        False,
        ZOL_PAM,
        True,
        (
            _indicated("P-FX-a", "P-BMD"),
            ("vitamin-d-deficient", "block", ("P-PRE-VITD", "P-SUPP-VITD")),
            GFR_OK,
            *ADVICE,
            *FIRST,
        ),
    ),
    # Immobile child: urea, albumin and PTH missing, no temperature, no femur DXA.
    "ped-missing-labs": (
        False,
        ZOL_PAM,
        True,
        (
            _indicated("P-FX-b", "P-FX-c", "P-BMD"),
            ("temperature-not-recorded", "warn", ("P-CI-FEVER", "P-MON-CHECKS")),
            ("labs-missing", "block", ("P-PRE-LABS",)),
            ("dxa-needed", "warn", ("P-PRE-DXA",)),
            GFR_OK,
            *ADVICE,
            *FIRST,
            HUNGRY_CA,
            TURNOVER,
        ),
    ),
    # Hypersensitivity after the first pamidronate infusion.
    "ped-bisphosphonate-hypersensitivity": (
        False,
        ZOL_PAM,
        False,
        (
            _indicated("P-FX-a", "P-BMD"),
            ("hypersensitivity", "block", ("P-CI-ALLERGY",)),
            GFR_OK,
            *ADVICE,
        ),
    ),
    # A 16-year-old on treatment who is pregnant.
    "ped-pregnant-16": (
        False,
        ZOL_PAM,
        False,
        (_indicated("P-FX-a", "P-BMD"), ("pregnancy", "block", ("P-CI-PREG",)), GFR_OK, *ADVICE),
    ),
    # Two long-bone fractures, the second on the 10th birthday: only one counts for P-FX-b.
    "ped-fracture-on-10th-birthday": (False, (), True, (NOT_B, GFR_OK)),
    # Three long-bone fractures, one after high-energy trauma (and a vertebral one with it).
    "ped-high-energy-fracture": (False, (), True, (NOT_B, GFR_OK)),
    # Immobile child: femur Z -3.6 does not count, LS -1.5 is not reduced; TBLH DXA missing.
    "ped-immobile-femur-only-reduced": (
        False,
        (),
        True,
        (NOT_B, ("dxa-needed", "warn", ("P-PRE-DXA",)), GFR_OK),
    ),
    # Short stature: LS -2.6 uncorrected but -1.6 size-corrected; TBLH -1.8: not reduced.
    "ped-short-stature-size-corrected": (False, (), True, (NOT_B, GFR_OK)),
    # Entered in lb, inches, mg/dl, °F, ng/ml, pg/ml: 101.3 °F no fever; 8.8 mg/dl calcium low.
    "ped-us-units-hypocalcaemia": (
        False,
        ZOL_PAM,
        True,
        (
            _indicated("P-FX-a", "P-BMD"),
            ("hypocalcaemia", "block", ("P-CI-HYPOCA",)),
            ("albumin-corrected-calcium", "info", ("P-CI-HYPOCA",)),
            ("calcium-consult", "warn", ("P-PRE-CA",)),
            GFR_OK,
            *ADVICE,
            *FIRST,
        ),
    ),
    # The readings of December 2026 (P-PAM-RENAL, P-HIST-INTERVAL, P-MAINT-*, P-ZOL-LOW); their
    # plans are in test_course_golden.py. Zoledronic acid on 2026-11-02, creatinine 1.0 mg/dl
    # since: GFR 50.7, pamidronate only, at most 20 mg/h.
    "ped-switch-after-zoledronic-acid": (
        True,
        PAM,
        False,
        (
            _indicated("P-FX-a", "P-FX-b", "P-BMD"),
            ("gfr-not-above-90", "warn", ("P-GFR", "P-CI-RENAL")),
            ("pamidronate-renal-impairment", "warn", ("P-PAM-RENAL", "P-CI-RENAL")),
            *ADVICE,
        ),
    ),
    # GFR 40 x 150 / 240 = 25: neither drug; the P-PAM-RENAL block.
    "ped-pamidronate-gfr-25": (
        False,
        (),
        False,
        (
            _indicated("P-FX-a", "P-BMD"),
            ("gfr-not-above-90", "warn", ("P-GFR", "P-CI-RENAL")),
            ("pamidronate-gfr-below-30", "block", ("P-PAM-RENAL", "P-CI-RENAL")),
            *ADVICE,
        ),
    ),
    # GFR 40 x 150 / 100 = 60: pamidronate with the renal rate.
    "ped-pamidronate-gfr-60": (
        True,
        PAM,
        False,
        (
            _indicated("P-FX-a", "P-BMD"),
            ("gfr-not-above-90", "warn", ("P-GFR", "P-CI-RENAL")),
            ("pamidronate-renal-impairment", "warn", ("P-PAM-RENAL", "P-CI-RENAL")),
            *ADVICE,
        ),
    ),
    # A later pamidronate infusion without creatinine: a WARN, not a block.
    "ped-pamidronate-no-creatinine": (
        True,
        PAM,
        False,
        (
            _indicated("P-FX-a", "P-BMD"),
            ("gfr-unavailable", "warn", ("P-GFR",)),
            ("pamidronate-creatinine-missing", "warn", ("P-PAM-RENAL",)),
            *ADVICE,
        ),
    ),
    # Three patients after 7 years of zoledronic acid (maintenance readings, in their plans).
    **{
        stem: (
            True,
            ZOL_PAM,
            False,
            (
                _indicated("P-FX-a", "P-FX-b", "P-FX-c", "P-BMD"),
                GFR_OK,
                *ADVICE[:3],
                ("no-baseline-vitals", "warn", ("P-MON-CHECKS", "P-MON-CALL")),
                ADVICE[3],
            ),
        )
        for stem in (
            "ped-density-recovered",
            "ped-maintenance-entry-not-met",
            "ped-maintenance-old-dxa",
        )
    },
    # An infant of 19 months after two zoledronic acid infusions (P-ZOL-LOW in its plan).
    "ped-zoledronic-acid-second-birthday": (
        True,
        ZOL_PAM,
        False,
        (_indicated("P-FX-a", "P-BMD"), GFR_OK, *ADVICE),
    ),
}


def _assess(stem: str) -> Assessment:
    return assess(load_patient(EXAMPLES / f"{stem}.json"))


def _evidence(finding: Finding | None) -> dict[str, object]:
    assert finding is not None
    return {e.name: e.value for e in finding.evidence}


def _limits(finding: Finding | None) -> dict[str, object]:
    assert finding is not None
    return {e.name: e.threshold for e in finding.evidence}


def test_golden_patients_cover_the_examples() -> None:
    """Every ``ped-*`` example patient has a golden test (P-SCOPE-1 .. P-MON-HYPOCA)."""
    assert len(GOLDEN) >= 15
    stems = {p.stem for p in EXAMPLES.glob("*.json")}
    assert set(GOLDEN) <= stems
    assert {stem for stem in stems if stem.startswith("ped-")} <= set(GOLDEN)


@pytest.mark.parametrize("stem", sorted(GOLDEN))
def test_golden_patient_findings(stem: str) -> None:
    """The exact findings, clearance and allowed drugs of each worked patient."""
    cleared, drugs, first, findings = GOLDEN[stem]
    result = _assess(stem)
    assert [(f.code, f.severity.value, f.rule_ids) for f in result.findings] == list(findings)
    assert result.cleared_today is cleared
    assert result.allowed_drugs == drugs
    assert result.first_infusion is first
    assert all(f.rule_ids for f in result.findings)


def test_golden_oi_vertebral_fracture_normal_bmd_values() -> None:
    """P-FX-a, P-IND-B: one vertebral fracture counts without a reduced BMD (LS Z -1.2)."""
    result = _assess("ped-oi-vertebral-fracture-normal-bmd")
    evidence = _evidence(result.finding("indicated"))
    assert evidence["vertebral compression fractures"] == 1
    assert evidence["lowest DXA Z-score (lumbar_spine)"] == -1.2
    assert result.indication is not None
    assert not result.indication.bmd_reduced


def test_golden_two_fractures_before_10_values() -> None:
    """P-FX-b, P-BMD: fractures at 7.1 and 8.3 years, LS Z -2.1 (TBLH -1.7)."""
    result = _assess("ped-ijo-two-fractures-before-10")
    evidence = _evidence(result.finding("indicated"))
    assert evidence["long-bone fractures before age 10"] == 2
    assert evidence["lowest DXA Z-score (lumbar_spine)"] == -2.1


def test_golden_three_fractures_z_minus_2_values() -> None:
    """P-FX-c, P-BMD, P-GFR: 3 fractures before 19, Z -2.0; creatinine 0.7 mg/dl = 61.88 µmol/l."""
    result = _assess("ped-steroid-three-fractures-z-minus-2")
    evidence = _evidence(result.finding("indicated"))
    assert evidence["long-bone fractures before age 19"] == 3
    assert evidence["long-bone fractures before age 10"] == 0
    assert evidence["lowest DXA Z-score (lumbar_spine)"] == -2.0
    gfr = _evidence(result.finding("gfr-above-90"))
    assert gfr["labs.creatinine"].m_as("umol/L") == pytest.approx(61.88)  # type: ignore[attr-defined]
    assert gfr["gfr"].m_as("mL_min_1_73m2") == pytest.approx(110.537, abs=1e-3)  # type: ignore[attr-defined]


def test_golden_fever_values() -> None:
    """P-CI-FEVER: 38.6 °C against the limit of 38.5 °C."""
    finding = _assess("ped-fever-38-6").finding("fever")
    assert _evidence(finding) == {"vitals.temperature": quantity(38.6, "degC")}
    assert _limits(finding) == {"vitals.temperature": quantity(38.5, "degC")}


def test_golden_hypocalcaemia_values() -> None:
    """P-CI-HYPOCA, P-PRE-CA: Ca 2.15 < 2.2; Payne with albumin 35 g/l gives 2.25 (info only)."""
    result = _assess("ped-hypocalcaemia-2-15")
    assert _evidence(result.finding("hypocalcaemia")) == {"labs.calcium": quantity(2.15, "mmol/L")}
    corrected = _evidence(result.finding("albumin-corrected-calcium"))
    assert corrected["albumin-corrected calcium"].m_as("mmol/L") == pytest.approx(2.25)  # type: ignore[attr-defined]
    limits = _limits(result.finding("calcium-supplementation"))
    assert limits["labs.pth"] == quantity(7.0, "pmol/L")


def test_golden_gfr_exactly_90_values() -> None:
    """P-GFR: 40 x 90 cm / 40 µmol/l = 90.0, not above 90: pamidronate only."""
    result = _assess("ped-gfr-exactly-90")
    evidence = _evidence(result.finding("gfr-not-above-90"))
    assert evidence["gfr"] == quantity(90.0, "mL_min_1_73m2")
    assert evidence["gfr_estimator"] == "schwartz-40"
    assert evidence["gfr_estimator_constant"] == 40.0
    assert not result.zoledronic_acid_allowed


def test_golden_twenty_year_old_values() -> None:
    """P-SCOPE-1: born 2005-10-03, 19 on 2024-10-03: out of scope on 2026-03-02."""
    result = _assess("ped-twenty-years-old")
    evidence = _evidence(result.finding("out-of-scope"))
    assert str(evidence["19th birthday"]) == "2024-10-03"
    assert result.finding("out-of-scope").message.startswith("The patient is 20 years old")  # type: ignore[union-attr]


def test_golden_vitamin_d_values() -> None:
    """P-PRE-VITD, P-SUPP-VITD: 20 ng/ml = 49.92 nmol/l < 50; dark skin: 800 IU per day."""
    result = _assess("ped-vitamin-d-20-ng-ml")
    evidence = _evidence(result.finding("vitamin-d-deficient"))
    assert evidence["labs.vitamin_d_25oh"].m_as("nmol/L") == pytest.approx(49.92)  # type: ignore[attr-defined]
    assert evidence["vitamin D advice per day"] == quantity(800.0, "IU")
    warning = result.finding("hypocalcaemia-warning")
    assert warning is not None
    assert warning.action == "Check serum calcium after the infusion."


def test_golden_missing_labs_values() -> None:
    """P-PRE-LABS, P-PRE-DXA: urea, albumin and PTH missing; immobile: femur DXA missing."""
    result = _assess("ped-missing-labs")
    assert _evidence(result.finding("labs-missing")) == {
        "labs.urea": "missing",
        "labs.albumin": "missing",
        "labs.pth": "missing",
    }
    assert _evidence(result.finding("dxa-needed")) == {"bmd.femur": "missing"}
    assert result.supplements is not None
    assert result.supplements.vitamin_d_per_day == quantity(800.0, "IU")  # little time outdoors


def test_golden_fracture_on_10th_birthday_values() -> None:
    """P-FX-b: fractures at 6.7 years and on the 10th birthday: 1 before 10, 2 before 19."""
    evidence = _evidence(_assess("ped-fracture-on-10th-birthday").finding("not-indicated-criteria"))
    assert evidence["long-bone fractures before age 10"] == 1
    assert evidence["long-bone fractures before age 19"] == 2


def test_golden_high_energy_values() -> None:
    """P-FX-c: the two fractures of a high-energy accident are left out."""
    evidence = _evidence(_assess("ped-high-energy-fracture").finding("not-indicated-criteria"))
    assert evidence["fractures after high-energy trauma, not counted"] == 2
    assert evidence["vertebral compression fractures"] == 0
    assert evidence["long-bone fractures before age 19"] == 2


def test_golden_femur_and_size_correction_values() -> None:
    """P-BMD: a femur Z-score does not count; a size-corrected LS score replaces the raw one."""
    femur = _evidence(_assess("ped-immobile-femur-only-reduced").finding("not-indicated-criteria"))
    assert femur["lowest DXA Z-score (lumbar_spine)"] == -1.5
    short = _evidence(_assess("ped-short-stature-size-corrected").finding("not-indicated-criteria"))
    assert short["lowest DXA Z-score (total_body_less_head)"] == -1.8


def test_golden_us_units_values() -> None:
    """Invariant 7: 101.3 °F is no fever, 8.8 mg/dl calcium is 2.1956 mmol/l, 61.7 lb is 28 kg."""
    result = _assess("ped-us-units-hypocalcaemia")
    assert result.finding("fever") is None
    calcium = _evidence(result.finding("hypocalcaemia"))["labs.calcium"]
    assert calcium.m_as("mmol/L") == pytest.approx(2.1956)  # type: ignore[attr-defined]
    child = load_patient(EXAMPLES / "ped-us-units-hypocalcaemia.json")
    assert child.weight.m_as("kg") == pytest.approx(27.987, abs=1e-3)
    assert child.height is not None
    assert child.height.m_as("cm") == pytest.approx(127.0)
