"""The decoded event handed to handlers, and the registry of handlers by event."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backend.indexer.store import Store


@dataclass(slots=True)  # not frozen: created per log on the hot path, where that costs
class DecodedEvent:
    id: int
    contract: str
    name: str
    block_number: int
    block_hash: str
    block_time: int
    tx_hash: str
    log_index: int
    args: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.contract}:{self.name}"

    def as_row(self) -> dict[str, Any]:
        """The ``chain_event`` row of this event."""
        return dict(zip(CHAIN_EVENT_COLUMNS, self.row_values(), strict=True))

    def row_values(self) -> tuple[Any, ...]:
        """The ``chain_event`` row as values in :data:`CHAIN_EVENT_COLUMNS` order (bulk writes)."""
        return (
            self.id,
            self.block_number,
            self.block_hash,
            self.block_time,
            self.tx_hash,
            self.log_index,
            self.contract,
            self.name,
            self.args,
        )


CHAIN_EVENT_COLUMNS = (
    "id",
    "block_number",
    "block_hash",
    "block_time",
    "tx_hash",
    "log_index",
    "contract",
    "event",
    "args",
)

Handler = Callable[[Store, DecodedEvent], None]
HANDLERS: dict[str, Handler] = {}


def handles(key: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``"Contract:Event"``; events without a handler are only stored."""

    def register(handler: Handler) -> Handler:
        if key in HANDLERS:
            raise ValueError(f"two handlers for {key}")
        HANDLERS[key] = handler
        return handler

    return register
