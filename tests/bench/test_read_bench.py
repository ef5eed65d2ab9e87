"""bench/read.py at a tiny scale, so that it cannot rot: it builds its ledger, serves it with
`scf serve --workers 2`, drives every phase and prints every figure and ratio. Its figures are
not asserted (a bench prints; timing is no test's business)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "read.py"


@pytest.mark.chain
def test_the_read_bench_runs_every_phase_and_prints_its_ratios():
    command = [sys.executable, str(BENCH), "--firms", "12", "--trades", "100"]
    command += ["--clients", "2,3", "--seconds", "1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for clients in (2, 3):
        for phase in ("/ledger", "profile warm", "profile live"):
            row = re.search(rf"^\s+{clients} {re.escape(phase)}\s+([\d,]+)\s", out, re.MULTILINE)
            assert row, out
            assert int(row.group(1).replace(",", "")) > 0, out  # every phase got answers
        assert re.search(rf"^{clients} clients: warm throughput [\d.]+x /ledger", out, re.M), out
    assert "Traceback" not in done.stderr
