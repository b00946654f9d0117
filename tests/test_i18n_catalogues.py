"""The gettext catalogues: compiled as their sources say, the template complete, plugins' own.

The library's messages are Babel catalogues (``bisphos/i18n/locale``); these tests check the
machinery around them: the compiled ``.mo`` says what its ``.po`` says, the template holds every
id, every literal id the source names exists, and a plugin's catalogue translates its own
findings and nothing of the library's.
"""

from __future__ import annotations

import ast
import io
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from attrs import evolve as attrs_evolve
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from bisphos.engine import Engine
from bisphos.errors import InvalidValueError, PluginError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.i18n import (
    DOMAIN,
    LANGUAGES,
    LOCALE_DIR,
    MessageCatalogue,
    catalogue,
    localize,
    register_catalogue,
    text,
)
from bisphos.i18n import _catalogue as machinery
from bisphos.i18n._extract import MESSAGE_CALLS, extract_english, extract_python
from bisphos.plugins import hookimpl
from bisphos.units import quantity

ROOT = Path(__file__).parent.parent
SOURCE = ROOT / "src" / "bisphos"


def _po(lang: str) -> dict[str, str]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        return {m.id: m.string for m in read_po(source) if isinstance(m.id, str) and m.id}  # type: ignore[misc]


@pytest.fixture
def isolated_catalogues() -> Iterator[None]:
    """The plugins' catalogues as they were before the test."""
    saved = dict(machinery._registered)
    try:
        yield
    finally:
        machinery._registered.clear()
        machinery._registered.update(saved)


def _spec(spec: str) -> str:
    """A spec as both languages must share it: whether a value is written as a word, and of
    which domain, may differ (Dutch ``carcinoma`` for the English ``tumour``, an English word
    shown as it is), and so may a date's (English ISO, Dutch its own); the number format, and
    whether a list is joined with "and", may not."""
    if spec.startswith("w:"):
        return "and" if spec.endswith(":and") else ""
    return "" if spec == "iso" else spec


def _fields(template: str) -> list[tuple[str, str]]:
    return sorted(
        (name, _spec(spec or ""))
        for _, name, spec, _ in string.Formatter().parse(template)
        if name is not None
    )


def test_both_catalogues_hold_the_same_ids_with_the_same_named_parameters() -> None:
    """Every message id in English and Dutch, non-empty, with the same fields and specs."""
    english, dutch = _po("en"), _po("nl")
    assert set(english) == set(dutch)
    assert len(english) >= 600
    for message_id, source in english.items():
        assert source.strip(), message_id
        assert dutch[message_id].strip(), message_id
        assert _fields(source) == _fields(dutch[message_id]), message_id
        assert all(name.isidentifier() for name, _ in _fields(source)), message_id


def test_the_compiled_catalogues_say_what_their_sources_say() -> None:
    """The .mo the build wrote (hatch_build.py) holds every message of its .po, word for word."""
    for lang in LANGUAGES:
        mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
        assert mo.is_file(), f"{mo} is not built: reinstall (pip install -e .)"
        compiled = {m.id: m.string for m in read_mo(io.BytesIO(mo.read_bytes())) if m.id}
        source = _po(lang)
        # A .po edited after the install is read from the .po itself (the runtime compiles it).
        if machinery._compiled_is_current(mo, mo.with_suffix(".po")):
            assert compiled == source, lang
        loaded = catalogue()
        assert all(loaded[key][lang] == value for key, value in source.items())


def test_the_runtime_compiles_a_po_as_the_build_does(tmp_path: Path) -> None:
    po = LOCALE_DIR / "nl" / "LC_MESSAGES" / f"{DOMAIN}.po"
    compiled = {m.id: m.string for m in read_mo(io.BytesIO(machinery.compile_po(po, "nl"))) if m.id}
    assert compiled == _po("nl")


def test_the_template_holds_every_id_of_the_english_catalogue_and_the_source() -> None:
    """bisphos.pot is what `pybabel extract -F babel.cfg` writes (docs/translation.md)."""
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as source:
        template = {m.id for m in read_po(source) if isinstance(m.id, str) and m.id}
    with (LOCALE_DIR / "en" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        extracted = {message for _, _, message, _ in extract_english(source, (), (), {})}
    for path in SOURCE.rglob("*.py"):
        with path.open("rb") as source:
            extracted |= {message for _, _, message, _ in extract_python(source, (), (), {})}
    assert template == extracted


def test_every_literal_id_the_source_names_is_in_the_catalogue() -> None:
    english = _po("en")
    named: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                callee = node.func
                name = callee.id if isinstance(callee, ast.Name) else getattr(callee, "attr", "")
                first = node.args[0]
                if name == "text" and isinstance(first, ast.Constant):
                    named.add(str(first.value))
    assert named
    assert named <= set(english), sorted(named - set(english))
    assert "text" in MESSAGE_CALLS


# A plugin's catalogues.

_PLUGIN_PO = """
msgid ""
msgstr ""
"Language: nl\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "local-vial-size"
msgstr "afgerond op de flacon van {vial}"

msgid "local-vial-size.action"
msgstr "gebruik één flacon"

msgid "fever"
msgstr "ALLES IN ORDE"

msgid "local-sneaky"
msgstr "{vial.__class__.__mro__}"
"""


def _plugin_catalogue(tmp_path: Path) -> Path:
    target = tmp_path / "nl" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "local.po").write_text(_PLUGIN_PO, encoding="utf-8")
    return tmp_path


