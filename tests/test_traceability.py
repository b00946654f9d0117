"""The one cross-protocol traceability check: every rule of both catalogues has code and tests,
no test names an unknown rule id, and every invariant has property tests that name it."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bisphos.oncology.rules import RULES as ONCOLOGY_RULES
from bisphos.pediatric.rules import INVARIANTS, RULES
from bisphos.traceability import (
    build_matrix,
    catalogues,
    default_tests_dir,
    find_rule_ids,
    hypothesis_profiles,
    invariants_markdown,
    matrix_markdown,
    rules_markdown,
    scan_source,
    scan_tests,
)

TESTS = Path(__file__).parent
MATRIX = build_matrix(tests_dir=TESTS)


def test_every_rule_of_both_catalogues_is_traced_to_code_and_tests() -> None:
    """Every rule of nl-pediatric-iv-bp-2024 and nl-oncology-bone-2016 is named by the source and
    by at least one test; no test or code names an id that no catalogue declares; every invariant
    lists property tests that exist and name it. Any break of the chain is listed here."""
    assert MATRIX.problems() == ()
    assert {trace.rule.id for trace in MATRIX.rules} == set(RULES) | set(ONCOLOGY_RULES)


def test_the_check_fails_on_a_missing_test_an_unknown_id_and_a_wrong_invariant_link(
    tmp_path: Path,
) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    misspelt = "-".join(["P", "ZOL", "CAPP"])  # not literally here: other checks scan this file
    (tests / "test_some.py").write_text(
        textwrap.dedent(
            f'''
            def test_misspelt() -> None:
                """{misspelt}: a misspelt id."""

            def test_not_a_property() -> None:
                """Invariant 1 (P-ZOL-CAP)."""

            def test_names_invariant_99() -> None:
                """Invariant 99."""
            '''
        ),
        encoding="utf-8",
    )
    problems = build_matrix(tests_dir=tests).problems()
    assert "rule P-GFR (nl-pediatric-iv-bp-2024) is named by no test" in problems
    assert "rule O-RA223 (nl-oncology-bone-2016) is named by no test" in problems
    assert f"tests/test_some.py::test_misspelt names {misspelt}, which no catalogue declares" in (
        problems
    )
    assert (
        "invariant 1 of nl-pediatric-iv-bp-2024 lists tests/pediatric/test_dosing_properties.py"
        "::test_invariant_1_dose_never_exceeds_daily_cap, which does not exist" in problems
    )
    assert (
        "tests/test_some.py::test_names_invariant_99 names invariant 99, which does not exist"
        in (problems)
    )


def test_rule_ids_are_recognised_as_the_catalogues_write_them() -> None:
    text = "P-FX-a and P-FX-b, O-RA223, P-SCOPE-1 (P-GFR); not O-rule, P-value, P-CI-* or XP-GFR"
    assert find_rule_ids(text) == ("P-FX-a", "P-FX-b", "O-RA223", "P-SCOPE-1", "P-GFR")


def test_profiles_are_read_from_the_conftest_without_importing_it() -> None:
    """The ci profile runs 500 examples and the deep profile 20 times as many."""
    assert hypothesis_profiles(TESTS) == {"ci": 500, "dev": 50, "deep": 10_000}
    assert default_tests_dir() == TESTS


def test_examples_run_by_each_invariant_test_follow_the_profiles() -> None:
    """The dose property of the daily caps (P-ZOL-CAP, P-PAM-CAP) runs 500 examples in ci and
    10 000 in deep; the plan property of the GFR gate (P-GFR) runs a tenth of that."""
    by_number = {trace.invariant.number: trace for trace in MATRIX.invariants}
    first = by_number[1].examples[INVARIANTS[0].tests[0]]
    assert (first["ci"], first["deep"]) == (500, 10_000)
    plan_property = (
        "tests/pediatric/test_plan_properties.py::"
        "test_invariant_4_no_zoledronic_acid_without_gfr_above_90"
    )
    fourth = by_number[4].examples[plan_property]
    assert (fourth["ci"], fourth["deep"]) == (50, 1_000)
    assert (
        "tests/pediatric/test_plan.py::test_requested_zoledronic_acid_with_gfr_90_is_refused"
        in (by_number[4].also_named_by)
    )


def test_every_invariant_lists_property_tests() -> None:
    """Every invariant of the pediatric catalogue, numbered from 1 without a gap, lists property
    tests."""
    assert [invariant.number for invariant in INVARIANTS] == list(range(1, len(INVARIANTS) + 1))
    property_tests = {test.node_id for test in scan_tests(TESTS) if test.property_test}
    for invariant in INVARIANTS:
        assert invariant.tests
        assert set(invariant.tests) <= property_tests


def test_source_scan_finds_functions_and_data_files_but_not_the_catalogues() -> None:
    """P-GFR is applied in the renal module; O-CAT is named by the regimen catalogue file."""
    code = scan_source()
    assert any(place.startswith("bisphos.pediatric.renal:") for place in code["P-GFR"])
    assert "bisphos/oncology/regimens.json" in code["O-CAT"]
    assert not any(
        place.startswith(("bisphos.pediatric.rules", "bisphos.oncology.rules"))
        for places in code.values()
        for place in places
    )


def test_without_tests_the_matrix_says_so() -> None:
    """An installed bisphos without its tests still traces rules to code, and says no test was
    scanned instead of passing."""
    matrix = build_matrix(tests_dir=TESTS / "no-such-dir")
    assert matrix.tests == ()
    assert not matrix.tests_scanned
    assert matrix.problems() == ("no tests directory was scanned",)
    assert all(trace.code for trace in matrix.rules)
    assert "(tests not scanned)" in matrix_markdown(matrix)


def test_markdown_pages_list_every_rule_and_invariant() -> None:
    """The protocol pages give id, section, statement, source and reading of every rule (P-GFR's
    reading: exactly 90 is not above 90); the matrix has one row per rule."""
    pediatric, oncology = catalogues()
    text = rules_markdown(pediatric)
    for rule in RULES.values():
        assert f"#### {rule.id}\n" in text
        assert rule.statement in text
    assert "Exactly 90 is not above 90" in text
    assert "#### O-RA223\n" in rules_markdown(oncology)
    table = matrix_markdown(MATRIX)
    assert table.count("\n| `") == len(RULES) + len(ONCOLOGY_RULES)
    assert "| {ref}`P-GFR <p-gfr>` |" in matrix_markdown(MATRIX, links=True)
    invariants = invariants_markdown(MATRIX)
    assert invariants.count("## Invariant ") == len(INVARIANTS) + len(oncology.invariants)
    assert "| examples (ci) | examples (deep) |" in invariants
