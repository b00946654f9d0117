"""The message catalogue: both languages, every finding code, placeholders from the evidence.

The corpus of findings is every example patient planned four ways, plus findings built on purpose
for the codes no example reaches (acute-phase reactions, later infusions, label checks,
maintenance, oncology). For each finding the catalogue's English must reproduce the library's
own message and action, and the Dutch must come from the catalogue too.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import attrs
import pytest

from bisphos.engine import Engine
from bisphos.findings import Evidence, Finding, Severity
from bisphos.i18n import (
    LANGUAGES,
    catalogue,
    check_language,
    display_unit,
    localize,
    message_id_of,
    show,
    text,
    word,
)
from bisphos.i18n._findings import RETIRED_CODES
from bisphos.io import load_patient
from bisphos.model import (
    BmdMeasurement,
    BmdSite,
    Diagnosis,
    Drug,
    Fracture,
    FractureSite,
    InfusionRecord,
    LabResult,
    OISeverity,
    Patient,
    Trauma,
    VitalSigns,
)
from bisphos.oncology.patient import AdultPatient, ClinicianOverride
from bisphos.oncology.recommendation import _registration_finding, recommend
from bisphos.oncology.regimens import regimen
from bisphos.oncology.scope import CareSetting, choose_protocol
from bisphos.pediatric.assessment import assess
from bisphos.pediatric.infusion import pamidronate_label_checks
from bisphos.pediatric.limits import Phase
from bisphos.pediatric.maintenance import (
    ConditionStatus,
    _entry_finding,
    assess_maintenance,
    stop_guidance,
)
from bisphos.pediatric.monitoring import check_observation, monitoring_plan
from bisphos.pediatric.overrides import Override
from bisphos.pediatric.plan import NoHooks, PlanRequest, PlanStatus, assess_locally
from bisphos.pediatric.renal import GfrEstimator, SchwartzEstimator
from bisphos.pediatric.schedule import FollowUpKind, pregnancy_counselling
from bisphos.units import quantity
from tests.oncology._patients import adult, count

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "src" / "bisphos"
EXAMPLES = sorted((ROOT / "examples" / "patients").glob("*.*"))
ENGINE = Engine.create(entry_points=False)
D = dt.date

#: Findings whose message names values their evidence does not carry (the regimen ids of the
#: supplementation advice): the catalogue names the drug instead, in both languages.
NOT_REPRODUCED = {"denosumab-hypocalcaemia", "zoledronic-acid-supplementation"}
#: Codes built from a pattern in the source, with every value the pattern takes.
DYNAMIC_CODES = {
    "acute-phase-": {"heart-rate", "systolic-bp", "diastolic-bp", "myalgia", "arthralgia"},
    "pamidronate-label-": {"rate", "concentration", "renal-rate"},
}


def example(name: str) -> Patient:
    return load_patient(ROOT / "examples" / "patients" / name)


# The corpus.


def _example_findings() -> Iterator[tuple[Finding, dt.date]]:
    requests = (
        None,
        PlanRequest(maintenance=True),
        PlanRequest(drug=Drug.PAMIDRONATE),
        PlanRequest(drug=Drug.ZOLEDRONIC_ACID),
    )
    for path in EXAMPLES:
        patient = load_patient(path)
        for request in requests:
            plan = ENGINE.plan(patient, request)
            yield from ((f, plan.assessment_date) for f in plan.findings)


class _LocalEstimator(NoHooks):
    """Hooks whose only proposal is a Schwartz estimator with a larger constant."""

    def gfr_estimator(self, patient: Patient) -> GfrEstimator | None:
        return SchwartzEstimator(name="schwartz-45", k=45.0)


def _dated(result: LabResult | None) -> LabResult:
    assert result is not None
    return result


def _pediatric_findings() -> Iterator[Finding]:
    girl = example("oi-girl-20kg.json")
    labs = girl.labs
    later = attrs.evolve(
        girl,
        infusions=(InfusionRecord(Drug.ZOLEDRONIC_ACID, D(2026, 8, 23), quantity(0.25, "mg")),),
    )
    # A weight implausible for age and height, released by an override, and an unused override
    # (P-WEIGHT-PLAUSIBLE, P-OVERRIDE).
    heavy = attrs.evolve(girl, weight=quantity(200.0, "kg"))
    override = Override(
        limit="P-WEIGHT-PLAUSIBLE",
        reason="value-confirmed",
        clinician="Dr. A. Jansen",
        at=dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC),
    )
    yield from assess(heavy).findings
    yield from ENGINE.plan(heavy, PlanRequest(overrides=(override,))).findings
    yield from ENGINE.plan(girl, PlanRequest(overrides=(override,))).findings
    # P-FRESH: labs older than 90 days before a first infusion, a creatinine of 13 months, a
    # weight of 60 days, vital signs of yesterday; before a later one an undated calcium and
    # creatinine.
    old = D(2025, 10, 20)
    stale = attrs.evolve(
        girl,
        labs=attrs.evolve(
            labs,
            calcium=attrs.evolve(_dated(labs.calcium), date=old),
            creatinine=attrs.evolve(_dated(labs.creatinine), date=old),
        ),
        weight_date=D(2026, 9, 24),
        vitals=attrs.evolve(girl.vitals, date=D(2026, 11, 22)),
    )
    yield from assess(stale).findings
    yield from assess(
        attrs.evolve(
            later,
            labs=attrs.evolve(
                labs,
                calcium=attrs.evolve(_dated(labs.calcium), date=None),
                creatinine=attrs.evolve(_dated(labs.creatinine), date=None),
            ),
        )
    ).findings
    # A fracture 10 days ago in OI, and in OI with impaired healing (P-FX-RECENT).
    recent = Fracture(FractureSite.LONG_BONE, Trauma.LOW, date=D(2026, 11, 13))
    yield from assess(attrs.evolve(girl, fractures=(*girl.fractures, recent))).findings
    yield from assess(
        attrs.evolve(
            girl,
            fractures=(*girl.fractures, recent),
            risks=attrs.evolve(girl.risks, impaired_fracture_healing=True),
        )
    ).findings
    # A later infusion: calcium unknown, vitamin D low (P-CI-HYPOCA, P-PRE-VITD).
    yield from assess(
        attrs.evolve(
            later, labs=attrs.evolve(labs, calcium=None, vitamin_d_25oh=_lab(30, "nmol/L"))
        )
    ).findings
    # First infusion with low calcium: PTH missing, PTH without its upper limit (P-PRE-CA).
    low = _lab(2.1, "mmol/L")
    yield from assess(attrs.evolve(girl, labs=attrs.evolve(labs, calcium=low, pth=None))).findings
    no_limit = attrs.evolve(labs, calcium=low, pth=_lab(5.0, "pmol/L"))
    yield from assess(attrs.evolve(girl, labs=no_limit)).findings
    # Pregnancy not recorded for a girl who could become pregnant (P-CI-PREG).
    unknown = attrs.evolve(girl.risks, pregnant=None, could_become_pregnant=True)
    yield from assess(attrs.evolve(girl, risks=unknown)).findings
    # A local estimator above 90 where Schwartz k = 40 is not: the gate stays closed
    # (P-GFR-LOCAL); and one that agrees with it: both values are shown.
    yield from assess_locally(example("ped-gfr-exactly-90.json"), _LocalEstimator()).findings
    yield from assess_locally(girl, _LocalEstimator()).findings
    # No GFR without height and creatinine (P-GFR).
    yield from assess(
        attrs.evolve(girl, height=None, labs=attrs.evolve(labs, creatinine=None))
    ).findings
    # Acute-phase reactions above and below the baseline (P-MON-CALL).
    plan = monitoring_plan(girl)
    high = VitalSigns(
        temperature=quantity(39.0, "degC"),
        heart_rate=quantity(200.0, "1/min"),
        systolic_bp=quantity(160.0, "mmHg"),
        diastolic_bp=quantity(100.0, "mmHg"),
    )
    low_signs = VitalSigns(
        heart_rate=quantity(40.0, "1/min"),
        systolic_bp=quantity(60.0, "mmHg"),
        diastolic_bp=quantity(30.0, "mmHg"),
    )
    yield from check_observation(plan, high, myalgia=True, arthralgia=True)
    yield from check_observation(plan, low_signs)
    # Pamidronate label checks passed and failed (P-PAM-DOSE, P-PAM-LABEL, P-PAM-RENAL).
    for volume, hours in ((400.0, 4.0), (20.0, 0.5)):
        for check in pamidronate_label_checks(
            quantity(40.0, "mg"), quantity(volume, "mL"), quantity(hours, "h"), renal_rate=True
        ):
            yield check.finding()
    yield from _overridden_maintenance(girl)
    # Neither a fracture history nor a reduced BMD (P-IND-B).
    normal = (BmdMeasurement(BmdSite.LUMBAR_SPINE, -1.0, date=D(2026, 10, 5)),)
    yield from assess(attrs.evolve(girl, fractures=(), bmd=normal)).findings
    # Maintenance (P-MAINT-ENTRY, P-MAINT-MID, P-MAINT-HIGH, P-MAINT-STOP).
    kept = example("maintenance-oi.json")
    high_bmd = (BmdMeasurement(BmdSite.LUMBAR_SPINE, 0.5, date=D(2026, 10, 5)),)
    yield from assess_maintenance(kept).findings
    yield from assess_maintenance(attrs.evolve(kept, bmd=high_bmd)).findings
    yield from assess_maintenance(attrs.evolve(kept, still_growing=None)).findings
    yield from assess_maintenance(girl, maintenance_start=D(2026, 11, 23)).findings
    # Entry met without a band: no caller reaches it today, the finding allows it.
    conditions = assess_maintenance(kept).conditions
    yield _entry_finding(ConditionStatus.MET, conditions, None)
    severe = attrs.evolve(kept, oi_severity=OISeverity.SEVERE)
    yield stop_guidance(severe)
    yield stop_guidance(attrs.evolve(severe, still_growing=False))
    yield stop_guidance(attrs.evolve(kept, diagnosis=Diagnosis.PRIMARY_OSTEOPOROSIS))
    # Pregnancy counselling after the last dose given (P-CI-PREG).
    risks = attrs.evolve(later.risks, could_become_pregnant=True)
    counselled = pregnancy_counselling(attrs.evolve(later, risks=risks))
    assert counselled is not None
    yield counselled


def _overridden_maintenance(girl: Patient) -> Iterator[Finding]:
    """A maintenance course overridden without a band: Z <= -2 (P-MAINT-ENTRY)."""
    entry = Override(
        limit="P-MAINT-ENTRY",
        reason="specialist-advice",
        clinician="Dr. A. Jansen",
        at=dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC),
    )
    yield from ENGINE.plan(girl, PlanRequest(maintenance=True, overrides=(entry,))).findings


def _lab(value: float, unit: str) -> LabResult:
    return LabResult(quantity(value, unit), date=D(2026, 11, 2))


def _adults() -> Iterator[AdultPatient]:
    month = "month"
    yield from (
        adult(),
        adult(tumour="prostate", sex="male"),
        adult(tumour="prostate", sex="male", performance_status_declined=True),
        adult(stable_disease=True, treatment_start_date=D(2023, 1, 1)),
        adult(tumour="lung"),
        adult(tumour="lung", life_expectancy=quantity(6.0, month), high_sre_risk=True),
        adult(tumour="lung", life_expectancy=quantity(2.0, month), high_sre_risk=True),
        adult(setting="multiple_myeloma", tumour="myeloma"),
        adult(setting="multiple_myeloma", tumour="myeloma", osteoporosis=True, on_denosumab=True),
        adult(
            setting="multiple_myeloma",
            tumour="myeloma",
            osteoporosis=True,
            treatment_start_date=D(2021, 1, 1),
            active_bone_disease=True,
        ),
        adult(
            setting="multiple_myeloma",
            tumour="myeloma",
            osteoporosis=True,
            treatment_start_date=D(2021, 1, 1),
        ),
        adult(setting="multiple_myeloma", tumour="myeloma", relapse_or_new_sre=True),
        adult(setting="prevention_of_metastases", menopausal_status="postmenopausal"),
        adult(setting="prevention_of_metastases", menopausal_status="unknown"),
        adult(setting="prevention_of_metastases", tumour="prostate", sex="male"),
        adult(setting="prevention_of_metastases", tumour="lung"),
        adult(setting="prevention_of_osteoporosis"),
        adult(setting="prevention_of_osteoporosis", tumour="prostate", sex="male"),
        adult(setting="prevention_of_osteoporosis", tumour="lung"),
        adult(serum_creatinine=None),
        adult(serum_creatinine=quantity(300.0, "umol/L")),
        adult(serum_creatinine=quantity(130.0, "umol/L")),
        adult(setting="prevention_of_osteoporosis", serum_creatinine=quantity(200.0, "umol/L")),
        adult(setting="prevention_of_osteoporosis", serum_creatinine=None),
        adult(birth_date=D(2010, 1, 1)),
        adult(birth_date=D(2010, 1, 1), giant_cell_tumour_of_bone=True, skeletally_mature=True),
        adult(dental_evaluation_done=False),
        adult(
            dental_evaluation_done=False,
            treatment_start_date=D(2023, 1, 1),
            jaw_surgery_planned=True,
        ),
        adult(on_denosumab=True, performance_status_declined=True, denosumab_stop_planned=True),
        adult(tumour="prostate", sex="male", radium_injection_number=1, **ELIGIBLE),
        adult(
            tumour="prostate",
            sex="male",
            **ELIGIBLE,
            radium_injection_number=2,
            neutrophils=count(0.5),
            platelets=count(100.0),
        ),
        adult(
            tumour="prostate",
            sex="male",
            **ELIGIBLE,
            radium_injection_number=2,
            neutrophils=count(2.0),
            platelets=count(100.0),
        ),
        adult(
            tumour="prostate",
            sex="male",
            **ELIGIBLE,
            radium_injection_number=1,
            neutrophils=count(1.0),
            platelets=count(200.0),
            haemoglobin=quantity(12.0, "g/dL"),
        ),
        adult(
            tumour="prostate",
            sex="male",
            **ELIGIBLE,
            radium_injection_number=1,
            neutrophils=count(2.0),
            platelets=count(200.0),
            haemoglobin=quantity(12.0, "g/dL"),
        ),
        adult(radium_injection_number=1),
        # O-LABEL: radium-223 outside the label's indication; pamidronate's renal figures; the
        # withhold rule; denosumab 60 mg in severe kidney disease.
        adult(tumour="prostate", sex="male", radium_injection_number=1),
        adult(
            setting="multiple_myeloma",
            tumour="myeloma",
            osteoporosis=True,
            serum_creatinine=quantity(205.6, "umol/L"),
        ),
        adult(
            setting="multiple_myeloma",
            tumour="myeloma",
            osteoporosis=True,
            serum_creatinine=quantity(205.6, "umol/L"),
            overrides=(OVERRIDE,),
        ),
        adult(
            serum_creatinine=quantity(1.4, "mg/dL"),
            baseline_creatinine=quantity(0.9, "mg/dL"),
        ),
        adult(
            setting="prevention_of_osteoporosis",
            tumour="prostate",
            sex="male",
            egfr=quantity(20.0, "mL_min_1_73m2"),
            dialysis=True,
        ),
        adult(
            tumour="prostate",
            sex="male",
            setting="prevention_of_osteoporosis",
            radium_injection_number=1,
        ),
    )


#: Radium-223 within the label's indication (O-LABEL).
ELIGIBLE = {
    "castration_resistant": True,
    "symptomatic_bone_metastases": True,
    "visceral_metastases": False,
    "prior_systemic_therapies": 2,
}
OVERRIDE = ClinicianOverride(
    target="pamidronate-severe-renal",
    reason_code="no-alternative",
    reason="no other regimen is possible",
    clinician="Dr. A. Jansen",
    time=dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC),
)


def _oncology_findings() -> Iterator[Finding]:
    for patient in _adults():
        result = recommend(patient)
        yield from result.findings
        if result.radium is not None:
            yield from result.radium.findings
    for setting in CareSetting:
        for born in (D(2015, 1, 1), D(1990, 1, 1)):
            yield from choose_protocol(
                birth_date=born, assessment_date=D(2024, 5, 1), setting=setting
            ).findings
    yield _registration_finding(regimen("denosumab-120mg-monthly"), adult(tumour="lung"))


@cache
def corpus() -> tuple[tuple[Finding, dt.date | None], ...]:
    items: list[tuple[Finding, dt.date | None]] = list(_example_findings())
    items += [(f, None) for f in _pediatric_findings()]
    items += [(f, D(2024, 5, 1)) for f in _oncology_findings()]
    return tuple(items)


# Scanning the source for finding codes.


def _constants(node: ast.expr) -> tuple[set[str], set[str]]:
    """The literal codes and the static prefixes of f-string codes in an expression."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}, set()
    if isinstance(node, ast.IfExp):
        a, b = _constants(node.body), _constants(node.orelse)
        return a[0] | b[0], a[1] | b[1]
    if isinstance(node, ast.JoinedStr):
        first = node.values[0]
        assert isinstance(first, ast.Constant)
        return set(), {str(first.value)}
    return set(), set()


