"""End to end over HTTP on a real anvil: an SME's invoice becomes a receivable that is split down
the chain of supply, financed by a bank, settled; the bank reads the SME's profile with consent
and checks the evidence against the chain without trusting the API."""

from __future__ import annotations

import time

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data

from backend.enums import Role
from backend.sdk.typed_data import Finance, Settle, Split
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.api.test_trades_flow import signed_body
from tests.factories import DAY, create_firm, make_trade

pytestmark = pytest.mark.chain


def _settle_round(relayer, indexer) -> None:
    result = relayer.run_once()
    assert result.failed == 0, result
    indexer.sync()


def test_invoice_to_receivable_to_financing_to_settlement(ledger, client, relayer, indexer, w3):
    core, tier1 = create_firm(ledger, Role.CORE), create_firm(ledger)
    tier2a, tier2b, bank = create_firm(ledger), create_firm(ledger), create_firm(ledger, Role.BANK)
    headers = {s.address: sign_in(client, s) for s in (core, tier1, tier2a, tier2b, bank)}
    domain = ledger.receivables.domain

    invoice = make_trade(tier1, core, amount=900_000)
    trade_id = client.post(
        "/trades", json=signed_body(ledger, invoice, tier1, core), headers=headers[tier1.address]
    ).json()["trade_id"]
    _settle_round(relayer, indexer)
    issued = client.post(
        "/receivables", json={"trade_id": trade_id}, headers=headers[tier1.address]
    )
    assert issued.status_code == 202, issued.text
    _settle_round(relayer, indexer)
    root = client.get(f"/receivables/{trade_id}", headers=headers[core.address]).json()
    assert (root["status"], root["holder"], root["obligor"]) == (
        "confirmed",
        tier1.address,
        core.address,
    )

    split = Split(
        bytes.fromhex(trade_id[2:]), (tier2a.address, tier2b.address), (600_000, 300_000), 0
    )
    answer = client.post(
        f"/receivables/{trade_id}/split",
        headers=headers[tier1.address],
        json={
            "to": list(split.to),
            "amounts": list(split.amounts),
            "nonce": 0,
            "holder_signature": "0x" + tier1.sign_digest(split.digest(domain)).hex(),
        },
    )
    assert answer.status_code == 202, answer.text
    _settle_round(relayer, indexer)
    child = ledger.receivables.contract.functions.childId(bytes.fromhex(trade_id[2:]), 0).call()
    child_id = "0x" + bytes(child).hex()
    piece = client.get(f"/receivables/{child_id}", headers=headers[tier2a.address]).json()
    assert (piece["holder"], piece["amount"], piece["tier"]) == (tier2a.address, 600_000, 2)

    deadline = int(time.time()) + DAY
    terms = Finance(bytes.fromhex(child_id[2:]), bank.address, 540_000, 600, deadline, 0)
    digest = terms.digest(domain)
    answer = client.post(
        f"/receivables/{child_id}/finance",
        headers=headers[tier2a.address],
        json={
            "bank": bank.address,
            "advance": 540_000,
            "rate_bps": 600,
            "deadline": deadline,
            "nonce": 0,
            "holder_signature": "0x" + tier2a.sign_digest(digest).hex(),
            "bank_signature": "0x" + bank.sign_digest(digest).hex(),
        },
    )
    assert answer.status_code == 202, answer.text
    _settle_round(relayer, indexer)
    assert (
        client.get(f"/receivables/{child_id}", headers=headers[bank.address]).json()["holder"]
        == bank.address
    )

    settlement = Settle(bytes.fromhex(child_id[2:]), 600_000, int(time.time()) - 60)
    answer = client.post(
        f"/receivables/{child_id}/settle",
        headers=headers[bank.address],
        json={
            "amount": 600_000,
            "paid_at": settlement.paid_at,
            "pay_ref": "0x" + settlement.pay_ref.hex(),
            "holder_signature": "0x" + bank.sign_digest(settlement.digest(domain)).hex(),
        },
    )
    assert answer.status_code == 202, answer.text
    _settle_round(relayer, indexer)
    assert (
        client.get(f"/receivables/{child_id}", headers=headers[bank.address]).json()["status"]
        == "settled"
    )

    # The bank reads the tier-1 supplier's profile once the supplier consents.
    profile_path = f"/firms/{tier1.address}/credit-profile"
    assert client.get(profile_path, headers=headers[bank.address]).status_code == 403
    assert (
        client.post(
            "/consents", json=grant_body(ledger, tier1, bank), headers=headers[tier1.address]
        ).status_code
        == 202
    )
    _settle_round(relayer, indexer)
    profile = client.get(profile_path, headers=headers[bank.address])
    assert profile.status_code == 200, profile.text
    assert profile.json()["figures"]["sales_365d"]["amount"] == 900_000

    # Evidence, checked against the chain and with eth-account, not with the API's own code.
    evidence = client.get(f"/evidence/trade/{trade_id}", headers=headers[bank.address]).json()
    signable = encode_typed_data(full_message=evidence["typed_data"])
    for party, key in ((tier1, "seller"), (core, "buyer")):
        signature = bytes.fromhex(evidence["signatures"][key][2:])
        assert Account.recover_message(signable, signature=signature) == party.address
    (event,) = evidence["events"]
    receipt = w3.eth.get_transaction_receipt(event["tx_hash"])
    log = next(entry for entry in receipt["logs"] if entry["logIndex"] == event["log_index"])
    assert "0x" + bytes(log["topics"][1]).hex() == trade_id


