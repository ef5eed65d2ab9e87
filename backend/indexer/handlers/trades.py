"""TradeLedger events."""

from __future__ import annotations

from typing import Any

from backend.enums import TradeStatus
from backend.indexer.events import DecodedEvent, handles
from backend.indexer.store import Store
from backend.trades.models import Payment, Trade

TRADES = Trade.__table__  # type: ignore[attr-defined]
PAYMENTS = Payment.__table__  # type: ignore[attr-defined]


def _trade_row(event: DecodedEvent, status: TradeStatus) -> dict[str, Any]:
    args = event.args
    return {
        "trade_id": args["tradeId"],
        "seller": args["seller"],
        "buyer": args["buyer"],
        "kind": args["kind"],
        "doc_hash": args["docHash"],
        "amount": args["amount"],
        "currency": args["currency"],
        "issued_at": args["issuedAt"],
        "due_at": args["dueAt"],
        "ref": args["ref"],
        "invoice_key": args["invoiceKey"],
        "status": status,
        "reject_reason": None,
        "recorded_block": event.block_number,
        "recorded_time": event.block_time,
        "verified_time": event.block_time if status == TradeStatus.VERIFIED else None,
        "rejected_time": None,
        "event_id": event.id,
        "answer_event_id": None,
    }


@handles("TradeLedger:TradeRecorded")
def handle_trade_recorded(store: Store, event: DecodedEvent) -> None:
    store.insert(TRADES, _trade_row(event, TradeStatus.VERIFIED), block=event.block_number)
    store.touch(event.args["seller"], event.args["buyer"])


@handles("TradeLedger:TradeProposed")
def handle_trade_proposed(store: Store, event: DecodedEvent) -> None:
    store.insert(TRADES, _trade_row(event, TradeStatus.PROPOSED), block=event.block_number)
    store.touch(event.args["seller"], event.args["buyer"])


@handles("TradeLedger:TradeConfirmed")
def handle_trade_confirmed(store: Store, event: DecodedEvent) -> None:
    changes = {
        "status": TradeStatus.VERIFIED,
        "verified_time": event.block_time,
        "answer_event_id": event.id,
    }
    _answer(store, event, changes)


@handles("TradeLedger:TradeRejected")
def handle_trade_rejected(store: Store, event: DecodedEvent) -> None:
    changes = {
        "status": TradeStatus.REJECTED,
        "rejected_time": event.block_time,
        "reject_reason": event.args["reason"],
        "answer_event_id": event.id,
    }
    _answer(store, event, changes)


def _answer(store: Store, event: DecodedEvent, changes: dict[str, Any]) -> None:
    key = {"trade_id": event.args["tradeId"]}
    trade = store.get(TRADES, key)
    if trade is None:  # the contract only answers recorded proposals; never expected
        raise LookupError(f"{event.name} for unknown trade {event.args['tradeId']}")
    store.update(TRADES, key, changes, block=event.block_number)
    store.touch(trade["seller"], trade["buyer"])


@handles("TradeLedger:PaymentRecorded")
def handle_payment_recorded(store: Store, event: DecodedEvent) -> None:
    args = event.args
    store.insert(
        PAYMENTS,
        {
            "payment_id": args["paymentId"],
            "trade_id": args["tradeId"],
            "payer": args["payer"],
            "payee": args["payee"],
            "amount": args["amount"],
            "paid_at": args["paidAt"],
            "pay_ref": args["payRef"],
            "block_number": event.block_number,
            "block_time": event.block_time,
            "event_id": event.id,
        },
        block=event.block_number,
    )
    store.touch(args["payer"], args["payee"])
