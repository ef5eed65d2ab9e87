"""The status of one submission (any outbox action), as the API shows it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class SubmissionError(BaseModel):
    code: str
    message: str


class SubmissionStatus(BaseModel):
    id: str
    kind: str = Field(description="trade, propose, confirm, reject, payment, receivable_…, …")
    subject: str = Field(description="the trade, payment, receivable, consent or decision id")
    status: Literal["queued", "submitted", "recorded", "final", "failed"] = Field(
        description="queued; submitted (sent, not yet in an indexed canonical block); recorded "
        "(indexed, with block_number and confirmations); final (deeper than the final depth); "
        "failed (with error)"
    )
    tx_hash: str | None = None
    block_number: int | None = None
    confirmations: int | None = None
    reorgs: int = Field(0, description="times a reorg or a node rewind dropped it (requeued)")
    error: SubmissionError | None = None
