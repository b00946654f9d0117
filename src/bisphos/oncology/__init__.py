"""The adult oncology protocol ``nl-oncology-bone-2016``: bone-targeted drugs in cancer care.

Source: the Dutch slide deck "Medicamenteuze opties bij botmetastasen", 20 December 2016, with the
product labels where the deck says "adjust to renal function". Rule ids ``O-...`` refer to the
project's rule catalogue (:data:`RULES`).

The entry point is :func:`recommend`, a pure function from an :class:`AdultPatient` to an
:class:`OncologyRecommendation`: options from the regimen catalogue with renal-adjusted doses and
yearly costs at 2016 list prices, supplements, a dated radium-223 course when one is due, and
findings that each name their rule ids and evidence. :func:`choose_protocol` tells which built-in
protocol applies to a patient of a given age and setting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from bisphos import _lazy

if TYPE_CHECKING:
    from bisphos.oncology.patient import AdultPatient, MenopausalStatus, Setting, Tumour
    from bisphos.oncology.recommendation import (
        OncologyRecommendation,
        OptionStatus,
        RegimenOption,
        recommend,
    )
    from bisphos.oncology.rules import PROTOCOL_ID, PROTOCOL_VERSION, RULES
    from bisphos.oncology.scope import CareSetting, ProtocolChoice, choose_protocol
    from bisphos.oncology.settings import Advice

__all__ = [
    "PROTOCOL_ID",
    "PROTOCOL_VERSION",
    "RULES",
    "AdultPatient",
    "Advice",
    "CareSetting",
    "MenopausalStatus",
    "OncologyRecommendation",
    "OptionStatus",
    "ProtocolChoice",
    "RegimenOption",
    "Setting",
    "Tumour",
    "choose_protocol",
    "recommend",
]

# Imported on first use: the engine registers this protocol in every process, and a process that
# only plans children's infusions then loads its rule catalogue, not its regimens and tables.
_SOURCE: Final = _lazy.sources(
    {
        "bisphos.oncology.patient": ("AdultPatient", "MenopausalStatus", "Setting", "Tumour"),
        "bisphos.oncology.recommendation": (
            "OncologyRecommendation",
            "OptionStatus",
            "RegimenOption",
            "recommend",
        ),
        "bisphos.oncology.rules": ("PROTOCOL_ID", "PROTOCOL_VERSION", "RULES"),
        "bisphos.oncology.scope": ("CareSetting", "ProtocolChoice", "choose_protocol"),
        "bisphos.oncology.settings": ("Advice",),
    }
)


def __getattr__(name: str) -> object:
    return _lazy.load(__name__, _SOURCE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
