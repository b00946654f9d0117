"""The code tables of the FHIR reader and writers: which code means which patient field.

Every code comes from a published code system (LOINC for observations, UCUM for units, SNOMED CT
and ICD-10 for conditions, ATC for the drugs); where none of them has a code for a fact the
protocol asks about (a risk flag, the trauma of a fracture, the severity of osteogenesis
imperfecta), the code is one of bisphos's own code system :data:`BISPHOS_SYSTEM`, listed in the
same tables and in the documentation. A code that is in no table is reported, never guessed.

The first code of each tuple is the one the writers use; every code of a tuple is read.
"""

from __future__ import annotations

from typing import Final

from bisphos.model import BmdSite, ComplicationGrade, Diagnosis, Drug, FractureSite, Trauma

__all__ = [
    "ATC_SYSTEM",
    "BISPHOSPHONATE_ATC",
    "BISPHOS_EXTENSION",
    "BISPHOS_SYSTEM",
    "BMD_CODES",
    "CONDITION_CODES",
    "DRUG_CODES",
    "FLAG_CODES",
    "FRACTURE_CODES",
    "GENE_STUDIED",
    "ICD10_SYSTEM",
    "LOINC_SYSTEM",
    "MEASUREMENT_CODES",
    "NOT_READ",
    "PATIENT_ID_SYSTEM",
    "PREGNANCY_STATUS",
    "PREGNANCY_VALUES",
    "SNOMED_SYSTEM",
    "UCUM_SYSTEM",
    "Code",
    "display_of",
    "ucum_to_text",
    "unit_to_ucum",
]

#: LOINC, the codes of observations.
LOINC_SYSTEM: Final = "http://loinc.org"
#: SNOMED CT.
SNOMED_SYSTEM: Final = "http://snomed.info/sct"
#: ICD-10 (WHO).
ICD10_SYSTEM: Final = "http://hl7.org/fhir/sid/icd-10"
#: The Anatomical Therapeutic Chemical classification (WHO Collaborating Centre).
ATC_SYSTEM: Final = "http://www.whocc.no/atc"
#: UCUM, the units of every quantity.
UCUM_SYSTEM: Final = "http://unitsofmeasure.org"
#: bisphos's own codes, for facts no published code system names.
BISPHOS_SYSTEM: Final = "https://bisphos.invalid/fhir/CodeSystem/patient"
#: The base of bisphos's extensions (``{BISPHOS_EXTENSION}/fracture-trauma`` ...).
BISPHOS_EXTENSION: Final = "https://bisphos.invalid/fhir/StructureDefinition"
#: The identifier system of the caller's patient id (:attr:`bisphos.model.Patient.patient_id`).
PATIENT_ID_SYSTEM: Final = "https://bisphos.invalid/fhir/NamingSystem/patient-id"

#: A code: ``(system, code, display)``.
Code = tuple[str, str, str]


def _loinc(code: str, display: str) -> Code:
    return (LOINC_SYSTEM, code, display)


def _local(code: str, display: str) -> Code:
    return (BISPHOS_SYSTEM, code, display)


