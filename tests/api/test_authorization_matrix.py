"""Who may do what: every role against every endpoint, asserting the exact status.

Roles: nobody (no token), the SME (a supplier), another SME, the core enterprise that buys from
the SME, a bank with the SME's consent, a bank without, a bank whose consent expired, a bank
whose consent was revoked, and the operator.
"""

from __future__ import annotations

import hashlib
import os
import time

import pytest

from backend.enums import ConsentScope, Role
from backend.firms.credit_code import make_credit_code
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Payment, Reject, RevokeConsent
from backend.settings import DEVELOPMENT_OPERATOR_KEY
from tests.api.conftest import sign_in
from tests.api.test_bad_input import offer_body
from tests.api.test_consents import grant_body
from tests.api.test_trades_flow import signed_body
from tests.factories import DAY, create_firm, make_trade

pytestmark = pytest.mark.chain

ROLES = (
    "none",
    "sme",
    "other_sme",
    "core",
    "bank_with_consent",
    "bank_without_consent",
    "bank_expired_consent",
    "bank_revoked_consent",
    "operator",
)


@pytest.fixture
def world(ledger, client, relayer, indexer):
    """Firms, tokens, recorded trades with documents, and banks in every consent state."""
    signers = {
        "sme": create_firm(ledger),
        "other_sme": create_firm(ledger),
        "core": create_firm(ledger, Role.CORE),
        **{name: create_firm(ledger, Role.BANK) for name in ROLES if name.startswith("bank")},
        "operator": Signer.from_key(DEVELOPMENT_OPERATOR_KEY),
    }
    headers = {name: sign_in(client, signer) for name, signer in signers.items()}
    headers["none"] = {}
    sme, core = signers["sme"], signers["core"]
    documents = {}
    for role in ROLES:  # one recorded trade (and its document) per role, to upload
        content = f"invoice for {role} ".encode() + os.urandom(16)
        trade = make_trade(sme, core, doc_hash=hashlib.sha256(content).digest())
        client.post("/trades", json=signed_body(ledger, trade, sme, core), headers=headers["sme"])
        documents[role] = content
    soon = int(time.time()) + 3
    nonce = 0
    consent_ids, submission_ids = {}, {}
    for bank, expires_at in (
        ("bank_with_consent", None),
        ("bank_expired_consent", soon),
        ("bank_revoked_consent", None),
    ):
        body = grant_body(
            ledger, sme, signers[bank], scope=ALL_SCOPES, expires_at=expires_at, nonce=nonce
        )
        granted = client.post("/consents", json=body, headers=headers["sme"]).json()
        consent_ids[bank], submission_ids[bank] = granted["subject"], granted["id"]
        nonce += 1
    relayer.run_once()
    indexer.sync()
    revoke = RevokeConsent(bytes.fromhex(consent_ids["bank_revoked_consent"][2:]), nonce)
    answer = client.post(
        f"/consents/{consent_ids['bank_revoked_consent']}/revoke",
        headers=headers["sme"],
        json={
            "nonce": nonce,
            "signature": "0x" + sme.sign_digest(revoke.digest(ledger.consents.domain)).hex(),
        },
    )
    assert answer.status_code == 202, answer.text
    stored_document = b"the trade's own invoice " + os.urandom(16)
    the_trade = make_trade(sme, core, doc_hash=hashlib.sha256(stored_document).digest())
    trade_id = client.post(
        "/trades", json=signed_body(ledger, the_trade, sme, core), headers=headers["sme"]
    ).json()["trade_id"]
    relayer.run_once()
    indexer.sync()
    stored = client.post(
        "/documents",
        files={"file": ("i.pdf", stored_document, "application/pdf")},
        headers=headers["sme"],
    )
    assert stored.status_code == 201, stored.text
    decision = client.post(
        "/credit-decisions",
        json={"firm": sme.address, "amount": 1_000, "tenor_days": 30},
        headers=headers["bank_with_consent"],
    )
    assert decision.status_code == 201, decision.text
    while time.time() <= soon:  # the expired consent's end (a few seconds at most)
        time.sleep(0.2)
    return {
        "signers": signers,
        "headers": headers,
        "trade": the_trade,
        "trade_id": trade_id,
        "submission_id": submission_ids["bank_with_consent"],  # a consent the sme submitted
        "doc_hash": stored.json()["doc_hash"],
        "documents": documents,
        "consent_id": consent_ids["bank_with_consent"],
        "decision_id": decision.json()["decision_id"],
    }


