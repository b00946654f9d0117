"""FHIR R4 in and out: a patient from a hospital's Bundle, and a patient as a Bundle.

:func:`patient_from_bundle` (and :func:`read_bundle`, which also says where each value came
from) reads the resources of a FHIR R4 Bundle by their codes (:mod:`bisphos.fhir.codes`);
:func:`patient_to_bundle` writes a patient back. The plan as FHIR is
:func:`bisphos.export.fhir.plan_to_fhir`.
"""

from __future__ import annotations

from bisphos.fhir.reader import (
    MAX_ENTRIES,
    BundleReading,
    Ignored,
    bundle_from_text,
    is_bundle,
    load_bundle,
    patient_from_bundle,
    read_bundle,
)
from bisphos.fhir.writer import patient_to_bundle, patient_to_bundle_json

__all__ = [
    "MAX_ENTRIES",
    "BundleReading",
    "Ignored",
    "bundle_from_text",
    "is_bundle",
    "load_bundle",
    "patient_from_bundle",
    "patient_to_bundle",
    "patient_to_bundle_json",
    "read_bundle",
]
