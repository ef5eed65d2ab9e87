"""The on-chain evidence of a record, enough to check it against the chain without trusting us.

For a trade or a payment: the transaction and log that recorded it, the full EIP-712 typed data
and the signatures, taken from the transaction's own calldata (the chain stores them there, not
in the event). A verifier recomputes the digest from the typed data, recovers each signature and
looks the transaction and log up on any node.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from backend.indexer.models import ChainEvent
from backend.sdk.typed_data import typed_data_json
from backend.services import Services
from backend.trades.models import Payment, Trade

ZERO = "0x" + "00" * 32


#: What an event's evidence shows of it (besides its id), as the chain event row has it.
EVENT_FIELDS = "contract event tx_hash block_number block_hash log_index block_time args".split()


def event_evidence(event: ChainEvent) -> dict[str, Any]:
    return {"event_id": event.id, **{name: getattr(event, name) for name in EVENT_FIELDS}}


def _calldata_items(services: Services, tx_hash: str) -> tuple[str, dict[str, Any]]:
    """The function a transaction called on the trade ledger and its decoded arguments."""
    transaction = services.w3.eth.get_transaction(tx_hash)  # type: ignore[arg-type]
    function, arguments = services.ledger.trades.contract.decode_function_input(
        transaction["input"]
    )
    return function.fn_name, dict(arguments)


def _trade_signatures(services: Services, tx_hash: str, trade_id: str) -> dict[str, str | None]:
    name, arguments = _calldata_items(services, tx_hash)
    domain = services.ledger.trades.domain
    if name == "recordTrade":
        return {
            "seller": _hex(arguments["sellerSignature"]),
            "buyer": _hex(arguments["buyerSignature"]),
        }
    if name == "proposeTrade":
        return {"seller": _hex(arguments["sellerSignature"]), "buyer": None}
    if name == "recordTrades":
        for submission in arguments["submissions"]:
            trade_fields, seller_signature, buyer_signature = _values(submission)
            if _trade_id_of(trade_fields, domain) == trade_id:
                return {"seller": _hex(seller_signature), "buyer": _hex(buyer_signature)}
    return {"seller": None, "buyer": None}


def _trade_id_of(trade_tuple: Any, domain: Any) -> str:
    from backend.sdk.typed_data import Trade as TypedTrade

    fields = _values(trade_tuple)
    trade = TypedTrade(
        fields[0],
        fields[1],
        fields[2],
        bytes(fields[3]),
        fields[4],
        fields[5],
        fields[6],
        fields[7],
        bytes(fields[8]),
        bytes(fields[9]),
    )
    return "0x" + trade.trade_id(domain).hex()


def _values(struct: Any) -> list[Any]:
    """A decoded ABI struct's fields in order, whether web3 gave a dict or a tuple."""
    return list(struct.values()) if isinstance(struct, dict) else list(struct)


def _hex(value: bytes) -> str:
    return "0x" + bytes(value).hex()


def trade_evidence(session: Session, services: Services, trade: Trade) -> dict[str, Any]:
    trade_id = trade.trade_id
    recorded = session.get(ChainEvent, trade.event_id)
    assert recorded is not None
    events = [event_evidence(recorded)]
    signatures = _trade_signatures(services, recorded.tx_hash, trade_id)
    if trade.answer_event_id is not None:
        answer = session.get(ChainEvent, trade.answer_event_id)
        assert answer is not None
        events.append(event_evidence(answer))
        if answer.event == "TradeConfirmed":
            _, arguments = _calldata_items(services, answer.tx_hash)
            signatures["buyer"] = _hex(arguments.get("buyerSignature", b""))
    message = {
        "seller": trade.seller,
        "buyer": trade.buyer,
        "kind": trade.kind,
        "docHash": trade.doc_hash,
        "amount": trade.amount,
        "currency": trade.currency,
        "issuedAt": trade.issued_at,
        "dueAt": trade.due_at,
        "ref": trade.ref,
        "invoiceKey": trade.invoice_key,
    }
    return {
        "kind": "trade",
        "id": trade_id,
        "typed_data": typed_data_json(services.ledger.trades.domain, "Trade", message),
        "signatures": signatures,
        "events": events,
    }


def payment_evidence(session: Session, services: Services, payment: Payment) -> dict[str, Any]:
    event = session.get(ChainEvent, payment.event_id)
    assert event is not None
    _, arguments = _calldata_items(services, event.tx_hash)
    message = {
        "tradeId": payment.trade_id,
        "amount": payment.amount,
        "paidAt": payment.paid_at,
        "payRef": payment.pay_ref,
    }
    return {
        "kind": "payment",
        "id": payment.payment_id,
        "typed_data": typed_data_json(services.ledger.trades.domain, "Payment", message),
        "signatures": {"payee": _hex(arguments["payeeSignature"])},
        "events": [event_evidence(event)],
    }


def chain_event_evidence(event: ChainEvent) -> dict[str, Any]:
    return {"kind": "event", "id": str(event.id), "events": [event_evidence(event)]}
