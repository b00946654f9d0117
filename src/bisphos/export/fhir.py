r"""A plan as a FHIR R4 ``Bundle``, built with the models of ``fhir.resources`` (R4B's).

The Bundle (type ``collection``) is self-contained: every entry has a ``urn:uuid:`` full URL
(name-based, so the same plan gives the same Bundle) and every reference is one of those URLs.

- The ``Patient``; the weight, the height and the GFR the plan used as ``Observation``\\ s.
- One ``MedicationRequest`` per planned infusion, intent ``proposal`` (decision support proposes;
  a prescriber orders): the drug by its ATC code, one ``dosageInstruction`` with the dose
  (``doseQuantity``, mg), the pump rate (``rateQuantity``, mL/h), the date and the infusion
  time, the intravenous route, the per-infusion ceiling as ``maxDosePerAdministration`` and the
  daily cap as ``maxDosePerPeriod`` (P-ZOL-CAP, P-PAM-CAP); the weight, height and GFR as
  ``supportingInformation``; a second ``doseAndRate`` with the dose the volume drawn up
  delivers and its rate in mg/h, and the dosage text with the product, the volume to draw up,
  the diluent and its volume and the final concentration (P-PREP-PRODUCT). Its status says
  whether it may be given: ``active`` for today's infusion when nothing blocks it,
  ``on-hold`` with the blocking issues (``statusReason``, ``detectedIssue``) when it is
  blocked, and ``draft`` for a later infusion, which is to be cleared on its day (the
  contraindications are checked before every infusion).
- The product each infusion is drawn up from as a ``Medication`` (its name, the drug by its ATC
  code as the ``ingredient`` with the product's concentration as ``strength``, the vial as
  ``amount``), one per product, named in each request's ``supportingInformation``.
- Problems (block and warn findings) as ``DetectedIssue``\\ s: severity ``high`` or
  ``moderate``, the finding code, the message with its values as ``detail``, the action as
  ``mitigation``, the rule ids as ``identifier``\\ s, the requests concerned as ``implicated``.
- Information (info findings: indication, advice) as ``Communication``\\ s, never as issues.
- The provenance as a ``Provenance``: every other entry as ``target``, bisphos (and each plugin)
  as a ``Device`` agent, the protocol and the rule ids as ``policy``, the input digests as
  ``entity``; ``recorded`` is the assessment date at 00:00 UTC (no clock is read). Each
  clinician's override of a soft limit (P-OVERRIDE) is one more ``Provenance``: the limit as
  ``policy``, the coded reason (and the note) as ``reason``, the clinician as ``author``, the
  time of the override as ``recorded``.

:func:`validate_bundle` parses a Bundle with the same models. Install them with the ``fhir``
extra (``fhir.resources`` 8.3.0 is the version the tests validate with).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Final

from bisphos.errors import MissingDependencyError
from bisphos.export._ids import stable_uuid
from bisphos.export.evidence import evidence_to_fhir
from bisphos.fhir import codes as c
from bisphos.findings import Finding, Severity
from bisphos.i18n import Language, localize, text, word
from bisphos.pediatric.formulary import Product
from bisphos.pediatric.overrides import Override
from bisphos.pediatric.plan import Plan
from bisphos.pediatric.schedule import Clearance, PlannedInfusion
from bisphos.report import dose_text, draw_up_text, preparation_text
from bisphos.units import Quantity, format_unit, quantity

try:
    from fhir.resources.R4B.annotation import Annotation
    from fhir.resources.R4B.bundle import Bundle, BundleEntry
    from fhir.resources.R4B.codeableconcept import CodeableConcept
    from fhir.resources.R4B.coding import Coding
    from fhir.resources.R4B.communication import (
        Communication,
        CommunicationPayload,
    )
    from fhir.resources.R4B.detectedissue import (
        DetectedIssue,
        DetectedIssueEvidence,
        DetectedIssueMitigation,
    )
    from fhir.resources.R4B.device import Device, DeviceDeviceName, DeviceVersion
    from fhir.resources.R4B.dosage import Dosage, DosageDoseAndRate
    from fhir.resources.R4B.identifier import Identifier
    from fhir.resources.R4B.medication import Medication, MedicationIngredient
    from fhir.resources.R4B.medicationrequest import MedicationRequest
    from fhir.resources.R4B.observation import Observation
    from fhir.resources.R4B.patient import Patient
    from fhir.resources.R4B.period import Period
    from fhir.resources.R4B.provenance import (
        Provenance,
        ProvenanceAgent,
        ProvenanceEntity,
    )
    from fhir.resources.R4B.quantity import Quantity as FhirQuantity
    from fhir.resources.R4B.ratio import Ratio
    from fhir.resources.R4B.reference import Reference
    from fhir.resources.R4B.resource import Resource
    from fhir.resources.R4B.timing import Timing, TimingRepeat
except ImportError as error:  # the fhir extra is not installed
    raise MissingDependencyError(
        "the FHIR export needs fhir.resources",
        value=str(error),
        expected="pip install 'bisphos[fhir]'",
    ) from None


__all__ = [
    "ATC",
    "ATC_SYSTEM",
    "FINDING_CODE_SYSTEM",
    "RULE_ID_SYSTEM",
    "UCUM",
    "plan_to_fhir",
    "plan_to_fhir_json",
    "validate_bundle",
]

#: The ATC classification's system URI.
ATC_SYSTEM: Final = c.ATC_SYSTEM
#: The ATC code and name of each drug.
ATC: Final = {drug: codes[0][1:] for drug, codes in c.DRUG_CODES.items()}
#: UCUM, the system of every unit.
UCUM: Final = c.UCUM_SYSTEM
#: The system of bisphos finding codes.
FINDING_CODE_SYSTEM: Final = "https://bisphos.invalid/fhir/CodeSystem/finding-code"
#: The system of protocol rule ids.
RULE_ID_SYSTEM: Final = "https://bisphos.invalid/fhir/NamingSystem/rule-id"
#: The policy URI of a protocol rule: ``{RULE_POLICY}{rule id}``.
RULE_POLICY: Final = "https://bisphos.invalid/fhir/rule/"
#: The system of the coded reasons of a clinician's override (P-OVERRIDE).
OVERRIDE_REASON_SYSTEM: Final = "https://bisphos.invalid/fhir/CodeSystem/override-reason"
#: The GFR as the plan computes it (Schwartz with the protocol's constant, P-GFR): no LOINC code
#: names this estimator, so the code is bisphos's own.
GFR_CODE: Final = (c.BISPHOS_SYSTEM, "gfr-schwartz-40", "GFR by the protocol's Schwartz formula")

_INTRAVENOUS: Final = (c.SNOMED_SYSTEM, "47625008", "Intravenous route")
_CALCULATED: Final = (
    "http://terminology.hl7.org/CodeSystem/dose-rate-type",
    "calculated",
    "Calculated",
)
_SEVERITY: Final = {Severity.BLOCK: "high", Severity.WARN: "moderate"}


def _fhir_date(day: dt.date) -> Any:
    """A FHIR ``date``: fhir.resources types dateTime elements as datetime, FHIR allows a day."""
    return day


def _concept(*codes: c.Code, label: str = "") -> CodeableConcept:

    return CodeableConcept(
        coding=[Coding(system=s, code=k, display=d) for s, k, d in codes],
        text=label or codes[0][2],
    )


def _quantity(value: Quantity) -> FhirQuantity:

    unit = format_unit(value.units)
    return FhirQuantity(
        value=Decimal(repr(float(value.magnitude))),
        unit=unit,
        system=UCUM,
        code=c.unit_to_ucum(unit),
    )


def _ref(url: str) -> Reference:

    return Reference(reference=url)


class _Bundle:
    """The entries of one plan's Bundle, each with a stable ``urn:uuid:`` URL."""

    def __init__(self, plan: Plan, lang: Language) -> None:
        self.plan = plan
        self.lang = lang
        self.key = (plan.patient_id, plan.assessment_date.isoformat())
        self.entries: list[tuple[str, Resource]] = []
        self.patient = self.url("patient")
        self.device = self.url("device", "bisphos")

    def url(self, *parts: str) -> str:
        return f"urn:uuid:{stable_uuid(*self.key, *parts)}"

    def add(self, url: str, resource: Resource) -> str:
        resource.id = url.removeprefix("urn:uuid:")
        self.entries.append((url, resource))
        return url