#: The LOINC codes of each measured field of the patient file (its path in the file format).
MEASUREMENT_CODES: Final[dict[str, tuple[Code, ...]]] = {
    "weight": (_loinc("29463-7", "Body weight"), _loinc("3141-9", "Body weight Measured")),
    "height": (_loinc("8302-2", "Body height"), _loinc("8306-3", "Body height --lying")),
    "temperature": (_loinc("8310-5", "Body temperature"),),
    "heart_rate": (_loinc("8867-4", "Heart rate"),),
    "systolic_bp": (_loinc("8480-6", "Systolic blood pressure"),),
    "diastolic_bp": (_loinc("8462-4", "Diastolic blood pressure"),),
    "calcium": (
        _loinc("2000-8", "Calcium [Moles/volume] in Serum or Plasma"),
        _loinc("17861-6", "Calcium [Mass/volume] in Serum or Plasma"),
    ),
    "phosphate": (
        _loinc("14879-1", "Phosphate [Moles/volume] in Serum or Plasma"),
        _loinc("2777-1", "Phosphate [Mass/volume] in Serum or Plasma"),
    ),
    "alkaline_phosphatase": (
        _loinc("6768-6", "Alkaline phosphatase [Enzymatic activity/volume] in Serum or Plasma"),
    ),
    "urea": (_loinc("22664-7", "Urea [Moles/volume] in Serum or Plasma"),),
    "creatinine": (
        _loinc("14682-9", "Creatinine [Moles/volume] in Serum or Plasma"),
        _loinc("2160-0", "Creatinine [Mass/volume] in Serum or Plasma"),
    ),
    "albumin": (_loinc("1751-7", "Albumin [Mass/volume] in Serum or Plasma"),),
    "vitamin_d_25oh": (
        _loinc("62292-8", "25-hydroxyvitamin D2+D3 [Mass/volume] in Serum or Plasma"),
        _loinc("1989-3", "25-hydroxyvitamin D3 [Mass/volume] in Serum or Plasma"),
    ),
    "pth": (
        _loinc("14866-8", "Parathyrin.intact [Moles/volume] in Serum or Plasma"),
        _loinc("2731-8", "Parathyrin.intact [Mass/volume] in Serum or Plasma"),
    ),
}

#: The blood pressure panel whose components are the systolic and diastolic pressures.
BLOOD_PRESSURE_PANEL: Final = _loinc("85354-9", "Blood pressure panel")

#: Codes that look like a field but measure something else: read as an error, never converted.
NOT_READ: Final[dict[tuple[str, str], str]] = {
    (LOINC_SYSTEM, "3094-0"): "urea nitrogen (BUN) is not urea; give urea in mmol/l",
    (LOINC_SYSTEM, "38267-1"): "a T-score is not a Z-score; P-BMD reads Z-scores",
}

#: The codes of a DXA Z-score at each site (LOINC where it has one, else bisphos's own).
BMD_CODES: Final[dict[BmdSite, tuple[Code, ...]]] = {
    BmdSite.LUMBAR_SPINE: (
        _loinc("85394-5", "DXA Lumbar spine [Z-score] Bone density"),
        _local("bmd-z-lumbar-spine", "DXA lumbar spine Z-score"),
    ),
    BmdSite.TOTAL_BODY_LESS_HEAD: (
        _local("bmd-z-total-body-less-head", "DXA total body less head Z-score"),
    ),
    BmdSite.FEMUR: (
        _local("bmd-z-femur", "DXA femur Z-score"),
        _loinc("80940-0", "DXA Femur-L Z-score BMD"),
    ),
}
#: The method coding of a Z-score corrected for short stature (e.g. BMAD of the spine).
SIZE_CORRECTED: Final = _local("size-corrected", "Corrected for body size (BMAD)")
#: UCUM codes accepted for a Z-score (a count of standard deviations, no unit).
Z_SCORE_UNITS: Final = frozenset({"{Z-score}", "{Z-Score}", "{SDS}", "{SD}", "1", "{score}"})

#: LOINC's pregnancy status and its SNOMED CT answers.
PREGNANCY_STATUS: Final = _loinc("82810-3", "Pregnancy status")
PREGNANCY_VALUES: Final[dict[tuple[str, str], bool | None]] = {
    (SNOMED_SYSTEM, "77386006"): True,  # Pregnant
    (SNOMED_SYSTEM, "60001007"): False,  # Not pregnant
    (SNOMED_SYSTEM, "261665006"): None,  # Unknown
}
#: LOINC's "gene studied", the observation of a gene with a pathogenic variant (P-IND-GENE).
GENE_STUDIED: Final = _loinc("48018-6", "Gene studied [ID]")

