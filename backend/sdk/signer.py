"""Signing with a firm's own key, held by the firm's client (the service never holds it)."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import Hash32

from backend.sdk.typed_data import (
    Consent,
    Domain,
    Finance,
    MarkDefault,
    Payment,
    Reject,
    RevokeConsent,
    Settle,
    Split,
    Trade,
)


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

    def sign_trade(self, trade: Trade, domain: Domain) -> bytes:
        return self.sign_digest(trade.trade_id(domain))

    def sign_payment(self, payment: Payment, domain: Domain) -> bytes:
        return self.sign_digest(payment.payment_id(domain))

    def sign_reject(self, reject: Reject, domain: Domain) -> bytes:
        return self.sign_digest(domain.digest("Reject", reject.message()))

    def sign_consent(self, consent: Consent, domain: Domain) -> bytes:
        return self.sign_digest(consent.consent_id(domain))

    def sign_revoke_consent(self, revoke: RevokeConsent, domain: Domain) -> bytes:
        return self.sign_digest(revoke.digest(domain))

    def sign_split(self, split: Split, domain: Domain) -> bytes:
        return self.sign_digest(split.digest(domain))

    def sign_finance(self, finance: Finance, domain: Domain) -> bytes:
        """The holder's or the bank's signature: both sign the same message."""
        return self.sign_digest(finance.digest(domain))

    def sign_settle(self, settle: Settle, domain: Domain) -> bytes:
        return self.sign_digest(settle.digest(domain))

    def sign_mark_default(self, mark: MarkDefault, domain: Domain) -> bytes:
        return self.sign_digest(mark.digest(domain))
