"""What a submission's status is, said from the indexed canonical chain and never beyond it.

The relayer's own row says what the node told it (a receipt); the public status says only what
the indexer has seen: ``submitted`` until the row's transaction has an event in an indexed block,
``recorded`` (with block and confirmations below the indexed head) once it has, ``final`` once
that block is deeper than the final depth. ``queued`` and ``failed`` come from the row itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from backend.auth.errors import Forbidden
from backend.auth.service import Principal
from backend.enums import OutboxStatus
from backend.errors import LedgerError
from backend.indexer.models import ChainEvent, IndexerCursor
from backend.relayer.models import OutboxItem
from backend.relayer.schemas import SubmissionError, SubmissionStatus
from backend.services import Services

RECORDED_PUBLIC, FINAL_PUBLIC, SUBMITTED_PUBLIC = "recorded", "final", "submitted"


@dataclass(frozen=True)
class ChainStatus:
    status: str  # queued | submitted | recorded | final | failed
    tx_hash: str | None = None
    block_number: int | None = None
    confirmations: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    reorgs: int = 0


def indexed_head(session: Session, chain_id: int) -> int | None:
    """The last block the indexer processed on ``chain_id`` (None before it started)."""
    cursor = session.get(IndexerCursor, chain_id)
    return None if cursor is None else int(cursor.last_block)


def depth_status(block: int, head: int | None, final_depth: int) -> tuple[str, int]:
    """``recorded`` or ``final`` for an indexed event in ``block``, and its confirmations."""
    confirmations = 1 if head is None else max(1, head - block + 1)
    return (FINAL_PUBLIC if confirmations > final_depth else RECORDED_PUBLIC), confirmations


def indexed_block_of(session: Session, tx_hash: str) -> int | None:
    """The block of ``tx_hash``'s events in the indexed canonical chain (None: not indexed)."""
    block = session.exec(
        select(func.min(ChainEvent.block_number)).where(ChainEvent.tx_hash == tx_hash)
    ).one()
    return None if block is None else int(block)


def submission_status(
    session: Session, item: OutboxItem, *, chain_id: int, final_depth: int
) -> ChainStatus:
    """The public status of one outbox row."""
    if item.status == OutboxStatus.QUEUED:
        return ChainStatus(OutboxStatus.QUEUED, reorgs=item.reorgs)
    if item.status == OutboxStatus.FAILED:
        return ChainStatus(
            OutboxStatus.FAILED,
            item.tx_hash,
            item.block_number,
            error_code=item.error_code,
            error_message=item.error_message,
            reorgs=item.reorgs,
        )
    block = None if item.tx_hash is None else indexed_block_of(session, item.tx_hash)
    if block is None:  # sent, perhaps mined, but not in an indexed canonical block (yet)
        return ChainStatus(SUBMITTED_PUBLIC, item.tx_hash, reorgs=item.reorgs)
    status, confirmations = depth_status(block, indexed_head(session, chain_id), final_depth)
    return ChainStatus(status, item.tx_hash, block, confirmations, reorgs=item.reorgs)


def latest_submission(session: Session, kinds: list[str], subject: str) -> OutboxItem | None:
    """The newest outbox row of one of ``kinds`` about ``subject``."""
    return session.exec(
        select(OutboxItem)
        .where(OutboxItem.subject == subject, col(OutboxItem.kind).in_(kinds))
        .order_by(col(OutboxItem.created_at).desc())
    ).first()


class SubmissionNotFound(LedgerError, code="not_found", status=404):
    """No submission with this id, or not one the caller may see."""


def read_submission(
    session: Session, services: Services, principal: Principal, submission_id: str
) -> SubmissionStatus:
    """One outbox row's public status, to its submitter and the operator."""
    item = session.get(OutboxItem, submission_id)
    if item is None:
        raise SubmissionNotFound(f"no submission {submission_id}")
    if not principal.operator and principal.address != item.submitter:
        raise Forbidden("a submission is read by its submitter and the operator")
    state = submission_status(
        session, item, chain_id=services.chain_id, final_depth=services.settings.final_depth
    )
    return SubmissionStatus(
        id=item.id,
        kind=item.kind,
        subject=item.subject,
        status=state.status,  # type: ignore[arg-type]
        tx_hash=state.tx_hash,
        block_number=state.block_number,
        confirmations=state.confirmations,
        reorgs=state.reorgs,
        error=(
            SubmissionError(code=state.error_code, message=state.error_message or "")
            if state.error_code
            else None
        ),
    )
