"""What the credit-decision endpoints refuse, the feature snapshot's refusals among them."""

from __future__ import annotations

from backend.errors import LedgerError


class DecisionNotFound(LedgerError, code="not_found", status=404):
    """No credit decision with this id."""

    decision_id: str
    sentence = "no credit decision {decision_id}"


class CurrencyNotSupported(LedgerError, code="currency_not_supported", status=422):
    """Decisions are made in the ledger's base currency, the one credit records are scored in."""


class FirmNotRegistered(LedgerError, code="firm_not_registered", status=422):
    """The firm a decision is asked about is not a registered one."""


class ReceivableNotEligible(LedgerError, code="receivable_not_eligible", status=422):
    """A receivable the bank named is not a confirmed one the firm holds as of the last indexed
    block."""


class CurrencyMismatch(LedgerError, code="currency_mismatch", status=422):
    """A receivable the bank named is in another currency than the decision's."""
