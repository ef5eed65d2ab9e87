"""The relayer killed at each point of a round: every accepted submission ends recorded once."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from backend.enums import OutboxStatus, Role
from backend.relayer.models import OutboxItem
from backend.relayer.relayer import Relayer
from backend.trades.models import Trade
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import create_firm, make_trade

pytestmark = pytest.mark.chain


class Crash(Exception):
    pass


class CrashingRelayer(Relayer):
    def __init__(self, *args, crash_at: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.crash_at = crash_at

    def checkpoint(self, name: str) -> None:
        if name == self.crash_at:
            raise Crash(name)


def _submit(ledger, client, count: int) -> list[str]:
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    headers = sign_in(client, seller)
    ids = []
    for _ in range(count):
        answer = client.post(
            "/trades",
            json=signed_body(ledger, make_trade(seller, buyer), seller, buyer),
            headers=headers,
        )
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["trade_id"])
    proposal = make_trade(seller, buyer)
    answer = client.post("/trades", json=signed_body(ledger, proposal, seller), headers=headers)
    ids.append(answer.json()["trade_id"])
    return ids


def _statuses(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {row.subject: row.status for row in session.exec(select(OutboxItem))}


@pytest.mark.parametrize("crash_at", ["after_write_ahead", "after_send", "after_receipt"])
def test_every_submission_ends_recorded_exactly_once(
    ledger, client, services, anvil, indexer, crash_at
):
    from backend.indexer.rpc import JsonRpc

    ids = _submit(ledger, client, 12)
    crashing = CrashingRelayer(
        services.engine, services.ledger, JsonRpc(anvil.url), batch_size=5, crash_at=crash_at
    )
    with pytest.raises(Crash):
        crashing.run_once()

    restarted = Relayer(services.engine, services.ledger, JsonRpc(anvil.url), batch_size=5)
    restarted.resume()
    restarted.run_once()  # anything put back in the queue
    assert set(_statuses(services.engine).values()) == {OutboxStatus.RECORDED}

    indexer.sync()
    with Session(services.engine) as session:
        recorded = [row.trade_id for row in session.exec(select(Trade))]
    assert sorted(recorded) == sorted(ids)  # each once: trade ids are primary keys, and all there


def test_an_item_found_on_chain_already_is_recorded_not_failed(
    ledger, client, services, relayer, indexer
):
    ids = _submit(ledger, client, 3)
    relayer.run_once()
    with Session(services.engine) as session:  # as if the relayer had lost what it did
        for row in session.exec(select(OutboxItem)):
            row.status, row.tx_hash, row.nonce = OutboxStatus.QUEUED, None, None
            session.add(row)
        session.commit()
    result = relayer.run_once()
    assert (result.recorded, result.failed) == (4, 0)
    indexer.sync()
    with Session(services.engine) as session:
        assert sorted(session.exec(select(Trade.trade_id))) == sorted(ids)
