"""ReceivableLedger events."""

from __future__ import annotations

from typing import Any

from backend.db import table_of
from backend.enums import ZERO_32, ReceivableStatus
from backend.indexer.events import DecodedEvent, handles
from backend.indexer.handlers.rows import copied, record
from backend.indexer.store import Store
from backend.receivables.models import Financing, Receivable, ReceivableTransition

RECEIVABLES = table_of(Receivable)
TRANSITIONS = table_of(ReceivableTransition)
FINANCINGS = table_of(Financing)


@handles("ReceivableLedger:ReceivableCreated")
def handle_receivable_created(store: Store, event: DecodedEvent) -> None:
    args = event.args
    row = copied(args, "receivableId", "rootId", "tier", "obligor", "holder", "amount", "dueAt")
    row |= {
        "parent_id": None if args["parentId"] == ZERO_32 else args["parentId"],
        "creditor": args["holder"],
        "status": args["status"],
        "financed": False,
        "paid_at": None,
        "late_days": None,
        "created_block": event.block_number,
        "created_time": event.block_time,
        "updated_time": event.block_time,
    }
    record(store, RECEIVABLES, event, row)
    _transition(store, event, args["receivableId"], args["status"], args["holder"])
    store.touch(args["holder"], args["obligor"])


@handles("ReceivableLedger:ReceivableConfirmed")
def handle_receivable_confirmed(store: Store, event: DecodedEvent) -> None:
    _change(store, event, ReceivableStatus.CONFIRMED)


@handles("ReceivableLedger:ReceivableRejected")
def handle_receivable_rejected(store: Store, event: DecodedEvent) -> None:
    _change(store, event, ReceivableStatus.REJECTED)


@handles("ReceivableLedger:ReceivableSplit")
def handle_receivable_split(store: Store, event: DecodedEvent) -> None:
    _change(store, event, ReceivableStatus.SPLIT)


@handles("ReceivableLedger:ReceivableFinanced")
def handle_receivable_financed(store: Store, event: DecodedEvent) -> None:
    args = event.args
    receivable = _change(
        store, event, ReceivableStatus.FINANCED, holder=args["bank"], financed=True
    )
    row = copied(args, "receivableId", "bank", "amount", "advance", "rateBps")
    row |= {
        "borrower": args["previousHolder"],
        "obligor": receivable["obligor"],
        "due_at": receivable["due_at"],
        "financed_time": event.block_time,
    }
    record(store, FINANCINGS, event, row)
    store.touch(args["previousHolder"], args["bank"])


@handles("ReceivableLedger:ReceivableSettled")
def handle_receivable_settled(store: Store, event: DecodedEvent) -> None:
    args = event.args
    _change(
        store, event, ReceivableStatus.SETTLED, paid_at=args["paidAt"], late_days=args["lateDays"]
    )


@handles("ReceivableLedger:ReceivableDefaulted")
def handle_receivable_defaulted(store: Store, event: DecodedEvent) -> None:
    _change(store, event, ReceivableStatus.DEFAULTED)


def _change(store: Store, event: DecodedEvent, status: int, **changes: Any) -> dict[str, Any]:
    """Move a receivable to ``status`` (with ``changes``) and record the transition."""
    key = {"receivable_id": event.args["receivableId"]}
    receivable = store.get(RECEIVABLES, key)
    if receivable is None:
        raise LookupError(f"{event.name} for unknown receivable {key['receivable_id']}")
    values = {"status": status, "updated_time": event.block_time, **changes}
    store.update(RECEIVABLES, key, values, block=event.block_number)
    holder = changes.get("holder", receivable["holder"])
    _transition(store, event, key["receivable_id"], status, holder)
    store.touch(receivable["holder"], holder, receivable["obligor"])
    return receivable


def _transition(
    store: Store, event: DecodedEvent, receivable_id: str, status: int, holder: str
) -> None:
    row = {"receivable_id": receivable_id, "status": status, "holder": holder}
    record(store, TRANSITIONS, event, row | {"block_time": event.block_time})
