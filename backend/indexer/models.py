"""The indexer's own tables: decoded chain events, processed block headers, the cursor and the
rollback journal of provisional blocks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class ChainEvent(SQLModel, table=True):
    """One decoded log. ``(tx_hash, log_index)`` is unique, so a replay is harmless.

    The id is ``block_number << 20 | log_index``: deterministic, so a re-index from block 0
    reproduces every id that other rows cite as evidence, and a log written twice breaks the
    primary key. Being in block order, the id also serves the reads by block (a reorg's rollback
    of the events after a block), which need no index of their own. The id changes when a
    transaction is mined again in another block; the unique ``(tx_hash, log_index)`` does not, so
    it still refuses the same log twice should a rollback ever have missed the orphaned copy.
    """

    __tablename__ = "chain_event"
    __table_args__ = (
        UniqueConstraint("tx_hash", "log_index", name="uq_chain_event_log"),
        # A firm's roles as of T are its last FirmRolesChanged event by T, which only chain_event
        # holds (the credit record reads them). Without this index that lookup scans every
        # indexed event; with it, it reads the (rare) role changes up to T.
        Index("ix_chain_event_event_block_time", "event", "block_time"),
    )

    id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    block_number: int = Field(sa_type=BigInteger)
    block_hash: str
    block_time: int = Field(sa_type=BigInteger)
    tx_hash: str
    log_index: int
    contract: str
    event: str
    args: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class BlockHeader(SQLModel, table=True):
    """A block the indexer processed, with its hash: a later mismatch means a reorg."""

    __tablename__ = "block_header"

    number: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    hash: str
    timestamp: int = Field(sa_type=BigInteger)


class IndexerCursor(SQLModel, table=True):
    """How far the indexer got, per chain; advanced in the same transaction as the rows."""

    __tablename__ = "indexer_cursor"

    chain_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    last_block: int = Field(sa_type=BigInteger)
    last_hash: str


class JournalEntry(SQLModel, table=True):
    """How to undo one write made for a provisional block (``before`` null: delete the row)."""

    __tablename__ = "indexer_journal"

    id: int | None = Field(default=None, primary_key=True)
    block_number: int = Field(sa_type=BigInteger, index=True)
    table_name: str
    row_key: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
