"""ERC-1271 wallets sign in: ``/auth/token`` takes a signature of any length and, for an address
with code, asks the ledger's bounded static check whether the wallet approves the EIP-191 hash of
the SIWE message."""

from __future__ import annotations

import pytest
from eth_account.messages import _hash_eip191_message, encode_defunct

from backend.enums import Role
from tests.contracts.test_trade_identity import deploy_griefing_wallet
from tests.factories import create_multisig_firm

pytestmark = pytest.mark.chain


def _challenge(client, address: str) -> str:
    answer = client.post("/auth/challenge", json={"address": address})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["message"])


def _eip191(message: str) -> bytes:
    return bytes(_hash_eip191_message(encode_defunct(text=message)))


def test_a_multisig_wallet_signs_in_with_its_owners_signatures(ledger, artifacts, client):
    wallet = create_multisig_firm(ledger, artifacts, Role.CORE)
    message = _challenge(client, wallet.address)
    signature = wallet.sign_digest(_eip191(message))  # two owners: 130 bytes
    assert len(signature) == 130

    answer = client.post(
        "/auth/token", json={"message": message, "signature": "0x" + signature.hex()}
    )

    assert answer.status_code == 200, answer.text
    assert (answer.json()["address"], answer.json()["roles"]) == (wallet.address, ["CORE"])
    token = answer.json()["access_token"]
    me = client.get(f"/firms/{wallet.address}", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text


def test_a_wallet_that_writes_state_while_approving_does_not_sign_in(ledger, artifacts, client):
    griefer, owner = deploy_griefing_wallet(ledger, artifacts)
    message = _challenge(client, griefer)
    signature = owner.sign_digest(_eip191(message))
    answer = client.post(
        "/auth/token", json={"message": message, "signature": "0x" + signature.hex()}
    )
    assert answer.status_code == 401, answer.text
    assert answer.json()["error"]["code"] == "invalid_signature"
