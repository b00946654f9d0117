"""The audit report: one HTML page a hospital's quality officer reads, in English or Dutch.

:func:`render_report` takes the verdict table of an audit (one row per administration, the
columns of :data:`VERDICT_COLUMNS`) and writes a self-contained page: a summary (administrations,
patients, verdicts), the deviations per rule with the rule's statement from the catalogue
(:data:`bisphos.pediatric.rules.RULES`), and three plots drawn by matplotlib as inline SVG — the
deviations per rule and year, the dose per kg against the weight with the protocol's limits, and
the interval since the previous infusion with the minimum interval. The page needs no network
and no script; every text comes from the message catalogue (:mod:`bisphos.i18n`), numbers and
dates are written for the language.

Every limit drawn is read from :mod:`bisphos.pediatric.table` (the per-kg maxima of each phase,
the daily caps, the minimum interval of P-HIST-INTERVAL); none is written here. The report
judges nothing: each verdict and rule id is the audit's.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import attrs
from babel.numbers import format_decimal, format_percent

from bisphos._version import __version__
from bisphos.audit.columnar import VERDICT_COLUMNS
from bisphos.audit.rules import Verdict
from bisphos.errors import InvalidValueError
from bisphos.i18n import Language, show, show_number, text, word
from bisphos.model import Drug
from bisphos.pediatric import rules as catalogue
from bisphos.pediatric import table

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "DEVIATION_LIST_ROWS",
    "VERDICTS",
    "VERDICT_COLUMNS",
    "render_report",
    "write_report",
]

#: The verdicts of an administration, in the order the report shows them.
VERDICTS: Final = tuple(verdict.value for verdict in Verdict)
#: How many administrations with a deviation the page lists (the verdict table has them all).
DEVIATION_LIST_ROWS: Final = 200

# Colours of the verdicts and the limits: a palette readable with the common colour blindness.
_VERDICT_COLOUR: Final = {"ok": "#8c8c8c", "deviation": "#d55e00", "not_assessable": "#0072b2"}
_LIMIT_COLOUR: Final = "#009e73"
_CAP_COLOUR: Final = "#cc79a7"
_RULE_COLOURS: Final = (
    "#d55e00",
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#f0e442",
    "#000000",
)
# The interval histogram's bins, in days, and the longest interval drawn.
_INTERVAL_BIN_DAYS: Final = 7
_INTERVAL_AXIS_DAYS: Final = 2 * 365
# The mean calendar month in days: which whole number of months a minimum interval is.
_DAYS_PER_MONTH: Final = 365.2425 / 12
# The dose axis reaches this multiple of the highest limit drawn; points above it sit at the top.
_DOSE_AXIS_HEADROOM: Final = 2.0
_FIGURE_INCHES: Final = (9.0, 4.2)
# The RDF block matplotlib writes into every SVG (creator, format): not needed inline.
_METADATA: Final = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)


def _count(value: int, lang: Language) -> str:
    """Write a count as the language groups digits (``12,345``; Dutch ``12.345``), by Babel."""
    return format_decimal(value, locale=lang)


def _capital(words: str) -> str:
    """``words`` with a capital first letter, as a heading or a table's row label."""
    return words[:1].upper() + words[1:]


def _share(part: int, whole: int, lang: Language) -> str:
    """Write ``part`` of ``whole`` as a percentage with one decimal (``12.5%``), by Babel."""
    if whole == 0:
        return "–"
    return format_percent(part / whole, format="#,##0.0%", locale=lang)


def _number(value: object, lang: Language, spec: str = "") -> str:
    """Write a table cell's number for reading; an absent value (NaN) is a dash."""
    if value is None:
        return "–"
    number = float(value)  # type: ignore[arg-type]
    if math.isnan(number):
        return "–"
    if spec == "int":
        return _count(round(number), lang)
    return show_number(number, lang, spec)