@cache
def source_codes() -> tuple[frozenset[str], frozenset[str]]:
    """Every finding code written in the source, and the prefixes of codes built by pattern.

    ``code=...`` keywords give literals, conditional literals and f-strings; a helper that
    forwards its ``code`` parameter (``_info(code, ...)``) gives the literals its callers pass.
    """
    codes: set[str] = set()
    prefixes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.args.args:
                names = [a.arg for a in node.args.args]
                for call in ast.walk(node):
                    if isinstance(call, ast.Call) and any(
                        k.arg == "code" and isinstance(k.value, ast.Name) and k.value.id == "code"
                        for k in call.keywords
                    ):
                        assert names[0] == "code", f"{path}: {node.name} forwards code"
                        helpers.add(node.name)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            for keyword in node.keywords:
                if keyword.arg == "code":
                    found, patterns = _constants(keyword.value)
                    codes |= found
                    prefixes |= patterns
            callee = node.func
            if isinstance(callee, ast.Name) and callee.id in helpers and node.args:
                codes |= _constants(node.args[0])[0]
    return frozenset(codes), frozenset(prefixes)


@cache
def all_codes() -> frozenset[str]:
    codes, _ = source_codes()
    dynamic = {prefix + suffix for prefix, values in DYNAMIC_CODES.items() for suffix in values}
    return codes | dynamic