def _patient(out: _Bundle) -> None:

    patient = out.plan.patient
    patient_id = out.plan.patient_id
    identifiers = [Identifier(system=c.PATIENT_ID_SYSTEM, value=patient_id)] if patient_id else None
    out.add(
        out.patient,
        Patient(
            identifier=identifiers,
            gender=patient.sex.value,
            birthDate=_fhir_date(patient.birth_date),
        ),
    )


def _observations(out: _Bundle) -> list[str]:
    """The weight, height and GFR the plan used, as Observations; their URLs."""
    patient = out.plan.patient
    renal = out.plan.assessment.renal
    gfr = None if renal is None or renal.estimate is None else renal.estimate.value
    values = (
        ("weight", c.MEASUREMENT_CODES["weight"][0], patient.weight),
        ("height", c.MEASUREMENT_CODES["height"][0], patient.height),
        ("gfr", GFR_CODE, gfr),
    )
    urls = []
    for name, code, value in values:
        if value is None:
            continue
        # The coding keeps its system's display; the text is the reader's, in the Bundle's language.
        evidence = "gfr_schwartz_40" if name == "gfr" else name
        label = "" if out.lang == "en" else word("evidence", evidence, out.lang)
        observation = Observation(
            status="final",
            code=_concept(code, label=label),
            subject=_ref(out.patient),
            valueQuantity=_quantity(value),
        )
        if name == "gfr" and renal is not None and renal.estimator:
            observation.method = _concept((c.BISPHOS_SYSTEM, renal.estimator, renal.estimator))
        urls.append(out.add(out.url("observation", name), observation))
    return urls


