"""The chain events behind each figure of a firm's credit record (the evidence endpoint): the
served record's by a query of the rows (:mod:`backend.credit.evidence_query`) or from its stored
references (``credit_evidence``), a past one's recomputed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select

from backend.credit import evidence_query
from backend.credit.cache import EVIDENCE, get_record
from backend.credit.errors import InvalidPage, UnknownFigure
from backend.credit.evidence_query import QUERIED
from backend.credit.record import FIGURES, CreditRecordView
from backend.credit.schemas import EvidencePage
from backend.db import table_of
from backend.indexer.models import ChainEvent
from backend.schemas import ChainEventEvidence

EVENTS: Table = table_of(ChainEvent)
MAX_PAGE = 1_000


def evidence(
    engine: Engine, firm: str, figure: str, as_of: int | None, offset: int, limit: int
) -> EvidencePage:
    """One page of the chain events behind ``figure`` of the firm's record, in chain order:
    read from the stored references for the served record, computed for a past ``as_of``."""
    if figure not in FIGURES:
        raise UnknownFigure(f"no figure {figure!r}; the figures are {', '.join(FIGURES)}")
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidPage(f"offset must be >= 0 and limit within 1..{MAX_PAGE}")
    view = get_record(engine, firm, as_of)
    with engine.connect() as connection:
        if as_of is None and figure in QUERIED:
            total, page = _queried_evidence(connection, view, figure, offset, limit)
        elif as_of is None:
            total, page = _stored_evidence(connection, view.firm, figure, offset, limit)
        else:
            ids = view.evidence.get(figure, ())
            total, page = len(ids), list(ids[offset : offset + limit])
        rows = connection.execute(
            select(EVENTS).where(EVENTS.c.id.in_(page)).order_by(EVENTS.c.id)
        ).mappings()
        found = [_evidence_row(row) for row in rows]
    return EvidencePage(
        firm=view.firm,
        figure=figure,
        as_of=view.as_of,
        total=total,
        offset=offset,
        limit=limit,
        rows=found,
    )


def _queried_evidence(
    connection: Connection, view: CreditRecordView, figure: str, offset: int, limit: int
) -> tuple[int, list[int]]:
    if not view.available:
        return 0, []
    query = evidence_query.query(figure, view.firm, view.to_json())
    if query is None:
        return 0, []
    ids = query.subquery()
    total = connection.execute(select(func.count()).select_from(ids)).scalar()
    page = connection.execute(select(ids.c.id).order_by(ids.c.id).offset(offset).limit(limit))
    return int(total or 0), [int(event) for event in page.scalars()]


def _stored_evidence(
    connection: Connection, firm: str, figure: str, offset: int, limit: int
) -> tuple[int, list[int]]:
    mine = (EVIDENCE.c.firm == firm) & (EVIDENCE.c.figure == figure)
    total = connection.execute(select(func.count()).select_from(EVIDENCE).where(mine)).scalar()
    page = connection.execute(
        select(EVIDENCE.c.event_id)
        .where(mine)
        .order_by(EVIDENCE.c.position)
        .offset(offset)
        .limit(limit)
    ).scalars()
    return int(total or 0), list(page)


def _evidence_row(row: Any) -> ChainEventEvidence:
    return ChainEventEvidence(
        event_id=int(row["id"]),
        contract=row["contract"],
        event=row["event"],
        tx_hash=row["tx_hash"],
        block_number=int(row["block_number"]),
        block_hash=row["block_hash"],
        log_index=int(row["log_index"]),
        block_time=int(row["block_time"]),
        args=row["args"],
    )
