"""What the document endpoints refuse."""

from __future__ import annotations

from backend.errors import LedgerError


class EmptyDocument(LedgerError):
    """The uploaded document has no bytes."""

    code = "empty_document"
    status = 422

    def __init__(self) -> None:
        super().__init__("the document is empty")


class DocumentTooLarge(LedgerError):
    """The uploaded document is larger than the API stores."""

    code = "document_too_large"
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(f"documents are limited to {limit} bytes")
        self.limit = limit


class UnknownDocument(LedgerError):
    """No recorded trade carries the document's hash."""

    code = "unknown_document"
    status = 422

    def __init__(self, doc_hash: str) -> None:
        super().__init__(f"no recorded trade has document hash {doc_hash}")
        self.doc_hash = doc_hash


class DocumentStored(LedgerError):
    """The document is stored already."""

    code = "duplicate_document"
    status = 409

    def __init__(self, doc_hash: str) -> None:
        super().__init__("this document is stored already")
        self.doc_hash = doc_hash


class DocumentNotFound(LedgerError):
    """No stored document with this hash."""

    code = "not_found"
    status = 404

    def __init__(self, doc_hash: str) -> None:
        super().__init__(f"no stored document {doc_hash}")
        self.doc_hash = doc_hash
