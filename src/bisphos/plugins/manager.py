"""Building the plugin manager, and the typed facade over its hooks.

:func:`get_plugin_manager` builds a fresh manager every time (nothing is built at import):
built-in plugins first, then the ``bisphos`` entry points (minus a block list), then
``check_pending()``. :class:`PluginHooks` calls the hooks with fixed argument and result types,
turns anything a plugin raises (``BaseException`` included) into
:class:`~bisphos.errors.PluginError`, refuses results not exactly of the hook's type, and gives
every hook fresh copies of what it receives, so a misbehaving plugin is a typed error, never a
wrong dose, and what it writes reaches no other plan.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib.metadata
import os
from collections.abc import Callable, Iterable, Sequence
from importlib import import_module
from typing import Final, TypeVar, cast

import attrs
import pluggy

from bisphos._contain import contained, describe
from bisphos._version import __version__
from bisphos.errors import BisphosError, PluginError, ProtocolConflictError
from bisphos.findings import Evidence, Finding
from bisphos.gate import LocalEstimator
from bisphos.i18n import MessageCatalogue, register_catalogue
from bisphos.model import Drug, Patient
from bisphos.pediatric.adjustments import DoseProposal, ScheduleProposal, VolumeProposal
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.dosing import Dose
from bisphos.pediatric.freshness import Freshness
from bisphos.pediatric.infusion import Preparation
from bisphos.pediatric.renal import GfrEstimator
from bisphos.plugins import PROJECT_NAME, hookspecs
from bisphos.protocols import PluginRecord, Protocol, ProtocolInfo
from bisphos.validation import canonical_text, printable

__all__ = [
    "BLOCK_ENV",
    "BUILTIN_PLUGINS",
    "PluginHooks",
    "PluginRecord",
    "collect_catalogues",
    "collect_protocols",
    "get_plugin_manager",
    "plugin_records",
]

#: The built-in plugins, registered before any third-party plugin.
BUILTIN_PLUGINS: Final = ("bisphos.plugins.pediatric", "bisphos.plugins.oncology")

#: Environment variable with comma-separated plugin names not to load from entry points.
BLOCK_ENV: Final = "BISPHOS_DISABLE_PLUGINS"

_T = TypeVar("_T")


def get_plugin_manager(
    *,
    entry_points: bool = True,
    blocked: Iterable[str] = (),
    plugins: Iterable[tuple[str, object]] = (),
) -> pluggy.PluginManager:
    """Build a plugin manager: built-ins, then entry points, then ``plugins``, then check.

    Args:
        entry_points: Load the plugins of the ``bisphos`` entry-point group.
        blocked: Names of entry-point plugins not to load, added to those in the
            ``BISPHOS_DISABLE_PLUGINS`` environment variable.
        plugins: Further ``(name, plugin)`` pairs to register, e.g. in tests.

    Raises:
        PluginError: a plugin implements a hook that does not exist, or cannot be loaded.
    """
    manager = pluggy.PluginManager(PROJECT_NAME)
    manager.add_hookspecs(hookspecs)
    for name in BUILTIN_PLUGINS:
        manager.register(import_module(name), name=name)
    blocked_names = {*blocked, *_env_blocked()}
    for name in sorted(blocked_names):
        manager.set_blocked(name)
    try:
        if entry_points:
            manager.load_setuptools_entrypoints(PROJECT_NAME)
        for name, plugin in plugins:
            manager.register(plugin, name=name)
        manager.check_pending()
    except pluggy.PluginValidationError as error:
        raise PluginError(str(error), field="plugins", value=repr(error.plugin)[:80]) from None
    except (Exception, SystemExit) as error:  # whatever a plugin's import raises
        raise _import_failure(manager, error) from None
    return manager


def _import_failure(manager: pluggy.PluginManager, error: BaseException) -> PluginError:
    """The plugin error for an entry point that failed to load: which plugin, which distribution.

    pluggy loads the entry points in the order of ``importlib.metadata.distributions()`` and
    registers each as it loads, so the failed one is the first neither registered nor blocked.
    """
    reason = f"{type(error).__name__}: {printable(str(error))[:200]}"
    for dist in importlib.metadata.distributions():
        for point in dist.entry_points:
            if point.group != PROJECT_NAME:
                continue
            if manager.get_plugin(point.name) is None and not manager.is_blocked(point.name):
                name = printable(point.name)
                distribution = printable(str(dist.metadata["name"] or "?"))
                return PluginError(
                    f"plugin {name!r} of distribution {distribution!r} "
                    f"{dist.version} failed to load: {reason}",
                    field=f"plugins.{name}",
                    expected=f"a plugin that imports, or {BLOCK_ENV}={name} to skip it",
                )
    return PluginError(f"a plugin could not be loaded: {reason}", field="plugins")


def _env_blocked() -> list[str]:
    return [name.strip() for name in os.environ.get(BLOCK_ENV, "").split(",") if name.strip()]


def plugin_records(manager: pluggy.PluginManager) -> tuple[PluginRecord, ...]:
    """Return a record of every plugin registered in ``manager``, sorted by name.

    A blocked name (``BISPHOS_DISABLE_PLUGINS``, ``blocked``) is held by the manager without a
    plugin; it took no part, so it has no record.
    """
    distributions = {
        manager.get_name(plugin): dist for plugin, dist in manager.list_plugin_distinfo()
    }
    records = []
    for name, plugin in manager.list_name_plugin():
        if plugin is None:
            continue
        dist = distributions.get(name)
        if name in BUILTIN_PLUGINS:
            records.append(PluginRecord(name, "bisphos", __version__, builtin=True))
        elif dist is not None:
            records.append(PluginRecord(name, dist.project_name, dist.version, builtin=False))
        else:
            records.append(PluginRecord(name, "", "", builtin=False))
    return tuple(sorted(records, key=lambda record: record.name))


def _call(hook_name: str, call: Callable[[], _T]) -> _T:
    """Call plugin code: anything it raises, ``BaseException`` included, is a PluginError."""
    return contained(hook_name, call)


def _fresh(value: _T) -> _T:
    """A deep copy for a hook: what a plugin writes to it reaches no other plan."""
    return copy.deepcopy(value)


def collect_protocols(
    manager: pluggy.PluginManager, reserved: Iterable[str] = ()
) -> dict[str, Protocol]:
    """Return the protocols the plugins register, by id.

    The built-in protocols are constructed by the engine itself, never taken from a hook.

    Args:
        manager: The plugin manager.
        reserved: The ids of the built-in protocols: a hook result under one of them, a hook
            wrapper's included, is a conflict.

    Raises:
        ProtocolConflictError: two protocols share an id, or one takes a built-in id.
        PluginError: a plugin returned something that is not a Protocol, or failed.
    """
    name = "bisphos_register_protocols"
    taken = set(reserved)
    groups = _call(name, manager.hook.bisphos_register_protocols)
    protocols: dict[str, Protocol] = {}
    for group in _sequence(name, groups):
        for protocol in _sequence(name, group):
            if not _call(name, lambda protocol=protocol: isinstance(protocol, Protocol)):  # type: ignore[misc]
                raise PluginError(
                    "a registered protocol is not a bisphos Protocol",
                    field=name,
                    value=describe(protocol),
                    expected="an instance of a bisphos.protocols.Protocol subclass",
                )
            info = _call(name, lambda protocol=protocol: protocol.info)  # type: ignore[misc]
            protocol_id = info.protocol_id if type(info) is ProtocolInfo else None
            if type(protocol_id) is not str or not protocol_id:
                raise PluginError(
                    "a registered protocol has no ProtocolInfo with an id of text",
                    field=name,
                    value=describe(protocol_id),
                    expected="protocol.info, a bisphos.protocols.ProtocolInfo",
                )
            if protocol_id in taken or protocol_id in protocols:
                raise ProtocolConflictError(
                    "a protocol id is registered twice"
                    + (" (a built-in protocol's id)" if protocol_id in taken else ""),
                    field="protocol_id",
                    value=protocol_id,
                    expected="a protocol id no other plugin, and no built-in protocol, uses",
                )
            protocols[protocol_id] = cast("Protocol", protocol)
    return protocols


def collect_catalogues(manager: pluggy.PluginManager) -> tuple[MessageCatalogue, ...]:
    """Register the message catalogues the plugins ship, and return them.

    Raises:
        PluginError: a plugin returned something that is not a MessageCatalogue, a domain or a
            directory the catalogues refuse, or failed.
    """
    name = "bisphos_message_catalogues"
    if not _implemented(manager, name):
        return ()
    groups = _call(name, manager.hook.bisphos_message_catalogues)
    found: list[MessageCatalogue] = []
    for group in _sequence(name, groups):
        found += _typed(name, group, MessageCatalogue)
    for item in found:
        try:
            register_catalogue(item.domain, item.directory)
        except BisphosError as error:
            raise PluginError(
                f"a plugin's message catalogue is refused: {error.message}",
                field=name,
                value=describe(item),
                expected=error.expected or "a domain of its own and an existing directory",
            ) from None
    return tuple(found)


def _sequence(hook_name: str, value: object) -> Sequence[object]:
    if type(value) in (list, tuple):
        return value  # type: ignore[return-value]
    raise PluginError(
        "a hook returned something that is not a list",
        field=hook_name,
        value=describe(value),
        expected="a list or tuple",
    )


def _text(value: _T) -> _T:
    """A text of a plugin in its canonical form; any other value as it is (the gate checks it)."""
    return cast("_T", canonical_text(cast("str", value))) if type(value) is str else value


def _canonical(hook_name: str, finding: Finding) -> Finding:
    """A plugin's finding with every text in canonical form (:func:`canonical_text`).

    A newline, NUL, carriage return or lone surrogate is written as its escape and a very long
    text is cut, so the plan's outputs encode and its decision record replays. Rebuilding the
    finding runs its own checks again: a value they refuse is the plugin's error.
    """
    try:
        return _canonical_finding(finding)
    except (TypeError, ValueError) as error:
        raise PluginError(
            f"a hook returned a finding its own checks refuse: {error}",
            field=hook_name,
            value=describe(finding),
            expected="a finding with field paths, rule ids and values of their own types",
        ) from None


def _canonical_finding(finding: Finding) -> Finding:
    evidence = finding.evidence
    if type(evidence) is tuple:
        evidence = tuple(
            attrs.evolve(e, name=_text(e.name), value=_text(e.value), threshold=_text(e.threshold))
            if type(e) is Evidence
            else e
            for e in evidence
        )
    rule_ids = finding.rule_ids
    if type(rule_ids) is tuple:
        rule_ids = tuple(_text(rule) for rule in rule_ids)
    return attrs.evolve(
        finding,
        code=_text(finding.code),
        message=_text(finding.message),
        action=_text(finding.action),
        rule_ids=rule_ids,
        evidence=evidence,
    )


def _typed(hook_name: str, values: object, kind: type[_T]) -> tuple[_T, ...]:
    items = _sequence(hook_name, values)
    for item in items:
        if type(item) is not kind:  # exactly: a spoofed __class__ passes isinstance
            raise PluginError(
                f"a hook returned something that is not a {kind.__name__}",
                field=hook_name,
                value=describe(item),
                expected=f"{kind.__module__}.{kind.__qualname__}",
            )
    return cast("tuple[_T, ...]", tuple(items))


def _implemented(manager: pluggy.PluginManager, hook_name: str) -> bool:
    """Whether any plugin implements the hook; a hook nobody implements answers nothing.

    Calling such a hook would return ``[]`` (or ``None`` for a first-result hook) after pluggy's
    dispatch; the facade returns the same without the call.
    """
    return bool(getattr(manager.hook, hook_name).get_hookimpls())


@attrs.frozen
class PluginHooks:
    """The typed facade over ``manager.hook`` for one protocol (implements ``PlanHooks``).

    Attributes:
        manager: The plugin manager.
        protocol_id: The protocol the calls are for; every hook receives it.
        estimator: The local GFR estimator once asked for (:meth:`asked_once`), so that the gate
            and the protocol judge the same estimate; ``None`` before.
    """

    manager: pluggy.PluginManager
    protocol_id: str
    estimator: tuple[GfrEstimator | None] | None = None

    def asked_once(self, patient: Patient) -> PluginHooks:
        """These hooks with the local GFR estimator asked for now, once for the whole plan."""
        return PluginHooks(self.manager, self.protocol_id, (self.gfr_estimator(patient),))

    def gfr_estimator(self, patient: Patient) -> GfrEstimator | None:
        """Return the first local GFR estimator, contained (P-GFR-LOCAL), or ``None``."""
        if self.estimator is not None:
            return self.estimator[0]
        name = "bisphos_gfr_estimator"
        if not _implemented(self.manager, name):
            return None
        result = _call(
            name,
            lambda: self.manager.hook.bisphos_gfr_estimator(
                protocol_id=self.protocol_id, patient=_fresh(patient)
            ),
        )
        if result is None:
            return None
        return LocalEstimator.of(result, name)

    def extra_findings(self, patient: Patient, assessment: Assessment) -> Sequence[Finding]:
        """Return every local finding, in plugin call order."""
        name = "bisphos_extra_findings"
        if not _implemented(self.manager, name):
            return ()
        groups = _call(
            name,
            lambda: self.manager.hook.bisphos_extra_findings(
                protocol_id=self.protocol_id,
                patient=_fresh(patient),
                assessment=_fresh(assessment),
            ),
        )
        return tuple(
            _canonical(name, f)
            for group in _sequence(name, groups)
            for f in _typed(name, group, Finding)
        )

    def dose_proposals(self, patient: Patient, dose: Dose) -> Sequence[DoseProposal]:
        """Return every local dose proposal."""
        name = "bisphos_adjust_dose"
        if not _implemented(self.manager, name):
            return ()
        results = _call(
            name,
            lambda: self.manager.hook.bisphos_adjust_dose(
                protocol_id=self.protocol_id, patient=_fresh(patient), dose=_fresh(dose)
            ),
        )
        return _typed(name, results, DoseProposal)

    def volume_proposals(
        self, patient: Patient, preparation: Preparation
    ) -> Sequence[VolumeProposal]:
        """Return every local volume proposal."""
        name = "bisphos_infusion_volume"
        if not _implemented(self.manager, name):
            return ()
        results = _call(
            name,
            lambda: self.manager.hook.bisphos_infusion_volume(
                protocol_id=self.protocol_id,
                patient=_fresh(patient),
                drug=preparation.drug,
                preparation=_fresh(preparation),
            ),
        )
        return _typed(name, results, VolumeProposal)

    def schedule_proposals(
        self, patient: Patient, drug: Drug, dates: tuple[dt.date, ...]
    ) -> Sequence[ScheduleProposal]:
        """Return every local schedule proposal."""
        name = "bisphos_adjust_schedule"
        if not _implemented(self.manager, name):
            return ()
        results = _call(
            name,
            lambda: self.manager.hook.bisphos_adjust_schedule(
                protocol_id=self.protocol_id, patient=_fresh(patient), drug=drug, dates=dates
            ),
        )
        return _typed(name, results, ScheduleProposal)

    def freshness(self, patient: Patient) -> Sequence[object]:
        """Return every local freshness proposal (P-FRESH); the plan keeps the tightest."""
        name = "bisphos_freshness"
        if not _implemented(self.manager, name):
            return ()
        results = _call(
            name,
            lambda: self.manager.hook.bisphos_freshness(
                protocol_id=self.protocol_id, patient=_fresh(patient)
            ),
        )
        return _typed(name, results, Freshness)

    def formulary(self, patient: Patient) -> Sequence[object]:
        """Return every local formulary (P-PREP-PRODUCT); the plan accepts at most one."""
        name = "bisphos_formulary"
        if not _implemented(self.manager, name):
            return ()
        results = _call(
            name,
            lambda: self.manager.hook.bisphos_formulary(
                protocol_id=self.protocol_id, patient=_fresh(patient)
            ),
        )
        return _sequence(name, results)
