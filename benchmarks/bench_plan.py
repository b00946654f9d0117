"""Figures of bisphos's speed, each a ratio to a plain-Python (or bare numpy) baseline.

Run: ``tox -e bench`` or ``python benchmarks/bench_plan.py [--patients 100000] [--quick]``.

1. One patient, assessment + plan: ``Engine.plan`` against two plain-Python references of
   :mod:`plain_reference` (floats, dicts, no Pint, no attrs), for the bundled example patient and
   for a varied population: ``plain_plan`` computes the decisions and doses (status, blocks, GFR
   gate, drug, date, dose, volume and rate of every infusion), ``plain_plan_full`` the whole plan
   content (also every finding's code and severity, each infusion's phase, due date and duration,
   the follow-up, the pregnancy counselling date, and a last check of the hard limits). Before
   any timing the script checks that bisphos and both references agree on every patient.
2. Batch: ``bisphos.batch.plan_columns`` on N patients (default 100,000) against
   :mod:`numpy_reference`, the same arithmetic in bare numpy; both outputs are compared column by
   column, and a sample is compared with the one-by-one plans. The DataFrame path and
   ``plan_many`` (patients in, summaries out) are timed too.
3. ``import bisphos`` in a fresh process, a fresh process's first plan, and the command line
   ``bisphos plan examples/patients/oi-girl-20kg.json`` end to end, each against ``python -c
   pass``.

Timings are the minimum of repeated runs. In-process figures use CPU time of the process
(``time.process_time``), so that other processes on a busy machine do not count; the
interleaved rounds give each side the same conditions. Fresh-process figures give the wall time
and the children's CPU time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy_reference
from plain_reference import plain_plan, plain_plan_full
from population import plain_columns, population, to_patient

from bisphos.batch import columns_from_patients, plan_columns, plan_many, summarise
from bisphos.engine import Engine
from bisphos.io import load_patient
from bisphos.model import Patient
from bisphos.pediatric.plan import Plan
from bisphos.units import magnitude_in

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "patients" / "oi-girl-20kg.json"


def as_plain(summary: Any) -> dict[str, Any]:
    """A summary in the plain reference's terms (magnitudes in mg, ml, ml/h)."""
    return {
        "status": summary.status.value,
        "in_scope": summary.in_scope,
        "indicated": summary.indicated,
        "zoledronic_acid_allowed": summary.zoledronic_acid_allowed,
        "drug": None if summary.drug is None else summary.drug.value,
        "blocks": summary.blocks,
        "dates": summary.dates,
        "doses_mg": tuple(float(magnitude_in(d, "mg")) for d in summary.doses),
        "volumes_ml": tuple(float(magnitude_in(v, "mL")) for v in summary.volumes),
        "rates_ml_h": tuple(float(magnitude_in(r, "mL/h")) for r in summary.rates),
    }


def as_plain_full(plan: Plan) -> dict[str, Any]:
    """A whole plan in the full plain reference's terms (:func:`plain_reference.plain_plan_full`).

    The summary's values (:func:`as_plain`), the sorted (code, severity) pairs of every finding,
    each infusion's phase, due date and duration in hours, the follow-up as (date, kind), and the
    date pregnancy is to be avoided until, when the plan counsels it.
    """
    until = None
    for finding in plan.findings:
        if finding.code == "pregnancy-avoidance":
            until = next(e.value for e in finding.evidence if e.name == "avoid_pregnancy_until")
    infusions = plan.infusions
    return {
        **as_plain(summarise(plan)),
        "findings": tuple(sorted((f.code, f.severity.value) for f in plan.findings)),
        "phases": tuple(item.phase.value for item in infusions),
        "due_dates": tuple(item.due for item in infusions),
        "durations_h": tuple(
            float(magnitude_in(item.preparation.duration, "hour")) for item in infusions
        ),
        "follow_up": ()
        if plan.course is None
        else tuple((entry.date, entry.kind.value) for entry in plan.course.follow_up),
        "avoid_pregnancy_until": until,
    }