# The catalogue itself.


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_message_id_has_both_languages_with_the_same_placeholders() -> None:
    for message_id, texts in catalogue().items():
        assert set(texts) == set(LANGUAGES), message_id
        assert all(texts[lang].strip() for lang in LANGUAGES), message_id
        assert _fields(texts["en"]) == _fields(texts["nl"]), message_id


def test_finding_code_ids_are_not_word_or_label_ids() -> None:
    for message_id in catalogue():
        head = message_id.split(":")[0].split(".")[0]
        assert "." in message_id or head in all_codes() | RETIRED_CODES


def test_a_retired_code_is_made_no_more_and_still_reads_in_both_languages() -> None:
    """P-PAM-RENAL: ``pamidronate-gfr-rate-limit`` of older records reads in English and Dutch;
    no source makes it any more (its warning is part of ``pamidronate-renal-impairment``)."""
    assert not RETIRED_CODES & all_codes()
    old = Finding(
        "pamidronate-gfr-rate-limit",
        ("P-PAM-RENAL", "P-CI-RENAL"),
        Severity.WARN,
        "reduced renal function",
        (Evidence("gfr_schwartz_40", quantity(60.0, "mL_min_1_73m2")),),
    )
    assert "20 mg/uur" in localize(old, "nl").message
    assert "60.0 ml/min/1.73 m²" in localize(old, "en").message


