"""DecisionLog: only the recorder anchors a bank's decision about a firm, once per decision id."""

from __future__ import annotations

import os

import pytest
from eth_account import Account

from backend.chain import reverts
from backend.chain.decisions import RECORDER_ROLE, DecisionLogContract
from backend.chain.transactor import Transactor
from backend.enums import Role
from backend.sdk.signer import Signer
from tests.factories import create_firm

pytestmark = pytest.mark.chain


@pytest.fixture
def bank(ledger):
    return create_firm(ledger, Role.BANK)


@pytest.fixture
def firm(ledger):
    return create_firm(ledger, Role.SUPPLIER)


@pytest.fixture
def outsider(ledger):
    """The decision log as seen from a funded account that holds no role there."""
    account = Account.create()
    ledger.w3.provider.make_request("anvil_setBalance", [account.address, hex(10**18)])
    transactor = Transactor(ledger.w3, account, ledger.decoder)
    return DecisionLogContract(ledger.decisions.contract, transactor)


def _events(ledger, tx, name):
    receipt = ledger.w3.eth.get_transaction_receipt(tx.tx_hash)
    return list(ledger.decisions.contract.events[name]().process_receipt(receipt))


# ─────────────────────────────────────────────────────────────── anchor


def test_anchor_records_the_decision_and_emits_it(ledger, bank, firm):
    decision_id, decision_hash = os.urandom(32), os.urandom(32)
    tx = ledger.decisions.anchor(decision_id, bank.address, firm.address, decision_hash)

    block_time = ledger.w3.eth.get_block(tx.block_number)["timestamp"]
    anchored = ledger.decisions.anchored(decision_id)
    assert (anchored.decision_hash, anchored.bank, anchored.firm, anchored.anchored_at) == (
        decision_hash,
        bank.address,
        firm.address,
        block_time,
    )
    (event,) = _events(ledger, tx, "DecisionAnchored")
    assert dict(event.args) == {
        "decisionId": decision_id,
        "bank": bank.address,
        "firm": firm.address,
        "decisionHash": decision_hash,
        "anchoredAt": block_time,
    }


def test_anchor_reverts_when_the_decision_id_was_anchored_already(ledger, bank, firm):
    decision_id, first_hash = os.urandom(32), os.urandom(32)
    ledger.decisions.anchor(decision_id, bank.address, firm.address, first_hash)
    with pytest.raises(reverts.DecisionLogDuplicateDecision) as raised:
        ledger.decisions.anchor(decision_id, bank.address, firm.address, os.urandom(32))
    assert raised.value.arguments == {
        "decisionId": "0x" + decision_id.hex(),
        "decisionHash": "0x" + first_hash.hex(),
    }
    assert ledger.decisions.anchored(decision_id).decision_hash == first_hash


def test_anchor_reverts_for_a_caller_without_the_recorder_role(ledger, bank, firm, outsider):
    assert ledger.decisions.is_recorder(ledger.transactor.address)
    assert not ledger.decisions.is_recorder(outsider.transactor.address)
    decision_id = os.urandom(32)
    with pytest.raises(reverts.AccessControlUnauthorizedAccount) as raised:
        outsider.anchor(decision_id, bank.address, firm.address, os.urandom(32))
    assert raised.value.arguments == {
        "account": outsider.transactor.address,
        "neededRole": "0x" + RECORDER_ROLE.hex(),
    }
    assert ledger.decisions.anchored(decision_id) is None


def test_a_recorder_granted_by_the_admin_may_anchor(ledger, bank, firm, outsider):
    ledger.decisions.grant_recorder(outsider.transactor.address)
    decision_id = os.urandom(32)
    outsider.anchor(decision_id, bank.address, firm.address, os.urandom(32))
    assert ledger.decisions.anchored(decision_id).bank == bank.address


def test_only_the_admin_grants_the_recorder_role(ledger, outsider):
    with pytest.raises(reverts.AccessControlUnauthorizedAccount):
        outsider.grant_recorder(outsider.transactor.address)
    assert not ledger.decisions.is_recorder(outsider.transactor.address)


@pytest.mark.parametrize("zero", ["id", "hash"])
def test_anchor_reverts_on_a_zero_id_or_hash(ledger, bank, firm, zero):
    decision_id = b"\x00" * 32 if zero == "id" else os.urandom(32)
    decision_hash = b"\x00" * 32 if zero == "hash" else os.urandom(32)
    with pytest.raises(reverts.DecisionLogInvalidDecision):
        ledger.decisions.anchor(decision_id, bank.address, firm.address, decision_hash)


@pytest.mark.parametrize("state", ["unregistered", "suspended"])
def test_anchor_reverts_for_a_bank_not_active(ledger, bank, firm, state):
    if state == "suspended":
        ledger.registry.suspend(bank.address)
    else:
        bank = Signer.create()
    with pytest.raises(reverts.DecisionLogInactiveFirm) as raised:
        ledger.decisions.anchor(os.urandom(32), bank.address, firm.address, os.urandom(32))
    assert raised.value.arguments == {"bank": bank.address}


def test_anchor_reverts_when_the_bank_is_not_a_bank(ledger, firm):
    not_a_bank = create_firm(ledger, Role.SUPPLIER | Role.CORE | Role.ORACLE)
    with pytest.raises(reverts.DecisionLogNotABank) as raised:
        ledger.decisions.anchor(os.urandom(32), not_a_bank.address, firm.address, os.urandom(32))
    assert raised.value.arguments == {"bank": not_a_bank.address}


def test_anchor_reverts_for_an_unregistered_firm(ledger, bank):
    stranger = Signer.create()
    with pytest.raises(reverts.DecisionLogUnknownFirm) as raised:
        ledger.decisions.anchor(os.urandom(32), bank.address, stranger.address, os.urandom(32))
    assert raised.value.arguments == {"firm": stranger.address}


def test_anchor_accepts_a_decision_about_a_suspended_firm(ledger, bank, firm):
    ledger.registry.suspend(firm.address)
    decision_id = os.urandom(32)
    ledger.decisions.anchor(decision_id, bank.address, firm.address, os.urandom(32))
    assert ledger.decisions.anchored(decision_id).firm == firm.address


def test_anchored_is_none_for_an_unknown_decision(ledger):
    assert ledger.decisions.anchored(os.urandom(32)) is None
