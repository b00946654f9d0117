"""A readable text rendering of a pediatric plan, for clinicians.

Rendering only: every value shown comes from the plan, with the rule ids it carries.
"""

from __future__ import annotations

from collections.abc import Iterable

from bisphos.findings import Finding, Severity
from bisphos.pediatric.plan import Plan
from bisphos.units import Quantity, format_quantity

__all__ = ["render_plan"]

_ORDER = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}


def _q(value: Quantity, digits: int = 3) -> str:
    """A quantity for reading: at most ``digits`` decimals, trailing zeros dropped."""
    unit = format_quantity(value).split(" ", 1)[1]
    number = f"{float(value.magnitude):.{digits}f}".rstrip("0").rstrip(".")
    return f"{number} {unit}"


def _findings(findings: Iterable[Finding]) -> list[str]:
    lines = []
    for finding in sorted(findings, key=lambda f: _ORDER[f.severity]):
        lines.append(
            f"  [{finding.severity.upper():5}] {finding.message} ({', '.join(finding.rule_ids)})"
        )
        values = "; ".join(str(e) for e in finding.evidence)
        if values:
            lines.append(f"          values: {values}")
        if finding.action:
            lines.append(f"          action: {finding.action}")
    return lines


def render_plan(plan: Plan) -> str:
    """Return ``plan`` as text: status, course, blocks and actions, follow-up, with rule ids."""
    lines = [
        f"bisphos plan — {plan.protocol} ({plan.protocol_version}), bisphos {plan.library_version}",
        f"patient: {plan.patient_id or '(no id)'}   assessment date: {plan.assessment_date}",
        f"status: {plan.status.value.replace('_', ' ')}"
        + (f"   drug: {plan.drug.value.replace('_', ' ')}" if plan.drug else ""),
        "",
    ]
    if plan.course is not None and plan.course.infusions:
        lines.append("Planned infusions:")
        for planned in plan.course.infusions:
            dose, prep = planned.dose, planned.preparation
            lines.append(
                f"  {planned.number:>2}. {planned.date}  {planned.phase.value:<11} "
                f"{_q(dose.value)} ({_q(dose.per_kg, 4)} x {_q(dose.facts.weight, 1)}"
                f"{', capped' if dose.cap_applied else ''})  "
                f"in {_q(prep.volume, 1)} {prep.diluent} over {_q(prep.duration, 1)} "
                f"at {_q(prep.rate, 1)}"
            )
            lines.append(f"      rules: {', '.join(planned.rule_ids)}")
        lines.append("")
    if plan.course is not None and plan.course.follow_up:
        lines.append("Follow-up:")
        lines.extend(
            f"  {item.date}  {item.description} ({', '.join(item.rule_ids)})"
            for item in plan.course.follow_up
        )
        lines.append("")
    lines.append("Findings:")
    lines.extend(_findings(plan.findings))
    if plan.adjustments:
        lines.append("")
        lines.append("Local adjustments:")
        lines.extend(
            f"  {'accepted' if a.accepted else 'refused '} {a.plugin} {a.target}: {a.reason}"
            for a in plan.adjustments
        )
    if plan.plugins:
        lines.append("")
        names = ", ".join(f"{p.name} ({p.distribution} {p.version})" for p in plan.plugins)
        lines.append(f"plugins: {names}")
    return "\n".join(lines)
