"""The patient: frozen attrs values with every measured value a Pint quantity.

Values are normalised when constructed: each quantity is converted to its kind's canonical unit
(:mod:`bisphos.quantities`), so a patient entered in pounds equals the same patient entered in
kilograms. Validators refuse wrong dimensions, NaN, infinities, negatives and physiologically
implausible values; :data:`PLAUSIBLE_RANGES` lists each range with the reason for it. No clock is
read: the age is derived from the birth date and the assessment date, both inputs.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from typing import Final, TypeVar

import attrs

from bisphos import quantities as q
from bisphos.dates import age_in_years
from bisphos.errors import ImplausibleValueError, InputLimitError, InvalidValueError
from bisphos.quantities import QuantityKind
from bisphos.units import Quantity, format_quantity, magnitude_in, quantity
from bisphos.validation import check_text, date_in_range, picture

_T = TypeVar("_T")

__all__ = [
    "MAX_ITEMS",
    "PATIENT_ID_MAX_LENGTH",
    "PLAUSIBLE_RANGES",
    "Z_SCORE_LIMIT",
    "BmdMeasurement",
    "BmdSite",
    "ComplicationGrade",
    "Diagnosis",
    "Drug",
    "Fracture",
    "FractureSite",
    "InfusionRecord",
    "LabResult",
    "Labs",
    "OISeverity",
    "Patient",
    "PlausibleRange",
    "RiskFlags",
    "Sex",
    "Trauma",
    "VitalSigns",
    "check_life_dates",
]


class Sex(enum.StrEnum):
    """Sex as recorded; ``female`` matters for pregnancy counselling (P-CI-PREG)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class Diagnosis(enum.StrEnum):
    """The underlying condition, covering the categories of P-IND-A.

    ``OTHER`` is any condition outside P-IND-A; it is not an indication.
    """

    OSTEOGENESIS_IMPERFECTA = "osteogenesis_imperfecta"
    PRIMARY_OSTEOPOROSIS = "primary_osteoporosis"
    IDIOPATHIC_JUVENILE_OSTEOPOROSIS = "idiopathic_juvenile_osteoporosis"
    SECONDARY_CORTICOSTEROIDS = "secondary_corticosteroids"
    SECONDARY_IMMOBILITY = "secondary_immobility"
    SECONDARY_INTESTINAL_FAILURE = "secondary_intestinal_failure"
    SECONDARY_OTHER = "secondary_other"
    OTHER = "other"


