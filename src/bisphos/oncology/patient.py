"""The adult oncology patient: frozen attrs values, every measured value a Pint quantity.

As in :mod:`bisphos.model`, every quantity is converted to its kind's canonical unit when the
patient is built and refused when it is of the wrong dimension, NaN, infinite or outside the
plausible range of :data:`ADULT_PLAUSIBLE_RANGES`. Ages are derived from the birth date and the
assessment date, both inputs; no clock is read. A child may be built (weights down to a neonate's)
so that giving one to the adult protocol reaches its scope finding instead of an input error.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Final, TypeVar

import attrs

from bisphos import quantities as q
from bisphos.dates import age_in_years
from bisphos.errors import InvalidValueError
from bisphos.model import PLAUSIBLE_RANGES, PlausibleRange, Sex, check_life_dates
from bisphos.units import Quantity, ureg

__all__ = [
    "ADULT_PLAUSIBLE_RANGES",
    "RADIUM_INJECTIONS",
    "REASON_CODE",
    "AdultPatient",
    "ClinicianOverride",
    "MenopausalStatus",
    "OverrideTarget",
    "Setting",
    "Tumour",
]

#: Number of radium-223 injections in a course (O-RA223).
RADIUM_INJECTIONS: Final = 6


class Setting(enum.StrEnum):
    """What the bone-targeted treatment is for: the deck's four indications."""

    BONE_METASTASES = "bone_metastases"
    MULTIPLE_MYELOMA = "multiple_myeloma"
    PREVENTION_OF_METASTASES = "prevention_of_metastases"
    PREVENTION_OF_OSTEOPOROSIS = "prevention_of_osteoporosis"


class Tumour(enum.StrEnum):
    """The primary tumour; ``myeloma`` goes with the multiple myeloma setting only."""

    BREAST = "breast"
    PROSTATE = "prostate"
    LUNG = "lung"
    RENAL_CELL = "renal_cell"
    OTHER_SOLID = "other_solid"
    MYELOMA = "myeloma"


class MenopausalStatus(enum.StrEnum):
    """Menopausal status; the adjuvant benefit is mainly postmenopausal (O-PREV-BREAST)."""

    PREMENOPAUSAL = "premenopausal"
    POSTMENOPAUSAL = "postmenopausal"
    NOT_APPLICABLE = "not_applicable"
    UNKNOWN = "unknown"


def _range(kind: q.QuantityKind, low: float, high: float, reason: str) -> PlausibleRange:
    return PlausibleRange(kind=kind, low=low, high=high, reason=reason)


_HOURS_PER_YEAR: Final = 365.25 * 24

#: Plausibility ranges of every measured value of :class:`AdultPatient`, by field name.
ADULT_PLAUSIBLE_RANGES: Final[dict[str, PlausibleRange]] = {
    "weight": _range(
        q.WEIGHT,
        0.4,
        300.0,
        "from a neonate given to the adult protocol by mistake to the heaviest adults",
    ),
    "serum_creatinine": PLAUSIBLE_RANGES["creatinine"],
    "baseline_creatinine": PLAUSIBLE_RANGES["creatinine"],
    "egfr": _range(q.GFR, 1.0, 250.0, "from end-stage kidney disease to hyperfiltration"),
    "calcium": PLAUSIBLE_RANGES["calcium"],
    "vitamin_d_25oh": PLAUSIBLE_RANGES["vitamin_d_25oh"],
    "neutrophils": _range(
        q.NEUTROPHILS, 0.0, 200.0, "agranulocytosis to the highest leukaemic counts"
    ),
    "platelets": _range(q.PLATELETS, 0.0, 3000.0, "no platelets to extreme thrombocytosis"),
    "haemoglobin": _range(q.HAEMOGLOBIN, 2.0, 25.0, "beyond severe anaemia and polycythaemia"),
    "life_expectancy": _range(
        q.DURATION, 0.0, 100 * _HOURS_PER_YEAR, "a life expectancy from none to 100 years"
    ),
}


