"""The gas snapshot (``bench/gas-snapshot.json``): measured again on a fresh ledger, every
operation within the tolerance of its recorded figure, none gone and none unrecorded.

A change that moves gas on purpose updates the snapshot: ``.venv/bin/python bench/gas.py
--snapshot``, committed with the change.
"""

from __future__ import annotations

import pytest

from bench import gas


@pytest.mark.chain
def test_no_operation_costs_more_than_its_snapshot_allows(ledger) -> None:
    measured = {name: used for name, used, _ in gas.measure(ledger)}
    assert gas.compare(gas.read_snapshot(), measured) == []


def test_the_comparison_fails_on_growth_a_gone_and_an_unrecorded_operation() -> None:
    recorded = {"issue": 100_000, "settle": 50_000, "split": 200_000}
    measured = {"issue": 102_000, "settle": 51_001, "anchor": 90_000}
    problems = gas.compare(recorded, measured, tolerance=0.02)
    assert problems == [
        "settle: 51,001 gas, +2.0% over the snapshot's 50,000 (tolerance 2%)",
        "split: in the snapshot, no longer measured",
        "anchor: measured, not in the snapshot",
    ]


def test_cheaper_and_equal_operations_pass() -> None:
    assert gas.compare({"issue": 100_000}, {"issue": 90_000}) == []
    assert gas.compare({"issue": 100_000}, {"issue": 100_000}) == []


def test_the_snapshot_records_the_stated_tolerance_and_positive_figures() -> None:
    recorded = gas.read_snapshot()
    assert recorded and all(isinstance(v, int) and v > 21_000 for v in recorded.values())
    assert '"tolerance": 0.02' in gas.SNAPSHOT.read_text()
    assert gas.TOLERANCE == 0.02
