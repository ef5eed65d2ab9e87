"""Submitting trades over HTTP: validated, queued, relayed on chain, indexed, readable."""

from __future__ import annotations

import pytest

from backend.enums import Role
from backend.sdk.typed_data import Reject
from tests.api.conftest import sign_in
from tests.factories import create_firm, make_trade

pytestmark = pytest.mark.chain


def trade_json(trade) -> dict:
    return {
        "seller": trade.seller,
        "buyer": trade.buyer,
        "kind": trade.kind.name.lower(),
        "doc_hash": "0x" + trade.doc_hash.hex(),
        "amount": trade.amount,
        "currency": trade.currency,
        "issued_at": trade.issued_at,
        "due_at": trade.due_at,
        "ref": "0x" + trade.ref.hex(),
        "invoice_key": "0x" + trade.invoice_key.hex(),
    }


def signed_body(ledger, trade, seller, buyer=None) -> dict:
    domain = ledger.trades.domain
    body = {
        "trade": trade_json(trade),
        "seller_signature": "0x" + seller.sign_trade(trade, domain).hex(),
    }
    if buyer is not None:
        body["buyer_signature"] = "0x" + buyer.sign_trade(trade, domain).hex()
    return body


def test_a_dual_signed_trade_is_queued_relayed_and_indexed(ledger, client, relayer, indexer):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    headers = sign_in(client, seller)
    trade = make_trade(seller, buyer)
    answer = client.post("/trades", json=signed_body(ledger, trade, seller, buyer), headers=headers)
    assert answer.status_code == 202, answer.text
    trade_id = answer.json()["trade_id"]
    assert trade_id == "0x" + trade.trade_id(ledger.trades.domain).hex()
    assert client.get(f"/trades/{trade_id}", headers=headers).json()["status"] == "queued"

    result = relayer.run_once()
    assert result.recorded == 1
    indexer.sync()
    public = client.get(f"/trades/{trade_id}", headers=headers).json()
    assert public["status"] == "recorded" and public["ledger_status"] == "verified"
    assert public["tx_hash"] == result.transactions[0]


def test_a_proposal_is_confirmed_or_rejected_by_the_buyer(ledger, client, relayer, indexer):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    seller_headers, buyer_headers = sign_in(client, seller), sign_in(client, buyer)
    first, second = make_trade(seller, buyer), make_trade(seller, buyer)
    ids = []
    for trade in (first, second):
        answer = client.post(
            "/trades", json=signed_body(ledger, trade, seller), headers=seller_headers
        )
        assert answer.status_code == 202, answer.text
        ids.append(answer.json()["trade_id"])
    domain = ledger.trades.domain
    confirm = {"buyer_signature": "0x" + buyer.sign_trade(first, domain).hex()}
    assert (
        client.post(f"/trades/{ids[0]}/confirm", json=confirm, headers=buyer_headers).status_code
        == 202
    )
    reason = b"damaged".ljust(32, b"\0")
    reject = {
        "reason": "0x" + reason.hex(),
        "buyer_signature": "0x"
        + buyer.sign_reject(Reject(bytes.fromhex(ids[1][2:]), reason), domain).hex(),
    }
    assert (
        client.post(f"/trades/{ids[1]}/reject", json=reject, headers=buyer_headers).status_code
        == 202
    )
    relayer.run_once()
    indexer.sync()
    statuses = [
        client.get(f"/trades/{i}", headers=seller_headers).json()["ledger_status"] for i in ids
    ]
    assert statuses == ["verified", "rejected"]


def test_a_batch_queues_good_items_and_refuses_bad_ones(ledger, client, relayer, indexer):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    headers = sign_in(client, seller)
    good = [make_trade(seller, buyer) for _ in range(5)]
    items = [signed_body(ledger, t, seller, buyer) for t in good]
    items.append(dict(items[0]))  # the same document twice
    wrong = signed_body(ledger, make_trade(seller, buyer), seller, seller)  # buyer did not sign
    items.append(wrong)
    answer = client.post("/trades/batch", json={"items": items}, headers=headers)
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert (body["accepted"], body["refused"]) == (5, 2)
    assert [r["error"]["code"] for r in body["data"] if r["error"]] == [
        "duplicate_document",
        "invalid_signature",
    ]
    assert relayer.run_once().recorded == 5
