"""A decision's snapshot carries of a counterparty only what the reader may see.

A bank with consent from supplier S alone used to read, inside the decision about S, the whole
credit record of S's obligor C, whose own profile it may not read."""

from __future__ import annotations

import json

import pytest
from eth_utils import keccak

from backend.decisions.snapshot import OBLIGOR_INPUTS
from backend.enums import ConsentScope, Role
from backend.sdk.signer import Signer
from backend.settings import DEVELOPMENT_OPERATOR_KEY
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.api.test_decisions import _paid_invoice
from tests.factories import create_firm, issue_confirmed

pytestmark = pytest.mark.chain

DECISIONS = ConsentScope.CREDIT_PROFILE | ConsentScope.DECISIONS
VERIFIED = "verified: the snapshot re-scores to this decision and its hash is anchored on chain"


def canonical(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


@pytest.fixture
def decision(ledger, client, relayer, indexer):
    """Supplier S, paid by its core buyer C and another, holding a confirmed receivable on C;
    a bank with S's consent (profile and decisions) asked for a decision on S, anchored."""
    sme = create_firm(ledger)
    core, other_core = create_firm(ledger, Role.CORE), create_firm(ledger, Role.CORE)
    bank = create_firm(ledger, Role.BANK)
    for i, buyer in enumerate((core, other_core, core, other_core)):
        _paid_invoice(ledger, sme, buyer, 2_000_000 + i)
    issue_confirmed(ledger, sme, core)
    parties = (("sme", sme), ("core", core), ("bank", bank))
    headers = {name: sign_in(client, signer) for name, signer in parties}
    headers["operator"] = sign_in(client, Signer.from_key(DEVELOPMENT_OPERATOR_KEY))
    granted = client.post(
        "/consents", json=grant_body(ledger, sme, bank, scope=DECISIONS), headers=headers["sme"]
    )
    assert granted.status_code == 202, granted.text
    relayer.run_once()
    indexer.sync()
    made = client.post(
        "/credit-decisions",
        json={"firm": sme.address, "amount": 1_500_000, "tenor_days": 60},
        headers=headers["bank"],
    )
    assert made.status_code == 201, made.text
    relayer.run_once()
    indexer.sync()  # an anchor counts once the indexer has it in a canonical block
    return {
        "id": made.json()["decision_id"],
        "sme": sme,
        "core": core,
        "bank": bank,
        "headers": headers,
    }


def read(client, decision, who):
    answer = client.get(f"/credit-decisions/{decision['id']}", headers=decision["headers"][who])
    assert answer.status_code == 200, answer.text
    return answer.json()


def assert_verified(body):
    check = body["verification"]
    assert check["snapshot_hash_matches"] and check["reproduced"] is True
    assert check["decision_hash_matches"] and check["on_chain"]
    assert check["message"] == VERIFIED


def assert_restricted(body, obligor: str, full: dict) -> None:
    seen = body["snapshot"]["obligors"][obligor]
    assert seen["restricted"] is True
    assert seen["grade"] == body["obligors"][obligor]["grade"]
    assert seen["rated"] == body["obligors"][obligor]["rated"]
    # Only the figures (and fields) the decision read, with the values it read.
    assert set(seen["figures"]) <= set(OBLIGOR_INPUTS)
    for name, fields in seen["figures"].items():
        assert set(fields) <= set(OBLIGOR_INPUTS[name])
        assert all(full["figures"][name][field] == value for field, value in fields.items())
    hidden = set(full["figures"]) - set(seen["figures"])
    assert {"purchases_365d", "receivables_owed"} <= hidden


def test_the_bank_and_the_firm_do_not_see_the_obligors_record(client, decision):
    core = decision["core"].address
    # The premise: the bank may not read C's profile.
    profile = client.get(f"/firms/{core}/credit-profile", headers=decision["headers"]["bank"])
    assert profile.status_code == 403
    # The operator sees the stored snapshot, whole: it hashes to snapshot_hash.
    operator_view = read(client, decision, "operator")
    assert_verified(operator_view)
    snapshot = operator_view["snapshot"]
    assert "0x" + keccak(canonical(snapshot)).hex() == operator_view["snapshot_hash"]
    full = snapshot["obligors"][core]
    assert "restricted" not in full and "purchases_365d" in full["figures"]

    for who in ("bank", "sme"):
        body = read(client, decision, who)
        assert_restricted(body, core, full)
        assert_verified(body)  # the server re-hashes the stored snapshot, whole
        # What is shown is not what was hashed: the stored snapshot stays whole.
        assert "0x" + keccak(canonical(body["snapshot"])).hex() != body["snapshot_hash"]
        # The firm's own record is there in full for both.
        assert "purchases_365d" in body["snapshot"]["record"]["figures"]


def test_the_obligors_consent_shows_its_record_to_that_bank(
    ledger, client, relayer, indexer, decision
):
    core = decision["core"]
    granted = client.post(
        "/consents",
        json=grant_body(ledger, core, decision["bank"], scope=ConsentScope.CREDIT_PROFILE),
        headers=decision["headers"]["core"],
    )
    assert granted.status_code == 202, granted.text
    relayer.run_once()
    indexer.sync()
    operator_view = read(client, decision, "operator")["snapshot"]
    body = read(client, decision, "bank")
    assert body["snapshot"] == operator_view
    assert "0x" + keccak(canonical(body["snapshot"])).hex() == body["snapshot_hash"]
    assert_verified(body)
    # The firm has no consent of C's: it still sees the restricted view.
    assert read(client, decision, "sme")["snapshot"]["obligors"][core.address]["restricted"]