def _check_columns(verdicts: pd.DataFrame) -> None:
    missing = [name for name in VERDICT_COLUMNS if name not in verdicts.columns]
    if missing:
        raise InvalidValueError(
            "the verdict table lacks columns",
            field="verdicts",
            value=", ".join(missing),
            expected=f"the columns {', '.join(VERDICT_COLUMNS)}",
        )
    unknown = sorted(set(verdicts["verdict"].astype(str)) - set(VERDICTS))
    if unknown:
        raise InvalidValueError(
            "unknown verdicts",
            field="verdicts.verdict",
            value=", ".join(unknown),
            expected=" or ".join(VERDICTS),
        )


def _rule_counts(rows: pd.DataFrame) -> dict[str, int]:
    """Count each rule id of ``rows`` (an administration counts once under each of its rules)."""
    counts: dict[str, int] = {}
    for combination, number in rows["rule_ids"].astype(str).value_counts(sort=False).items():
        for rule_id in str(combination).split(";"):
            if rule_id:
                counts[rule_id] = counts.get(rule_id, 0) + int(number)
    return counts


def _rule_counts_by_year(rows: pd.DataFrame) -> dict[int, dict[str, int]]:
    """:func:`_rule_counts` of each year's rows."""
    by_year: dict[int, dict[str, int]] = {}
    grouped = rows.groupby([rows["year"].astype(int), rows["rule_ids"].astype(str)]).size()
    for key, number in grouped.items():
        year, combination = cast("tuple[int, str]", key)
        counts = by_year.setdefault(int(year), {})
        for rule_id in str(combination).split(";"):
            if rule_id:
                counts[rule_id] = counts.get(rule_id, 0) + int(number)
    return by_year


def _sorted_rules(rule_ids: Sequence[str]) -> list[str]:
    """The rule ids in the catalogue's order; ids the catalogue lacks come last, sorted."""
    order = {rule_id: position for position, rule_id in enumerate(catalogue.RULES)}
    return sorted(rule_ids, key=lambda rule_id: (order.get(rule_id, len(order)), rule_id))


def _statement(rule_id: str) -> str:
    found = catalogue.RULES.get(rule_id)
    return "" if found is None else found.statement


@attrs.frozen
class _Plot:
    """One figure of the page: its title, what it shows, the SVG markup, and notes below it."""

    title: str
    caption: str
    svg: str
    notes: tuple[str, ...]


