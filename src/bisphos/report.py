"""Readable text for clinicians: a plan, an assessment, the rule catalogue, the loaded plugins.

Rendering only: every value shown comes from the plan or assessment with the rule ids it carries,
and every word from the message catalogue (:mod:`bisphos.i18n`), in English or Dutch. Blocks come
first, with what to do about them; then the dated infusions with dose, the product and the volume
drawn up with the dose it delivers, volume, duration and rate; then follow-up, warnings and
information.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from importlib.metadata import EntryPoint

from bisphos._version import __version__
from bisphos.findings import Finding, Severity
from bisphos.i18n import Language, localize, show, text, word
from bisphos.pediatric.assessment import Assessment
from bisphos.pediatric.infusion import significant
from bisphos.pediatric.plan import Plan
from bisphos.pediatric.schedule import FollowUp, FollowUpKind, PlannedInfusion
from bisphos.protocols import PluginRecord, ProtocolInfo
from bisphos.units import Quantity, ureg

__all__ = [
    "assessment_status",
    "dose_text",
    "draw_up_text",
    "follow_up_message_id",
    "infusion_lines",
    "ledger_lines",
    "preparation_text",
    "render_assessment",
    "render_invariants",
    "render_plan",
    "render_plugins",
    "render_rules",
]

_INDENT = "  "
_DETAIL = " " * 10


def _finding_lines(finding: Finding, lang: Language, on: dt.date) -> list[str]:
    local = localize(finding, lang, on=on)
    tag = f"[{word('severity', finding.severity.value, lang)}]"
    message = local.message
    if not local.from_catalogue and lang != "en":
        message += f" {text('ui.untranslated', lang)}"
    lines = [f"{_INDENT}{tag} {message} ({', '.join(finding.rule_ids)})"]
    if local.action:
        lines.append(f"{_DETAIL}{text('ui.action', lang)}: {local.action}")
    if local.evidence:
        lines.append(f"{_DETAIL}{text('ui.values', lang)}: {'; '.join(local.evidence)}")
    return lines


def _section(
    findings: Iterable[Finding], severity: Severity, title: str, lang: Language, on: dt.date
) -> list[str]:
    chosen = [f for f in findings if f.severity is severity]
    if not chosen:
        return []
    lines = ["", text(title, lang)]
    for finding in chosen:
        lines += _finding_lines(finding, lang, on)
    return lines


def _blocks(findings: Sequence[Finding], lang: Language, on: dt.date) -> list[str]:
    if not any(f.severity is Severity.BLOCK for f in findings):
        return ["", text("ui.nothing-blocks", lang)]
    return _section(findings, Severity.BLOCK, "ui.blocks", lang, on)


def _header(title: str, protocol: str, version: str, library: str, lang: Language) -> str:
    return text(title, lang, protocol=protocol, version=version, library=library)


def _patient(patient_id: str, date: dt.date, lang: Language) -> str:
    return text("ui.patient", lang, patient=patient_id or text("ui.no-id", lang), date=date)


def infusion_lines(planned: PlannedInfusion, lang: Language) -> list[str]:
    """Return one planned infusion as lines: date and phase, dose, preparation, rule ids."""
    dose = planned.dose
    head = f"{planned.number:>4}. {show(planned.date, lang)}  {word('phase', dose.phase, lang)}"
    if planned.due < planned.date:
        head += f"  ({text('ui.overdue', lang, due=planned.due)})"
    head += f"  [{word('clearance', planned.clearance.value, lang)}]"
    dose_line = dose_text(planned, lang)
    return [
        head,
        f"{' ' * 6}{dose_line}",
        f"{' ' * 6}{draw_up_text(planned, lang)}",
        f"{' ' * 6}{preparation_text(planned, lang)}",
        f"{' ' * 6}{text('ui.rules', lang, rules=', '.join(planned.rule_ids))}",
    ]


def dose_text(planned: PlannedInfusion, lang: Language) -> str:
    """Return the dose of a planned infusion, per kg and weight, and the limit that capped it."""
    dose = planned.dose
    line = text(
        "ui.dose",
        lang,
        dose=_exact(dose.value, lang),
        per_kg=_exact(dose.per_kg, lang),
        weight=_exact(dose.facts.weight, lang),
    )
    if dose.cap_applied:
        limited = dose.limited
        line += ", " + text(
            "ui.capped",
            lang,
            ceiling=_exact(limited.ceiling, lang),
            rules=", ".join(limited.ceiling_rule_ids),
        )
    return line


def preparation_text(planned: PlannedInfusion, lang: Language) -> str:
    """Return the final volume, fluid, duration and pump rate of a planned infusion.

    With them the diluent's volume, the final concentration and the rate in mg/h
    (P-PREP-PRODUCT).
    """
    prep = planned.preparation
    diluent = word("diluent", prep.diluent, lang)
    return (
        text(
            "ui.preparation",
            lang,
            volume=_exact(prep.volume, lang),
            diluent=diluent,
            duration=_exact(prep.duration, lang),
            rate=_people(prep.rate, lang),
        )
        + "; "
        + text(
            "ui.dilution",
            lang,
            diluent_volume=_exact(prep.diluent_volume, lang),
            diluent=diluent,
            concentration=_people(prep.concentration, lang),
            dose_rate=_people(prep.dose_rate, lang),
        )
    )


def draw_up_text(planned: PlannedInfusion, lang: Language) -> str:
    """Return the product, the volume to draw up and the dose it delivers (P-PREP-PRODUCT).

    The delivered dose is shown beside the planned one.
    """
    prep = planned.preparation
    return text(
        "ui.draw-up",
        lang,
        concentrate=_exact(prep.concentrate_volume, lang),
        product=word("product", prep.product.name, lang),
        strength=_exact(prep.product.concentration, lang),
        vials=prep.vials,
        vial=_exact(prep.product.vial, lang),
        delivered=_exact(prep.delivered, lang),
        planned=_exact(prep.dose, lang),
    )


def _people(value: Quantity, lang: Language) -> str:
    """A derived value (a concentration, a rate) to 4 significant digits, for people to read."""
    rounded = significant(Decimal(repr(float(value.magnitude))))
    return show(ureg.Quantity(float(rounded), value.units), lang, "exact")


def _exact(value: object, lang: Language) -> str:
    return show(value, lang, "exact")


def follow_up_message_id(entry: FollowUp) -> str:
    """Return the catalogue id of a follow-up entry's text.

    The expertise centre depends on the diagnosis (P-FU-CENTRE); the entry names it in its
    description, which is read here for the centre only.
    """
    if entry.kind is not FollowUpKind.CENTRE:
        return f"followup.{entry.kind.value}"
    if "(osteogenesis imperfecta)" in entry.description:
        return "followup.centre:oi-moderate-severe"
    if "milder OI" in entry.description:
        return "followup.centre:oi"
    if "other causes" in entry.description:
        return "followup.centre:other"
    return "followup.centre"


def _follow_up(entries: Sequence[FollowUp], lang: Language) -> list[str]:
    if not entries:
        return []
    lines = ["", text("ui.follow-up", lang)]
    lines += [
        f"{_INDENT}{show(entry.date, lang)}  {text(follow_up_message_id(entry), lang)} "
        f"({', '.join(entry.rule_ids)})"
        for entry in entries
    ]
    return lines


def _plugins_line(plugins: Sequence[PluginRecord], lang: Language) -> list[str]:
    if not plugins:
        return []
    names = ", ".join(f"{p.name} ({p.distribution} {p.version})".strip() for p in plugins)
    return ["", text("ui.plugins", lang, plugins=names)]


def render_plan(plan: Plan, lang: Language = "en") -> str:
    """Return ``plan`` as text: status, blocks and actions, infusions, follow-up, findings."""
    on = plan.assessment_date
    status = text("ui.status", lang, status=word("status", plan.status.value, lang))
    if plan.drug is not None:
        status += "   " + text("ui.drug", lang, drug=word("drug", plan.drug.value, lang))
    lines = [
        _header("ui.plan-title", plan.protocol, plan.protocol_version, plan.library_version, lang),
        _patient(plan.patient_id, on, lang),
        status,
    ]
    lines += _blocks(plan.findings, lang, on)
    lines += ["", text("ui.infusions" if plan.infusions else "ui.no-infusions", lang)]
    for planned in plan.infusions:
        lines += infusion_lines(planned, lang)
    lines += _follow_up(plan.course.follow_up if plan.course is not None else (), lang)
    lines += ledger_lines(plan, lang)
    lines += _section(plan.findings, Severity.WARN, "ui.warnings", lang, on)
    lines += _section(plan.findings, Severity.INFO, "ui.information", lang, on)
    if plan.adjustments:
        lines += ["", text("ui.adjustments", lang)]
        for item in plan.adjustments:
            verdict = text("ui.accepted" if item.accepted else "ui.refused", lang)
            lines.append(f"{_INDENT}{verdict}: {item.plugin} {item.target}: {item.reason}")
    lines += _overrides(plan, lang)
    lines += _plugins_line(plan.plugins, lang)
    return "\n".join(lines)


def _overrides(plan: Plan, lang: Language) -> list[str]:
    """The clinician's overrides of the request (P-OVERRIDE), each with reason, name and time."""
    if not plan.request.overrides:
        return []
    lines = ["", text("ui.overrides", lang)]
    for item in plan.request.overrides:
        line = text(
            "ui.override-line",
            lang,
            limit=item.limit,
            reason=word("override-reason", item.reason.value, lang),
            clinician=item.clinician,
            at=item.at.isoformat(sep=" ", timespec="minutes"),
        )
        lines.append(f"{_INDENT}{line}" + (f" — {item.note}" if item.note else ""))
    return lines


