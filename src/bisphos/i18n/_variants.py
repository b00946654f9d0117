"""Which wording of a finding applies, and the values its placeholders need beyond the evidence.

Each function reads one family of findings and returns the variant (``""`` for the code's own
message id) and the derived values: a list of sites from the evidence names, the whole age in
years, a label's source sentence. They read what the finding carries (code, rule ids, severity,
evidence); where the words come from a catalogue of the library (a regimen's label source, the
radium-223 standards), they look it up there, never recompute a decision.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Final

from bisphos.dates import age_in_years
from bisphos.findings import EvidenceValue, Finding, Severity
from bisphos.pediatric.thresholds import REDUCED_BMD
from bisphos.units import is_quantity

__all__ = ["variant_of"]

Derived = tuple[str, dict[str, object]]
_Reader = Callable[[Finding, "dt.date | None"], Derived]

_FRACTURE_COUNTS: Final = (
    "vertebral compression fractures",
    "long-bone fractures before age 10",
    "long-bone fractures before age 19",
)
_CRITERIA: Final = ("P-FX-a", "P-FX-b", "P-FX-c")
_LOWEST_Z: Final = "lowest DXA Z-score"
_PORTIONS: Final = re.compile(r"(\d+) to (\d+)")


def _value(finding: Finding, name: str) -> EvidenceValue | None:
    return next((item.value for item in finding.evidence if item.name == name), None)


def _has(finding: Finding, name: str) -> bool:
    return any(item.name == name for item in finding.evidence)


def _missing(finding: Finding, prefix: str) -> list[str]:
    return [
        item.name.removeprefix(prefix)
        for item in finding.evidence
        if item.name.startswith(prefix) and item.value == "missing"
    ]


# Pediatric protocol.


def _out_of_scope(finding: Finding, on: dt.date | None) -> Derived:
    birth = _value(finding, "birth_date")
    if on is not None and isinstance(birth, dt.date):
        return "", {"age_years": age_in_years(birth, on)}
    age = _value(finding, "age")
    years = float(age.m_as("year")) if is_quantity(age) else float("nan")  # type: ignore[union-attr]
    return "", {"age_years": math.floor(years)}


def _calcium_consult(finding: Finding, on: dt.date | None) -> Derived:
    pth = next((item for item in finding.evidence if item.name == "labs.pth"), None)
    if pth is None or pth.value == "missing":
        return "pth-missing", {}
    return ("pth-limit-unknown" if pth.threshold is None else ""), {}


def _dxa(finding: Finding, on: dt.date | None) -> Derived:
    return "", {"sites": _missing(finding, "bmd.")}


def _labs(finding: Finding, on: dt.date | None) -> Derived:
    return "", {"labs": _missing(finding, "labs.")}


def _vitamin_d_supplementation(finding: Finding, on: dt.date | None) -> Derived:
    raised = _value(finding, "risks.dark_skin") is True
    raised |= _value(finding, "risks.little_time_outdoors") is True
    return ("raised" if raised else ""), {}


def _calcium_intake(finding: Finding, on: dt.date | None) -> Derived:
    match = _PORTIONS.search(str(_value(finding, "dairy portions per day")))
    if match is None:
        raise ValueError("no dairy portions in the evidence")
    return "", {"low": int(match[1]), "high": int(match[2])}


def _no_baseline(finding: Finding, on: dt.date | None) -> Derived:
    return "", {"signs": [item.name for item in finding.evidence if item.value == "missing"]}


def _hypocalcaemia_warning(finding: Finding, on: dt.date | None) -> Derived:
    return ("check-calcium" if finding.action else ""), {}


def _acute_phase_sign(finding: Finding, on: dt.date | None) -> Derived:
    observed, baseline = finding.evidence[0].value, finding.evidence[1].value
    return ("above" if observed > baseline else "below"), {}  # type: ignore[operator]


def _indicated(finding: Finding, on: dt.date | None) -> Derived:
    criteria = [rule for rule in finding.rule_ids if rule in _CRITERIA]
    return ("" if "P-BMD" in finding.rule_ids else "bmd-not-reduced"), {"criteria": criteria}


def _not_indicated(finding: Finding, on: dt.date | None) -> Derived:
    history = any(
        item.name in _FRACTURE_COUNTS and item.value >= item.threshold  # type: ignore[operator]
        for item in finding.evidence
    )
    lowest = next(item for item in finding.evidence if item.name.startswith(_LOWEST_Z))
    reduced = isinstance(lowest.value, float | int) and REDUCED_BMD.met(lowest.value)
    if not history and not reduced:
        return "neither", {}
    return ("no-history" if not history else "no-bmd"), {}


def _genes(finding: Finding, on: dt.date | None) -> Derived:
    return "", {"genes": [item.value for item in finding.evidence if item.name == "gene_variants"]}


def _pregnancy_avoidance(finding: Finding, on: dt.date | None) -> Derived:
    return ("planned" if _has(finding, "last_planned_dose") else "given"), {}


def _maintenance_considered(finding: Finding, on: dt.date | None) -> Derived:
    if "P-MAINT-MID" in finding.rule_ids:
        return "mid", {}
    return ("high" if "P-MAINT-HIGH" in finding.rule_ids else ""), {}


def _entry_conditions(status: str) -> _Reader:
    def read(finding: Finding, on: dt.date | None) -> Derived:
        return "", {"failing": [item.name for item in finding.evidence if item.value == status]}

    return read


def _maintenance_stop(finding: Finding, on: dt.date | None) -> Derived:
    severe = (
        _value(finding, "diagnosis") == "osteogenesis_imperfecta"
        and _value(finding, "oi_severity") == "severe"
    )
    if severe and _value(finding, "still_growing") is False:
        return "severe-final-height", {}
    return ("severe" if severe else ""), {}


def _unmet(finding: Finding, on: dt.date | None) -> Derived:
    return "", {"unmet": [item.name for item in finding.evidence]}


def _label_check(finding: Finding, on: dt.date | None) -> Derived:
    return ("above" if finding.severity is Severity.BLOCK else ""), {}


# Oncology protocol. Its tables are imported by the variants that read them, so that showing a
# pediatric plan does not load them.


def _protocol_applies(finding: Finding, on: dt.date | None) -> Derived:
    return ("pediatric" if "P-SCOPE-1" in finding.rule_ids else "oncology"), {}


def _renal_limit(finding: Finding, on: dt.date | None) -> Derived:
    from bisphos.oncology.regimens import regimen  # noqa: PLC0415 - on demand
    from bisphos.oncology.renal import CLEARANCE_MINIMUMS  # noqa: PLC0415 - on demand

    limit = CLEARANCE_MINIMUMS[regimen(str(_value(finding, "regimen"))).renal]
    variant = "" if finding.code == "renal-limit-met" else limit.consequence.replace(" ", "-")
    return variant, {"source": limit.source}


def _zometa(finding: Finding, on: dt.date | None) -> Derived:
    from bisphos.oncology.renal import ZOMETA_SOURCE  # noqa: PLC0415 - on demand

    return "", {"source": ZOMETA_SOURCE}


def _registration(finding: Finding, on: dt.date | None) -> Derived:
    from bisphos.oncology.regimens import regimen  # noqa: PLC0415 - on demand

    return "", {"deck": regimen(str(_value(finding, "regimen"))).registration.deck}


def _blood_counts(finding: Finding, on: dt.date | None) -> Derived:
    from bisphos.oncology.radium import criteria_for  # noqa: PLC0415 - on demand

    number = _value(finding, "injection_number")
    criteria = criteria_for(int(number))  # type: ignore[arg-type]
    counts = [item for item in finding.evidence if item.name != "injection_number"]
    derived: dict[str, object] = {"source": criteria.source}
    if counts:
        derived |= {"count": counts[0].name, "minimum": counts[0].threshold}
    if finding.code == "radium-223-blood-count-missing":
        return "", derived
    return ("first" if criteria.first_injection else "later"), derived


def _radium_activity(finding: Finding, on: dt.date | None) -> Derived:
    from bisphos.oncology.radium import radium_activity  # noqa: PLC0415 - on demand

    activity = radium_activity(_value(finding, "weight"))  # type: ignore[arg-type]
    return "", {
        "standard": activity.activity.standard.value,
        "per_kg": activity.per_kg.activity,
        "deck_standard": activity.deck_equivalent.standard.value,
        "deck_per_kg": activity.deck_per_kg.activity,
    }


def _adjuvant(finding: Finding, on: dt.date | None) -> Derived:
    post = _value(finding, "menopausal_status") == "postmenopausal"
    return ("postmenopausal" if post else ""), {}


def _no_regimen(finding: Finding, on: dt.date | None) -> Derived:
    return ("prostate" if "O-PREV-PROSTATE" in finding.rule_ids else "breast"), {}


def _dental(finding: Finding, on: dt.date | None) -> Derived:
    return ("running" if _value(finding, "treatment_running") is True else ""), {}


_READERS: Final[dict[str, _Reader]] = {
    "out-of-scope": _out_of_scope,
    "calcium-consult": _calcium_consult,
    "dxa-needed": _dxa,
    "labs-missing": _labs,
    "vitamin-d-supplementation": _vitamin_d_supplementation,
    "calcium-intake": _calcium_intake,
    "no-baseline-vitals": _no_baseline,
    "hypocalcaemia-warning": _hypocalcaemia_warning,
    "acute-phase-heart-rate": _acute_phase_sign,
    "acute-phase-systolic-bp": _acute_phase_sign,
    "acute-phase-diastolic-bp": _acute_phase_sign,
    "indicated": _indicated,
    "not-indicated-criteria": _not_indicated,
    "not-indicated-gene": _genes,
    "pregnancy-avoidance": _pregnancy_avoidance,
    "maintenance-may-be-considered": _maintenance_considered,
    "maintenance-not-indicated": _entry_conditions("not_met"),
    "maintenance-undecided": _entry_conditions("unknown"),
    "maintenance-stop": _maintenance_stop,
    "pamidronate-label-rate": _label_check,
    "pamidronate-label-concentration": _label_check,
    "pamidronate-label-renal-rate": _label_check,
    "maintenance-entry-not-met": _unmet,
    "protocol-applies": _protocol_applies,
    "renal-limit": _renal_limit,
    "renal-limit-met": _renal_limit,
    "zoledronic-acid-renal-dose": _zometa,
    "zoledronic-acid-renal-not-recommended": _zometa,
    "not-registered": _registration,
    "radium-223-blood-count-missing": _blood_counts,
    "radium-223-blood-count-too-low": _blood_counts,
    "radium-223-blood-counts-met": _blood_counts,
    "radium-223-activity": _radium_activity,
    "adjuvant-bisphosphonates": _adjuvant,
    "no-regimen-in-deck": _no_regimen,
    "dental-evaluation-before-start": _dental,
}


def variant_of(finding: Finding, on: dt.date | None = None) -> Derived:
    """Return the variant of ``finding``'s wording and the values derived for its placeholders.

    Raises:
        KeyError, ValueError, TypeError, AttributeError: the finding lacks the evidence its
            family always carries (it was built by other code); the caller keeps its own words.
    """
    reader = _READERS.get(finding.code)
    return ("", {}) if reader is None else reader(finding, on)
