"""Protocols: what a plugin registers, and what every protocol tells about itself."""

from __future__ import annotations

import abc
from collections.abc import Mapping

import attrs

from bisphos.catalogue import Invariant, Rule

__all__ = ["PluginRecord", "Protocol", "ProtocolInfo"]


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
