"""ConsentRegistry: only a firm's own signature grants or revokes a bank's read access, once."""

from __future__ import annotations

import os

import pytest

from backend.chain import reverts
from backend.enums import ConsentScope, Role
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Consent, RevokeConsent
from tests.factories import DAY, create_firm

pytestmark = pytest.mark.chain

ALL_SCOPES = ConsentScope.CREDIT_PROFILE | ConsentScope.DOCUMENTS | ConsentScope.DECISIONS
ZERO_ID = b"\x00" * 32


@pytest.fixture
def firm(ledger):
    return create_firm(ledger, Role.SUPPLIER)


@pytest.fixture
def bank(ledger):
    return create_firm(ledger, Role.BANK)


def latest_timestamp(w3) -> int:
    return int(w3.eth.get_block("latest")["timestamp"])


def advance_time(w3, seconds: int) -> None:
    """Move the session chain's clock forward (it never goes back: keep jumps small)."""
    w3.provider.make_request("evm_increaseTime", [seconds])
    w3.provider.make_request("evm_mine", [])


def make_consent(ledger, firm, bank, **overrides) -> Consent:
    """The firm's next consent for ``bank``: credit profile, for a day from the chain's now."""
    firm_address = firm if isinstance(firm, str) else firm.address
    fields: dict[str, object] = {
        "firm": firm_address,
        "bank": bank if isinstance(bank, str) else bank.address,
        "scope": ConsentScope.CREDIT_PROFILE,
        "expires_at": latest_timestamp(ledger.w3) + DAY,
        "nonce": ledger.consents.nonce(firm_address),
    }
    fields.update(overrides)
    return Consent(**fields)  # type: ignore[arg-type]


def grant(ledger, firm: Signer, bank, **overrides):
    consent = make_consent(ledger, firm, bank, **overrides)
    return consent, ledger.consents.grant(
        consent, firm.sign_consent(consent, ledger.consents.domain)
    )


def revoke_signed(ledger, signer: Signer, consent_id: bytes, nonce: int | None = None):
    firm = ledger.consents.consent(consent_id).firm
    revoke = RevokeConsent(consent_id, ledger.consents.nonce(firm) if nonce is None else nonce)
    return revoke, signer.sign_revoke_consent(revoke, ledger.consents.domain)


def _events(ledger, tx, name):
    receipt = ledger.w3.eth.get_transaction_receipt(tx.tx_hash)
    return list(ledger.consents.contract.events[name]().process_receipt(receipt))


# ─────────────────────────────────────────────────────────────── grantConsent


def test_grant_consent_records_it_and_emits_everything_an_indexer_needs(ledger, firm, bank):
    scope = ConsentScope.CREDIT_PROFILE | ConsentScope.DECISIONS
    consent, granted = grant(ledger, firm, bank, scope=scope)

    assert granted.consent_id == consent.consent_id(ledger.consents.domain)
    assert granted.consent_id == ledger.consents.hash_consent(consent)
    assert granted.replaces is None
    record = ledger.consents.consent(granted.consent_id)
    block = ledger.w3.eth.get_block(granted.tx.block_number)
    assert (record.firm, record.bank, record.scope, record.expires_at, record.revoked) == (
        firm.address,
        bank.address,
        scope,
        consent.expires_at,
        False,
    )
    assert record.granted_at == block["timestamp"]
    assert ledger.consents.is_active(granted.consent_id)
    active = ledger.consents.active_scope(firm.address, bank.address)
    assert (active.scope, active.expires_at) == (scope, consent.expires_at)
    assert active.allows(ConsentScope.DECISIONS)
    assert not active.allows(ConsentScope.DOCUMENTS)
    assert ledger.consents.current_consent(firm.address, bank.address) == granted.consent_id
    assert ledger.consents.nonce(firm.address) == 1
    (event,) = _events(ledger, granted.tx, "ConsentGranted")
    assert dict(event.args) == {
        "consentId": granted.consent_id,
        "firm": firm.address,
        "bank": bank.address,
        "scope": int(scope),
        "expiresAt": consent.expires_at,
        "nonce": 0,
        "replaces": ZERO_ID,
    }


