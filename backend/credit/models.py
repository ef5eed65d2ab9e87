"""The credit records kept up to date as events arrive (the read side's cache), the evidence
behind their figures (as event references, paged by the evidence endpoint) and the network-wide
figures computed by a background job."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Text
from sqlmodel import Field, SQLModel


class CreditRecord(SQLModel, table=True):
    """A firm's credit record as of the indexer's block ``as_of_block`` (time ``as_of_time``)."""

    __tablename__ = "credit_record"

    firm: str = Field(primary_key=True)
    as_of_block: int = Field(sa_type=BigInteger)
    as_of_time: int = Field(sa_type=BigInteger)
    record: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    # the network snapshot the record's global figures were taken from (None: none yet)
    network_block: int | None = Field(default=None, sa_type=BigInteger)


class CreditEvidence(SQLModel, table=True):
    """The chain events behind one figure of a firm's cached record, one row each, in chain
    order (``position``): the evidence endpoint pages them without loading the record. Only for
    the figures whose evidence is bounded; the others' is queried from the rows when asked
    (:mod:`backend.credit.evidence_query`)."""

    __tablename__ = "credit_evidence"

    firm: str = Field(primary_key=True)
    figure: str = Field(primary_key=True)
    position: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    event_id: int = Field(sa_type=BigInteger)


class CreditTally(SQLModel, table=True):
    """What a firm's verified invoices add up to per day they were issued (``day`` =
    ``issued_at // 86400``), in one currency, as seller or buyer (``measure``, a
    :class:`~backend.enums.TallyMeasure`): kept by the indexer's handlers in the transaction of
    the events (:mod:`backend.credit.tallies`), so the volume figures read at most a day per
    bucket of the record instead of the firm's history."""

    __tablename__ = "credit_tally"

    firm: str = Field(primary_key=True)
    measure: str = Field(primary_key=True)
    currency: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    day: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    amount: int = Field(sa_type=BigInteger)
    count: int = Field(sa_type=BigInteger)


class NetworkSnapshot(SQLModel, table=True):
    """The network-wide figures (PageRank, the population's sales and tenures) as of a block,
    computed by the background job only: ``data`` holds ``ranks`` (firm -> scaled rank),
    ``sales`` and ``registered_at`` (sorted)."""

    __tablename__ = "network_snapshot"

    as_of_block: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    as_of_time: int = Field(sa_type=BigInteger)
    computed_at: float
    data: str = Field(sa_column=Column(Text, nullable=False))  # orjson: parsed once per process
