"""The Python client against the real app: each role signs with its own key and calls HTTP."""

from __future__ import annotations

import time

import pytest

from backend.enums import ConsentScope, Role
from backend.firms.credit_code import make_credit_code
from backend.sdk.client import ApiError, LedgerClient
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Payment
from backend.settings import DEVELOPMENT_OPERATOR_KEY
from tests.factories import DAY, create_firm, make_trade

pytestmark = pytest.mark.chain


def _client(test_client, signer: Signer) -> LedgerClient:
    client = LedgerClient("http://testserver", signer, http=test_client)
    client.sign_in()
    return client


def test_operator_sme_core_and_bank_through_the_client(ledger, client, relayer, indexer):
    operator = _client(client, Signer.from_key(DEVELOPMENT_OPERATOR_KEY))
    sme_key = Signer.create()
    registered = operator.register_firm(
        sme_key.address,
        ["supplier"],
        make_credit_code("91330000000000042"),
        "宁波示例五金有限公司",
        legal_name_en="Ningbo Example Hardware Co., Ltd.",
    )
    assert registered["roles"] == ["supplier"]
    assert registered["legal_name_zh"] == "宁波示例五金有限公司"
    core_key = create_firm(ledger, Role.CORE)
    sme, core = _client(client, sme_key), _client(client, core_key)
    bank = _client(client, create_firm(ledger, Role.BANK))

    invoice = make_trade(sme_key, core_key)
    trade_id = sme.submit_trade(invoice, buyer_signature=core.sign_trade(invoice))
    assert sme.trade(trade_id)["status"] == "queued"
    proposal = make_trade(sme_key, core_key)
    proposal_id = sme.submit_trade(proposal)
    relayer.run_once()
    indexer.sync()
    core.confirm_trade(proposal)
    relayer.run_once()
    indexer.sync()
    assert sme.trade(trade_id)["ledger_status"] == "verified"
    assert core.trade(proposal_id)["ledger_status"] == "verified"

    # The SME records the core's payment of the invoice; both list it, from their own side.
    paid = Payment(bytes.fromhex(trade_id[2:]), 400_000, int(time.time()) - DAY)
    payment_id = sme.record_payment(paid)["subject"]
    relayer.run_once()
    indexer.sync()
    made_by_core = core.payments(
        side="payer", from_=time.strftime("%Y-%m-%d", time.gmtime(paid.paid_at))
    )
    assert [p["payment_id"] for p in made_by_core["data"]] == [payment_id]
    assert sme.payments(side="payee", trade=trade_id)["count"] == 1
    assert core.payments(side="payee")["count"] == 0

    with pytest.raises(ApiError) as refused:
        bank.credit_profile(sme_key.address)
    assert (refused.value.status, refused.value.code) == (403, "no_consent")
    assert sme.credit_profile(sme_key.address)["figures"]["sales_365d"]["count"] == 2
    assert sme.evidence("trade", trade_id)["signatures"]["buyer"] is not None

    # The SME lets the bank decide; the bank asks, the relayer anchors, the bank verifies.
    consent = sme.grant_consent(
        bank.signer.address, ConsentScope.DECISIONS, int(time.time()) + 30 * DAY, nonce=0
    )
    relayer.run_once()
    indexer.sync()
    made = bank.request_decision(sme_key.address, 250_000, 30)
    assert made["outcome"] in ("approve", "decline", "refer")
    relayer.run_once()
    indexer.sync()  # the anchor counts once the indexer has it
    assert [d["decision_id"] for d in bank.decisions()["data"]] == [made["decision_id"]]
    checked = bank.decision(made["decision_id"])["verification"]
    assert (checked["reproduced"], checked["on_chain"]) == (True, True)
    sme.revoke_consent(consent["subject"], nonce=1)
    with pytest.raises(ApiError) as refused:
        bank.request_decision(sme_key.address, 250_000, 30)
    assert (refused.value.status, refused.value.code) == (403, "no_consent")
