"""Evidence checked against the chain without trusting the API; documents encrypted at rest."""

from __future__ import annotations

import hashlib
import os

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak
from sqlmodel import Session

from backend.documents.models import Document
from backend.enums import Role
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import create_firm, make_trade

pytestmark = pytest.mark.chain


@pytest.fixture
def recorded(ledger, client, relayer, indexer):
    """A trade recorded through the API, with its document's bytes."""
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    document = b"%PDF-1.7 invoice 2026-0042 " + os.urandom(32)
    trade = make_trade(seller, buyer, doc_hash=hashlib.sha256(document).digest())
    headers = sign_in(client, seller)
    answer = client.post("/trades", json=signed_body(ledger, trade, seller, buyer), headers=headers)
    relayer.run_once()
    indexer.sync()
    return answer.json()["trade_id"], seller, buyer, headers, document


def test_evidence_verifies_against_the_chain_independently(ledger, client, recorded, w3):
    trade_id, seller, buyer, headers, _ = recorded
    evidence = client.get(f"/evidence/trade/{trade_id}", headers=headers).json()

    # 1. The typed data hashes (with eth-account's own encoder) to the trade id.
    signable = encode_typed_data(full_message=evidence["typed_data"])
    digest = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert "0x" + digest.hex() == trade_id
    # 2. Each signature recovers to its party.
    for role, party in (("seller", seller), ("buyer", buyer)):
        signature = bytes.fromhex(evidence["signatures"][role][2:])
        assert Account.recover_message(signable, signature=signature) == party.address
    # 3. The chain has the log where the evidence says, naming this trade.
    (event,) = evidence["events"]
    receipt = w3.eth.get_transaction_receipt(event["tx_hash"])
    assert receipt["blockNumber"] == event["block_number"]
    assert "0x" + bytes(receipt["blockHash"]).hex() == event["block_hash"]
    log = next(entry for entry in receipt["logs"] if entry["logIndex"] == event["log_index"])
    assert log["address"] == ledger.trades.address
    assert "0x" + bytes(log["topics"][1]).hex() == trade_id


def test_evidence_is_refused_to_a_firm_without_consent(ledger, client, recorded):
    trade_id = recorded[0]
    stranger = create_firm(ledger, Role.BANK)
    answer = client.get(f"/evidence/trade/{trade_id}", headers=sign_in(client, stranger))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"


def test_a_document_is_stored_encrypted_and_read_back_by_a_party(
    ledger, client, recorded, services
):
    trade_id, _, buyer, headers, document = recorded
    upload = client.post(
        "/documents", files={"file": ("invoice.pdf", document, "application/pdf")}, headers=headers
    )
    assert upload.status_code == 201, upload.text
    doc_hash = upload.json()["doc_hash"]
    assert doc_hash == "0x" + hashlib.sha256(document).hexdigest()
    with Session(services.engine) as session:
        stored = session.get(Document, doc_hash)
    assert stored is not None and document not in stored.ciphertext
    read = client.get(f"/documents/{doc_hash}", headers=sign_in(client, buyer))
    assert read.status_code == 200 and read.content == document


def test_a_document_not_on_the_ledger_is_refused(client, recorded):
    headers = recorded[3]
    answer = client.post(
        "/documents", files={"file": ("x.pdf", b"not recorded", "application/pdf")}, headers=headers
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "unknown_document"


def test_the_operator_does_not_read_documents(client, recorded, operator_headers):
    _, _, _, headers, document = recorded
    doc_hash = client.post(
        "/documents", files={"file": ("i.pdf", document, "application/pdf")}, headers=headers
    ).json()["doc_hash"]
    assert client.get(f"/documents/{doc_hash}", headers=operator_headers).status_code == 403
