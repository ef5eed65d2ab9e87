"""The demo runs end to end on its own anvil and refuses the duplicated invoice."""

from __future__ import annotations

import re

import pytest
from rich.console import Console

from backend.settings import get_settings
from backend.sim.demo import run_demo

pytestmark = pytest.mark.chain


@pytest.fixture
def demo_models(models_dir, monkeypatch):
    """The demo's API scores with the session's trained model (not the checkout's models/)."""
    monkeypatch.setenv("SCF_MODELS_DIR", str(models_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_demo_records_trades_and_refuses_the_duplicate_invoice(demo_models):
    console = Console(record=True, width=200)
    run_demo(console, seed=3)
    text = console.export_text()
    assert re.search(r"batch item \d+ refused: TradeLedgerDuplicateDocument", text)
    recorded = int(re.search(r"(\d+) trades recorded", text).group(1))
    assert recorded == 45  # 5 pairs x 3 documents one by one + 5 pairs x 2 x 3 in the batch
    assert text.rstrip().endswith("anvil stopped.")
    # The receivable trees: split down to tier 3, one financed piece, one late, one default.
    assert "tier 3  ¥150,000.00  holder Tier-3 Fasteners  settled" in text
    assert "holder Bank: Merchants Commercial Bank  settled, financed" in text
    assert "settled, 8 days late" in text
    assert text.count("defaulted") == 1
    # The third act: two decisions over HTTP, anchored and verified on read.
    for name in ("Tier-1 Battery Systems", "Tier-3 Fasteners"):
        assert f"Credit decision on {name}" in text
    # (a decision's own table: one value on the outcome row; the fourth act's before/after has two)
    outcomes = re.findall(r"^│ outcome +│ (APPROVE|DECLINE|REFER) +│$", text, re.MULTILINE)
    assert len(outcomes) == 2
    assert text.count("verified: the snapshot re-scores to this decision") == 2
    assert text.count("anchored         │ recorded in tx 0x") == 2
    assert "Insufficient history" in text  # the tier-3 supplier's thin file
    assert "(unrated: thin file)" in text  # the new core enterprise, advanced as CCC
    # The fourth act, unless no broker answered: the attested figures and what they changed.
    if "act skipped" not in text:
        assert "What the attested facts changed" in text
        assert re.search(r"│ sales covered +│ 0% +│ 100% +│", text)
