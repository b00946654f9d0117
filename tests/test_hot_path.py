"""The hot path: units are converted once at the boundary, nothing is built or parsed per plan.

A plan (and a batch of plans) reads canonical magnitudes: no unit text is parsed by bisphos's
clinical parser or by Pint, no unit registry and no plugin manager is built, and plugin hooks are
called a fixed number of times per plan — never per patient of a vectorised batch. The rules
themselves (P-GFR, P-ZOL-DOSE, P-PAM-DOSE ...) are tested elsewhere; these tests keep them fast.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pint
import pluggy
import pytest

import bisphos
from bisphos import gate, oncology, units
from bisphos.batch import plan_many
from bisphos.engine import Engine
from bisphos.findings import Finding
from bisphos.io import load_patient
from bisphos.model import Drug, Patient
from bisphos.oncology import recommendation, rules
from bisphos.pediatric.adjustments import DoseProposal, ScheduleProposal, VolumeProposal
from bisphos.pediatric.plan import NO_HOOKS, Plan, PlanRequest
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.pediatric.renal import GfrEstimator
from bisphos.pediatric.rules import PROTOCOL_ID
from bisphos.pediatric.schedule import Horizon
from bisphos.plugins import hookimpl

EXAMPLES = Path(__file__).parent.parent / "examples" / "patients"
PATIENTS = tuple(load_patient(path) for path in sorted(EXAMPLES.glob("*.json")))
REQUESTS = (None, PlanRequest(drug="pamidronate", horizon=Horizon(infusions=4)))


def _pediatric(patients: Sequence[Patient]) -> list[Patient]:
    return [p for p in patients if p.age_in_whole_years < 19]


class _Counter:
    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return function(*args, **kwargs)

        return counted


@pytest.fixture
def parsing(monkeypatch: pytest.MonkeyPatch) -> _Counter:
    """Count every parse of unit text: bisphos's clinical parser and Pint's parsers."""
    counter = _Counter()
    monkeypatch.setattr(units, "_parse_unit_text", counter.wrap("clinical", units._parse_unit_text))
    for name in ("parse_units", "parse_expression", "parse_units_as_container"):
        monkeypatch.setattr(units.ureg, name, counter.wrap(name, getattr(units.ureg, name)))
    return counter


@pytest.fixture
def building(monkeypatch: pytest.MonkeyPatch) -> _Counter:
    """Count every unit registry and plugin manager built."""
    counter = _Counter()
    monkeypatch.setattr(
        pint.UnitRegistry, "__init__", counter.wrap("registry", pint.UnitRegistry.__init__)
    )
    monkeypatch.setattr(
        pluggy.PluginManager, "__init__", counter.wrap("manager", pluggy.PluginManager.__init__)
    )
    return counter


def _plan_all(engine: Engine) -> list[Plan]:
    return [engine.plan(p, r) for p in _pediatric(PATIENTS) for r in REQUESTS if _plannable(p, r)]


def _plannable(patient: Patient, request: PlanRequest | None) -> bool:
    # A requested pamidronate course needs an indication; the others are refused, which is a plan.
    return request is None or patient.age_in_whole_years < 19


ENGINE = Engine.create(entry_points=False)
WARM = _plan_all(ENGINE)  # registry and engine built once, at import


def test_no_unit_text_is_parsed_during_a_plan(parsing: _Counter) -> None:
    """The library's units are built at import: plans of every example patient parse no unit
    text at all, neither by the clinical parser nor by Pint (P-GFR, P-ZOL-DOSE)."""
    plans = _plan_all(ENGINE)
    assert [p.status for p in plans] == [p.status for p in WARM]
    assert parsing.calls == {}


def test_no_unit_text_is_parsed_during_a_batch(parsing: _Counter) -> None:
    """The batch path (vectorised) parses no unit text either, once the process has parsed the
    library's unit spellings."""
    plan_many(_pediatric(PATIENTS), engine=ENGINE)
    parsing.calls.clear()
    summaries = plan_many(_pediatric(PATIENTS) * 3, engine=ENGINE)
    assert len(summaries) == 3 * len(_pediatric(PATIENTS))
    assert parsing.calls == {}


