"""The rules and invariants of ``nl-pediatric-iv-bp-2024``, each with the sentence it rests on.

Source: "Bisfosfonaten infusie bij kinderen met osteoporose", national pediatric guideline, 6th
version, May 2024. Every finding, dose and date of the pediatric protocol names ids from
:data:`RULES`; :func:`bisphos.catalogue.build_rules` refuses a duplicate id, and the tests check
that every id is named by at least one test and every id a test names exists here.

Where the guideline is ambiguous, ``reading`` states the reading bisphos takes (the catalogue's
"Decision"); conservative means that, when in doubt, the child is not exposed to more drug.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from bisphos.catalogue import Invariant, Rule, UnknownRuleError, build_rules, rule_maker

__all__ = [
    "DECISION_RULE_IDS",
    "INVARIANTS",
    "PROTOCOL_ID",
    "PROTOCOL_VERSION",
    "RULES",
    "rule",
]

#: The id of the pediatric protocol.
PROTOCOL_ID: Final = "nl-pediatric-iv-bp-2024"

#: The version of this encoding: the source's date (2024-05, 6th version) and our revision.
PROTOCOL_VERSION: Final = "2024.05.3"

_SCOPE = "Scope"
_INDICATION = "Indication"
_CONTRA = "Contraindications"
_BEFORE = "Before the first infusion"
_DURING = "During the infusion"
_ZOL = "Zoledronic acid"
_PAM = "Pamidronate"
_MAINT = "Maintenance"
_FOLLOW = "Follow-up"
_COURSE = "The course as a whole (readings of December 2026)"
_HARD = "Hard limits"
_READING_2026 = "Project reading of December 2026, after the product labels"


_rule = rule_maker(PROTOCOL_ID)


#: Every rule of the pediatric protocol, by id.
RULES: Final[Mapping[str, Rule]] = build_rules(
    [
        _rule(
            "P-SCOPE-1",
            _SCOPE,
            "The protocol is for children and adolescents; older patients are out of its scope.",
            "Bisfosfonaten infusie bij kinderen; fracturen ... tot de leeftijd van 19 jaar",
            "In scope when younger than 19 years on the assessment date, counted by calendar "
            "birthdays; on the 19th birthday the patient is out of scope.",
        ),
        _rule(
            "P-IND-A",
            _INDICATION,
            "The underlying condition is osteogenesis imperfecta, another primary osteoporosis "
            "or a secondary osteoporosis (long-term corticosteroids, immobility, intestinal "
            "failure and similar causes).",
            "Osteogenesis imperfecta (OI) / andere vormen van primaire osteoporose ... / "
            "secundaire osteoporose zoals bij langdurig gebruik van corticosteroïden / "
            "immobiliteit",
            "'zoals' lists examples: any secondary osteoporosis qualifies; a condition outside "
            "these categories (Diagnosis.OTHER) is not an indication.",
        ),
        _rule(
            "P-IND-GENE",
            _INDICATION,
            "Bisphosphonates are not advised for osteoporosis caused by a WNT1 or LRP5 variant.",
            "Bij patiënten met osteoporose ten gevolge van een WNT1 of LRP5 gen mutatie wordt "
            "bisfosfonaten therapie niet geadviseerd",
            "A WNT1 or LRP5 variant makes the patient not eligible, whatever the diagnosis.",
        ),
        _rule(
            "P-IND-RECOVERY",
            _INDICATION,
            "No infusions when spontaneous recovery is expected because the risk factor goes "
            "away, for example when dexamethasone has been stopped.",
            "waarbij geen spontaan herstel, door verdwijnen van risicofactoren (bv stop van "
            "behandeling met dexamethason), is te verwachten",
        ),
        _rule(
            "P-IND-B",
            _INDICATION,
            "A reduced bone mineral density together with a clinically significant fracture "
            "history; with a vertebral compression fracture a reduced density is not required.",
            "De aanwezigheid van een verlaagde botminerale dichtheid én klinisch significante "
            "geschiedenis van fractuur / fracturen (bij 1a hoeft geen verlaagde botdichtheid "
            "te zijn)",
        ),
        _rule(
            "P-FX-a",
            _INDICATION,
            "One or more vertebral compression fractures.",
            "Compressie fractuur van één of meerdere wervel(s)",
            "Fractures after high-energy trauma never count, as for P-FX-c.",
        ),
        _rule(
            "P-FX-b",
            _INDICATION,
            "Two or more long-bone fractures after minimal or low trauma up to the age of 10.",
            "Twee of meer fracturen na minimaal / gering trauma van de lange pijpbeenderen tot "
            "de leeftijd van 10 jaar",
            "A fracture counts when the patient was younger than 10.0 years at the fracture: "
            "one on the 10th birthday no longer counts.",
        ),
        _rule(
            "P-FX-c",
            _INDICATION,
            "Three or more long-bone fractures after minimal or low trauma up to the age of 19.",
            "Drie of meer fracturen na minimaal / gering trauma van de lange pijpbeenderen tot "
            "de leeftijd van 19 jaar",
            "A fracture counts when the patient was younger than 19.0 years at the fracture; "
            "fractures after high-energy trauma never count.",
        ),
        _rule(
            "P-BMD",
            _INDICATION,
            "A reduced bone mineral density: a DXA Z-score of -2 SDS or lower at the lumbar "
            "spine or the total body less head, corrected for short stature where needed.",
            "Verlaagde BMD ... (DEXA; LWK en totale lichaam zonder hoofd): Z-score ≤ -2 SDS, zo "
            "nodig gecorrigeerd voor kleine lengte",
            "The lowest of the provided lumbar spine and total body less head Z-scores counts; "
            "on a scan with a size-corrected score for a site, the corrected one replaces the "
            "uncorrected one; exactly -2.0 is reduced; femur scores do not count.",
        ),
        _rule(
            "P-CI-FEVER",
            _CONTRA,
            "An infection with a temperature above 38.5 °C postpones the infusion.",
            "Infectie met temperatuur > 38.5 °C",
            "Exactly 38.5 °C is not above 38.5 °C.",
        ),
        _rule(
            "P-CI-HYPOCA",
            _CONTRA,
            "Hypocalcaemia, a total calcium below 2.2 mmol/l, is a contraindication.",
            "Hypocalciëmie (totaal Ca < 2,2 mmol/l)",
            "Total calcium decides; an albumin-corrected calcium (Payne) is shown as information "
            "only and never clears an infusion. Exactly 2.2 mmol/l is not below 2.2.",
        ),
        _rule(
            "P-CI-ALLERGY",
            _CONTRA,
            "Hypersensitivity to bisphosphonates is a contraindication.",
            "Overgevoeligheid voor bisfosfonaten",
        ),
        _rule(
            "P-CI-RENAL",
            _CONTRA,
            "Renal insufficiency calls for caution, above all with zoledronic acid.",
            "Terughoudendheid bij nierinsufficiëntie (vooral bij zoledroninezuur)",
            "The hard gate for zoledronic acid is P-GFR; a GFR that fails it gives a caution "
            "for pamidronate too.",
        ),
        _rule(
            "P-CI-PREG",
            _CONTRA,
            "Pregnancy must be avoided during treatment and within 12 months after the last "
            "dose, because bisphosphonates cross the placenta.",
            "Zwangerschap moet voorkomen worden tijdens de behandeling en binnen 12 maanden na "
            "de laatste dosis bisfosfonaten",
            "A known pregnancy blocks every infusion; a patient who could become pregnant (when "
            "not recorded: female and 10 years or older) is counselled, with the date 12 months "
            "after the last dose.",
        ),
        _rule(
            "P-PRE-LABS",
            _BEFORE,
            "Before the first infusion: calcium, phosphate, alkaline phosphatase, urea, "
            "creatinine, albumin, 25-OH vitamin D and PTH.",
            "Laboratorium controle: calcium, fosfaat, alkalische fosfatase, ureum, kreatinine, "
            "albumine, 25OH vitamine D, PTH",
            "Missing values are listed and the first infusion is not cleared without them.",
        ),
        _rule(
            "P-PRE-VITD",
            _BEFORE,
            "A 25-OH vitamin D below 50 nmol/l calls for more vitamin D supplementation; a "
            "deficiency is corrected before the first infusion.",
            "Indien 25OH vitamine D < 50 nmol/l verhoog vitamine D suppletie",
            "Below 50 nmol/l blocks the first infusion until corrected; exactly 50 does not.",
        ),
        _rule(
            "P-PRE-CA",
            _BEFORE,
            "A total calcium below 2.2 mmol/l: consult the treating physician or the "
            "paediatric endocrinologist; with a raised PTH, start calcium supplementation or "
            "raise dietary calcium.",
            "Indien totaal calcium < 2.2 mmol/l, overleg met hoofdbehandelaar ... indien PTH "
            "verhoogd, start calciumsuppletie",
            "PTH is raised when it is above the laboratory's upper reference limit.",
        ),
        _rule(
            "P-GFR",
            _BEFORE,
            "Zoledronic acid only with a GFR above 90 ml/min/1.73 m² by the simplified Schwartz "
            "formula 40 × height (cm) / serum creatinine (µmol/l).",
            "Berekende GFR dient > 90 ml/min/1.73m2 te zijn ... Indien GFR< 90 ml/min/1.73m2 "
            "geef geen zoledroninezuur",
            "Exactly 90 is not above 90: no zoledronic acid. A missing height or creatinine "
            "means no GFR and no zoledronic acid. The estimator may be replaced locally; the "
            "> 90 gate may not.",
        ),
        _rule(
            "P-PRE-DXA",
            _BEFORE,
            "DXA of the lumbar spine and total body less head (immobile patients: also the "
            "femur), and vertebral morphometry or, where not possible, a lateral spine X-ray.",
            "DEXA meting (LWK en 'whole body' zonder hoofd (WBLH), bij immobiele patiënten ook "
            "femur) en zo nodig wervelmorfometrie (IVA)",
            "Requested before the first infusion for the sites with no Z-score on record; it "
            "does not block the infusion by itself.",
        ),
        _rule(
            "P-SUPP-VITD",
            _BEFORE,
            "Vitamin D at least 400 IU (10 µg) per day, at least 800 IU per day with a dark "
            "skin or little time outdoors; a deficiency is corrected before the first infusion.",
            "minimaal 400 IE (10 mcg) per dag, bij kinderen met een donkere huidskleur of "
            "kinderen die weinig buiten zijn minimaal 800 E per dag",
        ),
        _rule(
            "P-SUPP-CA",
            _BEFORE,
            "Calcium by age and dietary intake: at least two to three dairy portions a day.",
            "Aanbevolen inname minimaal 2-3 zuivelproducten per dag afhankelijk van de leeftijd",
        ),
        _rule(
            "P-MON-CHECKS",
            _DURING,
            "The nurse records weight, heart rate, blood pressure and temperature before and "
            "after the infusion, and asks about contraindications.",
            "Verpleegkundige controles: gewicht, HF, RR, temperatuur voor en na toediening",
        ),
        _rule(
            "P-MON-CALL",
            _DURING,
            "Call the physician for an acute-phase reaction: temperature above 38.5 °C, heart "
            "rate or blood pressure more than 20 % above or below baseline, myalgia or "
            "arthralgia.",
            "Temperatuur > 38.5°C; RR of HF met meer dan 20% toe- of afnemen ten opzichte van "
            "baseline; Myalgie en/of artralgie",
            "Exactly 20 % from baseline is not more than 20 %; systolic and diastolic pressure "
            "are each compared with their baseline. Without recorded baseline vitals, today's "
            "pre-infusion vitals are the baseline.",
        ),
        _rule(
            "P-MON-HYPOCA",
            _DURING,
            "Warn child and parents of hypocalcaemia symptoms (tingling or numbness around the "
            "mouth, in fingers or toes, cramps; a convulsion: call 112); if vitamin D intake is "
            "in doubt, check serum calcium after the infusion.",
            "Hypocalciëmie: waarschuw kinderen en ouders ... Indien er twijfel is over of de "
            "vitamine D suppletie is genomen controleer dan na de infusie het serum calcium",
            "Vitamin D intake is in doubt when 25-OH vitamin D is below 50 nmol/l or not known.",
        ),
        _rule(
            "P-ZOL-DOSE",
            _ZOL,
            "Zoledronic acid 0.025 to 0.05 mg/kg in 50 to 100 ml NaCl 0.9 % over one hour.",
            "0,025 - 0,05 mg/kg in 50-100 ml NaCl 0,9% in 1 uur",
        ),
        _rule(
            "P-ZOL-CAP",
            _ZOL,
            "At most 4 mg zoledronic acid a day.",
            "Maximaal 4 mg/dag",
            "A hard limit: no plugin, option or rounding may exceed it.",
        ),
        _rule(
            "P-ZOL-FREQ",
            _ZOL,
            "Zoledronic acid every 6 months.",
            "Frequentie: elke 6 maanden",
        ),
        _rule(
            "P-ZOL-FIRST",
            _ZOL,
            "First infusion 0.0125 or 0.025 mg/kg because of the acute-phase reaction and the "
            "risk of hypocalcaemia; the next after 3 months at 0.025 mg/kg.",
            "Eerste infusie 0,0125 of 0,025 mg/kg ... e.v. volgende gift na 3 maanden 0,025 mg/kg",
            "Default first infusion 0.0125 mg/kg (0.025 on request), second 0.025 mg/kg, from "
            "the third on 0.05 mg/kg unless P-ZOL-COMPL or P-ZOL-LOW applies (then 0.025).",
        ),
        _rule(
            "P-ZOL-COMPL",
            _ZOL,
            "After more than mild complications of the first dose, consider 0.025 mg/kg for "
            "the following doses.",
            "Wanneer er meer dan milde complicaties zijn opgetreden na 1e gift ... overweeg ook "
            "de volgende giften 0,025 mg/kg te geven",
        ),
        _rule(
            "P-ZOL-LOW",
            _ZOL,
            "Below 2 years of age, or with low bone turnover, consider the lower 0.025 mg/kg.",
            "Bij kinderen < 2 jaar en bij kinderen met osteoporose met een verlaagde botturnover "
            "valt de lagere dosering te overwegen (0,025 mg/kg)",
            "'Kinderen < 2 jaar' is the age on the date of each infusion (reading of December "
            "2026): an infusion before the second birthday gets 0.025 mg/kg, one on or after it "
            "the regular dose; low bone turnover applies to every infusion.",
        ),
        _rule(
            "P-ZOL-SECOND",
            _ZOL,
            "The second zoledronic acid infusion, 3 months after the first, is optional.",
            "e.v. volgende gift na 3 maanden 0,025 mg/kg",
            "'e.v.' (eventueel): the 3-month second infusion is the default; the dosing option "
            "zoledronic_second_infusion = false omits it, and the next infusion then follows "
            "after the regular 6 months; its dose stays 0.025 mg/kg, because the hard limit of "
            "the first two infusions of the drug holds (P-HARD), and the regular dose follows "
            "from the third.",
        ),
        _rule(
            "P-HUNGRY",
            _ZOL,
            "Prolonged immobilisation risks 'hungry bones' hypocalcaemia: consider a quarter of "
            "the dose during the first infusions (both drugs).",
            "Cave 'hungry bones syndrome' ... overweeg ¼ van de dosering gedurende 1e infusies",
            "During the first two infusions (unless a plugin says otherwise) the dose is a "
            "quarter of the regular dose, replacing a first-dose reduction where that is "
            "lower; never a quarter of an already reduced first dose.",
        ),
        _rule(
            "P-PAM-DOSE",
            _PAM,
            "Pamidronate 2 mg/kg/day in NaCl 0.9 %, diluted to 0.1 mg/ml, over 4 hours.",
            "2 mg/kg/dag opgelost in NaCl 0,9% (verdund tot concentratie van 0.1 mg/ml) in 4 uur",
            "Label limits are used for plausibility checks of local regimens only: rate at "
            "most 60 mg/h, concentration at most 90 mg per 250 ml.",
        ),
        _rule(
            "P-PAM-CAP",
            _PAM,
            "At most 90 mg pamidronate a day.",
            "Maximaal 90 mg/dag",
            "A hard limit, as P-ZOL-CAP.",
        ),
        _rule(
            "P-PAM-FREQ",
            _PAM,
            "Pamidronate every 3 months.",
            "Frequentie: elke 3 maanden",
        ),
        _rule(
            "P-PAM-FIRST",
            _PAM,
            "First infusion half the dose; the second infusion the normal dose.",
            "Eerste infusie ½ dosering in verband met acute fase reactie; 2e infusie normale "
            "dosering",
            "The cap applies before the reduction: a first dose is at most 45 mg.",
        ),
        _rule(
            "P-MAINT-ENTRY",
            _MAINT,
            "After active treatment (typically 5 ± 3 years), with fewer fractures and a BMD "
            "above -2 SDS, maintenance may be considered in a growing child with (moderately) "
            "severe OI or another condition with fractures and low bone density.",
            "Bij een afname van het aantal fracturen per jaar en verbeterde botdichtheid "
            "(BMD > - 2 SDS), bij een groeiend kind ... is onderhoudsbehandeling te overwegen",
            "Each condition is met, not met or unknown. A maintenance course whose conditions are "
            "not all met is not planned (status not indicated, listing every unmet or unknown "
            "condition), unless the request carries a clinician's override of P-MAINT-ENTRY "
            "with a coded reason (P-OVERRIDE).",
        ),
        _rule(
            "P-MAINT-BAND",
            _MAINT,
            "The maintenance band is read from the latest lumbar-spine and the latest total-"
            "body-less-head Z-score, the lower of the two; never from the femur, never from the "
            "lowest value ever.",
            "Bij BMD tussen -2 en 0 SDS ... Bij BMD > 0 SDS (clarified in December 2026)",
            "At each site the latest scan counts (its size-corrected score where given). A "
            "latest DXA older than 18 months, or undated, gives a WARN: the band is uncertain. "
            "For the indication (P-BMD) the lowest value ever still counts.",
        ),
        _rule(
            "P-MAINT-PROMPT",
            _MAINT,
            "During an active course, a DXA after the first infusion with a Z-score above -2 "
            "prompts: maintenance to be considered, with the band, its dose and interval.",
            "Reading of December 2026 of 'is onderhoudsbehandeling te overwegen'",
            "A WARN only: the active dose is not changed. It is given when every scan the band "
            "is read from (P-MAINT-BAND) is dated after the first infusion in the history.",
        ),
        _rule(
            "P-MAINT-MID",
            _MAINT,
            "BMD Z-score between -2 and 0 SDS: zoledronic acid 0.025 mg/kg every 6 months (at "
            "most 4 mg) or pamidronate 2 mg/kg/day every 6 months (at most 90 mg).",
            "Bij BMD tussen -2 en 0 SDS ... Frequentie: 1 maal per 6 maanden",
            "Between means -2 < Z ≤ 0.",
        ),
        _rule(
            "P-MAINT-HIGH",
            _MAINT,
            "BMD Z-score above 0 SDS: zoledronic acid 0.0125 to 0.025 mg/kg every 12 months (at "
            "most 4 mg) or pamidronate 2 mg/kg/day every 12 months (at most 90 mg).",
            "Bij BMD > 0 SDS ... Frequentie: 1 maal per 12 maanden",
        ),
        _rule(
            "P-MAINT-STOP",
            _MAINT,
            "Maintenance may stop after 1 to 2 years depending on puberty and growth; in severe "
            "OI it continues until final height.",
            "kan de onderhoudsbehandeling na 1-2 jaar worden gestopt. Bij ernstige OI wordt de "
            "behandeling tot eindlengte gecontinueerd",
        ),
        _rule(
            "P-FU-DXA",
            _FOLLOW,
            "DXA every year during treatment; a lateral spine X-ray depending on the condition.",
            "DEXA meting: gedurende de behandeling jaarlijks herhalen",
        ),
        _rule(
            "P-FU-LABS",
            _FOLLOW,
            "Calcium, phosphate, alkaline phosphatase, creatinine, 25-OH vitamin D and PTH when "
            "treatment changes, and every year with intravenous treatment.",
            "Laboratorium onderzoek ... bij verandering van behandeling en bij intraveneuze "
            "behandeling jaarlijks controleren",
        ),
        _rule(
            "P-FU-CENTRE",
            _FOLLOW,
            "Consider a yearly review at an expertise centre (OI: UMC Utrecht; milder OI in the "
            "north and other causes: UMC Groningen).",
            "Overweeg jaarlijkse controle in het expertisecentrum",
        ),
        _rule(
            "P-HARD",
            _HARD,
            "The hard limits hold for every plan of every protocol (national, local, or "
            "registered or wrapped by a plugin), checked on the plan's own numbers: zoledronic "
            "acid at most 4 mg per calendar day and 0.05 mg/kg per infusion, 0.025 mg/kg for the "
            "first two infusions of the drug; pamidronate at most 90 mg per calendar day and "
            "2 mg/kg per day, 1 mg/kg and 45 mg for the first infusion of the drug; pamidronate "
            "at most 0.36 mg/ml and 60 mg/h (20 mg/h under P-PAM-RENAL); zoledronic acid over at "
            "least 15 minutes; P-GFR with the protocol's formula; no infusion cleared with a "
            "P-CI-* contraindication; none before the assessment date or at 19 or later; none "
            "closer than P-HIST-INTERVAL allows.",
            _READING_2026,
            "The phase follows from the infusion's date among the patient's infusions of the "
            "drug, never from a label; concentration, rate and duration are recomputed from the "
            "dose, volume and duration. A plan that breaks a limit is refused as a whole "
            "(HardLimitError naming the rule, the limit, the infusion and the values). The "
            "guideline's 0.1 mg/ml, 4 h, 50-100 ml and 1 h are defaults, not hard limits.",
        ),
        _rule(
            "P-GFR-LOCAL",
            _HARD,
            "A local GFR estimator may only tighten the gate: zoledronic acid needs both the "
            "protocol's Schwartz-40 GFR and the local estimate above 90 ml/min/1.73 m²; both "
            "are shown.",
            _READING_2026,
            "A local estimate outside 1-250 ml/min/1.73 m², or computed from another height or "
            "creatinine than the patient's, is a plugin error. Replaces the reading of P-GFR "
            "that let a local estimator replace the formula.",
        ),
        _rule(
            "P-HIST-INTERVAL",
            _HARD,
            "Every intravenous bisphosphonate of the history counts, whatever the drug: no two "
            "infusions closer than the protocol's minimum interval (national: 3 months; a local "
            "cyclical protocol declares its days within a cycle and the gap between cycles).",
            _READING_2026,
            "A switch of drug never shortens the interval: the next course starts no earlier "
            "than the interval after the last cycle given.",
        ),
        _rule(
            "P-FRESH",
            _COURSE,
            "Values clear an infusion only while fresh: the labs of a first infusion at most 90 "
            "days old, the creatinine of the zoledronic acid gate at most 12 months, the calcium "
            "before a later infusion at most 90 days, the dosing weight at most 30 days, the "
            "vital signs of the day.",
            "Reading of December 2026 (the guideline gives no age; P-FU-LABS: 'jaarlijks "
            "controleren'; P-MON-CHECKS: 'gewicht ... voor en na')",
            "An undated lab is of unknown age and does not clear a first infusion; an older "
            "creatinine allows no zoledronic acid until a new value; an older or undated calcium "
            "before a later infusion, a weight older than 30 days ('weigh before the infusion') "
            "and vital signs of another day give a WARN. An undated weight or undated vital signs "
            "are those of the assessment date (the model's meaning). A hospital's plugin may "
            "tighten the ages (hook bisphos_freshness), never loosen them. Of several dated "
            "values of a lab or of the weight, the latest is used.",
        ),
        _rule(
            "P-WEIGHT-PLAUSIBLE",
            _COURSE,
            "A weight implausible for the child's age, sex and height is not dosed today: "
            "check the weight.",
            "Reading of December 2026 (P-MON-CHECKS: 'gewicht' is recorded before the infusion)",
            "Implausible: beyond +/-5 SDS of weight-for-age or of BMI-for-age of the WHO growth "
            "references (0-19 years, LMS tables carried as package data), or a BMI outside "
            "8-60 kg/m2. A soft limit: a clinician's override with a coded reason proceeds "
            "(P-OVERRIDE).",
        ),
        _rule(
            "P-PAM-RENAL",
            _HARD,
            "Schwartz-40 GFR below 30 ml/min/1.73 m²: no pamidronate. From 30 to 90: "
            "pamidronate with a warning, at most 20 mg/h, so over the longer of 4 hours and the "
            "dose / 20 mg/h.",
            "Reading of P-CI-RENAL for pamidronate; labels: not recommended in severe renal "
            "impairment, at most 20 mg/h in renal impairment",
            "Renal function unknown (no usable height or creatinine, e.g. none before a later "
            "infusion: a WARN) is read as impaired: at most 20 mg/h. The highest rate by renal "
            "function is one entry of bisphos.pediatric.table (PAMIDRONATE_MAX_RATE_MG_H), which "
            "the schedule prepares from and the hard-limit gate enforces on every plan.",
        ),
        _rule(
            "P-PAM-LABEL",
            _HARD,
            "The pamidronate label checks (0.36 mg/ml, 60 mg/h, 20 mg/h with reduced renal "
            "function) are hard limits that block.",
            "Product labels of pamidronate disodium",
        ),
        _rule(
            "P-OVERRIDE",
            _COURSE,
            "A clinician may override a soft limit, never a hard one, with a coded reason, a "
            "name and a time; the override is part of the request, the decision record and "
            "every output.",
            "Reading of December 2026 (the guideline leaves clinical judgement to the treating "
            "physician: 'overleg met hoofdbehandelaar')",
            "The soft limits are listed in bisphos.pediatric.overrides.SOFT_LIMITS "
            "(P-WEIGHT-PLAUSIBLE, P-MAINT-ENTRY). An override of any other rule — a hard limit "
            "of the hard limits, a contraindication, the GFR gate, stale labs — is refused with an "
            "OverrideError when it is made. An override releases only the blocking findings its "
            "limit lists and is shown as a WARN with the reason, who and when.",
        ),
        _rule(
            "P-FX-RECENT",
            _COURSE,
            "A fracture or orthopaedic operation in the last 6 weeks is no reason to postpone "
            "in osteogenesis imperfecta; with impaired fracture healing or secondary "
            "osteoporosis the treating physician is consulted before the infusion.",
            "In het verleden waren fracturen of een orthopedische ingreep reden om ... 6 weken "
            "uit te stellen ... niet nodig bij kinderen met osteogenesis imperfecta",
            "Seed rule: a dated fracture within 42 days of the assessment date. WARN with impaired "
            "fracture healing (risks.impaired_fracture_healing) or a secondary osteoporosis; INFO "
            "in OI otherwise. Operations are not a patient field: a hospital plugin reports them.",
        ),
        _rule(
            "P-SE-ACUTE",
            _COURSE,
            "With the first infusion the family is told which side effects to expect.",
            "Bijwerkingen en complicaties: voorbijgaande temperatuursverhoging ... metaalsmaak "
            "... botpijn",
            "Seed rule: an INFO finding with the first infusion.",
        ),
        _rule(
            "P-LONGTERM",
            _COURSE,
            "At the start of treatment the uncertain long-term effects are explained.",
            "Mogelijke lange-termijn bijwerkingen: ... niet dynamisch bot ... groeiplaat ... gebit "
            "... osteonecrose van de kaak ... bij kinderen ... niet beschreven",
            "Seed rule: an INFO finding with the first infusion.",
        ),
        _rule(
            "P-HUNGRY-CA",
            _COURSE,
            "With prolonged immobilisation (hungry bones) serum calcium is checked after the "
            "infusion.",
            "Cave 'hungry bones syndrome' met risico op hypocalciëmie indien sprake is van "
            "langdurige immobilisatie",
            "Seed rule: an INFO finding with an action whenever risks.prolonged_immobilisation "
            "is set, as P-MON-HYPOCA asks when vitamin D intake is doubtful.",
        ),
        _rule(
            "P-TURNOVER-PROMPT",
            _COURSE,
            "Secondary osteoporosis from immobility or corticosteroids without a low bone "
            "turnover recorded: consider the lower dose if turnover is low.",
            "Bij kinderen < 2 jaar en bij kinderen met osteoporose met een verlaagde botturnover "
            "... lagere dosering",
            "Seed rule: an INFO finding while risks.low_bone_turnover is not set for these two "
            "diagnoses; the dose is not changed (P-ZOL-LOW applies when the flag is set).",
        ),
        _rule(
            "P-DRUG-CONTINUITY",
            _COURSE,
            "With a history, the default drug is the one given last while it is still allowed; "
            "a switch is never silent.",
            "Reading of December 2026",
            "A switch, requested or forced (the GFR no longer allows zoledronic acid), carries a "
            "WARN with the reason and the date it waits for (P-HIST-INTERVAL).",
        ),
        _rule(
            "P-CI-PERMANENT",
            _COURSE,
            "Hypersensitivity to bisphosphonates is permanent and a known pregnancy lasts while "
            "pregnant: the plan is contraindicated and dates no infusion of any bisphosphonate. "
            "A temporary block stops today's infusion only, and every later infusion is to be "
            "cleared on its day.",
            "Contra-indicaties (voor elke infusie): overgevoeligheid voor bisfosfonaten; "
            "zwangerschap (reading of December 2026)",
            "Status 'contraindicated', no course, no other drug of the class offered; for a "
            "pregnancy the counselling is that no infusion is given during it. A temporary "
            "block (fever, hypocalcaemia, missing or stale labs, vitamin D) blocks today's "
            "infusion; every later infusion carries the clearance 'to be cleared on its day' in "
            "the text, the JSON plan, the FHIR bundle and the calendar.",
        ),
        _rule(
            "P-PREP-PRODUCT",
            _COURSE,
            "A preparation names the product and its concentration, the volume to draw up "
            "rounded to the syringe resolution and the dose that volume delivers beside the "
            "planned dose, the diluent and its volume, the final concentration and the rate in "
            "ml/h and mg/h; a hospital's formulary supplies its own products and syringe.",
            "Reading of December 2026 (defaults: zoledronic acid concentrate 4 mg/5 ml = 0.8 "
            "mg/ml; pamidronate disodium concentrate 3 mg/ml; syringe resolution 0.01 ml)",
            "The volume drawn up is the nearest whole syringe step to the planned dose (a half "
            "step rounds down), or the step below where the nearest would deliver more than the "
            "dose's lowest hard limit (its per-kg maximum, the cap or a lower ceiling), the daily "
            "cap, or for pamidronate the label's 0.36 mg/ml or rate; the concentrate is made up "
            "with the diluent to the protocol's final volume. A formulary (hook "
            "bisphos_formulary) may name one product per drug (zoledronic acid 0.04-0.8 mg/ml, "
            "pamidronate 0.1-15 mg/ml), a syringe resolution above 0 and at most 1 ml and the "
            "diluent; anything else is a plugin error. The gate judges the larger of the planned "
            "and the delivered dose against every hard limit, recomputed from the volume drawn "
            "up and the product's concentration; a dose less than half a syringe step cannot be "
            "drawn up and the plan is refused.",
        ),
        _rule(
            "P-LEDGER",
            _COURSE,
            "Every plan shows, per drug, the cumulative dose in the last 12 months and in "
            "total, in mg and in mg/kg of the current weight, from the history and with the "
            "planned infusions added.",
            "Reading of December 2026 (the guideline sets no cumulative limit)",
            "Shown, not enforced: given in the 12 months up to the assessment date, given in "
            "total, the largest total of any 12 months with the planned infusions, and the "
            "total with the planned infusions.",
        ),
    ]
)

#: The ids of the scope, indication, contraindication, pre-infusion and monitoring rules, which
#: :func:`bisphos.pediatric.assessment.assess` decides.
DECISION_RULE_IDS: Final[tuple[str, ...]] = (
    "P-SCOPE-1",
    "P-IND-A",
    "P-IND-GENE",
    "P-IND-RECOVERY",
    "P-IND-B",
    "P-FX-a",
    "P-FX-b",
    "P-FX-c",
    "P-BMD",
    "P-CI-FEVER",
    "P-CI-HYPOCA",
    "P-CI-ALLERGY",
    "P-CI-RENAL",
    "P-CI-PREG",
    "P-PRE-LABS",
    "P-PRE-VITD",
    "P-PRE-CA",
    "P-GFR",
    "P-PRE-DXA",
    "P-SUPP-VITD",
    "P-SUPP-CA",
    "P-MON-CHECKS",
    "P-MON-CALL",
    "P-MON-HYPOCA",
)


def _invariant(
    number: int, statement: str, *rule_ids: str, tests: tuple[str, ...] = ()
) -> Invariant:
    return Invariant(
        number=number, protocol=PROTOCOL_ID, statement=statement, rule_ids=rule_ids, tests=tests
    )


_DOSING = "tests/pediatric/test_dosing_properties.py::"
_LIMITS = "tests/pediatric/test_limits.py::"
_PLANS = "tests/pediatric/test_plan_properties.py::"
_DECISIONS = "tests/pediatric/test_decision_properties.py::"
_OVERRIDES = "tests/pediatric/test_overrides.py::"
_COURSES = "tests/pediatric/test_course_properties.py::"
_AUDIT = "tests/audit/test_audit_properties.py::"
_PREPARATION = "tests/pediatric/test_preparation.py::"


#: The invariants the rules imply, verified by property tests for all inputs.
INVARIANTS: Final[tuple[Invariant, ...]] = (
    _invariant(
        1,
        "A zoledronic acid dose never exceeds 4 mg per day and a pamidronate dose never exceeds "
        "90 mg per day, whatever the weight, the phase, the options and the plugins.",
        "P-ZOL-CAP",
        "P-PAM-CAP",
        tests=(
            f"{_DOSING}test_invariant_1_dose_never_exceeds_daily_cap",
            f"{_LIMITS}test_invariant_1_2_any_proposed_dose_is_capped_or_refused",
        ),
    ),
    _invariant(
        2,
        "A dose per kg never exceeds the protocol's maximum for the drug and phase.",
        "P-ZOL-DOSE",
        "P-ZOL-FIRST",
        "P-PAM-DOSE",
        "P-PAM-FIRST",
        "P-MAINT-MID",
        "P-MAINT-HIGH",
        tests=(
            f"{_DOSING}test_invariant_2_dose_per_kg_never_exceeds_phase_maximum",
            f"{_LIMITS}test_invariant_1_2_any_proposed_dose_is_capped_or_refused",
        ),
    ),
    _invariant(
        3,
        "A first infusion is never larger than the regular dose the same patient would get.",
        "P-ZOL-FIRST",
        "P-PAM-FIRST",
        "P-HUNGRY",
        tests=(f"{_DOSING}test_invariant_3_first_infusion_never_above_regular",),
    ),
    _invariant(
        4,
        "No zoledronic acid is planned unless the Schwartz GFR is above 90 ml/min/1.73 m², and "
        "never with a missing creatinine or height.",
        "P-GFR",
        "P-CI-RENAL",
        tests=(
            f"{_DECISIONS}test_invariant_4_no_zoledronic_acid_unless_schwartz_gfr_above_90",
            f"{_PLANS}test_invariant_4_no_zoledronic_acid_without_gfr_above_90",
        ),
    ),
    _invariant(
        5,
        "No infusion is cleared with a temperature above 38.5 °C, a total calcium below "
        "2.2 mmol/l, hypersensitivity or a known pregnancy; no first infusion with 25-OH "
        "vitamin D below 50 nmol/l or missing required labs.",
        "P-CI-FEVER",
        "P-CI-HYPOCA",
        "P-CI-ALLERGY",
        "P-CI-PREG",
        "P-PRE-LABS",
        "P-PRE-VITD",
        tests=(
            f"{_DECISIONS}test_invariant_5_no_clearance_with_a_contraindication_or_missing_first_labs",
            f"{_PLANS}test_invariant_5_no_infusion_cleared_with_a_contraindication",
        ),
    ),
    _invariant(
        6,
        "Doses scale monotonically with weight up to the cap.",
        "P-ZOL-DOSE",
        "P-PAM-DOSE",
        "P-ZOL-CAP",
        "P-PAM-CAP",
        tests=(f"{_DOSING}test_invariant_6_dose_monotonic_in_weight",),
    ),
    _invariant(
        7,
        "The result does not depend on the units the input came in (kg or lb, µmol/l or mg/dl, "
        "°C or °F, mmol/l or mg/dl calcium, nmol/l or ng/ml vitamin D).",
        "P-GFR",
        "P-CI-FEVER",
        "P-CI-HYPOCA",
        "P-PRE-VITD",
        "P-ZOL-DOSE",
        "P-PAM-DOSE",
        tests=(
            f"{_DOSING}test_invariant_7_dose_does_not_depend_on_weight_unit",
            f"{_DECISIONS}test_invariant_7_decision_does_not_depend_on_input_units",
            f"{_PLANS}test_invariant_7_plan_does_not_depend_on_input_units",
        ),
    ),
    _invariant(
        8,
        "Pamidronate volume is the dose divided by 0.1 mg/ml; the rate is that volume over "
        "4 hours, or over dose / 20 mg/h where that is longer in renal impairment.",
        "P-PAM-DOSE",
        "P-PAM-RENAL",
        tests=(f"{_DOSING}test_invariant_8_pamidronate_volume_and_rate",),
    ),
    _invariant(
        9,
        "Every finding, dose and schedule entry names the rule ids that produced it.",
        tests=(f"{_PLANS}test_invariant_9_every_finding_dose_and_date_names_catalogue_rules",),
    ),
    _invariant(
        10,
        "A weight implausible for the age, sex and height (beyond ±5 SDS of the growth "
        "reference, or a BMI outside 8-60 kg/m²) never gets a ready plan without a clinician's "
        "override of P-WEIGHT-PLAUSIBLE.",
        "P-WEIGHT-PLAUSIBLE",
        "P-OVERRIDE",
        tests=(f"{_OVERRIDES}test_invariant_10_implausible_weight_never_ready_without_override",),
    ),
    _invariant(
        11,
        "An override releases only a blocking finding of the soft limit it names; no hard limit "
        "or contraindication is ever released.",
        "P-OVERRIDE",
        tests=(f"{_OVERRIDES}test_invariant_11_override_never_releases_a_hard_limit",),
    ),
    _invariant(
        12,
        "No first infusion is cleared with a required lab older than the freshness limit or "
        "undated, and zoledronic acid is never allowed on a creatinine older than its limit, "
        "whatever limits a hospital sets (at most the protocol's 90 days and 12 months).",
        "P-FRESH",
        "P-PRE-LABS",
        "P-GFR",
        tests=(
            (
                "tests/pediatric/test_freshness.py::"
                "test_invariant_12_no_infusion_cleared_on_stale_or_undated_first_labs"
            ),
        ),
    ),
    _invariant(
        13,
        "No two bisphosphonate infusions of the national protocol are less than 3 months apart, "
        "whatever the history and the drug; none is earlier than the interval of the last drug "
        "given after its last infusion.",
        "P-HIST-INTERVAL",
        "P-ZOL-FREQ",
        "P-ZOL-FIRST",
        "P-PAM-FREQ",
        tests=(f"{_COURSES}test_invariant_13_no_two_infusions_less_than_3_months_apart",),
    ),
    _invariant(
        14,
        "With a history, the plan's drug is the last drug given while it is allowed; any other "
        "drug carries a switch warning with the date it waits for.",
        "P-DRUG-CONTINUITY",
        "P-HIST-INTERVAL",
        tests=(f"{_COURSES}test_invariant_14_a_switch_of_drug_is_never_silent",),
    ),
    _invariant(
        15,
        "The pamidronate rate never exceeds 20 mg/h when the Schwartz-40 GFR is 90 ml/min/1.73 m² "
        "or less (or unknown), never 60 mg/h, and its concentration never 0.36 mg/ml; no "
        "pamidronate is planned with a GFR below 30.",
        "P-PAM-RENAL",
        "P-PAM-LABEL",
        tests=(
            f"{_COURSES}test_invariant_15_pamidronate_rate_never_above_20_mg_h_in_renal_impairment",
            (
                "tests/test_gate.py::"
                "test_p_pam_renal_rate_never_above_20_mg_h_with_gfr_90_or_less_or_unknown"
            ),
        ),
    ),
    _invariant(
        16,
        "A permanent contraindication never yields a dated infusion; with any block today, no "
        "infusion is cleared, and every infusion after today is to be cleared on its day.",
        "P-CI-PERMANENT",
        "P-CI-ALLERGY",
        "P-CI-PREG",
        tests=(
            f"{_COURSES}test_invariant_16_a_permanent_contraindication_never_yields_a_dated_infusion",
        ),
    ),
    _invariant(
        17,
        "The maintenance band follows the lower of the latest lumbar-spine and latest TBLH "
        "Z-scores, never the femur nor an older score; a maintenance course is planned only "
        "when its entry conditions are met or a clinician overrides them.",
        "P-MAINT-BAND",
        "P-MAINT-ENTRY",
        "P-MAINT-PROMPT",
        tests=(f"{_COURSES}test_invariant_17_maintenance_band_from_the_latest_spine_and_tblh",),
    ),
    _invariant(
        18,
        "A zoledronic acid infusion dated before the second birthday is at most 0.025 mg/kg; with "
        "the second infusion omitted, the first two infusions of zoledronic acid are 6 months "
        "apart.",
        "P-ZOL-LOW",
        "P-ZOL-SECOND",
        tests=(f"{_COURSES}test_invariant_18_zoledronic_acid_age_per_infusion_and_second_omitted",),
    ),
    _invariant(
        19,
        "The ledger of each drug is the sum of the history's and the plan's doses: the total "
        "with the plan is the given total plus every planned dose, and no 12-month total "
        "exceeds its total.",
        "P-LEDGER",
        tests=(f"{_COURSES}test_invariant_19_ledger_adds_the_history_and_the_plan",),
    ),
    _invariant(
        20,
        "An audit of a history judges every administration the same one by one and over "
        "columns, with the patient's state on its date, and finds every deviation a generated "
        "history was given, with its rules.",
        "P-HARD",
        "P-HIST-INTERVAL",
        "P-FRESH",
        tests=(
            f"{_AUDIT}test_invariant_20_audits_agree_and_find_every_injected_deviation",
            f"{_AUDIT}test_invariant_20_audits_agree_on_any_tables",
        ),
    ),
    _invariant(
        21,
        "The dose the volume drawn up delivers never exceeds the planned dose's limits (the "
        "per-kg maximum of its place in the history, the daily cap, the pamidronate label's "
        "concentration and rate), and differs from the planned dose by at most one syringe step "
        "times the product's concentration, whatever the formulary.",
        "P-PREP-PRODUCT",
        "P-HARD",
        "P-ZOL-CAP",
        "P-PAM-CAP",
        "P-PAM-LABEL",
        tests=(
            f"{_PREPARATION}test_invariant_21_the_delivered_dose_never_exceeds_the_planned_limits",
            f"{_PREPARATION}test_invariant_21_delivered_within_one_syringe_step_of_planned",
        ),
    ),
    _invariant(
        22,
        "Displayed values carry no float noise: every dose, volume, concentration and rate of a "
        "preparation is shown as the decimal it was computed as (20 kg, not 19.999999 kg), in "
        "both languages.",
        "P-PREP-PRODUCT",
        tests=(f"{_PREPARATION}test_invariant_22_displayed_values_carry_no_float_noise",),
    ),
)


def rule(rule_id: str) -> Rule:
    """Return the rule with ``rule_id``.

    Raises:
        UnknownRuleError: no pediatric rule has that id.
    """
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRuleError(
            "not a rule of the pediatric protocol",
            field="rule_id",
            value=rule_id,
            expected=f"one of {', '.join(RULES)}",
        ) from None