@contextlib.contextmanager
def _svg_style() -> Iterator[None]:
    """Matplotlib settings of every figure: text kept as text, ids the same on every run."""
    import matplotlib as mpl  # noqa: PLC0415 - the optional 'audit' extra

    with mpl.rc_context(
        {
            "svg.fonttype": "none",
            "svg.hashsalt": "bisphos-audit",
            "font.size": 9.0,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    ):
        yield


def _new_figure(columns: int = 1, height: float = _FIGURE_INCHES[1]) -> tuple[Figure, list[Axes]]:
    from matplotlib.figure import Figure  # noqa: PLC0415 - the optional 'audit' extra

    figure = Figure(figsize=(_FIGURE_INCHES[0], height), layout="constrained")
    axes = figure.subplots(1, columns, squeeze=False)[0]
    return figure, list(axes)


def _svg(figure: Figure) -> str:
    """Return the figure as an ``<svg>`` element to put inline (no XML prolog, no metadata)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    markup = buffer.getvalue()
    markup = markup[markup.index("<svg") :]
    return _METADATA.sub("", markup, count=1)


def _number_axis(axis: Any, lang: Language, spec: str = "") -> None:
    """Write an axis's tick labels for ``lang`` (Dutch decimal comma)."""
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415 - the optional 'audit' extra

    def label(value: float, position: int | None) -> str:
        return show_number(value, lang, spec)

    axis.set_major_formatter(FuncFormatter(label))


def _per_year_plot(deviations: pd.DataFrame, rule_ids: Sequence[str], lang: Language) -> _Plot:
    title = text("ui.audit-per-year", lang)
    counts = _rule_counts_by_year(deviations)
    with _svg_style():
        figure, (axes,) = _new_figure()
        years = sorted(counts)
        bottom = [0] * len(years)
        for position, rule_id in enumerate(rule_ids):
            heights = [counts[year].get(rule_id, 0) for year in years]
            axes.bar(
                years,
                heights,
                bottom=bottom,
                label=rule_id,
                color=_RULE_COLOURS[position % len(_RULE_COLOURS)],
                hatch="" if position < len(_RULE_COLOURS) else "//",
            )
            bottom = [low + high for low, high in zip(bottom, heights, strict=True)]
        axes.set_xticks(years, [str(year) for year in years])
        axes.set_xlabel(text("ui.audit-year", lang))
        axes.set_ylabel(text("ui.audit-count-axis", lang))
        _number_axis(axes.yaxis, lang)
        axes.legend(title=text("ui.audit-rule", lang), loc="upper left", bbox_to_anchor=(1, 1))
        return _Plot(title, "", _svg(figure), ())


def _limits_of(drug: Drug, lang: Language) -> list[tuple[float, str]]:
    """The per-kg maxima of ``drug`` from the table, each with the phases it holds for."""
    by_value: dict[float, list[table.Phase]] = {}
    for (of, phase), number in table.PER_KG_MAXIMUM_MG_PER_KG.items():
        if of is drug:
            by_value.setdefault(number.value, []).append(phase)
    lines = []
    for value, phases in sorted(by_value.items()):
        names = show([word("phase", phase.value, lang) for phase in phases], lang, "and")
        lines.append((value, text("ui.audit-limit-line", lang, limit=value, phases=names)))
    return lines


def _dose_panel(axes: Axes, rows: pd.DataFrame, drug: Drug, lang: Language) -> list[str]:
    """Draw one drug's doses per kg against weight with its limits; return the panel's notes."""
    import numpy as np  # noqa: PLC0415 - the optional 'audit' extra

    limits = _limits_of(drug, lang)
    top = max(value for value, _ in limits) * _DOSE_AXIS_HEADROOM
    weighed = rows[rows["weight_kg"].notna() & rows["dose_mg_per_kg"].notna()]
    notes = []
    if len(weighed) < len(rows):
        notes.append(text("ui.audit-no-weight", lang, count=_count(len(rows) - len(weighed), lang)))
    right = max(float(weighed["weight_kg"].max()) * 1.05, 10.0) if len(weighed) else 100.0
    for verdict in VERDICTS:
        chosen = weighed[weighed["verdict"] == verdict]
        if chosen.empty:
            continue
        dose = chosen["dose_mg_per_kg"].to_numpy(dtype=float)
        weight = chosen["weight_kg"].to_numpy(dtype=float)
        inside = dose <= top
        axes.scatter(
            weight[inside],
            dose[inside],
            s=6 if verdict == "ok" else 12,
            color=_VERDICT_COLOUR[verdict],
            alpha=0.35 if verdict == "ok" else 0.8,
            linewidths=0,
            label=word("verdict", verdict, lang),
            rasterized=True,
        )
        if not inside.all():
            axes.scatter(
                weight[~inside],
                np.full(int((~inside).sum()), top),
                marker="^",
                s=18,
                color=_VERDICT_COLOUR[verdict],
                linewidths=0,
                clip_on=False,
                rasterized=True,
            )
    above = int((weighed["dose_mg_per_kg"].to_numpy(dtype=float) > top).sum())
    if above:
        limit = show_number(top, lang)
        notes.append(text("ui.audit-above-axis", lang, count=_count(above, lang), limit=limit))
    for value, label in limits:
        axes.axhline(value, color=_LIMIT_COLOUR, linewidth=1.2, linestyle="--", label=label)
    cap = table.DAILY_CAP_MG[drug]
    weights = np.linspace(max(cap.value / top, 1.0), right, 200)
    axes.plot(
        weights,
        cap.value / weights,
        color=_CAP_COLOUR,
        linewidth=1.2,
        label=text("ui.audit-cap-line", lang, cap=cap.value, rule=", ".join(cap.rule_ids)),
    )
    if drug is Drug.PAMIDRONATE:
        # P-PAM-FIRST: the first infusion is half of the capped dose, so at most half the cap.
        first = float(table.PAMIDRONATE_FIRST_FRACTION * Fraction(str(cap.value)))
        rule_ids = table.PER_KG_MAXIMUM_MG_PER_KG[drug, table.Phase.FIRST].rule_ids
        weights = np.linspace(max(first / top, 1.0), right, 200)
        axes.plot(
            weights,
            first / weights,
            color=_CAP_COLOUR,
            linewidth=1.0,
            linestyle=":",
            label=text("ui.audit-first-cap-line", lang, cap=first, rule=", ".join(rule_ids)),
        )
    axes.set_xlim(0, right)
    axes.set_ylim(0, top)
    axes.set_title(word("drug", drug.value, lang))
    axes.set_xlabel(text("ui.audit-weight-axis", lang))
    axes.set_ylabel(text("ui.audit-dose-axis", lang))
    _number_axis(axes.xaxis, lang)
    _number_axis(axes.yaxis, lang)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=7, frameon=False)
    drug_name = word("drug", drug.value, lang)
    return [f"{drug_name}: {note}" for note in notes]


