"""Readable text of an oncology recommendation, in English or Dutch.

Rendering only: every value comes from the recommendation with the rule ids it carries, every
word from the message catalogue (:mod:`bisphos.i18n`). The blocks that concern the patient come
first; then each option with its dose, interval (the deck's wording beside it), yearly cost,
infusion, and each current label restriction with its source and year beside the deck's own
statement; then radium-223, supplements, warnings, information and the deck's evidence.
Durations are shown in the unit a clinician uses (:mod:`bisphos.oncology.durations`).
"""

from __future__ import annotations

from bisphos.findings import Finding, Severity
from bisphos.i18n import Language, show, text, word
from bisphos.oncology.durations import clinical_duration
from bisphos.oncology.labels import LabelRestriction
from bisphos.oncology.recommendation import OncologyRecommendation, RegimenOption
from bisphos.report import _finding_lines

__all__ = ["label_line", "option_lines", "render_recommendation"]

_INDENT = "  "
_DETAIL = " " * 7


def _deck(item: LabelRestriction, lang: Language) -> str:
    """The deck's statement beside a label: the deck's Dutch, with English words where any."""
    return text(f"label-deck.{item.id}", lang)


def label_line(item: LabelRestriction, lang: Language) -> str:
    """Return one label restriction with its source and year beside the deck's statement."""
    return text(
        "ui.onc-label",
        lang,
        source=item.source,
        year=str(item.year),
        statement=word("label", item.id, lang),
        deck=_deck(item, lang),
    )


def option_lines(number: int, option: RegimenOption, lang: Language) -> list[str]:
    """Return the lines of one option: what, how much, how often, at what cost, how infused."""
    row = option.regimen
    lines = [
        _INDENT
        + text(
            "ui.onc-option",
            lang,
            number=str(number),
            drug=word("drug", row.drug.value, lang),
            products=", ".join(row.products),
            advice=word("advice", option.advice.value, lang),
            status=word("option", option.status.value, lang),
        )
    ]
    detail: list[str] = []
    dose = option.dose if option.dose is not None else row.dose
    detail.append(
        text(
            "ui.onc-dose",
            lang,
            dose=show(dose, lang),
            interval=show(clinical_duration(option.interval), lang),
            deck=row.deck_interval,
        )
    )
    cost = option.yearly_cost
    if cost is not None:
        detail.append(
            text(
                "ui.onc-cost",
                lang,
                amount=show(float(cost.amount), lang, ".2f"),
                administrations=str(cost.administrations),
                year=str(cost.price.year),
            )
        )
    infusion = option.infusion
    if infusion is not None:
        detail.append(
            text(
                "ui.onc-infusion",
                lang,
                dose=show(infusion.dose, lang),
                volume=show(infusion.volume, lang),
                duration=show(clinical_duration(infusion.duration), lang),
                rate=show(infusion.rate, lang),
                pump_rate=show(infusion.pump_rate, lang),
            )
        )
    if option.override is not None:
        item = option.override
        detail.append(
            text(
                "ui.onc-override",
                lang,
                reason_code=item.reason_code,
                reason=item.reason,
                clinician=item.clinician,
                time=item.time.isoformat(),
            )
        )
    if option.note:
        note = text(f"onc-note.{option.note_id}", lang) if option.note_id else option.note
        detail.append(text("ui.onc-note", lang, note=note))
    detail += [label_line(item, lang) for item in option.labels]
    detail.append(text("ui.rules", lang, rules=", ".join(option.rule_ids)))
    return lines + [_DETAIL + line for line in detail]


def _findings(findings: list[Finding], severity: Severity, title: str, lang: Language) -> list[str]:
    chosen = [f for f in findings if f.severity is severity]
    if not chosen:
        return []
    lines = ["", text(title, lang)]
    for finding in chosen:
        lines += _finding_lines(finding, lang, None)  # type: ignore[arg-type]
    return lines


def render_recommendation(result: OncologyRecommendation, lang: Language = "en") -> str:
    """Return ``result`` as text for a clinician, in ``lang``."""
    lines = [
        text(
            "ui.onc-title",
            lang,
            protocol=result.protocol_id,
            version=result.protocol_version,
            library=result.provenance.library_version,
        ),
        text(
            "ui.patient",
            lang,
            patient=result.patient_id or text("ui.no-id", lang),
            date=result.assessment_date,
        ),
        text(
            "ui.onc-setting",
            lang,
            setting=word("setting", result.setting.value, lang),
            tumour=word("tumour", result.tumour.value, lang),
        ),
        text("ui.status", lang, status=word("onc-status", result.status.value, lang)),
    ]
    if result.in_scope:
        clearance = result.clearance
        lines.append(
            text("ui.onc-no-clearance", lang)
            if clearance is None
            else text("ui.onc-clearance", lang, clearance=show(clearance.value, lang))
        )
    findings = list(result.findings)
    general = list(result.general_blocks)
    if general:
        lines += _findings(general, Severity.BLOCK, "ui.blocks", lang)
    else:
        lines += ["", text("ui.nothing-blocks", lang)]
    lines += ["", text("ui.onc-options" if result.options else "ui.onc-no-options", lang)]
    for number, option in enumerate(result.options, start=1):
        lines += option_lines(number, option, lang)
    if result.radium is not None:
        lines += ["", text("ui.onc-radium", lang)]
        if not result.radium.injections:
            lines.append(_INDENT + text("ui.onc-no-injection", lang))
        for injection in result.radium.injections:
            lines.append(
                _INDENT
                + text(
                    "ui.onc-injection",
                    lang,
                    number=str(injection.number),
                    date=injection.date,
                    activity=show(injection.activity.activity.activity, lang),
                    standard=injection.activity.activity.standard.value,
                    deck=show(injection.activity.deck_equivalent.activity, lang),
                    deck_standard=injection.activity.deck_equivalent.standard.value,
                )
            )
        findings += list(result.radium.findings)
        lines.append(_DETAIL + label_line(result.label_restrictions[-1], lang))
    if result.supplements:
        lines += ["", text("ui.onc-supplements", lang)]
        for supplement in result.supplements:
            lines.append(
                _INDENT
                + text(
                    "ui.onc-supplement",
                    lang,
                    substance=word("supplement", supplement.substance, lang),
                    low=show(supplement.daily_minimum, lang),
                    high=show(supplement.daily_maximum, lang),
                )
            )
    option_blocks = [f for f in findings if f.severity is Severity.BLOCK and f not in general]
    if option_blocks:
        lines += _findings(option_blocks, Severity.BLOCK, "ui.refused", lang)
    lines += _findings(findings, Severity.WARN, "ui.warnings", lang)
    lines += _findings(findings, Severity.INFO, "ui.information", lang)
    if result.evidence:
        lines += ["", text("ui.onc-evidence", lang)]
        # Dutch shows the deck's own Dutch phrase; English our statement of it.
        lines += [
            f"{_INDENT}{item.deck if lang == 'nl' else item.statement} ({item.citation})"
            for item in result.evidence
        ]
    if result.plugins:
        names = ", ".join(f"{p.name} ({p.distribution} {p.version})" for p in result.plugins)
        lines += ["", text("ui.plugins", lang, plugins=names)]
    return "\n".join(lines)