@pytest.mark.parametrize("role", [Role.SUPPLIER, Role.CORE, Role.BANK, Role.ORACLE])
def test_grant_consent_accepts_a_firm_of_any_role(ledger, bank, role):
    firm = create_firm(ledger, role)
    _, granted = grant(ledger, firm, bank)
    assert ledger.consents.is_active(granted.consent_id)


def test_grant_consent_replaces_the_pairs_previous_consent(ledger, firm, bank):
    _, first = grant(ledger, firm, bank, scope=ALL_SCOPES)
    narrower, second = grant(ledger, firm, bank, scope=ConsentScope.CREDIT_PROFILE)

    assert second.replaces == first.consent_id
    (event,) = _events(ledger, second.tx, "ConsentGranted")
    assert (event.args.replaces, event.args.nonce) == (first.consent_id, 1)
    assert not ledger.consents.is_active(first.consent_id)
    assert ledger.consents.consent(first.consent_id).revoked is False  # replaced, not revoked
    assert ledger.consents.is_active(second.consent_id)
    active = ledger.consents.active_scope(firm.address, bank.address)
    assert (active.scope, active.expires_at) == (ConsentScope.CREDIT_PROFILE, narrower.expires_at)
    assert ledger.consents.current_consent(firm.address, bank.address) == second.consent_id


def test_grant_consent_leaves_the_firms_consents_for_other_banks_alone(ledger, firm, bank):
    other_bank = create_firm(ledger, Role.BANK)
    _, for_bank = grant(ledger, firm, bank, scope=ConsentScope.DOCUMENTS)
    _, for_other = grant(ledger, firm, other_bank, scope=ConsentScope.DECISIONS)
    assert for_other.replaces is None
    assert ledger.consents.is_active(for_bank.consent_id)
    assert ledger.consents.is_active(for_other.consent_id)
    assert ledger.consents.active_scope(firm.address, bank.address).scope == ConsentScope.DOCUMENTS
    assert ledger.consents.active_scope(bank.address, firm.address).scope == ConsentScope(0)


def test_grant_consent_after_a_revocation_replaces_nothing(ledger, firm, bank):
    _, first = grant(ledger, firm, bank)
    ledger.consents.revoke(*revoke_signed(ledger, firm, first.consent_id))
    _, second = grant(ledger, firm, bank)
    assert second.replaces is None
    assert ledger.consents.is_active(second.consent_id)


def test_grant_consent_reverts_when_replayed(ledger, firm, bank):
    consent = make_consent(ledger, firm, bank)
    signature = firm.sign_consent(consent, ledger.consents.domain)
    granted = ledger.consents.grant(consent, signature)
    with pytest.raises(reverts.ConsentRegistryDuplicateConsent) as raised:
        ledger.consents.grant(consent, signature)
    assert raised.value.arguments == {"consentId": "0x" + granted.consent_id.hex()}
    assert ledger.consents.nonce(firm.address) == 1


@pytest.mark.parametrize("nonce", [0, 2])
def test_grant_consent_reverts_unless_it_carries_the_firms_next_nonce(ledger, firm, bank, nonce):
    grant(ledger, firm, bank)  # uses nonce 0; the next is 1
    with pytest.raises(reverts.InvalidAccountNonce) as raised:
        grant(ledger, firm, bank, scope=ConsentScope.DOCUMENTS, nonce=nonce)
    assert raised.value.arguments == {"account": firm.address, "currentNonce": 1}


@pytest.mark.parametrize("who", ["bank", "stranger", "garbage"])
def test_grant_consent_reverts_unless_signed_by_the_firm(ledger, firm, bank, who):
    consent = make_consent(ledger, firm, bank)
    domain = ledger.consents.domain
    signature = {
        "bank": lambda: bank.sign_consent(consent, domain),
        "stranger": lambda: Signer.create().sign_consent(consent, domain),
        "garbage": lambda: os.urandom(65),
    }[who]()
    with pytest.raises(reverts.ConsentRegistryInvalidSignature) as raised:
        ledger.consents.grant(consent, signature)
    assert raised.value.arguments == {"signer": firm.address}
    assert ledger.consents.current_consent(firm.address, bank.address) is None


