"""FirmRegistry: the operator registers firms once per legal entity, suspends and reactivates."""

from __future__ import annotations

import pytest
from eth_account import Account

from backend.chain import reverts
from backend.chain.contracts import FirmRegistryContract
from backend.chain.transactor import Transactor
from backend.enums import FirmStatus, Role
from backend.firms.credit_code import credit_code_hash
from tests.factories import create_firm, new_credit_code

pytestmark = pytest.mark.chain


def _as_stranger(ledger) -> FirmRegistryContract:
    """The registry reached through a funded account without the operator role."""
    stranger = Account.create()
    ledger.w3.provider.make_request("anvil_setBalance", [stranger.address, hex(10**20)])
    transactor = Transactor(ledger.w3, stranger, ledger.decoder)
    return FirmRegistryContract(ledger.registry.contract, transactor)


def test_register_records_roles_status_and_credit_code(ledger):
    firm = Account.create().address
    code_hash = credit_code_hash(new_credit_code())
    tx = ledger.registry.register(firm, Role.SUPPLIER | Role.CORE, code_hash)
    standing = ledger.registry.standing(firm)
    assert standing.roles == Role.SUPPLIER | Role.CORE
    assert standing.status == FirmStatus.ACTIVE
    assert standing.credit_code_hash == code_hash
    assert standing.registered_at == ledger.w3.eth.get_block(tx.block_number)["timestamp"]
    assert ledger.registry.firm_of_credit_code(code_hash) == firm
    receipt = ledger.w3.eth.get_transaction_receipt(tx.tx_hash)
    (event,) = ledger.registry.contract.events.FirmRegistered().process_receipt(receipt)
    assert (event.args.firm, event.args.roles) == (firm, 3)


def test_register_reverts_when_firm_is_registered_already(ledger):
    firm = create_firm(ledger)
    with pytest.raises(reverts.FirmRegistryAlreadyRegistered):
        ledger.registry.register(firm.address, Role.SUPPLIER, credit_code_hash(new_credit_code()))


def test_register_reverts_when_the_legal_entity_is_registered_already(ledger):
    code_hash = credit_code_hash(new_credit_code())
    first = Account.create().address
    ledger.registry.register(first, Role.SUPPLIER, code_hash)
    with pytest.raises(reverts.FirmRegistryDuplicateCreditCode) as raised:
        ledger.registry.register(Account.create().address, Role.SUPPLIER, code_hash)
    assert raised.value.arguments["existing"] == first
    assert raised.value.status == 409


@pytest.mark.parametrize("roles", [0, 16, 255])
def test_register_reverts_when_roles_are_invalid(ledger, roles):
    with pytest.raises(reverts.FirmRegistryInvalidRoles):
        ledger.registry.register(
            Account.create().address, roles, credit_code_hash(new_credit_code())
        )


def test_register_reverts_on_zero_address_or_zero_credit_code(ledger):
    with pytest.raises(reverts.FirmRegistryZeroAddress):
        ledger.registry.register("0x" + "00" * 20, Role.BANK, credit_code_hash(new_credit_code()))
    with pytest.raises(reverts.FirmRegistryInvalidCreditCode):
        ledger.registry.register(Account.create().address, Role.BANK, b"\x00" * 32)


def test_register_reverts_when_caller_is_not_the_operator(ledger):
    with pytest.raises(reverts.AccessControlUnauthorizedAccount) as raised:
        _as_stranger(ledger).register(
            Account.create().address, Role.SUPPLIER, credit_code_hash(new_credit_code())
        )
    assert raised.value.status == 403


def test_suspend_and_reactivate(ledger):
    firm = create_firm(ledger)
    ledger.registry.suspend(firm.address)
    assert ledger.registry.standing(firm.address).status == FirmStatus.SUSPENDED
    with pytest.raises(reverts.FirmRegistryStatusUnchanged):
        ledger.registry.suspend(firm.address)
    ledger.registry.reactivate(firm.address)
    assert ledger.registry.standing(firm.address).status == FirmStatus.ACTIVE
    with pytest.raises(reverts.FirmRegistryStatusUnchanged):
        ledger.registry.reactivate(firm.address)


def test_suspend_reverts_for_unknown_firm_and_for_strangers(ledger):
    with pytest.raises(reverts.FirmRegistryUnknownFirm):
        ledger.registry.suspend(Account.create().address)
    firm = create_firm(ledger)
    with pytest.raises(reverts.AccessControlUnauthorizedAccount):
        _as_stranger(ledger).suspend(firm.address)


def test_set_roles_replaces_roles_and_emits_the_change(ledger):
    firm = create_firm(ledger, Role.SUPPLIER)
    tx = ledger.registry.set_roles(firm.address, Role.SUPPLIER | Role.ORACLE)
    assert ledger.registry.standing(firm.address).roles == Role.SUPPLIER | Role.ORACLE
    receipt = ledger.w3.eth.get_transaction_receipt(tx.tx_hash)
    (event,) = ledger.registry.contract.events.FirmRolesChanged().process_receipt(receipt)
    assert (event.args.previousRoles, event.args.roles) == (1, 9)
