"""The credit records kept up to date as events arrive (the read side's cache)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel


class CreditRecord(SQLModel, table=True):
    """A firm's credit record as of the indexer's block ``as_of_block`` (time ``as_of_time``)."""

    __tablename__ = "credit_record"

    firm: str = Field(primary_key=True)
    as_of_block: int = Field(sa_type=BigInteger)
    as_of_time: int = Field(sa_type=BigInteger)
    record: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))