def test_grant_consent_reverts_when_the_signed_fields_were_changed(ledger, firm, bank):
    signed = make_consent(ledger, firm, bank, scope=ConsentScope.CREDIT_PROFILE)
    signature = firm.sign_consent(signed, ledger.consents.domain)
    widened = make_consent(ledger, firm, bank, scope=ALL_SCOPES, expires_at=signed.expires_at)
    with pytest.raises(reverts.ConsentRegistryInvalidSignature):
        ledger.consents.grant(widened, signature)


@pytest.mark.parametrize("scope", [0, 8, 0xFFFFFFFF])
def test_grant_consent_reverts_on_an_invalid_scope(ledger, firm, bank, scope):
    consent = make_consent(ledger, firm, bank, scope=scope)
    with pytest.raises(reverts.ConsentRegistryInvalidScope) as raised:
        ledger.consents.grant(consent, firm.sign_consent(consent, ledger.consents.domain))
    assert raised.value.arguments == {"scope": scope}


def test_grant_consent_reverts_when_it_expired_already(ledger, firm, bank):
    expires_at = latest_timestamp(ledger.w3) - 1
    consent = make_consent(ledger, firm, bank, expires_at=expires_at)
    with pytest.raises(reverts.ConsentRegistryExpired) as raised:
        ledger.consents.grant(consent, firm.sign_consent(consent, ledger.consents.domain))
    assert raised.value.arguments["expiresAt"] == expires_at
    assert raised.value.arguments["blockTime"] > expires_at


@pytest.mark.parametrize("state", ["unregistered", "suspended"])
def test_grant_consent_reverts_for_a_firm_not_active(ledger, bank, state):
    firm = Signer.create() if state == "unregistered" else create_firm(ledger)
    if state == "suspended":
        ledger.registry.suspend(firm.address)
    consent = make_consent(ledger, firm, bank)
    with pytest.raises(reverts.ConsentRegistryInactiveFirm) as raised:
        ledger.consents.grant(consent, firm.sign_consent(consent, ledger.consents.domain))
    assert raised.value.arguments == {"firm": firm.address}


@pytest.mark.parametrize("state", ["unregistered", "suspended"])
def test_grant_consent_reverts_for_a_bank_not_active(ledger, firm, bank, state):
    if state == "suspended":
        ledger.registry.suspend(bank.address)
    else:
        bank = Signer.create()
    consent = make_consent(ledger, firm, bank)
    with pytest.raises(reverts.ConsentRegistryInactiveFirm) as raised:
        ledger.consents.grant(consent, firm.sign_consent(consent, ledger.consents.domain))
    assert raised.value.arguments == {"firm": bank.address}


def test_grant_consent_reverts_when_the_grantee_is_not_a_bank(ledger, firm):
    not_a_bank = create_firm(ledger, Role.SUPPLIER | Role.CORE | Role.ORACLE)
    consent = make_consent(ledger, firm, not_a_bank)
    with pytest.raises(reverts.ConsentRegistryNotABank) as raised:
        ledger.consents.grant(consent, firm.sign_consent(consent, ledger.consents.domain))
    assert raised.value.arguments == {"bank": not_a_bank.address}


# ─────────────────────────────────────────────────────────────── revokeConsent


def test_revoke_consent_ends_it_and_emits_the_revocation(ledger, firm, bank):
    _, granted = grant(ledger, firm, bank)
    revoke, signature = revoke_signed(ledger, firm, granted.consent_id)
    assert revoke.nonce == 1  # grants and revocations share the firm's nonces
    assert ledger.consents.hash_revoke_consent(revoke) == revoke.digest(ledger.consents.domain)

    tx = ledger.consents.revoke(revoke, signature)

    assert not ledger.consents.is_active(granted.consent_id)
    assert ledger.consents.consent(granted.consent_id).revoked is True
    active = ledger.consents.active_scope(firm.address, bank.address)
    assert (active.scope, active.expires_at) == (ConsentScope(0), 0)
    assert ledger.consents.nonce(firm.address) == 2
    (event,) = _events(ledger, tx, "ConsentRevoked")
    assert dict(event.args) == {
        "consentId": granted.consent_id,
        "firm": firm.address,
        "bank": bank.address,
        "nonce": 1,
    }


