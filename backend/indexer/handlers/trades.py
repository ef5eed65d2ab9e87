"""TradeLedger events."""

from __future__ import annotations

from typing import Any

from backend.credit.tallies import count_verified
from backend.db import table_of
from backend.enums import TradeStatus
from backend.indexer.events import DecodedEvent, handles
from backend.indexer.handlers.rows import copied, record
from backend.indexer.store import Store
from backend.trades.models import Payment, Trade

TRADES = table_of(Trade)
PAYMENTS = table_of(Payment)
#: The arguments of TradeRecorded and TradeProposed a trade's row copies.
TRADE_ARGS = (
    "tradeId seller buyer kind docHash amount currency issuedAt dueAt ref invoiceKey"
).split()


def _trade_row(event: DecodedEvent, status: TradeStatus) -> dict[str, Any]:
    return {
        **copied(event.args, *TRADE_ARGS),
        "status": status,
        "reject_reason": None,
        "recorded_block": event.block_number,
        "recorded_time": event.block_time,
        "verified_time": event.block_time if status == TradeStatus.VERIFIED else None,
        "rejected_time": None,
        "answer_event_id": None,
    }


@handles("TradeLedger:TradeRecorded")
def handle_trade_recorded(store: Store, event: DecodedEvent) -> None:
    row = _trade_row(event, TradeStatus.VERIFIED)
    record(store, TRADES, event, row)
    count_verified(store, row, block=event.block_number)
    store.touch(event.args["seller"], event.args["buyer"])


@handles("TradeLedger:TradeProposed")
def handle_trade_proposed(store: Store, event: DecodedEvent) -> None:
    record(store, TRADES, event, _trade_row(event, TradeStatus.PROPOSED))
    store.touch(event.args["seller"], event.args["buyer"])


@handles("TradeLedger:TradeConfirmed")
def handle_trade_confirmed(store: Store, event: DecodedEvent) -> None:
    changes = {
        "status": TradeStatus.VERIFIED,
        "verified_time": event.block_time,
        "answer_event_id": event.id,
    }
    trade = _answer(store, event, changes)
    count_verified(store, trade, block=event.block_number)


@handles("TradeLedger:TradeRejected")
def handle_trade_rejected(store: Store, event: DecodedEvent) -> None:
    changes = {
        "status": TradeStatus.REJECTED,
        "rejected_time": event.block_time,
        "reject_reason": event.args["reason"],
        "answer_event_id": event.id,
    }
    _answer(store, event, changes)


def _answer(store: Store, event: DecodedEvent, changes: dict[str, Any]) -> dict[str, Any]:
    """Apply the answer to the trade's row; returns the row as it was before."""
    key = {"trade_id": event.args["tradeId"]}
    trade = store.get(TRADES, key)
    if trade is None:  # the contract only answers recorded proposals; never expected
        raise LookupError(f"{event.name} for unknown trade {event.args['tradeId']}")
    store.update(TRADES, key, changes, block=event.block_number)
    store.touch(trade["seller"], trade["buyer"])
    return trade


@handles("TradeLedger:PaymentRecorded")
def handle_payment_recorded(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = copied(args, "paymentId", "tradeId", "payer", "payee", "amount", "paidAt", "payRef")
    row |= {"block_number": event.block_number, "block_time": event.block_time}
    record(store, PAYMENTS, event, row)
    store.touch(args["payer"], args["payee"])
