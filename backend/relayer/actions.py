"""What the relayer does for each kind of outbox item: the contract call, and how to recognise an
item that is already on chain (after a crash, a resubmission must not count as a failure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web3.contract.contract import ContractFunction

from backend.chain.contracts import Ledger, SignedTrade
from backend.chain.reverts import ContractRevert
from backend.schemas import hex_bytes
from backend.sdk.typed_data import Payment, Trade, TradeKind

TRADE = "trade"  # both signatures: batched into recordTrades


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


VERIFIED, REJECTED = 2, 3
ACTIONS: dict[str, Action] = {
    "consent": Action(_grant, _named("ConsentRegistryDuplicateConsent")),
    "revoke_consent": Action(_revoke, _named("ConsentRegistryAlreadyRevoked")),
    "propose": Action(_propose, trade_recorded_already),
    "confirm": Action(_confirm, _answered_already(VERIFIED)),
    "reject": Action(_reject, _answered_already(REJECTED)),
    "payment": Action(_payment, _payment_recorded_already),
}