def _dose_plot(verdicts: pd.DataFrame, lang: Language) -> _Plot | None:
    drugs = [drug for drug in Drug if (verdicts["drug"] == drug.value).any()]
    if not drugs:
        return None
    with _svg_style():
        figure, panels = _new_figure(len(drugs), height=_FIGURE_INCHES[1] * 1.45)
        notes: list[str] = []
        for axes, drug in zip(panels, drugs, strict=True):
            notes += _dose_panel(axes, verdicts[verdicts["drug"] == drug.value], drug, lang)
        title = text("ui.audit-dose-title", lang)
        caption = text("ui.audit-dose-note", lang)
        return _Plot(title, caption, _svg(figure), tuple(notes))


def _minimum_bands(minimum: Any, lang: Language) -> list[tuple[float, float, str]]:
    """The days each minimum interval of the rows spans, labelled with its months and rules.

    A row's ``min_interval_days`` is a whole number of calendar months after the previous
    infusion (3 months are 89 to 92 days); the months and their rule ids are the table's.
    """
    import numpy as np  # noqa: PLC0415 - the optional 'audit' extra

    intervals = (*table.INTERVAL_MONTHS.values(), table.MINIMUM_INTERVAL)
    months_of = np.rint(minimum / _DAYS_PER_MONTH).astype(int)
    bands = []
    for months in sorted(set(months_of.tolist())):
        days = minimum[months_of == months]
        rule_ids = _sorted_rules(sorted({i.rule_id for i in intervals if i.months == months}))
        label = text(
            "ui.audit-minimum-interval", lang, months=months, rule=", ".join(rule_ids) or "–"
        )
        bands.append((float(days.min()), float(days.max()), label))
    return bands


def _interval_plot(verdicts: pd.DataFrame, lang: Language) -> _Plot | None:
    import numpy as np  # noqa: PLC0415 - the optional 'audit' extra

    intervals = verdicts["interval_days"].to_numpy(dtype=float)
    known = intervals[~np.isnan(intervals)]
    if known.size == 0:
        return None
    minimum = verdicts["min_interval_days"].to_numpy(dtype=float)
    minimum = minimum[~np.isnan(minimum)]
    right = min(float(known.max()), _INTERVAL_AXIS_DAYS)
    edges = np.arange(0, right + _INTERVAL_BIN_DAYS, _INTERVAL_BIN_DAYS)
    counts, edges = np.histogram(known, bins=edges)
    notes = [
        text(
            "ui.audit-first-infusions",
            lang,
            count=_count(int(np.isnan(intervals).sum()), lang),
        )
    ]
    beyond = int((known > edges[-1]).sum())
    if beyond:
        days = _count(int(edges[-1]), lang)
        notes.append(text("ui.audit-beyond-axis", lang, count=_count(beyond, lang), days=days))
    with _svg_style():
        figure, (axes,) = _new_figure()
        axes.stairs(counts, edges, fill=True, color=_VERDICT_COLOUR["ok"])
        for position, (low, high, label) in enumerate(_minimum_bands(minimum, lang)):
            colour = (_LIMIT_COLOUR, _CAP_COLOUR)[position % 2]
            axes.axvspan(low, high + 1, color=colour, alpha=0.45, zorder=3, label=label)
        if minimum.size:
            axes.legend(loc="upper right")
        axes.set_xlim(0, float(edges[-1]))
        axes.set_xlabel(text("ui.audit-interval-axis", lang))
        axes.set_ylabel(text("ui.audit-count-axis", lang))
        _number_axis(axes.xaxis, lang)
        _number_axis(axes.yaxis, lang)
        title = text("ui.audit-interval-title", lang)
        caption = text("ui.audit-interval-note", lang)
        return _Plot(title, caption, _svg(figure), tuple(notes))


