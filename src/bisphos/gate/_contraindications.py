"""The core's contraindications (P-CI-*): kept as blocks, nothing cleared while one holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bisphos.errors import HardLimitError
from bisphos.findings import Finding, Severity

if TYPE_CHECKING:
    from bisphos.gate._facts import PatientFacts


def check_blocks(
    findings: tuple[Finding, ...], *, cleared: bool, planned: bool, facts: PatientFacts
) -> None:
    """Nothing is cleared while a core P-CI-* block holds; the block is kept, as a block.

    ``planned`` says whether anything is planned (or assessed in scope): then each block must be
    among the findings.
    """
    present = {f.code for f in findings if f.severity is Severity.BLOCK}
    for block in facts.blocks:
        if cleared or (planned and block.code not in present):
            raise HardLimitError(
                "a core contraindication was removed, demoted or cleared",
                field="findings",
                value=block.code,
                expected=f"a BLOCK {block.code} and nothing cleared today ({block.rule_ids[0]})",
                rule_id=block.rule_ids[0],
                limit="no infusion cleared with a contraindication",
            )
    if cleared and not facts.in_scope:
        raise HardLimitError(
            "a patient of 19 or older is cleared",
            field="status",
            value="cleared",
            expected="out of scope, nothing cleared (P-SCOPE-1)",
            rule_id="P-SCOPE-1",
            limit="younger than 19 on the assessment date",
        )
