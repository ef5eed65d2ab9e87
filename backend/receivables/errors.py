"""What the receivable endpoints refuse, each error keeping what it refers to."""

from __future__ import annotations

from backend.auth.errors import Forbidden
from backend.errors import LedgerError


class HolderNotActive(Forbidden):
    """The receivable's holder is not an active registered firm."""

    code = "holder_not_active"

    def __init__(self, holder: str) -> None:
        super().__init__(f"the holder {holder} is not an active registered firm")
        self.holder = holder


class NotTheHolder(Forbidden):
    """Only the holder (or the operator relaying for it) moves a receivable."""

    code = "not_the_holder"

    def __init__(self) -> None:
        super().__init__("only the holder (or the operator relaying for it) moves a receivable")


class ReceivableNotFound(LedgerError):
    """No such receivable on the ledger (yet)."""

    code = "not_found"
    status = 404

    def __init__(self, receivable_id: str) -> None:
        super().__init__(f"no receivable {receivable_id} on the ledger (yet)")
        self.receivable_id = receivable_id


class ReceivableWrongState(LedgerError):
    """The receivable is not in a state this operation starts from."""

    code = "wrong_state"
    status = 409

    def __init__(self, receivable_id: str, actual: str, allowed: str) -> None:
        super().__init__(f"the receivable is {actual}, not {allowed}")
        self.receivable_id = receivable_id
        self.actual = actual
        self.allowed = allowed


class OperationInFlight(LedgerError):
    """Another operation on the receivable is still being recorded."""

    code = "operation_in_flight"
    status = 409

    def __init__(self, receivable_id: str) -> None:
        super().__init__(
            "another operation on this receivable is still being recorded; retry once it is"
        )
        self.receivable_id = receivable_id


class InvoiceNotFound(LedgerError):
    """No recorded or proposed invoice to issue a receivable from."""

    code = "not_found"
    status = 404

    def __init__(self, trade_id: str) -> None:
        super().__init__(f"no recorded or proposed invoice {trade_id}")
        self.trade_id = trade_id


class NotACoreBuyer(LedgerError):
    """The invoice's buyer is not an active core enterprise."""

    code = "not_a_core_buyer"
    status = 422

    def __init__(self, buyer: str) -> None:
        super().__init__("receivables are born from invoices to core enterprises")
        self.buyer = buyer


class AlreadyIssued(LedgerError):
    """The invoice's receivable exists already."""

    code = "already_issued"
    status = 409

    def __init__(self, trade_id: str) -> None:
        super().__init__("this invoice's receivable exists already")
        self.trade_id = trade_id


class InvoicePaid(LedgerError):
    """Something is paid (or being paid) against the invoice."""

    code = "invoice_paid"
    status = 409

    def __init__(self, trade_id: str, paid: int) -> None:
        super().__init__(
            f"{paid} is paid (or being paid) against this invoice; only an unpaid one is issued"
        )
        self.trade_id = trade_id
        self.paid = paid


class InvalidSplit(LedgerError):
    """Recipients and amounts do not pair up."""

    code = "invalid_split"
    status = 422

    def __init__(self) -> None:
        super().__init__("one amount for each recipient")


class SplitAmountMismatch(LedgerError):
    """The parts do not sum to the receivable's amount."""

    code = "split_amount_mismatch"
    status = 422

    def __init__(self, parts: int, amount: int) -> None:
        super().__init__(f"the parts sum to {parts}, not {amount}")
        self.parts = parts
        self.amount = amount


class TierTooDeep(LedgerError):
    """The receivable cannot pass further down the supply chain."""

    code = "tier_too_deep"
    status = 422

    def __init__(self, tier: int) -> None:
        super().__init__(f"a tier-{tier} receivable cannot pass further down")
        self.tier = tier


class AlreadyFinanced(LedgerError):
    """The receivable was financed already."""

    code = "already_financed"
    status = 409

    def __init__(self, receivable_id: str) -> None:
        super().__init__("this receivable was financed already")
        self.receivable_id = receivable_id


class AdvanceExceedsAmount(LedgerError):
    """The advance exceeds the receivable's amount."""

    code = "advance_exceeds_amount"
    status = 422

    def __init__(self, advance: int, amount: int) -> None:
        super().__init__(f"the advance {advance} exceeds {amount}")
        self.advance = advance
        self.amount = amount


class TermsExpired(LedgerError):
    """The financing terms' deadline has passed."""

    code = "expired"
    status = 422

    def __init__(self, deadline: int) -> None:
        super().__init__("the financing terms' deadline has passed")
        self.deadline = deadline


class SelfFinance(LedgerError):
    """A bank cannot finance a receivable it holds."""

    code = "self_finance"
    status = 422

    def __init__(self, bank: str) -> None:
        super().__init__("a bank cannot finance a receivable it holds itself")
        self.bank = bank


class SettlementAmountMismatch(LedgerError):
    """A settlement is in full."""

    code = "settlement_amount_mismatch"
    status = 422

    def __init__(self, amount: int) -> None:
        super().__init__(f"settlement is in full: {amount}")
        self.amount = amount


class NotOverdue(LedgerError):
    """The receivable is not past its due date and grace period."""

    code = "not_overdue"
    status = 422

    def __init__(self, receivable_id: str) -> None:
        super().__init__("a receivable defaults only after its due date and the grace period")
        self.receivable_id = receivable_id
