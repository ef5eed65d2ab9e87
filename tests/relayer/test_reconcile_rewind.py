"""The node killed and restarted from an older state: the trades it lost are found, requeued and
recorded again, each exactly once, and no status ever says more than the indexed chain."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlmodel import Session, select

from backend.enums import OutboxStatus, Role
from backend.indexer.rpc import JsonRpc
from backend.relayer.models import OutboxItem, RelayedTransaction
from backend.sdk.signer import Signer
from backend.settings import DEVELOPMENT_OPERATOR_KEY
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import create_firm, make_trade
from tests.relayer.conftest import FINAL_DEPTH, node_indexer, node_relayer

pytestmark = pytest.mark.chain


class Crash(Exception):
    pass


def _submit(ledger, client, parties, headers, count: int) -> list[str]:
    seller, buyer = parties
    ids = []
    body = {
        "items": [
            signed_body(ledger, make_trade(seller, buyer), seller, buyer) for _ in range(count)
        ]
    }
    answer = client.post("/trades/batch", json=body, headers=headers)
    assert answer.status_code == 202, answer.text
    ids = [item["trade_id"] for item in answer.json()["data"]]
    assert len(ids) == count and all(ids)
    return ids


def _wrong_statuses(client, headers, ids: list[str], w3) -> list[tuple[str, str]]:
    """Trades the API calls recorded or final that are not on the chain in the block it names."""
    wrong = []
    for trade_id in ids:
        body = client.get(f"/trades/{trade_id}", headers=headers).json()
        if body["status"] not in ("recorded", "final"):
            continue
        receipt = JsonRpc(w3.provider.endpoint_uri).call(
            "eth_getTransactionReceipt", [body["tx_hash"]]
        )
        if receipt is None or int(receipt["blockNumber"], 16) != body["block_number"]:
            wrong.append((trade_id, body["status"]))
    return wrong


def _recorded_on_chain(ledger) -> Counter[str]:
    logs = ledger.trades.contract.events.TradeRecorded.get_logs(
        from_block=ledger.deployment.deploy_block
    )
    return Counter("0x" + log["args"]["tradeId"].hex() for log in logs)


def _statuses(client, headers, ids: list[str]) -> Counter[str]:
    return Counter(client.get(f"/trades/{i}", headers=headers).json()["status"] for i in ids)


def test_trades_lost_in_a_node_rewind_are_recorded_again_once_and_end_final(
    node, node_ledger, node_services, node_client
):
    ledger, client = node_ledger, node_client
    parties = (create_firm(ledger), create_firm(ledger, Role.CORE))
    headers = sign_in(client, parties[0])
    relayer, indexer = node_relayer(node_services, node), node_indexer(node_services, node)

    kept = _submit(ledger, client, parties, headers, 30)
    relayer.run_once()
    indexer.sync()
    saved = node.save_state()

    lost = _submit(ledger, client, parties, headers, 40)  # mined after the saved state
    relayer.run_once()
    indexer.sync()
    assert _statuses(client, headers, kept + lost) == {"recorded": 70}

    node.restart_from(saved)  # the chain no longer has `lost`, nor the relayer's last nonces
    assert not set(_recorded_on_chain(ledger)) & set(lost)
    later = _submit(ledger, client, parties, headers, 20)
    everything = kept + lost + later

    wrong: list[tuple[str, str]] = []
    for _ in range(12):
        indexer.sync()  # the indexer finds the rewind and rolls the lost rows back
        wrong += _wrong_statuses(client, headers, everything, ledger.w3)
        relayer.reconcile(force=True)
        relayer.run_once()
        indexer.sync()
        wrong += _wrong_statuses(client, headers, everything, ledger.w3)
        if set(_statuses(client, headers, everything)) <= {"recorded", "final"}:
            node.mine(FINAL_DEPTH + 1)
            indexer.sync()
            relayer.reconcile(force=True)
            if _statuses(client, headers, everything) == {"final": len(everything)}:
                break

    assert wrong == []
    assert _statuses(client, headers, everything) == {"final": len(everything)}
    on_chain = _recorded_on_chain(ledger)
    assert set(on_chain) == set(everything)
    assert set(on_chain.values()) == {1}  # each exactly once
    with Session(node_services.engine) as session:
        rows = list(session.exec(select(OutboxItem)))
    assert {row.status for row in rows} == {"final"}
    assert sum(row.reorgs for row in rows) == len(lost)


def test_after_a_rewind_the_relayer_re_signs_from_the_chains_nonce(
    node, node_ledger, node_services, node_client
):
    ledger, client = node_ledger, node_client
    parties = (create_firm(ledger), create_firm(ledger, Role.CORE))
    headers = sign_in(client, parties[0])
    operator = Signer.from_key(DEVELOPMENT_OPERATOR_KEY).address

    first = _submit(ledger, client, parties, headers, 10)
    node_relayer(node_services, node).run_once()
    saved = node.save_state()
    chain_nonce = ledger.w3.eth.get_transaction_count(operator)

    mined = _submit(ledger, client, parties, headers, 20)
    relayer = node_relayer(node_services, node)
    relayer.run_once()
    signed_only = _submit(ledger, client, parties, headers, 20)
    crashing = node_relayer(node_services, node)
    crashing.checkpoint = _crash_after_write_ahead  # type: ignore[method-assign]
    with pytest.raises(Crash):
        crashing.run_once()  # rows left submitted, their transactions never sent
    with Session(node_services.engine) as session:
        stored = max(session.exec(select(RelayedTransaction.nonce)))
        assert {r.status for r in session.exec(select(OutboxItem))} == {
            OutboxStatus.RECORDED,
            OutboxStatus.SUBMITTED,
        }
    assert stored >= chain_nonce + 3

    node.restart_from(saved)
    assert ledger.w3.eth.get_transaction_count(operator, "pending") == chain_nonce
    # Both the relayer that ran before (its nonce counter far ahead) and a restarted one.
    relayer.run_once()
    restarted = node_relayer(node_services, node)
    restarted.resume()
    restarted.run_once()
    restarted.reconcile(force=True)

    with Session(node_services.engine) as session:
        rows = list(session.exec(select(OutboxItem)))
    assert {row.status for row in rows} == {OutboxStatus.RECORDED}, Counter(
        row.status for row in rows
    )
    assert not any(row.status == OutboxStatus.QUEUED for row in rows)
    on_chain = _recorded_on_chain(ledger)
    assert set(on_chain) == set(first + mined + signed_only) and set(on_chain.values()) == {1}
    # The nonces after the rewind were signed again from the chain's: no gap, nothing parked.
    latest = ledger.w3.eth.get_transaction_count(operator, "latest")
    assert ledger.w3.eth.get_transaction_count(operator, "pending") == latest
    assert sorted({row.nonce for row in rows if row.nonce >= chain_nonce}) == list(
        range(chain_nonce, latest)
    )


def _crash_after_write_ahead(name: str) -> None:
    if name == "after_write_ahead":
        raise Crash(name)
