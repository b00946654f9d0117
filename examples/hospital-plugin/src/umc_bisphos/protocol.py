"""The local cyclical pamidronate protocol ``umc-pamidronate-cyclical-2025``.

Pamidronate 1 mg/kg/day on 3 consecutive days, every 4 months (UMC-PAM-CYC-1), the regimen of
Glorieux et al. (N Engl J Med 1998) for children from 3 years. The first day of the first cycle is
half the daily dose (UMC-PAM-CYC-2, as the national P-PAM-FIRST); with prolonged immobilisation
the first infusion days get a quarter of 1 mg/kg (P-HUNGRY, as many days as the dosing option
``hungry_bones_infusions`` says).

Only the course is local: the national assessment (indication, contraindications, first-infusion
checks, the GFR gate) stays in force, and bisphos's gate checks the whole plan against the hard
limits after the protocol returns (P-HARD): the doses per calendar day, the per-kg maxima by each
day's place in the patient's pamidronate history, the rate, and the interval the protocol declares
(:data:`INTERVAL`: cycles of 3 days, 4 months apart). Each dose goes through
:func:`bisphos.pediatric.limits.enforce`, so no day is above 90 mg (P-PAM-CAP).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Final

import attrs
from bisphos.dates import add_months, birthday, is_younger_than
from bisphos.errors import ProtocolError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.model import Drug, Patient
from bisphos.pediatric.dosing import (
    Choice,
    Dose,
    DoseFacts,
    MaintenanceBand,
    PerKgRange,
    phase_of,
)
from bisphos.pediatric.infusion import prepare_infusion
from bisphos.pediatric.limits import daily_cap, dosing_weight_kg, enforce, exact
from bisphos.pediatric.plan import NO_HOOKS, Plan, PlanHooks, PlanRequest
from bisphos.pediatric.protocol import NATIONAL_INFO, PediatricProtocol
from bisphos.pediatric.schedule import (
    Course,
    FollowUp,
    Horizon,
    PlannedInfusion,
    plan_course,
    pregnancy_counselling,
)
from bisphos.protocols import MinimumInterval, ProtocolInfo
from bisphos.units import Quantity, ureg

from umc_bisphos.rules import ALL_RULES, PROTOCOL_ID, PROTOCOL_VERSION

__all__ = ["CYCLE_DAYS", "CYCLE_MONTHS", "INFO", "INTERVAL", "CyclicalPamidronate"]

#: Infusion days per cycle.
CYCLE_DAYS: Final = 3
#: Months from the first day of one cycle to the first day of the next.
CYCLE_MONTHS: Final = 4
_DAILY_MG_PER_KG: Final = Decimal(1)
_SCOPE_YEARS: Final = 19

#: The least interval the gate holds the cycles to (P-HIST-INTERVAL).
INTERVAL: Final = MinimumInterval(
    months=CYCLE_MONTHS, cycle_days=CYCLE_DAYS, rule_ids=("UMC-PAM-CYC-1", "P-HIST-INTERVAL")
)

#: Who the local protocol is.
INFO: Final = ProtocolInfo(
    protocol_id=PROTOCOL_ID,
    version=PROTOCOL_VERSION,
    title="Cyclical intravenous pamidronate, 3 days every 4 months (UMC)",
    source="UMC local protocol 'Cyclisch pamidronaat', 2025, after Glorieux et al., NEJM 1998",
    population="children (under 19 years) with an indication under the national guideline",
    rules=ALL_RULES,
    invariants=NATIONAL_INFO.invariants,
)


def _mg(value: Decimal) -> Quantity:
    return ureg.Quantity(float(value), "milligram")


def _per_kg(value: Decimal) -> Quantity:
    return ureg.Quantity(float(value), "milligram / kilogram")


def _cycle_start(patient: Patient) -> dt.date | None:
    """The first day of the last cycle of pamidronate given: the last run of consecutive days."""
    dates = sorted(r.date for r in patient.infusions if r.drug is Drug.PAMIDRONATE)
    if not dates:
        return None
    first = dates[-1]
    for earlier in reversed(dates[:-1]):
        if (first - earlier).days != 1:
            break
        first = earlier
    return first


class CyclicalPamidronate(PediatricProtocol):
    """Pamidronate 1 mg/kg/day on 3 consecutive days every 4 months, under the national checks."""

    @property
    def info(self) -> ProtocolInfo:
        """The local protocol's id, version and rules (the national ones and UMC-*)."""
        return INFO

    @property
    def minimum_interval(self) -> MinimumInterval:
        """Cycles of 3 consecutive days, 4 months apart (UMC-PAM-CYC-1, P-HIST-INTERVAL)."""
        return INTERVAL

    def plan(
        self,
        patient: Patient,
        request: PlanRequest | None = None,
        *,
        hooks: PlanHooks = NO_HOOKS,
    ) -> Plan:
        """Plan cyclical pamidronate; the drug is pamidronate whatever the GFR allows.

        Raises:
            ProtocolError: zoledronic acid or a maintenance course is requested.
        """
        request = PlanRequest() if request is None else request
        if request.drug is Drug.ZOLEDRONIC_ACID or request.maintenance:
            raise ProtocolError(
                "this protocol plans active treatment with pamidronate only",
                field="request",
                value="zoledronic_acid" if request.maintenance is False else "maintenance",
                expected="drug pamidronate (or none), no maintenance",
            )
        return super().plan(patient, attrs.evolve(request, drug=Drug.PAMIDRONATE), hooks=hooks)

    def course(
        self,
        patient: Patient,
        drug: Drug,
        request: PlanRequest,
        band: MaintenanceBand | None,
    ) -> Course:
        """Plan whole cycles of 3 days, every 4 months, within the horizon."""
        start = patient.assessment_date if request.start is None else request.start
        horizon = request.horizon
        last_start = _cycle_start(patient)
        given = sum(1 for r in patient.infusions if r.drug is Drug.PAMIDRONATE)
        if last_start is None or add_months(last_start, CYCLE_MONTHS) < start:
            base, months = start, 0
        else:
            base, months = last_start, CYCLE_MONTHS
        cycles = None if horizon.infusions is None else max(1, horizon.infusions // CYCLE_DAYS)
        end_of_scope = birthday(patient.birth_date, _SCOPE_YEARS)
        infusions: list[PlannedInfusion] = []
        findings: list[Finding] = []
        cycle = 0
        while cycles is None or cycle < cycles:
            first_day = add_months(base, months + cycle * CYCLE_MONTHS)
            days = [first_day + dt.timedelta(days=d) for d in range(CYCLE_DAYS)]
            if horizon.until is not None and days[-1] > horizon.until:
                break
            if not is_younger_than(patient.birth_date, _SCOPE_YEARS, days[-1]):
                findings.append(_scope_finding(first_day, end_of_scope))
                break
            for day in days:
                number = given + len(infusions) + 1
                infusions.append(
                    self._infusion(
                        patient=patient,
                        request=request,
                        number=number,
                        day=day,
                        cycle=cycle,
                        first_day=first_day,
                    )
                )
            cycle += 1
        if len(infusions) > 1:
            findings.append(_weight_finding())
        counselling = pregnancy_counselling(patient, tuple(infusions))
        if counselling is not None:
            findings.append(counselling)
        follow_up: tuple[FollowUp, ...] = ()
        if infusions:
            # The national follow-up (DXA, labs, expertise centre) over the same period.
            national = plan_course(
                patient,
                Drug.PAMIDRONATE,
                start=start,
                horizon=Horizon(infusions=None, until=max(infusions[-1].date, start)),
                dosing=request.dosing,
                preparation=request.preparation,
            )
            follow_up = national.follow_up
        rule_ids = tuple(
            dict.fromkeys(
                [
                    *(rule for p in infusions for rule in p.rule_ids),
                    *(rule for f in follow_up for rule in f.rule_ids),
                    *(rule for f in findings for rule in f.rule_ids),
                ]
            )
        )
        return Course(
            drug=Drug.PAMIDRONATE,
            band=None,
            start=start,
            horizon=horizon,
            infusions=tuple(infusions),
            follow_up=follow_up,
            findings=tuple(findings),
            rule_ids=rule_ids,
        )

    def _infusion(
        self,
        *,
        patient: Patient,
        request: PlanRequest,
        number: int,
        day: dt.date,
        cycle: int,
        first_day: dt.date,
    ) -> PlannedInfusion:
        dose = _dose(patient, request, number, day)
        preparation = prepare_infusion(Drug.PAMIDRONATE, dose.value, options=request.preparation)
        reason = f"day {(day - first_day).days + 1} of cycle {cycle + 1}, starting {first_day}"
        return PlannedInfusion(
            number=number,
            date=day,
            due=day,
            phase=dose.phase,
            dose=dose,
            preparation=preparation,
            date_reason=f"{reason} (UMC-PAM-CYC-1)",
            rule_ids=tuple(dict.fromkeys(("UMC-PAM-CYC-1", *dose.rule_ids, *preparation.rule_ids))),
        )


def _dose(patient: Patient, request: PlanRequest, number: int, day: dt.date) -> Dose:
    """One day's dose: 1 mg/kg, half on the very first day, a quarter for hungry bones."""
    facts = DoseFacts.of(patient, Drug.PAMIDRONATE, infusion_number=number, on=day)
    phase = phase_of(number)
    cap = daily_cap(Drug.PAMIDRONATE)
    cap_mg = exact(float(cap.dose.m_as("mg")))
    ceiling_rules: tuple[str, ...] = (cap.rule_id,)
    per_kg, ceiling = _DAILY_MG_PER_KG, cap_mg
    choices = [Choice("UMC-PAM-CYC-1", "1 mg/kg/day on 3 consecutive days every 4 months")]
    if number == 1:
        per_kg, ceiling, ceiling_rules = per_kg / 2, cap_mg / 2, ("UMC-PAM-CYC-2", cap.rule_id)
        choices.append(Choice("UMC-PAM-CYC-2", "first day: half the daily dose, at most 45 mg"))
    hungry_days = request.dosing.hungry_bones_infusions
    if facts.prolonged_immobilisation and number <= hungry_days:
        quarter = _DAILY_MG_PER_KG / 4
        if quarter < per_kg:
            per_kg, ceiling, ceiling_rules = quarter, cap_mg / 4, ("P-HUNGRY", cap.rule_id)
        choices.append(
            Choice(
                "P-HUNGRY",
                "prolonged immobilisation: a quarter of 1 mg/kg on the first infusion days",
                option=f"hungry_bones_infusions = {hungry_days}",
                evidence=(Evidence("risks.prolonged_immobilisation", value=True),),
            )
        )
    weight_kg = exact(dosing_weight_kg(patient.weight))
    computed = per_kg * weight_kg
    limited = enforce(
        Drug.PAMIDRONATE,
        _mg(computed),
        weight=patient.weight,
        phase=phase,
        ceiling=_mg(ceiling),
        ceiling_rule_ids=ceiling_rules,
        precision=request.dosing.precision(Drug.PAMIDRONATE),
    )
    rule_ids = tuple(
        dict.fromkeys(("UMC-PAM-CYC-1", *(c.rule_id for c in choices), *limited.rule_ids))
    )
    return Dose(
        drug=Drug.PAMIDRONATE,
        phase=phase,
        band=None,
        facts=facts,
        per_kg=_per_kg(per_kg),
        allowed_per_kg=PerKgRange(
            _per_kg(Decimal("0.25")), _per_kg(_DAILY_MG_PER_KG), ("UMC-PAM-CYC-1",)
        ),
        computed=_mg(computed),
        limited=limited,
        choices=tuple(choices),
        rule_ids=rule_ids,
    )


def _scope_finding(date: dt.date, end: dt.date) -> Finding:
    return Finding(
        code="course-ends-at-scope",
        rule_ids=("P-SCOPE-1",),
        severity=Severity.INFO,
        message="no cycle is planned that would end on or after the 19th birthday",
        evidence=(Evidence("next_cycle", date), Evidence("birthday_19", end)),
    )


def _weight_finding() -> Finding:
    return Finding(
        code="dose-uses-current-weight",
        rule_ids=("UMC-PAM-CYC-1", "P-MON-CHECKS"),
        severity=Severity.INFO,
        message="planned doses use the weight on the assessment date",
        action="recompute each dose with the weight measured before the infusion",
    )
