"""`scf index` as a process: killed at random moments it resumes with no duplicates and no gaps;
a second one exits with a clear message while the first holds the lock."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.chain.deploy import save_deployment
from backend.db import make_engine
from backend.indexer.lock import writer_lock
from backend.indexer.models import IndexerCursor
from backend.migrations import upgrade
from tests.indexer.helpers import dump, make_indexer, scripted_history

pytestmark = pytest.mark.chain
SCF = str(Path(sys.executable).with_name("scf"))


def _environment(anvil, ledger, tmp_path, database_url, final_depth=64):
    save_deployment(ledger.deployment, tmp_path / "deployments")
    return {
        **os.environ,
        "SCF_RPC_URL": anvil.url,
        "SCF_DATABASE_URL": database_url,
        "SCF_DEPLOYMENTS_DIR": str(tmp_path / "deployments"),
        "SCF_INDEXER_MAX_RANGE": "1",  # one block per batch: many chances to die mid-way
        # more blocks behind than the final depth: a catch-up, read ahead by a forked process
        "SCF_FINAL_DEPTH": str(final_depth),
    }


def _cursor(engine) -> int:
    with engine.connect() as connection:
        value = connection.execute(select(IndexerCursor.last_block)).scalar()
    return -1 if value is None else int(value)


def _kill_after_progress(env, engine, rng: random.Random) -> int:
    """Start `scf index`, let it commit at least one more batch, then SIGKILL it mid-run."""
    before = _cursor(engine)
    process = subprocess.Popen(
        [SCF, "index"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while _cursor(engine) <= before and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(rng.uniform(0, 0.05))  # somewhere inside a later batch
    process.send_signal(signal.SIGKILL)
    process.wait()
    return _cursor(engine)


@pytest.mark.parametrize("final_depth", [64, 1], ids=["reader_thread", "reader_process"])
def test_an_indexer_killed_at_random_resumes_without_duplicates_or_gaps(
    ledger, anvil, artifacts, engine, database_url, tmp_path, final_depth
):
    scripted_history(ledger, rounds=3)
    env = _environment(anvil, ledger, tmp_path, database_url, final_depth)
    rng = random.Random(42)
    positions = [_kill_after_progress(env, engine, rng) for _ in range(3)]
    assert positions == sorted(positions) and positions[0] < ledger.w3.eth.block_number

    finished = subprocess.run([SCF, "index"], env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    clean_url = f"sqlite:///{tmp_path / 'clean.db'}"
    upgrade(clean_url)
    clean = make_engine(clean_url)
    make_indexer(ledger, anvil.url, artifacts, clean).sync()
    assert dump(engine) == dump(clean)


def test_a_second_indexer_process_exits_with_a_clear_message(
    ledger, anvil, engine, database_url, tmp_path
):
    env = _environment(anvil, ledger, tmp_path, database_url)
    with writer_lock(engine):
        started = time.monotonic()
        result = subprocess.run([SCF, "index"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "another indexer holds" in result.stdout
    assert time.monotonic() - started < 60