def test_source_scan_finds_the_known_codes_and_patterns() -> None:
    """The scan sees literal, conditional and forwarded codes, and only the known patterns."""
    codes, prefixes = source_codes()
    assert {"fever", "maintenance-undecided", "drug-not-allowed", "calcium-vitamin-d"} <= codes
    assert {"radium-223-not-registered", "start-regardless-of-symptoms"} <= codes
    assert prefixes == set(DYNAMIC_CODES)
    assert len(codes) >= 80


def test_every_code_in_the_source_has_a_message_in_both_languages() -> None:
    """Every code the library can produce (scanned from the source) is in the catalogue."""
    ids = catalogue()
    for code in sorted(all_codes()):
        variants = [key for key in ids if key == code or key.startswith(f"{code}:")]
        assert variants, f"no message for the finding code {code!r}"


def test_every_code_in_the_source_is_produced_by_the_corpus() -> None:
    produced = {finding.code for finding, _ in corpus()}
    assert all_codes() <= produced, sorted(all_codes() - produced)


def test_every_finding_of_the_corpus_comes_from_the_catalogue_in_both_languages() -> None:
    """English reproduces the library's message and action; Dutch has no placeholder left."""
    for finding, on in corpus():
        english = localize(finding, "en", on=on)
        dutch = localize(finding, "nl", on=on)
        assert english.from_catalogue, english.message_id
        assert dutch.from_catalogue, dutch.message_id
        if finding.code not in NOT_REPRODUCED:
            assert english.message == finding.message, english.message_id
            assert english.action == finding.action, english.message_id
        assert bool(dutch.action) == bool(finding.action)
        assert "{" not in dutch.message + dutch.action, dutch.message_id
        assert dutch.message != english.message, dutch.message_id


