"""Sign-in challenges: one-time nonces, kept in the database so any API worker can check them."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class AuthChallenge(SQLModel, table=True):
    __tablename__ = "auth_challenge"

    nonce: str = Field(primary_key=True)
    address: str = Field(index=True)
    message: str
    expires_at: int = Field(sa_type=BigInteger)
    used: bool = False
