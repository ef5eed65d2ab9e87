"""What the trade and payment endpoints refuse, each error keeping what it refers to."""

from __future__ import annotations

from backend.errors import LedgerError


class SelfTrade(LedgerError, code="self_trade", status=422):
    """Seller and buyer are the same firm."""

    firm: str
    sentence = "seller and buyer must be different firms"


class UnknownCurrency(LedgerError, code="unknown_currency", status=422):
    """The currency is not an ISO 4217 numeric code."""

    currency: int
    sentence = "{currency} is not an ISO 4217 numeric code"


class InvalidDueDate(LedgerError, code="invalid_due_date", status=422):
    """An invoice due before it was issued, or a due date on anything but an invoice."""

    def __init__(self, message: str, *, due_at: int) -> None:
        super().__init__(message)
        self.due_at = due_at


class MissingInvoiceKey(LedgerError, code="missing_invoice_key", status=422):
    """An invoice without its identity (``invoice_key``)."""

    def __init__(self) -> None:
        super().__init__(
            "an invoice needs its identity: invoice_key = keccak256(abi.encode(issuer USCC, "
            "invoice number)) for a Chinese e-invoice"
        )


class InvalidInvoiceKey(LedgerError, code="invalid_invoice_key", status=422):
    """An invoice identity on a trade that is not an invoice."""

    invoice_key: str
    sentence = "only invoices have an invoice_key; send zero"


class DuplicateDocument(LedgerError, code="duplicate_document", status=409):
    """The document is recorded (or queued) already, or twice in one batch."""

    def __init__(self, doc_hash: str, *, in_batch: bool = False) -> None:
        message = (
            "the same document twice in one batch"
            if in_batch
            else f"document {doc_hash} is recorded already"
        )
        super().__init__(message)
        self.doc_hash = doc_hash


class DuplicateInvoice(LedgerError, code="duplicate_invoice", status=409):
    """The invoice identity is recorded (or queued) already, or twice in one batch."""

    def __init__(self, invoice_key: str, *, in_batch: bool = False) -> None:
        message = (
            "the same invoice twice in one batch"
            if in_batch
            else f"invoice {invoice_key} is recorded already (under another document, maybe)"
        )
        super().__init__(message)
        self.invoice_key = invoice_key


class BatchTooLarge(LedgerError, code="batch_too_large", status=422):
    """More items than one batch may carry."""

    limit: int
    sentence = "at most {limit} items"


class TradeNotFound(LedgerError, code="not_found", status=404):
    """No such trade recorded, proposed or submitted (in the state the request needs)."""

    def __init__(self, trade_id: str, message: str | None = None) -> None:
        super().__init__(message or f"no trade {trade_id}")
        self.trade_id = trade_id


class TradeWrongState(LedgerError, code="wrong_state", status=409):
    """The trade is not proposed any more."""

    def __init__(self, trade_id: str, status: str) -> None:
        super().__init__(f"trade {trade_id} is {status}, not proposed")
        self.trade_id = trade_id
        self.trade_status = status


class ProposalExpired(LedgerError, code="proposal_expired", status=409):
    """The proposal waited too long for its buyer."""

    trade_id: str
    ttl: int
    sentence = (
        "proposal {trade_id} waited longer than {ttl} s for its buyer; "
        "it can no longer be answered (propose the trade again)"
    )


class NotAnInvoice(LedgerError, code="not_an_invoice", status=422):
    """Payments are recorded against invoices only."""

    trade_id: str
    sentence = "payments are recorded against invoices"


class Overpayment(LedgerError, code="overpayment", status=422):
    """The payments would exceed the invoice's amount."""

    total: int
    invoice_amount: int
    sentence = "payments would total {total}, above the invoice's {invoice_amount}"


class PaidOnReceivable(LedgerError, code="paid_on_receivable", status=409):
    """The invoice became a receivable: it is paid by settling that."""

    trade_id: str
    sentence = (
        "a receivable was issued from invoice {trade_id}: it is paid by settling the "
        "receivable (POST /receivables/{{id}}/settle), not by a payment on the trade"
    )


class SideWithoutParty(LedgerError, code="side_without_party", status=422):
    """A list filtered by side names no party, and the caller (the operator) is party to none."""
