"""The SDK's Split, Finance, Settle and MarkDefault messages hash and sign exactly as the
ReceivableLedger verifies them; child ids, nonces and constants agree with the contract."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from backend.chain.receivables import child_id
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Domain, Finance, MarkDefault, Settle, Split, typed_data_json
from tests.factories import (
    chain_now,
    create_parties,
    finance_receivable,
    issue_confirmed,
    mark_default,
    split_receivable,
)

pytestmark = pytest.mark.chain

# anvil's second development key, unlocked there for eth_signTypedData_v4 (public, test only)
DEV_ACCOUNT_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


def _messages() -> dict[str, Split | Finance | Settle | MarkDefault]:
    receivable_id = os.urandom(32)
    recipients = (Account.create().address, Account.create().address, Account.create().address)
    return {
        "Split": Split(receivable_id, recipients, (1, 2**100, 3), 7),
        "Finance": Finance(receivable_id, Account.create().address, 950_000, 425, 1_800_000_000, 3),
        "Settle": Settle(receivable_id, 1_000_000, 1_790_000_000, os.urandom(32)),
        "MarkDefault": MarkDefault(receivable_id, 11),
    }


@pytest.mark.parametrize("primary", ["Split", "Finance", "Settle", "MarkDefault"])
def test_digest_equals_the_contracts(ledger, primary):
    message = _messages()[primary]
    hashes = {
        "Split": ledger.receivables.hash_split,
        "Finance": ledger.receivables.hash_finance,
        "Settle": ledger.receivables.hash_settle,
        "MarkDefault": ledger.receivables.hash_mark_default,
    }
    assert hashes[primary](message) == message.digest(ledger.receivables.domain)  # type: ignore[operator]


@pytest.mark.parametrize("primary", ["Split", "Finance", "Settle", "MarkDefault"])
def test_digest_equals_eth_account_encoder(primary):
    domain = Domain(chain_id=31337, verifying_contract=Account.create().address)
    message = _messages()[primary]
    signable = encode_typed_data(full_message=typed_data_json(domain, primary, message.message()))
    assert message.digest(domain) == keccak(
        b"\x19" + signable.version + signable.header + signable.body
    )


def test_split_signature_equals_anvil_eth_sign_typed_data_v4(w3, ledger):
    """What a MetaMask user would produce (anvil's unlocked dev account) equals the SDK's."""
    signer = Signer.from_key(DEV_ACCOUNT_KEY)
    # Ordinary amounts: anvil's JSON-RPC refuses a JSON number as large as the 2**100 used above.
    split = replace(_messages()["Split"], amounts=(400_000, 350_000, 250_000))
    typed = typed_data_json(ledger.receivables.domain, "Split", split.message())
    response = w3.provider.make_request("eth_signTypedData_v4", [signer.address, typed])
    assert bytes.fromhex(response["result"][2:]) == signer.sign_split(
        split, ledger.receivables.domain
    )


def test_domain_is_the_receivable_ledgers_own(ledger):
    assert ledger.receivables.domain_separator() == ledger.receivables.domain.separator
    assert ledger.receivables.domain.separator != ledger.trades.domain.separator


def test_child_ids_equal_the_contracts(ledger):
    parent = os.urandom(32)
    for index in (0, 1, 255):
        on_chain = ledger.receivables.contract.functions.childId(parent, index).call()
        assert bytes(on_chain) == child_id(parent, index)


def test_clock_skew_is_the_trade_ledgers(ledger):
    skew = ledger.receivables.contract.functions.MAX_CLOCK_SKEW().call()
    assert skew == ledger.trades.contract.functions.MAX_CLOCK_SKEW().call()


def test_nonces_are_per_signer_and_shared_by_split_finance_and_default(ledger):
    parties = create_parties(ledger)
    _, a = issue_confirmed(ledger, parties.seller, parties.core)
    _, b = issue_confirmed(ledger, parties.seller, parties.core)
    _, c = issue_confirmed(
        ledger,
        parties.seller,
        parties.core,
        issued_at=chain_now(ledger) - 90 * 86_400,
        due_at=chain_now(ledger) - 60 * 86_400,
    )
    split_receivable(
        ledger, parties.seller, a.receivable_id, [(parties.tier2, a.amount)]
    )  # nonce 0
    finance_receivable(ledger, parties.seller, parties.bank, b)  # nonce 1
    mark_default(ledger, parties.seller, c.receivable_id)  # nonce 2
    assert ledger.receivables.nonce(parties.seller.address) == 3
    assert ledger.receivables.nonce(parties.tier2.address) == 0
    assert ledger.receivables.nonce(parties.bank.address) == 0
