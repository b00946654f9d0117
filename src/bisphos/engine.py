"""The engine: protocols from plugins, plans and assessments through the hard-limit gate.

An :class:`Engine` holds one plugin manager and the protocols registered through it. It is built
explicitly (:meth:`Engine.create`), never at import; :func:`default_engine` builds one on first
use and keeps it. Every plan it makes records the plugins that were loaded.

The engine constructs the built-in protocols itself; a plugin's protocol under a built-in id is a
:class:`~bisphos.errors.ProtocolConflictError`. Each protocol's id, version and minimum interval
are read once, at registration, and are what every plan and its provenance record. Whatever a
protocol returns — the national one, a local one overriding ``plan()``, one a plugin registered
or wrapped — passes the gate (:mod:`bisphos.gate`) on the patient as read before the protocol
ran; a protocol from a plugin receives fresh copies of the patient and the request, its result
is copied before it is checked, and anything its code raises is a
:class:`~bisphos.errors.PluginError`.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TypeVar

import attrs
import pluggy

from bisphos import gate, oncology
from bisphos._contain import contained
from bisphos._version import __version__
from bisphos.errors import PluginError, ProtocolError, UnknownProtocolError
from bisphos.model import Patient
from bisphos.oncology.protocol import OncologyProtocol
from bisphos.oncology.rules import PROTOCOL_ID as ONCOLOGY_ID
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.plan import Plan, PlanRequest, local_estimator
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.pediatric.rules import PROTOCOL_ID as PEDIATRIC_ID
from bisphos.pediatric.schedule import Course
from bisphos.plugins import oncology as builtin_oncology
from bisphos.plugins import pediatric as builtin_pediatric
from bisphos.plugins.manager import (
    PluginHooks,
    collect_catalogues,
    collect_protocols,
    get_plugin_manager,
    plugin_records,
)
from bisphos.protocols import MinimumInterval, PluginRecord, Protocol, ProtocolInfo

__all__ = ["Engine", "default_engine"]

_T = TypeVar("_T")


def _registered(protocol: Protocol, builtin: bool) -> gate.Gated:
    """Read a protocol's id, version and interval once (P-HIST-INTERVAL, provenance)."""
    where = "bisphos_register_protocols"
    info = contained(where, lambda: protocol.info)
    interval = contained(where, lambda: protocol.minimum_interval)
    if type(info) is not ProtocolInfo or type(interval) is not MinimumInterval:
        raise PluginError(
            "a protocol's info or minimum interval is not of bisphos's types",
            field=where,
            expected="a bisphos.protocols.ProtocolInfo and MinimumInterval",
        )
    if type(info.protocol_id) is not str or type(info.version) is not str:
        raise PluginError("a protocol's id and version must be text", field=where)
    return gate.Gated(info.protocol_id, info.version, interval, builtin=builtin)


