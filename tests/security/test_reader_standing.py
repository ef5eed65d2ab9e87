"""A bank reads under a firm's consent only while it is an active bank now: a token issued
before its suspension, or a fresh token after its BANK role was removed, reads nothing."""

from __future__ import annotations

import hashlib
import os

import pytest

from backend.enums import ConsentScope, Role
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.api.test_trades_flow import signed_body
from tests.factories import create_firm, make_trade

pytestmark = pytest.mark.chain

EVERYTHING = ConsentScope.CREDIT_PROFILE | ConsentScope.DOCUMENTS | ConsentScope.DECISIONS


@pytest.fixture
def consented(ledger, client, relayer, indexer):
    """A firm with a recorded trade and its stored document; a bank with the firm's consent to
    everything that has read all of it and asked for a decision."""
    firm, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    bank = create_firm(ledger, Role.BANK)
    document = b"%PDF-1.7 invoice " + os.urandom(32)
    trade = make_trade(firm, buyer, doc_hash=hashlib.sha256(document).digest())
    firm_headers = sign_in(client, firm)
    recorded = client.post(
        "/trades", json=signed_body(ledger, trade, firm, buyer), headers=firm_headers
    )
    granted = client.post(
        "/consents", json=grant_body(ledger, firm, bank, scope=EVERYTHING), headers=firm_headers
    )
    assert granted.status_code == 202, granted.text
    relayer.run_once()
    indexer.sync()
    uploaded = client.post(
        "/documents",
        files={"file": ("invoice.pdf", document, "application/pdf")},
        headers=firm_headers,
    )
    assert uploaded.status_code == 201, uploaded.text
    bank_headers = sign_in(client, bank)
    decision = client.post(
        "/credit-decisions",
        json={"firm": firm.address, "amount": 100_000, "tenor_days": 30},
        headers=bank_headers,
    )
    assert decision.status_code == 201, decision.text
    reads = {
        "profile": f"/firms/{firm.address}/credit-profile",
        "evidence figure": f"/firms/{firm.address}/credit-profile/evidence/sales_365d",
        "trade evidence": f"/evidence/trade/{recorded.json()['trade_id']}",
        "document": f"/documents/{uploaded.json()['doc_hash']}",
        "decision": f"/credit-decisions/{decision.json()['decision_id']}",
        "decisions": "/credit-decisions",
    }
    for name, path in reads.items():  # all of it readable before the change
        assert client.get(path, headers=bank_headers).status_code == 200, name
    return firm, bank, bank_headers, reads


def ask(client, firm, headers):
    return client.post(
        "/credit-decisions",
        json={"firm": firm.address, "amount": 100_000, "tenor_days": 30},
        headers=headers,
    )


def test_a_suspended_banks_token_reads_nothing(ledger, client, indexer, consented):
    firm, bank, headers, reads = consented
    ledger.registry.suspend(bank.address)
    indexer.sync()
    for name, path in reads.items():  # the same token, issued before the suspension
        answer = client.get(path, headers=headers)
        assert answer.status_code == 403, (name, answer.text)
        assert answer.json()["error"]["code"] == "firm_not_active", name
    refused = ask(client, firm, headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "firm_not_active")


def test_a_firm_that_lost_its_bank_role_reads_nothing(ledger, client, indexer, consented):
    firm, bank, _, reads = consented
    ledger.registry.set_roles(bank.address, Role.SUPPLIER)
    indexer.sync()
    headers = sign_in(client, bank)  # a fresh token, with the roles it holds now
    for name, path in reads.items():
        answer = client.get(path, headers=headers)
        if name == "decisions":  # the list shows it only decisions about itself: none
            assert answer.status_code == 200 and answer.json()["total"] == 0, answer.text
            continue
        assert answer.status_code == 403, (name, answer.text)
        assert answer.json()["error"]["code"] == "not_a_bank", name
    refused = ask(client, firm, headers)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "role_not_allowed")
