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
        return {
            "id": self.id,
            "block_number": self.block_number,
            "block_hash": self.block_hash,
            "block_time": self.block_time,
            "tx_hash": self.tx_hash,
            "log_index": self.log_index,
            "contract": self.contract,
            "event": self.name,
            "args": self.args,
        }


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
