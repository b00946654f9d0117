"""The pytest plugin of bisphos, for hospitals that test their own bisphos plugins.

Installed with bisphos as the ``pytest11`` entry point ``bisphos`` (disable it with
``pytest -p no:bisphos``). It provides:

- the fixture ``bisphos_engine_factory``: builds an :class:`~bisphos.engine.Engine` with given
  plugins and no entry points, so a test sees exactly the plugins it names;
- the fixture ``bisphos_example_patients``: named example patients covering the main paths
  (ready, blocked today, pamidronate only, capped doses, an infant);
- the Hypothesis profiles ``bisphos-ci`` (500 examples per property, derandomised),
  ``bisphos-dev`` (50) and ``bisphos-deep`` (10 000), chosen with
  ``pytest --hypothesis-profile=bisphos-ci``; loading one is left to the caller.

Hypothesis is imported only when it is installed, so a plain ``pip install bisphos`` never
breaks an unrelated pytest run.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Final

import pytest

from bisphos.engine import Engine
from bisphos.io import patient_from_dict
from bisphos.model import Patient

__all__ = [
    "CI_EXAMPLES",
    "EXAMPLE_PATIENTS",
    "EngineFactory",
    "bisphos_engine_factory",
    "bisphos_example_patients",
    "example_patients",
    "register_profiles",
]

# The suite's checks report their values when an assertion fails.
pytest.register_assert_rewrite("bisphos.testing.invariants")

#: Examples per property in the ``bisphos-ci`` profile.
CI_EXAMPLES: Final = 500

#: Builds an engine from ``(name, plugin)`` pairs.
EngineFactory = Callable[..., Engine]

_LABS: Final = {
    "calcium": "2.38 mmol/L",
    "phosphate": "1.45 mmol/L",
    "alkaline_phosphatase": "265 U/L",
    "urea": "4.1 mmol/L",
    "creatinine": "35 umol/L",
    "albumin": "42 g/L",
    "vitamin_d_25oh": "68 nmol/L",
    "pth": "4.2 pmol/L",
}
_VITALS: Final = {
    "temperature": "36.9 degC",
    "heart_rate": "96 /min",
    "systolic_bp": "102 mmHg",
    "diastolic_bp": "64 mmHg",
}
_BASE: Final[Mapping[str, object]] = {
    "assessment_date": "2026-11-23",
    "diagnosis": "osteogenesis_imperfecta",
    "fractures": [{"site": "vertebral_compression", "trauma": "minimal", "date": "2026-09-30"}],
    "bmd": [{"site": "lumbar_spine", "z_score": -2.8, "date": "2026-10-12"}],
    "labs": _LABS,
    "vitals": _VITALS,
    "baseline_vitals": _VITALS,
    "risks": {"could_become_pregnant": False},
}

#: The day the examples' labs were taken: a week before the assessment (P-FRESH: at most 90 days).
_LAB_DATE: Final = "2026-11-16"


def _dated(data: Mapping[str, object]) -> Mapping[str, object]:
    """``data`` with each lab dated :data:`_LAB_DATE` (P-FRESH: an undated lab does not clear)."""
    labs = data.get("labs")
    if not isinstance(labs, Mapping):
        return data
    return {**data, "labs": {name: {"value": v, "date": _LAB_DATE} for name, v in labs.items()}}


#: The example patients as patient-file dictionaries, by name.
EXAMPLE_PATIENTS: Final[Mapping[str, Mapping[str, object]]] = MappingProxyType(
    {
        name: _dated(data)
        for name, data in {
            # Zoledronic acid 0.25, 0.5, then 1 mg (GFR 40 x 112 / 35 = 128).
            "oi-girl-20kg": {
                **_BASE,
                "patient_id": "oi-girl-20kg",
                "birth_date": "2019-03-14",
                "sex": "female",
                "weight": "20 kg",
                "height": "112 cm",
            },
            # GFR 40 x 150 / 80 = 75: pamidronate only (P-GFR); 45 mg first, then 90 mg (P-PAM-CAP).
            "pamidronate-70kg": {
                **_BASE,
                "patient_id": "pamidronate-70kg",
                "birth_date": "2011-05-02",
                "sex": "male",
                "weight": "70 kg",
                "height": "150 cm",
                "labs": {**_LABS, "creatinine": "80 umol/L"},
            },
            # Zoledronic acid capped at 4 mg from the third infusion (P-ZOL-CAP).
            "heavy-teenager-100kg": {
                **_BASE,
                "patient_id": "heavy-teenager-100kg",
                "birth_date": "2010-02-20",
                "sex": "male",
                "weight": "100 kg",
                "height": "178 cm",
                "labs": {**_LABS, "creatinine": "60 umol/L"},
            },
            # Fever and hypocalcaemia: the course is planned, today's infusion blocked.
            "blocked-fever-low-calcium": {
                **_BASE,
                "patient_id": "blocked-fever-low-calcium",
                "birth_date": "2014-07-30",
                "sex": "female",
                "weight": "38 kg",
                "height": "146 cm",
                "labs": {**_LABS, "calcium": "2.15 mmol/L"},
                "vitals": {**_VITALS, "temperature": "38.9 degC"},
            },
            # An 8 kg infant under 2 years: the smallest doses.
            "infant-8kg": {
                **_BASE,
                "patient_id": "infant-8kg",
                "birth_date": "2025-06-01",
                "sex": "male",
                "weight": "8 kg",
                "height": "72 cm",
                "labs": {**_LABS, "creatinine": "20 umol/L"},
            },
        }.items()
    }
)


def example_patients() -> dict[str, Patient]:
    """Return the example patients by name, parsed fresh."""
    return {
        name: patient_from_dict(dict(data), source=name) for name, data in EXAMPLE_PATIENTS.items()
    }


def register_profiles() -> None:
    """Register the ``bisphos-ci``, ``bisphos-dev`` and ``bisphos-deep`` Hypothesis profiles."""
    from hypothesis import HealthCheck, settings  # noqa: PLC0415 - optional dependency

    settings.register_profile(
        "bisphos-ci",
        max_examples=CI_EXAMPLES,
        derandomize=True,
        deadline=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile("bisphos-dev", max_examples=50, deadline=None)
    settings.register_profile(
        "bisphos-deep",
        max_examples=20 * CI_EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


with contextlib.suppress(ImportError):  # hypothesis is an extra
    register_profiles()


@pytest.fixture
def bisphos_engine_factory() -> EngineFactory:
    """Return ``make(*plugins, blocked=())``: an engine with these plugins and no entry points.

    Each plugin is a ``(name, plugin)`` pair, or a plugin object (then named ``plugin-<n>``).
    """

    def make(*plugins: object, blocked: Iterable[str] = ()) -> Engine:
        named = [
            item if isinstance(item, tuple) else (f"plugin-{index}", item)
            for index, item in enumerate(plugins)
        ]
        return Engine.create(entry_points=False, blocked=blocked, plugins=named)

    return make


@pytest.fixture
def bisphos_example_patients() -> dict[str, Patient]:
    """Return the example patients by name (see :data:`EXAMPLE_PATIENTS`)."""
    return example_patients()