#: Boolean facts of the patient file (its path) as observations with bisphos's own codes.
FLAG_CODES: Final[dict[str, Code]] = {
    "risks.prolonged_immobilisation": _local(
        "prolonged-immobilisation", "Prolonged immobilisation"
    ),
    "risks.low_bone_turnover": _local("low-bone-turnover", "Osteoporosis with low bone turnover"),
    "risks.dark_skin": _local("dark-skin", "Dark skin (vitamin D advice)"),
    "risks.little_time_outdoors": _local("little-time-outdoors", "Little time outdoors"),
    "risks.could_become_pregnant": _local("could-become-pregnant", "Could become pregnant"),
    "risks.expected_spontaneous_recovery": _local(
        "expected-spontaneous-recovery", "Spontaneous recovery expected (risk factor goes away)"
    ),
    "risks.impaired_fracture_healing": _local(
        "impaired-fracture-healing", "History of impaired fracture healing"
    ),
    "still_growing": _local("still-growing", "Still growing"),
}
#: The severity of osteogenesis imperfecta, an observation with a coded value.
OI_SEVERITY: Final = _local("oi-severity", "Clinical severity of osteogenesis imperfecta")
#: The category coding that marks baseline vital signs (P-MON-CALL compares with them).
BASELINE: Final = _local("baseline", "Baseline vital signs")

#: The codes of each diagnosis (P-IND-A): SNOMED CT and ICD-10 where they name it, and bisphos's.
CONDITION_CODES: Final[dict[Diagnosis, tuple[Code, ...]]] = {
    Diagnosis.OSTEOGENESIS_IMPERFECTA: (
        (SNOMED_SYSTEM, "78314001", "Osteogenesis imperfecta"),
        (ICD10_SYSTEM, "Q78.0", "Osteogenesis imperfecta"),
        _local("osteogenesis_imperfecta", "Osteogenesis imperfecta"),
    ),
    Diagnosis.IDIOPATHIC_JUVENILE_OSTEOPOROSIS: (
        (ICD10_SYSTEM, "M81.5", "Idiopathic osteoporosis"),
        _local("idiopathic_juvenile_osteoporosis", "Idiopathic juvenile osteoporosis"),
    ),
    Diagnosis.SECONDARY_IMMOBILITY: (
        (ICD10_SYSTEM, "M81.2", "Osteoporosis of disuse"),
        _local("secondary_immobility", "Osteoporosis secondary to immobility"),
    ),
    Diagnosis.PRIMARY_OSTEOPOROSIS: (
        _local("primary_osteoporosis", "Primary osteoporosis (other than OI and IJO)"),
    ),
    Diagnosis.SECONDARY_CORTICOSTEROIDS: (
        _local("secondary_corticosteroids", "Osteoporosis secondary to corticosteroids"),
    ),
    Diagnosis.SECONDARY_INTESTINAL_FAILURE: (
        _local("secondary_intestinal_failure", "Osteoporosis secondary to intestinal failure"),
    ),
    Diagnosis.SECONDARY_OTHER: (
        _local("secondary_other", "Osteoporosis secondary to another cause"),
    ),
    Diagnosis.OTHER: (_local("other", "A condition outside P-IND-A"),),
}

