"""Original documents (PDF, XML e-invoices), encrypted at rest."""

from __future__ import annotations

from sqlalchemy import BigInteger, LargeBinary
from sqlmodel import Field, SQLModel


class Document(SQLModel, table=True):
    doc_hash: str = Field(primary_key=True)  # SHA-256 of the plaintext, as recorded on chain
    trade_id: str = Field(index=True)
    content_type: str  # as served: a type of documents.service.SERVED_TYPES
    filename: str | None = None  # the uploader's file name, sanitised (None before 0003)
    size: int = Field(sa_type=BigInteger)
    nonce: bytes = Field(sa_type=LargeBinary)  # AES-GCM nonce, 12 bytes, fresh per document
    ciphertext: bytes = Field(sa_type=LargeBinary)
    uploaded_by: str
    uploaded_at: int = Field(sa_type=BigInteger)
