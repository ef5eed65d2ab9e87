"""A receivable issued while its invoice awaited the buyer used to stay PENDING after the buyer
confirmed through ``POST /trades/{id}/confirm`` (nothing called ``ReceivableLedger.sync``). The
trade ledger now reports every answer to the receivable ledger in the same transaction."""

from __future__ import annotations

import pytest

from backend.enums import Role
from backend.sdk.typed_data import Reject
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import create_firm, make_trade

pytestmark = pytest.mark.chain


def _pending_receivable(ledger, client, relayer, indexer, seller, core):
    headers = sign_in(client, seller)
    invoice = make_trade(seller, core)
    proposed = client.post("/trades", json=signed_body(ledger, invoice, seller), headers=headers)
    assert proposed.status_code == 202, proposed.text
    trade_id = proposed.json()["trade_id"]
    relayer.run_once()
    indexer.sync()
    issued = client.post("/receivables", json={"trade_id": trade_id}, headers=headers)
    assert issued.status_code == 202, issued.text
    relayer.run_once()
    indexer.sync()
    receivable = client.get(f"/receivables/{trade_id}", headers=headers).json()
    assert receivable["status"] == "pending", receivable
    return invoice, trade_id


def test_confirming_the_trade_confirms_its_pending_receivable(ledger, client, relayer, indexer):
    seller, core = create_firm(ledger), create_firm(ledger, Role.CORE)
    invoice, trade_id = _pending_receivable(ledger, client, relayer, indexer, seller, core)
    core_headers = sign_in(client, core)
    signature = core.sign_trade(invoice, ledger.trades.domain)
    confirmed = client.post(
        f"/trades/{trade_id}/confirm",
        json={"buyer_signature": "0x" + signature.hex()},
        headers=core_headers,
    )
    assert confirmed.status_code == 202, confirmed.text
    relayer.run_once()
    indexer.sync()

    receivable = client.get(f"/receivables/{trade_id}", headers=core_headers).json()
    assert receivable["status"] == "confirmed", receivable
    trade = client.get(f"/trades/{trade_id}", headers=core_headers).json()
    assert trade["ledger_status"] == "verified"


def test_rejecting_the_trade_rejects_its_pending_receivable(ledger, client, relayer, indexer):
    seller, core = create_firm(ledger), create_firm(ledger, Role.CORE)
    _, trade_id = _pending_receivable(ledger, client, relayer, indexer, seller, core)
    core_headers = sign_in(client, core)
    reason = b"never delivered".ljust(32, b"\0")
    signature = core.sign_reject(Reject(bytes.fromhex(trade_id[2:]), reason), ledger.trades.domain)
    rejected = client.post(
        f"/trades/{trade_id}/reject",
        json={"reason": "0x" + reason.hex(), "buyer_signature": "0x" + signature.hex()},
        headers=core_headers,
    )
    assert rejected.status_code == 202, rejected.text
    relayer.run_once()
    indexer.sync()

    receivable = client.get(f"/receivables/{trade_id}", headers=core_headers).json()
    assert receivable["status"] == "rejected", receivable
