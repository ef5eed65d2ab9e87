"""``/readyz``: whether this process can do its work now, and if not, why (one reason each).

Not ready when the database or the node does not answer within ``SCF_READY_TIMEOUT_SECONDS``, a
worker is not running (starting, retrying, stopped, failed), the indexer lags the node's head by
more than ``SCF_READY_MAX_LAG_BLOCKS``, or the oldest queued submission is older than
``SCF_READY_MAX_QUEUE_AGE_SECONDS``. Also sets the relayer's queue gauges (``/metrics``).
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from sqlalchemy import Engine, Table, func, select, text

from backend.enums import OutboxStatus
from backend.indexer.models import IndexerCursor
from backend.indexer.rpc import JsonRpc
from backend.relayer.models import OutboxItem
from backend.workers import metrics
from backend.workers.errors import describe
from backend.workers.supervisor import Supervisor

logger = logging.getLogger(__name__)

OUTBOX: Table = OutboxItem.__table__  # type: ignore[attr-defined]
CURSORS: Table = IndexerCursor.__table__  # type: ignore[attr-defined]
# Checks run here so that a hung connection costs a reason, not the request: at most a few
# checks hang at once, each until its own socket gives up.
_CHECKS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def queue_state(engine: Engine) -> tuple[dict[str, int], float | None]:
    """Outbox rows by status, and the age in seconds of the oldest queued one (None if none)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(OUTBOX.c.status, func.count()).group_by(OUTBOX.c.status)
        ).all()
        oldest = connection.execute(
            select(func.min(OUTBOX.c.created_at)).where(OUTBOX.c.status == OutboxStatus.QUEUED)
        ).scalar()
    return {str(status): int(count) for status, count in rows}, (
        None if oldest is None else max(0.0, time.time() - float(oldest))
    )


def update_queue_gauges(engine: Engine) -> tuple[dict[str, int], float | None]:
    counts, oldest = queue_state(engine)
    for status, count in counts.items():
        metrics.RELAYER_QUEUE.labels(status).set(count)
    metrics.RELAYER_OLDEST_QUEUED.set(oldest or 0.0)
    return counts, oldest


def update_queue_gauges_within(engine: Engine, timeout: float) -> None:
    """The queue gauges, unless the database does not answer in time (then they keep their
    last values: ``/readyz`` is where an unreachable database shows)."""
    try:
        _CHECKS.submit(update_queue_gauges, engine).result(timeout=timeout)
    except Exception as error:
        logger.warning("metrics.queue.unavailable error=%s", describe(error))


def readiness(
    *,
    engine: Engine,
    rpc_url: str,
    chain_id: int,
    deploy_block: int,
    supervisor: Supervisor | None,
    max_lag_blocks: int,
    max_queue_age_seconds: float,
    timeout: float,
) -> dict[str, Any]:
    """``{"ready": bool, "reasons": [...]}`` plus what was measured."""
    reasons: list[str] = []
    report: dict[str, Any] = {}
    database = _CHECKS.submit(_database, engine, chain_id)
    node = _CHECKS.submit(JsonRpc(rpc_url, timeout, retries=0).block_number)
    cursor: int | None = None
    try:
        cursor, counts, oldest = database.result(timeout=timeout)
        report["queue"] = counts
        if oldest is not None and oldest > max_queue_age_seconds:
            reasons.append(
                f"relayer: the oldest queued submission waited {oldest:.0f} s "
                f"(more than {max_queue_age_seconds:g} s)"
            )
    except FutureTimeout:
        reasons.append(f"database: no answer within {timeout:g} s")
    except Exception as error:
        reasons.append(f"database unreachable: {describe(error)}")
    try:
        head = node.result(timeout=timeout)
        report["head"] = head
    except FutureTimeout:
        head = None
        reasons.append(f"node: no answer within {timeout:g} s")
    except Exception as error:
        head = None
        reasons.append(f"node unreachable: {describe(error)}")
    if head is not None and "queue" in report:  # both answered: how far behind the index is
        indexed = cursor if cursor is not None else deploy_block - 1
        report["indexed"] = indexed
        lag = max(0, head - indexed)
        report["lag"] = lag
        if lag > max_lag_blocks:
            reasons.append(f"indexer: {lag} blocks behind the head (more than {max_lag_blocks})")
    if supervisor is not None:
        reasons.extend(supervisor.problems())
    return {"ready": not reasons, "reasons": reasons, **report}


def _database(engine: Engine, chain_id: int) -> tuple[int | None, dict[str, int], float | None]:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        cursor = connection.execute(
            select(CURSORS.c.last_block).where(CURSORS.c.chain_id == chain_id)
        ).scalar()
    counts, oldest = update_queue_gauges(engine)
    return (None if cursor is None else int(cursor)), counts, oldest
