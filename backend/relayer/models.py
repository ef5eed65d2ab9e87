"""The outbox: every accepted submission, durable before the API answers 202."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel


class OutboxItem(SQLModel, table=True):
    __tablename__ = "outbox"

    id: str = Field(primary_key=True)
    kind: str = Field(index=True)  # an OutboxKind: see backend.relayer.actions.ACTIONS
    subject: str = Field(index=True)  # the trade, receivable or consent id it is about
    dedupe_key: str = Field(unique=True)  # one live submission per document / answer / payment
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    submitter: str
    # The account whose ledger nonce this item spends (its signer), so that the next nonce
    # expected of it counts what is still in the outbox, whoever submitted it.
    nonce_signer: str | None = Field(default=None, index=True)
    status: str = Field(index=True)  # an OutboxStatus
    tx_hash: str | None = Field(default=None, index=True)
    nonce: int | None = Field(default=None, sa_type=BigInteger)
    batch_index: int | None = None
    block_number: int | None = Field(default=None, sa_type=BigInteger)
    attempts: int = 0
    # How many times a reorg or a rewind dropped this row's transaction (it was then requeued).
    reorgs: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The largest batch this row may go in: a batch that sank as a whole is split in halves,
    # down to single items, so that only the item that sinks it fails.
    batch_cap: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    created_at: float
    updated_at: float


class RelayedTransaction(SQLModel, table=True):
    """A transaction the relayer signed, kept before it is broadcast (write-ahead): after a
    crash the very same bytes are sent again, so the same nonce can never carry two different
    transactions."""

    __tablename__ = "relayed_transaction"

    tx_hash: str = Field(primary_key=True)
    nonce: int = Field(sa_type=BigInteger)
    raw: str
    created_at: float