def _plausible(name: str, value: Quantity | None) -> Quantity | None:
    if value is None:
        return None
    return ADULT_PLAUSIBLE_RANGES[name].check(value, field=name)


# Named converters: the attrs mypy plugin types __init__ from them.
def _weight(value: Quantity) -> Quantity:
    return ADULT_PLAUSIBLE_RANGES["weight"].check(value, field="weight")


def _creatinine(value: Quantity | None) -> Quantity | None:
    return _plausible("serum_creatinine", value)


def _baseline_creatinine(value: Quantity | None) -> Quantity | None:
    return _plausible("baseline_creatinine", value)


def _egfr(value: Quantity | None) -> Quantity | None:
    return _plausible("egfr", value)


def _calcium(value: Quantity | None) -> Quantity | None:
    return _plausible("calcium", value)


def _vitamin_d(value: Quantity | None) -> Quantity | None:
    return _plausible("vitamin_d_25oh", value)


def _neutrophils(value: Quantity | None) -> Quantity | None:
    return _plausible("neutrophils", value)


def _platelets(value: Quantity | None) -> Quantity | None:
    return _plausible("platelets", value)


def _haemoglobin(value: Quantity | None) -> Quantity | None:
    return _plausible("haemoglobin", value)


def _life_expectancy(value: Quantity | None) -> Quantity | None:
    return _plausible("life_expectancy", value)


_E = TypeVar("_E", bound=enum.StrEnum)


def _member(enum_type: type[_E], value: object, field: str) -> _E:
    # A typed error naming the field, instead of the bare ValueError of ``enum_type(value)``.
    for member in enum_type:
        if member.value == value:
            return member
    raise InvalidValueError(
        f"not a {enum_type.__name__}",
        field=field,
        value=value,
        expected=", ".join(member.value for member in enum_type),
    )


def _sex(value: Sex | str) -> Sex:
    return _member(Sex, value, "sex")


def _setting(value: Setting | str) -> Setting:
    return _member(Setting, value, "setting")


def _tumour(value: Tumour | str) -> Tumour:
    return _member(Tumour, value, "tumour")


def _menopausal(value: MenopausalStatus | str) -> MenopausalStatus:
    return _member(MenopausalStatus, value, "menopausal_status")


def _injection_number(
    instance: object, attribute: attrs.Attribute[int | None], value: object
) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= RADIUM_INJECTIONS:
        raise InvalidValueError(
            "not a radium-223 injection number",
            field=attribute.name,
            value=value,
            expected=f"a whole number from 1 to {RADIUM_INJECTIONS}",
        )


def _prior_therapies(
    instance: object, attribute: attrs.Attribute[int | None], value: object
) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 30:
        raise InvalidValueError(
            "not a number of prior systemic therapies",
            field=attribute.name,
            value=value,
            expected="a whole number from 0 to 30",
        )


#: A coded reason of a clinician override: lower-case words joined by ``-``.
REASON_CODE: Final = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


class OverrideTarget(enum.StrEnum):
    """The soft limits of the oncology protocol a clinician may override (O-LABEL).

    ``pamidronate-severe-renal``: pamidronate with a creatinine clearance below 30 ml/min, which
    the label does not recommend. The rates of the label (60 mg/h, 20 mg/h in renal impairment)
    and the 90 mg per infusion are hard limits: no override passes them.
    """

    PAMIDRONATE_SEVERE_RENAL = "pamidronate-severe-renal"


def _target(value: OverrideTarget | str) -> OverrideTarget:
    return _member(OverrideTarget, value, "overrides.target")


