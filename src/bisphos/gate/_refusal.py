"""The gate's two refusals: a value it cannot read (a plugin error) and a broken hard limit."""

from __future__ import annotations

from decimal import Decimal

from bisphos._contain import describe
from bisphos.errors import HardLimitError, PluginError


def refuse(message: str, field: str, value: object = None, expected: str = "") -> PluginError:
    """A value the gate cannot read: a plugin error naming the field and the value.

    The value is described without asking it to describe itself.
    """
    return PluginError(message, field=field, value=describe(value), expected=expected)


def refusal(
    message: str,
    index: int | None,
    rule_id: str,
    limit: str,
    *values: Decimal | str,
    field: str | None = None,
    expected: str | None = None,
    message_id: str,
    params: tuple[tuple[str, object], ...] = (),
) -> HardLimitError:
    """A broken hard limit: the rule, the limit, the infusion (``index``) and its value and unit.

    The message names the rule; ``field`` is the infusion's unless given, ``expected`` the limit
    and its rule unless given. The plan is refused as a whole with it. The message is worded for
    a plan ("a planned dose ..."); ``message_id`` and ``params`` let an order check word the same
    refusal for the order (the catalogue's ``gate.<kind>`` and ``gate.<kind>.limit``).
    """
    value, unit = values
    return HardLimitError(
        f"{message} ({rule_id})",
        field=field or ("infusions" if index is None else f"infusions[{index}]"),
        value=f"{value} {unit}",
        expected=expected or f"{limit} ({rule_id})",
        rule_id=rule_id,
        limit=limit,
        infusion=index,
        message_id=message_id,
        params=(("rule", rule_id), *params),
    )
