"""The JSON documents of the commands other than ``plan``, each with a published JSON Schema.

``bisphos check``, ``check-order``, ``rules``, ``invariants``, ``plugins``, ``show``, ``replay``,
``keygen``, ``completion`` and ``audit`` print one document each with ``--format json``. Every
document names its ``format`` and ``format_version``; its schema (draft 2020-12) is shipped as
``bisphos/schemas/<command>.schema.json`` and kept equal to :func:`command_schema` by a test. A
finding is written as in the plan document (:func:`bisphos.export.plan_json.finding_to_dict`),
and the schemas refer to the plan schema's ``finding`` and the patient schemas themselves
instead of repeating them.

The same input gives the same bytes: keys keep one order and nothing reads a clock.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from importlib.metadata import EntryPoint
from typing import Any, Final

from bisphos._version import __version__
from bisphos.export._schema import DATE as _DATE
from bisphos.export._schema import RULE_IDS as _RULE_IDS
from bisphos.export._schema import TEXT as _TEXT
from bisphos.export._schema import nullable as _nullable
from bisphos.export._schema import object_schema as _object
from bisphos.export.evidence import evidence_schema
from bisphos.export.plan_json import PLAN_SCHEMA_ID, finding_to_dict
from bisphos.i18n import Language
from bisphos.pediatric.assessment import Assessment
from bisphos.protocols import PluginRecord, ProtocolInfo
from bisphos.report import assessment_status

__all__ = [
    "COMMANDS",
    "FORMAT_VERSION",
    "assessment_to_dict",
    "command_schema",
    "command_schema_json",
    "completion_to_dict",
    "document_json",
    "invariants_to_dict",
    "keygen_to_dict",
    "order_check_to_dict",
    "patient_document",
    "plugins_to_dict",
    "replay_to_dict",
    "rules_to_dict",
]

#: The commands with a JSON document, in the order of the command line's help.
COMMANDS: Final = (
    "check",
    "check-order",
    "rules",
    "invariants",
    "plugins",
    "show",
    "replay",
    "keygen",
    "completion",
    "audit",
)
#: The version of every document's layout; a change that breaks readers raises it.
FORMAT_VERSION: Final = 1
_PATIENT_SCHEMA_ID: Final = "https://bisphos.invalid/schema/patient-1.json"
_ADULT_PATIENT_SCHEMA_ID: Final = "https://bisphos.invalid/schema/adult-oncology-patient-1.json"


def _head(command: str) -> dict[str, Any]:
    return {"format": f"bisphos-{command}", "format_version": FORMAT_VERSION}


def _protocol(info: ProtocolInfo) -> dict[str, str]:
    return {"id": info.protocol_id, "version": info.version}


def _plugin(record: PluginRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "distribution": record.distribution,
        "version": record.version,
        "builtin": record.builtin,
    }


def assessment_to_dict(
    assessment: Assessment, lang: Language = "en", plugins: Sequence[PluginRecord] = ()
) -> dict[str, Any]:
    """Return ``bisphos check``'s document: what blocks an infusion today, and why."""
    renal = assessment.renal
    estimate = None if renal is None else renal.estimate
    return {
        **_head("check"),
        "lang": lang,
        "protocol": {"id": assessment.protocol, "version": assessment.protocol_version},
        "library_version": __version__,
        "patient_id": assessment.patient_id,
        "assessment_date": assessment.assessment_date.isoformat(),
        "status": assessment_status(assessment),
        "cleared_today": assessment.cleared_today,
        "in_scope": assessment.in_scope,
        "indicated": assessment.indicated,
        "first_infusion": assessment.first_infusion,
        "allowed_drugs": [drug.value for drug in assessment.allowed_drugs],
        "gfr": None
        if estimate is None
        else {"value": float(estimate.value.magnitude), "unit": "mL/min/1.73 m²"},
        "findings": [
            finding_to_dict(finding, lang, assessment.assessment_date)
            for finding in assessment.findings
        ],
        "plugins": [_plugin(record) for record in plugins],
        "rule_ids": list(assessment.rule_ids),
    }


