"""Replaying a decision record: recompute from the stored input and say exactly what differs.

:func:`replay` reads the record (strictly: no duplicate key, bounded nesting and size), checks its
signature when a public key is given (:mod:`bisphos.records.signing`), checks that its stored
input still hashes to the digest in its provenance (an input edited without recomputing the
digests is reported; one whose digests were recomputed is detected only by a signature),
rebuilds the patient and the request, plans again with an engine, writes the new record and
compares:

- byte for byte with the stored text (:attr:`ReplayReport.identical`);
- value by value, as a list of :class:`Difference` with the path of each field that differs
  (``result.infusions[0].dose``);
- and it names the likely causes: another bisphos version, another protocol version, a plugin
  added, removed, or of another distribution or version, or none of these (then a result changed
  without a version changing, which a replay exists to catch).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import attrs

from bisphos.engine import Engine, default_engine
from bisphos.errors import BisphosError, InvalidValueError
from bisphos.i18n import Language
from bisphos.i18n import text as _text
from bisphos.io import patient_from_dict
from bisphos.protocols import PluginRecord
from bisphos.provenance import Provenance, input_digest
from bisphos.records.plan import KIND_ONCOLOGY, load_record, record, to_json
from bisphos.records.request import request_from_dict
from bisphos.records.signing import (
    SIGNATURE,
    UNSIGNED,
    SignatureCheck,
    unsigned_part,
    verify_record,
)

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = ["ABSENT", "Cause", "Difference", "ReplayReport", "differences", "replay"]

#: How an absent value is shown in a :class:`Difference`.
ABSENT: Final = "(absent)"


@attrs.frozen
class Difference:
    """One value that differs between the stored record and the replay.

    Attributes:
        path: Where, e.g. ``result.infusions[0].dose`` or ``provenance.plugins[2].version``.
        recorded: The stored value as JSON text, or ``(absent)``.
        replayed: The recomputed value as JSON text, or ``(absent)``.
    """

    path: str
    recorded: str
    replayed: str

    def __str__(self) -> str:
        return self.explain("en")

    def explain(self, lang: Language) -> str:
        """Return the difference in ``lang``, from the catalogue (``replay.difference``)."""
        return _text(
            "replay.difference",
            lang,
            path=self.path,
            recorded=self.recorded,
            replayed=self.replayed,
        )


@attrs.frozen
class Cause:
    """One cause of a replay's differences, by message id with its values (docs/translation.md).

    Attributes:
        message_id: The catalogue's id, e.g. ``replay.cause.protocol-version``.
        params: The values the message names, each as text.
    """

    message_id: str
    params: Mapping[str, str] = attrs.field(factory=dict)

    def explain(self, lang: Language) -> str:
        """Return the cause in ``lang``."""
        return _text(self.message_id, lang, **self.params)


@attrs.frozen
class ReplayReport:
    """The outcome of a replay.

    Attributes:
        identical: The recomputed record is the stored one, byte for byte.
        differences: Every value that differs, by path (empty when only the layout differs).
        reasons: What explains the differences (versions, plugins, an edited input), each by
            message id with its values.
        error: Why the plan could not be recomputed, if it could not; empty otherwise.
        replayed: The recomputed record as JSON text; empty when it could not be recomputed.
        signature: What the record's signature shows (:mod:`bisphos.records.signing`):
            unsigned, signed but not verified, valid or invalid.
    """

    identical: bool
    differences: tuple[Difference, ...]
    reasons: tuple[Cause, ...]
    error: str = ""
    replayed: str = ""
    signature: SignatureCheck = UNSIGNED

    @property
    def causes(self) -> tuple[str, ...]:
        """What explains the differences, in English words (the catalogue's)."""
        return tuple(reason.explain("en") for reason in self.reasons)

    @property
    def reproduced(self) -> bool:
        """Whether the replay gives the same decision (same values, whatever the layout)."""
        return not self.error and not self.differences

    def to_dict(self) -> dict[str, object]:
        """Return the report as a JSON object (without the replayed record itself)."""
        return {
            "identical": self.identical,
            "reproduced": self.reproduced,
            "differences": [
                {"path": d.path, "recorded": d.recorded, "replayed": d.replayed}
                for d in self.differences
            ],
            "causes": list(self.causes),
            "error": self.error,
            "signature": {"status": self.signature.status, "detail": self.signature.detail},
        }

    def explain(self, lang: Language = "en") -> str:
        """Return the report in ``lang``, one statement a line, the signature last.

        The error of a plan that could not be recomputed is the library's English message.
        """
        if self.identical:
            return _text("replay.identical", lang) + "\n" + self.signature.explain(lang)
        lines = []
        if self.error:
            lines.append(_text("replay.not-recomputed", lang, error=self.error))
        elif not self.differences:
            lines.append(_text("replay.layout-only", lang))
        else:
            lines.append(_text("replay.not-reproduced", lang, count=len(self.differences)))
            lines += ["  " + difference.explain(lang) for difference in self.differences]
        if self.reasons:
            lines.append(_text("replay.causes", lang))
            lines += ["  " + reason.explain(lang) for reason in self.reasons]
        lines.append(self.signature.explain(lang))
        return "\n".join(lines)


def _show(value: object) -> str:
    return ABSENT if value is _MISSING else json.dumps(value, ensure_ascii=False)


_MISSING: Final = object()


def differences(recorded: object, replayed: object, path: str = "") -> tuple[Difference, ...]:
    """Return every difference between two JSON values, by path, in document order.

    Objects are compared key by key (keys of ``recorded`` first), lists item by item; a list of
    another length reports the items that only one side has.
    """
    found: list[Difference] = []
    _walk(recorded, replayed, path, found)
    return tuple(found)


def _walk(recorded: object, replayed: object, path: str, found: list[Difference]) -> None:
    if isinstance(recorded, Mapping) and isinstance(replayed, Mapping):
        keys = [*recorded, *(key for key in replayed if key not in recorded)]
        for key in keys:
            child = f"{path}.{key}" if path else str(key)
            _walk(recorded.get(key, _MISSING), replayed.get(key, _MISSING), child, found)
    elif isinstance(recorded, list) and isinstance(replayed, list):
        for index in range(max(len(recorded), len(replayed))):
            _walk(
                recorded[index] if index < len(recorded) else _MISSING,
                replayed[index] if index < len(replayed) else _MISSING,
                f"{path}[{index}]",
                found,
            )
    elif type(recorded) is not type(replayed) or recorded != replayed:
        found.append(Difference(path, _show(recorded), _show(replayed)))


def _plugin_text(plugin: PluginRecord) -> str:
    """A plugin's distribution and version, or its version alone (a local plugin)."""
    return f"{plugin.distribution} {plugin.version}".strip()


def _plugin_cause(name: str, old: PluginRecord | None, new: PluginRecord | None) -> Cause | None:
    if old is not None and new is None:
        return Cause("replay.cause.plugin-gone", {"name": repr(name), "plugin": _plugin_text(old)})
    if old is None and new is not None:
        return Cause("replay.cause.plugin-new", {"name": repr(name), "plugin": _plugin_text(new)})
    if old is not None and new is not None and old != new:
        values = {"name": repr(name), "recorded": _plugin_text(old), "now": _plugin_text(new)}
        return Cause("replay.cause.plugin-changed", values)
    return None


def _plugin_causes(
    recorded: tuple[PluginRecord, ...], now: tuple[PluginRecord, ...]
) -> list[Cause]:
    before = {plugin.name: plugin for plugin in recorded}
    after = {plugin.name: plugin for plugin in now}
    causes = []
    for name in sorted(before.keys() | after.keys()):
        cause = _plugin_cause(name, before.get(name), after.get(name))
        if cause is not None:
            causes.append(cause)
    return causes


def _protocol_version(protocol_id: str, recorded: str, now: str) -> Cause:
    return Cause(
        "replay.cause.protocol-version",
        {"protocol": protocol_id, "recorded": recorded, "now": now},
    )


def _version_causes(recorded: Provenance, now: Provenance) -> list[Cause]:
    causes = []
    if recorded.library_version != now.library_version:
        causes.append(
            Cause(
                "replay.cause.library-version",
                {"recorded": recorded.library_version, "now": now.library_version},
            )
        )
    if recorded.protocol_version != now.protocol_version:
        causes.append(
            _protocol_version(recorded.protocol_id, recorded.protocol_version, now.protocol_version)
        )
    return causes + _plugin_causes(recorded.plugins, now.plugins)


def _engine_causes(recorded: Provenance, engine: Engine) -> list[Cause]:
    """The causes that can be named without a recomputed plan (the plan failed)."""
    causes = _plugin_causes(recorded.plugins, engine.plugins)
    protocol = engine.protocols.get(recorded.protocol_id)
    if protocol is None:
        causes.insert(0, Cause("replay.cause.protocol-unknown", {"protocol": recorded.protocol_id}))
    elif protocol.info.version != recorded.protocol_version:
        causes.insert(
            0,
            _protocol_version(
                recorded.protocol_id, recorded.protocol_version, protocol.info.version
            ),
        )
    return causes


def _section(data: Mapping[str, object], key: str) -> Mapping[str, object]:
    section = data[key]
    if not isinstance(section, Mapping):  # load_record has checked this already
        raise InvalidValueError("missing section", field=f"record.{key}")
    return section


_UNEXPLAINED: Final = Cause("replay.cause.unexplained")
_EDITED: Final = Cause("replay.cause.input-edited")


def replay(
    stored: str | Mapping[str, object],
    *,
    engine: Engine | None = None,
    verify_key: Ed25519PublicKey | None = None,
) -> ReplayReport:
    """Recompute a decision record and compare the result with what was stored.

    Args:
        stored: The record as JSON text (compared byte for byte) or as parsed data.
        engine: The engine to plan with; :func:`bisphos.engine.default_engine` by default.
        verify_key: The public key to verify the record's signature with; without one a signed
            record is reported as signed but not verified.

    Raises:
        InvalidValueError: ``stored`` is not a decision record this version reads (not JSON, a
            duplicate key, nested too deep, larger than the input limit ...).
    """
    text = stored if isinstance(stored, str) else to_json(stored)
    signature = verify_record(text, verify_key)
    signed = load_record(text)
    data = unsigned_part(signed)
    provenance = Provenance.from_dict(_section(data, "provenance"))
    if data["kind"] == KIND_ONCOLOGY:
        chosen = default_engine() if engine is None else engine
        return _replay_oncology(text, data, provenance, chosen, signature)
    stored_input = _section(data, "input")
    patient_data, request_data = stored_input.get("patient"), stored_input.get("request")
    causes: list[Cause] = []
    if input_digest(patient_data, request_data) != provenance.input_sha256:
        causes.append(_EDITED)
    engine = default_engine() if engine is None else engine
    try:
        patient = patient_from_dict(patient_data, source="record.input.patient")
        request = request_from_dict(request_data, field="record.input.request")
        plan = engine.plan(patient, request, protocol_id=provenance.protocol_id)
    except BisphosError as error:
        causes += _engine_causes(provenance, engine)
        return ReplayReport(
            identical=False,
            differences=(),
            reasons=tuple(causes),
            error=str(error),
            signature=signature,
        )
    replayed = record(plan)
    replayed_text = to_json(replayed)
    # A signed record is compared with the replay carrying the stored signature.
    compared = to_json({**replayed, SIGNATURE: signed[SIGNATURE]}) if SIGNATURE in signed else None
    found = differences(data, replayed)
    if found:
        causes += _version_causes(provenance, plan.provenance)
        if not causes:
            causes.append(_UNEXPLAINED)
    return ReplayReport(
        identical=(replayed_text if compared is None else compared) == text,
        differences=found,
        reasons=tuple(causes),
        replayed=replayed_text,
        signature=signature,
    )


def _replay_oncology(
    text: str,
    data: Mapping[str, object],
    provenance: Provenance,
    engine: Engine,
    signature: SignatureCheck,
) -> ReplayReport:
    """Recommend again from an oncology record's input and compare (see :func:`replay`)."""
    # Imported here: a process that replays children's plans never loads the oncology protocol.
    from bisphos.oncology.patient_file import adult_patient_from_dict  # noqa: PLC0415
    from bisphos.oncology.record import oncology_record  # noqa: PLC0415
    from bisphos.provenance import normalise  # noqa: PLC0415

    causes: list[Cause] = []
    try:
        patient = adult_patient_from_dict(
            _section(data, "input").get("patient"), source="record.input.patient"
        )
        if input_digest(normalise(patient)) != provenance.input_sha256:
            causes.append(_EDITED)
        result = engine.recommend(patient, protocol_id=provenance.protocol_id)
    except BisphosError as error:
        causes += _engine_causes(provenance, engine)
        return ReplayReport(
            identical=False,
            differences=(),
            reasons=tuple(causes),
            error=str(error),
            signature=signature,
        )
    replayed = oncology_record(result)
    replayed_text = to_json(replayed)
    found = differences(data, replayed)
    if found:
        causes += _version_causes(provenance, result.provenance)
        if not causes:
            causes.append(_UNEXPLAINED)
    return ReplayReport(
        identical=replayed_text == text,
        differences=found,
        reasons=tuple(causes),
        replayed=replayed_text,
        signature=signature,
    )