def _status(plan: Plan, planned: PlannedInfusion) -> str:
    """``active`` when it may be given today, ``on-hold`` when blocked today, else ``draft``.

    The plan's own clearance of the infusion decides (P-CI-PERMANENT): only one dated on the
    assessment date can be cleared or blocked today; every later one is to be cleared on its day.
    """
    return _STATUS_OF[planned.clearance]


_STATUS_OF: Final = {
    Clearance.CLEARED_TODAY: "active",
    Clearance.BLOCKED_TODAY: "on-hold",
    Clearance.ON_ITS_DAY: "draft",
}


def _medication(out: _Bundle, product: Product) -> Resource:
    """The product drawn up (P-PREP-PRODUCT): its drug as the ingredient, at its strength."""
    drug = _concept(c.DRUG_CODES[product.drug][0], label=word("drug", product.drug.value, out.lang))
    strength = Decimal(repr(float(product.concentration.m_as("mg/mL"))))
    vial_ml = Decimal(repr(float(product.vial.m_as("mL"))))
    return Medication(
        code=CodeableConcept(coding=drug.coding, text=word("product", product.name, out.lang)),
        ingredient=[
            MedicationIngredient(
                itemCodeableConcept=drug,
                isActive=True,
                strength=Ratio(
                    numerator=_quantity(quantity(float(strength), "milligram")),
                    denominator=_quantity(quantity(1.0, "milliliter")),
                ),
            )
        ],
        amount=Ratio(
            numerator=_quantity(quantity(float(strength * vial_ml), "milligram")),
            denominator=_quantity(quantity(float(vial_ml), "milliliter")),
        ),
    )


def _medication_request(
    out: _Bundle, planned: PlannedInfusion, supporting: list[str], issues: list[str]
) -> Resource:

    plan, lang = out.plan, out.lang
    dose, prep = planned.dose, planned.preparation
    day = _fhir_date(planned.date)
    status = _status(plan, planned)
    cap = dose.limited.daily_cap
    per_day = Ratio(numerator=_quantity(cap.dose), denominator=_one_day())
    notes = [text("ui.rules", lang, rules=", ".join(planned.rule_ids))]
    if status == "draft":
        notes.append(text("ui.to-be-cleared", lang, date=planned.date.isoformat()))
    request = MedicationRequest(
        status=status,
        intent="proposal",
        medicationCodeableConcept=_concept(
            c.DRUG_CODES[dose.drug][0], label=word("drug", dose.drug.value, lang)
        ),
        subject=_ref(out.patient),
        authoredOn=_fhir_date(plan.assessment_date),
        groupIdentifier=Identifier(value=stable_uuid(*out.key, "plan")),
        supportingInformation=[_ref(url) for url in supporting] or None,
        dosageInstruction=[
            Dosage(
                text=f"{word('phase', planned.phase.value, lang)} {planned.number}: "
                f"{dose_text(planned, lang)}; {draw_up_text(planned, lang)}; "
                f"{preparation_text(planned, lang)}",
                timing=Timing(
                    event=[day],
                    repeat=TimingRepeat(
                        boundsPeriod=Period(start=day, end=day),
                        count=1,
                        duration=Decimal(repr(float(prep.duration.m_as("hour")))),
                        durationUnit="h",
                    ),
                ),
                route=_concept(_INTRAVENOUS, label=text("ui.intravenous", lang)),
                doseAndRate=[
                    DosageDoseAndRate(
                        type=_concept(_CALCULATED),
                        doseQuantity=_quantity(dose.value),
                        rateQuantity=_quantity(prep.rate),
                    ),
                    DosageDoseAndRate(
                        doseQuantity=_quantity(prep.delivered),
                        rateQuantity=_quantity(prep.dose_rate),
                    ),
                ],
                maxDosePerAdministration=_quantity(dose.limited.ceiling),
                maxDosePerPeriod=per_day,
            )
        ],
        note=[Annotation(text=note) for note in notes],
    )
    if status == "on-hold":
        request.statusReason = _concept(
            *[(FINDING_CODE_SYSTEM, f.code, f.code) for f in plan.blocks],
            label="; ".join(
                localize(f, lang, on=plan.assessment_date).message for f in plan.blocks
            ),
        )
        request.detectedIssue = [_ref(url) for url in issues] or None
    return request


