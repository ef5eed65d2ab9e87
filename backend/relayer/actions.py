"""What the relayer does for each kind of outbox item: the contract call, and how to recognise an
item that is already on chain (after a crash, a resubmission must not count as a failure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web3.contract.contract import ContractFunction

from backend.chain.contracts import Ledger, SignedTrade
from backend.chain.reverts import ContractRevert
from backend.enums import ZERO_32, OutboxKind, ReceivableStatus, TradeKind, TradeStatus
from backend.schemas import hex_bytes
from backend.sdk.typed_data import Payment, Trade


def trade_from_payload(data: dict[str, Any]) -> Trade:
    return Trade(
        seller=data["seller"],
        buyer=data["buyer"],
        kind=TradeKind(data["kind"]),
        doc_hash=hex_bytes(data["doc_hash"]),
        amount=int(data["amount"]),
        currency=int(data["currency"]),
        issued_at=int(data["issued_at"]),
        due_at=int(data["due_at"]),
        ref=hex_bytes(data["ref"]),
        invoice_key=hex_bytes(data.get("invoice_key", ZERO_32)),
    )


def signed_trade(payload: dict[str, Any]) -> SignedTrade:
    return SignedTrade(
        trade_from_payload(payload["trade"]),
        hex_bytes(payload["seller_signature"]),
        hex_bytes(payload["buyer_signature"]),
    )


@dataclass(frozen=True)
class Action:
    """One kind of single-transaction submission."""

    call: Callable[[Ledger, dict[str, Any]], ContractFunction]
    already_done: Callable[[ContractRevert, dict[str, Any]], bool]
    gas: int = 400_000


def _same(value: object, expected: str) -> bool:
    return isinstance(value, str) and value.lower() == expected.lower()


def trade_recorded_already(error: ContractRevert, payload: dict[str, Any]) -> bool:
    return error.error_name == "TradeLedgerDuplicateDocument" and _same(
        error.arguments.get("tradeId"), payload["trade_id"]
    )


def _answered_already(status: int) -> Callable[[ContractRevert, dict[str, Any]], bool]:
    def check(error: ContractRevert, _payload: dict[str, Any]) -> bool:
        return (
            error.error_name == "TradeLedgerInvalidStatus"
            and error.arguments.get("actual") == status
        )

    return check


def _payment_recorded_already(error: ContractRevert, payload: dict[str, Any]) -> bool:
    return error.error_name == "TradeLedgerDuplicatePayment" and _same(
        error.arguments.get("paymentId"), payload["payment_id"]
    )


def _propose(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    trade = trade_from_payload(payload["trade"])
    return ledger.trades.contract.functions.proposeTrade(
        trade.as_tuple(), hex_bytes(payload["seller_signature"])
    )


def _confirm(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    return ledger.trades.contract.functions.confirmTrade(
        hex_bytes(payload["trade_id"]), hex_bytes(payload["buyer_signature"])
    )


def _reject(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    return ledger.trades.contract.functions.rejectTrade(
        hex_bytes(payload["trade_id"]),
        hex_bytes(payload["reason"]),
        hex_bytes(payload["buyer_signature"]),
    )


def _payment(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    trade = trade_from_payload(payload["trade"])
    payment = Payment(
        hex_bytes(payload["trade_id"]),
        int(payload["amount"]),
        int(payload["paid_at"]),
        hex_bytes(payload["pay_ref"]),
    )
    return ledger.trades.contract.functions.recordPayment(
        trade.as_tuple(), payment.as_tuple(), hex_bytes(payload["payee_signature"])
    )


def _grant(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    data = payload["consent"]
    consent = (data["firm"], data["bank"], data["scope"], data["expires_at"], data["nonce"])
    return ledger.consents.contract.functions.grantConsent(consent, hex_bytes(payload["signature"]))


def _revoke(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    return ledger.consents.contract.functions.revokeConsent(
        hex_bytes(payload["consent_id"]), payload["nonce"], hex_bytes(payload["signature"])
    )


def _named(*error_names: str) -> Callable[[ContractRevert, dict[str, Any]], bool]:
    """Already done when the contract names one of these errors for this very subject."""

    def check(error: ContractRevert, payload: dict[str, Any]) -> bool:
        return error.error_name in error_names and _same(
            error.arguments.get("consentId", ""), payload["consent_id"]
        )

    return check


def _issue(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    trade = trade_from_payload(payload["trade"])
    return ledger.receivables.contract.functions.issue(trade.as_tuple())


def _split(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    message = (
        hex_bytes(payload["receivable_id"]),
        payload["to"],
        payload["amounts"],
        payload["nonce"],
    )
    return ledger.receivables.contract.functions.split(
        message, hex_bytes(payload["holder_signature"])
    )


def _finance(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    terms = (
        hex_bytes(payload["receivable_id"]),
        payload["bank"],
        payload["advance"],
        payload["rate_bps"],
        payload["deadline"],
        payload["nonce"],
    )
    return ledger.receivables.contract.functions.finance(
        terms, hex_bytes(payload["holder_signature"]), hex_bytes(payload["bank_signature"])
    )


def _settle(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    settlement = (
        hex_bytes(payload["receivable_id"]),
        payload["amount"],
        payload["paid_at"],
        hex_bytes(payload["pay_ref"]),
    )
    return ledger.receivables.contract.functions.settle(
        settlement, hex_bytes(payload["holder_signature"])
    )


def _mark_default(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    mark = (hex_bytes(payload["receivable_id"]), payload["nonce"])
    return ledger.receivables.contract.functions.markDefault(
        mark, hex_bytes(payload["holder_signature"])
    )


def _receivable_moved(*statuses: int) -> Callable[[ContractRevert, dict[str, Any]], bool]:
    """Already done when the contract says the receivable is already in the state we asked for."""

    def check(error: ContractRevert, payload: dict[str, Any]) -> bool:
        subject = payload.get("receivable_id") or payload.get("trade_id", "")
        named = error.error_name in (
            "ReceivableLedgerInvalidStatus",
            "ReceivableLedgerAlreadyIssued",
        )
        return (
            named
            and _same(error.arguments.get("receivableId", ""), subject)
            and (error.arguments.get("status") in statuses)
        )

    return check


def _anchor_decision(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    return ledger.decisions.contract.functions.anchor(
        hex_bytes(payload["decision_id"]),
        payload["bank"],
        payload["firm"],
        hex_bytes(payload["decision_hash"]),
    )


def _decision_anchored_already(error: ContractRevert, payload: dict[str, Any]) -> bool:
    return error.error_name == "DecisionLogDuplicateDecision" and _same(
        error.arguments.get("decisionId"), payload["decision_id"]
    )


ACTIONS: dict[str, Action] = {
    OutboxKind.RECEIVABLE_ISSUE: Action(
        _issue, _receivable_moved(ReceivableStatus.PENDING, ReceivableStatus.CONFIRMED)
    ),
    OutboxKind.RECEIVABLE_SPLIT: Action(
        _split, _receivable_moved(ReceivableStatus.SPLIT), gas=1_500_000
    ),
    OutboxKind.RECEIVABLE_FINANCE: Action(_finance, _receivable_moved(ReceivableStatus.FINANCED)),
    OutboxKind.RECEIVABLE_SETTLE: Action(_settle, _receivable_moved(ReceivableStatus.SETTLED)),
    OutboxKind.RECEIVABLE_DEFAULT: Action(
        _mark_default, _receivable_moved(ReceivableStatus.DEFAULTED)
    ),
    OutboxKind.CONSENT: Action(_grant, _named("ConsentRegistryDuplicateConsent")),
    OutboxKind.REVOKE_CONSENT: Action(_revoke, _named("ConsentRegistryAlreadyRevoked")),
    OutboxKind.PROPOSE: Action(_propose, trade_recorded_already),
    OutboxKind.CONFIRM: Action(_confirm, _answered_already(TradeStatus.VERIFIED)),
    OutboxKind.REJECT: Action(_reject, _answered_already(TradeStatus.REJECTED)),
    OutboxKind.PAYMENT: Action(_payment, _payment_recorded_already),
    OutboxKind.ANCHOR_DECISION: Action(_anchor_decision, _decision_anchored_already),
}
