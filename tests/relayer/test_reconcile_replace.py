"""A transaction left pending at the operator's lowest nonce is replaced: same nonce, fee raised
by at least 10% (anvil drops a transaction whose cap falls below the base fee rather than keep
it, so the test holds it pending with mining off); a receipt that does not come in time leaves its
rows submitted instead of killing the loop."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from backend.enums import OutboxStatus, Role
from backend.indexer.rpc import JsonRpc
from backend.relayer.models import OutboxItem
from backend.workers import metrics
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.factories import create_firm
from tests.relayer.conftest import node_relayer

pytestmark = pytest.mark.chain


def _rows(engine) -> list[OutboxItem]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxItem)))


def test_a_stuck_transaction_is_replaced_by_fee_and_its_row_recorded(
    node, node_ledger, node_services, node_client
):
    ledger, client = node_ledger, node_client
    firm, bank = create_firm(ledger), create_firm(ledger, Role.BANK)
    accepted = client.post(
        "/consents", json=grant_body(ledger, firm, bank), headers=sign_in(client, firm)
    )
    assert accepted.status_code == 202, accepted.text
    rpc = JsonRpc(node.url)
    relayer = node_relayer(node_services, node, receipt_timeout=0.5, stuck_seconds=0.0)

    rpc.call("evm_setAutomine", [False])
    result = relayer.run_once()  # signed at today's fees, sent; no block, so no receipt
    (stuck,) = result.transactions
    assert {row.status for row in _rows(node_services.engine)} == {OutboxStatus.SUBMITTED}
    original = rpc.call("eth_getTransactionByHash", [stuck])
    assert original is not None and original["blockNumber"] is None  # pending

    replaced_before = metrics.RELAYER_REPLACED._value.get()
    relayer.reconcile(force=True)
    assert metrics.RELAYER_REPLACED._value.get() == replaced_before + 1
    (row,) = _rows(node_services.engine)
    assert row.status == OutboxStatus.SUBMITTED and row.tx_hash != stuck
    replacement = rpc.call("eth_getTransactionByHash", [row.tx_hash])
    assert replacement["nonce"] == original["nonce"] and replacement["input"] == original["input"]
    assert int(replacement["maxFeePerGas"], 16) * 100 >= int(original["maxFeePerGas"], 16) * 110
    assert rpc.call("eth_getTransactionByHash", [stuck]) is None  # the node swapped them

    rpc.call("evm_mine", [])
    rpc.call("evm_setAutomine", [True])
    relayer.reconcile(force=True)
    (row,) = _rows(node_services.engine)
    assert row.status == OutboxStatus.RECORDED
    assert rpc.call("eth_getTransactionReceipt", [row.tx_hash])["status"] == "0x1"
    assert rpc.call("eth_getTransactionReceipt", [stuck]) is None
