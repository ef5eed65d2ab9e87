"""Wrapper of the deployed ``ConsentRegistry``: firms' signed grants of read access for banks.

One consent per (firm, bank) pair: a new grant replaces the pair's previous consent, so what a
bank may read of a firm now is one call (:meth:`ConsentRegistryContract.active_scope`).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_utils import to_checksum_address
from web3.contract import Contract

from backend.chain.contracts import TxResult, _Wrapper
from backend.chain.transactor import Transactor
from backend.enums import ConsentScope
from backend.sdk.typed_data import Consent, Domain, RevokeConsent

ZERO_ID = b"\x00" * 32


@dataclass(frozen=True)
class ConsentRecord:
    """A consent as the contract keeps it; ``granted_at`` is the block time of the grant."""

    consent_id: bytes
    firm: str
    bank: str
    scope: ConsentScope
    expires_at: int
    revoked: bool
    granted_at: int


@dataclass(frozen=True)
class ActiveScope:
    """What a bank may read of a firm now; ``scope`` is empty when no consent is active."""

    scope: ConsentScope
    expires_at: int

    def allows(self, needed: ConsentScope) -> bool:
        return bool(needed) and needed & self.scope == needed


@dataclass(frozen=True)
class GrantedConsent:
    consent_id: bytes
    replaces: bytes | None  # the pair's consent this grant ended early, if any
    tx: TxResult


class ConsentRegistryContract(_Wrapper):
    """Grants and revocations of consent, signed by the firm and submitted by anyone."""

    def __init__(self, contract: Contract, transactor: Transactor, chain_id: int) -> None:
        super().__init__(contract, transactor)
        self.domain = Domain(chain_id=chain_id, verifying_contract=self.address)

    def grant(self, consent: Consent, firm_signature: bytes) -> GrantedConsent:
        call = self.contract.functions.grantConsent(consent.as_tuple(), firm_signature)
        receipt = self.transactor.send(call)
        event = self._events(receipt, "ConsentGranted")[0]
        replaces = bytes(event.args.replaces)
        return GrantedConsent(
            bytes(event.args.consentId),
            None if replaces == ZERO_ID else replaces,
            TxResult.of(receipt),
        )

    def revoke(self, revoke: RevokeConsent, firm_signature: bytes) -> TxResult:
        call = self.contract.functions.revokeConsent(*revoke.as_tuple(), firm_signature)
        return TxResult.of(self.transactor.send(call))

    def consent(self, consent_id: bytes) -> ConsentRecord | None:
        """The consent as granted, or None when no consent has this id."""
        firm, bank, scope, expires_at, revoked, granted_at = self.transactor.call(
            self.contract.functions.consent(consent_id)
        )
        if int(firm, 16) == 0:
            return None
        return ConsentRecord(
            consent_id,
            to_checksum_address(firm),
            to_checksum_address(bank),
            ConsentScope(scope),
            expires_at,
            revoked,
            granted_at,
        )

    def is_active(self, consent_id: bytes) -> bool:
        return bool(self.transactor.call(self.contract.functions.isActive(consent_id)))

    def active_scope(self, firm: str, bank: str) -> ActiveScope:
        scope, expires_at = self.transactor.call(
            self.contract.functions.activeScope(
                to_checksum_address(firm), to_checksum_address(bank)
            )
        )
        return ActiveScope(ConsentScope(scope), expires_at)

    def current_consent(self, firm: str, bank: str) -> bytes | None:
        consent_id = bytes(
            self.transactor.call(
                self.contract.functions.currentConsent(
                    to_checksum_address(firm), to_checksum_address(bank)
                )
            )
        )
        return None if consent_id == ZERO_ID else consent_id

    def nonce(self, firm: str) -> int:
        """The next nonce ``firm`` must sign, for a grant or a revocation alike."""
        return int(self.transactor.call(self.contract.functions.nonces(to_checksum_address(firm))))

    def hash_consent(self, consent: Consent) -> bytes:
        return bytes(self.transactor.call(self.contract.functions.hashConsent(consent.as_tuple())))

    def hash_revoke_consent(self, revoke: RevokeConsent) -> bytes:
        return bytes(
            self.transactor.call(self.contract.functions.hashRevokeConsent(*revoke.as_tuple()))
        )

    def domain_separator(self) -> bytes:
        return bytes(self.transactor.call(self.contract.functions.DOMAIN_SEPARATOR()))
