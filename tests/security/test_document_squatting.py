"""Any registered trader could squat a document hash (and an invoice identity) with a seller-only
proposal its buyer never answers. A rejected proposal now releases both at once; an unanswered
one after ``TradeLedger.PROPOSAL_TTL``, after which it can no longer be confirmed."""

from __future__ import annotations

import pytest

from backend.enums import Role
from backend.sdk.typed_data import Reject
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import advance_time, chain_snapshot, create_firm, make_trade

pytestmark = pytest.mark.chain


@pytest.fixture
def squat(ledger, client, relayer, indexer):
    """A squatter's seller-only proposal of someone else's invoice document, on chain and indexed;
    the honest seller's trade with the same document and invoice identity."""
    squatter, seller, buyer = (
        create_firm(ledger),
        create_firm(ledger),
        create_firm(ledger, Role.CORE),
    )
    honest = make_trade(seller, buyer)
    squatted = make_trade(squatter, buyer, doc_hash=honest.doc_hash, invoice_key=honest.invoice_key)
    answer = client.post(
        "/trades", json=signed_body(ledger, squatted, squatter), headers=sign_in(client, squatter)
    )
    assert answer.status_code == 202, answer.text
    relayer.run_once()
    indexer.sync()
    return {
        "squatted": squatted,
        "squat_id": answer.json()["trade_id"],
        "honest": honest,
        "seller": seller,
        "buyer": buyer,
    }


def _submit_honest(ledger, client, squat):
    body = signed_body(ledger, squat["honest"], squat["seller"], squat["buyer"])
    return client.post("/trades", json=body, headers=sign_in(client, squat["seller"]))


def test_a_squatted_document_is_refused_while_the_proposal_is_open(ledger, client, squat):
    answer = _submit_honest(ledger, client, squat)
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"]["code"] == "duplicate_document"


def test_the_buyers_rejection_releases_the_document_and_the_invoice(
    ledger, client, relayer, indexer, squat
):
    buyer, squat_id = squat["buyer"], squat["squat_id"]
    reason = b"not ours".ljust(32, b"\0")
    signature = buyer.sign_reject(Reject(bytes.fromhex(squat_id[2:]), reason), ledger.trades.domain)
    rejected = client.post(
        f"/trades/{squat_id}/reject",
        json={"reason": "0x" + reason.hex(), "buyer_signature": "0x" + signature.hex()},
        headers=sign_in(client, buyer),
    )
    assert rejected.status_code == 202, rejected.text
    relayer.run_once()
    indexer.sync()

    answer = _submit_honest(ledger, client, squat)

    assert answer.status_code == 202, answer.text
    assert relayer.run_once().recorded == 1
    indexer.sync()
    headers = sign_in(client, squat["seller"])
    public = client.get(f"/trades/{answer.json()['trade_id']}", headers=headers).json()
    assert (public["status"], public["ledger_status"]) == ("recorded", "verified")
    squatter_view = client.get(f"/trades/{squat_id}", headers=sign_in(client, buyer)).json()
    assert squatter_view["ledger_status"] == "rejected"  # the dispute stays on record


def test_an_unanswered_proposal_expires_and_the_document_is_free_again(
    ledger, client, relayer, indexer, squat
):
    buyer, squat_id = squat["buyer"], squat["squat_id"]
    with chain_snapshot(ledger):
        advance_time(ledger, ledger.trades.proposal_ttl + 60)
        confirm = {
            "buyer_signature": "0x"
            + buyer.sign_trade(squat["squatted"], ledger.trades.domain).hex()
        }
        late = client.post(
            f"/trades/{squat_id}/confirm", json=confirm, headers=sign_in(client, buyer)
        )
        assert late.status_code == 409, late.text
        assert late.json()["error"]["code"] == "proposal_expired"

        answer = _submit_honest(ledger, client, squat)

        assert answer.status_code == 202, answer.text
        assert relayer.run_once().recorded == 1
        indexer.sync()
        public = client.get(
            f"/trades/{answer.json()['trade_id']}", headers=sign_in(client, squat["seller"])
        ).json()
        assert (public["status"], public["ledger_status"]) == ("recorded", "verified")
