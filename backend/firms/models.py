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


class FirmDirectoryEntry(SQLModel, table=True):
    """Who a registered firm is, kept off chain: the registry holds ``keccak256(uscc)`` only
    (``Firm.credit_code_hash``), so the clear code here can be checked against the chain."""

    __tablename__ = "firm_directory"

    address: str = Field(primary_key=True)
    uscc: str = Field(unique=True)
    legal_name_zh: str = Field(index=True)
    legal_name_en: str | None = Field(default=None, index=True)
    region: str | None = None
    industry: str | None = None
    created_at: int = Field(sa_type=BigInteger)
