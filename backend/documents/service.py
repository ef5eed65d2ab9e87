"""Documents: stored encrypted (AES-256-GCM), accepted only when their SHA-256 is a recorded
``docHash``; readable by the trade's parties and by banks with a party's consent. The operator
administers the service but does not read documents."""

from __future__ import annotations

import hashlib
import os
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import Session, col, select

from backend.auth.service import Forbidden, Principal
from backend.consents.models import SCOPE_DOCUMENTS
from backend.consents.service import require_reader
from backend.documents.models import Document
from backend.errors import LedgerError
from backend.trades.models import Trade

MAX_DOCUMENT_BYTES = 1_500_000  # under the API's body limit, with room for the form encoding
NONCE_BYTES = 12


def _cipher(key_hex: str) -> AESGCM:
    return AESGCM(bytes.fromhex(key_hex))


def upload(
    session: Session, principal: Principal, key_hex: str, content: bytes, content_type: str
) -> Document:
    if not content:
        raise LedgerError("the document is empty", code="empty_document", status=422)
    if len(content) > MAX_DOCUMENT_BYTES:
        raise LedgerError(
            f"documents are limited to {MAX_DOCUMENT_BYTES} bytes",
            code="document_too_large",
            status=413,
        )
    doc_hash = "0x" + hashlib.sha256(content).hexdigest()
    # The trade that holds the document now: a rejected or expired proposal releases it, and the
    # trade that records it again comes later on chain.
    trade = session.exec(
        select(Trade).where(Trade.doc_hash == doc_hash).order_by(col(Trade.event_id).desc())
    ).first()
    if trade is None:
        raise LedgerError(
            f"no recorded trade has document hash {doc_hash}", code="unknown_document", status=422
        )
    if principal.address not in (trade.seller, trade.buyer):
        raise Forbidden("only a party to the trade may upload its document", code="not_a_party")
    if session.get(Document, doc_hash) is not None:
        raise LedgerError("this document is stored already", code="duplicate_document", status=409)
    nonce = os.urandom(NONCE_BYTES)
    # The hash is the associated data: a ciphertext moved to another row fails to decrypt.
    ciphertext = _cipher(key_hex).encrypt(nonce, content, doc_hash.encode())
    document = Document(
        doc_hash=doc_hash,
        trade_id=trade.trade_id,
        content_type=content_type,
        size=len(content),
        nonce=nonce,
        ciphertext=ciphertext,
        uploaded_by=principal.address,
        uploaded_at=int(time.time()),
    )
    session.add(document)
    session.flush()
    return document


def read(
    session: Session, principal: Principal, key_hex: str, doc_hash: str
) -> tuple[Document, bytes]:
    document = session.get(Document, doc_hash)
    if document is None:
        raise LedgerError(f"no stored document {doc_hash}", code="not_found", status=404)
    trade = session.get(Trade, document.trade_id)
    assert trade is not None
    require_reader(
        session,
        principal,
        (trade.seller, trade.buyer),
        SCOPE_DOCUMENTS,
        "documents are read by the trade's parties and by banks with consent",
        operator_reads=False,
    )
    plaintext = _cipher(key_hex).decrypt(document.nonce, document.ciphertext, doc_hash.encode())
    return document, plaintext
