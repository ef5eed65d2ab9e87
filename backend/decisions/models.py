"""Credit decisions as the API made them: the request, the snapshot, the result, their hashes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column
from sqlmodel import Field, SQLModel


class CreditDecision(SQLModel, table=True):
    """One decision. ``snapshot`` and ``result`` are stored whole, so that re-scoring the snapshot
    with ``model_version`` can be compared with ``result``; ``decision_hash`` is what the
    ``DecisionLog`` contract anchors."""

    __tablename__ = "credit_decision"

    decision_id: str = Field(primary_key=True)  # 0x + 32 bytes, as anchored on chain
    bank: str = Field(index=True)
    firm: str = Field(index=True)
    amount: int = Field(sa_type=BigInteger)
    tenor_days: int
    outcome: str
    model_version: str
    as_of: int = Field(sa_type=BigInteger)  # the credit record's time
    snapshot: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    snapshot_hash: str
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    decision_hash: str
    created_at: int = Field(sa_type=BigInteger)
