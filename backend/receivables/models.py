"""Receivables as the receivable ledger recorded them: current state, history and financings;
and the banks' financing offers, off chain until a holder accepts one."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel


class Receivable(SQLModel, table=True):
    """The current state of one receivable (a root from an invoice, or a part of a split)."""

    receivable_id: str = Field(primary_key=True)
    root_id: str = Field(index=True)
    parent_id: str | None = Field(default=None, index=True)
    tier: int
    obligor: str = Field(index=True)
    creditor: str = Field(index=True)  # the holder it was created for
    holder: str = Field(index=True)  # the holder now
    amount: int = Field(sa_type=BigInteger)
    due_at: int = Field(sa_type=BigInteger)
    status: int  # IReceivableLedger.ReceivableStatus: 1 pending ... 7 defaulted
    financed: bool = False
    paid_at: int | None = Field(default=None, sa_type=BigInteger)
    late_days: int | None = None
    created_block: int = Field(sa_type=BigInteger)
    created_time: int = Field(sa_type=BigInteger)
    updated_time: int = Field(sa_type=BigInteger)
    event_id: int = Field(sa_type=BigInteger)  # ReceivableCreated


class ReceivableTransition(SQLModel, table=True):
    """One state change of a receivable; the state at time T is its last transition by T."""

    __tablename__ = "receivable_transition"

    event_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    receivable_id: str = Field(index=True)
    status: int
    holder: str = Field(index=True)
    block_time: int = Field(sa_type=BigInteger, index=True)


class Financing(SQLModel, table=True):
    """A bank's advance against a receivable: the financing of its previous holder."""

    receivable_id: str = Field(primary_key=True)
    borrower: str = Field(index=True)  # the holder that sold the receivable to the bank
    bank: str = Field(index=True)
    obligor: str = Field(index=True)
    amount: int = Field(sa_type=BigInteger)
    advance: int = Field(sa_type=BigInteger)
    rate_bps: int
    due_at: int = Field(sa_type=BigInteger)
    financed_time: int = Field(sa_type=BigInteger)
    event_id: int = Field(sa_type=BigInteger)


class FinancingOffer(SQLModel, table=True):
    """One offer. ``offer_id`` is the ``Finance`` digest both sign, so the same terms are
    offered once; ``state`` is what the API decided (open, accepted, lapsed, withdrawn); what
    time and the index decide on top of it (expired, lapsed) is computed on read."""

    __tablename__ = "financing_offer"

    offer_id: str = Field(primary_key=True)  # 0x + the Finance digest
    receivable_id: str = Field(index=True)
    bank: str = Field(index=True)
    holder: str = Field(index=True)  # the holder the offer was made to
    advance: int = Field(sa_type=BigInteger)
    currency: int | None = None
    rate_bps: int
    deadline: int = Field(sa_type=BigInteger)
    nonce: int = Field(sa_type=BigInteger)
    bank_signature: str
    state: str = Field(index=True)
    submission_id: str | None = None  # the outbox row of the accepted financing
    created_at: int = Field(sa_type=BigInteger)
