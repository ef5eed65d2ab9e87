"""The SDK's EIP-712 is standard: the spec's example, eth-account, anvil and the contract agree."""

from __future__ import annotations

import os

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from backend.enums import Role, TradeKind
from backend.sdk.eip712 import TypedDataSchema, domain_separator, typed_data_digest
from backend.sdk.signer import Signer
from backend.sdk.typed_data import (
    Domain,
    Payment,
    Trade,
    invoice_key,
    typed_data_json,
)
from tests.factories import create_firm, make_trade

ETHER_MAIL_TYPES = {
    "Person": [("name", "string"), ("wallet", "address")],
    "Mail": [("from", "Person"), ("to", "Person"), ("contents", "string")],
}
ETHER_MAIL = {
    "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
    "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
    "contents": "Hello, Bob!",
}


def test_ether_mail_example_from_the_spec():
    separator = domain_separator("Ether Mail", "1", 1, "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC")
    digest = typed_data_digest(
        separator, TypedDataSchema(ETHER_MAIL_TYPES).hash_struct("Mail", ETHER_MAIL)
    )
    assert separator.hex() == "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f"
    assert digest.hex() == "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"


def test_encode_type_lists_referenced_types_after_the_primary():
    schema = TypedDataSchema(ETHER_MAIL_TYPES)
    assert schema.encode_type("Mail") == (
        "Mail(Person from,Person to,string contents)Person(string name,address wallet)"
    )


def _sample_trade() -> Trade:
    return Trade(
        seller=Account.create().address,
        buyer=Account.create().address,
        kind=TradeKind.INVOICE,
        doc_hash=os.urandom(32),
        amount=123_456_789,
        currency=156,
        issued_at=1_700_000_000,
        due_at=1_705_000_000,
        ref=os.urandom(32),
        invoice_key=invoice_key("91350211MA2XYZ1234", "04412345"),
    )


@pytest.mark.parametrize("primary", ["Trade", "Payment", "Split"])
def test_digest_equals_eth_account_encoder(primary):
    domain = Domain(chain_id=31337, verifying_contract=Account.create().address)
    trade = _sample_trade()
    messages = {
        "Trade": trade.message(),
        "Payment": Payment(os.urandom(32), 5, 1_700_000_000, os.urandom(32)).message(),
        "Split": {
            "receivableId": os.urandom(32),
            "to": [Account.create().address, Account.create().address],
            "amounts": [1, 2],
            "nonce": 7,
        },
    }
    full = typed_data_json(domain, primary, messages[primary])
    signable = encode_typed_data(full_message=full)
    expected = keccak(b"\x19" + signable.version + signable.header + signable.body)
    assert domain.digest(primary, messages[primary]) == expected


@pytest.mark.chain
def test_trade_signature_equals_anvil_eth_sign_typed_data_v4(w3):
    """What a MetaMask user would produce (anvil's unlocked dev account) equals the SDK's."""
    dev_account_key = (
        "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"  # anvil #1
    )
    signer = Signer.from_key(dev_account_key)
    assert signer.address in w3.eth.accounts
    domain = Domain(chain_id=w3.eth.chain_id, verifying_contract=Account.create().address)
    trade = Trade(
        signer.address,
        Account.create().address,
        TradeKind.INVOICE,
        os.urandom(32),
        99_00,
        840,
        1_700_000_000,
        1_702_592_000,
        invoice_key=os.urandom(32),
    )
    typed = typed_data_json(domain, "Trade", trade.message())
    response = w3.provider.make_request("eth_signTypedData_v4", [signer.address, typed])
    assert bytes.fromhex(response["result"][2:]) == signer.sign_trade(trade, domain)


@pytest.mark.chain
def test_trade_id_equals_contract_digest(ledger):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    trade = make_trade(seller, buyer, ref=os.urandom(32))
    assert ledger.trades.hash_trade(trade) == trade.trade_id(ledger.trades.domain)
    assert ledger.trades.domain_separator() == ledger.trades.domain.separator


def test_trade_checksums_addresses_and_rejects_unknown_kind():
    trade = _sample_trade()
    lower = Trade(trade.seller.lower(), trade.buyer.lower(), 2, trade.doc_hash, 1, 156, 0, 0)
    assert lower.seller == trade.seller
    with pytest.raises(ValueError):
        Trade(trade.seller, trade.buyer, 3, trade.doc_hash, 1, 156, 0)


def test_invoice_key_is_keccak_of_the_abi_encoded_issuer_and_number():
    """keccak256(abi.encode(string uscc, string number)), the same however the USCC is cased or
    padded, so one invoice has one identity."""
    from eth_abi import encode

    expected = keccak(encode(["string", "string"], ["91350211MA2XYZ1234", "04412345"]))
    assert invoice_key("91350211MA2XYZ1234", "04412345") == expected
    assert invoice_key(" 91350211ma2xyz1234 ", "04412345 ") == expected
    assert invoice_key("91350211MA2XYZ1234", "04412346") != expected