# Expected status per role, in ROLES order.
PUBLIC = [200] * 9
SIGNED_IN = [401] + [200] * 8
PARTIES_OR_OPERATOR = [401, 202, 403, 202, 403, 403, 403, 403, 202]
PROFILE_READERS = [401, 200, 403, 403, 200, 403, 403, 403, 200]
EVIDENCE_READERS = [401, 200, 403, 200, 200, 403, 403, 403, 200]
DOCUMENT_READERS = [401, 200, 403, 200, 200, 403, 403, 403, 403]
OPERATOR_ONLY = [401, 403, 403, 403, 403, 403, 403, 403, 201]
OPERATOR_ONLY_RELAYED = [401, 403, 403, 403, 403, 403, 403, 403, 202]
BANK_WITH_CONSENT = [401, 403, 403, 403, 201, 403, 403, 403, 403]
DECISION_READERS = [401, 200, 403, 403, 200, 403, 403, 403, 200]
#: A bank that may read offers finance (the receivable is then looked up: none here, 404).
OFFER_MAKERS = [401, 403, 403, 403, 404, 404, 404, 404, 403]
ALL_SCOPES = ConsentScope.CREDIT_PROFILE | ConsentScope.DOCUMENTS | ConsentScope.DECISIONS


def _new_trade_body(ledger, world, seller_only=False):
    sme, core = world["signers"]["sme"], world["signers"]["core"]
    return signed_body(ledger, make_trade(sme, core), sme, None if seller_only else core)


def _proposal(ledger, client, relayer, world):
    body = _new_trade_body(ledger, world, seller_only=True)
    trade_id = client.post("/trades", json=body, headers=world["headers"]["sme"]).json()["trade_id"]
    return trade_id, body


REQUESTS = {
    "GET /healthz": (lambda c, lg, w, r: c.get("/healthz", headers=w["headers"][r]), PUBLIC),
    "GET /ledger": (lambda c, lg, w, r: c.get("/ledger", headers=w["headers"][r]), PUBLIC),
    "GET /firms/{a}": (
        lambda c, lg, w, r: c.get(f"/firms/{w['signers']['sme'].address}", headers=w["headers"][r]),
        SIGNED_IN,
    ),
    "POST /firms": (
        lambda c, lg, w, r: c.post(
            "/firms",
            headers=w["headers"][r],
            json={
                "address": Signer.create().address,
                "roles": ["supplier"],
                "uscc": make_credit_code(f"9144{int.from_bytes(os.urandom(6)):013d}"[:17]),
                "legal_name_zh": "广州示例贸易有限公司",
            },
        ),
        OPERATOR_ONLY,
    ),
    "GET /firms": (lambda c, lg, w, r: c.get("/firms?q=0x", headers=w["headers"][r]), SIGNED_IN),
    "POST /firms/{a}/suspend": (
        lambda c, lg, w, r: c.post(
            f"/firms/{create_firm(lg).address}/suspend", headers=w["headers"][r]
        ),
        OPERATOR_ONLY_RELAYED,
    ),
    "POST /firms/{a}/reactivate": (
        lambda c, lg, w, r: c.post(
            f"/firms/{_suspended_firm(lg).address}/reactivate", headers=w["headers"][r]
        ),
        OPERATOR_ONLY_RELAYED,
    ),
    "GET /trades": (lambda c, lg, w, r: c.get("/trades", headers=w["headers"][r]), SIGNED_IN),
    "GET /receivables": (
        lambda c, lg, w, r: c.get("/receivables", headers=w["headers"][r]),
        SIGNED_IN,
    ),
    "GET /consents": (lambda c, lg, w, r: c.get("/consents", headers=w["headers"][r]), SIGNED_IN),
    "GET /financing-offers": (
        lambda c, lg, w, r: c.get("/financing-offers", headers=w["headers"][r]),
        SIGNED_IN,  # each sees only its own offers (tests/api/test_financing_offers.py)
    ),
    "POST /financing-offers": (lambda c, lg, w, r: _offer_on_no_receivable(c, w, r), OFFER_MAKERS),
    "POST /trades": (
        lambda c, lg, w, r: c.post("/trades", json=_new_trade_body(lg, w), headers=w["headers"][r]),
        PARTIES_OR_OPERATOR,
    ),
    "POST /trades/batch": (
        lambda c, lg, w, r: c.post(
            "/trades/batch", json={"items": [_new_trade_body(lg, w)]}, headers=w["headers"][r]
        ),
        PARTIES_OR_OPERATOR,
    ),
    "GET /trades/{id}": (
        lambda c, lg, w, r: c.get(f"/trades/{w['trade_id']}", headers=w["headers"][r]),
        [401, 200, 403, 200, 403, 403, 403, 403, 200],
    ),
    "GET /submissions/{id}": (
        lambda c, lg, w, r: c.get(f"/submissions/{w['submission_id']}", headers=w["headers"][r]),
        [401, 200, 403, 403, 403, 403, 403, 403, 200],  # its submitter and the operator
    ),
    "POST /payments": (lambda c, lg, w, r: _payment_signature(c, lg, w, r), PARTIES_OR_OPERATOR),
    "GET /payments": (
        lambda c, lg, w, r: c.get("/payments", headers=w["headers"][r]),
        SIGNED_IN,  # each sees only what it may read (tests/api/test_lists.py)
    ),
    "GET /firms/{a}/credit-profile": (
        lambda c, lg, w, r: c.get(
            f"/firms/{w['signers']['sme'].address}/credit-profile", headers=w["headers"][r]
        ),
        PROFILE_READERS,
    ),
    "GET /firms/{a}/credit-profile/evidence/{f}": (
        lambda c, lg, w, r: c.get(
            f"/firms/{w['signers']['sme'].address}/credit-profile/evidence/sales_365d",
            headers=w["headers"][r],
        ),
        PROFILE_READERS,
    ),
    "GET /firms/{a}/credit-profile/network": (
        lambda c, lg, w, r: c.get(
            f"/firms/{w['signers']['sme'].address}/credit-profile/network", headers=w["headers"][r]
        ),
        PROFILE_READERS,
    ),
    "GET /evidence/trade/{id}": (
        lambda c, lg, w, r: c.get(f"/evidence/trade/{w['trade_id']}", headers=w["headers"][r]),
        EVIDENCE_READERS,
    ),
    "POST /credit-decisions": (
        lambda c, lg, w, r: c.post(
            "/credit-decisions",
            json={"firm": w["signers"]["sme"].address, "amount": 5_000, "tenor_days": 60},
            headers=w["headers"][r],
        ),
        BANK_WITH_CONSENT,
    ),
    "GET /credit-decisions": (
        lambda c, lg, w, r: c.get("/credit-decisions", headers=w["headers"][r]),
        SIGNED_IN,  # each sees only what it may read (tests/api/test_decisions.py)
    ),
    "GET /credit-decisions/{id}": (
        lambda c, lg, w, r: c.get(f"/credit-decisions/{w['decision_id']}", headers=w["headers"][r]),
        DECISION_READERS,
    ),
    "GET /documents/{hash}": (
        lambda c, lg, w, r: c.get(f"/documents/{w['doc_hash']}", headers=w["headers"][r]),
        DOCUMENT_READERS,
    ),
    "POST /documents": (
        lambda c, lg, w, r: c.post(
            "/documents",
            headers=w["headers"][r],
            files={"file": ("d.pdf", w["documents"][r], "application/pdf")},
        ),
        [401, 201, 403, 201, 403, 403, 403, 403, 403],
    ),
}