def test_every_finding_message_id_of_the_catalogue_is_used_by_the_corpus() -> None:
    """Each wording (code and variant) in the catalogue is reached: no dead entries."""
    used = {message_id_of(finding, on=on) for finding, on in corpus()}
    used |= {f"{mid}.action" for mid in used}
    finding_ids = {key for key in catalogue() if key.split(":")[0].split(".")[0] in all_codes()}
    assert finding_ids - used == set()


def test_not_reproduced_messages_name_the_drug_of_the_regimen() -> None:
    """The supplementation advice (O-CAT) names the drug where the library names regimen ids."""
    for finding, on in corpus():
        if finding.code in NOT_REPRODUCED:
            english = localize(finding, "en", on=on).message
            drug = english.split(":")[0]
            assert finding.message.startswith(drug.replace(" ", "-"))


# Evidence and words.

_VERBATIM = re.compile(r"^([A-Z0-9]+|schwartz-\d+|[\[(].*[\])] ml/min|P-[A-Z]+(-[A-Z]+)*)$")
#: Evidence shown as given: who overrode and when (P-OVERRIDE).
_VERBATIM_EVIDENCE = frozenset({"override.clinician", "override.at"})


def _regimen_ids() -> set[str]:
    from bisphos.oncology.regimens import regimens_by_id

    return set(regimens_by_id())