def test_one_reading_of_the_patient_changes_no_plan() -> None:
    """P-HARD, one reading per plan: the built-in protocol planning on the facts the engine's
    gate read (``plan_read``, its course checked by the engine's gate afterwards) gives the plan
    it gives reading the patient and checking the course itself, for every example patient and
    request; and the engine's plan has the same status, drug, course and findings."""
    protocol = ENGINE.protocol(PROTOCOL_ID)
    assert type(protocol) is PediatricProtocol
    drugs = set()
    for patient in _pediatric(PATIENTS):
        for request in REQUESTS:
            if not _plannable(patient, request):
                continue
            alone = protocol.plan(patient, request)
            read = protocol.plan_read(
                patient, request, hooks=NO_HOOKS, facts=gate.read_patient(patient)
            )
            through = ENGINE.plan(patient, request)
            assert read == alone
            assert (through.status, through.drug, through.course, through.findings) == (
                alone.status,
                alone.drug,
                alone.course,
                alone.findings,
            )
            drugs |= {alone.course.drug} if alone.course is not None else set()
    assert drugs == {Drug.ZOLEDRONIC_ACID, Drug.PAMIDRONATE}  # courses of both drugs compared


def test_no_registry_or_plugin_manager_is_built_per_plan(building: _Counter) -> None:
    """Plans and batches reuse the one registry and the engine's plugin manager."""
    _plan_all(ENGINE)
    plan_many(_pediatric(PATIENTS), engine=ENGINE)
    assert building.calls == {}


class _Spy:
    """A plugin implementing every pediatric hook, proposing nothing, counting its calls."""

    def __init__(self) -> None:
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    @hookimpl
    def bisphos_gfr_estimator(self) -> GfrEstimator | None:
        self._count("gfr_estimator")
        return None

    @hookimpl
    def bisphos_extra_findings(self) -> Sequence[Finding]:
        self._count("extra_findings")
        return []

    @hookimpl
    def bisphos_adjust_dose(self) -> DoseProposal | None:
        self._count("adjust_dose")
        return None

    @hookimpl
    def bisphos_infusion_volume(self) -> VolumeProposal | None:
        self._count("infusion_volume")
        return None

    @hookimpl
    def bisphos_adjust_schedule(self) -> ScheduleProposal | None:
        self._count("adjust_schedule")
        return None


def test_each_hook_is_called_a_fixed_number_of_times_per_plan() -> None:
    """Per plan: the estimator and the local findings once (P-GFR), the schedule once per
    course, and the dose and volume hooks once per planned infusion (P-ZOL-DOSE, P-PAM-DOSE)."""
    spy = _Spy()
    engine = Engine.create(entry_points=False, plugins=[("spy", spy)])
    patients = _pediatric(PATIENTS)
    plans = [engine.plan(p) for p in patients]
    courses = sum(1 for plan in plans if plan.course is not None)
    infusions = sum(len(plan.infusions) for plan in plans)
    assert spy.calls == {
        "gfr_estimator": len(patients),
        "extra_findings": len(patients),
        "adjust_schedule": courses,
        "adjust_dose": infusions,
        "infusion_volume": infusions,
    }


def test_a_batch_with_plugins_calls_the_hooks_per_plan_not_more() -> None:
    """With a local plugin the batch plans one by one: the same calls as single plans."""
    spy = _Spy()
    engine = Engine.create(entry_points=False, plugins=[("spy", spy)])
    patients = _pediatric(PATIENTS)
    plan_many(patients, engine=engine)
    batch_calls = dict(spy.calls)
    spy.calls.clear()
    for patient in patients:
        engine.plan(patient)
    assert batch_calls == spy.calls