def rules_to_dict(protocols: Iterable[ProtocolInfo]) -> dict[str, Any]:
    """Return ``bisphos rules``' document: every rule of each protocol's catalogue."""
    return {
        **_head("rules"),
        "protocols": [
            {
                **_protocol(info),
                "title": info.title,
                "source": info.source,
                "rules": [
                    {
                        "id": rule.id,
                        "section": rule.section,
                        "statement": rule.statement,
                        "source": rule.source,
                        "reading": rule.reading,
                    }
                    for rule in info.rules.values()
                ],
            }
            for info in protocols
        ],
    }


def invariants_to_dict(protocols: Iterable[ProtocolInfo]) -> dict[str, Any]:
    """Return ``bisphos invariants``' document: each invariant with its rules and tests."""
    return {
        **_head("invariants"),
        "protocols": [
            {
                **_protocol(info),
                "invariants": [
                    {
                        "number": item.number,
                        "statement": item.statement,
                        "rule_ids": list(item.rule_ids),
                        "tests": list(item.tests),
                    }
                    for item in info.invariants
                ],
            }
            for info in protocols
        ],
    }


def plugins_to_dict(
    plugins: Sequence[PluginRecord],
    entry_points: Sequence[EntryPoint],
    protocols: Iterable[ProtocolInfo],
) -> dict[str, Any]:
    """Return ``bisphos plugins``' document: loaded plugins, entry points, protocols."""
    return {
        **_head("plugins"),
        "plugins": [_plugin(record) for record in plugins],
        "entry_points": [
            {
                "name": point.name,
                "value": point.value,
                "distribution": None if point.dist is None else point.dist.name,
                "version": None if point.dist is None else point.dist.version,
            }
            for point in entry_points
        ],
        "protocols": [{**_protocol(info), "title": info.title} for info in protocols],
    }


def patient_document(patient: dict[str, Any], missing: Sequence[str]) -> dict[str, Any]:
    """Return ``bisphos show``'s document: the patient as read, and what a decision lacks.

    Args:
        patient: The patient as :func:`bisphos.io.patient_to_dict` writes it (a valid patient
            file), or an adult oncology patient as
            :func:`bisphos.oncology.patient_file.adult_patient_to_dict` writes it.
        missing: The field paths a decision needs that the file does not give.
    """
    return {**_head("show"), "patient": patient, "missing_for_decision": list(missing)}


def order_check_to_dict(check: dict[str, Any]) -> dict[str, Any]:
    """Return ``bisphos check-order``'s document from an order check's ``to_dict()``."""
    return {**_head("check-order"), **check}


def replay_to_dict(report: dict[str, object]) -> dict[str, Any]:
    """Return ``bisphos replay``'s document from a replay report's ``to_dict()``."""
    return {**_head("replay"), **report}


def keygen_to_dict(private_key: str, public_key: str, fingerprint: str) -> dict[str, Any]:
    """Return ``bisphos keygen``'s document: the key files written and the public key's SHA-256.

    Args:
        private_key: The private key file, as given.
        public_key: The public key file, as given.
        fingerprint: The SHA-256 of the raw public key, hexadecimal (as a signature names it).
    """
    return {
        **_head("keygen"),
        "algorithm": "Ed25519",
        "private_key": private_key,
        "public_key": public_key,
        "public_key_sha256": fingerprint,
    }


def completion_to_dict(shell: str, script: str) -> dict[str, Any]:
    """Return ``bisphos completion``'s document: the shell and its completion script."""
    return {**_head("completion"), "shell": shell, "script": script}


def document_json(document: dict[str, Any]) -> str:
    """Return a command's document as JSON text (indented, ASCII only, ending with a newline).

    ASCII only: a terminal shows every character of a patient's text as an escape, never as a
    control sequence.
    """
    return json.dumps(document, indent=2, ensure_ascii=True, allow_nan=False) + "\n"


