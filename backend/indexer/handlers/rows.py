"""What the handlers share: the row an event records, with the event's arguments it copies."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table

from backend.indexer.events import DecodedEvent
from backend.indexer.store import Store


def copied(args: Mapping[str, Any], *names: str) -> dict[str, Any]:
    """The event arguments ``names`` as the columns of the same names in snake case
    (``dueAt`` is ``due_at``)."""
    return {re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower(): args[name] for name in names}


def record(store: Store, table: Table, event: DecodedEvent, row: dict[str, Any]) -> None:
    """Insert the row ``event`` records in ``table`` (with its id as ``event_id``), undone with
    the event's block if that block is reorganised away."""
    store.insert(table, {**row, "event_id": event.id}, block=event.block_number)
