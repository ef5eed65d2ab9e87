"""The equality test's check: the records the indexer keeps (and the network job's snapshot, the
stored evidence references) equal records recomputed from scratch from the indexed rows."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Engine, select

from backend.credit import network, service, snapshot
from backend.credit.cache import EVIDENCE, RECORDS, get_record, last_indexed
from backend.credit.evidence_query import QUERIED
from backend.credit.record import FIGURES, compute_record
from backend.settings import get_settings
from tests.credit.schema_check import assert_fits_models


def run_network_job(engine: Engine) -> None:
    """The background job's one run, as of the indexer's cursor."""
    settings = get_settings()
    snapshot.NetworkJob(engine, 60.0, settings.base_currency).run_once()


def served_evidence(engine: Engine, firm: str) -> dict[str, tuple[int, ...]]:
    """Every figure's evidence as the evidence endpoint pages it for the served record (the
    trades of a window figure's windows, the stored references of the others)."""
    found: dict[str, tuple[int, ...]] = {}
    for name in FIGURES:
        ids: list[int] = []
        while True:
            page = service.evidence(engine, firm, name, None, len(ids), service.MAX_PAGE)
            ids += [row.event_id for row in page.rows]
            if len(ids) >= page.total or not page.rows:
                break
        assert len(ids) == page.total, (firm, name)
        found[name] = tuple(ids)
    return found


def stored_figures(engine: Engine, firm: str) -> set[str]:
    """The figures whose evidence references are stored for the firm's kept record."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(EVIDENCE.c.figure).where(EVIDENCE.c.firm == firm).distinct()
        ).scalars()
        return set(rows)


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
        assert served_evidence(engine, served.firm) == dict(fresh.evidence)
        assert not stored_figures(engine, served.firm) & set(QUERIED)  # read when asked
        compared += 1
    return compared


def _head(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return last_indexed(connection)
