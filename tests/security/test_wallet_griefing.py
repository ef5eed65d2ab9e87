"""A firm whose ERC-1271 wallet writes state in ``isValidSignature`` passed the API's plain
``eth_call`` and then sank whole ``recordTrades`` batches. The API now asks the ledger's own
bounded, static check; the contract caps every wallet's gas, so only its item fails."""

from __future__ import annotations

import pytest

from backend.enums import Role
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.contracts.test_trade_identity import deploy_griefing_wallet
from tests.factories import create_firm, make_trade

pytestmark = pytest.mark.chain


def _griefer_body(ledger, seller, griefer, owner):
    trade = make_trade(seller, griefer)
    body = signed_body(ledger, trade, seller)
    body["buyer_signature"] = "0x" + owner.sign_trade(trade, ledger.trades.domain).hex()
    return body


def test_a_trade_signed_by_a_state_writing_wallet_is_refused_up_front(ledger, artifacts, client):
    griefer, owner = deploy_griefing_wallet(ledger, artifacts)
    seller = create_firm(ledger)
    answer = client.post(
        "/trades",
        json=_griefer_body(ledger, seller, griefer, owner),
        headers=sign_in(client, seller),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == "invalid_signature"


def test_a_griefer_in_a_batch_is_refused_and_the_other_firms_trades_are_recorded(
    ledger, artifacts, client, relayer, indexer
):
    griefer, owner = deploy_griefing_wallet(ledger, artifacts)
    seller = create_firm(ledger)
    headers = sign_in(client, seller)
    buyers = [create_firm(ledger, Role.CORE) for _ in range(4)]
    honest = [make_trade(seller, buyer) for buyer in buyers]
    items = [signed_body(ledger, t, seller, b) for t, b in zip(honest, buyers, strict=True)]
    items.insert(1, _griefer_body(ledger, seller, griefer, owner))

    answer = client.post("/trades/batch", json={"items": items}, headers=headers)

    assert answer.status_code == 202, answer.text
    results = answer.json()["data"]
    assert [r["status"] for r in results] == ["queued", "refused", "queued", "queued", "queued"]
    assert results[1]["error"]["code"] == "invalid_signature"
    assert relayer.run_once().recorded == 4
    indexer.sync()
    for trade in honest:
        trade_id = "0x" + trade.trade_id(ledger.trades.domain).hex()
        public = client.get(f"/trades/{trade_id}", headers=headers).json()
        assert (public["status"], public["ledger_status"]) == ("recorded", "verified")


def test_a_victims_trade_in_a_batch_with_a_griefer_is_recorded_on_chain(ledger, artifacts):
    """Should a griefer's item reach the chain anyway (a wallet that turns hostile between the
    API's check and the relayer's transaction), the relayer's fixed-gas batch still records the
    victims' trades: the wallet gets the stipend, not the batch's gas."""
    from backend.chain.contracts import SignedTrade
    from backend.relayer.relayer import batch_gas
    from tests.factories import sign_both

    griefer, owner = deploy_griefing_wallet(ledger, artifacts)
    seller = create_firm(ledger)
    victims = [create_firm(ledger, Role.CORE) for _ in range(3)]
    domain = ledger.trades.domain
    hostile = make_trade(seller, griefer)
    items = [sign_both(ledger, make_trade(seller, v), seller, v) for v in victims]
    items.append(
        SignedTrade(hostile, seller.sign_trade(hostile, domain), owner.sign_trade(hostile, domain))
    )
    result = ledger.trades.record_batch(items, gas=batch_gas(len(items)))
    assert [outcome.recorded for outcome in result.outcomes] == [True, True, True, False]
