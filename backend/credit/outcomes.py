"""Realised defaults on the ledger: what recalibration learns from.

A firm *defaulted* in a window when, within it, a receivable it owed as obligor was marked
DEFAULTED, or a receivable it had financed as borrower was (the bank's loss on the firm). Both are
read from ``receivable_transition`` rows by their block time, so the same chain gives the same
outcomes whenever it is read.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, and_, select

from backend.credit.queries import FINANCINGS, FIRMS, RECEIVABLES, TRANSITIONS, _chunks
from backend.enums import TRADER, ReceivableStatus


def defaulted_between(
    connection: Connection, firms: Collection[str], since: int, until: int
) -> set[str]:
    """The firms of ``firms`` with a default as obligor or as borrower in ``(since, until]``."""
    marked = and_(
        TRANSITIONS.c.status == ReceivableStatus.DEFAULTED,
        TRANSITIONS.c.block_time > since,
        TRANSITIONS.c.block_time <= until,
    )
    found: set[str] = set()
    for chunk in _chunks(firms):
        as_obligor = (
            select(RECEIVABLES.c.obligor)
            .join(TRANSITIONS, TRANSITIONS.c.receivable_id == RECEIVABLES.c.receivable_id)
            .where(marked, RECEIVABLES.c.obligor.in_(chunk))
        )
        as_borrower = (
            select(FINANCINGS.c.borrower)
            .join(TRANSITIONS, TRANSITIONS.c.receivable_id == FINANCINGS.c.receivable_id)
            .where(marked, FINANCINGS.c.borrower.in_(chunk), FINANCINGS.c.financed_time <= until)
        )
        found.update(connection.execute(as_obligor).scalars())
        found.update(connection.execute(as_borrower).scalars())
    return found


def firms_registered_by(connection: Connection, as_of: int) -> list[str]:
    """Suppliers and core enterprises registered by ``as_of`` (roles they were registered with),
    in address order: the population a bank scores."""
    rows = connection.execute(
        select(FIRMS.c.address, FIRMS.c.roles)
        .where(FIRMS.c.registered_at <= as_of)
        .order_by(FIRMS.c.address)
    )
    return [row.address for row in rows if int(row.roles) & TRADER]
