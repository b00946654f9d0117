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
    from bisphos.oncology.patient import AdultPatient as AdultPatient
    from bisphos.oncology.patient import MenopausalStatus as MenopausalStatus
    from bisphos.oncology.patient import Setting as Setting
    from bisphos.oncology.patient import Tumour as Tumour
    from bisphos.oncology.recommendation import OncologyRecommendation as OncologyRecommendation
    from bisphos.oncology.recommendation import OptionStatus as OptionStatus
    from bisphos.oncology.recommendation import RegimenOption as RegimenOption
    from bisphos.oncology.recommendation import recommend as recommend
    from bisphos.oncology.rules import PROTOCOL_ID as PROTOCOL_ID
    from bisphos.oncology.rules import PROTOCOL_VERSION as PROTOCOL_VERSION
    from bisphos.oncology.rules import RULES as RULES
    from bisphos.oncology.scope import CareSetting as CareSetting
    from bisphos.oncology.scope import ProtocolChoice as ProtocolChoice
    from bisphos.oncology.scope import choose_protocol as choose_protocol
    from bisphos.oncology.settings import Advice as Advice


# Imported on first use: the engine registers this protocol in every process, and a process that
# only plans children's infusions then loads its rule catalogue, not its regimens and tables. Each
# name is written once, in the ``TYPE_CHECKING`` block above (an explicit re-export that type
# checkers read): the loader and ``__all__`` are read from it.
_SOURCE: Final = _lazy.type_checking_imports(__file__)
__all__: list[str] = []
__all__.extend(_SOURCE)


def __getattr__(name: str) -> object:
    return _lazy.load(__name__, _SOURCE, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
