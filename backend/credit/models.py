"""The credit records kept up to date as events arrive (the read side's cache), and the index the
credit record needs on the indexer's ``chain_event`` table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Table
from sqlmodel import Field, SQLModel

from backend.indexer.models import ChainEvent


class CreditRecord(SQLModel, table=True):
    """A firm's credit record as of the indexer's block ``as_of_block`` (time ``as_of_time``)."""

    __tablename__ = "credit_record"

    firm: str = Field(primary_key=True)
    as_of_block: int = Field(sa_type=BigInteger)
    as_of_time: int = Field(sa_type=BigInteger)
    record: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


_CHAIN_EVENTS: Table = ChainEvent.__table__  # type: ignore[attr-defined]

# A firm's roles as of T are its last FirmRolesChanged event by T, which only chain_event holds.
# Without this index that lookup scans every indexed event; with it, it reads the (rare) role
# changes up to T. It belongs with ChainEvent if the indexer's owners prefer it there.
CHAIN_EVENT_BY_NAME_AND_TIME = Index(
    "ix_chain_event_event_block_time", _CHAIN_EVENTS.c.event, _CHAIN_EVENTS.c.block_time
)
