"""The cumulative dose per drug (P-LEDGER): shown with every plan, never enforced.

For each bisphosphonate in the history or the plan, :func:`ledger_of` adds up, in mg and in mg/kg
of the current weight:

- ``given_12_months``: the infusions given in the 12 months up to the assessment date (a date
  after the same day 12 months earlier, up to and including the assessment date);
- ``given_total``: every infusion given;
- ``with_planned_12_months``: the largest total of any 12 months once the planned infusions are
  added (each window ends on an infusion date and reaches back 12 months, as above);
- ``with_planned_total``: every infusion given and planned.

The guideline sets no cumulative limit: the ledger is shown, not enforced. Sums are decimal, so
0.25 + 0.5 mg is 0.75 mg and not 0.7500000000000001 mg.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Final

import attrs

from bisphos import quantities as q
from bisphos.dates import add_months
from bisphos.model import Drug, Patient
from bisphos.pediatric.limits import canonical_magnitude, dosing_weight_kg, exact
from bisphos.pediatric.schedule import PlannedInfusion
from bisphos.units import Quantity

__all__ = ["LEDGER_MONTHS", "Ledger", "ledger_of"]

#: The window of the ledger's recent total, in months (P-LEDGER).
LEDGER_MONTHS: Final = 12


@attrs.frozen
class Ledger:
    """The cumulative dose of one drug (P-LEDGER).

    Attributes:
        drug: The drug.
        weight: The current weight the per-kg figures divide by.
        given_12_months: Given in the 12 months up to the assessment date.
        given_total: Given in total.
        with_planned_12_months: The largest total of any 12 months, with the planned infusions.
        with_planned_total: Given and planned, in total.
        rule_ids: ``("P-LEDGER",)``.
    """

    drug: Drug
    weight: Quantity
    given_12_months: Quantity
    given_total: Quantity
    with_planned_12_months: Quantity
    with_planned_total: Quantity
    rule_ids: tuple[str, ...] = ("P-LEDGER",)

    def per_kg(self, total: Quantity) -> Quantity:
        """Return ``total`` (one of the ledger's totals) per kg of the current weight."""
        mg = exact(canonical_magnitude(q.DOSE, total, field="total"))
        kg = exact(canonical_magnitude(q.WEIGHT, self.weight, field="weight"))
        return q.DOSE_PER_KG.of(float(mg / kg))

    @property
    def totals(self) -> tuple[tuple[str, Quantity], ...]:
        """The four totals by name, in the order of the attributes."""
        return (
            ("given_12_months", self.given_12_months),
            ("given_total", self.given_total),
            ("with_planned_12_months", self.with_planned_12_months),
            ("with_planned_total", self.with_planned_total),
        )


def _mg(value: Decimal) -> Quantity:
    return q.DOSE.of(float(value))


def _window_total(doses: Sequence[tuple[dt.date, Decimal]], end: dt.date) -> Decimal:
    start = add_months(end, -LEDGER_MONTHS)
    return sum((mg for date, mg in doses if start < date <= end), Decimal(0))


def ledger_of(patient: Patient, planned: Iterable[PlannedInfusion] = ()) -> tuple[Ledger, ...]:
    """Return the ledger of every drug in ``patient``'s history or in ``planned``, in drug order.

    Args:
        patient: The patient: history, weight and assessment date.
        planned: The planned infusions (a plan's ``infusions``).
    """
    today = patient.assessment_date
    weight = q.WEIGHT.of(dosing_weight_kg(patient.weight))
    planned = tuple(planned)
    ledgers = []
    for drug in Drug:
        given = [
            (record.date, exact(canonical_magnitude(q.DOSE, record.dose, field="dose")))
            for record in patient.infusions
            if record.drug is drug
        ]
        future = [
            (item.date, exact(canonical_magnitude(q.DOSE, item.dose.value, field="dose")))
            for item in planned
            if item.dose.drug is drug
        ]
        if not given and not future:
            continue
        both = given + future
        windows = [today, *(date for date, _ in future)]
        ledgers.append(
            Ledger(
                drug=drug,
                weight=weight,
                given_12_months=_mg(_window_total(given, today)),
                given_total=_mg(sum((mg for _, mg in given), Decimal(0))),
                with_planned_12_months=_mg(max(_window_total(both, end) for end in windows)),
                with_planned_total=_mg(sum((mg for _, mg in both), Decimal(0))),
            )
        )
    return tuple(ledgers)
