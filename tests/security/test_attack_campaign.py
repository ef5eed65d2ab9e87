"""scripts/attack.py --quick, for the families this branch makes refuse everything: the campaign
runs against its own live stack, and its counters add up (so the script cannot rot)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.chain

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "attack.py"
FIXED_HERE = [
    "double_financing_chain",
    "double_financing_api",
    "duplicate_documents",
    "signatures",
    "chain_refused",
]


def test_the_quick_campaign_refuses_every_attack_of_the_families_fixed_here():
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", "--families", ",".join(FIXED_HERE)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    tallies = json.loads(run.stdout.strip().splitlines()[-1])
    assert [t["family"] for t in tallies] == [*FIXED_HERE, "TOTAL"]
    for tally in tallies:
        assert tally["attempts"] > 0, tally
        assert tally["attempts"] == tally["refused"] + tally["wrongly_accepted"], tally
        assert (tally["wrongly_accepted"], tally["5xx"], tally["crashes"]) == (0, 0, 0), tally
    total = tallies[-1]
    assert total["attempts"] == sum(t["attempts"] for t in tallies[:-1])