def test_revoke_consent_reverts_when_replayed_or_revoked_again(ledger, firm, bank):
    _, granted = grant(ledger, firm, bank)
    revoke, signature = revoke_signed(ledger, firm, granted.consent_id)
    ledger.consents.revoke(revoke, signature)
    with pytest.raises(reverts.ConsentRegistryAlreadyRevoked) as raised:
        ledger.consents.revoke(revoke, signature)
    assert raised.value.arguments == {"consentId": "0x" + granted.consent_id.hex()}
    with pytest.raises(reverts.ConsentRegistryAlreadyRevoked):  # a fresh nonce changes nothing
        ledger.consents.revoke(*revoke_signed(ledger, firm, granted.consent_id))


@pytest.mark.parametrize("who", ["bank", "stranger"])
def test_revoke_consent_reverts_unless_signed_by_the_firm(ledger, firm, bank, who):
    _, granted = grant(ledger, firm, bank)
    signer = bank if who == "bank" else Signer.create()
    with pytest.raises(reverts.ConsentRegistryInvalidSignature) as raised:
        ledger.consents.revoke(*revoke_signed(ledger, signer, granted.consent_id))
    assert raised.value.arguments == {"signer": firm.address}
    assert ledger.consents.is_active(granted.consent_id)


def test_revoke_consent_reverts_when_a_revocation_of_another_consent_is_presented(
    ledger, firm, bank
):
    _, first = grant(ledger, firm, bank)
    _, second = grant(ledger, firm, create_firm(ledger, Role.BANK))
    revoke, signature = revoke_signed(ledger, firm, first.consent_id)
    with pytest.raises(reverts.ConsentRegistryInvalidSignature):
        ledger.consents.revoke(RevokeConsent(second.consent_id, revoke.nonce), signature)
    assert ledger.consents.is_active(second.consent_id)


@pytest.mark.parametrize("nonce", [0, 2])
def test_revoke_consent_reverts_unless_it_carries_the_firms_next_nonce(ledger, firm, bank, nonce):
    _, granted = grant(ledger, firm, bank)
    with pytest.raises(reverts.InvalidAccountNonce) as raised:
        ledger.consents.revoke(*revoke_signed(ledger, firm, granted.consent_id, nonce))
    assert raised.value.arguments == {"account": firm.address, "currentNonce": 1}
    assert ledger.consents.is_active(granted.consent_id)


def test_revoke_consent_reverts_for_an_unknown_consent(ledger, firm):
    unknown = os.urandom(32)
    revoke = RevokeConsent(unknown, 0)
    with pytest.raises(reverts.ConsentRegistryUnknownConsent) as raised:
        ledger.consents.revoke(revoke, firm.sign_revoke_consent(revoke, ledger.consents.domain))
    assert raised.value.arguments == {"consentId": "0x" + unknown.hex()}


def test_revoking_a_replaced_consent_leaves_the_current_one_active(ledger, firm, bank):
    _, first = grant(ledger, firm, bank)
    _, second = grant(ledger, firm, bank, scope=ConsentScope.DOCUMENTS)
    ledger.consents.revoke(*revoke_signed(ledger, firm, first.consent_id))
    assert ledger.consents.consent(first.consent_id).revoked is True
    assert ledger.consents.is_active(second.consent_id)
    assert ledger.consents.active_scope(firm.address, bank.address).scope == ConsentScope.DOCUMENTS


def test_a_suspended_firm_can_still_revoke_but_not_grant(ledger, firm, bank):
    _, granted = grant(ledger, firm, bank)
    ledger.registry.suspend(firm.address)
    ledger.consents.revoke(*revoke_signed(ledger, firm, granted.consent_id))
    assert not ledger.consents.is_active(granted.consent_id)
    with pytest.raises(reverts.ConsentRegistryInactiveFirm):
        grant(ledger, firm, bank)


