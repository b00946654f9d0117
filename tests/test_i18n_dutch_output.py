"""No English in Dutch output: every example under ``examples/`` rendered in Dutch, text and JSON.

Every example patient (pediatric JSON and TOML, oncology, FHIR Bundles) is planned with
``--lang nl`` as text and as JSON, and every order example is checked with ``check-order --lang
nl``. Two detectors judge the output:

- no English of the catalogue: no literal run of three or more words of an English message
  (between its placeholders) that the Dutch catalogue does not share (what both share, drug and
  rule ids, units, ``NaCl 0.9 %``, proper names, is not English);
- no English sentence from anywhere: none of the words :data:`ENGLISH_ONLY` (``the``, ``and``,
  ``with`` ... which Dutch never uses), once the text the reader gave (every string of the input
  file: ids, names, reasons), identifiers (``ped-ijo-two-fractures-before-10``) and the quoted
  citations of labels and guidelines (:func:`citations`, kept in the words of their source) are
  taken out.

In the JSON only the reader's texts are judged (each finding's ``text``, each value's
``shown``): the rest is data for software and decision records, the library's English by design
(``message``, ``action``, evidence names, label sources).
"""

from __future__ import annotations

import json
import re
import string
import tomllib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from bisphos.cli import EXIT_NOT_CLEARED, EXIT_OK, main
from bisphos.engine import Engine
from bisphos.i18n import catalogue

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
PATIENTS = sorted(
    [
        *(EXAMPLES / "patients").glob("*.json"),
        *(EXAMPLES / "patients").glob("*.toml"),
        *(EXAMPLES / "patients" / "oncology").glob("*.json"),
        *(EXAMPLES / "fhir" / "patients").glob("*.json"),
    ]
)
ORDERS = sorted((EXAMPLES / "fhir" / "orders").glob("*.json"))
ORDER_PATIENT = EXAMPLES / "patients" / "oi-girl-20kg.json"
ENGINE = Engine.create(entry_points=False)