def _one_day() -> FhirQuantity:
    return _quantity(quantity(1.0, "day"))


def _detail(out: _Bundle, finding: Finding) -> tuple[str, str, str]:
    """The message, the message with its values, and the action, in the plan's language."""
    local = localize(finding, out.lang, on=out.plan.assessment_date)
    detail = local.message
    if local.evidence:
        detail += f" ({text('ui.values', out.lang)}: {'; '.join(local.evidence)})"
    return local.message, detail, local.action


def _rule_identifiers(finding: Finding) -> list[Any]:

    return [Identifier(system=RULE_ID_SYSTEM, value=rule) for rule in finding.rule_ids]


def _detected_issue(out: _Bundle, finding: Finding, implicated: list[str]) -> Resource:

    message, detail, action = _detail(out, finding)
    issue = DetectedIssue(
        identifier=_rule_identifiers(finding),
        status="final",
        code=_concept((FINDING_CODE_SYSTEM, finding.code, finding.code), label=message),
        severity=_SEVERITY[finding.severity],
        patient=_ref(out.patient),
        identifiedDateTime=_fhir_date(out.plan.assessment_date),
        author=_ref(out.device),
        detail=detail,
        implicated=[_ref(url) for url in implicated] or None,
        evidence=[
            DetectedIssueEvidence.model_validate(evidence_to_fhir(item, out.lang))
            for item in finding.evidence
        ]
        or None,
    )
    if action:
        issue.mitigation = [DetectedIssueMitigation(action=_concept_text(action))]
    return issue


def _concept_text(value: str) -> CodeableConcept:

    return CodeableConcept(text=value)


def _communication(out: _Bundle, finding: Finding, about: list[str]) -> Resource:

    message, detail, action = _detail(out, finding)
    payload = [CommunicationPayload(contentString=detail)]
    if action:
        payload.append(CommunicationPayload(contentString=action))
    return Communication(
        identifier=_rule_identifiers(finding),
        status="completed",
        topic=_concept((FINDING_CODE_SYSTEM, finding.code, finding.code), label=message),
        subject=_ref(out.patient),
        about=[_ref(url) for url in about] or None,
        sent=_instant(out.plan.assessment_date),
        sender=_ref(out.device),
        payload=payload,
    )


def _instant(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC)


def _devices(out: _Bundle) -> list[str]:

    plan = out.plan
    made = [(out.device, "bisphos", plan.library_version)]
    made += [
        (out.url("device", record.name), f"{record.name} ({record.distribution})", record.version)
        for record in plan.plugins
    ]
    for url, name, version in made:
        device = Device(
            deviceName=[DeviceDeviceName(name=name, type="user-friendly-name")],
            version=[DeviceVersion(value=version)] if version else None,
        )
        out.add(url, device)
    return [url for url, _, _ in made]


def _provenance(out: _Bundle, devices: list[str]) -> Resource:
    plan = out.plan
    provenance = plan.provenance
    targets = [url for url, resource in out.entries if resource.get_resource_type() != "Device"]
    digests = (
        ("fhir.patient-digest", provenance.patient_sha256),
        ("fhir.input-digest", provenance.input_sha256),
    )
    protocol = f"https://bisphos.invalid/fhir/protocol/{plan.protocol}|{plan.protocol_version}"
    return Provenance(
        target=[_ref(url) for url in targets],
        recorded=_instant(plan.assessment_date),
        policy=[protocol, *(f"{RULE_POLICY}{rule}" for rule in provenance.rule_ids)],
        agent=[
            ProvenanceAgent(
                type=_concept(
                    (
                        "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                        "assembler" if index == 0 else "composer",
                        "Assembler" if index == 0 else "Composer",
                    )
                ),
                who=_ref(url),
            )
            for index, url in enumerate(devices)
        ],
        entity=[
            ProvenanceEntity(
                role="source",
                what=Reference(
                    identifier=Identifier(system="urn:ietf:rfc:3986", value=f"sha256:{digest}"),
                    display=text(what, out.lang),
                ),
            )
            for what, digest in digests
        ],
    )


