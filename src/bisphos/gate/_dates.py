"""The dates of P-HARD: the scope and the protocol's minimum interval.

No infusion before the assessment date or from the 19th birthday on (P-SCOPE-1); none closer
than the protocol's declared minimum interval, history included (P-HIST-INTERVAL).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from bisphos.dates import add_months
from bisphos.gate._refusal import refusal
from bisphos.pediatric.kernel import due_after
from bisphos.protocols import MinimumInterval

if TYPE_CHECKING:
    from bisphos.gate._facts import PatientFacts
    from bisphos.gate._infusions import Infusion


def check_dates(item: Infusion, facts: PatientFacts) -> None:
    if item.date < facts.assessment_date:
        raise refusal(
            "an infusion is dated before the assessment date",
            item.index,
            "P-SCOPE-1",
            f"on or after {facts.assessment_date.isoformat()}",
            item.date.isoformat(),
            "",
            message_id="gate.before-assessment",
            params=(("date", facts.assessment_date),),
        )
    end = facts.end_of_scope
    if end is not None and not item.date < end:
        raise refusal(
            "an infusion is dated on or after the 19th birthday",
            item.index,
            "P-SCOPE-1",
            f"before {end.isoformat()}",
            item.date.isoformat(),
            "",
            message_id="gate.from-19th-birthday",
            params=(("date", end),),
        )


def earliest_after(start: dt.date, interval: MinimumInterval) -> dt.date | None:
    try:
        return due_after(add_months, start, interval.months, interval.days)
    except (ValueError, OverflowError):
        return None


def cycles(
    events: Sequence[tuple[dt.date, int | None]], interval: MinimumInterval
) -> Iterator[tuple[dt.date, int | None, dt.date | None]]:
    """Walk ``events`` (date, infusion index or ``None`` for the history) in date order.

    Yields each event that starts a new cycle with the first day of the cycle before it (or
    ``None`` for the first); infusions on consecutive days continue a cycle of at most
    ``interval.cycle_days``.
    """
    start: dt.date | None = None
    length = 0
    previous: dt.date | None = None
    for date, index in sorted(
        events, key=lambda event: (event[0], -1 if event[1] is None else event[1])
    ):
        if previous is not None and (date - previous).days == 1 and length < interval.cycle_days:
            length += 1
        else:
            yield date, index, start
            start, length = date, 1
        previous = date


def cycle_starts(dates: Sequence[dt.date], interval: MinimumInterval) -> list[dt.date]:
    """The first day of each cycle of ``dates``, as the interval groups them."""
    return [date for date, _, _ in cycles([(date, None) for date in dates], interval)]


def check_intervals(
    infusions: Sequence[Infusion], facts: PatientFacts, interval: MinimumInterval
) -> None:
    """P-HIST-INTERVAL: every bisphosphonate counts, the history's and the plan's."""
    events: list[tuple[dt.date, int | None]] = [(given.date, None) for given in facts.history]
    events += [(item.date, item.index) for item in infusions]
    for date, index, before in cycles(events, interval):
        if index is None or before is None:
            continue
        earliest = earliest_after(before, interval)
        if earliest is None or date < earliest:
            raise refusal(
                "two bisphosphonate infusions closer than the protocol's interval",
                index,
                "P-HIST-INTERVAL",
                f"a new cycle no earlier than {interval.months} months {interval.days} days "
                f"after {before.isoformat()} (cycles of at most {interval.cycle_days} days)",
                date.isoformat(),
                "",
                message_id="gate.interval",
                params=(
                    ("months", interval.months),
                    ("days", interval.days),
                    ("before", before),
                    ("cycle_days", interval.cycle_days),
                ),
            )
