"""The oncology protocol as a registrable object."""

from __future__ import annotations

from bisphos import oncology
from bisphos.oncology.rules import INVARIANTS, PROTOCOL_ID, PROTOCOL_VERSION, RULES
from bisphos.protocols import Protocol, ProtocolInfo

__all__ = ["ONCOLOGY_INFO", "OncologyProtocol"]

#: The oncology deck, as encoded by bisphos.
ONCOLOGY_INFO = ProtocolInfo(
    protocol_id=PROTOCOL_ID,
    version=PROTOCOL_VERSION,
    title="Bone-targeted drugs in adult oncology",
    source=(
        "Medicamenteuze opties bij botmetastasen, Dutch slide deck, 20 December 2016, with the "
        "current product labels (O-LABEL)"
    ),
    population="adults (18 years or older)",
    rules=RULES,
    invariants=INVARIANTS,
)


class OncologyProtocol(Protocol):
    """The adult oncology protocol: recommendations for bone metastases, myeloma, bone loss."""

    @property
    def info(self) -> ProtocolInfo:
        """The oncology deck's id, version and rules."""
        return ONCOLOGY_INFO

    def recommend(self, patient: oncology.AdultPatient) -> oncology.OncologyRecommendation:
        """Recommend for ``patient`` (see :func:`bisphos.oncology.recommendation.recommend`)."""
        # Looked up here: registering the protocol needs only its rules, not its regimens.
        return oncology.recommend(patient)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.info.protocol_id!r})"
