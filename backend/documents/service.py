"""Documents: stored encrypted (AES-256-GCM), accepted only when their SHA-256 is a recorded
``docHash``; readable by the trade's parties and by banks with a party's consent. The operator
administers the service but does not read documents."""

from __future__ import annotations

import hashlib
import os
import re
import time
import unicodedata
from urllib.parse import quote

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlmodel import Session, col, select

from backend.auth.errors import Forbidden, NotAParty
from backend.auth.readers import require_reader
from backend.auth.service import Principal
from backend.documents.errors import (
    DocumentNotFound,
    DocumentStored,
    DocumentTooLarge,
    EmptyDocument,
    UnknownDocument,
)
from backend.documents.models import Document
from backend.enums import ConsentScope
from backend.trades.models import Trade

MAX_DOCUMENT_BYTES = 1_500_000  # under the API's body limit, with room for the form encoding
NONCE_BYTES = 12
MAX_FILENAME_CHARS = 200
FALLBACK_FILENAME = "document"
#: The declared types served as they are; anything else (text/html, SVG, JavaScript...) is served
#: as application/octet-stream. Documents are always attachments, never rendered in the page.
SERVED_TYPES = frozenset(
    {"application/pdf", "application/xml", "text/xml", "image/png", "image/jpeg"}
)
OPAQUE_TYPE = "application/octet-stream"
_UNSAFE_IN_FALLBACK = re.compile(r"[^A-Za-z0-9._()+-]")  # the ASCII name of old clients


def served_type(declared: str | None) -> str:
    """The type a document is served with: the declared one when allowed, else opaque bytes."""
    media_type = (declared or "").split(";", 1)[0].strip().lower()
    return media_type if media_type in SERVED_TYPES else OPAQUE_TYPE


def safe_filename(name: str | None) -> str:
    """The uploader's file name without directories, control or format characters (bidi
    overrides...), leading dots or surrounding spaces, at most 200 characters."""
    text = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    text = text.strip().lstrip(".").strip()[:MAX_FILENAME_CHARS].strip()
    return text or FALLBACK_FILENAME


def content_disposition(filename: str | None) -> str:
    """``attachment`` with an ASCII fallback name and the UTF-8 name (RFC 6266, RFC 8187)."""
    name = safe_filename(filename)
    ascii_name = _UNSAFE_IN_FALLBACK.sub("_", name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def _cipher(key_hex: str) -> AESGCM:
    return AESGCM(bytes.fromhex(key_hex))


def upload(
    session: Session,
    principal: Principal,
    key_hex: str,
    content: bytes,
    content_type: str | None,
    filename: str | None = None,
) -> Document:
    if not content:
        raise EmptyDocument()
    if len(content) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(MAX_DOCUMENT_BYTES)
    doc_hash = "0x" + hashlib.sha256(content).hexdigest()
    # The trade that holds the document now: a rejected or expired proposal releases it, and the
    # trade that records it again comes later on chain.
    trade = session.exec(
        select(Trade).where(Trade.doc_hash == doc_hash).order_by(col(Trade.event_id).desc())
    ).first()
    if trade is None:
        raise UnknownDocument(doc_hash)
    if principal.address not in (trade.seller, trade.buyer):
        raise NotAParty("only a party to the trade may upload its document")
    if session.get(Document, doc_hash) is not None:
        raise DocumentStored(doc_hash)
    nonce = os.urandom(NONCE_BYTES)
    # The hash is the associated data: a ciphertext moved to another row fails to decrypt.
    ciphertext = _cipher(key_hex).encrypt(nonce, content, doc_hash.encode())
    document = Document(
        doc_hash=doc_hash,
        trade_id=trade.trade_id,
        content_type=served_type(content_type),
        filename=safe_filename(filename),
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
        raise DocumentNotFound(doc_hash)
    trade = session.get(Trade, document.trade_id)
    assert trade is not None
    require_reader(
        session,
        principal,
        (trade.seller, trade.buyer),
        ConsentScope.DOCUMENTS,
        Forbidden("documents are read by the trade's parties and by banks with consent"),
        operator_reads=False,
    )
    plaintext = _cipher(key_hex).decrypt(document.nonce, document.ciphertext, doc_hash.encode())
    return document, plaintext
