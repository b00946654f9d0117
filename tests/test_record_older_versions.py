"""Decision records made by an older version still replay, or say which version made them.

``tests/data/records/`` holds records written by protocol version 2024.05.1 (before the readings
of December 2026: P-HIST-INTERVAL, P-CI-PERMANENT, P-PAM-RENAL, P-LEDGER ...) for three example
patients. Each replays without an error: either the same values, or differences whose causes name
the version recorded and the version now, never an unexplained change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bisphos.engine import Engine
from bisphos.pediatric.rules import PROTOCOL_VERSION
from bisphos.records import replay

RECORDS = sorted((Path(__file__).parent / "data" / "records").glob("*-2024.05.1.json"))
ENGINE = Engine.create(entry_points=False)


def test_the_stored_records_are_of_the_older_version() -> None:
    """P-CI-PERMANENT: the three records, the hypersensitive child among them, are 2024.05.1."""
    assert len(RECORDS) == 3
    for path in RECORDS:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["provenance"]["protocol_version"] == "2024.05.1"
    assert str(PROTOCOL_VERSION) != "2024.05.1"


@pytest.mark.parametrize("path", RECORDS, ids=lambda path: path.stem)
def test_an_older_record_replays_and_names_the_version_that_made_it(path: Path) -> None:
    """P-CI-PERMANENT, P-LEDGER: the record is recomputed; where a value differs, the report
    names the recorded protocol version and the current one as the cause."""
    report = replay(path.read_text(encoding="utf-8"), engine=ENGINE)
    assert report.error == ""
    assert not report.reproduced  # the December 2026 readings changed every one of them
    expected = (
        f"protocol nl-pediatric-iv-bp-2024 version: recorded 2024.05.1, now {PROTOCOL_VERSION}"
    )
    assert expected in report.causes
    assert "Not reproduced" in report.explain()


def test_the_hypersensitive_record_was_blocked_and_is_now_contraindicated() -> None:
    """P-CI-PERMANENT: the 2024.05.1 record of the hypersensitive child dated six infusions under
    "blocked"; the replay dates none, with the status contraindicated."""
    path = next(p for p in RECORDS if "hypersensitivity" in p.name)
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["result"]["status"] == "blocked"
    assert len(stored["result"]["infusions"]) == 6
    report = replay(stored, engine=ENGINE)
    replayed = json.loads(report.replayed)
    assert replayed["result"]["status"] == "contraindicated"
    assert replayed["result"]["infusions"] == []


RECORDS_2024_05_2 = sorted((Path(__file__).parent / "data" / "records").glob("*-2024.05.2.json"))


@pytest.mark.parametrize("path", RECORDS_2024_05_2, ids=lambda path: path.stem)
def test_a_record_made_before_the_preparation_replays_and_names_its_version(path: Path) -> None:
    """P-PREP-PRODUCT: a record of protocol version 2024.05.2 (before the product, the volume
    drawn up and the dose it delivers) replays; the preparation's new values are reported as
    absent from the record, the doses and dates are unchanged, and the cause names 2024.05.2."""
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["provenance"]["protocol_version"] == "2024.05.2"
    report = replay(stored, engine=ENGINE)
    assert report.error == ""
    assert not report.reproduced
    expected = (
        f"protocol nl-pediatric-iv-bp-2024 version: recorded 2024.05.2, now {PROTOCOL_VERSION}"
    )
    assert expected in report.causes
    paths = {difference.path for difference in report.differences}
    assert "result.infusions[0].delivered" in paths
    assert "result.infusions[0].concentrate_volume" in paths
    new = next(d for d in report.differences if d.path == "result.infusions[0].delivered")
    assert new.recorded == "(absent)"
    replayed = json.loads(report.replayed)["result"]["infusions"]
    assert [(i["date"], i["dose"]) for i in replayed] == [
        (i["date"], i["dose"]) for i in stored["result"]["infusions"]
    ]
