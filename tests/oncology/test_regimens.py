"""The regimen catalogue (O-CAT): package data pinned by checksum, rows, and load validation."""

from __future__ import annotations

import copy
import hashlib
import json
from decimal import Decimal
from importlib.resources import files
from typing import Any

import pytest
from pint.testing import assert_equal

from bisphos.errors import (
    DimensionError,
    ImplausibleValueError,
    InputError,
    InvalidValueError,
    MissingValueError,
)
from bisphos.oncology.patient import Tumour
from bisphos.oncology.regimens import (
    REGIMENS_RESOURCE,
    CalibrationStandard,
    Drug,
    DrugClass,
    Indication,
    RenalRule,
    Route,
    load_regimens,
    parse_regimens,
    regimen,
)
from bisphos.units import quantity

# Changing the catalogue is a reviewed decision: update both pins together with the rows' tests.
SHA256 = "e5ba316159cdf88c836c792deda1f6491c5b5e79cd4bf155dcb88d328d108a1b"
ROWS = 13


def _text() -> str:
    return files("bisphos.oncology").joinpath(REGIMENS_RESOURCE).read_text(encoding="utf-8")


def test_catalogue_checksum_and_row_count() -> None:
    """O-CAT: the shipped catalogue is exactly the reviewed file, with 13 regimens."""
    data = files("bisphos.oncology").joinpath(REGIMENS_RESOURCE).read_bytes()
    assert hashlib.sha256(data).hexdigest() == SHA256
    assert len(json.loads(data)["regimens"]) == ROWS
    assert len(load_regimens()) == ROWS


@pytest.mark.parametrize(
    ("regimen_id", "dose", "interval", "route", "price"),
    [
        ("alendronic-acid-10mg-daily", "10 mg", "1 day", Route.ORAL, "0.15"),
        ("alendronic-acid-70mg-weekly", "70 mg", "1 week", Route.ORAL, "0.11"),
        ("risedronic-acid-5mg-daily", "5 mg", "1 day", Route.ORAL, "0.11"),
        ("risedronic-acid-35mg-weekly", "35 mg", "1 week", Route.ORAL, "0.02"),
        ("pamidronate-90mg-4-weekly", "90 mg", "4 weeks", Route.INTRAVENOUS, "146.00"),
        ("ibandronic-acid-50mg-daily", "50 mg", "1 day", Route.ORAL, "5.36"),
        ("ibandronic-acid-150mg-monthly", "150 mg", "1 month", Route.ORAL, "1.75"),
        ("ibandronic-acid-3mg-iv-3-monthly", "3 mg", "3 months", Route.INTRAVENOUS, "73.00"),
        ("zoledronic-acid-5mg-yearly", "5 mg", "1 year", Route.INTRAVENOUS, "101.00"),
        ("zoledronic-acid-4mg-monthly", "4 mg", "4 weeks", Route.INTRAVENOUS, "143.00"),
        ("denosumab-60mg-6-monthly", "60 mg", "6 months", Route.SUBCUTANEOUS, "220.00"),
        ("denosumab-120mg-monthly", "120 mg", "4 weeks", Route.SUBCUTANEOUS, "369.00"),
    ],
)
def test_catalogue_rows_as_the_deck_gives_them(
    regimen_id: str, dose: str, interval: str, route: Route, price: str
) -> None:
    """O-CAT, O-INTERVAL: dose, interval (the deck's "1x/maand" of zoledronic acid 4 mg and
    denosumab 120 mg is every 4 weeks), route and 2016 list price per administration."""
    row = regimen(regimen_id)
    magnitude, unit = dose.split(" ")
    assert_equal(row.dose, quantity(float(magnitude), unit))
    count, interval_unit = interval.split(" ")
    assert row.interval.m_as(interval_unit.rstrip("s")) == float(count)
    assert row.route is route
    assert row.price is not None
    assert row.price.amount == Decimal(price)
    assert row.price.currency == "EUR"
    assert row.price.year == 2016
    assert "medicijnkosten.nl" in row.price.source
    assert "farmacotherapeutischkompas.nl" in row.price.source
    assert "O-CAT" in row.rule_ids


def test_infusion_times_and_registration() -> None:
    """O-CAT: pamidronate infuses over 2 hours, zoledronic acid over 15 minutes; alendronic and
    risedronic acid are not registered for malignant bone disease; denosumab is registered for
    myeloma since 2018 (O-LABEL; the deck's 2016 statement kept as the deck's); radium-223 for
    prostate cancer only (O-RA223)."""
    pamidronate = regimen("pamidronate-90mg-4-weekly")
    assert pamidronate.infusion_time is not None
    assert pamidronate.infusion_time.m_as("hour") == 2.0
    zoledronic = regimen("zoledronic-acid-4mg-monthly")
    assert zoledronic.infusion_time is not None
    assert zoledronic.infusion_time.m_as("minute") == 15.0
    for regimen_id in ("alendronic-acid-70mg-weekly", "risedronic-acid-35mg-weekly"):
        assert regimen(regimen_id).registration.malignant_bone_disease is False
    for regimen_id in ("denosumab-60mg-6-monthly", "denosumab-120mg-monthly"):
        registration = regimen(regimen_id).registration
        assert registration.allows(Tumour.MYELOMA)
        assert registration.allows(Tumour.BREAST)
    assert "2016" in regimen("denosumab-120mg-monthly").registration.deck
    radium = regimen("radium-223-4-weekly")
    assert radium.registration.only_tumours == (Tumour.PROSTATE,)
    assert not radium.registration.allows(Tumour.BREAST)
    assert radium.price is None


