"""The leader leases: one row per kind of leader (indexer, relayer) with its epoch."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class LeaderLease(SQLModel, table=True):
    """Bumped by each process that takes the ``name`` leader lock; every write transaction of the
    leader reads it (``FOR SHARE``) and stops when it is no longer its own (PostgreSQL only)."""

    __tablename__ = "leader_lease"

    name: str = Field(primary_key=True)
    epoch: int = Field(sa_type=BigInteger)
    holder_pid: int = Field(sa_type=BigInteger)  # backend pid of the session holding the lock
    acquired_at: float
