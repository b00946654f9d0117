"""The rules of ``nl-oncology-bone-2016``, each with its id, source phrase and reading.

Every finding, option, dose and date of the oncology protocol names one or more of these ids. The
Dutch source is the slide deck "Medicamenteuze opties bij botmetastasen" (20 December 2016); where
the deck says "adjust to renal function" the product labels (SmPC) give the figures, and the rule
names them. ``O-SCOPE`` is not in the shared rule catalogue: the deck is about adults but states no
age, and the protocol needs a rule id for the finding that refuses a child.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

from bisphos.catalogue import Invariant, Rule, UnknownRuleError, build_rules, rule_maker

__all__ = [
    "INVARIANTS",
    "PROTOCOL_ID",
    "PROTOCOL_VERSION",
    "RULES",
    "SOURCE_DATE",
    "SOURCE_TITLE",
    "rule",
]

#: The protocol id a plugin registers this protocol under.
PROTOCOL_ID: Final = "nl-oncology-bone-2016"
#: Version of this computable reading of the deck; bumped whenever a decision changes.
PROTOCOL_VERSION: Final = "1.1.0"
#: Title of the source deck.
SOURCE_TITLE: Final = "Medicamenteuze opties bij botmetastasen"
#: Date of the source deck.
SOURCE_DATE: Final = dt.date(2016, 12, 20)


_rule = rule_maker(PROTOCOL_ID)


#: Every rule of the protocol by id, in the order of the deck.
RULES: Final[Mapping[str, Rule]] = build_rules(
    [
        _rule(
            "O-SCOPE",
            "Scope",
            "The protocol is for adults with bone metastases, multiple myeloma, or bone loss "
            "during cancer treatment; children get no dose from it.",
            "Medicamenteuze opties bij botmetastasen",
            "Adult means 18 years or older in completed calendar years on the assessment date, "
            "the age limit of the denosumab labels (O-DMAB-AGE). Added by bisphos: the shared "
            "catalogue has no scope rule for the deck.",
        ),
        _rule(
            "O-CAT",
            "Veel gebruikte bisfosfonaten; Denosumab",
            "Regimen catalogue with 2016 list prices per administration: alendronic acid, "
            "risedronic acid, pamidronate, ibandronic acid, zoledronic acid, denosumab and "
            "radium-223, each with dose, interval, route and precautions.",
            "Zoledroninezuur ... Preventie botcomplicaties 4 mg 1x/maand (€ 143)",
            "Prices are the deck's, per administration, from farmacotherapeutischkompas.nl and "
            "medicijnkosten.nl (2016); a renal-adjusted dose keeps the price of one "
            "administration. The deck names no price for radium-223.",
        ),
        _rule(
            "O-SE-BP",
            "Bijwerkingen bisfosfonaten",
            "Side effects of bisphosphonates: flu-like symptoms, hypophosphataemia, headache, "
            "bone and muscle pain, renal insufficiency with repeated dosing, hypersensitivity, "
            "osteonecrosis of the jaw, atypical femoral fractures, hypocalcaemia; oesophageal "
            "ulcers with oral products, which are taken fasting.",
            "Griepachtige verschijnselen; Hypofosfatiemie; ... slokdarmulcera",
        ),
        _rule(
            "O-SE-DMAB",
            "Bijwerkingen denosumab",
            "Side effects of denosumab: muscle and skeletal pain, dyspnoea (bone metastases), "
            "cataract, abdominal complaints, constipation, osteonecrosis of the jaw, atypical "
            "femoral fractures, hypocalcaemia, flu-like symptoms, hypersensitivity.",
            "Spier- en skeletpijn; ... Overgevoeligheidsreacties",
        ),
        _rule(
            "O-ONJ",
            "Osteonecrose van de kaak (ONJ)",
            "Osteonecrosis of the jaw (about 1.6 % in the three phase III trials of denosumab "
            "versus zoledronic acid): dental evaluation before the start; no extractions or "
            "major jaw surgery during treatment; risk higher with monthly dosing and with longer "
            "treatment.",
            "Voor start behandeling evaluatie door tandarts",
            "A missing dental evaluation blocks the start of a new treatment (a warning once "
            "treatment runs); planned extractions or jaw surgery are a warning; a regimen given "
            "every 4 weeks to every month ('1x/mnd', any route) and the time on treatment are "
            "shown as information on the higher risk, without a threshold the deck does not give.",
        ),
        _rule(
            "O-SRE-BREAST",
            "Preventie van skeletmorbiditeit bij botmetastasen: mammacarcinoom",
            "Bone metastases of breast cancer: start zoledronic acid or denosumab in all "
            "patients, regardless of symptoms. Continue an intravenous bisphosphonate until the "
            "performance status declines; consider pausing or a lower frequency in stable "
            "disease; give denosumab continuously; zoledronic acid every 3 months may be as good.",
            "start zoledroninezuur of denosumab in alle patiënten ... onafhankelijk van "
            "aanwezigheid symptomen",
            "The options are zoledronic acid 4 mg monthly and denosumab 120 mg monthly; "
            "zoledronic acid 4 mg every 3 months is listed as an alternative.",
        ),
        _rule(
            "O-SRE-PROSTATE",
            "Preventie van skeletmorbiditeit bij botmetastasen: prostaatcarcinoom",
            "Bone metastases of prostate cancer: start zoledronic acid or denosumab in all "
            "patients, regardless of symptoms; the trials preceded CHAARTED and STAMPEDE (patients "
            "had progressed after first-line hormonal therapy).",
            "start zoledroninezuur of denosumab in alle patiënten met ossaal gemetastaseerd "
            "prostaatcarcinoom",
            "The continuation advice of O-SRE-BREAST applies as well, as the catalogue groups "
            "the two rules.",
        ),
        _rule(
            "O-SRE-OTHER",
            "Preventie van skeletmorbiditeit bij botmetastasen: andere solide tumoren",
            "Lung, renal cell and other solid tumours with bone metastases: consider zoledronic "
            "acid or denosumab when life expectancy is more than 3 months and the SRE risk is "
            "high.",
            "Indien: levensverwachting > 3 maanden en hoog risico op SRE",
            "Exactly 3 months is not more than 3 months. A missing life expectancy or SRE risk "
            "gives no options, with a finding asking for it.",
        ),
        _rule(
            "O-SRE-MM",
            "Preventie van skeletmorbiditeit bij botmetastasen: multipel myeloom",
            "Multiple myeloma: start intravenous pamidronate or zoledronic acid with osteopenia "
            "or osteoporosis; give at least 2 years; continue with active bone disease every 3 "
            "months; restart at relapse or a new SRE; denosumab is not registered for myeloma "
            "(the deck, 2016), possibly an alternative.",
            "start iv pamidronaat of zoledroninezuur bij osteopenie of osteoporose",
            "The 2 years count from the start of the current treatment (calendar months); after "
            "them, active bone disease gives the 3-monthly interval, otherwise stopping may be "
            "considered. Denosumab 120 mg is registered for myeloma since 2018 (O-LABEL): it is "
            "proposed as the alternative, every 4 weeks, and the deck's statement is shown as "
            "the deck's.",
        ),
        _rule(
            "O-PREV-BREAST",
            "Preventie van ossale metastasen: mammacarcinoom",
            "Adjuvant bisphosphonates lower breast cancer mortality and bone metastases, mainly "
            "in postmenopausal women (EBCTCG 2015).",
            "Adjuvant bisfosfonaten ... Met name postmenopauzaal",
            "The deck names no adjuvant regimen, so the protocol gives advice and evidence but no "
            "dose.",
        ),
        _rule(
            "O-PREV-PROSTATE",
            "Preventie van ossale metastasen: prostaatcarcinoom",
            "Denosumab lengthens bone-metastasis-free survival in prostate cancer by 4 months "
            "and delays the first symptomatic bone metastasis.",
            "Denosumab leidt tot 4 maanden toename ossaal metastase-vrije overleving",
            "The deck names no regimen, so the protocol gives evidence but no dose.",
        ),
        _rule(
            "O-OP-GENERAL",
            "Preventie osteoporose: algemeen",
            "Osteoporosis prevention during cancer treatment: calcium 1000 mg per day and "
            "vitamin D 1000 to 2000 IU per day.",
            "Calcium 1000 mg/dag; Vit D 1000-2000 IU/dag",
        ),
        _rule(
            "O-OP-BREAST",
            "Preventie osteoporose: mammacarcinoom",
            "Breast cancer: bisphosphonates (oral or intravenous) and denosumab prevent bone "
            "loss, at the doses of postmenopausal osteoporosis.",
            "Doseringen zoals bij behandeling postmenopauzale osteoporose",
            "The options are the catalogue's osteoporosis regimens.",
        ),
        _rule(
            "O-OP-PROSTATE",
            "Preventie osteoporose: prostaatcarcinoom",
            "Prostate cancer: all bisphosphonates and denosumab prevent bone loss; preferred are "
            "zoledronic acid every 6 to 12 months or denosumab every 6 months (ease of use).",
            "voorkeur voor: Zoledroninezuur 1x per 6 tot 12 maanden OF Denosumab 1x per 6 maanden",
            "The deck gives no zoledronic acid dose here; the option is the catalogue's "
            "osteoporosis product (5 mg) at its labelled 12-month interval, the conservative end "
            "of the deck's 6 to 12 months, which is shown as the range.",
        ),
        _rule(
            "O-RA223",
            "Radium 223",
            "Radium-223, registered for prostate cancer: 6 injections of 50 kBq/kg (pre-2015 "
            "standard; 55 kBq/kg under the 2015 NIST standard of the label) every 4 weeks; blood "
            "counts before each injection (first: ANC >= 1.5x10^9/l, platelets >= 100x10^9/l, "
            "Hb >= 10 g/dl; later: ANC >= 1.0x10^9/l, platelets >= 50x10^9/l); haematological "
            "toxicity and diarrhoea.",
            "Geregistreerd voor prostaatcarcinoom; 6 injecties 50kBq/kg elke 4 weken",
            "Every activity carries its calibration standard; plans use the 2015 NIST standard "
            "and show the deck's figure as the equivalent. Other tumours, settings other than "
            "bone metastases, and patients outside the label's indication (O-LABEL) get no "
            "radium-223 plan.",
        ),
        _rule(
            "O-RENAL",
            "Veel gebruikte bisfosfonaten (Cave aanpassen aan nierfunctie)",
            "Renal adjustment from the product labels, creatinine clearance by Cockcroft-Gault in "
            "ml/min: zoledronic acid 4 mg > 60 -> 4.0 mg, 50-60 -> 3.5 mg, 40-49 -> 3.3 mg, "
            "30-39 -> 3.0 mg, < 30 not recommended (Zometa); zoledronic acid 5 mg contraindicated "
            "below 35 ml/min (Aclasta); alendronic acid not below 35 ml/min (Fosamax); risedronic "
            "acid not below 30 ml/min (Actonel); pamidronate not recommended below 30 ml/min and "
            "no faster than 20 mg/h in renal impairment (pamidronate SmPC, O-LABEL).",
            "Cave: suppletie Ca/Vit D, aanpassen aan nierfunctie",
            "Half-open bands [50, 60] -> 3.5, [40, 50) -> 3.3, [30, 40) -> 3.0, so no clearance "
            "falls in a gap; clearances are compared after rounding to 1e-6 ml/min. Actual body "
            "weight and age in completed years; sex other than male takes the female factor "
            "0.85. A clearance in ml/min/1.73 m² is refused.",
        ),
        _rule(
            "O-DMAB-AGE",
            "Denosumab (product labels)",
            "Denosumab is not for patients under 18, except skeletally mature adolescents with "
            "giant cell tumour of bone; stopping it is followed by rebound vertebral fractures.",
            "Denosumab (Prolia®, Xgeva®)",
            "A rebound finding is given whenever a plan stops or pauses denosumab, including a "
            "plan that offers no denosumab to a patient on it.",
        ),
        _rule(
            "O-INTERVAL",
            "Zoledroninezuur; Denosumab (1x/maand, 1x/mnd)",
            "The deck's monthly zoledronic acid 4 mg and denosumab 120 mg are given every 4 weeks "
            "(28 days), as the current labels give them: 13 administrations a year, and the "
            "yearly cost counts 13.",
            "Preventie botcomplicaties 4 mg 1x/maand (€ 143); 120 mg sc 1x/mnd (€ 369)",
            "Replaces 'monthly' in O-CAT. The deck's wording is shown beside the interval. A "
            "year counts the whole intervals in 365.25 days (weekly 52, daily 365).",
        ),
        _rule(
            "O-LABEL",
            "Current product labels (beside the deck of 2016)",
            "Where a current product label is stricter than the deck, its restriction applies, "
            "named with its source and year, with the deck's statement beside it: zoledronic "
            "acid 4 mg with a creatinine before each dose, withheld after a rise of 0.5 mg/dl "
            "from a normal baseline (below 1.4 mg/dl) or 1.0 mg/dl from an abnormal one until "
            "back within 10 %, infused over at least 15 minutes; pamidronate at most 90 mg per "
            "infusion, over at least 2 h in 250 ml for bone metastases and 4 h in up to 500 ml "
            "in myeloma, never faster than 60 mg/h, at most 20 mg/h in renal impairment, not "
            "recommended below a clearance of 30 ml/min; denosumab 120 mg registered for "
            "myeloma since 2018; denosumab 60 mg with an eGFR below 30 ml/min/1.73 m² or "
            "dialysis: severe hypocalcaemia (FDA boxed warning 2024); radium-223 only in "
            "metastatic castration-resistant prostate cancer with symptomatic bone metastases, "
            "no known visceral metastases, after two prior systemic therapies or none suitable, "
            "never with abiraterone and prednisone/prednisolone (EMA 2018).",
            "the deck names no rates, volumes, withhold rule or renal figure for pamidronate",
            "Renal impairment for the pamidronate rate is a Cockcroft-Gault clearance below 60 "
            "ml/min; the duration becomes the longer of the default and dose / 20 mg/h. "
            "Pamidronate below 30 ml/min is refused unless the request carries a clinician "
            "override with a coded reason; the rates and the 90 mg are hard limits. The "
            "withhold rule is applied to pamidronate as well, whose label has the same rule. "
            "For denosumab 60 mg the laboratory's eGFR is used, else a clearance below 30 "
            "ml/min counts; dialysis always does. An unrecorded radium-223 criterion is not met.",
        ),
        _rule(
            "O-EVIDENCE",
            "Preventie van skeletmorbiditeit; Preventie van ossale metastasen",
            "The deck's trial figures, carried as cited evidence (e.g. SREs reduced by one third "
            "versus placebo; 18 % fewer cumulative SREs with denosumab versus zoledronic acid).",
            "afname aantal SRE's met 1/3 t.o.v. placebo",
        ),
    ]
)


_TESTS: Final = "tests/oncology/test_invariants.py::"


def _invariant(number: int, statement: str, *rule_ids: str, test: str) -> Invariant:
    return Invariant(
        number=number,
        protocol=PROTOCOL_ID,
        statement=statement,
        rule_ids=rule_ids,
        tests=(f"{_TESTS}{test}",),
    )


#: The invariants of the oncology protocol, verified by property tests for all patients. They are
#: numbered from 101, so that no number is also one of the pediatric protocol's.
INVARIANTS: Final[tuple[Invariant, ...]] = (
    _invariant(
        101,
        "The zoledronic acid 4 mg dose never exceeds the dose of the patient's renal band by "
        "Cockcroft-Gault (4.0, 3.5, 3.3, 3.0 mg above 60, 50-60, 40-49, 30-39 ml/min); none is "
        "offered below 30 ml/min or without a creatinine, none above 4 mg.",
        "O-RENAL",
        "O-LABEL",
        test="test_invariant_101_zoledronic_acid_never_exceeds_the_renal_band_dose",
    ),
    _invariant(
        102,
        "No pamidronate is offered above 90 mg, faster than 60 mg/h, faster than 20 mg/h with a "
        "clearance below 60 ml/min, more concentrated than 90 mg in 250 ml, or with a clearance "
        "below 30 ml/min without a clinician override.",
        "O-LABEL",
        test="test_invariant_102_no_pamidronate_past_the_label_rates",
    ),
    _invariant(
        103,
        "Radium-223 activity is proportional to weight (55 kBq/kg under the 2015 NIST standard) "
        "and carries its calibration standard, the deck's 50 kBq/kg under the pre-2015 standard "
        "beside it; no more than 6 injections, 28 days apart.",
        "O-RA223",
        test="test_invariant_103_radium_activity_is_proportional_to_weight_with_its_standard",
    ),
    _invariant(
        104,
        "Radium-223 is never planned outside the label's indication: castration-resistant "
        "prostate cancer, symptomatic bone metastases, no known visceral metastases, two prior "
        "systemic therapies or none suitable, and no abiraterone with prednisone.",
        "O-LABEL",
        "O-RA223",
        test="test_invariant_104_radium_only_within_the_label_indication",
    ),
    _invariant(
        105,
        "A yearly cost is the list price times the whole intervals in a year: every 4 weeks "
        "counts 13, monthly 12; a fixed course counts at most its injections.",
        "O-INTERVAL",
        "O-CAT",
        test="test_invariant_105_yearly_cost_counts_whole_intervals",
    ),
    _invariant(
        106,
        "Every recommendation of the protocol keeps the oncology hard limits, and a patient under "
        "18 is offered no regimen, dose or injection.",
        "O-SCOPE",
        "O-LABEL",
        test="test_invariant_106_recommendations_keep_the_hard_limits",
    ),
)


def rule(rule_id: str) -> Rule:
    """Return the rule with id ``rule_id``.

    Raises:
        UnknownRuleError: no rule of this protocol has that id.
    """
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRuleError(
            "unknown rule id", field="rule_id", value=rule_id, expected=", ".join(RULES)
        ) from None