# ─────────────────────────────────────────────────────────────── expiry (anvil time travel)


def test_a_consent_stops_being_active_when_it_expires(ledger, firm, bank):
    expires_at = latest_timestamp(ledger.w3) + 30
    _, granted = grant(ledger, firm, bank, expires_at=expires_at)
    assert ledger.consents.is_active(granted.consent_id)
    assert ledger.consents.active_scope(firm.address, bank.address).expires_at == expires_at

    advance_time(ledger.w3, 31)

    assert latest_timestamp(ledger.w3) >= expires_at
    assert not ledger.consents.is_active(granted.consent_id)
    active = ledger.consents.active_scope(firm.address, bank.address)
    assert (active.scope, active.expires_at) == (ConsentScope(0), 0)
    assert ledger.consents.consent(granted.consent_id).revoked is False
    _, renewed = grant(ledger, firm, bank)
    assert renewed.replaces is None  # the expired consent had ended by itself
    assert ledger.consents.is_active(renewed.consent_id)


# ─────────────────────────────────────────────────────────────── views


def test_views_of_an_unknown_consent(ledger, firm, bank):
    unknown = os.urandom(32)
    assert ledger.consents.consent(unknown) is None
    assert not ledger.consents.is_active(unknown)
    assert not ledger.consents.is_active(ZERO_ID)
    assert ledger.consents.current_consent(firm.address, bank.address) is None
    active = ledger.consents.active_scope(firm.address, bank.address)
    assert (active.scope, active.expires_at) == (ConsentScope(0), 0)


def test_scope_bits_and_domain_match_the_sdk(ledger):
    functions = ledger.consents.contract.functions
    call = ledger.transactor.call
    assert call(functions.SCOPE_CREDIT_PROFILE()) == ConsentScope.CREDIT_PROFILE
    assert call(functions.SCOPE_DOCUMENTS()) == ConsentScope.DOCUMENTS
    assert call(functions.SCOPE_DECISIONS()) == ConsentScope.DECISIONS
    assert call(functions.SCOPE_ALL()) == ALL_SCOPES
    assert ledger.consents.domain_separator() == ledger.consents.domain.separator


# ─────────────────────────────────────────────────────────────── ERC-1271 wallets


@pytest.fixture
def multisig(ledger, artifacts):
    """A 2-of-3 contract wallet registered as a core enterprise (maker-checker approval)."""
    owners = sorted((Signer.create() for _ in range(3)), key=lambda s: int(s.address, 16))
    artifact = artifacts["TestMultisigWallet"]
    receipt = ledger.transactor.deploy(
        artifact.abi, artifact.bytecode, [o.address for o in owners], 2
    )
    wallet = receipt["contractAddress"]
    ledger.registry.register(wallet, Role.CORE, os.urandom(32))
    return wallet, owners


def test_a_contract_wallet_grants_and_revokes_consent(ledger, bank, multisig):
    wallet, owners = multisig
    domain = ledger.consents.domain
    consent = make_consent(ledger, wallet, bank)
    approval = owners[0].sign_consent(consent, domain) + owners[2].sign_consent(consent, domain)
    granted = ledger.consents.grant(consent, approval)
    assert ledger.consents.is_active(granted.consent_id)

    revoke = RevokeConsent(granted.consent_id, ledger.consents.nonce(wallet))
    approval = owners[1].sign_revoke_consent(revoke, domain) + owners[2].sign_revoke_consent(
        revoke, domain
    )
    ledger.consents.revoke(revoke, approval)
    assert not ledger.consents.is_active(granted.consent_id)


def test_a_contract_wallet_refuses_one_signature_short_of_its_threshold(ledger, bank, multisig):
    wallet, owners = multisig
    consent = make_consent(ledger, wallet, bank)
    with pytest.raises(reverts.ConsentRegistryInvalidSignature) as raised:
        ledger.consents.grant(consent, owners[1].sign_consent(consent, ledger.consents.domain))
    assert raised.value.arguments == {"signer": wallet}
