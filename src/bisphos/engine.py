"""The engine: protocols from plugins, and plans and assessments with provenance.

An :class:`Engine` holds one plugin manager and the protocols registered through it. It is built
explicitly (:meth:`Engine.create`), never at import; :func:`default_engine` builds one on first
use and keeps it. Every plan it makes records the plugins that were loaded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs
import pluggy

from bisphos import oncology
from bisphos.errors import ProtocolError, UnknownProtocolError
from bisphos.model import Patient
from bisphos.oncology.protocol import OncologyProtocol
from bisphos.oncology.rules import PROTOCOL_ID as ONCOLOGY_ID
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.plan import Plan, PlanRequest
from bisphos.pediatric.protocol import PediatricProtocol
from bisphos.pediatric.rules import PROTOCOL_ID as PEDIATRIC_ID
from bisphos.plugins.manager import (
    PluginHooks,
    collect_protocols,
    get_plugin_manager,
    plugin_records,
)
from bisphos.protocols import PluginRecord, Protocol

__all__ = ["Engine", "default_engine"]


class Engine:
    """Protocols and plugins, ready to assess and plan.

    Args:
        manager: A plugin manager from :func:`bisphos.plugins.manager.get_plugin_manager`.

    Raises:
        ProtocolConflictError: two plugins register the same protocol id.
        PluginError: a plugin registers something that is not a protocol.
    """

    def __init__(self, manager: pluggy.PluginManager) -> None:
        self.manager = manager
        self._protocols = MappingProxyType(collect_protocols(manager))
        self._plugins = plugin_records(manager)

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
        except KeyError:
            raise UnknownProtocolError(
                "no protocol is registered under this id",
                field="protocol_id",
                value=protocol_id,
                expected=f"one of {', '.join(sorted(self._protocols))}",
            ) from None

    def _pediatric(self, protocol_id: str) -> PediatricProtocol:
        protocol = self.protocol(protocol_id)
        if not isinstance(protocol, PediatricProtocol):
            raise ProtocolError(
                "this protocol does not plan pediatric infusions",
                field="protocol_id",
                value=protocol_id,
                expected="a pediatric protocol such as nl-pediatric-iv-bp-2024",
            )
        return protocol

    def assess(self, patient: Patient, *, protocol_id: str = PEDIATRIC_ID) -> Assessment:
        """Assess ``patient`` under a pediatric protocol, with local plugins' findings."""
        protocol = self._pediatric(protocol_id)
        assessment = protocol.assess(patient, hooks=PluginHooks(self.manager, protocol_id))
        return attrs.evolve(assessment, plugins=self._plugins)

    def plan(
        self,
        patient: Patient,
        request: PlanRequest | None = None,
        *,
        protocol_id: str = PEDIATRIC_ID,
    ) -> Plan:
        """Plan ``patient``'s infusions under a pediatric protocol, hard limits applied last."""
        protocol = self._pediatric(protocol_id)
        plan = protocol.plan(patient, request, hooks=PluginHooks(self.manager, protocol_id))
        assessment = attrs.evolve(plan.assessment, plugins=self._plugins)
        return attrs.evolve(plan, plugins=self._plugins, assessment=assessment)

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
        from bisphos.oncology.limits import enforce_limits  # noqa: PLC0415 - on first use

        # The limits are judged on the patient as given here, and the result names that patient,
        # whatever patient the protocol's recommendation names.
        result = attrs.evolve(
            protocol.recommend(patient),
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