# The schemas.

_FLAG: Final = {"type": "boolean"}
_COUNT: Final = {"type": "integer", "minimum": 0}


def _list(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


_PROTOCOL: Final = {"id": _TEXT, "version": _TEXT}
_PLUGIN: Final = _object(
    {"name": _TEXT, "distribution": _TEXT, "version": _TEXT, "builtin": _FLAG},
    "A plugin that took part: name, distribution and version; built-in or installed.",
)


def _bodies() -> dict[str, tuple[str, dict[str, Any]]]:
    """Each command's title and the properties of its document after the format fields."""
    status = [
        "out_of_scope",
        "not_indicated",
        "blocked",
        "cleared",
    ]
    return {
        "check": (
            "What blocks an infusion today (bisphos check).",
            {
                "lang": {"enum": ["en", "nl"]},
                "protocol": _object(_PROTOCOL),
                "library_version": _TEXT,
                "patient_id": _TEXT,
                "assessment_date": _DATE,
                "status": {"enum": status},
                "cleared_today": _FLAG,
                "in_scope": _FLAG,
                "indicated": _FLAG,
                "first_infusion": _FLAG,
                "allowed_drugs": _list(_TEXT),
                "gfr": _nullable(
                    _object({"value": {"type": "number"}, "unit": {"const": "mL/min/1.73 m²"}})
                ),
                "findings": _list({"$ref": f"{PLAN_SCHEMA_ID}#/$defs/finding"}),
                "plugins": _list(_PLUGIN),
                "rule_ids": _RULE_IDS,
            },
        ),
        "check-order": (
            "An ordered infusion judged against the protocol (bisphos check-order).",
            {
                "verdict": {"enum": ["within", "outside-soft-limit", "refused"]},
                "order": _object(
                    {
                        "drug": {"enum": ["zoledronic_acid", "pamidronate"]},
                        "dose": _TEXT,
                        "date": _DATE,
                        "volume": _TEXT,
                        "duration_h": {"type": "number"},
                        "rate_ml_h": {"type": "number"},
                        "source": _TEXT,
                    }
                ),
                "judgements": _list(
                    _object(
                        {
                            "aspect": _TEXT,
                            "verdict": {"enum": ["within", "outside-soft-limit", "refused"]},
                            "message": _TEXT,
                            "ordered": _TEXT,
                            "allowed": _TEXT,
                            "rule_ids": _RULE_IDS,
                            "evidence": _list(evidence_schema(f"{PLAN_SCHEMA_ID}#/$defs/typed")),
                        }
                    )
                ),
                "protocol_would_give": _nullable(
                    _object(
                        {
                            "date": _DATE,
                            "dose": _TEXT,
                            "volume": _TEXT,
                            "duration": _TEXT,
                            "rate": _TEXT,
                            "rule_ids": _RULE_IDS,
                        }
                    )
                ),
                "overrides": _RULE_IDS,
                "override_reasons": _list(_TEXT),
                "rule_ids": _RULE_IDS,
            },
        ),
        "rules": (
            "The rule catalogue of the protocols (bisphos rules).",
            {
                "protocols": _list(
                    _object(
                        {
                            **_PROTOCOL,
                            "title": _TEXT,
                            "source": _TEXT,
                            "rules": _list(
                                _object(
                                    {
                                        "id": _TEXT,
                                        "section": _TEXT,
                                        "statement": _TEXT,
                                        "source": _TEXT,
                                        "reading": _TEXT,
                                    }
                                )
                            ),
                        }
                    )
                )
            },
        ),
        "invariants": (
            "The invariants the property tests verify (bisphos invariants).",
            {
                "protocols": _list(
                    _object(
                        {
                            **_PROTOCOL,
                            "invariants": _list(
                                _object(
                                    {
                                        "number": {"type": "integer", "minimum": 1},
                                        "statement": _TEXT,
                                        "rule_ids": _RULE_IDS,
                                        "tests": _list(_TEXT),
                                    }
                                )
                            ),
                        }
                    )
                )
            },
        ),
        "plugins": (
            "The plugins loaded, the installed entry points and the protocols (bisphos plugins).",
            {
                "plugins": _list(_PLUGIN),
                "entry_points": _list(
                    _object(
                        {
                            "name": _TEXT,
                            "value": _TEXT,
                            "distribution": _nullable(_TEXT),
                            "version": _nullable(_TEXT),
                        }
                    )
                ),
                "protocols": _list(_object({**_PROTOCOL, "title": _TEXT})),
            },
        ),
        "show": (
            "The patient as read and normalised, and what a decision lacks (bisphos show).",
            {
                "patient": {
                    "anyOf": [{"$ref": _PATIENT_SCHEMA_ID}, {"$ref": _ADULT_PATIENT_SCHEMA_ID}]
                },
                "missing_for_decision": _list(_TEXT),
            },
        ),
        "audit": (
            (
                "The summary of an audit of a history (bisphos audit): the counts of the "
                "verdicts, the deviations with their rules, the checks not made, per rule and "
                "per year."
            ),
            {
                "library_version": _TEXT,
                "protocol": _object(_PROTOCOL),
                "source": _TEXT,
                "output": _nullable(_TEXT),
                "administrations": _COUNT,
                "patients": _COUNT,
                "verdicts": _object({"ok": _COUNT, "deviation": _COUNT, "not_assessable": _COUNT}),
                "deviations": _list(
                    _object({"code": _TEXT, "rule_ids": _RULE_IDS, "count": _COUNT})
                ),
                "unassessed": _list(_object({"code": _TEXT, "count": _COUNT})),
                "rules": _list(_object({"rule_id": _TEXT, "count": _COUNT})),
                "per_year": _list(
                    _object(
                        {
                            "year": {"type": "integer"},
                            "administrations": _COUNT,
                            "deviations": _COUNT,
                        }
                    )
                ),
                "rule_ids": _RULE_IDS,
            },
        ),
        "replay": (
            "A stored decision record decided again (bisphos replay).",
            {
                "identical": _FLAG,
                "reproduced": _FLAG,
                "differences": _list(
                    _object(
                        {
                            "path": _TEXT,
                            "recorded": {},
                            "replayed": {},
                        }
                    )
                ),
                "causes": _list(_TEXT),
                "error": _TEXT,
                "signature": _object({"status": _TEXT, "detail": _TEXT}),
            },
        ),
        "keygen": (
            "A new Ed25519 key pair to sign decision records with (bisphos keygen).",
            {
                "algorithm": {"const": "Ed25519"},
                "private_key": _TEXT,
                "public_key": _TEXT,
                "public_key_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            },
        ),
        "completion": (
            "The shell completion script of the command line (bisphos completion).",
            {
                "shell": {"enum": ["bash", "zsh", "tcsh"]},
                "script": {"type": "string", "minLength": 1},
            },
        ),
    }


def command_schema(command: str) -> dict[str, Any]:
    """Return the JSON Schema (draft 2020-12) of ``command``'s document.

    Raises:
        KeyError: ``command`` is not one of :data:`COMMANDS`.
    """
    title, body = _bodies()[command]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://bisphos.invalid/schema/{command}-{FORMAT_VERSION}.json",
        "title": f"bisphos {command}",
        **_object(
            {
                "format": {"const": f"bisphos-{command}"},
                "format_version": {"const": FORMAT_VERSION},
                **body,
            },
            title,
        ),
    }


def command_schema_json(command: str) -> str:
    """Return :func:`command_schema` as the text of the shipped schema file."""
    return json.dumps(command_schema(command), indent=2, ensure_ascii=False) + "\n"