class OISeverity(enum.StrEnum):
    """Clinical severity of osteogenesis imperfecta (maintenance, P-MAINT-ENTRY/STOP)."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class FractureSite(enum.StrEnum):
    """Where a fracture was: the classes P-FX-a/b/c count."""

    VERTEBRAL_COMPRESSION = "vertebral_compression"
    LONG_BONE = "long_bone"
    OTHER = "other"


class Trauma(enum.StrEnum):
    """The energy of the trauma that caused a fracture ("minimaal / gering trauma")."""

    MINIMAL = "minimal"
    LOW = "low"
    HIGH = "high"


class BmdSite(enum.StrEnum):
    """DXA measurement sites named by P-BMD and P-PRE-DXA."""

    LUMBAR_SPINE = "lumbar_spine"
    TOTAL_BODY_LESS_HEAD = "total_body_less_head"
    FEMUR = "femur"


class Drug(enum.StrEnum):
    """Intravenous bisphosphonates of the pediatric protocol."""

    ZOLEDRONIC_ACID = "zoledronic_acid"
    PAMIDRONATE = "pamidronate"


class ComplicationGrade(enum.StrEnum):
    """Complications after an infusion; more than mild lowers later doses (P-ZOL-COMPL)."""

    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


@attrs.frozen
class PlausibleRange:
    """An inclusive range of physiologically plausible values and the reason for it.

    Attributes:
        kind: The kind of value, which fixes the unit of ``low`` and ``high``.
        low: Lowest accepted magnitude, in the kind's canonical unit.
        high: Highest accepted magnitude, in the kind's canonical unit.
        reason: Why values outside are refused.
    """

    kind: QuantityKind
    low: float
    high: float
    reason: str

    def check(self, value: Quantity, *, field: str) -> Quantity:
        """Return ``value`` in canonical units, or raise when it is outside the range."""
        canonical = self.kind.conform(value, field=field)
        magnitude = float(canonical.magnitude)
        if not self.low <= magnitude <= self.high:
            unit = format_quantity(canonical).split(" ", 1)[1]
            raise ImplausibleValueError(
                f"{self.kind.name} outside the plausible range ({self.reason})",
                field=field,
                value=format_quantity(canonical),
                expected=f"{self.low:g} to {self.high:g} {unit}",
            )
        return canonical


def _range(kind: QuantityKind, low: float, high: float, reason: str) -> PlausibleRange:
    return PlausibleRange(kind=kind, low=low, high=high, reason=reason)


#: Plausibility ranges of every measured patient value, by field name.
PLAUSIBLE_RANGES: Final[dict[str, PlausibleRange]] = {
    "weight": _range(
        q.WEIGHT,
        0.4,
        250.0,
        "from extremely preterm neonates to the heaviest adolescents; 300 kg is a typing error",
    ),
    "height": _range(q.HEIGHT, 25.0, 230.0, "a preterm neonate to the tallest adolescents"),
    "temperature": _range(q.TEMPERATURE, 30.0, 45.0, "outside this a living patient is unlikely"),
    "heart_rate": _range(q.HEART_RATE, 20.0, 300.0, "beyond neonatal tachycardia and bradycardia"),
    "systolic_bp": _range(q.BLOOD_PRESSURE, 30.0, 300.0, "beyond shock and hypertensive crisis"),
    "diastolic_bp": _range(q.BLOOD_PRESSURE, 10.0, 200.0, "beyond shock and hypertensive crisis"),
    "calcium": _range(q.CALCIUM, 0.5, 5.0, "total calcium outside this is incompatible with life"),
    "phosphate": _range(q.PHOSPHATE, 0.1, 6.0, "beyond severe hypo- and hyperphosphataemia"),
    "alkaline_phosphatase": _range(
        q.ALKALINE_PHOSPHATASE, 5.0, 10000.0, "beyond the highest values in rickets or Paget"
    ),
    "urea": _range(q.UREA, 0.1, 150.0, "beyond end-stage renal failure"),
    "creatinine": _range(
        q.CREATININE, 5.0, 3000.0, "a creatinine of 0 is impossible; over 3000 µmol/l is not seen"
    ),
    "albumin": _range(q.ALBUMIN, 5.0, 80.0, "beyond severe nephrotic syndrome and dehydration"),
    "vitamin_d_25oh": _range(
        q.VITAMIN_D_25OH, 1.0, 1000.0, "below assay limits or beyond vitamin D intoxication"
    ),
    "pth": _range(q.PTH, 0.1, 500.0, "beyond severe hyperparathyroidism"),
    "dose": _range(q.DOSE, 0.001, 200.0, "no intravenous bisphosphonate dose exceeds 200 mg"),
    "age_at_fracture": _range(q.AGE, 0.0, 120.0, "an age cannot be negative"),
}


def _plausible(name: str, value: Quantity) -> Quantity:
    return PLAUSIBLE_RANGES[name].check(value, field=name)


def _optional(name: str, value: Quantity | None) -> Quantity | None:
    return None if value is None else _plausible(name, value)


# Named converters: the attrs mypy plugin types __init__ from them.
def _weight(value: Quantity) -> Quantity:
    return _plausible("weight", value)


def _height(value: Quantity | None) -> Quantity | None:
    return _optional("height", value)


def _temperature(value: Quantity | None) -> Quantity | None:
    return _optional("temperature", value)


def _heart_rate(value: Quantity | None) -> Quantity | None:
    return _optional("heart_rate", value)


def _systolic(value: Quantity | None) -> Quantity | None:
    return _optional("systolic_bp", value)


def _diastolic(value: Quantity | None) -> Quantity | None:
    return _optional("diastolic_bp", value)


def _dose(value: Quantity) -> Quantity:
    return _plausible("dose", value)


def _age_at_fracture(value: Quantity | None) -> Quantity | None:
    return _optional("age_at_fracture", value)


#: A DXA Z-score is plausible from minus to plus this many standard deviations.
Z_SCORE_LIMIT: Final = 10.0


def _finite_z(instance: object, attribute: attrs.Attribute[float], value: object) -> None:
    limit = Z_SCORE_LIMIT
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not -limit <= value <= limit
    ):
        raise ImplausibleValueError(
            "a DXA Z-score must be a number from -10 to 10",
            field=attribute.name,
            value=value,
            expected="a standard deviation score such as -2.3",
        )


@attrs.frozen
class Fracture:
    """A fracture in the history, as P-FX-a/b/c count them.

    Exactly one of ``date`` and ``age_at_fracture`` is given; the rules derive the age at the
    fracture from the date and the birth date when the date is known.

    Attributes:
        site: Vertebral compression, long bone or other.
        trauma: Minimal, low or high energy; high-energy fractures never count (P-FX-c).
        date: The date of the fracture.
        age_at_fracture: The age at the fracture, when the date is not known.
    """

    site: FractureSite = attrs.field(converter=FractureSite)
    trauma: Trauma = attrs.field(converter=Trauma)
    date: dt.date | None = None
    age_at_fracture: Quantity | None = attrs.field(default=None, converter=_age_at_fracture)

    def __attrs_post_init__(self) -> None:
        if (self.date is None) == (self.age_at_fracture is None):
            raise InvalidValueError(
                "give either the date or the age at the fracture",
                field="date",
                value=None if self.date is None else self.date.isoformat(),
                expected="exactly one of 'date' and 'age_at_fracture'",
            )


@attrs.frozen
class BmdMeasurement:
    """A DXA bone mineral density Z-score at one site (P-BMD).

    A Z-score is a count of standard deviations and has no unit.

    Attributes:
        site: Lumbar spine, total body less head, or femur.
        z_score: The Z-score in SDS.
        size_corrected: Whether the score is corrected for short stature (e.g. BMAD of the spine);
            P-BMD uses the corrected score where one is given.
        date: The date of the scan.
    """

    site: BmdSite = attrs.field(converter=BmdSite)
    z_score: float = attrs.field(validator=_finite_z)
    size_corrected: bool = False
    date: dt.date | None = None


@attrs.frozen
class LabResult:
    """One laboratory value with its date and, optionally, the laboratory's upper limit.

    The value is converted to its analyte's canonical unit by :class:`Labs`.

    Attributes:
        value: The measured value.
        date: When the sample was taken.
        upper_limit: The laboratory's upper reference limit, in a unit of the same analyte.
    """

    value: Quantity
    date: dt.date | None = None
    upper_limit: Quantity | None = None


#: The analyte kind of each field of :class:`Labs`.
LAB_KINDS: Final[dict[str, QuantityKind]] = {
    "calcium": q.CALCIUM,
    "phosphate": q.PHOSPHATE,
    "alkaline_phosphatase": q.ALKALINE_PHOSPHATASE,
    "urea": q.UREA,
    "creatinine": q.CREATININE,
    "albumin": q.ALBUMIN,
    "vitamin_d_25oh": q.VITAMIN_D_25OH,
    "pth": q.PTH,
}


def _lab(name: str, result: LabResult | Quantity | None) -> LabResult | None:
    if result is None:
        return None
    if not isinstance(result, LabResult):
        result = LabResult(value=result)
    limit = result.upper_limit
    try:
        value = _plausible(name, result.value)
        if limit is not None:
            limit = _plausible(name, limit)
    except InvalidValueError as error:
        raise error.at(name) from None
    return LabResult(value=value, date=result.date, upper_limit=limit)


def _calcium(value: LabResult | Quantity | None) -> LabResult | None:
    return _lab("calcium", value)


def _phosphate(value: LabResult | Quantity | None) -> LabResult | None:
    return _lab("phosphate", value)


def _alkaline_phosphatase(value: LabResult | Quantity | None) -> LabResult | None:
    return _lab("alkaline_phosphatase", value)


def _urea(value: LabResult | Quantity | None) -> LabResult | None:
    return _lab("urea", value)


def _creatinine(value: LabResult | Quantity | None) -> LabResult | None:
    return _lab("creatinine", value)


def _albumin(value: LabResult | Quantity | None) -> LabResult | None:
    return _lab("albumin", value)


def _vitamin_d(value: LabResult | Quantity | None) -> LabResult | None:
    return _lab("vitamin_d_25oh", value)


def _pth(value: LabResult | Quantity | None) -> LabResult | None:
    return _lab("pth", value)


@attrs.frozen
class Labs:
    """The laboratory values of P-PRE-LABS, each optional, each in its analyte's unit.

    A bare quantity is accepted for any field and becomes an undated :class:`LabResult`.
    """

    calcium: LabResult | None = attrs.field(default=None, converter=_calcium)
    phosphate: LabResult | None = attrs.field(default=None, converter=_phosphate)
    alkaline_phosphatase: LabResult | None = attrs.field(
        default=None, converter=_alkaline_phosphatase
    )
    urea: LabResult | None = attrs.field(default=None, converter=_urea)
    creatinine: LabResult | None = attrs.field(default=None, converter=_creatinine)
    albumin: LabResult | None = attrs.field(default=None, converter=_albumin)
    vitamin_d_25oh: LabResult | None = attrs.field(default=None, converter=_vitamin_d)
    pth: LabResult | None = attrs.field(default=None, converter=_pth)

    def missing(self) -> tuple[str, ...]:
        """Return the names of the fields that have no value, in declaration order."""
        return tuple(name for name in LAB_KINDS if getattr(self, name) is None)


@attrs.frozen
class VitalSigns:
    """Temperature, heart rate and blood pressure at one moment (P-MON-CHECKS).

    Attributes:
        temperature: Body temperature.
        heart_rate: Heart rate.
        systolic_bp: Systolic blood pressure.
        diastolic_bp: Diastolic blood pressure.
        date: The day they were taken; ``None`` means on the assessment date, as the patient's
            ``vitals`` field is today's. Vital signs of another day do not clear today's
            infusion (P-FRESH).
    """

    temperature: Quantity | None = attrs.field(default=None, converter=_temperature)
    heart_rate: Quantity | None = attrs.field(default=None, converter=_heart_rate)
    systolic_bp: Quantity | None = attrs.field(default=None, converter=_systolic)
    diastolic_bp: Quantity | None = attrs.field(default=None, converter=_diastolic)
    date: dt.date | None = attrs.field(default=None, validator=date_in_range)


@attrs.frozen
class InfusionRecord:
    """A bisphosphonate infusion already given.

    Attributes:
        drug: Zoledronic acid or pamidronate.
        date: The day of the infusion (the first day of a multi-day cycle).
        dose: The dose given that day.
        complication: The worst complication after it (P-ZOL-COMPL).
    """

    drug: Drug = attrs.field(converter=Drug)
    date: dt.date
    dose: Quantity = attrs.field(converter=_dose)
    complication: ComplicationGrade = attrs.field(
        default=ComplicationGrade.NONE, converter=ComplicationGrade
    )


@attrs.frozen
class RiskFlags:
    """Clinical facts the rules ask about that are not measurements.

    Attributes:
        prolonged_immobilisation: "Hungry bones" risk (P-HUNGRY).
        low_bone_turnover: Osteoporosis with low bone turnover (P-ZOL-LOW).
        dark_skin: Raises the vitamin D advice to 800 IU (P-SUPP-VITD).
        little_time_outdoors: Idem.
        pregnant: Known pregnancy blocks every infusion (P-CI-PREG); ``None`` means not
            recorded, which P-CI-PREG reports for a patient who could become pregnant.
        could_become_pregnant: Whether counselling is needed (P-CI-PREG); ``None`` means not
            recorded, and then female patients aged 10 years or more are counselled.
        expected_spontaneous_recovery: The risk factor goes away (P-IND-RECOVERY).
        bisphosphonate_hypersensitivity: Known hypersensitivity (P-CI-ALLERGY).
        impaired_fracture_healing: A history of impaired fracture healing: a recent fracture
            calls for consulting the treating physician (P-FX-RECENT).
    """

    prolonged_immobilisation: bool = False
    low_bone_turnover: bool = False
    dark_skin: bool = False
    little_time_outdoors: bool = False
    pregnant: bool | None = False
    could_become_pregnant: bool | None = None
    expected_spontaneous_recovery: bool = False
    bisphosphonate_hypersensitivity: bool = False
    impaired_fracture_healing: bool = False


_GENE = re.compile(r"[A-Z][A-Z0-9-]{1,15}", re.ASCII)

#: The most items of each list of a patient; a longer list is refused (InputLimitError).
MAX_ITEMS: Final[dict[str, int]] = {
    "fractures": 1000,
    "bmd": 200,
    "infusions": 1000,
    "gene_variants": 32,
}
#: The longest patient identifier, in characters.
PATIENT_ID_MAX_LENGTH: Final = 64


def _bounded(name: str, value: Iterable[_T]) -> tuple[_T, ...]:
    items: list[_T] = []
    for item in value:
        items.append(item)
        if len(items) > MAX_ITEMS[name]:
            raise InputLimitError(
                f"more than {MAX_ITEMS[name]} {name.replace('_', ' ')} in one patient",
                field=name,
                limit=f"{name} per patient",
                expected=f"at most {MAX_ITEMS[name]}",
            )
    return tuple(items)


def _genes(value: Iterable[object]) -> tuple[str, ...]:
    genes = _bounded("gene_variants", value)
    for gene in genes:
        if not isinstance(gene, str) or not _GENE.fullmatch(gene):
            raise InvalidValueError(
                "not an HGNC gene symbol",
                field="gene_variants",
                value=picture(gene),
                expected="an upper-case gene symbol such as COL1A1, PLS3, WNT1 or LRP5",
            )
    return genes  # type: ignore[return-value]  # each checked to be a str above


def _fractures(value: Iterable[Fracture]) -> tuple[Fracture, ...]:
    return _bounded("fractures", value)


def _bmd(value: Iterable[BmdMeasurement]) -> tuple[BmdMeasurement, ...]:
    return _bounded("bmd", value)


def _infusions(value: Iterable[InfusionRecord]) -> tuple[InfusionRecord, ...]:
    return tuple(sorted(_bounded("infusions", value), key=lambda record: record.date))


def _patient_id(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_text(value, field=attribute.name, max_length=PATIENT_ID_MAX_LENGTH)


#: The oldest patient the model accepts; the protocols decide their own scope.
MAX_AGE_YEARS: Final = 120


def check_life_dates(
    born: dt.date, today: dt.date, dated: Iterable[tuple[str, dt.date | None]] = ()
) -> None:
    """Check a birth date against the assessment date, and each dated field against both.

    Args:
        born: The birth date.
        today: The assessment date.
        dated: ``(field path, date)`` pairs; ``None`` dates are skipped.

    Raises:
        InvalidValueError: the birth date is after ``today``, or a date is outside the life.
        ImplausibleValueError: the age is over :data:`MAX_AGE_YEARS`.
    """
    if born > today:
        raise InvalidValueError(
            "the birth date is after the assessment date",
            field="birth_date",
            value=born.isoformat(),
            expected=f"a date on or before {today.isoformat()}",
        )
    if age_in_years(born, today) > MAX_AGE_YEARS:
        raise ImplausibleValueError(
            "age over 120 years",
            field="birth_date",
            value=born.isoformat(),
            expected="a birth date less than 120 years before the assessment date",
        )
    for field, date in dated:
        if date is not None and not born <= date <= today:
            raise InvalidValueError(
                "the date is outside the patient's life up to the assessment date",
                field=field,
                value=date.isoformat(),
                expected=f"a date from {born.isoformat()} to {today.isoformat()}",
            )


@attrs.frozen
class Patient:
    """One patient at one assessment date.

    Attributes:
        birth_date: Date of birth.
        assessment_date: The date the decision is made for; also "today" for every rule. Both
            dates are from :data:`bisphos.validation.DATE_MIN` to
            :data:`~bisphos.validation.DATE_MAX`.
        sex: Female, male or other.
        weight: Body weight on the assessment date.
        diagnosis: The underlying condition (P-IND-A).
        height: Body height (length), needed for the Schwartz GFR (P-GFR).
        patient_id: An identifier chosen by the caller; never interpreted. Printable text of at
            most :data:`PATIENT_ID_MAX_LENGTH` characters (:func:`bisphos.validation.check_text`:
            no control or format characters), so that no output can show more than the value.
        oi_severity: Severity of osteogenesis imperfecta, when that is the diagnosis.
        gene_variants: Genes with a pathogenic variant (P-IND-GENE: WNT1, LRP5).
        fractures: The fracture history.
        bmd: DXA Z-scores.
        labs: Laboratory values.
        vitals: Today's vital signs, before the infusion.
        baseline_vitals: The patient's baseline vital signs (P-MON-CALL compares with them).
        infusions: Infusions already given, sorted by date.
        risks: Risk flags.
        still_growing: Whether the child is still growing (P-MAINT-ENTRY/STOP).
        weight_date: The day the weight was measured; ``None`` means on the assessment date. A
            weight older than 30 days gives the WARN "weigh before the infusion" (P-FRESH).
    """

    birth_date: dt.date = attrs.field(validator=date_in_range)
    assessment_date: dt.date = attrs.field(validator=date_in_range)
    sex: Sex = attrs.field(converter=Sex)
    weight: Quantity = attrs.field(converter=_weight)
    diagnosis: Diagnosis = attrs.field(converter=Diagnosis)
    height: Quantity | None = attrs.field(default=None, converter=_height)
    patient_id: str = attrs.field(default="", validator=_patient_id)
    oi_severity: OISeverity | None = None
    gene_variants: tuple[str, ...] = attrs.field(default=(), converter=_genes)
    fractures: tuple[Fracture, ...] = attrs.field(default=(), converter=_fractures)
    bmd: tuple[BmdMeasurement, ...] = attrs.field(default=(), converter=_bmd)
    labs: Labs = attrs.field(factory=Labs)
    vitals: VitalSigns = attrs.field(factory=VitalSigns)
    baseline_vitals: VitalSigns | None = None
    infusions: tuple[InfusionRecord, ...] = attrs.field(default=(), converter=_infusions)
    risks: RiskFlags = attrs.field(factory=RiskFlags)
    still_growing: bool | None = None
    weight_date: dt.date | None = attrs.field(default=None, validator=date_in_range)

    def __attrs_post_init__(self) -> None:
        self._check_dates()

    def _check_dates(self) -> None:
        born, today = self.birth_date, self.assessment_date
        check_life_dates(
            born,
            today,
            [
                *((f"fractures[{i}].date", f.date) for i, f in enumerate(self.fractures)),
                *((f"bmd[{i}].date", b.date) for i, b in enumerate(self.bmd)),
                *((f"infusions[{i}].date", r.date) for i, r in enumerate(self.infusions)),
                *((f"labs.{name}.date", _lab_date(self.labs, name)) for name in LAB_KINDS),
                ("weight_date", self.weight_date),
                ("vitals.date", self.vitals.date),
                *(
                    (("baseline_vitals.date", self.baseline_vitals.date),)
                    if self.baseline_vitals is not None
                    else ()
                ),
            ],
        )
        age_now = (today - born).days / 365.25
        for index, fracture in enumerate(self.fractures):
            age = fracture.age_at_fracture
            if age is not None and float(magnitude_in(age, "year")) > age_now + 1e-9:
                raise InvalidValueError(
                    "the age at the fracture is above the current age",
                    field=f"fractures[{index}].age_at_fracture",
                    value=format_quantity(age),
                    expected=f"at most {age_now:.2f} years",
                )

    @property
    def age(self) -> Quantity:
        """The age on the assessment date, in (Julian) years, for display.

        Decisions on age use :func:`bisphos.dates.is_younger_than`, which counts calendar years.
        """
        days = (self.assessment_date - self.birth_date).days
        return quantity(days / 365.25, q.AGE.canonical)

    @property
    def age_in_whole_years(self) -> int:
        """The age on the assessment date in completed calendar years."""
        return age_in_years(self.birth_date, self.assessment_date)


def _lab_date(labs: Labs, name: str) -> dt.date | None:
    result: LabResult | None = getattr(labs, name)
    return None if result is None else result.date