@pytest.mark.parametrize("endpoint", list(REQUESTS))
def test_authorization_matrix(ledger, client, world, endpoint):
    request, expected = REQUESTS[endpoint]
    observed = []
    for role in ROLES:
        observed.append(request(client, ledger, world, role).status_code)
    assert dict(zip(ROLES, observed, strict=True)) == dict(zip(ROLES, expected, strict=True))


def _suspended_firm(ledger):
    firm = create_firm(ledger)
    ledger.registry.suspend(firm.address)
    return firm


def _offer_on_no_receivable(client, world, role):
    """An offer on a receivable the ledger does not have: who is refused before it is looked up."""
    body = offer_body(receivable_id="0x" + "77" * 32)
    return client.post("/financing-offers", json=body, headers=world["headers"][role])


def _payment_signature(client, ledger, world, role):
    """A correctly signed payment (by the payee) for each role to submit."""
    trade, sme = world["trade"], world["signers"]["sme"]
    payment = Payment(
        bytes.fromhex(world["trade_id"][2:]), 1, int(time.time()) - DAY, os.urandom(32)
    )
    body = {
        "trade_id": world["trade_id"],
        "amount": 1,
        "paid_at": payment.paid_at,
        "pay_ref": "0x" + payment.pay_ref.hex(),
        "payee_signature": "0x" + sme.sign_payment(payment, ledger.trades.domain).hex(),
    }
    assert trade.amount > 100
    return client.post("/payments", json=body, headers=world["headers"][role])


