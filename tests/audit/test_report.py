"""The audit report: counts, rule statements, limits from the table, languages, safety of the page.

The page is read back with an HTML parser; the assertions compare its tables and the text of its
plots (matplotlib writes text as SVG ``<text>``) with values the tests compute themselves from the
verdict table, the rule catalogue and :mod:`bisphos.pediatric.table`.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType

import pandas as pd
import pytest

from bisphos.audit import report
from bisphos.audit.report import render_report, write_report
from bisphos.errors import InvalidValueError
from bisphos.model import Drug
from bisphos.pediatric import table
from bisphos.pediatric.rules import RULES
from tests.audit._verdicts import five, frame, row


class _Page(HTMLParser):
    """The tables (rows of cell texts), the SVG texts, and every attribute of a page."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.svg_texts: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.tags: set[str] = set()
        self._cell: list[str] | None = None
        self._in_svg_text = False
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in {"td", "th"}:
            self._cell = []
        elif tag == "text":
            self._in_svg_text = True
            self.svg_texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"td", "th"} and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "text":
            self._in_svg_text = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._in_svg_text:
            self.svg_texts[-1] += data


@pytest.fixture(scope="module")
def english_markup() -> str:
    return render_report(five(), lang="en")


@pytest.fixture(scope="module")
def english(english_markup: str) -> _Page:
    return _Page(english_markup)


@pytest.fixture(scope="module")
def dutch_markup() -> str:
    return render_report(five(), lang="nl")


@pytest.fixture(scope="module")
def dutch(dutch_markup: str) -> _Page:
    return _Page(dutch_markup)


def test_summary_counts_the_administrations_patients_and_verdicts(english: _Page) -> None:
    summary = {cells[0]: cells[1:] for cells in english.tables[0][1:]}
    assert summary["Administrations"] == ["5", "100.0%"]
    assert summary["Patients"] == ["3", ""]
    assert summary["Within the protocol"] == ["2", "40.0%"]
    assert summary["Deviation"] == ["2", "40.0%"]
    assert summary["Not assessable"] == ["1", "20.0%"]


def test_each_rule_is_counted_with_its_statement_from_the_catalogue(english: _Page) -> None:
    rules = {cells[0]: cells[1:] for cells in english.tables[1][2:]}
    # An administration deviating from two rules counts under each; catalogue order.
    assert list(rules) == ["P-PAM-CAP", "P-HARD", "P-HIST-INTERVAL", "P-FRESH"]
    assert rules["P-HIST-INTERVAL"] == [RULES["P-HIST-INTERVAL"].statement, "1", "20.0%", "0"]
    assert rules["P-PAM-CAP"] == [RULES["P-PAM-CAP"].statement, "1", "20.0%", "0"]
    assert rules["P-FRESH"] == [RULES["P-FRESH"].statement, "0", "0.0%", "1"]


def test_the_deviations_are_listed_by_date_with_readable_numbers(english: _Page) -> None:
    listed = english.tables[2]
    assert listed[0][:3] == ["Date", "Patient", "Drug"]
    assert listed[1] == [
        "2023-03-01",
        "p1",
        "zoledronic acid",
        "0.5",
        "20",
        "0.025",
        "0.025",
        "50",
        "P-HIST-INTERVAL",
    ]
    assert listed[2][0] == "2024-05-20"
    assert listed[2][3:] == ["95", "40", "2.375", "2", "105", "P-HARD, P-PAM-CAP"]


def test_the_dutch_page_writes_dates_numbers_and_words_in_dutch(dutch: _Page) -> None:
    summary = {cells[0]: cells[1:] for cells in dutch.tables[0][1:]}
    assert summary["Toedieningen"] == ["5", "100,0%"]
    assert summary["Afwijking"] == ["2", "40,0%"]
    listed = dutch.tables[2]
    assert listed[0][:3] == ["Datum", "Patiënt", "Middel"]
    assert listed[1][:4] == ["01-03-2023", "p1", "zoledroninezuur", "0,5"]
    assert listed[2][5] == "2,375"
    assert ("html", "lang", "nl") in dutch.attributes
    # The rule statements are the catalogue's English, marked as such for the reader.
    assert ("td", "lang", "en") in dutch.attributes
    assert "hoogstens 0,025 mg/kg: eerste infuus, tweede infuus en onderhoudsinfuus" in (
        dutch.svg_texts
    )


def _limit_labels(lang: str) -> set[str]:
    """The labels the dose plot must show, computed here from the table."""
    labels = set()
    for drug in Drug:
        values = {
            number.value for (of, _), number in table.PER_KG_MAXIMUM_MG_PER_KG.items() if of is drug
        }
        labels |= {f"at most {value:g} mg/kg" for value in values}
        cap = table.DAILY_CAP_MG[drug]
        labels.add(f"daily cap {cap.value:g} mg ({cap.rule_ids[0]})")
    half = table.DAILY_CAP_MG[Drug.PAMIDRONATE].value * float(table.PAMIDRONATE_FIRST_FRACTION)
    labels.add(f"first infusion: half the cap, {half:g} mg (P-PAM-FIRST)")
    assert lang == "en"
    return labels


