"""Synthetic chain events fed to the indexer's real handlers, one block per event.

The ReceivableLedger contract is not in this worktree yet, so receivable figures are tested by
handing the handlers events shaped exactly as ``backend/indexer/handlers/receivables.py`` reads
them. Each event is written the way the indexer writes a batch: its ``chain_event`` row, the
handler through a :class:`Store`, the block header and cursor, then the ``on_batch`` callback,
all in one transaction. Re-do these tests against the chain once the contract lands.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from eth_utils import to_checksum_address
from sqlalchemy import Engine, delete, insert

import backend.indexer.handlers  # noqa: F401  (registers the handlers)
from backend.credit.cache import refresh_records
from backend.indexer.decoding import event_id
from backend.indexer.events import HANDLERS, DecodedEvent
from backend.indexer.models import BlockHeader, ChainEvent, IndexerCursor
from backend.indexer.store import Store

EVENTS = ChainEvent.__table__  # type: ignore[attr-defined]
HEADERS = BlockHeader.__table__  # type: ignore[attr-defined]
CURSORS = IndexerCursor.__table__  # type: ignore[attr-defined]
CHAIN_ID = 31_337
ZERO_ID = "0x" + "00" * 32
PENDING, CONFIRMED = 1, 2
SUPPLIER, CORE, BANK = 1, 2, 4


def new_address() -> str:
    return str(to_checksum_address(os.urandom(20)))


def new_id() -> str:
    return "0x" + os.urandom(32).hex()


class SyntheticChain:
    """Writes events at chosen block times into ``engine`` like the indexer would."""

    def __init__(self, engine: Engine, first_block: int = 1) -> None:
        self.engine = engine
        self.block = first_block - 1

    def emit(self, time: int, contract: str, name: str, **args: Any) -> DecodedEvent:
        self.block += 1
        block_hash = "0x" + hashlib.sha256(f"{self.block}".encode()).hexdigest()
        event = DecodedEvent(
            id=event_id(self.block, 0),
            contract=contract,
            name=name,
            block_number=self.block,
            block_hash=block_hash,
            block_time=time,
            tx_hash="0x" + hashlib.sha256(f"tx{self.block}".encode()).hexdigest(),
            log_index=0,
            args=args,
        )
        with self.engine.begin() as connection:
            connection.execute(insert(EVENTS).values(**event.as_row()))
            store = Store(connection, provisional_from=self.block)
            HANDLERS[event.key](store, event)
            store.flush()
            connection.execute(
                insert(HEADERS).values(number=self.block, hash=block_hash, timestamp=time)
            )
            connection.execute(delete(CURSORS))
            connection.execute(
                insert(CURSORS).values(
                    chain_id=CHAIN_ID, last_block=self.block, last_hash=block_hash
                )
            )
            refresh_records(connection, store.touched_firms, self.block)
        return event

    # ─────────────────────────────────────────────────────────── firms

    def register(self, time: int, roles: int) -> str:
        firm = new_address()
        self.emit(
            time, "FirmRegistry", "FirmRegistered",
            firm=firm, roles=roles, creditCodeHash=new_id(), registeredAt=time,
        )  # fmt: skip
        return firm

    # ─────────────────────────────────────────────────────────── receivables

    def created(
        self,
        time: int,
        holder: str,
        obligor: str,
        amount: int,
        due: int,
        status: int = CONFIRMED,
        parent: str | None = None,
        receivable: str | None = None,
    ) -> str:
        receivable = receivable or new_id()
        self.emit(
            time, "ReceivableLedger", "ReceivableCreated",
            receivableId=receivable, rootId=receivable if parent is None else parent,
            holder=holder, parentId=parent or ZERO_ID, obligor=obligor, amount=amount,
            dueAt=due, tier=1 if parent is None else 2, status=status,
        )  # fmt: skip
        return receivable

    def confirmed(self, time: int, receivable: str, obligor: str) -> None:
        self.emit(
            time,
            "ReceivableLedger",
            "ReceivableConfirmed",
            receivableId=receivable,
            obligor=obligor,
        )

    def rejected(self, time: int, receivable: str, obligor: str) -> None:
        self.emit(
            time, "ReceivableLedger", "ReceivableRejected",
            receivableId=receivable, obligor=obligor, reason="0x" + "11" * 32,
        )  # fmt: skip

    def split(
        self, time: int, receivable: str, holder: str, obligor: str, due: int,
        parts: list[tuple[str, int]],
    ) -> list[str]:  # fmt: skip
        """The parent becomes SPLIT; each part is a child CONFIRMED for its holder."""
        children = [new_id() for _ in parts]
        self.emit(
            time, "ReceivableLedger", "ReceivableSplit",
            receivableId=receivable, holder=holder, children=children, nonce=0,
        )  # fmt: skip
        for child, (to, amount) in zip(children, parts, strict=True):
            self.created(time, to, obligor, amount, due, parent=receivable, receivable=child)
        return children

    def financed(
        self, time: int, receivable: str, holder: str, bank: str, amount: int, advance: int
    ) -> None:
        self.emit(
            time, "ReceivableLedger", "ReceivableFinanced",
            receivableId=receivable, previousHolder=holder, bank=bank, amount=amount,
            advance=advance, rateBps=450, nonce=0,
        )  # fmt: skip

    def settled(
        self, time: int, receivable: str, holder: str, obligor: str, amount: int, due: int,
        late_days: int,
    ) -> None:  # fmt: skip
        self.emit(
            time, "ReceivableLedger", "ReceivableSettled",
            receivableId=receivable, holder=holder, obligor=obligor, amount=amount, dueAt=due,
            paidAt=time, lateDays=late_days, payRef="0x" + "22" * 32,
        )  # fmt: skip

    def defaulted(
        self, time: int, receivable: str, holder: str, obligor: str, amount: int, due: int
    ) -> None:
        self.emit(
            time, "ReceivableLedger", "ReceivableDefaulted",
            receivableId=receivable, holder=holder, obligor=obligor, amount=amount, dueAt=due,
            markedAt=time, nonce=0,
        )  # fmt: skip
