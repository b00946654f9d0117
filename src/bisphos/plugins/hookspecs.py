"""The hook specifications of bisphos: what a plugin may implement.

Every hook is named ``bisphos_...`` and receives keyword arguments; an implementation may accept
any subset of them. Hooks *propose*; the library decides. Whatever a hook returns, and whatever a
hook wrapper does to the results, the hard limits hold: the daily caps, the per-kg maxima, the GFR
gate and the contraindications are applied after every plugin.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from bisphos.findings import Finding
    from bisphos.i18n import MessageCatalogue
    from bisphos.model import Drug, Patient
    from bisphos.pediatric.adjustments import DoseProposal, ScheduleProposal, VolumeProposal
    from bisphos.pediatric.assessment import Assessment
    from bisphos.pediatric.dosing import Dose
    from bisphos.pediatric.formulary import Formulary
    from bisphos.pediatric.freshness import Freshness
    from bisphos.pediatric.infusion import Preparation
    from bisphos.pediatric.renal import GfrEstimator
    from bisphos.protocols import Protocol

__all__ = [
    "bisphos_adjust_dose",
    "bisphos_adjust_schedule",
    "bisphos_extra_findings",
    "bisphos_formulary",
    "bisphos_freshness",
    "bisphos_gfr_estimator",
    "bisphos_infusion_volume",
    "bisphos_message_catalogues",
    "bisphos_register_protocols",
    "hookspec",
]

#: The marker of bisphos hook specifications (private to the library).
hookspec = pluggy.HookspecMarker("bisphos")


# -- Protocols -------------------------------------------------------------------------------


@hookspec
def bisphos_register_protocols() -> Sequence[Protocol]:  # type: ignore[empty-body]
    """Return the protocols this plugin provides.

    Called once when the plugin manager is built. Every protocol id must be unique across all
    plugins; a duplicate raises :class:`~bisphos.errors.ProtocolConflictError`. The built-in
    protocols register through this hook too.

    :return: Instances of :class:`bisphos.protocols.Protocol` subclasses.

    .. versionadded:: 0.1.0
    """


# -- Assessment ------------------------------------------------------------------------------


@hookspec(firstresult=True)
def bisphos_gfr_estimator(protocol_id: str, patient: Patient) -> GfrEstimator | None:
    """Return a local GFR estimator to use instead of the protocol's Schwartz k = 40.

    Stops at the first non-None result. The estimate still passes the > 90 ml/min/1.73 m² gate
    for zoledronic acid (P-GFR), which no plugin replaces; an estimator that fails or returns
    anything but a positive GFR raises :class:`~bisphos.errors.PluginError`.

    :param protocol_id: The protocol the assessment is for.
    :param patient: The patient.
    :return: A :class:`bisphos.pediatric.renal.GfrEstimator`, or ``None``.

    .. versionadded:: 0.1.0
    """


@hookspec
def bisphos_extra_findings(  # type: ignore[empty-body]
    protocol_id: str, patient: Patient, assessment: Assessment
) -> Sequence[Finding]:
    """Return local findings to add to an assessment, e.g. a local contraindication.

    Findings are only added: the protocol's own findings are kept whatever a plugin returns. A
    finding of severity ``block`` blocks today's infusion like any other. Anything that is not a
    :class:`~bisphos.findings.Finding` raises :class:`~bisphos.errors.PluginError`.

    :param protocol_id: The protocol the assessment is for.
    :param patient: The patient.
    :param assessment: The protocol's assessment, before local findings.
    :return: Findings with the plugin's own rule ids.

    .. versionadded:: 0.1.0
    """


# -- Planning --------------------------------------------------------------------------------


@hookspec
def bisphos_adjust_dose(protocol_id: str, patient: Patient, dose: Dose) -> DoseProposal | None:
    """Propose another dose for one planned infusion, e.g. rounded down to a vial fraction.

    Every proposal is recorded. A lower dose is accepted; a higher one only with a coded reason
    (a soft-limit override); none above the daily cap or the phase's per-kg maximum, ever. The
    accepted dose is rounded down to the protocol's precision.

    :param protocol_id: The protocol planned under.
    :param patient: The patient.
    :param dose: The protocol's dose, with its limits.
    :return: A :class:`bisphos.pediatric.adjustments.DoseProposal`, or ``None``.

    .. versionadded:: 0.1.0
    """


@hookspec
def bisphos_infusion_volume(
    protocol_id: str, patient: Patient, drug: Drug, preparation: Preparation
) -> VolumeProposal | None:
    """Propose another infusion volume (zoledronic acid: 50 to 100 ml of NaCl 0.9 %).

    Pamidronate is always diluted to 0.1 mg/ml, so a proposal for it is recorded and refused.

    :param protocol_id: The protocol planned under.
    :param patient: The patient.
    :param drug: The drug.
    :param preparation: The protocol's preparation.
    :return: A :class:`bisphos.pediatric.adjustments.VolumeProposal`, or ``None``.

    .. versionadded:: 0.1.0
    """


@hookspec
def bisphos_adjust_schedule(
    protocol_id: str, patient: Patient, drug: Drug, dates: tuple[dt.date, ...]
) -> ScheduleProposal | None:
    """Propose other dates for the planned infusions, e.g. the unit's infusion days.

    An infusion may be moved later, never earlier than the protocol's date.

    :param protocol_id: The protocol planned under.
    :param patient: The patient.
    :param drug: The drug.
    :param dates: The protocol's dates, in order.
    :return: A :class:`bisphos.pediatric.adjustments.ScheduleProposal`, or ``None``.

    .. versionadded:: 0.1.0
    """


@hookspec
def bisphos_freshness(protocol_id: str, patient: Patient) -> Freshness | None:
    """Return the hospital's limits on how old a value may be to clear an infusion (P-FRESH).

    A limit may only be tightened: the labs of a first infusion at most 90 days old, the
    creatinine of the zoledronic acid gate at most 12 months, the calcium before a later
    infusion at most 90 days, the dosing weight at most 30 days. :class:`Freshness` refuses a
    longer limit when it is built; of several plugins' limits the shortest of each holds.
    Anything that is not a ``Freshness`` raises :class:`~bisphos.errors.PluginError`.

    :param protocol_id: The protocol the assessment is for.
    :param patient: The patient.
    :return: A :class:`bisphos.pediatric.freshness.Freshness`, or ``None`` for the protocol's.

    .. versionadded:: 0.2.0
    """


# -- Messages --------------------------------------------------------------------------------


@hookspec
def bisphos_message_catalogues() -> Sequence[MessageCatalogue]:  # type: ignore[empty-body]
    """Return the gettext catalogues of this plugin's messages, so its findings are translated.

    Called once when the engine is built. Each :class:`bisphos.i18n.MessageCatalogue` names a
    domain of the plugin's own and the directory of its ``<lang>/LC_MESSAGES/<domain>.mo``
    (or ``.po``). A finding whose code the library's catalogue does not hold is looked up there:
    its message under its code, its action under ``<code>.action``, with the same placeholders
    as the library's messages. A plugin's catalogue never rewords the library's messages (the
    library's are asked first). Anything that is not a ``MessageCatalogue`` raises
    :class:`~bisphos.errors.PluginError`; see ``docs/translation.md``.

    :return: The plugin's catalogues.

    .. versionadded:: 0.3.0
    """


# -- Preparation -----------------------------------------------------------------------------


@hookspec
def bisphos_formulary(protocol_id: str, patient: Patient) -> Formulary | None:
    """Return the hospital's formulary: its products, syringe resolution and diluent.

    P-PREP-PRODUCT: each infusion is drawn up from the formulary's product of its drug, in whole
    steps of the syringe resolution; fields left at their defaults keep the reading's
    (zoledronic acid concentrate 4 mg/5 ml, pamidronate disodium concentrate 3 mg/ml, 0.01 ml,
    NaCl 0.9 %). At most one plugin may supply a formulary. What it returns is checked: a
    concentration of the wrong dimension, not above zero or outside the range of the drug's
    products, a product of the other drug, a vial that is not a positive volume or a syringe
    resolution not above 0 and at most 1 ml raises :class:`~bisphos.errors.PluginError` naming
    the field. The volume drawn up never delivers more than the dose's hard limits allow, and the
    gate judges the delivered dose.

    :param protocol_id: The protocol planned under.
    :param patient: The patient.
    :return: A :class:`bisphos.pediatric.formulary.Formulary`, or ``None`` for the defaults.

    .. versionadded:: 0.3.0
    """
