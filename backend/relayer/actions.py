"""What the relayer does for each kind of outbox item: the contract call, and how to recognise an
item that is already on chain (after a crash, a resubmission must not count as a failure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from web3.contract.contract import ContractFunction

from backend.attestations import payloads as attestation_payloads
from backend.chain.contracts import Ledger, SignedTrade
from backend.chain.reverts import ContractRevert
from backend.enums import FirmStatus, OutboxKind, ReceivableStatus, TradeStatus
from backend.schemas import hex_bytes
from backend.sdk.typed_data import (
    Consent,
    Finance,
    MarkDefault,
    Payment,
    Reject,
    RevokeConsent,
    Settle,
    Split,
    Trade,
    TypedStruct,
)


def trade_from_payload(data: dict[str, Any]) -> Trade:
    return Trade.from_json(data)


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
    # Gas for each element of the payload's "items" (one call that carries a batch).
    gas_per_item: int = 0

    def gas_of(self, payload: dict[str, Any]) -> int:
        return self.gas + self.gas_per_item * len(payload.get("items", ()))


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
    reject = Reject.from_json(payload)
    return ledger.trades.contract.functions.rejectTrade(
        *reject.as_tuple(), hex_bytes(payload["buyer_signature"])
    )


def _payment(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    trade, payment = trade_from_payload(payload["trade"]), Payment.from_json(payload)
    return ledger.trades.contract.functions.recordPayment(
        trade.as_tuple(), payment.as_tuple(), hex_bytes(payload["payee_signature"])
    )


def _grant(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    consent = Consent.from_json(payload["consent"])
    return ledger.consents.contract.functions.grantConsent(
        consent.as_tuple(), hex_bytes(payload["signature"])
    )


def _revoke(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    revoke = RevokeConsent.from_json(payload)
    return ledger.consents.contract.functions.revokeConsent(
        *revoke.as_tuple(), hex_bytes(payload["signature"])
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


def _signed_by(
    struct: type[TypedStruct], function: str, *signatures: str
) -> Callable[[Ledger, dict[str, Any]], ContractFunction]:
    """The receivable ledger's ``function`` of the payload's ``struct`` and its ``signatures``."""

    def call(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
        message = struct.from_json(payload).as_tuple()
        function_of = getattr(ledger.receivables.contract.functions, function)
        return function_of(message, *(hex_bytes(payload[name]) for name in signatures))

    return call


_split = _signed_by(Split, "split", "holder_signature")
_finance = _signed_by(Finance, "finance", "holder_signature", "bank_signature")
_settle = _signed_by(Settle, "settle", "holder_signature")
_mark_default = _signed_by(MarkDefault, "markDefault", "holder_signature")


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


def _suspend(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    return ledger.registry.contract.functions.suspend(payload["firm"])


def _reactivate(ledger: Ledger, payload: dict[str, Any]) -> ContractFunction:
    return ledger.registry.contract.functions.reactivate(payload["firm"])


def _status_is(status: int) -> Callable[[ContractRevert, dict[str, Any]], bool]:
    """Already done when the registry says the firm is in that status already."""

    def check(error: ContractRevert, payload: dict[str, Any]) -> bool:
        return (
            error.error_name == "FirmRegistryStatusUnchanged"
            and _same(error.arguments.get("firm", ""), payload["firm"])
            and error.arguments.get("status") == status
        )

    return check


def _device_named(error_name: str) -> Callable[[ContractRevert, dict[str, Any]], bool]:
    def check(error: ContractRevert, payload: dict[str, Any]) -> bool:
        device_id = payload.get("device_id") or payload["device"]["device_id"]
        return error.error_name == error_name and _same(error.arguments.get("deviceId"), device_id)

    return check


def _never(_error: ContractRevert, _payload: dict[str, Any]) -> bool:
    """Appointing a carrier twice succeeds, and a batch of attestations never reverts for an
    item (a refused item is an ``AttestationFailed`` event): a revert is never "done already"."""
    return False


ATTESTATION_ACTIONS: dict[str, Action] = {
    attestation_payloads.DEVICE_REGISTER: Action(
        attestation_payloads.register_call, _device_named("AttestationLedgerDuplicateDevice")
    ),
    attestation_payloads.DEVICE_DISPUTE: Action(
        attestation_payloads.dispute_call, _device_named("AttestationLedgerDisputedDevice")
    ),
    attestation_payloads.CARRIER_APPOINT: Action(attestation_payloads.appoint_call, _never),
    # ~26,000 gas per production item in a batch (bench/gas.py): 40,000 leaves room for a cold
    # registry record and an ERC-1271 oracle.
    attestation_payloads.ATTESTATIONS: Action(
        attestation_payloads.attestations_call, _never, gas=100_000, gas_per_item=40_000
    ),
}

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
    **ATTESTATION_ACTIONS,
    OutboxKind.FIRM_SUSPEND: Action(_suspend, _status_is(FirmStatus.SUSPENDED)),
    OutboxKind.FIRM_REACTIVATE: Action(_reactivate, _status_is(FirmStatus.ACTIVE)),
}
