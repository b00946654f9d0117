"""What a local plugin may propose to change in a pediatric plan, and the record of it.

A plugin never changes a plan itself. It returns a *proposal*; the plan builder checks it against
the soft and hard limits and records an :class:`Adjustment` whether it was accepted or refused:

- a :class:`DoseProposal` may lower a dose freely (e.g. round down to a vial fraction); a higher
  dose than the protocol's is a soft-limit override and needs a ``reason_code``; nothing passes
  the hard limits (the daily cap, the phase's per-kg maximum), whatever the reason;
- a :class:`VolumeProposal` may choose another volume; outside the protocol's range it needs a
  ``reason_code``; a pamidronate concentration above the label's maximum is always refused;
- a :class:`ScheduleProposal` may move infusions later; earlier than the protocol's dates (more
  drug per year) is always refused.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Final

import attrs

from bisphos.findings import EvidenceValue

__all__ = ["REASON_CODE", "Adjustment", "DoseProposal", "ScheduleProposal", "VolumeProposal"]

#: A reason code is a short upper-case token, e.g. ``LOCAL-VIAL-ROUNDING``.
REASON_CODE: Final = re.compile(r"^[A-Z][A-Z0-9_-]{1,40}$")


@attrs.frozen
class DoseProposal:
    """A plugin's proposed dose for one infusion.

    Attributes:
        plugin: The name the plugin is registered under (recorded with the adjustment).
        dose: The proposed dose, a mass quantity.
        reason: Why, in words.
        reason_code: Required when the dose is above the protocol's dose (a soft-limit override).
        rule_ids: The plugin's own rule ids for the change (e.g. ``("UMC-VIAL-1",)``), recorded
            with the adjustment and the dose.
    """

    plugin: str
    dose: object
    reason: str
    reason_code: str = ""
    rule_ids: tuple[str, ...] = ()


@attrs.frozen
class VolumeProposal:
    """A plugin's proposed infusion volume.

    Attributes:
        plugin: The name the plugin is registered under.
        volume: The proposed volume, a quantity of volume.
        reason: Why, in words.
        reason_code: Required when the volume is outside the protocol's range.
        rule_ids: The plugin's own rule ids for the change, recorded with the adjustment.
    """

    plugin: str
    volume: object
    reason: str
    reason_code: str = ""
    rule_ids: tuple[str, ...] = ()


def _dates(value: Iterable[dt.date]) -> tuple[dt.date, ...]:
    return tuple(value)


@attrs.frozen
class ScheduleProposal:
    """A plugin's proposed dates for the planned infusions, one per infusion, in order.

    Attributes:
        plugin: The name the plugin is registered under.
        dates: The proposed dates; none may be earlier than the protocol's.
        reason: Why, in words.
        rule_ids: The plugin's own rule ids for the change, recorded with the adjustment.
    """

    plugin: str
    dates: tuple[dt.date, ...] = attrs.field(converter=_dates)
    reason: str
    rule_ids: tuple[str, ...] = ()


@attrs.frozen
class Adjustment:
    """The record of one plugin proposal: what it would change, and whether it was accepted.

    Attributes:
        plugin: The plugin that proposed it.
        hook: The hook it came through, e.g. ``"bisphos_adjust_dose"``.
        target: What it concerns, e.g. ``"infusions[0].dose"``.
        before: The protocol's value.
        proposed: The value proposed (as text when it was not a valid value).
        after: The value in the plan after the hard limits.
        accepted: Whether the proposal changed the plan.
        reason: The plugin's reason, and for a refusal why it was refused.
        reason_code: The plugin's coded reason for a soft-limit override, if any.
        rule_ids: The limits that decided (e.g. ``("P-ZOL-CAP",)``).
    """

    plugin: str
    hook: str
    target: str
    before: EvidenceValue | None
    proposed: EvidenceValue | None
    after: EvidenceValue | None
    accepted: bool
    reason: str
    reason_code: str = ""
    rule_ids: tuple[str, ...] = ()
