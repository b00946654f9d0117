"""Provenance: where a result comes from, carried by every plan, assessment and recommendation.

A :class:`Provenance` names the protocol and its version, the bisphos version, the plugins that
were loaded (with the distribution and version each came from), the rule ids the result rests on,
and SHA-256 digests of its input. Refusals carry it too: a plan that is refused, not indicated or
out of scope was computed from an input by a protocol, like any other.

The input is hashed in a normalised form, so that the digest does not depend on how a file was
laid out: the pediatric patient as :func:`bisphos.io.patient_to_dict` writes it, other values
(the plan request, an adult oncology patient) as :func:`normalise` writes them, serialised by
:func:`canonical_json` (sorted keys, no whitespace, UTF-8, floats by ``repr``). The same patient
written in other units is another input: its quantities are converted on reading, and their
magnitudes may differ in the last digit.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import cast

import attrs

from bisphos.errors import InvalidValueError
from bisphos.io import patient_to_dict
from bisphos.model import Patient
from bisphos.protocols import PluginRecord
from bisphos.units import format_quantity, is_quantity

__all__ = [
    "Provenance",
    "canonical_json",
    "input_digest",
    "normalise",
    "patient_input",
    "plugin_from_dict",
    "plugin_to_dict",
    "sha256_hex",
]


def normalise(value: object) -> object:
    """Return ``value`` as JSON-compatible data: the normalised form that is hashed and recorded.

    Quantities become text that :func:`bisphos.units.parse_quantity` reads back exactly
    (``"0.25 mg"``), enumerations their value, dates ISO text, tuples lists, mappings objects,
    and attrs instances an object of every field in declaration order (defaults included, so the
    form does not change when a default does).

    Raises:
        InvalidValueError: ``value`` holds something that has no JSON form (a set, a function).
    """
    if isinstance(value, enum.Enum):
        # Before ``str``: a StrEnum member is a str, but its normalised form is its plain value.
        return value.value
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value
    if is_quantity(value):
        return format_quantity(value)  # type: ignore[arg-type]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [normalise(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): normalise(item) for key, item in value.items()}
    if attrs.has(type(value)):
        fields = attrs.fields(cast("type[attrs.AttrsInstance]", type(value)))
        return {field.name: normalise(getattr(value, field.name)) for field in fields}
    raise InvalidValueError(
        "a value has no normalised JSON form",
        value=repr(value)[:80],
        expected="quantities, dates, enumerations, numbers, text, sequences or attrs values",
    )


def canonical_json(data: object) -> str:
    """Return ``data`` as canonical JSON: sorted keys, no whitespace, non-ASCII kept as is.

    Raises:
        InvalidValueError: ``data`` holds a NaN or infinite number, or a non-JSON value.
    """
    try:
        return json.dumps(
            data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as error:
        raise InvalidValueError(
            f"not canonical JSON data: {error}", expected="normalised data"
        ) from None


def sha256_hex(data: object) -> str:
    """Return the SHA-256 of the UTF-8 :func:`canonical_json` of ``data``, in hexadecimal."""
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()


def input_digest(patient: object, request: object = None) -> str:
    """Return the digest of a normalised input: the patient, and the request when there is one.

    Args:
        patient: The normalised patient (:func:`bisphos.io.patient_to_dict` for a child).
        request: The normalised request (:func:`normalise` of a plan request); ``None`` for an
            assessment or a recommendation, which take no request.
    """
    data: dict[str, object] = {"patient": patient}
    if request is not None:
        data["request"] = request
    return sha256_hex(data)


def plugin_to_dict(plugin: PluginRecord) -> dict[str, object]:
    """Return ``plugin`` as a JSON object: name, distribution, version, builtin."""
    return {
        "name": plugin.name,
        "distribution": plugin.distribution,
        "version": plugin.version,
        "builtin": plugin.builtin,
    }


def plugin_from_dict(data: Mapping[str, object], *, field: str = "plugins") -> PluginRecord:
    """Read a plugin record written by :func:`plugin_to_dict`.

    Raises:
        InvalidValueError: a key is missing or of the wrong type.
    """
    name, distribution, version = (data.get(key) for key in ("name", "distribution", "version"))
    builtin = data.get("builtin")
    if not all(isinstance(text, str) for text in (name, distribution, version)) or not isinstance(
        builtin, bool
    ):
        raise InvalidValueError(
            "not a plugin record",
            field=field,
            value=repr(dict(data))[:80],
            expected="an object with name, distribution, version (text) and builtin (true/false)",
        )
    return PluginRecord(str(name), str(distribution), str(version), builtin=builtin)


@attrs.frozen
class Provenance:
    """Where a result comes from: protocol, library, plugins, rules and input.

    Attributes:
        protocol_id: The protocol that produced the result.
        protocol_version: The version of that protocol's encoding.
        library_version: The bisphos version that produced it.
        plugins: The plugins loaded, each with its distribution and version; empty when the
            result was made without the plugin system (a direct call of the protocol's function).
        rule_ids: The rule ids the result rests on, each once, in order of first appearance.
        patient_sha256: SHA-256 of the normalised patient alone.
        input_sha256: SHA-256 of the normalised patient and request together (the patient alone
            when the result takes no request).
    """

    protocol_id: str
    protocol_version: str
    library_version: str
    plugins: tuple[PluginRecord, ...]
    rule_ids: tuple[str, ...]
    patient_sha256: str
    input_sha256: str

    @classmethod
    def of(
        cls,
        *,
        protocol_id: str,
        protocol_version: str,
        library_version: str,
        plugins: Iterable[PluginRecord],
        rule_ids: Iterable[str],
        patient: object,
        request: object = None,
    ) -> Provenance:
        """Build the provenance of a result from its normalised ``patient`` and ``request``."""
        return cls(
            protocol_id=protocol_id,
            protocol_version=protocol_version,
            library_version=library_version,
            plugins=tuple(plugins),
            rule_ids=tuple(dict.fromkeys(rule_ids)),
            patient_sha256=sha256_hex(patient),
            input_sha256=input_digest(patient, request),
        )

    def to_dict(self) -> dict[str, object]:
        """Return the provenance as a JSON object, keys in a fixed order."""
        return {
            "protocol_id": self.protocol_id,
            "protocol_version": self.protocol_version,
            "library_version": self.library_version,
            "plugins": [plugin_to_dict(plugin) for plugin in self.plugins],
            "rule_ids": list(self.rule_ids),
            "patient_sha256": self.patient_sha256,
            "input_sha256": self.input_sha256,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object], *, field: str = "provenance") -> Provenance:
        """Read a provenance written by :meth:`to_dict`.

        Raises:
            InvalidValueError: a key is missing or of the wrong type.
        """
        texts = {}
        for key in (
            "protocol_id",
            "protocol_version",
            "library_version",
            "patient_sha256",
            "input_sha256",
        ):
            value = data.get(key)
            if not isinstance(value, str):
                raise InvalidValueError(
                    "missing or not text", field=f"{field}.{key}", value=repr(value)[:80]
                )
            texts[key] = value
        plugins, rule_ids = data.get("plugins"), data.get("rule_ids")
        if not isinstance(plugins, list) or not all(isinstance(p, Mapping) for p in plugins):
            raise InvalidValueError(
                "not a list of plugin records", field=f"{field}.plugins", value=repr(plugins)[:80]
            )
        if not isinstance(rule_ids, list) or not all(isinstance(r, str) for r in rule_ids):
            raise InvalidValueError(
                "not a list of rule ids", field=f"{field}.rule_ids", value=repr(rule_ids)[:80]
            )
        return cls(
            protocol_id=texts["protocol_id"],
            protocol_version=texts["protocol_version"],
            library_version=texts["library_version"],
            plugins=tuple(
                plugin_from_dict(item, field=f"{field}.plugins[{index}]")
                for index, item in enumerate(plugins)
            ),
            rule_ids=tuple(rule_ids),
            patient_sha256=texts["patient_sha256"],
            input_sha256=texts["input_sha256"],
        )


def patient_input(patient: Patient) -> object:
    """The patient as the provenance digests it: as :func:`bisphos.io.patient_to_dict` writes it.

    The protocols' results call this, so that no protocol module reads or writes files itself.
    """
    return patient_to_dict(patient)