#: English runs that may appear in Dutch output: names and terms Dutch clinicians use as they are.
ALLOWED: frozenset[str] = frozenset()
#: Words of English sentences that Dutch text never holds.
ENGLISH_ONLY = re.compile(
    r"\b(the|and|with|are|than|when|which|should|must|from|every|after|before|not|only|"
    r"given|infusion|dose)\b",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(r"[\w.]+(?:-[\w.]+)+")
#: The JSON keys of the reader's texts, in the document's language (the plan's JSON, the FHIR
#: Bundle's narrative, notes and messages; a coding's display is its code system's).
READER_KEYS = frozenset({"text", "shown", "contentString", "div"})
#: The calendar's properties a reader sees.
CALENDAR_TEXTS = ("SUMMARY", "DESCRIPTION")

_WORD = re.compile(r"[A-Za-z][a-z]+")


@cache
def english_runs() -> frozenset[str]:
    """Literal runs of the English catalogue, three words or more, that Dutch does not share."""
    texts = catalogue()
    dutch = "\n".join(entry.get("nl", "") for entry in texts.values())
    runs: set[str] = set()
    for entry in texts.values():
        for literal, _, _, _ in string.Formatter().parse(entry.get("en", "")):
            for piece in re.split(r"[;:()\[\]]", literal):
                run = piece.strip(" ,.-")
                if len(_WORD.findall(run)) >= 3 and run not in dutch and run not in ALLOWED:
                    runs.add(run)
    return frozenset(runs)


def _english_in(output: str) -> list[str]:
    return sorted(run for run in english_runs() if run in output)


@cache
def citations() -> tuple[str, ...]:
    """The labels' and guidelines' citations, quoted as their sources write them (O-LABEL)."""
    from bisphos.oncology import labels, radium, renal

    found = {item.source for item in labels.LABEL_RESTRICTIONS}
    for module in (renal, radium):
        found |= {
            value
            for name, value in vars(module).items()
            if name.endswith(("_SOURCE", "_LABEL")) and isinstance(value, str)
        }
    return tuple(sorted(found, key=len, reverse=True))


def _input_strings(path: Path) -> set[str]:
    """Every string the input file gives (ids, names, reasons): the reader's own words."""
    raw = path.read_text(encoding="utf-8")
    data = tomllib.loads(raw) if path.suffix == ".toml" else json.loads(raw)
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            found.add(value)

    walk(data)
    return found


def _english_words(output: str, given: set[str]) -> list[str]:
    """The lines that still hold an English-only word, once quoted and given text is out."""
    for quoted in (*citations(), *sorted(given, key=len, reverse=True)):
        if len(quoted) > 3:
            output = output.replace(quoted, " ")
    output = _IDENTIFIER.sub(" ", output)
    return [line.strip() for line in output.splitlines() if ENGLISH_ONLY.search(line)]


def _strings(value: object, shown: bool = False) -> Iterator[str]:
    """The strings of the reader's texts in a JSON document (under ``text`` or ``shown``)."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, shown or name in READER_KEYS)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, shown)
    elif isinstance(value, str) and shown:
        yield value


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv, engine=ENGINE)
    captured = capsys.readouterr()
    assert code in {EXIT_OK, EXIT_NOT_CLEARED}, captured.err
    return captured.out + captured.err


def test_the_detector_finds_english() -> None:
    """The runs are English sentences: the detector is not empty, and it sees one."""
    assert len(english_runs()) > 300
    assert _english_in("Temperature above 38.5 °C: postpone the infusion.")
    assert not _english_in("Temperatuur boven 38,5 °C: stel het infuus uit.")
    assert _english_words("toelichting: zoledronic acid every 3 months may be as good", set())
    assert not _english_words("patiënt: ped-ijo-two-fractures-before-10", set())


@pytest.mark.parametrize("path", PATIENTS, ids=lambda p: p.name)
def test_the_dutch_text_and_json_of_every_example_patient_have_no_english(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _run(["plan", str(path), "--lang", "nl"], capsys)
    assert text.strip()
    assert _english_in(text) == [], path.name
    assert _english_words(text, _input_strings(path)) == [], path.name
    document = json.loads(_run(["plan", str(path), "--lang", "nl", "--format", "json"], capsys))
    shown = "\n".join(_strings(document))
    assert shown.strip() or not document.get("findings"), path.name
    assert _english_in(shown) == [], path.name


def _calendar_texts(calendar: str) -> str:
    """The summaries and descriptions of an iCalendar file, unfolded and unescaped."""
    unfolded = re.sub(r"\r?\n[ \t]", "", calendar)
    values = [
        line.split(":", 1)[1]
        for line in unfolded.splitlines()
        if line.split(":", 1)[0].split(";")[0] in CALENDAR_TEXTS
    ]
    text = "\n".join(values)
    for escaped, plain in (("\\n", "\n"), ("\\,", ","), ("\\;", ";")):
        text = text.replace(escaped, plain)
    return text


@pytest.mark.parametrize("path", PATIENTS, ids=lambda p: p.name)
def test_the_dutch_calendar_and_fhir_bundle_of_every_example_patient_have_no_english(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    given = _input_strings(path)
    calendar = _run(["plan", str(path), "--lang", "nl", "--format", "ics"], capsys)
    if "BEGIN:VCALENDAR" in calendar:
        shown = _calendar_texts(calendar)
        assert shown.strip(), path.name
        assert _english_in(shown) == [], path.name
        assert _english_words(shown, given) == [], path.name
    bundle = _run(["plan", str(path), "--lang", "nl", "--format", "fhir"], capsys)
    shown = "\n".join(_strings(json.loads(bundle)))
    assert shown.strip(), path.name
    assert _english_in(shown) == [], path.name
    assert _english_words(shown, given) == [], path.name


@pytest.mark.parametrize("path", ORDERS, ids=lambda p: p.name)
def test_the_dutch_check_of_every_order_example_has_no_english(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check-order", str(ORDER_PATIENT), "--order", str(path), "--lang", "nl"]
    text = _run(argv, capsys)
    assert text.strip()
    assert _english_in(text) == [], path.name
    assert _english_words(text, _input_strings(ORDER_PATIENT) | _input_strings(path)) == []


def test_the_dutch_line_of_keygen_has_no_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    private, public = tmp_path / "key.pem", tmp_path / "key.pub.pem"
    text = _run(["keygen", str(private), str(public), "--lang", "nl"], capsys)
    assert text.startswith("Ed25519-sleutelpaar geschreven; SHA-256 van de openbare sleutel ")
    assert _english_in(text) == []
    assert _english_words(text, set()) == []


RECORDED = sorted((EXAMPLES / "patients").glob("*.json"))


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.name)
def test_the_dutch_replay_of_every_example_record_has_no_english(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The replay's report in Dutch: reproduced, and with a changed dose (its differences and
    their cause) under a signature that no longer verifies."""
    private, public = tmp_path / "key.pem", tmp_path / "key.pub.pem"
    _run(["keygen", str(private), str(public)], capsys)
    stored = _run(["plan", str(path), "--format", "record", "--sign-key", str(private)], capsys)
    record = tmp_path / "record.json"
    record.write_text(stored, encoding="utf-8")
    replayed = _run(["replay", str(record), "--lang", "nl", "--verify-key", str(public)], capsys)
    assert replayed.startswith("Byte voor byte gereproduceerd.\nHandtekening: geldig: "), path.name
    data = json.loads(stored)
    data["provenance"]["library_version"] = "0.0.1"
    data["result"]["status"] = "edited"
    record.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    for argv in (["--verify-key", str(public)], []):
        text = _run(["replay", str(record), "--lang", "nl", *argv], capsys)
        assert text.startswith("Niet gereproduceerd: "), path.name
        assert "Oorzaken:\n  versie van bisphos: vastgelegd 0.0.1, nu " in text, path.name
        assert "Handtekening: " in text, path.name
        assert _english_in(text) == [], path.name
        assert _english_words(text, _input_strings(path) | {"edited"}) == [], path.name