def differences(library: dict[str, Any], reference: dict[str, Any]) -> dict[str, Any]:
    """The fields in which two plain plans differ: name -> (library's, reference's)."""
    return {
        name: (library.get(name), value)
        for name, value in reference.items()
        if library.get(name) != value
    }


def agree(engine: Engine, people: list[dict[str, Any]], patients: list[Patient], what: str) -> None:
    """Assert that bisphos and both plain references plan every patient alike.

    Raises:
        AssertionError: naming the first patients that differ and, for the first, the fields.
    """
    differ: list[tuple[str, dict[str, Any]]] = []
    for p, patient in zip(people, patients, strict=True):
        plan = engine.plan(patient)
        narrow = differences(as_plain(summarise(plan)), plain_plan(p))
        full = differences(as_plain_full(plan), plain_plan_full(p))
        if narrow or full:
            differ.append((p["id"], {**narrow, **full}))
    assert not differ, (
        f"{what}: {len(differ)} of {len(people)} plans differ from the plain references, "
        f"e.g. {[name for name, _ in differ[:5]]}; {differ[0][0]}: {differ[0][1]}"
    )


def interleaved(
    library: Callable[[], object], baselines: Sequence[Callable[[], object]], count: int
) -> tuple[float, list[float], list[float]]:
    """Interleaved rounds: (library s, [each baseline's s], [each median ratio]); times are minima.

    The baselines follow the library in the same round, so that all meet the same conditions.
    """
    lib: list[float] = []
    base: list[list[float]] = [[] for _ in baselines]
    ratios: list[list[float]] = [[] for _ in baselines]
    for _ in range(count):
        start = time.process_time()
        library()
        lib_s = time.process_time() - start
        lib.append(lib_s)
        for baseline, times, ratio in zip(baselines, base, ratios, strict=True):
            start = time.process_time()
            baseline()
            base_s = time.process_time() - start
            times.append(base_s)
            ratio.append(lib_s / max(base_s, 1e-9))
    return min(lib), [min(times) for times in base], [statistics.median(r) for r in ratios]


def rounds(
    library: Callable[[], object], baseline: Callable[[], object], count: int
) -> tuple[float, float, float]:
    """Interleaved rounds against one baseline: (library s, baseline s, median ratio)."""
    lib_s, (base_s,), (ratio,) = interleaved(library, [baseline], count)
    return lib_s, base_s, ratio


#: The two references, as the figures name them.
REFERENCES = (
    ("decisions and doses", plain_plan),
    ("whole plan content", plain_plan_full),
)


