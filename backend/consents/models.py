"""Consents as the consent registry recorded them."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class Consent(SQLModel, table=True):
    consent_id: str = Field(primary_key=True)
    firm: str = Field(index=True)
    bank: str = Field(index=True)
    scope: int
    expires_at: int = Field(sa_type=BigInteger)
    granted_time: int = Field(sa_type=BigInteger)
    revoked_time: int | None = Field(default=None, sa_type=BigInteger)
    replaced_by: str | None = None
    event_id: int = Field(sa_type=BigInteger)
