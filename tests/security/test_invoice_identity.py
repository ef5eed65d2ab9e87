"""The same invoice under another document hash: a trade carries its invoice's identity
(``invoice_key``), unique in the whole ledger whatever the document's bytes, and the API refuses
a second one (409 ``duplicate_invoice``) before the chain would. A payment on the trade is refused
once the invoice became a receivable (it is paid by settling the receivable)."""

from __future__ import annotations

import dataclasses
import os
import time

import pytest

from backend.enums import Role, TradeKind
from backend.sdk.typed_data import Payment, invoice_key
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import DAY, create_firm, make_trade

pytestmark = pytest.mark.chain


def _error(answer, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code


def test_an_invoice_recorded_under_one_document_is_refused_under_another(
    ledger, client, relayer, indexer
):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    headers = sign_in(client, seller)
    key = invoice_key("91350211MA2XYZ1234", "04412345")
    first = make_trade(seller, buyer, invoice_key=key)
    answer = client.post("/trades", json=signed_body(ledger, first, seller, buyer), headers=headers)
    assert answer.status_code == 202, answer.text
    one_byte_off = dataclasses.replace(first, doc_hash=os.urandom(32))
    body = signed_body(ledger, one_byte_off, seller, buyer)

    _error(client.post("/trades", json=body, headers=headers), 409, "duplicate_invoice")  # queued
    relayer.run_once()
    indexer.sync()
    _error(client.post("/trades", json=body, headers=headers), 409, "duplicate_invoice")  # indexed

    trade_id = "0x" + first.trade_id(ledger.trades.domain).hex()
    public = client.get(f"/trades/{trade_id}", headers=headers).json()
    assert public["trade"]["invoice_key"] == "0x" + key.hex()


def test_a_second_bank_cannot_be_shown_the_same_invoice_by_another_pair(
    ledger, client, relayer, indexer
):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    first = make_trade(seller, buyer)
    client.post(
        "/trades", json=signed_body(ledger, first, seller, buyer), headers=sign_in(client, seller)
    )
    relayer.run_once()
    indexer.sync()
    accomplice, other_buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    again = make_trade(accomplice, other_buyer, invoice_key=first.invoice_key)
    answer = client.post(
        "/trades",
        json=signed_body(ledger, again, accomplice, other_buyer),
        headers=sign_in(client, accomplice),
    )
    _error(answer, 409, "duplicate_invoice")


def test_a_batch_refuses_the_same_invoice_twice(ledger, client):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    first = make_trade(seller, buyer)
    again = dataclasses.replace(first, doc_hash=os.urandom(32))
    items = [signed_body(ledger, t, seller, buyer) for t in (first, again)]
    answer = client.post("/trades/batch", json={"items": items}, headers=sign_in(client, seller))
    assert answer.status_code == 202, answer.text
    assert [r["status"] for r in answer.json()["data"]] == ["queued", "refused"]
    assert answer.json()["data"][1]["error"]["code"] == "duplicate_invoice"


def test_an_invoice_needs_its_key_and_an_order_has_none(ledger, client):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    headers = sign_in(client, seller)
    keyless = make_trade(seller, buyer, invoice_key=b"\x00" * 32)
    _error(
        client.post("/trades", json=signed_body(ledger, keyless, seller, buyer), headers=headers),
        422,
        "missing_invoice_key",
    )
    order = make_trade(seller, buyer, kind=TradeKind.ORDER, due_at=0, invoice_key=os.urandom(32))
    _error(
        client.post("/trades", json=signed_body(ledger, order, seller, buyer), headers=headers),
        422,
        "invalid_invoice_key",
    )


def test_a_payment_on_an_invoice_that_became_a_receivable_is_refused(
    ledger, client, relayer, indexer
):
    seller, core = create_firm(ledger), create_firm(ledger, Role.CORE)
    headers = sign_in(client, seller)
    invoice = make_trade(seller, core)
    trade_id = client.post(
        "/trades", json=signed_body(ledger, invoice, seller, core), headers=headers
    ).json()["trade_id"]
    relayer.run_once()
    indexer.sync()
    payment = Payment(bytes.fromhex(trade_id[2:]), invoice.amount, int(time.time()) - DAY)
    body = {
        "trade_id": trade_id,
        "amount": payment.amount,
        "paid_at": payment.paid_at,
        "payee_signature": "0x" + seller.sign_payment(payment, ledger.trades.domain).hex(),
    }
    issued = client.post("/receivables", json={"trade_id": trade_id}, headers=headers)
    assert issued.status_code == 202, issued.text
    # Refused while the issue is queued, and once the receivable is indexed.
    _error(client.post("/payments", json=body, headers=headers), 409, "paid_on_receivable")
    relayer.run_once()
    indexer.sync()
    _error(client.post("/payments", json=body, headers=headers), 409, "paid_on_receivable")
