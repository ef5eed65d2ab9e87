"""The credit service: records refreshed by the indexer equal records computed afresh (the equality
test, on SQLite and PostgreSQL, after reorgs too), a read serves the stored record and never
recomputes it, a reorg recomputes what it invalidated inside its rollback, evidence pages from the
stored references, and the ``scf credit show`` command."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from backend.credit.cache import (
    RECORDS,
    NothingIndexed,
    get_record,
    last_indexed,
    refresh_records,
)
from backend.credit.cli import credit_app, parse_as_of
from backend.credit.errors import InvalidPage, UnknownFigure
from backend.credit.record import GLOBAL_FIGURES, compute_record
from backend.credit.service import evidence
from backend.enums import Role
from backend.indexer.indexer import Indexer
from backend.settings import get_settings
from tests.credit.conftest import ScriptedChain
from tests.credit.equality import assert_served_equals_recomputed, run_network_job
from tests.credit.scenario import Script
from tests.factories import DAY

pytestmark = pytest.mark.chain


def _head(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return last_indexed(connection)


def test_records_refreshed_step_by_step_equal_records_computed_afresh(
    engine, scripted: ScriptedChain, scripted_indexer: Indexer
):
    firms = [signer.address for signer in scripted.history.firms.values()]
    for cap in [*scripted.checkpoints, None]:
        scripted_indexer.rpc.cap = cap
        scripted_indexer.sync()
        with engine.connect() as connection:
            cached = connection.execute(select(RECORDS.c.firm)).scalars().all()
        assert assert_served_equals_recomputed(engine, cached) == len(cached)
    assert set(cached) == set(firms)


def test_a_read_serves_the_stored_record_and_never_recomputes_it(
    engine, w3, scripted: ScriptedChain, scripted_indexer: Indexer
):
    scripted_indexer.rpc.cap = scripted.checkpoints[-1]
    scripted_indexer.sync()
    s = scripted.history.address("S")  # touched by the last batch: stored at its last block
    block, block_time = _head(engine)
    with engine.begin() as connection:
        row = connection.execute(select(RECORDS).where(RECORDS.c.firm == s)).mappings().one()
        assert row["as_of_block"] == block
        assert "evidence" not in row["record"]  # references in credit_evidence instead
        marked = {**row["record"], "reason": "served from the cache"}
        connection.execute(update(RECORDS).where(RECORDS.c.firm == s).values(record=marked))
    assert get_record(engine, s, None).reason == "served from the cache"
    w3.provider.make_request("evm_mine", [])  # a later block, without events of this ledger
    scripted_indexer.rpc.cap = None
    scripted_indexer.sync()
    assert _head(engine)[0] > block
    served = get_record(engine, s, None)  # still the stored row, as of the block it is for
    assert served.reason == "served from the cache" and served.as_of == block_time


def test_a_firm_without_a_stored_record_is_computed_once_and_stored(
    engine, scripted: ScriptedChain, scripted_indexer: Indexer
):
    scripted_indexer.sync()
    s = scripted.history.address("S")
    with engine.begin() as connection:
        connection.execute(RECORDS.delete().where(RECORDS.c.firm == s))
    block, block_time = _head(engine)
    with ThreadPoolExecutor(8) as pool:
        views = list(pool.map(lambda _: get_record(engine, s, None), range(8)))
    assert {view.as_of for view in views} == {block_time}
    assert len({str(view.to_json()) for view in views}) == 1
    with engine.connect() as connection:
        stored = connection.execute(select(RECORDS).where(RECORDS.c.firm == s)).mappings().one()
    assert stored["as_of_block"] == block
    assert stored["record"] == views[0].to_json()


def test_the_first_read_after_start_shows_the_network_figures_not_yet_computed(
    engine, scripted: ScriptedChain, scripted_indexer: Indexer
):
    scripted_indexer.sync()
    s = scripted.history.address("S")
    before = get_record(engine, s, None)
    assert before.network is not None and before.network["as_of_block"] is None
    assert "not yet computed" in before.network["reason"]
    assert before.figures["network_rank"] == {"value": None, "firms": None}
    assert before.figures["tenure_relative"] == {"percentile": None, "firms": None}
    run_network_job(engine)
    after = get_record(engine, s, None)
    block, _ = _head(engine)
    assert after.network is not None and after.network["as_of_block"] == block
    assert after.figures["network_rank"]["value"] is not None
    assert after.figures["tenure_relative"]["firms"] == len(scripted.history.firms)
    assert {k: v for k, v in after.figures.items() if k not in GLOBAL_FIGURES} == {
        k: v for k, v in before.figures.items() if k not in GLOBAL_FIGURES
    }


def test_a_past_as_of_is_computed_on_demand_and_not_stored(engine, scripted, scripted_indexer):
    scripted_indexer.sync()
    history = scripted.history
    with engine.begin() as connection:
        connection.execute(RECORDS.delete())
    record = get_record(engine, history.address("S"), history.as_of)
    assert record.figures["sales_365d"] == {"amount": 8_800_000, "count": 6}
    with engine.connect() as connection:
        assert connection.execute(select(RECORDS)).first() is None


def test_nothing_indexed_is_a_clear_error(engine):
    with pytest.raises(NothingIndexed):
        get_record(engine, "0x" + "ab" * 20, None)


def test_a_reorg_drops_the_records_it_invalidated(engine, w3, ledger, clock, indexer):
    script = Script(ledger, clock)
    start = clock.start()
    seller, buyer = script.firm(start), script.firm(start + 10, Role.CORE)
    script.invoice(start + DAY, seller, buyer, 1_000_000, start + DAY - 60, start + 31 * DAY)
    indexer.sync()
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]
    script.invoice(
        start + 2 * DAY, seller, buyer, 5_000_000, start + 2 * DAY - 60, start + 32 * DAY
    )
    indexer.sync()
    assert get_record(engine, seller.address, None).figures["sales_90d"]["amount"] == 6_000_000
    orphaned, _ = _head(engine)
    with engine.connect() as connection:
        assert connection.execute(select(RECORDS.c.as_of_block)).scalars().all() == [orphaned] * 2

    assert w3.provider.make_request("evm_revert", [snapshot])["result"] is True
    ledger.transactor.reset_nonce()
    script.invoice(
        start + 3 * DAY, seller, buyer, 7_000_000, start + 3 * DAY - 60, start + 33 * DAY
    )
    progress = indexer.step()  # sees the block it stood on replaced, rolls back
    assert progress is not None and progress.rolled_back_to is not None
    with engine.connect() as connection:
        newest = connection.execute(select(RECORDS.c.as_of_block)).scalars().all()
    assert progress.rolled_back_to < orphaned
    assert newest == [progress.rolled_back_to] * 2  # recomputed inside the rollback
    # the rolled-back record is the one of the remaining rows: the orphaned invoice is gone
    assert get_record(engine, seller.address, None).figures["sales_90d"] == {
        "amount": 1_000_000,
        "count": 1,
    }
    assert assert_served_equals_recomputed(engine, [seller.address, buyer.address]) == 2
    indexer.sync()
    record = get_record(engine, seller.address, None)
    assert record.figures["sales_90d"] == {"amount": 8_000_000, "count": 2}
    assert assert_served_equals_recomputed(engine, [seller.address, buyer.address]) == 2


def test_refresh_with_no_firms_recomputes_only_newer_rows(engine, scripted, scripted_indexer):
    scripted_indexer.rpc.cap = scripted.checkpoints[2]  # all but the events after T
    scripted_indexer.sync()
    scripted_indexer.rpc.cap = None  # the events after T touch S, C1, C3 and P2 only
    scripted_indexer.sync()
    with engine.connect() as connection:
        blocks = sorted(set(connection.execute(select(RECORDS.c.as_of_block)).scalars()))
    assert len(blocks) >= 2
    with engine.begin() as connection:
        refresh_records(connection, set(), blocks[0])
        left = set(connection.execute(select(RECORDS.c.as_of_block)).scalars())
    assert left == {blocks[0]}


# ─────────────────────────────────────────────────────────────── evidence


@pytest.fixture(scope="module")
def read_only(indexed_scripted):
    return indexed_scripted


def test_evidence_pages_through_the_events_of_a_figure(read_only, scripted):
    history = scripted.history
    s = history.address("S")
    with read_only.connect() as connection:
        expected = compute_record(connection, s, history.as_of).evidence["sales_365d"]
    pages = [evidence(read_only, s, "sales_365d", history.as_of, offset, 3) for offset in (0, 3, 6)]
    assert [page.total for page in pages] == [7, 7, 7]
    assert [len(page.rows) for page in pages] == [3, 3, 1]
    assert tuple(row.event_id for page in pages for row in page.rows) == expected
    rows = [row for page in pages for row in page.rows]
    # Six invoices recorded with both signatures, s7 proposed then confirmed.
    assert sorted(row.event for row in rows) == sorted(
        ["TradeRecorded"] * 5 + ["TradeProposed", "TradeConfirmed"]
    )
    assert all(row.block_time <= history.as_of and row.tx_hash.startswith("0x") for row in rows)
    recorded = [row for row in rows if row.event == "TradeRecorded"]
    assert {row.args["seller"] for row in recorded} == {s}
    assert evidence(read_only, s, "sales_365d", history.as_of, 7, 3).rows == []


def test_evidence_refuses_unknown_figures_and_bad_pages(read_only, scripted):
    s = scripted.history.address("S")
    with pytest.raises(UnknownFigure):
        evidence(read_only, s, "sales_forever", None, 0, 10)
    with pytest.raises(InvalidPage):
        evidence(read_only, s, "sales_365d", None, -1, 10)
    with pytest.raises(InvalidPage):
        evidence(read_only, s, "sales_365d", None, 0, 0)


# ─────────────────────────────────────────────────────────────── the command


@pytest.fixture
def cli_database(read_only, monkeypatch):
    monkeypatch.setenv("SCF_DATABASE_URL", read_only.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_show_prints_every_figure_with_its_evidence_count(cli_database, scripted):
    history = scripted.history
    as_of = datetime.fromtimestamp(history.as_of, UTC).isoformat()
    result = CliRunner().invoke(credit_app, ["show", history.address("S"), "--as-of", as_of])
    assert result.exit_code == 0, result.output
    assert "sales_365d" in result.output and "young_counterparties" in result.output
    assert "amount=¥88,000.00, count=6" in result.output


def test_show_refuses_a_bad_address_and_a_bad_date(cli_database):
    result = CliRunner().invoke(credit_app, ["show", "not-an-address"])
    assert result.exit_code == 1 and "not an address" in result.output
    result = CliRunner().invoke(credit_app, ["show", "0x" + "12" * 20, "--as-of", "31/12/2030"])
    assert result.exit_code == 1 and "neither YYYY-MM-DD" in result.output


def test_show_explains_a_database_without_the_schema(tmp_path, monkeypatch):
    monkeypatch.setenv("SCF_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(credit_app, ["show", "0x" + "12" * 20])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "cannot read the database" in result.output and "scf db upgrade" in result.output


def test_as_of_dates_mean_the_end_of_the_day_in_utc():
    assert parse_as_of("2030-01-01") == 1_893_542_399
    assert parse_as_of("2030-01-01T00:00:00") == 1_893_456_000
    assert parse_as_of("2030-01-01T08:00:00+08:00") == 1_893_456_000
