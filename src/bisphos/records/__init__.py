"""Decision records: a plan written as JSON with its provenance and input, and its replay.

:func:`record` (or :func:`record_json`) writes what a plan decided and everything needed to decide
it again; :func:`replay` decides it again and reports whether the result is the same, byte for
byte, or exactly what differs and why.

Example:
    >>> from bisphos.engine import default_engine
    >>> from bisphos.io import load_patient
    >>> plan = default_engine().plan(load_patient("examples/patients/oi-girl-20kg.json"))
    >>> text = record_json(plan)
    >>> replay(text).identical
    True
"""

from __future__ import annotations

from bisphos.records.plan import (
    FORMAT,
    KIND_PEDIATRIC_PLAN,
    RECORD_VERSION,
    load_record,
    record,
    record_json,
    to_json,
)
from bisphos.records.replaying import Difference, ReplayReport, differences, replay
from bisphos.records.request import request_from_dict, request_to_dict
from bisphos.records.signing import SignatureCheck, sign_record, verify_record

__all__ = [
    "FORMAT",
    "KIND_PEDIATRIC_PLAN",
    "RECORD_VERSION",
    "Difference",
    "ReplayReport",
    "SignatureCheck",
    "differences",
    "load_record",
    "record",
    "record_json",
    "replay",
    "request_from_dict",
    "request_to_dict",
    "sign_record",
    "to_json",
    "verify_record",
]