def _local(code: str = "local-vial-size") -> Finding:
    return Finding(
        code=code,
        rule_ids=("P-ZOL-DOSE",),
        severity=Severity.INFO,
        message="rounded to the vial",
        evidence=(Evidence("vial", quantity(4.0, "mg")),),
        action="use one vial",
    )


class _Catalogued:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @hookimpl
    def bisphos_message_catalogues(self) -> list[MessageCatalogue]:
        return [MessageCatalogue(domain="local", directory=self.directory)]


@pytest.mark.usefixtures("isolated_catalogues")
def test_a_plugins_catalogue_translates_its_findings(tmp_path: Path) -> None:
    """Through the hook: the engine registers it, its Dutch words its finding, English stays."""
    Engine.create(entry_points=False, plugins=[("local", _Catalogued(_plugin_catalogue(tmp_path)))])
    dutch = localize(_local(), "nl")
    assert dutch.from_catalogue
    assert (dutch.message, dutch.action) == ("afgerond op de flacon van 4 mg", "gebruik één flacon")
    english = localize(_local(), "en")
    assert not english.from_catalogue
    assert english.message == "rounded to the vial"


@pytest.mark.usefixtures("isolated_catalogues")
def test_a_plugins_catalogue_never_rewords_the_librarys_messages(tmp_path: Path) -> None:
    """P-CI-FEVER: a plugin's "fever" text is never asked; the library's Dutch stands."""
    register_catalogue("local", _plugin_catalogue(tmp_path))
    assert text("fever", "nl") == "Temperatuur boven 38,5 °C: stel het infuus uit."


@pytest.mark.usefixtures("isolated_catalogues")
def test_a_placeholder_reaches_no_attribute_of_a_value(tmp_path: Path) -> None:
    register_catalogue("local", _plugin_catalogue(tmp_path))
    sneaky = localize(_local("local-sneaky"), "nl")
    assert not sneaky.from_catalogue
    assert sneaky.message == "rounded to the vial"


@pytest.mark.usefixtures("isolated_catalogues")
def test_a_plugin_catalogue_without_its_own_domain_or_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidValueError, match="domain"):
        register_catalogue(DOMAIN, tmp_path)
    with pytest.raises(InvalidValueError, match="directory"):
        register_catalogue("local", tmp_path / "absent")

    class Wrong:
        @hookimpl
        def bisphos_message_catalogues(self) -> list[object]:
            return [("local", str(tmp_path))]

    class Hijack:
        @hookimpl
        def bisphos_message_catalogues(self) -> list[MessageCatalogue]:
            return [MessageCatalogue(domain=DOMAIN, directory=tmp_path)]

    for plugin in (Wrong(), Hijack()):
        with pytest.raises(PluginError, match="bisphos_message_catalogues"):
            Engine.create(entry_points=False, plugins=[("bad", plugin)])


# The message layer decides nothing.


def test_the_message_layer_imports_no_protocol_rule_or_threshold() -> None:
    """bisphos.i18n writes the values a finding carries; it reads no threshold, regimen or
    radium-223 criterion to choose a wording (P-IND-B, O-RENAL, O-RA223 decide in their modules)."""
    for path in (SOURCE / "i18n").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                names += [alias.name for alias in getattr(node, "names", [])]
                for name in names:
                    assert not name.startswith(
                        ("bisphos.pediatric", "bisphos.oncology", "bisphos.batch")
                    ), f"{path.name} imports {name}"


def test_the_wording_is_the_one_the_finding_names() -> None:
    """P-IND-B: the variant comes from the finding: the same evidence words as it says."""
    base = Finding(
        code="not-indicated-criteria",
        rule_ids=("P-IND-B",),
        severity=Severity.BLOCK,
        message="x",
        variant="no-bmd",
    )
    assert localize(base, "nl").message.startswith("Niet geïndiceerd: geen verlaagde botdichtheid")
    assert localize(base, "en").message_id == "not-indicated-criteria:no-bmd"


def test_a_finding_with_a_parameter_that_is_not_a_plain_value_is_refused_by_the_gate() -> None:
    """A plugin's finding whose parameter is an object of its own never reaches a renderer."""
    from bisphos.errors import PluginError
    from bisphos.gate._read import read_findings as _findings

    class Sneaky:
        def __str__(self) -> str:
            return "4 mg"

    finding = Finding(
        code="local-vial-size",
        rule_ids=("P-ZOL-DOSE",),
        severity=Severity.INFO,
        message="rounded",
        params={"vial": Sneaky()},  # type: ignore[arg-type]
    )
    with pytest.raises(PluginError, match="params"):
        _findings((finding,), "findings")
    plain = attrs_evolve(finding, params={"vial": ("4 mg", 4.0)})
    assert _findings((plain,), "findings") == (plain,)


def test_the_english_of_each_labels_deck_statement_is_the_labels_own() -> None:
    """O-LABEL: the catalogue's English of the deck's statement beside a label is the label
    table's, so the two cannot drift; the Dutch is the deck's phrase."""
    from bisphos.oncology.labels import LABEL_RESTRICTIONS

    for item in LABEL_RESTRICTIONS:
        assert text(f"label-deck.{item.id}", "en") == item.deck, item.id
        assert text(f"label-deck.{item.id}", "nl") != item.deck or "(" not in item.deck, item.id