def test_every_evidence_name_of_the_corpus_has_words_in_both_languages() -> None:
    ids = catalogue()
    for finding, _ in corpus():
        for item in finding.evidence:
            if item.name in _regimen_ids():
                continue
            key = "evidence." + re.sub(r"[^a-z0-9]+", "_", item.name.lower()).strip("_")
            key = re.sub(r"^evidence\.(\d)", r"evidence.n\1", key)
            assert key in ids, f"{finding.code}: {item.name!r}"


def test_every_text_value_of_the_corpus_has_words_or_is_an_identifier() -> None:
    regimens = _regimen_ids()
    for finding, _ in corpus():
        for item in finding.evidence:
            if item.name in _VERBATIM_EVIDENCE:
                continue
            for value in (item.value, item.threshold):
                if not isinstance(value, str) or value in regimens or _VERBATIM.match(value):
                    continue
                assert word("value", value, "nl") != value, value


@pytest.mark.parametrize(
    ("domain", "values"),
    [
        ("drug", [d.value for d in Drug]),
        ("status", [s.value for s in PlanStatus] + ["cleared"]),
        ("phase", [p.value for p in Phase]),
        ("severity", [s.value for s in Severity]),
        ("diagnosis", [d.value for d in Diagnosis]),
        ("site", [s.value for s in BmdSite]),
        ("followup", [k.value for k in FollowUpKind]),
        ("calendar", [k.value for k in FollowUpKind]),
    ],
)
def test_every_value_of_an_enumeration_has_a_word(domain: str, values: list[str]) -> None:
    for value in values:
        assert f"{domain}.{value}" in catalogue(), f"{domain}.{value}"