def ledger_lines(plan: Plan, lang: Language) -> list[str]:
    """Return the cumulative dose per drug (P-LEDGER) as lines; none without any dose."""
    ledgers = plan.ledger
    if not ledgers:
        return []
    lines = ["", text("ui.ledger", lang)]
    for ledger in ledgers:
        lines.append(f"{_INDENT}{word('drug', ledger.drug.value, lang)}:")
        for name, total in ledger.totals:
            amount = text(
                "ui.ledger-amount",
                lang,
                dose=show(total, lang),
                per_kg=show(ledger.per_kg(total), lang),
                weight=show(ledger.weight, lang),
            )
            lines.append(f"{_INDENT * 2}{text(f'ledger.{name}', lang)}: {amount}")
    return lines


def assessment_status(assessment: Assessment) -> str:
    """Return the status word of an assessment: ``cleared``, ``blocked``, ``not_indicated``..."""
    if not assessment.in_scope:
        return "out_of_scope"
    if not assessment.indicated:
        return "not_indicated"
    return "cleared" if assessment.cleared_today else "blocked"


def render_assessment(
    assessment: Assessment, lang: Language = "en", plugins: Sequence[PluginRecord] = ()
) -> str:
    """Return ``assessment`` as text: whether an infusion may be given today, and why not."""
    on = assessment.assessment_date
    drugs = ", ".join(word("drug", d.value, lang) for d in assessment.allowed_drugs)
    lines = [
        _header(
            "ui.check-title",
            assessment.protocol,
            assessment.protocol_version,
            __version__,
            lang,
        ),
        _patient(assessment.patient_id, on, lang),
        text("ui.status", lang, status=word("status", assessment_status(assessment), lang)),
        text("ui.allowed-drugs", lang, drugs=drugs or text("ui.none", lang)),
    ]
    lines += _blocks(assessment.findings, lang, on)
    lines += _section(assessment.findings, Severity.WARN, "ui.warnings", lang, on)
    lines += _section(assessment.findings, Severity.INFO, "ui.information", lang, on)
    lines += _plugins_line(plugins, lang)
    return "\n".join(lines)