def example_patient(engine: Engine, quick: bool) -> None:
    """Time the example patient: bisphos against both references, interleaved."""
    patient = load_patient(EXAMPLE)
    plain = example_as_plain()
    repeat, times = (20, 20) if quick else (200, 20)

    def lib() -> None:
        for _ in range(repeat):
            engine.plan(patient)

    def reference(function: Callable[[dict[str, Any]], object]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(repeat * times):
                function(plain)

        return run

    lib_s, refs_s, ratios = interleaved(
        lib, [reference(function) for _, function in REFERENCES], 5 if quick else 15
    )
    lib_us = lib_s / repeat * 1e6
    print(f"example patient, assessment + plan: bisphos {lib_us:8.0f} µs")
    for (label, _), ref_s, ratio in zip(REFERENCES, refs_s, ratios, strict=True):
        ref_us = ref_s / (repeat * times) * 1e6
        print(
            f"    {label + ':':21s} plain {ref_us:6.1f} µs   ratio {lib_us / ref_us:5.1f}x "
            f"(median of rounds {ratio * times:5.1f}x)"
        )


def one_patient(
    engine: Engine, people: list[dict[str, Any]], patients: list[Patient], quick: bool
) -> None:
    """Time one patient at a time over a population: bisphos against both references."""
    planned = sum(1 for p in people if plain_plan(p)["dates"])

    def reference(function: Callable[[dict[str, Any]], object]) -> Callable[[], object]:
        return lambda: [function(p) for p in people]

    lib_s, refs_s, ratios = interleaved(
        lambda: [engine.plan(patient) for patient in patients],
        [reference(function) for _, function in REFERENCES],
        3 if quick else 9,
    )
    count = len(people)
    print(
        f"population of {count} ({planned} with a course): bisphos "
        f"{lib_s / count * 1e6:6.0f} µs/patient"
    )
    for (label, _), ref_s, ratio in zip(REFERENCES, refs_s, ratios, strict=True):
        print(
            f"    {label + ':':21s} plain {ref_s / count * 1e6:6.1f} µs   ratio "
            f"{lib_s / ref_s:5.1f}x (median of rounds {ratio:5.1f}x)"
        )
    lib_us, ref_us = per_patient(engine, people, patients, 3 if quick else 7)
    print(
        f"    per patient (each the minimum of {3 if quick else 7} interleaved rounds): bisphos "
        f"p50 {percentile(lib_us, 50):6.0f} µs, p95 {percentile(lib_us, 95):6.0f} µs; "
        f"plain_plan_full p50 {percentile(ref_us, 50):5.1f} µs, p95 {percentile(ref_us, 95):5.1f} "
        f"µs; ratio of the sums {sum(lib_us) / sum(ref_us):5.1f}x"
    )


def per_patient(
    engine: Engine, people: list[dict[str, Any]], patients: list[Patient], count: int
) -> tuple[list[float], list[float]]:
    """Each patient's CPU time in µs, bisphos and ``plain_plan_full``, the minimum of ``count``
    rounds; each round times every patient with bisphos, then every patient with the reference,
    so that both meet the same load and each runs after itself (warm caches for both)."""
    clock = time.process_time_ns

    def timed(plan: Callable[[Any], object], inputs: Sequence[Any]) -> list[float]:
        times = []
        for value in inputs:
            start = clock()
            plan(value)
            times.append((clock() - start) / 1e3)
        return times

    lib = [float("inf")] * len(people)
    ref = [float("inf")] * len(people)
    for _ in range(count):
        lib = [min(a, b) for a, b in zip(lib, timed(engine.plan, patients), strict=True)]
        ref = [min(a, b) for a, b in zip(ref, timed(plain_plan_full, people), strict=True)]
    return lib, ref


def percentile(values: Sequence[float], percent: int) -> float:
    """The ``percent``-th percentile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[rank - 1]


def example_as_plain() -> dict[str, Any]:
    """The example patient as plain values (its labs and vitals in canonical units)."""
    return plain_of(load_patient(EXAMPLE))


def plain_of(patient: Patient) -> dict[str, Any]:
    """A bisphos patient as the plain references' input (labs and vitals in canonical units)."""
    labs = {
        name: None
        if getattr(patient.labs, name) is None
        else float(getattr(patient.labs, name).value.magnitude)
        for name in (
            "calcium",
            "phosphate",
            "alkaline_phosphatase",
            "urea",
            "creatinine",
            "albumin",
            "vitamin_d_25oh",
            "pth",
        )
    }
    risks = patient.risks
    return {
        "id": patient.patient_id,
        "birth": patient.birth_date,
        "today": patient.assessment_date,
        "sex": patient.sex.value,
        "weight_kg": float(patient.weight.magnitude),
        "weight_date": patient.weight_date,
        "height_cm": None if patient.height is None else float(patient.height.magnitude),
        "diagnosis": patient.diagnosis.value,
        "genes": list(patient.gene_variants),
        "fractures": [
            (
                f.site.value,
                f.trauma.value,
                f.date,
                None if f.age_at_fracture is None else float(f.age_at_fracture.magnitude),
            )
            for f in patient.fractures
        ],
        "bmd": [(m.site.value, m.z_score, m.size_corrected, m.date) for m in patient.bmd],
        "labs": labs,
        "temperature_c": None
        if patient.vitals.temperature is None
        else float(patient.vitals.temperature.magnitude),
        "risks": {
            "prolonged_immobilisation": risks.prolonged_immobilisation,
            "low_bone_turnover": risks.low_bone_turnover,
            "pregnant": risks.pregnant,
            "expected_spontaneous_recovery": risks.expected_spontaneous_recovery,
            "bisphosphonate_hypersensitivity": risks.bisphosphonate_hypersensitivity,
            "impaired_fracture_healing": risks.impaired_fracture_healing,
        },
        "infusions": [(r.drug.value, r.date, r.complication.value, 0.0) for r in patient.infusions],
        "lab_dates": {name: getattr(getattr(patient.labs, name), "date", None) for name in labs},
        "pth_upper_limit": None
        if patient.labs.pth is None or patient.labs.pth.upper_limit is None
        else float(patient.labs.pth.upper_limit.magnitude),
        "vitals": vitals(patient.vitals),
        "vitals_date": patient.vitals.date,
        "baseline_vitals": None
        if patient.baseline_vitals is None
        else vitals(patient.baseline_vitals),
        "could_become_pregnant": risks.could_become_pregnant,
    }


def vitals(signs: Any) -> dict[str, float | None]:
    """Heart rate and blood pressure of :class:`bisphos.model.VitalSigns` as plain magnitudes."""
    return {
        name: None if getattr(signs, name) is None else float(getattr(signs, name).magnitude)
        for name in ("heart_rate", "systolic_bp", "diastolic_bp")
    }


def same_columns(left: dict[str, Any], right: dict[str, Any]) -> list[str]:
    """The names of the columns of ``right`` that differ in ``left``."""
    differ = []
    for name, values in right.items():
        got = np.asarray(left[name])
        expected = np.asarray(values)
        if got.dtype.kind == "f":
            same = np.array_equal(got, expected, equal_nan=True)
        elif got.dtype.kind == "M":
            same = np.array_equal(got.astype("datetime64[D]"), expected, equal_nan=True)
        else:
            same = np.array_equal(got.astype(object), expected.astype(object))
        if not same:
            differ.append(name)
    return differ


def batch_sample(quick: bool) -> tuple[list[dict[str, Any]], list[Patient]]:
    """The sample the batch path is checked on, as plain patients and as bisphos patients."""
    sample = population(2000 if not quick else 300, seed=7)
    return sample, [to_patient(p) for p in sample]


def batch(engine: Engine, count: int, quick: bool) -> None:
    sample, patients = batch_sample(quick)
    from_patients = plan_columns(columns_from_patients(patients))
    from_plain = plan_columns(plain_columns(sample))
    assert not same_columns(from_plain, from_patients), "plain columns plan differently"
    one_by_one = [as_plain(summarise(engine.plan(p))) for p in patients]
    assert [as_plain(s) for s in plan_many(patients, engine=engine)] == one_by_one

    people = population(count, seed=11)
    columns = plain_columns(people)
    library = plan_columns(columns)
    reference = numpy_reference.plan(columns)
    differ = same_columns(library, reference)
    assert not differ, f"the library and the numpy reference differ in {differ}"
    lib_s, ref_s, ratio = rounds(
        lambda: plan_columns(columns), lambda: numpy_reference.plan(columns), 3 if quick else 7
    )
    print(
        f"batch of {count:,} patients, columns: bisphos {lib_s:6.3f} s   numpy {ref_s:6.3f} s   "
        f"ratio {lib_s / ref_s:4.2f}x (median {ratio:4.2f}x); same results: yes"
    )
    print(f"    {count / lib_s:,.0f} patients/s; planned {int((library['infusions'] > 0).sum()):,}")
    try:
        import pandas as pd  # noqa: PLC0415
    except ImportError:
        print("    (pandas not installed: DataFrame path not timed)")
    else:
        frame = pd.DataFrame(columns)
        out = plan_columns(frame)
        assert not same_columns({k: out[k].to_numpy() for k in out.columns}, reference)
        lib_s, ref_s, ratio = rounds(
            lambda: plan_columns(frame), lambda: numpy_reference.plan(columns), 3 if quick else 5
        )
        print(f"    DataFrame in and out: {lib_s:6.3f} s, ratio {lib_s / ref_s:4.2f}x to numpy")
    chosen = patients[: 300 if quick else 2000]
    plains = sample[: len(chosen)]
    lib_s, ref_s, ratio = rounds(
        lambda: plan_many(chosen, engine=engine),
        lambda: [plain_plan(p) for p in plains],
        3 if quick else 5,
    )
    print(
        f"plan_many, {len(chosen)} patients in, summaries out: {lib_s / len(chosen) * 1e6:5.1f} "
        f"µs/patient, ratio {lib_s / ref_s:4.2f}x to plain Python one by one"
    )


def fresh(arguments: list[str], count: int) -> tuple[float, float]:
    """(minimum wall s, minimum children CPU s) of running ``arguments`` ``count`` times."""
    walls, cpus = [], []
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for _ in range(count):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(arguments, check=False, capture_output=True, env=environment, cwd=ROOT)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return min(walls), min(cpus)


def processes(quick: bool) -> None:
    count = 3 if quick else 10
    python = sys.executable
    base_wall, base_cpu = fresh([python, "-c", "pass"], count)
    print(f"python -c pass: {base_wall:5.3f} s wall, {base_cpu:5.3f} s CPU (the floor)")
    first_plan = (
        "from bisphos.engine import default_engine; from bisphos.io import load_patient; "
        f"default_engine().plan(load_patient({str(EXAMPLE)!r}))"
    )
    dependencies = "import pint, attrs, pluggy"
    # Pint imports numpy whenever it can; the default install (no extras) has no numpy, which a
    # None entry in sys.modules reproduces: ``import numpy`` then raises ImportError.
    without_numpy = "import sys; sys.modules['numpy'] = None; "
    bisphos_cli = str(Path(python).with_name("bisphos"))
    for label, arguments in (
        ("import pint (a dependency)", [python, "-c", "import pint"]),
        ("import pint, attrs, pluggy", [python, "-c", dependencies]),
        ("  the same, without numpy", [python, "-c", without_numpy + dependencies]),
        ("import bisphos", [python, "-c", "import bisphos"]),
        ("import bisphos; bisphos.Patient", [python, "-c", "import bisphos; bisphos.Patient"]),
        ("first plan in a fresh process", [python, "-c", first_plan]),
        ("  the same, without numpy", [python, "-c", without_numpy + first_plan]),
        ("bisphos plan oi-girl-20kg.json", [bisphos_cli, "plan", str(EXAMPLE)]),
    ):
        wall, cpu = fresh(arguments, count)
        print(
            f"{label:32s} {wall:5.3f} s wall ({wall - base_wall:5.3f} s above python), "
            f"{cpu:5.3f} s CPU ({cpu / max(base_cpu, 1e-9):4.1f}x python -c pass)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller samples")
    arguments = parser.parse_args()
    engine = Engine.create(entry_points=False)
    # Every check before any timing: the example, the population timed one by one, and the
    # sample the batch path is checked on, each against both references.
    patient = load_patient(EXAMPLE)
    agree(engine, [example_as_plain()], [patient], "the example patient")
    people = population(100 if arguments.quick else 400)
    patients = [to_patient(p) for p in people]
    agree(engine, people, patients, "the population")
    agree(engine, *batch_sample(arguments.quick), "the batch sample")
    checked = 1 + len(people) + (300 if arguments.quick else 2000)
    print(f"same plans, both references, every field: yes ({checked} patients)")
    example_patient(engine, arguments.quick)
    one_patient(engine, people, patients, arguments.quick)
    batch(engine, arguments.patients, arguments.quick)
    processes(arguments.quick)


if __name__ == "__main__":
    main()
