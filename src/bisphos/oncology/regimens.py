"""The regimen catalogue of the deck (O-CAT), loaded from package data and validated.

``regimens.json`` beside this module holds one row per regimen: drug, product names, dose as a
quantity string, route, interval, infusion time, indication and registration, the 2016 list price
per administration with its source, precautions, the renal rule of O-RENAL that applies, and the
rule ids. It is read with :mod:`importlib.resources` and every row is validated when loaded; a
malformed file raises a typed :class:`~bisphos.errors.InputError` naming the row and field, never a
``KeyError`` from deep inside. Quantities are kept in the unit the catalogue writes them in (an
interval of ``1 month`` stays a month), after their kind has been checked.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Final, TypeVar

import attrs

from bisphos import quantities as q
from bisphos.errors import InputError, InvalidValueError, MissingValueError
from bisphos.model import PlausibleRange
from bisphos.oncology.patient import Tumour
from bisphos.oncology.rules import RULES
from bisphos.units import Quantity, parse_quantity

__all__ = [
    "CATALOGUE_FORMAT",
    "REGIMENS_RESOURCE",
    "CalibrationStandard",
    "DeckDose",
    "Drug",
    "DrugClass",
    "Indication",
    "ListPrice",
    "Regimen",
    "Registration",
    "RenalRule",
    "Route",
    "load_regimens",
    "parse_regimens",
    "regimen",
    "regimens_by_id",
]

#: File name of the catalogue inside the package.
REGIMENS_RESOURCE: Final = "regimens.json"
#: The value of the catalogue's ``format`` key.
CATALOGUE_FORMAT: Final = "bisphos-oncology-regimens"


class Drug(enum.StrEnum):
    """The drugs of the deck."""

    ALENDRONIC_ACID = "alendronic_acid"
    RISEDRONIC_ACID = "risedronic_acid"
    PAMIDRONATE = "pamidronate"
    IBANDRONIC_ACID = "ibandronic_acid"
    ZOLEDRONIC_ACID = "zoledronic_acid"
    DENOSUMAB = "denosumab"
    RADIUM_223 = "radium_223"


class DrugClass(enum.StrEnum):
    """Drug classes, which share side-effect lists (O-SE-BP, O-SE-DMAB) and precautions."""

    BISPHOSPHONATE = "bisphosphonate"
    RANKL_ANTIBODY = "rankl_antibody"
    RADIOPHARMACEUTICAL = "radiopharmaceutical"


_CLASS_OF: Final = {
    Drug.DENOSUMAB: DrugClass.RANKL_ANTIBODY,
    Drug.RADIUM_223: DrugClass.RADIOPHARMACEUTICAL,
}


class Route(enum.StrEnum):
    """Route of administration."""

    ORAL = "oral"
    INTRAVENOUS = "intravenous"
    SUBCUTANEOUS = "subcutaneous"


class Indication(enum.StrEnum):
    """What the product and dose are for, as the deck groups them."""

    OSTEOPOROSIS = "osteoporosis"
    BONE_COMPLICATIONS = "bone_complications"
    BONE_METASTASES = "bone_metastases"


class RenalRule(enum.StrEnum):
    """Which renal rule of O-RENAL applies to a regimen (see :mod:`bisphos.oncology.renal`)."""

    ZOLEDRONIC_ACID_4MG = "zoledronic_acid_4mg"
    ZOLEDRONIC_ACID_5MG = "zoledronic_acid_5mg"
    PAMIDRONATE = "pamidronate"
    ALENDRONIC_ACID = "alendronic_acid"
    RISEDRONIC_ACID = "risedronic_acid"
    LABEL_NOT_QUANTIFIED = "label_not_quantified"
    NONE = "none"


class CalibrationStandard(enum.StrEnum):
    """The activity standard a radium-223 activity is measured against (O-RA223).

    The 2015 NIST re-standardisation reads the same physical activity about 9.5 % higher than the
    standard before it, so the deck's 50 kBq/kg and the label's 55 kBq/kg are one dose.
    """

    PRE_2015 = "pre_2015"
    NIST_2015 = "nist_2015"


@attrs.frozen
class Registration:
    """What the deck says about a product's registration.

    Attributes:
        malignant_bone_disease: Registered for malignant bone disease; ``None`` when the deck
            does not say.
        only_tumours: The tumours it is registered for, when the deck restricts it.
        excluded_tumours: Tumours it is not registered for.
        deck: The deck's phrase, in Dutch; empty when the deck says nothing.
    """

    malignant_bone_disease: bool | None
    only_tumours: tuple[Tumour, ...]
    excluded_tumours: tuple[Tumour, ...]
    deck: str

    def allows(self, tumour: Tumour) -> bool:
        """Return whether the deck's registration statements allow use in ``tumour``."""
        if tumour in self.excluded_tumours:
            return False
        return not self.only_tumours or tumour in self.only_tumours