@pytest.mark.parametrize("answer", ["confirm", "reject"])
def test_only_the_buyer_or_the_operator_answers_a_proposal(ledger, client, relayer, world, answer):
    expected = [401, 403, 403, 202, 403, 403, 403, 403, 202]
    observed = []
    domain = ledger.trades.domain
    core = world["signers"]["core"]
    for role in ROLES:
        trade_id, body = _proposal(ledger, client, relayer, world)
        trade = make_trade(**_fields(body))
        if answer == "confirm":
            payload = {"buyer_signature": "0x" + core.sign_trade(trade, domain).hex()}
        else:
            reject = Reject(bytes.fromhex(trade_id[2:]))
            payload = {"buyer_signature": "0x" + core.sign_reject(reject, domain).hex()}
        observed.append(
            client.post(
                f"/trades/{trade_id}/{answer}", json=payload, headers=world["headers"][role]
            ).status_code
        )
    assert dict(zip(ROLES, observed, strict=True)) == dict(zip(ROLES, expected, strict=True))


def _fields(body):
    trade = dict(body["trade"])
    from backend.enums import TradeKind

    return {
        "seller": trade["seller"],
        "buyer": trade["buyer"],
        "kind": TradeKind[trade["kind"].upper()],
        "doc_hash": bytes.fromhex(trade["doc_hash"][2:]),
        "amount": trade["amount"],
        "currency": trade["currency"],
        "issued_at": trade["issued_at"],
        "due_at": trade["due_at"],
        "ref": bytes.fromhex(trade["ref"][2:]),
        "invoice_key": bytes.fromhex(trade["invoice_key"][2:]),
    }


def test_only_the_firm_grants_and_revokes_its_consents(ledger, client, world):
    sme, bank = world["signers"]["sme"], world["signers"]["bank_without_consent"]
    expected_grant = [401, 202, 403, 403, 403, 403, 403, 403, 403]
    observed = []
    for role in ROLES:  # the SME's next nonce is 4: three grants and a revocation so far
        observed.append(
            client.post(
                "/consents",
                json=grant_body(ledger, sme, bank, nonce=4),
                headers=world["headers"][role],
            ).status_code
        )
    assert dict(zip(ROLES, observed, strict=True)) == dict(zip(ROLES, expected_grant, strict=True))
    consent_id = world["consent_id"]
    revoke = RevokeConsent(bytes.fromhex(consent_id[2:]), 5)
    body = {
        "nonce": 5,
        "signature": "0x" + sme.sign_digest(revoke.digest(ledger.consents.domain)).hex(),
    }
    observed = [
        client.post(
            f"/consents/{consent_id}/revoke", json=body, headers=world["headers"][role]
        ).status_code
        for role in ROLES
        if role != "sme"
    ]
    assert observed == [401] + [403] * 7


# ─────────────────────────────────────────────────────────────── lists: who sees what


def test_each_role_lists_only_what_it_may_read(client, world):
    """Every list answers every signed-in role, each with its own rows: the SME its own, the
    core enterprise the trades it buys, a bank with the SME's active consent the SME's, a bank
    whose consent expired or was revoked (accepted) nothing, the operator everything."""
    sme = world["signers"]["sme"].address
    expected_trades = {
        "sme": "all",
        "other_sme": "none",
        "core": "all",
        "bank_with_consent": "all",
        "bank_without_consent": "none",
        "bank_expired_consent": "none",
        "bank_revoked_consent": "none",
        "operator": "all",
    }
    everything = client.get("/trades?limit=200", headers=world["headers"]["operator"]).json()
    assert everything["count"] >= 2 and world["trade_id"] in {
        t["trade_id"] for t in everything["data"]
    }
    for role, expected in expected_trades.items():
        answer = client.get("/trades?limit=200", headers=world["headers"][role])
        assert answer.status_code == 200, (role, answer.text)
        seen = answer.json()
        assert seen["count"] == (everything["count"] if expected == "all" else 0), role
        assert all(sme in (t["seller"], t["buyer"]) for t in seen["data"]), role
    consents = {
        role: {
            c["bank"]
            for c in client.get("/consents", headers=world["headers"][role]).json()["data"]
        }
        for role in expected_trades
    }
    banks = {role: world["signers"][role].address for role in ROLES if role.startswith("bank")}
    assert (
        consents["sme"]
        == consents["operator"]
        == set(banks.values()) - {banks["bank_without_consent"]}
    )
    assert consents["bank_with_consent"] == {banks["bank_with_consent"]}
    assert consents["bank_without_consent"] == consents["other_sme"] == consents["core"] == set()
    active = client.get("/consents?active=true", headers=world["headers"]["sme"]).json()
    assert {c["bank"] for c in active["data"]} == {banks["bank_with_consent"]}
    for role in ("none",):
        for path in ("/firms", "/trades", "/payments", "/receivables", "/consents",
                     "/credit-decisions", "/financing-offers"):  # fmt: skip
            assert client.get(path, headers=world["headers"][role]).status_code == 401
