"""The equality test's check: the records the indexer keeps (and the network job's snapshot, the
stored evidence references) equal records recomputed from scratch from the indexed rows."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select

from backend.credit import network, snapshot
from backend.credit.cache import EVIDENCE, RECORDS, get_record, last_indexed
from backend.credit.record import FIGURES, compute_record
from backend.settings import get_settings
from tests.credit.schema_check import assert_fits_models


def run_network_job(engine: Engine) -> None:
    """The background job's one run, as of the indexer's cursor."""
    settings = get_settings()
    snapshot.NetworkJob(engine, 60.0, settings.base_currency).run_once()


def stored_evidence(engine: Engine, firm: str) -> dict[str, tuple[int, ...]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(EVIDENCE.c.figure, EVIDENCE.c.event_id)
            .where(EVIDENCE.c.firm == firm)
            .order_by(EVIDENCE.c.figure, EVIDENCE.c.position)
        ).all()
    found: dict[str, list[int]] = {name: [] for name in FIGURES}
    for figure, event in rows:
        found[figure].append(int(event))
    return {name: tuple(ids) for name, ids in found.items()}


def assert_served_equals_recomputed(engine: Engine, firms: Iterable[str]) -> int:
    """Every firm's served record (as of the block it was stored for, the network figures of
    the newest snapshot) equals the record recomputed from scratch, figure by figure, with the
    network figures recomputed from the whole ledger as of the snapshot's block, and fits the
    published models; returns how many records were compared."""
    network.clear_cache()  # nothing computed by the job is reused by the oracle
    run_network_job(engine)
    block, head_time = _head(engine)
    compared = 0
    for firm in firms:
        served = get_record(engine, firm, None)
        with engine.connect() as connection:
            stored_block = connection.execute(
                select(RECORDS.c.as_of_block).where(RECORDS.c.firm == served.firm)
            ).scalar_one()
            network.clear_cache()
            figures = snapshot.compute(connection, head_time, served.currency or 0, block)
            fresh = compute_record(connection, firm, served.as_of, network_figures=figures)
        assert stored_block <= block
        assert served.network == {"as_of_block": block, "as_of_time": head_time, "reason": None}
        for name in FIGURES:
            assert served.figures[name] == fresh.figures[name], (firm, name)
        assert served.to_json() == fresh.to_json()
        assert_fits_models(served)
        assert stored_evidence(engine, served.firm) == dict(fresh.evidence)
        compared += 1
    return compared


def _head(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return last_indexed(connection)
