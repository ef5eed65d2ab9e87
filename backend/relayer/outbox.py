"""Writing to the outbox: what every signed submission does once its checks pass.

The rows are written in the request's own transaction (the API answers 202 only once they are
durable); the relayer takes them from there (``backend.relayer.relayer``).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.auth.service import Principal
from backend.enums import OutboxKind, OutboxStatus
from backend.errors import LedgerError
from backend.indexer.models import IndexerCursor
from backend.relayer.models import OutboxItem

#: The states of a row still on its way: the index cannot show it yet.
PENDING = (OutboxStatus.QUEUED, OutboxStatus.SUBMITTED)


class DuplicateSubmission(LedgerError, code="duplicate_submission", status=409):
    """The same submission (by its dedupe key) is in the outbox already."""

    def __init__(self, dedupe_keys: list[str]) -> None:
        super().__init__("this was submitted already; see its status")
        self.dedupe_keys = dedupe_keys


@dataclass(frozen=True)
class Accepted:
    """A submission that passed its checks: the outbox row to write."""

    subject: str
    kind: OutboxKind
    dedupe_key: str
    payload: dict[str, Any]
    nonce_signer: str | None = None


def enqueue(session: Session, principal: Principal, accepted: list[Accepted]) -> list[str]:
    """Write the outbox rows now (one bulk insert), so a conflict is a 409 here and not a failed
    commit later. Returns the rows' ids."""
    now = time.time()
    rows = [
        {
            "id": uuid.uuid4().hex,
            "kind": a.kind,
            "subject": a.subject,
            "dedupe_key": a.dedupe_key,
            "payload": a.payload,
            "submitter": principal.address,
            "nonce_signer": a.nonce_signer,
            "status": OutboxStatus.QUEUED,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for a in accepted
    ]
    if not rows:
        return []
    try:
        with session.begin_nested():
            session.execute(insert(OutboxItem), rows)
    except IntegrityError:
        raise DuplicateSubmission([a.dedupe_key for a in accepted]) from None
    return [str(row["id"]) for row in rows]


def in_flight(session: Session, *conditions: Any) -> list[OutboxItem]:
    """Outbox rows matching ``conditions`` that the index does not show yet: queued or
    submitted, or recorded in a block the indexer has not reached. Failed rows never count."""
    cursor = session.exec(select(func.max(IndexerCursor.last_block))).one()
    indexed_up_to = -1 if cursor is None else int(cursor)
    return list(
        session.exec(
            select(OutboxItem).where(
                *conditions,
                OutboxItem.status != OutboxStatus.FAILED,
                or_(
                    col(OutboxItem.status).in_(PENDING),
                    col(OutboxItem.block_number) > indexed_up_to,
                ),
            )
        )
    )
