"""Firms as the registry recorded them."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class Firm(SQLModel, table=True):
    address: str = Field(primary_key=True)
    roles: int
    status: int  # 1 active, 2 suspended (FirmRegistry.FirmStatus)
    credit_code_hash: str = Field(index=True)
    registered_at: int = Field(sa_type=BigInteger)  # block time of registration
    registered_block: int = Field(sa_type=BigInteger)
    event_id: int = Field(sa_type=BigInteger)  # the FirmRegistered chain event