def _period(verdicts: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """The first and the last date of the administrations."""
    import pandas as pd  # noqa: PLC0415 - the optional 'audit' extra

    days = pd.to_datetime(verdicts["date"])
    return days.min().date(), days.max().date()


def _deviation_rows(deviations: pd.DataFrame, lang: Language) -> list[list[str]]:
    import pandas as pd  # noqa: PLC0415 - the optional 'audit' extra

    listed = deviations.assign(_day=pd.to_datetime(deviations["date"]))
    listed = listed.sort_values(["_day", "patient_id"], kind="stable").head(DEVIATION_LIST_ROWS)
    cells: dict[str, Callable[[Any], str]] = {
        "_day": lambda value: show(value.date(), lang),
        "patient_id": str,
        "drug": lambda value: word("drug", value, lang),
        "dose_mg": lambda value: _number(value, lang),
        "weight_kg": lambda value: _number(value, lang),
        "dose_mg_per_kg": lambda value: _number(value, lang, ".4g"),
        "limit_mg_per_kg": lambda value: _number(value, lang, ".4g"),
        "interval_days": lambda value: _number(value, lang, "int"),
        "rule_ids": lambda value: str(value).replace(";", ", "),
    }
    columns = {name: listed[name].tolist() for name in cells}
    return [[cells[name](columns[name][index]) for name in cells] for index in range(len(listed))]


_DEVIATION_HEADINGS: Final = (
    "ui.audit-date",
    "ui.audit-patient",
    "ui.audit-drug",
    "ui.audit-dose-mg",
    "ui.audit-weight-kg",
    "ui.audit-dose-mg-per-kg",
    "ui.audit-limit-mg-per-kg",
    "ui.audit-interval-days",
    "ui.audit-rules",
)


def _reasons(verdicts: pd.DataFrame, lang: Language) -> list[tuple[str, str, str]]:
    """Why administrations were not assessable, from the audit's ``unassessed`` codes.

    The column is optional (the verdict table's contract is :data:`VERDICT_COLUMNS`): without
    it, or without such administrations, there are no rows.
    """
    if "unassessed" not in verdicts.columns:
        return []
    rows = verdicts[verdicts["verdict"] == "not_assessable"].rename(
        columns={"rule_ids": "_rules", "unassessed": "rule_ids"}
    )
    counts = _rule_counts(rows)
    return [
        (word("unassessed", code, lang), _count(number, lang), _share(number, len(verdicts), lang))
        for code, number in sorted(counts.items())
    ]


def _page(verdicts: pd.DataFrame, lang: Language) -> dict[str, Any]:
    """Everything the template shows, written for ``lang``."""
    total = len(verdicts)
    summary = [(text("ui.audit-administrations", lang), _count(total, lang), _share(1, 1, lang))]
    summary.append(
        (text("ui.audit-patients", lang), _count(int(verdicts["patient_id"].nunique()), lang), "")
    )
    for verdict in VERDICTS:
        number = int((verdicts["verdict"] == verdict).sum())
        label = _capital(word("verdict", verdict, lang))
        summary.append((label, _count(number, lang), _share(number, total, lang)))
    deviations = verdicts[verdicts["verdict"] == "deviation"]
    per_rule = _rule_counts(deviations)
    unassessed = _rule_counts(verdicts[verdicts["verdict"] == "not_assessable"])
    rule_ids = _sorted_rules(list(per_rule))
    listed_rules = _sorted_rules(sorted({*per_rule, *unassessed}))
    rule_rows = [
        (
            rule_id,
            _statement(rule_id),
            _count(per_rule.get(rule_id, 0), lang),
            _share(per_rule.get(rule_id, 0), total, lang),
            _count(unassessed.get(rule_id, 0), lang),
        )
        for rule_id in listed_rules
    ]
    plots = []
    if rule_ids:
        plots.append(_per_year_plot(deviations, rule_ids, lang))
    plots += [
        plot
        for plot in (_dose_plot(verdicts, lang), _interval_plot(verdicts, lang))
        if plot is not None
    ]
    first, last = _period(verdicts) if total else ("–", "–")
    subtitle = text(
        "ui.audit-subtitle",
        lang,
        protocol=catalogue.PROTOCOL_ID,
        version=catalogue.PROTOCOL_VERSION,
        library=__version__,
        first=first,
        last=last,
    )
    listed = _deviation_rows(deviations, lang)
    cut = ""
    if len(deviations) > len(listed):
        cut = text(
            "ui.audit-deviation-list-cut",
            lang,
            shown=_count(len(listed), lang),
            total=_count(len(deviations), lang),
        )
    return {
        "lang": lang,
        "t": {key.removeprefix("ui.audit-"): text(key, lang) for key in _LABELS},
        "subtitle": subtitle,
        "empty": total == 0,
        "summary": summary,
        "rules": rule_rows,
        "deviation_heading": _capital(word("verdict", "deviation", lang)),
        "not_assessable_heading": _capital(word("verdict", "not_assessable", lang)),
        "unassessed_by_rule": bool(unassessed),
        "reasons": _reasons(verdicts, lang),
        "plots": plots,
        "deviation_headings": [text(key, lang) for key in _DEVIATION_HEADINGS],
        "deviations": listed,
        "deviation_cut": cut,
    }


_LABELS: Final = (
    "ui.audit-title",
    "ui.audit-empty",
    "ui.audit-summary",
    "ui.audit-number",
    "ui.audit-share",
    "ui.audit-per-rule",
    "ui.audit-per-rule-note",
    "ui.audit-rule",
    "ui.audit-statement",
    "ui.audit-no-deviations",
    "ui.audit-deviation-list",
    "ui.audit-reasons",
    "ui.audit-reason",
)


def render_report(verdicts: pd.DataFrame, *, lang: Language = "en") -> str:
    """Return the audit report of ``verdicts`` as one self-contained HTML page.

    Args:
        verdicts: The verdict table of an audit (:func:`bisphos.audit.columnar.judge_frame`),
            one row per administration with the columns of :data:`VERDICT_COLUMNS`.
        lang: The language of the page, ``"en"`` or ``"nl"``.

    Raises:
        InvalidValueError: a column is missing, or a verdict is not one of :data:`VERDICTS`.
    """
    import jinja2  # noqa: PLC0415 - the optional 'audit' extra
    import markupsafe  # noqa: PLC0415 - Jinja2's own

    _check_columns(verdicts)
    page = _page(verdicts, lang)
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    template = environment.from_string(
        files("bisphos.audit").joinpath("report.html").read_text(encoding="utf-8")
    )
    # The SVG is matplotlib's, whose text it escapes itself; every other value is escaped here.
    plots = [attrs.evolve(plot, svg=markupsafe.Markup(plot.svg)) for plot in page["plots"]]
    return template.render(**{**page, "plots": plots})


def write_report(verdicts: pd.DataFrame, path: Path | str, *, lang: Language = "en") -> None:
    """Write :func:`render_report` of ``verdicts`` to ``path`` (UTF-8).

    The page is written beside ``path`` and put in its place whole: an earlier file stays as it
    was until the new page is complete.

    Raises:
        InvalidValueError: as :func:`render_report`, or the file cannot be written.
    """
    page = render_report(verdicts, lang=lang)
    target = Path(path)
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", delete=False
        ) as handle:
            handle.write(page)
        os.replace(handle.name, target)
    except OSError as error:
        with contextlib.suppress(NameError, OSError):
            os.unlink(handle.name)
        raise InvalidValueError(
            f"cannot write the report: {error.strerror or type(error).__name__}",
            field="report",
            value=str(target),
            expected="a file in a directory that can be written to",
        ) from None
