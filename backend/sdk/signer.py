"""Signing with a firm's own key, held by the firm's client (the service never holds it)."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import Hash32

from backend.sdk.typed_data import Domain, TypedStruct


class Signer:
    """A local private key that signs EIP-712 digests of the ledger's messages."""

    def __init__(self, account: LocalAccount) -> None:
        self.account = account

    @classmethod
    def from_key(cls, private_key: str | bytes) -> Signer:
        return cls(Account.from_key(private_key))

    @classmethod
    def create(cls) -> Signer:
        return cls(Account.create())

    @property
    def address(self) -> str:
        return str(self.account.address)

    def sign_digest(self, digest: bytes) -> bytes:
        """A 65-byte ``r ‖ s ‖ v`` signature of a 32-byte EIP-712 digest."""
        return bytes(self.account.unsafe_sign_hash(Hash32(digest)).signature)

    def sign(self, message: TypedStruct, domain: Domain) -> bytes:
        """A signature of any of the ledger's messages: of its EIP-712 digest under ``domain``.

        (A ``Finance`` is signed by the holder and the bank alike: both sign the same message.)
        """
        return self.sign_digest(message.digest(domain))

    # The names the callers use, one a message type.
    sign_trade = sign_payment = sign_reject = sign_consent = sign_revoke_consent = sign
    sign_split = sign_finance = sign_settle = sign_mark_default = sign