#: The codes of a fracture at each site class of P-FX-a/b/c (ICD-10 categories, and bisphos's).
#: An ICD-10 code is read by its category: ``S72.3`` is a fracture of the femur.
FRACTURE_CODES: Final[dict[FractureSite, tuple[Code, ...]]] = {
    FractureSite.VERTEBRAL_COMPRESSION: (
        _local("fracture-vertebral-compression", "Vertebral compression fracture"),
        (ICD10_SYSTEM, "M48.5", "Collapsed vertebra, not elsewhere classified"),
    ),
    FractureSite.LONG_BONE: (
        _local("fracture-long-bone", "Fracture of a long bone"),
        (ICD10_SYSTEM, "S42.3", "Fracture of shaft of humerus"),
        (ICD10_SYSTEM, "S52", "Fracture of forearm"),
        (ICD10_SYSTEM, "S72", "Fracture of femur"),
        (ICD10_SYSTEM, "S82.2", "Fracture of shaft of tibia"),
        (ICD10_SYSTEM, "S82.4", "Fracture of fibula alone"),
    ),
    FractureSite.OTHER: (_local("fracture-other", "Fracture at another site"),),
}
#: The extension that carries the energy of the trauma of a fracture (a code of :class:`Trauma`).
TRAUMA_EXTENSION: Final = f"{BISPHOS_EXTENSION}/fracture-trauma"
#: The extension that carries the worst complication after an infusion (P-ZOL-COMPL).
COMPLICATION_EXTENSION: Final = f"{BISPHOS_EXTENSION}/infusion-complication"
TRAUMA_CODES: Final = frozenset(member.value for member in Trauma)
COMPLICATION_CODES: Final = frozenset(member.value for member in ComplicationGrade)

#: The codes of the protocol's drugs: ATC (written), and the SNOMED CT substance where one is
#: known to this table (pamidronate has none here: it is read by its ATC code only).
DRUG_CODES: Final[dict[Drug, tuple[Code, ...]]] = {
    Drug.ZOLEDRONIC_ACID: (
        (ATC_SYSTEM, "M05BA08", "zoledronic acid"),
        (SNOMED_SYSTEM, "395926009", "Zoledronic acid (substance)"),
    ),
    Drug.PAMIDRONATE: ((ATC_SYSTEM, "M05BA03", "pamidronic acid"),),
}
#: ATC groups of bisphosphonates: an allergy to one of them is P-CI-ALLERGY; a given one the
#: protocol does not know is an error (P-HIST-INTERVAL counts every bisphosphonate).
BISPHOSPHONATE_ATC: Final = ("M05BA", "M05BB")


def display_of(code: Code) -> str:
    """The display text of ``code``."""
    return code[2]


# UCUM atoms whose bisphos spelling differs; every other UCUM atom is read as bisphos spells it,
# through the same whitelist as a file (bisphos.units.parse_unit).
_UCUM_ATOMS: Final[dict[str, str]] = {
    "Cel": "degC",
    "[degF]": "degF",
    "mm[Hg]": "mmHg",
    "[lb_av]": "lb",
    "[oz_av]": "oz",
    "[in_i]": "in",
    "[iU]": "IU",
    "[IU]": "IU",
    "a": "year",
    "mo": "month",
    "wk": "week",
    "10*9": "10^9",
    "10*12": "10^12",
    "{beats}": "1",
    "{beat}": "1",
}
_TEXT_ATOMS: Final = {text: code for code, text in _UCUM_ATOMS.items() if not code.startswith("{")}
_TEXT_ATOMS["IU"] = "[iU]"


def _atoms(unit: str, table: dict[str, str], product: str, into: str) -> str:
    """Translate the atoms of ``unit`` (separated by ``/`` and ``product``) through ``table``."""
    out = []
    for part in unit.split("/"):
        factors = [table.get(atom, atom) for atom in part.split(product)]
        out.append(into.join(factors))
    return "/".join(out)


def ucum_to_text(code: str) -> str:
    """Return a UCUM unit code written as bisphos spells units (``mm[Hg]`` → ``mmHg``).

    The result still has to pass :func:`bisphos.units.parse_unit`; a code this table does not
    know is passed on unchanged and refused there if it is not an accepted spelling.
    """
    if code.startswith(("mL/min/", "ml/min/")):
        return code  # the GFR unit, recognised whole
    text = _atoms(code, _UCUM_ATOMS, ".", "*")
    return "1/min" if text in {"1/min", "/min"} else text


def unit_to_ucum(text: str) -> str:
    """Return a unit as :func:`bisphos.units.format_unit` writes it, as a UCUM code."""
    if text.startswith("mL/min/"):
        return "mL/min/{1.73_m2}"
    return _atoms(text, _TEXT_ATOMS, "*", ".")
