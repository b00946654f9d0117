"""A clinician's override of a soft limit (P-OVERRIDE).

A soft limit is one the guideline or this library sets as a default a clinician may set aside
for one patient, with a reason: an implausible weight that was checked and is right
(P-WEIGHT-PLAUSIBLE), a maintenance course whose entry conditions are judged met
(P-MAINT-ENTRY). :data:`SOFT_LIMITS` lists them, each with the finding codes it may release.

An :class:`Override` names the limit, a coded reason (:class:`OverrideReason`), the clinician and
the time. It is part of the request (:class:`bisphos.pediatric.plan.PlanRequest`), so it is in
the decision record and in every output. An override of anything else — a hard
limit, a contraindication, the GFR gate — is refused when it is made, with an
:class:`~bisphos.errors.OverrideError` naming the field; it never reaches a plan.

:func:`apply_overrides` is the one place an override acts: each blocking finding a soft limit
may release, for which the request carries an override, is replaced by a WARN finding
``override-applied`` that states the limit, the reason, who and when, and keeps the original
finding's evidence. An override that releases nothing gives an INFO finding ``override-unused``.
Nothing else changes: the hard limits are checked after it, on the plan's own numbers.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Final

import attrs

from bisphos.errors import InputError, OverrideError
from bisphos.findings import Evidence, Finding, Severity
from bisphos.pediatric.rules import RULES
from bisphos.validation import DATE_MAX, DATE_MIN, check_text

__all__ = [
    "HARD_LIMIT_RULE_IDS",
    "SOFT_LIMITS",
    "Override",
    "OverrideReason",
    "SoftLimit",
    "apply_overrides",
    "overrides_of",
]


class OverrideReason(enum.StrEnum):
    """The coded reasons a clinician may give for overriding a soft limit."""

    #: The value was measured again and is right (e.g. a weight checked on the scale).
    VALUE_CONFIRMED = "value-confirmed"
    #: Advice of the expertise centre (P-FU-CENTRE) or the treating specialist.
    SPECIALIST_ADVICE = "specialist-advice"
    #: Decided by the multidisciplinary team.
    TEAM_DECISION = "team-decision"
    #: The clinician's own judgement of this patient, recorded with a note.
    CLINICAL_JUDGEMENT = "clinical-judgement"


@attrs.frozen
class SoftLimit:
    """A limit a clinician may override for one patient.

    Attributes:
        rule_id: The rule that sets it.
        codes: The codes of the blocking findings an override of it releases.
        description: What it limits, in words.
    """

    rule_id: str
    codes: tuple[str, ...]
    description: str


#: The soft limits of the pediatric protocol, by rule id (P-OVERRIDE).
SOFT_LIMITS: Final[Mapping[str, SoftLimit]] = MappingProxyType(
    {
        "P-WEIGHT-PLAUSIBLE": SoftLimit(
            "P-WEIGHT-PLAUSIBLE",
            ("weight-implausible",),
            "a weight implausible for the age and height is not dosed until checked",
        ),
        "P-MAINT-ENTRY": SoftLimit(
            "P-MAINT-ENTRY",
            ("maintenance-entry-not-met",),
            "a maintenance course whose entry conditions are not met is not planned",
        ),
    }
)

#: The pediatric rules whose limits are hard or contraindications: every rule of the
#: catalogue but the soft limits. An override of one is refused.
HARD_LIMIT_RULE_IDS: Final = frozenset(RULES) - frozenset(SOFT_LIMITS)


def _limit(value: object) -> str:
    if not isinstance(value, str) or value not in SOFT_LIMITS:
        hard = isinstance(value, str) and value in HARD_LIMIT_RULE_IDS
        raise OverrideError(
            "a hard limit or contraindication cannot be overridden"
            if hard
            else "not a soft limit of the pediatric protocol",
            field="limit",
            value=value if isinstance(value, str) else repr(value)[:80],
            expected=f"one of {', '.join(SOFT_LIMITS)} (P-OVERRIDE)",
        )
    return value


def _reason(value: object) -> OverrideReason:
    if type(value) is OverrideReason:
        return value
    for reason in OverrideReason:
        if value == reason.value:
            return reason
    raise OverrideError(
        "not a coded override reason",
        field="reason",
        value=repr(value)[:80],
        expected=" or ".join(reason.value for reason in OverrideReason),
    )


def _clinician(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise OverrideError(
            "the clinician who overrides is named",
            field="clinician",
            value=repr(value)[:80],
            expected="the clinician's name, 1 to 200 characters",
        )
    return _printable(value.strip(), "clinician", 200)


def _printable(value: str, field: str, length: int) -> str:
    """``value`` if every output can show it as it is (no control or format character)."""
    try:
        return check_text(value, field=field, max_length=length)
    except InputError as error:
        raise OverrideError(
            error.message, field=field, value=error.value, expected=error.expected
        ) from None


def _at(value: object) -> dt.datetime:
    if isinstance(value, dt.datetime):
        if not DATE_MIN <= value.date() <= DATE_MAX:
            raise OverrideError(
                "the time of the override is outside the range bisphos accepts",
                field="at",
                value=value.isoformat(),
                expected=f"a date from {DATE_MIN.isoformat()} to {DATE_MAX.isoformat()}",
            )
        return value
    raise OverrideError(
        "an override carries the time it was made",
        field="at",
        value=repr(value)[:80],
        expected="a date and time, such as 2026-11-23T09:30",
    )


def _note(value: object) -> str:
    if not isinstance(value, str) or len(value) > 1000:
        raise OverrideError(
            "not a note", field="note", value=repr(value)[:80], expected="text, at most 1000 chars"
        )
    return _printable(value, "note", 1000)


@attrs.frozen
class Override:
    """A clinician's override of one soft limit for one plan (P-OVERRIDE).

    Attributes:
        limit: The rule id of the soft limit, a key of :data:`SOFT_LIMITS`.
        reason: The coded reason.
        clinician: Who overrides.
        at: When the override was made.
        note: Free text beside the coded reason.

    Raises:
        OverrideError: the limit is a hard one or unknown, the reason is not coded, the clinician
            is not named or the time is missing.
    """

    limit: str = attrs.field(converter=_limit)
    reason: OverrideReason = attrs.field(converter=_reason)
    clinician: str = attrs.field(converter=_clinician)
    at: dt.datetime = attrs.field(converter=_at)
    note: str = attrs.field(default="", converter=_note)

    def evidence(self) -> tuple[Evidence, ...]:
        """The override as evidence: limit, reason, clinician and time."""
        return (
            Evidence("override.limit", self.limit),
            Evidence("override.reason", self.reason.value),
            Evidence("override.clinician", self.clinician),
            Evidence("override.at", self.at.isoformat(timespec="minutes")),
        )


def overrides_of(value: Iterable[Override]) -> tuple[Override, ...]:
    """Return ``value`` as a tuple of overrides, one per limit.

    Raises:
        OverrideError: an item is not an :class:`Override`, or two override the same limit.
    """
    items = tuple(value)
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not isinstance(item, Override):
            raise OverrideError(
                "not an override",
                field=f"overrides[{index}]",
                value=repr(item)[:80],
                expected="bisphos.pediatric.overrides.Override",
            )
        if item.limit in seen:
            raise OverrideError(
                "a limit is overridden twice",
                field=f"overrides[{index}].limit",
                value=item.limit,
                expected="one override per limit",
            )
        seen.add(item.limit)
    return items


def apply_overrides(
    findings: Iterable[Finding], overrides: Iterable[Override]
) -> tuple[Finding, ...]:
    """Replace the blocking findings the ``overrides`` release; note the overrides unused.

    Only a BLOCK finding whose code a soft limit lists, and whose rule ids name that limit, is
    released; every other finding stays as it is.
    """
    by_limit = {item.limit: item for item in overrides}
    if not by_limit:
        return tuple(findings)
    used: set[str] = set()
    out: list[Finding] = []
    for finding in findings:
        override = _releasing(finding, by_limit)
        if override is None:
            out.append(finding)
            continue
        used.add(override.limit)
        out.append(
            Finding(
                code="override-applied",
                rule_ids=(override.limit, "P-OVERRIDE"),
                severity=Severity.WARN,
                message=(
                    f"Soft limit {override.limit} overridden by {override.clinician} on "
                    f"{override.at.isoformat(timespec='minutes')} ({override.reason.value}); "
                    f"it released: {finding.code}."
                ),
                evidence=(
                    *override.evidence(),
                    Evidence("released", finding.code),
                    *finding.evidence,
                ),
                action="The clinician who overrode checks the value at the infusion.",
            )
        )
    for limit, override in by_limit.items():
        if limit not in used:
            out.append(
                Finding(
                    code="override-unused",
                    rule_ids=(limit, "P-OVERRIDE"),
                    severity=Severity.INFO,
                    message=f"The override of {limit} was not needed: the limit did not apply.",
                    evidence=override.evidence(),
                )
            )
    return tuple(out)


def _releasing(finding: Finding, by_limit: Mapping[str, Override]) -> Override | None:
    if finding.severity is not Severity.BLOCK:
        return None
    for limit, override in by_limit.items():
        soft = SOFT_LIMITS[limit]
        if finding.code in soft.codes and limit in finding.rule_ids:
            return override
    return None
