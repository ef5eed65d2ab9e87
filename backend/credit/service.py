"""The chain events behind each figure of a firm's credit record (the evidence endpoint)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Table, select

from backend.credit.cache import get_record
from backend.credit.record import FIGURES
from backend.errors import LedgerError
from backend.indexer.models import ChainEvent

EVENTS: Table = ChainEvent.__table__  # type: ignore[attr-defined]
MAX_PAGE = 1_000


class UnknownFigure(LedgerError):
    code = "unknown_figure"
    status = 404


class InvalidPage(LedgerError):
    code = "invalid_page"
    status = 400


@dataclass(frozen=True)
class EvidenceRow:
    event_id: int
    contract: str
    event: str
    tx_hash: str
    block_number: int
    log_index: int
    block_time: int
    args: dict[str, Any]


@dataclass(frozen=True)
class EvidencePage:
    firm: str
    figure: str
    as_of: int
    total: int
    offset: int
    limit: int
    rows: list[EvidenceRow]


def evidence(
    engine: Engine, firm: str, figure: str, as_of: int | None, offset: int, limit: int
) -> EvidencePage:
    """One page of the chain events behind ``figure`` of the firm's record, in chain order."""
    if figure not in FIGURES:
        raise UnknownFigure(f"no figure {figure!r}; the figures are {', '.join(FIGURES)}")
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidPage(f"offset must be >= 0 and limit within 1..{MAX_PAGE}")
    view = get_record(engine, firm, as_of)
    ids = view.evidence.get(figure, ())
    page = list(ids[offset : offset + limit])
    with engine.connect() as connection:
        rows = connection.execute(
            select(EVENTS).where(EVENTS.c.id.in_(page)).order_by(EVENTS.c.id)
        ).mappings()
        found = [_evidence_row(row) for row in rows]
    return EvidencePage(view.firm, figure, view.as_of, len(ids), offset, limit, found)


def _evidence_row(row: Any) -> EvidenceRow:
    return EvidenceRow(
        event_id=int(row["id"]),
        contract=row["contract"],
        event=row["event"],
        tx_hash=row["tx_hash"],
        block_number=int(row["block_number"]),
        log_index=int(row["log_index"]),
        block_time=int(row["block_time"]),
        args=row["args"],
    )