@attrs.frozen
class ListPrice:
    """A list price per administration, in euro, of one year.

    Attributes:
        amount: The price of one administration.
        currency: ``"EUR"``.
        year: The year of the price list (2016 for the deck).
        source: Where the price comes from.
    """

    amount: Decimal
    currency: str
    year: int
    source: str

    def __str__(self) -> str:
        return f"€ {self.amount:.2f} per administration ({self.year} list price)"


@attrs.frozen
class DeckDose:
    """The dose as the deck states it, when the label now states it differently (radium-223).

    Attributes:
        dose: The deck's figure, e.g. 50 kBq/kg.
        calibration_standard: The standard the deck's figure is measured against.
    """

    dose: Quantity
    calibration_standard: CalibrationStandard


@attrs.frozen
class Regimen:
    """One row of the regimen catalogue (O-CAT).

    Attributes:
        id: Stable id, e.g. ``"zoledronic-acid-4mg-monthly"``.
        drug: The drug.
        products: Product names the deck gives (radium-223: the label's).
        dose: Dose per administration: mg, or kBq/kg for radium-223.
        calibration_standard: The standard a radioactivity dose is stated in; ``None`` for mg.
        deck_dose: The deck's own figure where the label now states another one.
        route: Oral, intravenous or subcutaneous.
        interval: Time between administrations, in the catalogue's unit (O-INTERVAL: the deck's
            "1x/maand" of zoledronic acid 4 mg and denosumab 120 mg is every 4 weeks).
        deck_interval: The deck's own wording of the interval, shown beside it.
        administrations: Number of administrations in a course; ``None`` when continuing.
        infusion_time: Duration of an infusion, when the deck states it.
        indication: Osteoporosis, bone complications or bone metastases.
        registration: What the deck says about registration.
        price: List price per administration; ``None`` when the deck gives none.
        renal: The renal rule of O-RENAL that applies.
        precautions: The deck's precautions (English, with the Dutch phrase).
        rule_ids: The rules the row comes from.
    """

    id: str
    drug: Drug
    products: tuple[str, ...]
    dose: Quantity
    calibration_standard: CalibrationStandard | None
    deck_dose: DeckDose | None
    route: Route
    interval: Quantity
    deck_interval: str
    administrations: int | None
    infusion_time: Quantity | None
    indication: Indication
    registration: Registration
    price: ListPrice | None
    renal: RenalRule
    precautions: tuple[str, ...]
    rule_ids: tuple[str, ...]

    @property
    def drug_class(self) -> DrugClass:
        """The drug's class: bisphosphonate, RANKL antibody or radiopharmaceutical."""
        return _CLASS_OF.get(self.drug, DrugClass.BISPHOSPHONATE)


_ROW_KEYS: Final = tuple(attrs.fields_dict(Regimen))
_TOP_KEYS: Final = ("format", "version", "source", "regimens")
_REGISTRATION_KEYS: Final = tuple(attrs.fields_dict(Registration))
_PRICE_KEYS: Final = ("amount", "currency", "year", "per", "source")
_DECK_DOSE_KEYS: Final = ("dose", "calibration_standard")
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PRICE = re.compile(r"^\d{1,6}\.\d{2}$")
_HOURS_PER_YEAR: Final = 365.25 * 24

#: Plausible values of catalogue quantities; outside them a row is a typing error.
_RANGES: Final = {
    "dose": PlausibleRange(q.DOSE, 0.001, 200.0, "no dose of the deck exceeds 150 mg"),
    "activity": PlausibleRange(q.RADIOACTIVITY_PER_KG, 1.0, 200.0, "radium-223 is dosed near 55"),
    "interval": PlausibleRange(q.DURATION, 24.0, _HOURS_PER_YEAR, "from daily to yearly"),
    "infusion_time": PlausibleRange(q.DURATION, 1 / 60, 24.0, "from a minute to a day"),
}

_E = TypeVar("_E", bound=enum.StrEnum)


def _object(value: object, field: str, keys: tuple[str, ...]) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise InvalidValueError("must be an object", field=field, expected=f"keys {keys}")
    for key in value:
        if key not in keys:
            raise InvalidValueError(
                "unknown key", field=f"{field}.{key}", value=key, expected=", ".join(keys)
            )
    for key in keys:
        if key not in value:
            raise MissingValueError("is required", field=f"{field}.{key}", expected="a value")
    return value