def test_the_dose_plot_draws_every_limit_of_the_table(english: _Page) -> None:
    """P-ZOL-FIRST, P-ZOL-DOSE, P-PAM-FIRST (and its half cap), P-PAM-DOSE, P-ZOL-CAP, P-PAM-CAP."""
    for label in _limit_labels("en"):
        assert any(text.startswith(label) for text in english.svg_texts), label
    # The rows' minimum interval (91 days) is 3 calendar months: every interval of 3 months.
    months = table.MINIMUM_INTERVAL.months
    intervals = (*table.INTERVAL_MONTHS.values(), table.MINIMUM_INTERVAL)
    of_three = {interval.rule_id for interval in intervals if interval.months == months}
    rule_ids = [rule_id for rule_id in RULES if rule_id in of_three]
    assert "P-HIST-INTERVAL" in rule_ids
    assert f"minimum interval {months} months ({', '.join(rule_ids)})" in english.svg_texts


def test_a_changed_table_changes_the_limits_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report types no limit: it draws what the table holds when it runs."""
    changed = {
        key: table.Number(number.name, number.value * 3, number.unit, number.rule_ids)
        for key, number in table.PER_KG_MAXIMUM_MG_PER_KG.items()
    }
    monkeypatch.setattr(table, "PER_KG_MAXIMUM_MG_PER_KG", MappingProxyType(changed))
    page = _Page(render_report(five(), lang="en"))
    assert "at most 0.075 mg/kg: first infusion, second infusion, and maintenance infusion" in (
        page.svg_texts
    )
    assert not any(text.startswith("at most 0.025 mg/kg") for text in page.svg_texts)


def test_the_page_needs_no_network_and_no_script(english: _Page) -> None:
    assert "script" not in english.tags
    for tag, name, value in english.attributes:
        if name in {"href", "src", "xlink:href"}:
            assert value.startswith(("data:", "#")), (tag, name, value[:40])
        if "http" in value:
            assert name.startswith("xmlns"), (tag, name, value)
    assert {"svg", "table", "figure"} <= english.tags
    assert sum(1 for tag, name, _ in english.attributes if tag == "svg" and name == "viewbox") == 3


def test_hostile_text_in_the_history_is_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    verdicts = five()
    verdicts.loc[1, "patient_id"] = hostile
    markup = render_report(verdicts, lang="en")
    assert hostile not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup


def test_the_page_is_the_same_on_every_run(dutch_markup: str) -> None:
    assert render_report(five(), lang="nl") == dutch_markup


def test_numbers_are_written_without_float_noise_and_counts_grouped() -> None:
    rows = [
        row("p1", dt.date(2022, 1, 1), "pamidronate", 0.1 + 0.2, 1.0, limit_mg_per_kg=2.0)
        for _ in range(1234)
    ]
    rows.append(
        row(
            "p2",
            dt.date(2022, 6, 1),
            "pamidronate",
            (0.1 + 0.2) * 10,
            3.0,
            limit_mg_per_kg=0.1 + 0.2,
            interval_days=92.0,
            verdict="deviation",
            rule_ids="P-HARD",
        )
    )
    english = _Page(render_report(frame(rows), lang="en"))
    dutch = _Page(render_report(frame(rows), lang="nl"))
    assert english.tables[0][1][1] == "1,235"
    assert dutch.tables[0][1][1] == "1.235"
    assert english.tables[2][1][3:7] == ["3", "3", "1", "0.3"]
    assert dutch.tables[2][1][3:7] == ["3", "3", "1", "0,3"]


def test_an_empty_history_gives_a_page_that_says_so() -> None:
    page = _Page(render_report(frame([]), lang="en"))
    assert "svg" not in page.tags
    assert not page.tables
    markup = render_report(frame([]), lang="nl")
    assert "De voorgeschiedenis bevat geen toedieningen." in markup


def test_a_table_without_a_column_is_refused_by_name() -> None:
    with pytest.raises(InvalidValueError, match="limit_mg_per_kg") as raised:
        render_report(five().drop(columns=["limit_mg_per_kg"]))
    assert raised.value.field == "verdicts"


def test_an_unknown_verdict_is_refused() -> None:
    verdicts = five()
    verdicts.loc[0, "verdict"] = "fine"
    with pytest.raises(InvalidValueError, match="fine") as raised:
        render_report(verdicts)
    assert raised.value.field == "verdicts.verdict"


def test_doses_above_the_axis_are_drawn_at_its_top_and_counted() -> None:
    top = max(
        number.value
        for (drug, _), number in table.PER_KG_MAXIMUM_MG_PER_KG.items()
        if drug is Drug.ZOLEDRONIC_ACID
    )
    rows = [
        row(
            "p1",
            dt.date(2021, 1, 1),
            "zoledronic_acid",
            20.0,
            20.0,
            limit_mg_per_kg=0.05,
            verdict="deviation",
            rule_ids="P-HARD",
        )
    ]
    markup = render_report(frame(rows), lang="en")
    assert f"1 administrations above {top * 2:g} mg/kg are drawn as triangles at the top" in markup


def test_write_report_writes_the_page_and_names_an_unwritable_file(
    tmp_path: Path, english_markup: str
) -> None:
    target = tmp_path / "audit.html"
    write_report(five(), target, lang="en")
    assert target.read_text(encoding="utf-8") == english_markup
    with pytest.raises(InvalidValueError, match="cannot write the report") as raised:
        write_report(five(), tmp_path / "missing" / "audit.html")
    assert raised.value.field == "report"


def test_every_label_of_the_page_is_in_the_catalogue_in_both_languages() -> None:
    from bisphos.i18n import catalogue

    source = Path(report.__file__).read_text(encoding="utf-8")
    for message_id in set(re.findall(r'"(ui\.audit-[a-z-]+)"', source)):
        assert set(catalogue()[message_id]) == {"en", "nl"}, message_id
    for verdict in report.VERDICTS:
        assert f"verdict.{verdict}" in catalogue()


def test_dates_of_datetime_columns_are_read_as_dates() -> None:
    verdicts = five()
    verdicts["date"] = pd.to_datetime(verdicts["date"])
    page = _Page(render_report(verdicts, lang="nl"))
    assert page.tables[2][1][0] == "01-03-2023"


def test_the_reasons_an_administration_was_not_assessable_are_counted_in_words() -> None:
    """The audit's optional ``unassessed`` codes, each in the catalogue's words (P-FRESH)."""
    verdicts = five()
    verdicts["rule_ids"] = ["", "P-HIST-INTERVAL", "", "P-HARD;P-PAM-CAP", ""]
    verdicts["unassessed"] = ["", "", "", "", "weight-missing"]
    english = _Page(render_report(verdicts, lang="en"))
    rules = english.tables[1]
    assert rules[0] == ["Rule", "What the rule says", "Deviation"]  # no column of zeros
    assert english.tables[2] == [
        ["Reason", "Number", "Share of the administrations"],
        ["no weight measured on or before the date", "1", "20.0%"],
    ]
    dutch = _Page(render_report(verdicts, lang="nl"))
    assert dutch.tables[2][1] == ["geen gewicht gemeten op of vóór de datum", "1", "20,0%"]


def test_the_command_line_writes_the_report_of_the_verdict_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``bisphos audit DIR --report FILE --lang nl``: the page counts what the table holds."""
    from bisphos import cli
    from bisphos.audit.generate import generate
    from bisphos.engine import Engine

    history = tmp_path / "history"
    history.mkdir()
    generated = generate(patients=12, years=4, seed=5, deviation_rate=0.2)
    for name, table_ in zip(
        ("patients", "administrations", "measurements"), generated.tables, strict=True
    ):
        table_.to_csv(history / f"{name}.csv", index=False)
    page, verdicts_file = tmp_path / "audit.html", tmp_path / "verdicts.parquet"
    argv = ["audit", str(history), "-q", "-o", str(verdicts_file), "--report", str(page)]
    engine = Engine.create(entry_points=False)
    assert cli.main([*argv, "--lang", "nl"], engine=engine) == 1
    capsys.readouterr()
    verdicts = pd.read_parquet(verdicts_file)
    shown = _Page(page.read_text(encoding="utf-8"))
    summary = {cells[0]: cells[1] for cells in shown.tables[0][1:]}
    assert summary["Toedieningen"] == f"{len(verdicts):,}".replace(",", ".")
    assert summary["Afwijking"] == str(int((verdicts["verdict"] == "deviation").sum()))
    expected: dict[str, int] = {}
    for rule_ids in verdicts.loc[verdicts["verdict"] == "deviation", "rule_ids"]:
        for rule_id in rule_ids.split(";"):
            expected[rule_id] = expected.get(rule_id, 0) + 1
    assert {cells[0]: int(cells[2]) for cells in shown.tables[1][2:]} == expected

    assert cli.main([*argv[:-1], str(tmp_path / "missing" / "audit.html")], engine=engine) == 2
    assert capsys.readouterr().err.startswith("report: cannot write the report")


def test_the_columns_the_report_reads_are_the_audits_first_columns() -> None:
    from bisphos.audit.columnar import OUTPUT_COLUMNS

    assert OUTPUT_COLUMNS[: len(report.VERDICT_COLUMNS)] == report.VERDICT_COLUMNS
