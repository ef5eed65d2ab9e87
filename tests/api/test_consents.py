"""Consents over HTTP: a bank reads while the firm's consent is active; revocation is immediate."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session

from backend.auth.readers import active_consent
from backend.enums import ConsentScope, Role
from backend.sdk.typed_data import Consent, RevokeConsent
from tests.api.conftest import sign_in
from tests.api.test_trades_flow import signed_body
from tests.factories import DAY, create_firm, make_trade

pytestmark = pytest.mark.chain


def grant_body(
    ledger,
    firm,
    bank,
    scope=ConsentScope.CREDIT_PROFILE | ConsentScope.DOCUMENTS,
    expires_at=None,
    nonce=0,
) -> dict:
    consent = Consent(
        firm.address, bank.address, scope, expires_at or int(time.time()) + 30 * DAY, nonce
    )
    signature = firm.sign_digest(consent.consent_id(ledger.consents.domain))
    return {
        "consent": {
            "firm": consent.firm,
            "bank": consent.bank,
            "scope": int(scope),
            "expires_at": consent.expires_at,
            "nonce": nonce,
        },
        "signature": "0x" + signature.hex(),
    }


@pytest.fixture
def world(ledger, client, relayer, indexer):
    """A supplier with one recorded trade, its core buyer, and a bank."""
    seller, buyer, bank = (
        create_firm(ledger),
        create_firm(ledger, Role.CORE),
        create_firm(ledger, Role.BANK),
    )
    headers = {
        who: sign_in(client, signer)
        for who, signer in (("seller", seller), ("buyer", buyer), ("bank", bank))
    }
    answer = client.post(
        "/trades",
        json=signed_body(ledger, make_trade(seller, buyer), seller, buyer),
        headers=headers["seller"],
    )
    relayer.run_once()
    indexer.sync()
    return {
        "seller": seller,
        "buyer": buyer,
        "bank": bank,
        "headers": headers,
        "trade_id": answer.json()["trade_id"],
    }


def test_a_bank_reads_while_consent_is_active_and_not_after_revocation(
    ledger, client, relayer, indexer, world
):
    seller, bank, headers, trade_id = (
        world["seller"],
        world["bank"],
        world["headers"],
        world["trade_id"],
    )
    evidence = f"/evidence/trade/{trade_id}"
    assert client.get(evidence, headers=headers["bank"]).status_code == 403

    granted = client.post(
        "/consents", json=grant_body(ledger, seller, bank), headers=headers["seller"]
    )
    assert granted.status_code == 202, granted.text
    consent_id = granted.json()["subject"]
    relayer.run_once()
    indexer.sync()
    assert client.get(evidence, headers=headers["bank"]).status_code == 200

    revoke = RevokeConsent(bytes.fromhex(consent_id[2:]), 1)
    body = {
        "nonce": 1,
        "signature": "0x" + seller.sign_digest(revoke.digest(ledger.consents.domain)).hex(),
    }
    assert (
        client.post(
            f"/consents/{consent_id}/revoke", json=body, headers=headers["seller"]
        ).status_code
        == 202
    )
    # At once: before the relayer has put the revocation on chain.
    assert client.get(evidence, headers=headers["bank"]).status_code == 403
    relayer.run_once()
    indexer.sync()
    assert client.get(evidence, headers=headers["bank"]).status_code == 403
    assert ledger.consents.is_active(bytes.fromhex(consent_id[2:])) is False


def test_an_expired_consent_gives_no_access(ledger, client, relayer, indexer, world):
    seller, bank, headers = world["seller"], world["bank"], world["headers"]
    soon = int(ledger.w3.eth.get_block("latest")["timestamp"]) + 20
    granted = client.post(
        "/consents",
        json=grant_body(ledger, seller, bank, expires_at=soon),
        headers=headers["seller"],
    )
    assert granted.status_code == 202, granted.text
    relayer.run_once()
    indexer.sync()
    with Session(indexer.engine) as session:
        assert active_consent(session, bank.address, seller.address, 1, now=soon - 1) is not None
        assert active_consent(session, bank.address, seller.address, 1, now=soon + 1) is None


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        (lambda b, w: b["consent"].update(nonce=5), 409, "invalid_nonce"),
        (lambda b, w: b["consent"].update(expires_at=1_000), 422, "expired"),
        (lambda b, w: b["consent"].update(bank=w["buyer"].address), 422, "not_a_bank"),
        (lambda b, w: b.update(signature="0x" + "22" * 65), 422, "invalid_signature"),
    ],
)
def test_bad_consents_are_refused(ledger, client, world, change, status, code):
    body = grant_body(ledger, world["seller"], world["bank"])
    change(body, world)
    answer = client.post("/consents", json=body, headers=world["headers"]["seller"])
    assert answer.status_code == status, answer.text
    assert answer.json()["error"]["code"] == code


def test_only_the_firm_grants_its_consent(ledger, client, world):
    body = grant_body(ledger, world["seller"], world["bank"])
    answer = client.post("/consents", json=body, headers=world["headers"]["bank"])
    assert answer.status_code == 403