def _nonempty(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(
            "must be non-empty text", field=attribute.name, value=value, expected="text"
        )


def _reason_code(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not REASON_CODE.match(value):
        raise InvalidValueError(
            "not a coded reason",
            field=attribute.name,
            value=value,
            expected="lower-case words joined by '-', e.g. 'life-threatening-hypercalcaemia'",
        )


@attrs.frozen
class ClinicianOverride:
    """A clinician's override of one soft limit, with a coded reason, a name and a time.

    Attributes:
        target: The soft limit overridden.
        reason_code: The coded reason, e.g. ``"no-alternative"``.
        reason: The reason in words.
        clinician: Who decided.
        time: When (ISO date-time).
    """

    target: OverrideTarget = attrs.field(converter=_target)
    reason_code: str = attrs.field(validator=_reason_code)
    reason: str = attrs.field(validator=_nonempty)
    clinician: str = attrs.field(validator=_nonempty)
    time: dt.datetime


@attrs.frozen
class AdultPatient:
    """One adult with cancer at one assessment date, as the oncology protocol sees them.

    Attributes:
        birth_date: Date of birth.
        assessment_date: The date the recommendation is made for ("today" for every rule).
        sex: Female, male or other (Cockcroft-Gault factor, O-RENAL).
        weight: Actual body weight (Cockcroft-Gault, radium-223 activity).
        setting: What the treatment is for.
        tumour: The primary tumour.
        serum_creatinine: Serum creatinine, for the creatinine clearance (O-RENAL), measured
            before the dose due on the assessment date (O-LABEL).
        baseline_creatinine: Serum creatinine before the current bisphosphonate treatment
            started, for the label's withhold rule (O-LABEL).
        egfr: The laboratory's eGFR in ml/min/1.73 m² (denosumab 60 mg, O-LABEL); never mixed
            with the Cockcroft-Gault clearance.
        dialysis: The patient is on dialysis (denosumab 60 mg, O-LABEL).
        patient_id: An identifier chosen by the caller; never interpreted.
        life_expectancy: Expected survival (O-SRE-OTHER: more than 3 months).
        high_sre_risk: Whether the risk of skeletal-related events is high (O-SRE-OTHER);
            ``None`` when not assessed.
        menopausal_status: Menopausal status (O-PREV-BREAST).
        osteopenia: Osteopenia present (O-SRE-MM).
        osteoporosis: Osteoporosis present (O-SRE-MM).
        active_bone_disease: Active myeloma bone disease (O-SRE-MM).
        relapse_or_new_sre: Myeloma relapse or a new SRE (O-SRE-MM: restart).
        performance_status_declined: The performance status has declined (O-SRE-BREAST).
        stable_disease: The disease is stable (O-SRE-BREAST: consider pausing).
        treatment_start_date: Start of the current bone-targeted treatment, if one is running
            (O-SRE-MM duration, O-ONJ duration).
        on_denosumab: The patient is on denosumab now (O-DMAB-AGE rebound).
        denosumab_stop_planned: The caller's plan stops or pauses denosumab (O-DMAB-AGE).
        neutrophils: Absolute neutrophil count before the radium-223 injection (O-RA223).
        platelets: Platelet count before the radium-223 injection (O-RA223).
        haemoglobin: Haemoglobin before the first radium-223 injection (O-RA223).
        radium_injection_number: The number (1 to 6) of the radium-223 injection due on the
            assessment date; ``None`` when no radium-223 is planned.
        castration_resistant: Castration-resistant prostate cancer (radium-223, O-LABEL);
            ``None`` when not recorded.
        symptomatic_bone_metastases: The bone metastases give symptoms (radium-223, O-LABEL).
        visceral_metastases: Known visceral metastases (radium-223, O-LABEL).
        prior_systemic_therapies: Lines of systemic therapy for metastatic prostate cancer given
            before, other than LHRH analogues (radium-223, O-LABEL).
        no_suitable_systemic_therapy: No available systemic therapy is suitable (radium-223).
        abiraterone_prednisone: On abiraterone with prednisone or prednisolone (radium-223).
        overrides: Clinician overrides of soft limits, each with its coded reason.
        calcium: Total serum calcium (hypocalcaemia precautions, O-CAT).
        vitamin_d_25oh: Serum 25-OH vitamin D (O-CAT).
        dental_evaluation_done: A dentist has evaluated the patient (O-ONJ).
        jaw_surgery_planned: Dental extractions or major jaw surgery are planned (O-ONJ).
        giant_cell_tumour_of_bone: Giant cell tumour of bone (O-DMAB-AGE exception).
        skeletally_mature: Whether the skeleton is mature (O-DMAB-AGE exception); ``None`` when
            not known.
    """

    birth_date: dt.date
    assessment_date: dt.date
    sex: Sex = attrs.field(converter=_sex)
    weight: Quantity = attrs.field(converter=_weight)
    setting: Setting = attrs.field(converter=_setting)
    tumour: Tumour = attrs.field(converter=_tumour)
    serum_creatinine: Quantity | None = attrs.field(default=None, converter=_creatinine)
    patient_id: str = ""
    baseline_creatinine: Quantity | None = attrs.field(default=None, converter=_baseline_creatinine)
    egfr: Quantity | None = attrs.field(default=None, converter=_egfr)
    dialysis: bool = False
    life_expectancy: Quantity | None = attrs.field(default=None, converter=_life_expectancy)
    high_sre_risk: bool | None = None
    menopausal_status: MenopausalStatus = attrs.field(
        default=MenopausalStatus.UNKNOWN, converter=_menopausal
    )
    osteopenia: bool = False
    osteoporosis: bool = False
    active_bone_disease: bool = False
    relapse_or_new_sre: bool = False
    performance_status_declined: bool = False
    stable_disease: bool = False
    treatment_start_date: dt.date | None = None
    on_denosumab: bool = False
    denosumab_stop_planned: bool = False
    neutrophils: Quantity | None = attrs.field(default=None, converter=_neutrophils)
    platelets: Quantity | None = attrs.field(default=None, converter=_platelets)
    haemoglobin: Quantity | None = attrs.field(default=None, converter=_haemoglobin)
    radium_injection_number: int | None = attrs.field(default=None, validator=_injection_number)
    castration_resistant: bool | None = None
    symptomatic_bone_metastases: bool | None = None
    visceral_metastases: bool | None = None
    prior_systemic_therapies: int | None = attrs.field(default=None, validator=_prior_therapies)
    no_suitable_systemic_therapy: bool = False
    abiraterone_prednisone: bool = False
    calcium: Quantity | None = attrs.field(default=None, converter=_calcium)
    vitamin_d_25oh: Quantity | None = attrs.field(default=None, converter=_vitamin_d)
    dental_evaluation_done: bool = False
    jaw_surgery_planned: bool = False
    giant_cell_tumour_of_bone: bool = False
    skeletally_mature: bool | None = None
    overrides: tuple[ClinicianOverride, ...] = ()

    def __attrs_post_init__(self) -> None:
        self._check_dates()
        self._check_tumour()

    def _check_dates(self) -> None:
        check_life_dates(
            self.birth_date,
            self.assessment_date,
            [("treatment_start_date", self.treatment_start_date)],
        )

    def _check_tumour(self) -> None:
        myeloma_setting = self.setting is Setting.MULTIPLE_MYELOMA
        if myeloma_setting != (self.tumour is Tumour.MYELOMA):
            raise InvalidValueError(
                "the multiple myeloma setting and the myeloma tumour go together",
                field="tumour",
                value=self.tumour.value,
                expected=(
                    "tumour 'myeloma'"
                    if myeloma_setting
                    else "a solid tumour (myeloma belongs to the multiple_myeloma setting)"
                ),
            )

    def override(self, target: OverrideTarget) -> ClinicianOverride | None:
        """Return the clinician's override of ``target``, if the patient's request holds one."""
        # Compared by value: one target today, more may follow.
        return next((item for item in self.overrides if item.target.value == target.value), None)

    @property
    def age(self) -> Quantity:
        """The age on the assessment date in completed calendar years, as a quantity."""
        return ureg.Quantity(float(self.age_in_whole_years), "year")

    @property
    def age_in_whole_years(self) -> int:
        """The age on the assessment date in completed calendar years."""
        return age_in_years(self.birth_date, self.assessment_date)
