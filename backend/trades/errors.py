"""What the trade and payment endpoints refuse, each error keeping what it refers to."""

from __future__ import annotations

from backend.errors import LedgerError


class SelfTrade(LedgerError):
    """Seller and buyer are the same firm."""

    code = "self_trade"
    status = 422

    def __init__(self, firm: str) -> None:
        super().__init__("seller and buyer must be different firms")
        self.firm = firm


class UnknownCurrency(LedgerError):
    """The currency is not an ISO 4217 numeric code."""

    code = "unknown_currency"
    status = 422

    def __init__(self, currency: int) -> None:
        super().__init__(f"{currency} is not an ISO 4217 numeric code")
        self.currency = currency


class InvalidDueDate(LedgerError):
    """An invoice due before it was issued, or a due date on anything but an invoice."""

    code = "invalid_due_date"
    status = 422

    def __init__(self, message: str, *, due_at: int) -> None:
        super().__init__(message)
        self.due_at = due_at


class MissingInvoiceKey(LedgerError):
    """An invoice without its identity (``invoice_key``)."""

    code = "missing_invoice_key"
    status = 422

    def __init__(self) -> None:
        super().__init__(
            "an invoice needs its identity: invoice_key = keccak256(abi.encode(issuer USCC, "
            "invoice number)) for a Chinese e-invoice"
        )


class InvalidInvoiceKey(LedgerError):
    """An invoice identity on a trade that is not an invoice."""

    code = "invalid_invoice_key"
    status = 422

    def __init__(self, invoice_key: str) -> None:
        super().__init__("only invoices have an invoice_key; send zero")
        self.invoice_key = invoice_key


class DuplicateDocument(LedgerError):
    """The document is recorded (or queued) already, or twice in one batch."""

    code = "duplicate_document"
    status = 409

    def __init__(self, doc_hash: str, *, in_batch: bool = False) -> None:
        message = (
            "the same document twice in one batch"
            if in_batch
            else f"document {doc_hash} is recorded already"
        )
        super().__init__(message)
        self.doc_hash = doc_hash


class DuplicateInvoice(LedgerError):
    """The invoice identity is recorded (or queued) already, or twice in one batch."""

    code = "duplicate_invoice"
    status = 409

    def __init__(self, invoice_key: str, *, in_batch: bool = False) -> None:
        message = (
            "the same invoice twice in one batch"
            if in_batch
            else f"invoice {invoice_key} is recorded already (under another document, maybe)"
        )
        super().__init__(message)
        self.invoice_key = invoice_key


class BatchTooLarge(LedgerError):
    """More items than one batch may carry."""

    code = "batch_too_large"
    status = 422

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} items")
        self.limit = limit


class TradeNotFound(LedgerError):
    """No such trade recorded, proposed or submitted (in the state the request needs)."""

    code = "not_found"
    status = 404

    def __init__(self, trade_id: str, message: str | None = None) -> None:
        super().__init__(message or f"no trade {trade_id}")
        self.trade_id = trade_id


class TradeWrongState(LedgerError):
    """The trade is not proposed any more."""

    code = "wrong_state"
    status = 409

    def __init__(self, trade_id: str, status: str) -> None:
        super().__init__(f"trade {trade_id} is {status}, not proposed")
        self.trade_id = trade_id
        self.trade_status = status


class ProposalExpired(LedgerError):
    """The proposal waited too long for its buyer."""

    code = "proposal_expired"
    status = 409

    def __init__(self, trade_id: str, ttl: int) -> None:
        super().__init__(
            f"proposal {trade_id} waited longer than {ttl} s for its buyer; "
            "it can no longer be answered (propose the trade again)"
        )
        self.trade_id = trade_id
        self.ttl = ttl


class NotAnInvoice(LedgerError):
    """Payments are recorded against invoices only."""

    code = "not_an_invoice"
    status = 422

    def __init__(self, trade_id: str) -> None:
        super().__init__("payments are recorded against invoices")
        self.trade_id = trade_id


class Overpayment(LedgerError):
    """The payments would exceed the invoice's amount."""

    code = "overpayment"
    status = 422

    def __init__(self, total: int, invoice_amount: int) -> None:
        super().__init__(f"payments would total {total}, above the invoice's {invoice_amount}")
        self.total = total
        self.invoice_amount = invoice_amount


class PaidOnReceivable(LedgerError):
    """The invoice became a receivable: it is paid by settling that."""

    code = "paid_on_receivable"
    status = 409

    def __init__(self, trade_id: str) -> None:
        super().__init__(
            f"a receivable was issued from invoice {trade_id}: it is paid by settling the "
            "receivable (POST /receivables/{id}/settle), not by a payment on the trade"
        )
        self.trade_id = trade_id