def test_dutch_uses_the_guideline_terms() -> None:
    """P-ZOL-DOSE, P-PAM-DOSE, P-CI-*: the drug names and words of the Dutch guideline."""
    assert word("drug", "zoledronic_acid", "nl") == "zoledroninezuur"
    assert word("drug", "pamidronate", "nl") == "pamidronaat"
    assert text("phase.first", "nl") == "eerste infuus"
    assert "hoofdbehandelaar" in text("hypocalcaemia.action", "nl")
    assert "38,5 °C" in text("fever", "nl")


def test_dutch_numbers_dates_and_units() -> None:
    assert show(quantity(38.5, "degC"), "nl") == "38,5 °C"
    assert show(quantity(38.5, "degC"), "en") == "38.5 °C"
    assert show(quantity(35.36000000000001, "umol/L"), "nl") == "35,36 µmol/l"
    assert show(quantity(126.6968325791855, "mL_min_1_73m2"), "nl") == "126,697 ml/min/1,73 m²"
    assert show(quantity(50.0, "mL/h"), "nl") == "50 ml/uur"
    assert show(quantity(400.0, "IU"), "nl") == "400 IE"
    assert show(quantity(0.0125, "mg/kg"), "nl", "exact") == "0,0125 mg/kg"
    assert show(D(2026, 11, 23), "nl") == "23-11-2026"
    assert show(D(2026, 11, 23), "en") == "2026-11-23"
    assert show(value=True, lang="nl") == "ja"
    assert display_unit("month", "en", 1.0) == "month"
    assert display_unit("month", "nl", 6.0) == "maanden"


def test_a_placeholder_takes_its_value_from_the_evidence() -> None:
    """P-CI-FEVER: the temperature shown in Dutch is the finding's evidence, decimal comma."""
    finding = Finding(
        code="gfr-not-above-90",
        rule_ids=("P-GFR",),
        severity=Severity.WARN,
        message="x",
        evidence=(
            Evidence("gfr", quantity(89.96, "mL_min_1_73m2"), quantity(90.0, "mL_min_1_73m2")),
            Evidence("gfr_estimator", "schwartz-40"),
        ),
        action="y",
    )
    dutch = localize(finding, "nl")
    assert dutch.message.startswith("GFR 90,0 ml/min/1,73 m² (schwartz-40) is niet hoger dan 90")
    assert dutch.evidence[0] == "GFR: 89,96 ml/min/1,73 m² (grens 90 ml/min/1,73 m²)"


def test_a_code_the_catalogue_does_not_hold_keeps_its_own_words() -> None:
    """A local plugin's finding is shown as it was written, never translated by guess."""
    finding = Finding(
        code="local-vial-size",
        rule_ids=("P-ZOL-DOSE",),
        severity=Severity.INFO,
        message="rounded to the vial",
        action="use one vial",
    )
    dutch = localize(finding, "nl")
    assert not dutch.from_catalogue
    assert (dutch.message, dutch.action) == ("rounded to the vial", "use one vial")


def test_a_finding_without_the_evidence_its_text_needs_keeps_its_own_words() -> None:
    finding = Finding(
        code="gfr-above-90", rule_ids=("P-GFR",), severity=Severity.INFO, message="GFR fine"
    )
    assert localize(finding, "nl").message == "GFR fine"
    assert not localize(finding, "nl").from_catalogue


def test_unknown_language_is_a_typed_error() -> None:
    from bisphos.errors import InvalidValueError

    assert check_language("nl") == "nl"
    with pytest.raises(InvalidValueError, match="lang"):
        check_language("de")
