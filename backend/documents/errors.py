"""What the document endpoints refuse."""

from __future__ import annotations

from backend.errors import LedgerError


class EmptyDocument(LedgerError, code="empty_document", status=422):
    """The uploaded document has no bytes."""

    def __init__(self) -> None:
        super().__init__("the document is empty")


class DocumentTooLarge(LedgerError, code="document_too_large", status=413):
    """The uploaded document is larger than the API stores."""

    limit: int
    sentence = "documents are limited to {limit} bytes"


class UnknownDocument(LedgerError, code="unknown_document", status=422):
    """No recorded trade carries the document's hash."""

    doc_hash: str
    sentence = "no recorded trade has document hash {doc_hash}"


class DocumentStored(LedgerError, code="duplicate_document", status=409):
    """The document is stored already."""

    doc_hash: str
    sentence = "this document is stored already"


class DocumentNotFound(LedgerError, code="not_found", status=404):
    """No stored document with this hash."""

    doc_hash: str
    sentence = "no stored document {doc_hash}"
