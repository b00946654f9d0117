"""Protocols: what a plugin registers, and what every protocol tells about itself."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from typing import Final

import attrs

from bisphos.catalogue import Invariant, Rule
from bisphos.errors import InvalidValueError
from bisphos.pediatric.limits import NATIONAL_MIN_INTERVAL_MONTHS

__all__ = ["NATIONAL_INTERVAL", "MinimumInterval", "PluginRecord", "Protocol", "ProtocolInfo"]


def _whole(low: int, high: int) -> Callable[[object, attrs.Attribute[int], object], None]:
    def check(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
        if type(value) is not int or not low <= value <= high:
            raise InvalidValueError(
                "a minimum interval is a whole number in range",
                field=f"minimum_interval.{attribute.name}",
                value=value if type(value) in (int, str, float) else None,
                expected=f"a whole number from {low} to {high}",
            )

    return check


@attrs.frozen
class MinimumInterval:
    """The least time a protocol allows between two infusions of any bisphosphonate.

    P-HIST-INTERVAL: every intravenous bisphosphonate in the history counts, whatever the drug.
    Infusions on consecutive days form one cycle of at most ``cycle_days`` infusions (1: no
    cycles); a new cycle starts no earlier than ``months`` calendar months and ``days`` days after
    the first day of the cycle before it. The gate (:mod:`bisphos.gate`) refuses a plan with two
    infusions closer than this.

    Attributes:
        months: Calendar months from the start of one cycle to the start of the next.
        days: Days added to ``months``.
        cycle_days: The most infusions of one cycle, on consecutive days.
        rule_ids: The rules that set the interval.
    """

    months: int = attrs.field(validator=_whole(0, 120))
    days: int = attrs.field(default=0, validator=_whole(0, 3660))
    cycle_days: int = attrs.field(default=1, validator=_whole(1, 31))
    rule_ids: tuple[str, ...] = ("P-HIST-INTERVAL",)

    def __attrs_post_init__(self) -> None:
        if self.months == 0 and self.days == 0:
            raise InvalidValueError(
                "two cycles cannot start on one day",
                field="minimum_interval",
                value="0 months 0 days",
                expected="at least one day between the starts of two cycles",
            )


#: The national protocol's interval: 3 months between any two bisphosphonate infusions.
NATIONAL_INTERVAL: Final = MinimumInterval(months=NATIONAL_MIN_INTERVAL_MONTHS)


@attrs.frozen
class ProtocolInfo:
    """Who a protocol is: id, version, source and its rule catalogue.

    Attributes:
        protocol_id: Unique id, e.g. ``"nl-pediatric-iv-bp-2024"``; two protocols with one id are
            refused.
        version: The version of the protocol's encoding.
        title: A readable title.
        source: The document it encodes.
        population: Whom it is for, in words (``"children"``, ``"adults"``).
        rules: Its rules by id.
        invariants: The invariants its property tests verify.
    """

    protocol_id: str
    version: str
    title: str
    source: str
    population: str
    rules: Mapping[str, Rule] = attrs.field(eq=False, repr=False)
    invariants: tuple[Invariant, ...] = attrs.field(default=(), repr=False)


class Protocol(abc.ABC):
    """Base class of every protocol a plugin registers through ``bisphos_register_protocols``.

    A protocol is selected by :attr:`ProtocolInfo.protocol_id`. The pediatric protocols
    (:class:`bisphos.pediatric.protocol.PediatricProtocol`) plan infusions; the oncology protocol
    (:class:`bisphos.oncology.protocol.OncologyProtocol`) recommends regimens.
    """

    @property
    @abc.abstractmethod
    def info(self) -> ProtocolInfo:
        """The protocol's id, version, source and rules."""

    @property
    def minimum_interval(self) -> MinimumInterval:
        """The least interval between two infusions (P-HIST-INTERVAL); the national 3 months.

        Read once, when the protocol is registered; a cyclical local regimen declares its days
        within a cycle and the gap between cycles.
        """
        return NATIONAL_INTERVAL


@attrs.frozen
class PluginRecord:
    """A plugin that took part: its name, and the distribution and version it came from.

    Attributes:
        name: The name it is registered under.
        distribution: The installed distribution providing it (``bisphos`` for built-ins).
        version: That distribution's version.
        builtin: Whether it is a built-in plugin of bisphos.
    """

    name: str
    distribution: str
    version: str
    builtin: bool
