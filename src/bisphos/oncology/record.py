"""The decision record of an oncology recommendation: JSON with a fixed key order, replayable.

The record has the envelope of every bisphos decision record (:mod:`bisphos.records`): format,
version, ``kind`` ``"oncology-recommendation"``, the provenance, the input (the patient as
:func:`~bisphos.oncology.patient_file.adult_patient_to_dict` writes it, overrides included) and the
result (the recommendation as :func:`~bisphos.oncology.export.recommendation_to_dict` writes it,
in English). Quantities are written exactly, keys keep one order and nothing reads a clock, so the
same recommendation always gives the same bytes and :func:`bisphos.records.replay` compares a
recomputation byte for byte.
"""

from __future__ import annotations

from typing import Any, Final

from bisphos.oncology.export import recommendation_to_dict
from bisphos.oncology.patient_file import adult_patient_to_dict
from bisphos.oncology.recommendation import OncologyRecommendation
from bisphos.records.plan import FORMAT, RECORD_VERSION, to_json

__all__ = ["KIND_ONCOLOGY_RECOMMENDATION", "oncology_record", "oncology_record_json"]

#: The ``kind`` of an oncology recommendation's record.
KIND_ONCOLOGY_RECOMMENDATION: Final = "oncology-recommendation"


def oncology_record(result: OncologyRecommendation) -> dict[str, Any]:
    """Return the decision record of ``result``: format, provenance, input and result."""
    return {
        "format": FORMAT,
        "record_version": RECORD_VERSION,
        "kind": KIND_ONCOLOGY_RECOMMENDATION,
        "provenance": result.provenance.to_dict(),
        "input": {"patient": adult_patient_to_dict(result.patient)},
        "result": recommendation_to_dict(result, "en"),
    }


def oncology_record_json(result: OncologyRecommendation) -> str:
    """Return the decision record of ``result`` as JSON text."""
    return to_json(oncology_record(result))
