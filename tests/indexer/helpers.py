"""Indexer test helpers: a scripted history, an indexer, a comparable dump of the tables."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from backend.chain.contracts import Ledger
from backend.enums import Role
from backend.indexer.indexer import Indexer
from backend.indexer.rpc import JsonRpc
from backend.sdk.typed_data import Payment, Reject
from tests.factories import DAY, create_firm, make_trade, sign_both

DERIVED_TABLES = (
    "chain_event",
    "firm",
    "trade",
    "payment",
    "receivable",
    "receivable_transition",
    "financing",
    "credit_tally",
)


def make_indexer(
    ledger: Ledger, url: str, artifacts: dict, engine: Engine, **options: Any
) -> Indexer:
    return Indexer(engine, JsonRpc(url), ledger.deployment, artifacts, **options)


def dump(engine: Engine) -> dict[str, list[tuple]]:
    """Every derived row, sorted: two databases with equal dumps hold the same records."""
    tables = SQLModel.metadata.tables
    with engine.connect() as connection:
        return {
            name: sorted(tuple(row) for row in connection.execute(select(tables[name])))
            for name in DERIVED_TABLES
        }


def records(engine: Engine) -> dict[str, dict]:
    """Every firm's credit record as of the last indexed block, with its evidence."""
    from backend.credit.record import compute_record
    from backend.indexer.models import BlockHeader, IndexerCursor

    with engine.connect() as connection:
        cursor = connection.execute(select(IndexerCursor)).first()
        assert cursor is not None
        as_of = connection.execute(
            select(BlockHeader.timestamp).where(BlockHeader.number == cursor.last_block)
        ).scalar_one()
        firms = connection.execute(select(SQLModel.metadata.tables["firm"].c.address)).scalars()
        return {
            firm: compute_record(connection, firm, as_of).to_json(include_evidence=True)
            for firm in firms
        }


def scripted_history(ledger: Ledger, rounds: int = 3) -> None:
    """Firms and trades of every kind of event: records, batches, proposals, answers, payments."""
    core = create_firm(ledger, Role.CORE)
    suppliers = [create_firm(ledger) for _ in range(3)]
    domain = ledger.trades.domain
    now = int(time.time())
    for round_number in range(rounds):
        for supplier in suppliers:
            invoice = make_trade(supplier, core, amount=100_000 * (round_number + 1))
            trade_id = ledger.trades.record(sign_both(ledger, invoice, supplier, core)).trade_id
            payment = Payment(trade_id, invoice.amount // 2, now - 5 * DAY)
            ledger.trades.record_payment(invoice, payment, supplier.sign_payment(payment, domain))
        batch = [
            sign_both(ledger, make_trade(suppliers[1], suppliers[0]), suppliers[1], suppliers[0])
            for _ in range(4)
        ]
        ledger.trades.record_batch(batch)
        proposal = make_trade(suppliers[2], core)
        proposed = ledger.trades.propose(proposal, suppliers[2].sign_trade(proposal, domain))
        if round_number % 2:
            ledger.trades.confirm(proposed.trade_id, core.sign_trade(proposal, domain))
        else:
            rejection = Reject(proposed.trade_id, b"wrong quantity".ljust(32, b"\0"))
            ledger.trades.reject(
                proposed.trade_id, rejection.reason, core.sign_reject(rejection, domain)
            )
    ledger.registry.suspend(suppliers[0].address)
    ledger.registry.reactivate(suppliers[0].address)
    ledger.registry.set_roles(suppliers[1].address, Role.SUPPLIER | Role.CORE)