def render_rules(protocols: Iterable[ProtocolInfo], lang: Language = "en") -> str:
    """Return the rule catalogue of ``protocols``: id, section, statement, source, reading."""
    lines: list[str] = []
    for info in protocols:
        lines += [
            text("ui.protocol-line", lang, protocol=info.protocol_id, version=info.version),
            f"{_INDENT}{info.title}",
            f"{_INDENT}{text('ui.source', lang)}: {info.source}",
            "",
        ]
        for rule in info.rules.values():
            lines.append(f"{rule.id}  [{rule.section}]")
            lines.append(f"{_INDENT}{rule.statement}")
            lines.append(f"{_INDENT}{text('ui.source', lang)}: {rule.source}")
            if rule.reading:
                lines.append(f"{_INDENT}{text('ui.reading', lang)}: {rule.reading}")
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def render_invariants(protocols: Iterable[ProtocolInfo], lang: Language = "en") -> str:
    """Return the invariants of ``protocols``, each with the rule ids it follows from."""
    lines: list[str] = []
    for info in protocols:
        lines.append(
            text("ui.protocol-line", lang, protocol=info.protocol_id, version=info.version)
        )
        if not info.invariants:
            lines.append(f"{_INDENT}{text('ui.no-invariants', lang)}")
        lines += [
            f"{item.number:>4}. {item.statement} ({', '.join(item.rule_ids)})"
            for item in info.invariants
        ]
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def render_plugins(
    plugins: Sequence[PluginRecord],
    entry_points: Sequence[EntryPoint],
    protocols: Iterable[ProtocolInfo],
    lang: Language = "en",
) -> str:
    """Return the loaded plugins, the installed entry points and the protocols they register."""
    points = {point.name: point for point in entry_points}
    lines = [text("ui.plugins-loaded", lang)]
    for record in plugins:
        if record.builtin:
            where = text("ui.builtin", lang)
        elif record.name in points:
            where = points[record.name].value
        else:
            where = text("ui.registered-directly", lang)
        version = f"{record.distribution} {record.version}".strip() or "-"
        lines.append(f"{_INDENT}{record.name}  {version}  ({where})")
    lines += ["", text("ui.entry-points", lang)]
    if not entry_points:
        lines.append(f"{_INDENT}{text('ui.none', lang)}")
    for point in entry_points:
        dist = point.dist
        origin = f"{dist.name} {dist.version}" if dist is not None else "-"
        lines.append(f"{_INDENT}{point.name} = {point.value}  ({origin})")
    lines += ["", text("ui.protocols", lang)]
    lines += [f"{_INDENT}{info.protocol_id}  {info.version}  {info.title}" for info in protocols]
    return "\n".join(lines)