def test_radium_row_carries_both_calibration_standards() -> None:
    """O-RA223: 55 kBq/kg under the 2015 NIST standard; the deck's 50 kBq/kg pre-2015; 6
    injections every 4 weeks."""
    radium = regimen("radium-223-4-weekly")
    assert radium.drug is Drug.RADIUM_223
    assert radium.drug_class is DrugClass.RADIOPHARMACEUTICAL
    assert_equal(radium.dose, quantity(55.0, "kBq/kg"))
    assert radium.calibration_standard is CalibrationStandard.NIST_2015
    assert radium.deck_dose is not None
    assert_equal(radium.deck_dose.dose, quantity(50.0, "kBq/kg"))
    assert radium.deck_dose.calibration_standard is CalibrationStandard.PRE_2015
    assert radium.administrations == 6
    assert radium.interval.m_as("day") == 28.0
    assert radium.indication is Indication.BONE_METASTASES


def test_renal_rules_per_row() -> None:
    """O-RENAL: which label rule applies to each regimen."""
    assert {item.id: item.renal for item in load_regimens()} == {
        "alendronic-acid-10mg-daily": RenalRule.ALENDRONIC_ACID,
        "alendronic-acid-70mg-weekly": RenalRule.ALENDRONIC_ACID,
        "risedronic-acid-5mg-daily": RenalRule.RISEDRONIC_ACID,
        "risedronic-acid-35mg-weekly": RenalRule.RISEDRONIC_ACID,
        "pamidronate-90mg-4-weekly": RenalRule.PAMIDRONATE,
        "ibandronic-acid-50mg-daily": RenalRule.LABEL_NOT_QUANTIFIED,
        "ibandronic-acid-150mg-monthly": RenalRule.LABEL_NOT_QUANTIFIED,
        "ibandronic-acid-3mg-iv-3-monthly": RenalRule.LABEL_NOT_QUANTIFIED,
        "zoledronic-acid-5mg-yearly": RenalRule.ZOLEDRONIC_ACID_5MG,
        "zoledronic-acid-4mg-monthly": RenalRule.ZOLEDRONIC_ACID_4MG,
        "denosumab-60mg-6-monthly": RenalRule.NONE,
        "denosumab-120mg-monthly": RenalRule.NONE,
        "radium-223-4-weekly": RenalRule.NONE,
    }


def test_unknown_regimen_id_is_a_typed_error() -> None:
    with pytest.raises(InvalidValueError) as caught:
        regimen("zoledronic-acid-8mg")
    assert caught.value.field == "regimen_id"


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_text())
    return copy.deepcopy(document)


def _parse(document: dict[str, Any]) -> None:
    parse_regimens(json.dumps(document), source="test.json")


def _changed(path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    document = _document()
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "error", "field"),
    [
        (("regimens", 9, "dose"), "4 kg/kg", DimensionError, "test.json.regimens[9].dose"),
        (("regimens", 9, "dose"), "4 g", ImplausibleValueError, "test.json.regimens[9].dose"),
        (("regimens", 9, "dose"), "4 MG", InputError, "test.json.regimens[9].dose"),
        (("regimens", 9, "dose"), 4, InvalidValueError, "test.json.regimens[9].dose"),
        (("regimens", 9, "interval"), "1 mg", DimensionError, "test.json.regimens[9].interval"),
        (("regimens", 9, "drug"), "zoledronate", InvalidValueError, "test.json.regimens[9].drug"),
        (
            ("regimens", 9, "price", "amount"),
            "143",
            InvalidValueError,
            "test.json.regimens[9].price.amount",
        ),
        (
            ("regimens", 9, "price", "currency"),
            "USD",
            InvalidValueError,
            "test.json.regimens[9].price.currency",
        ),
        (
            ("regimens", 9, "rule_ids"),
            ["O-NOPE"],
            InvalidValueError,
            "test.json.regimens[9].rule_ids[0]",
        ),
        (("regimens", 9, "id"), "alendronic-acid-10mg-daily", InvalidValueError, None),
        (
            ("regimens", 12, "calibration_standard"),
            None,
            InvalidValueError,
            "test.json.regimens[12].calibration_standard",
        ),
        (
            ("regimens", 0, "infusion_time"),
            "15 min",
            InvalidValueError,
            "test.json.regimens[0].infusion_time",
        ),
        (("format",), "something-else", InvalidValueError, "test.json.catalogue.format"),
    ],
)
def test_malformed_rows_raise_typed_errors(
    path: tuple[str | int, ...], value: object, error: type[InputError], field: str | None
) -> None:
    """O-CAT: the loader refuses a malformed catalogue with a typed error naming the field."""
    with pytest.raises(error) as caught:
        _parse(_changed(path, value))
    if field is not None:
        assert caught.value.field == field
    else:
        assert caught.value.message == "duplicate regimen id"


def test_missing_and_unknown_keys_and_broken_json() -> None:
    """O-CAT: missing and unknown keys, and text that is not JSON, are typed errors."""
    document = _document()
    del document["regimens"][3]["price"]
    with pytest.raises(MissingValueError) as missing:
        _parse(document)
    assert missing.value.field == "test.json.regimens[3].price"
    with pytest.raises(InvalidValueError) as unknown:
        _parse(_changed(("regimens", 3, "strength"), "strong"))
    assert unknown.value.field == "test.json.regimens[3].strength"
    with pytest.raises(InvalidValueError) as broken:
        parse_regimens("{", source="test.json")
    assert broken.value.field == "test.json"


def test_the_shipped_text_parses_to_the_loaded_catalogue() -> None:
    assert parse_regimens(_text()) == load_regimens()