def test_a_vectorised_batch_calls_no_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without plugins the batch is vectorised: no hook is dispatched for any patient."""
    counter = _Counter()
    caller = type(ENGINE.manager.hook.bisphos_adjust_dose)
    monkeypatch.setattr(caller, "__call__", counter.wrap("hook", caller.__call__))
    summaries = plan_many(_pediatric(PATIENTS) * 10, engine=ENGINE)
    assert len(summaries) == 10 * len(_pediatric(PATIENTS))
    assert counter.calls == {}


def test_import_bisphos_loads_no_submodule_until_a_name_is_used() -> None:
    """``import bisphos`` is cheap: Pint, attrs and the rules load on first use of a name."""
    code = (
        "import sys, bisphos; print('pint' in sys.modules, 'bisphos.model' in sys.modules); "
        "bisphos.Patient; print('pint' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert result.stdout.split() == ["False", "False", "True"]


def test_every_exported_name_resolves() -> None:
    """Every name of ``bisphos.__all__`` is there, as the eager package had it."""
    for name in bisphos.__all__:
        assert getattr(bisphos, name) is not None, name
    assert set(bisphos.__all__) <= set(dir(bisphos))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = bisphos.nothing


def test_a_pediatric_plan_loads_only_the_oncology_rules() -> None:
    """A process that plans a child registers the oncology protocol (its id, version and rules)
    but does not import its regimens, tables and recommendation code."""
    example = EXAMPLES / "oi-girl-20kg.json"
    code = (
        "import sys\n"
        "from bisphos.engine import default_engine\n"
        "from bisphos.io import load_patient\n"
        f"plan = default_engine().plan(load_patient({str(example)!r}))\n"
        "assert 'nl-oncology-bone-2016' in default_engine().protocols\n"
        "print(plan.status.value, *sorted(m for m in sys.modules if m.startswith('bisphos.onc')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    assert result.stdout.split() == [
        "ready",
        "bisphos.oncology",
        "bisphos.oncology.protocol",
        "bisphos.oncology.rules",
    ]


def test_every_oncology_name_resolves_whatever_was_imported_first() -> None:
    """The lazy ``bisphos.oncology`` gives the same objects as its modules, and ``recommend`` is
    the function even after its module was imported (a submodule import sets the package's
    attribute of the same stem; the module is named ``recommendation`` so none is shadowed)."""
    assert oncology.recommend is recommendation.recommend
    assert callable(oncology.recommend)
    assert oncology.RULES is rules.RULES
    for name in oncology.__all__:
        assert getattr(oncology, name) is not None, name
    assert set(oncology.__all__) <= set(dir(oncology))
    with pytest.raises(AttributeError, match=r"'bisphos\.oncology' has no attribute 'nothing'"):
        _ = oncology.nothing


def test_the_text_report_loads_no_writer_of_another_format() -> None:
    """``bisphos plan FILE`` (text) imports neither the JSON, FHIR, iCalendar or record writers nor
    the oncology tables; each is imported when its format or protocol is asked for."""
    example = EXAMPLES / "oi-girl-20kg.json"
    code = (
        "import sys\n"
        "from bisphos.cli import main\n"
        f"status = main(['plan', {str(example)!r}])\n"
        "loaded = [m for m in sys.modules if m.startswith(('bisphos.export', 'bisphos.records',"
        " 'bisphos.oncology.'))]\n"
        "print('LOADED', status, *sorted(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    last = result.stdout.splitlines()[-1].split()
    # The file's kind is read by bisphos.oncology.file_kind, which loads no protocol or table.
    assert last == [
        "LOADED",
        "0",
        "bisphos.oncology.file_kind",
        "bisphos.oncology.protocol",
        "bisphos.oncology.rules",
    ]


#: Functions that read a package resource once (the oncology regimen catalogue, the message
#: catalogue): data files, not values computed from a patient.
RESOURCE_LOADERS = {
    "bisphos.oncology.regimens.load_regimens",
    "bisphos.oncology.regimens.regimens_by_id",
    "bisphos.i18n._catalogue._own",  # a compiled message catalogue, read once
    "bisphos.i18n._catalogue._chain",  # the catalogues of one language, the plugins' after
    "bisphos.i18n._catalogue._read_catalogue",  # a catalogue's texts by id, read once
    "bisphos.i18n._values._locale",  # Babel's CLDR data of a language, read once
    "bisphos.i18n._values._decimals",  # a number pattern of Babel, parsed once
    "bisphos.pediatric.growth._table",
}


def test_no_function_of_bisphos_remembers_computed_values() -> None:
    """No cache of computed values anywhere in bisphos (outside its test helpers): every plan
    computes its doses, limits and dates itself (P-ZOL-CAP, P-PAM-CAP), so no plan can read a
    value another plan left behind. Only the resource loaders keep what they read."""
    import importlib
    import pkgutil

    cached = []
    for info in pkgutil.walk_packages(bisphos.__path__, "bisphos."):
        if info.name.startswith("bisphos.testing") or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            owner = getattr(value, "__module__", "") or ""
            if callable(getattr(value, "cache_info", None)) and owner == info.name:
                cached.append(f"{info.name}.{name}")
    assert set(cached) <= RESOURCE_LOADERS, sorted(set(cached) - RESOURCE_LOADERS)