def test_a_nonce_spent_in_the_outbox_counts_whoever_submitted_it(ledger, client, relayer, indexer):
    """The bank submits a financing signed with the holder's nonce 0; the holder's next signed
    operation must then use nonce 1, even though the chain has not seen the financing yet."""
    core, holder, bank = (
        create_firm(ledger, Role.CORE),
        create_firm(ledger),
        create_firm(ledger, Role.BANK),
    )
    headers = {s.address: sign_in(client, s) for s in (core, holder, bank)}
    roots = []
    for _ in range(2):
        invoice = make_trade(holder, core, amount=100_000)
        roots.append(
            client.post(
                "/trades",
                json=signed_body(ledger, invoice, holder, core),
                headers=headers[holder.address],
            ).json()["trade_id"]
        )
    _settle_round(relayer, indexer)
    for root in roots:
        client.post("/receivables", json={"trade_id": root}, headers=headers[holder.address])
    _settle_round(relayer, indexer)
    domain = ledger.receivables.domain
    deadline = int(time.time()) + DAY
    terms = Finance(bytes.fromhex(roots[0][2:]), bank.address, 90_000, 500, deadline, 0)
    financed = client.post(
        f"/receivables/{roots[0]}/finance",
        headers=headers[bank.address],
        json={
            "bank": bank.address,
            "advance": 90_000,
            "rate_bps": 500,
            "deadline": deadline,
            "nonce": 0,
            "holder_signature": "0x" + holder.sign_digest(terms.digest(domain)).hex(),
            "bank_signature": "0x" + bank.sign_digest(terms.digest(domain)).hex(),
        },
    )
    assert financed.status_code == 202, financed.text

    def split_with(nonce: int):
        message = Split(bytes.fromhex(roots[1][2:]), (core.address,), (100_000,), nonce)
        return client.post(
            f"/receivables/{roots[1]}/split",
            headers=headers[holder.address],
            json={
                "to": [core.address],
                "amounts": [100_000],
                "nonce": nonce,
                "holder_signature": "0x" + holder.sign_digest(message.digest(domain)).hex(),
            },
        )

    stale = split_with(0)
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "invalid_nonce"
    assert split_with(1).status_code == 202
    _settle_round(relayer, indexer)