def _override(override: Override, targets: list[str]) -> Resource:
    """A clinician's override of a soft limit (P-OVERRIDE) as a Provenance of the plan."""
    at = override.at if override.at.tzinfo is not None else override.at.replace(tzinfo=dt.UTC)
    reason = _concept((OVERRIDE_REASON_SYSTEM, override.reason.value, override.reason.value))
    if override.note:
        reason.text = override.note
    return Provenance(
        target=[_ref(url) for url in targets],
        occurredDateTime=at,
        recorded=at,
        policy=[f"{RULE_POLICY}{override.limit}"],
        reason=[reason],
        agent=[
            ProvenanceAgent(
                type=_concept(
                    (
                        "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                        "author",
                        "Author",
                    )
                ),
                who=Reference(display=override.clinician),
            )
        ],
    )


def _build(plan: Plan, lang: Language) -> Any:
    out = _Bundle(plan, lang)
    _patient(out)
    supporting = _observations(out)
    request_urls = [out.url("infusion", str(p.number), p.date.isoformat()) for p in plan.infusions]
    today = [
        url
        for url, p in zip(request_urls, plan.infusions, strict=True)
        if p.date == plan.assessment_date
    ]
    problems = [f for f in plan.findings if f.severity in _SEVERITY]
    issue_urls = [out.url("finding", str(i), f.code) for i, f in enumerate(plan.findings)]
    blocking = [
        url
        for url, f in zip(issue_urls, plan.findings, strict=True)
        if f.severity is Severity.BLOCK
    ]
    products: dict[str, str] = {}
    for planned in plan.infusions:
        made = planned.preparation.product
        if made.name not in products:
            products[made.name] = out.add(out.url("product", made.name), _medication(out, made))
    for url, planned in zip(request_urls, plan.infusions, strict=True):
        product = products[planned.preparation.product.name]
        out.add(url, _medication_request(out, planned, [*supporting, product], blocking))
    for url, finding in zip(issue_urls, plan.findings, strict=True):
        if finding in problems:
            concerned = today if finding.severity is Severity.BLOCK else request_urls
            out.add(url, _detected_issue(out, finding, concerned))
        else:
            out.add(url, _communication(out, finding, request_urls))
    devices = _devices(out)
    targets = [url for url, resource in out.entries if resource.get_resource_type() != "Device"]
    out.add(out.url("provenance"), _provenance(out, devices))
    for index, override in enumerate(plan.request.overrides):
        out.add(out.url("override", str(index)), _override(override, targets))
    return Bundle(
        id=stable_uuid(*out.key, "bundle"),
        type="collection",
        timestamp=_instant(plan.assessment_date),
        entry=[BundleEntry(fullUrl=url, resource=resource) for url, resource in out.entries],
    )


def plan_to_fhir(plan: Plan, lang: Language = "en") -> dict[str, Any]:
    """Return ``plan`` as a FHIR R4 ``Bundle`` of type ``collection`` (JSON values).

    Args:
        plan: The plan.
        lang: The language of the texts people read (drug name, dosage text, issue detail).

    """
    data: dict[str, Any] = json.loads(_build(plan, lang).model_dump_json(exclude_none=True))
    return data


def plan_to_fhir_json(plan: Plan, lang: Language = "en") -> str:
    """Return :func:`plan_to_fhir` as JSON text, indented, ending with a newline."""
    return json.dumps(plan_to_fhir(plan, lang), indent=2, ensure_ascii=False) + "\n"


def validate_bundle(bundle: dict[str, Any]) -> object:
    """Parse ``bundle`` with the FHIR R4 models of ``fhir.resources`` and return the model.

    ``fhir.resources`` 7 and later hold the R4-compatible models in ``fhir.resources.R4B``
    (R5 is their default); install them with the ``fhir`` extra.

    Raises:
        ValueError: the bundle is not valid FHIR (pydantic's ``ValidationError``).
    """
    return Bundle.model_validate(bundle)
