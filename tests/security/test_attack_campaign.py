"""scripts/attack.py --quick, every family: the campaign runs against its own live stack, refuses
every attack, and its counters add up (so the script cannot rot)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.chain

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "attack.py"
FAMILIES = [
    "double_financing_chain",
    "double_financing_api",
    "duplicate_documents",
    "duplicate_invoice",
    "signatures",
    "access_matrix",
    "bodies",
    "chain_refused",
]


def test_the_quick_campaign_refuses_every_attack():
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", "--families", ",".join(FAMILIES)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    tallies = json.loads(run.stdout.strip().splitlines()[-1])
    assert [t["family"] for t in tallies] == [*FAMILIES, "TOTAL"]
    for tally in tallies:
        assert tally["attempts"] > 0, tally
        assert tally["attempts"] == tally["refused"] + tally["wrongly_accepted"], tally
        assert (tally["wrongly_accepted"], tally["5xx"], tally["crashes"]) == (0, 0, 0), tally
    total = tallies[-1]
    assert total["attempts"] == sum(t["attempts"] for t in tallies[:-1])
