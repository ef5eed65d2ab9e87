"""What the receivable endpoints refuse, each error keeping what it refers to."""

from __future__ import annotations

from backend.auth.errors import Forbidden
from backend.errors import LedgerError


class HolderNotActive(Forbidden, code="holder_not_active"):
    """The receivable's holder is not an active registered firm."""

    holder: str
    sentence = "the holder {holder} is not an active registered firm"


class NotTheHolder(Forbidden, code="not_the_holder"):
    """Only the holder (or the operator relaying for it) moves a receivable."""

    def __init__(self) -> None:
        super().__init__("only the holder (or the operator relaying for it) moves a receivable")


class ReceivableNotFound(LedgerError, code="not_found", status=404):
    """No such receivable on the ledger (yet)."""

    receivable_id: str
    sentence = "no receivable {receivable_id} on the ledger (yet)"


class ReceivableWrongState(LedgerError, code="wrong_state", status=409):
    """The receivable is not in a state this operation starts from."""

    receivable_id: str
    actual: str
    allowed: str
    sentence = "the receivable is {actual}, not {allowed}"


class OperationInFlight(LedgerError, code="operation_in_flight", status=409):
    """Another operation on the receivable is still being recorded."""

    receivable_id: str
    sentence = "another operation on this receivable is still being recorded; retry once it is"


class InvoiceNotFound(LedgerError, code="not_found", status=404):
    """No recorded or proposed invoice to issue a receivable from."""

    trade_id: str
    sentence = "no recorded or proposed invoice {trade_id}"


class NotACoreBuyer(LedgerError, code="not_a_core_buyer", status=422):
    """The invoice's buyer is not an active core enterprise."""

    buyer: str
    sentence = "receivables are born from invoices to core enterprises"


class AlreadyIssued(LedgerError, code="already_issued", status=409):
    """The invoice's receivable exists already."""

    trade_id: str
    sentence = "this invoice's receivable exists already"


class InvoicePaid(LedgerError, code="invoice_paid", status=409):
    """Something is paid (or being paid) against the invoice."""

    trade_id: str
    paid: int
    sentence = "{paid} is paid (or being paid) against this invoice; only an unpaid one is issued"


class InvalidSplit(LedgerError, code="invalid_split", status=422):
    """Recipients and amounts do not pair up."""

    def __init__(self) -> None:
        super().__init__("one amount for each recipient")


class SplitAmountMismatch(LedgerError, code="split_amount_mismatch", status=422):
    """The parts do not sum to the receivable's amount."""

    parts: int
    amount: int
    sentence = "the parts sum to {parts}, not {amount}"


class TierTooDeep(LedgerError, code="tier_too_deep", status=422):
    """The receivable cannot pass further down the supply chain."""

    tier: int
    sentence = "a tier-{tier} receivable cannot pass further down"


class AlreadyFinanced(LedgerError, code="already_financed", status=409):
    """The receivable was financed already."""

    receivable_id: str
    sentence = "this receivable was financed already"


class AdvanceExceedsAmount(LedgerError, code="advance_exceeds_amount", status=422):
    """The advance exceeds the receivable's amount."""

    advance: int
    amount: int
    sentence = "the advance {advance} exceeds {amount}"


class TermsExpired(LedgerError, code="expired", status=422):
    """The financing terms' deadline has passed."""

    deadline: int
    sentence = "the financing terms' deadline has passed"


class SelfFinance(LedgerError, code="self_finance", status=422):
    """A bank cannot finance a receivable it holds."""

    bank: str
    sentence = "a bank cannot finance a receivable it holds itself"


class SettlementAmountMismatch(LedgerError, code="settlement_amount_mismatch", status=422):
    """A settlement is in full."""

    amount: int
    sentence = "settlement is in full: {amount}"


class NotOverdue(LedgerError, code="not_overdue", status=422):
    """The receivable is not past its due date and grace period."""

    receivable_id: str
    sentence = "a receivable defaults only after its due date and the grace period"


class OfferNotFound(LedgerError, code="not_found", status=404):
    """No such financing offer (or none the caller may see)."""

    offer_id: str
    sentence = "no financing offer {offer_id}"


class OfferExists(LedgerError, code="offer_exists", status=409):
    """The bank offered these very terms already."""

    offer_id: str
    sentence = "these terms were offered already: {offer_id}"


class OfferNotOpen(LedgerError, code="offer_not_open", status=409):
    """The offer was accepted, withdrawn or has lapsed; only an open offer is accepted."""

    offer_id: str
    actual: str
    sentence = "the offer is {actual}, not open"


class OfferExpired(LedgerError, code="offer_expired", status=409):
    """The offer's deadline has passed."""

    offer_id: str
    sentence = "the offer's deadline has passed"


class NotTheOfferee(Forbidden, code="not_the_holder"):
    """Only the holder an offer was made to accepts it."""

    def __init__(self) -> None:
        super().__init__("only the holder the offer was made to accepts it")


class NotTheOfferingBank(Forbidden, code="not_the_bank"):
    """Only the bank that made an offer withdraws it."""

    def __init__(self) -> None:
        super().__init__("only the bank that made the offer withdraws it")
