"""Time FHIR in and out: reading Bundles, and writing the plan's Bundle with the models.

Baselines: ``json.loads`` of the same text (the least a reader of FHIR JSON does), and
``patient_from_dict`` of the same patient as a file (what bisphos does for its own format).
Sizes: an example patient's Bundle (about 30 entries) and a Bundle of ``MAX_ENTRIES`` entries
(the example's resources and observations of one code on many days). Latencies are percentiles
of one run; the Bundle of 10,000 entries is refused, and its refusal is timed too.

Run: ``python benchmarks/bench_fhir.py``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bisphos.engine import Engine
from bisphos.errors import FhirInputError
from bisphos.export.fhir import plan_to_fhir
from bisphos.fhir import MAX_ENTRIES, patient_from_bundle, read_bundle
from bisphos.io import patient_from_dict

ROOT = Path(__file__).resolve().parent.parent
PATIENT = ROOT / "examples" / "patients" / "oi-girl-20kg.json"
BUNDLE = ROOT / "examples" / "fhir" / "patients" / "oi-girl-20kg.bundle.json"


def timings(call: Callable[[], object], rounds: int) -> list[float]:
    """Seconds per call, one per round."""
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        out.append(time.perf_counter() - start)
    return out


def show(name: str, seconds: list[float], baseline: list[float] | None = None) -> None:
    """Print the median, p90 and p99 in ms, and the ratio of medians to the baseline."""
    ordered = sorted(seconds)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    p99 = ordered[int(0.99 * (len(ordered) - 1))]
    line = f"{name:44} median {statistics.median(ordered) * 1e3:8.3f} ms"
    line += f"  p90 {p90 * 1e3:8.3f}  p99 {p99 * 1e3:8.3f}"
    if baseline is not None:
        line += f"  x{statistics.median(seconds) / statistics.median(baseline):6.1f}"
    print(line)


def large_bundle(size: int) -> dict[str, object]:
    """The example Bundle filled up to ``size`` entries with weights on distinct days."""
    bundle = json.loads(BUNDLE.read_text("utf-8"))
    weight = next(
        e["resource"]
        for e in bundle["entry"]
        if e["resource"].get("code", {}).get("coding", [{}])[0].get("code") == "29463-7"
    )
    extra = []
    for index in range(size - len(bundle["entry"])):
        item = copy.deepcopy(weight)
        item["id"] = f"w{index}"
        item["effectiveDateTime"] = (dt.date(2010, 1, 1) + dt.timedelta(days=index)).isoformat()
        extra.append({"resource": item})
    bundle["entry"] += extra
    return bundle


def main() -> None:
    """Check, then time."""
    text = BUNDLE.read_text("utf-8")
    file_data = json.loads(PATIENT.read_text("utf-8"))
    bundle = json.loads(text)
    assert patient_from_bundle(bundle) == patient_from_dict(file_data)
    small_json = timings(lambda: json.loads(text), 300)
    show("example: json.loads of the Bundle text", small_json)
    show(
        "example: patient_from_dict (file format)",
        timings(lambda: patient_from_dict(file_data), 300),
        small_json,
    )
    show("example: read_bundle", timings(lambda: read_bundle(bundle), 300), small_json)

    big = large_bundle(MAX_ENTRIES)
    big_text = json.dumps(big)
    assert read_bundle(big).patient.weight.m_as("kg") == 20.0
    big_json = timings(lambda: json.loads(big_text), 10)
    show(f"{MAX_ENTRIES} entries: json.loads", big_json)
    show(f"{MAX_ENTRIES} entries: read_bundle", timings(lambda: read_bundle(big), 10), big_json)

    refused = large_bundle(2 * MAX_ENTRIES)

    def refuse() -> None:
        try:
            read_bundle(refused)
        except FhirInputError:
            return
        raise AssertionError("not refused")

    show(f"{2 * MAX_ENTRIES} entries: refused", timings(refuse, 50))

    engine = Engine.create(entry_points=False)
    plan = engine.plan(patient_from_dict(file_data))
    show("plan_to_fhir (fhir.resources models)", timings(lambda: plan_to_fhir(plan), 50))


if __name__ == "__main__":
    main()