def _text(value: object, field: str, *, empty: bool = False) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise InvalidValueError("must be text", field=field, value=value, expected="a string")
    return value


def _texts(value: object, field: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise InvalidValueError("must be a list", field=field, value=value, expected="a list")
    return tuple(_text(item, f"{field}[{index}]") for index, item in enumerate(value))


def _member(enum_type: type[_E], value: object, field: str) -> _E:
    for member in enum_type:
        if member.value == value:
            return member
    raise InvalidValueError(
        f"not a {enum_type.__name__}",
        field=field,
        value=value,
        expected=", ".join(member.value for member in enum_type),
    )


def _quantity(value: object, field: str, plausible: PlausibleRange) -> Quantity:
    # The kind and range are checked on the canonical value; the row keeps its own unit.
    given = parse_quantity(_text(value, field), field=field)
    plausible.check(given, field=field)
    return given


def _optional_quantity(value: object, field: str, plausible: PlausibleRange) -> Quantity | None:
    return None if value is None else _quantity(value, field, plausible)


def _registration(value: object, field: str) -> Registration:
    data = _object(value, field, _REGISTRATION_KEYS)
    flag = data["malignant_bone_disease"]
    if flag is not None and not isinstance(flag, bool):
        raise InvalidValueError(
            "must be true, false or null", field=f"{field}.malignant_bone_disease", value=flag
        )

    def tumours(key: str) -> tuple[Tumour, ...]:
        names = _texts(data[key], f"{field}.{key}")
        return tuple(_member(Tumour, name, f"{field}.{key}[{i}]") for i, name in enumerate(names))

    return Registration(
        malignant_bone_disease=flag,
        only_tumours=tumours("only_tumours"),
        excluded_tumours=tumours("excluded_tumours"),
        deck=_text(data["deck"], f"{field}.deck", empty=True),
    )


def _price(value: object, field: str) -> ListPrice | None:
    if value is None:
        return None
    data = _object(value, field, _PRICE_KEYS)
    amount = _text(data["amount"], f"{field}.amount")
    if not _PRICE.match(amount):
        raise InvalidValueError(
            "not a price in euro with two decimals",
            field=f"{field}.amount",
            value=amount,
            expected="text such as '143.00'",
        )
    if data["currency"] != "EUR":
        raise InvalidValueError(
            "unsupported currency",
            field=f"{field}.currency",
            value=data["currency"],
            expected="EUR",
        )
    year = data["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise InvalidValueError(
            "not a price-list year", field=f"{field}.year", value=year, expected="e.g. 2016"
        )
    if data["per"] != "administration":
        raise InvalidValueError(
            "prices are per administration",
            field=f"{field}.per",
            value=data["per"],
            expected="administration",
        )
    return ListPrice(
        amount=Decimal(amount),
        currency="EUR",
        year=year,
        source=_text(data["source"], f"{field}.source"),
    )


def _deck_dose(value: object, field: str) -> DeckDose | None:
    if value is None:
        return None
    data = _object(value, field, _DECK_DOSE_KEYS)
    return DeckDose(
        dose=_quantity(data["dose"], f"{field}.dose", _RANGES["activity"]),
        calibration_standard=_member(
            CalibrationStandard, data["calibration_standard"], f"{field}.calibration_standard"
        ),
    )


def _administrations(value: object, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(
            "not a number of administrations", field=field, value=value, expected="1 or more"
        )
    return value


def _rule_ids(value: object, field: str) -> tuple[str, ...]:
    ids = _texts(value, field)
    if not ids:
        raise MissingValueError("a row names at least one rule id", field=field)
    for index, rule_id in enumerate(ids):
        if rule_id not in RULES:
            raise InvalidValueError(
                "unknown rule id",
                field=f"{field}[{index}]",
                value=rule_id,
                expected="an O-... id of the oncology protocol",
            )
    return ids


def _row(value: object, field: str) -> Regimen:
    data = _object(value, field, _ROW_KEYS)
    drug = _member(Drug, data["drug"], f"{field}.drug")
    route = _member(Route, data["route"], f"{field}.route")
    radioactive = drug is Drug.RADIUM_223
    dose = _quantity(data["dose"], f"{field}.dose", _RANGES["activity" if radioactive else "dose"])
    standard = data["calibration_standard"]
    if radioactive != (standard is not None):
        raise InvalidValueError(
            "a radioactivity names its calibration standard, a mass dose none",
            field=f"{field}.calibration_standard",
            value=standard,
            expected="a standard for radium-223, null otherwise",
        )
    deck_dose = _deck_dose(data["deck_dose"], f"{field}.deck_dose")
    if deck_dose is not None and not radioactive:
        raise InvalidValueError(
            "only a radioactivity has a deck dose under another standard",
            field=f"{field}.deck_dose",
            expected="null",
        )
    infusion_time = _optional_quantity(
        data["infusion_time"], f"{field}.infusion_time", _RANGES["infusion_time"]
    )
    if infusion_time is not None and route is not Route.INTRAVENOUS:
        raise InvalidValueError(
            "only an intravenous regimen has an infusion time",
            field=f"{field}.infusion_time",
            value=data["infusion_time"],
            expected="null",
        )
    products = _texts(data["products"], f"{field}.products")
    if not products:
        raise MissingValueError("name at least one product", field=f"{field}.products")
    return Regimen(
        id=_id(data["id"], f"{field}.id"),
        drug=drug,
        products=products,
        dose=dose,
        calibration_standard=None
        if standard is None
        else _member(CalibrationStandard, standard, f"{field}.calibration_standard"),
        deck_dose=deck_dose,
        route=route,
        interval=_quantity(data["interval"], f"{field}.interval", _RANGES["interval"]),
        deck_interval=_text(data["deck_interval"], f"{field}.deck_interval"),
        administrations=_administrations(data["administrations"], f"{field}.administrations"),
        infusion_time=infusion_time,
        indication=_member(Indication, data["indication"], f"{field}.indication"),
        registration=_registration(data["registration"], f"{field}.registration"),
        price=_price(data["price"], f"{field}.price"),
        renal=_member(RenalRule, data["renal"], f"{field}.renal"),
        precautions=_texts(data["precautions"], f"{field}.precautions"),
        rule_ids=_rule_ids(data["rule_ids"], f"{field}.rule_ids"),
    )


def _id(value: object, field: str) -> str:
    text = _text(value, field)
    if not _ID.match(text):
        raise InvalidValueError(
            "not a regimen id", field=field, value=text, expected="lower-case words joined by '-'"
        )
    return text


def parse_regimens(text: str, *, source: str = REGIMENS_RESOURCE) -> tuple[Regimen, ...]:
    """Parse and validate a regimen catalogue in the format of ``regimens.json``.

    Args:
        text: The JSON text.
        source: Where the text comes from, named in errors.

    Raises:
        InputError: the text is not JSON, or a row is malformed (its field names the row, e.g.
            ``regimens[3].dose``), or two rows share an id.
    """
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidValueError(
            f"not JSON ({error.msg} at line {error.lineno})", field=source, expected="JSON"
        ) from None
    try:
        data = _object(document, "catalogue", _TOP_KEYS)
        if data["format"] != CATALOGUE_FORMAT:
            raise InvalidValueError(
                "not a regimen catalogue",
                field="catalogue.format",
                value=data["format"],
                expected=CATALOGUE_FORMAT,
            )
        rows = data["regimens"]
        if not isinstance(rows, list) or not rows:
            raise InvalidValueError(
                "must be a non-empty list", field="catalogue.regimens", expected="regimen rows"
            )
        regimens = tuple(_row(row, f"regimens[{index}]") for index, row in enumerate(rows))
        seen: set[str] = set()
        for index, item in enumerate(regimens):
            if item.id in seen:
                raise InvalidValueError(
                    "duplicate regimen id", field=f"regimens[{index}].id", value=item.id
                )
            seen.add(item.id)
    except InputError as error:
        raise error.at(source) from None
    return regimens


@cache
def load_regimens() -> tuple[Regimen, ...]:
    """Return the package's regimen catalogue (O-CAT), validated, in file order."""
    text = files("bisphos.oncology").joinpath(REGIMENS_RESOURCE).read_text(encoding="utf-8")
    return parse_regimens(text)


@cache
def regimens_by_id() -> Mapping[str, Regimen]:
    """Return the package's regimen catalogue as a read-only mapping by regimen id."""
    return MappingProxyType({item.id: item for item in load_regimens()})


def regimen(regimen_id: str) -> Regimen:
    """Return the catalogue's regimen ``regimen_id``.

    Raises:
        InvalidValueError: no regimen has that id.
    """
    try:
        return regimens_by_id()[regimen_id]
    except KeyError:
        raise InvalidValueError(
            "unknown regimen id",
            field="regimen_id",
            value=regimen_id,
            expected=", ".join(regimens_by_id()),
        ) from None