class Engine:
    """Protocols and plugins, ready to assess and plan.

    Args:
        manager: A plugin manager from :func:`bisphos.plugins.manager.get_plugin_manager`.

    Raises:
        ProtocolConflictError: two plugins register the same protocol id, or one registers a
            built-in protocol's id.
        PluginError: a plugin registers something that is not a protocol, or fails.
    """

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager
        builtins: dict[str, Protocol] = {
            PEDIATRIC_ID: builtin_pediatric.protocol(),
            ONCOLOGY_ID: builtin_oncology.protocol(),
        }
        registered = {**builtins, **collect_protocols(manager, reserved=builtins)}
        self._protocols = MappingProxyType(registered)
        self._gated = MappingProxyType(
            {key: _registered(value, key in builtins) for key, value in registered.items()}
        )
        self._plugins = plugin_records(manager)
        self._catalogues = collect_catalogues(manager)
        self._third_party = any(not record.builtin for record in self._plugins)

    @classmethod
    def create(
        cls,
        *,
        entry_points: bool = True,
        blocked: Iterable[str] = (),
        plugins: Iterable[tuple[str, object]] = (),
    ) -> Engine:
        """Build an engine with the built-in plugins, entry-point plugins and ``plugins``."""
        return cls(get_plugin_manager(entry_points=entry_points, blocked=blocked, plugins=plugins))

    @property
    def protocols(self) -> Mapping[str, Protocol]:
        """The registered protocols by id."""
        return self._protocols

    @property
    def plugins(self) -> tuple[PluginRecord, ...]:
        """The loaded plugins, with their distributions and versions."""
        return self._plugins

    def protocol(self, protocol_id: str) -> Protocol:
        """Return the protocol registered under ``protocol_id``.

        Raises:
            UnknownProtocolError: no protocol has that id.
        """
        try:
            return self._protocols[protocol_id]
        except (KeyError, TypeError):
            raise UnknownProtocolError(
                "no protocol is registered under this id",
                field="protocol_id",
                value=protocol_id if type(protocol_id) is str else None,
                expected=f"one of {', '.join(sorted(self._protocols))}",
            ) from None

    def _pediatric(self, protocol_id: str) -> tuple[PediatricProtocol, gate.Gated]:
        protocol = self.protocol(protocol_id)
        if not isinstance(protocol, PediatricProtocol):
            raise ProtocolError(
                "this protocol does not plan pediatric infusions",
                field="protocol_id",
                value=protocol_id,
                expected="a pediatric protocol such as nl-pediatric-iv-bp-2024",
            )
        return protocol, self._gated[protocol_id]

    def _run(self, registered: gate.Gated, where: str, call: Callable[[], _T]) -> _T:
        """Call a protocol; a plugin's protocol is contained, and its result copied."""
        if registered.builtin:
            return call()
        result = contained(where, call)
        return contained(where, lambda: copy.deepcopy(result))

    def _facts(self, patient: Patient, hooks: PluginHooks) -> gate.PatientFacts:
        return gate.read_patient(patient, local_estimator(patient, hooks))

    def _arguments(self, registered: gate.Gated, value: _T) -> _T:
        """What a protocol receives: a plugin's protocol gets a fresh copy."""
        return value if registered.builtin else copy.deepcopy(value)

    def assess(self, patient: Patient, *, protocol_id: str = PEDIATRIC_ID) -> Assessment:
        """Assess ``patient`` under a pediatric protocol, with local plugins' findings.

        Raises:
            HardLimitError: the assessment removes or clears a core contraindication, clears a
                patient out of scope, or allows zoledronic acid without the GFR gate.
            PluginError: plugin code failed or returned something bisphos cannot read.
        """
        protocol, registered = self._pediatric(protocol_id)
        hooks = PluginHooks(self.manager, protocol_id).asked_once(patient)
        facts = self._facts(patient, hooks)
        given = self._arguments(registered, patient)
        assessment = self._run(
            registered, f"{protocol_id}.assess", lambda: protocol.assess(given, hooks=hooks)
        )
        checked = gate.check_assessment(assessment, facts)
        return attrs.evolve(
            checked,
            protocol=registered.protocol_id,
            protocol_version=registered.version,
            patient=patient,
            plugins=self._plugins,
        )

    def check_course(
        self, patient: Patient, course: Course, *, protocol_id: str = PEDIATRIC_ID
    ) -> None:
        """Judge ``course`` for ``patient`` by the gate, as a plan of ``protocol_id`` is judged.

        The order check (:func:`bisphos.orders.check_order`) puts an order in a course and asks
        this: the same facts (a plugin's GFR estimate included) and the protocol's declared
        minimum interval as for the protocol's own plans. Returns nothing: a course that passes
        is not a plan.

        Raises:
            HardLimitError: an infusion of the course breaks a hard limit (P-HARD).
            PluginError: plugin code failed, or the course cannot be read as the gate reads it.
        """
        _, registered = self._pediatric(protocol_id)
        hooks = PluginHooks(self.manager, protocol_id).asked_once(patient)
        gate.check_course(course, self._facts(patient, hooks), registered.interval)

    def plan(
        self,
        patient: Patient,
        request: PlanRequest | None = None,
        *,
        protocol_id: str = PEDIATRIC_ID,
    ) -> Plan:
        """Plan ``patient``'s infusions under a pediatric protocol, through the gate.

        Raises:
            HardLimitError: the plan breaks a hard limit (P-HARD); it is refused as a whole.
            PluginError: plugin code failed or returned something bisphos cannot read.
        """
        protocol, registered = self._pediatric(protocol_id)
        hooks = PluginHooks(self.manager, protocol_id).asked_once(patient)
        facts = self._facts(patient, hooks)
        given, asked = self._arguments(registered, (patient, request))
        if registered.builtin:  # constructed here: it plans on the gate's reading of the patient
            plan = protocol.plan_read(given, asked, hooks=hooks, facts=facts)
        else:
            plan = self._run(
                registered,
                f"{protocol_id}.plan",
                lambda: protocol.plan(given, asked, hooks=hooks),
            )
        checked = gate.check_plan(plan, facts, registered.interval)
        assessment = attrs.evolve(
            checked.assessment,
            protocol=registered.protocol_id,
            protocol_version=registered.version,
            patient=patient,
            plugins=self._plugins,
        )
        return attrs.evolve(
            checked,
            protocol=registered.protocol_id,
            protocol_version=registered.version,
            library_version=__version__,
            patient=patient,
            plugins=self._plugins,
            assessment=assessment,
        )

    def recommend(
        self, patient: oncology.AdultPatient, *, protocol_id: str = ONCOLOGY_ID
    ) -> oncology.OncologyRecommendation:
        """Recommend for an adult oncology patient, the oncology hard limits applied last.

        Raises:
            HardLimitError: the protocol's recommendation breaks a hard limit of an oncology
                regimen (:mod:`bisphos.oncology.limits`), whoever made it.
        """
        protocol = self.protocol(protocol_id)
        if not isinstance(protocol, OncologyProtocol):
            raise ProtocolError(
                "this protocol does not make oncology recommendations",
                field="protocol_id",
                value=protocol_id,
                expected="an oncology protocol such as nl-oncology-bone-2016",
            )
        registered = self._gated[protocol_id]
        recommendation = self._run(
            registered, f"{protocol_id}.recommend", lambda: protocol.recommend(patient)
        )
        from bisphos.oncology.limits import enforce_limits  # noqa: PLC0415 - on first use

        # The limits are judged on the patient as given here, and the result names that patient,
        # whatever patient the protocol's recommendation names.
        result = attrs.evolve(
            recommendation,
            plugins=self._plugins,
            patient=patient,
            patient_id=patient.patient_id,
            assessment_date=patient.assessment_date,
            setting=patient.setting,
            tumour=patient.tumour,
        )
        return enforce_limits(result, patient)


_DEFAULT: list[Engine] = []
_LOCK = threading.Lock()


def default_engine() -> Engine:
    """Return the engine with the built-in and installed plugins, built on first use."""
    with _LOCK:
        if not _DEFAULT:
            _DEFAULT.append(Engine.create())
        return _DEFAULT[0]
