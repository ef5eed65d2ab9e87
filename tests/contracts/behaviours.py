"""Every signed entry point of the ledger, described once for the shared behaviour suite.

OpenZeppelin's ``shouldBehaveLikeNonces()`` states a behaviour once and applies it to each
contract that has it; ``test_signed_entry_points.py`` does the same with the authorization
properties (the valid call goes through, a wrong signer, a signature of no one, a signed field
changed, a replay, a used or skipped nonce, a suspended signer or counterparty, an expired
deadline). Each :class:`EntryPoint` prepares, on a fresh ledger, one valid signed call and says
which Solidity error each property must meet (``None``: the property does not apply).

An entry point with two signatures (``recordTrade``, ``finance``) appears once per signature:
the other one is made fresh at sending time, so only the signature under test is ever wrong.
A batch that does not revert per item (``recordTrades``, ``attestBatch``) is sent with a valid
item of other firms first and the item under test last; its ``send`` raises the custom error the
batch's failure event carries for the item (decoded by ``backend.chain.reverts``), so the same
properties apply to it as to a call that reverts.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from backend.attestations.typed_data import Carrier, Device, DeviceKind, DisputeDevice
from backend.chain.attestations import SignedAttestation, sign_attestation
from backend.chain.contracts import Ledger, SignedTrade
from backend.enums import Role, TradeStatus
from backend.sdk.signer import Signer
from backend.sdk.typed_data import (
    Consent,
    ConsentScope,
    MarkDefault,
    Payment,
    Reject,
    RevokeConsent,
    Settle,
    Trade,
)
from tests.attestation_factories import (
    appoint,
    create_oracle,
    delivery,
    last_hour,
    register_device,
    signed,
)
from tests.factories import (
    DAY,
    Parties,
    chain_now,
    create_firm,
    create_parties,
    finance_receivable,
    issue_confirmed,
    issue_pending,
    make_finance,
    make_invoice,
    make_split,
    sign_both,
    split_receivable,
)

PROPOSAL_TTL = 30 * DAY
#: The reason a rejection carries in these tests (any 32 bytes).
REASON = b"\x01" * 32


@dataclass
class Attempt:
    """One signed call on a fresh ledger, prepared and not yet sent."""

    signer: Signer  # whose signature the properties put to the test
    message: Any  # the signed message
    sign: Callable[[Signer, Any], bytes]  # that signer's signature of a message
    send: Callable[[Any, bytes], Any]  # sends the call with this signature (others made fresh)
    observe: Callable[[], Any]  # reads what a successful call changes
    counterparties: tuple[Signer, ...] = ()  # other firms whose standing the call needs
    spend_nonce: Callable[[], None] | None = None  # another signed call using the signer's nonce

    def signed(self) -> bytes:
        return self.sign(self.signer, self.message)


@dataclass(frozen=True)
class EntryPoint:
    """A signed entry point and the Solidity error each property must meet."""

    name: str
    prepare: Callable[[Ledger], Attempt]
    wrong_signer: str  # signed by another registered firm
    invalid_signature: str  # 65 random bytes
    replayed: str | None  # the same signed call sent again; None: it goes through, changing nothing
    inactive: str | None  # the signer suspended; None: a suspended signer may still do it
    tamper: Callable[[Any], Any] | None = None  # a signed field changed after signing
    tampered: str | None = None
    # a counterparty suspended; None with counterparties: the call goes through all the same
    inactive_counterparty: str | None = None
    invalid_nonce: str | None = None  # a used nonce, a nonce ahead of the next
    expire: Callable[[Ledger, Any], Any] | None = None  # the message past its deadline
    expired: str | None = None
    time_travel: int = 0  # seconds the chain's clock must move for ``expire`` to hold
    # Why a suspended signer or counterparty may still make the call: a choice of the design
    # (``by_design``), or a property that does not hold today (``finding``), tested as it is.
    by_design: str = ""
    finding: str = ""

    @property
    def why_suspended_may_act(self) -> str:
        return self.by_design or self.finding

    def __str__(self) -> str:
        return self.name


# ─────────────────────────────────────────────────────────────── trade ledger


def _trade_signature(ledger: Ledger) -> Callable[[Signer, Trade], bytes]:
    return lambda signer, trade: signer.sign_trade(trade, ledger.trades.domain)


def item_of_a_batch(outcomes: list[Any]) -> Any:
    """The outcome of a batch's item under test (the last), as if it had been sent alone: the
    valid item sent with it (the first) went through, and the item's refusal is raised."""
    first, item = outcomes[0], outcomes[-1]
    assert first.error is None, f"a valid item in the same batch is refused: {first.error}"
    if item.error is not None:
        raise item.error
    return item


def _record_by(side: str, batched: bool = False) -> Callable[[Ledger], Attempt]:
    """``recordTrade``; ``batched``: ``recordTrades``, the trade sent after a valid one of other
    firms, in one batch (a refused item emits ``TradeFailed`` and the others go on)."""

    def prepare(ledger: Ledger) -> Attempt:
        p = create_parties(ledger)
        trade = make_invoice(ledger, p.seller, p.core)
        sign = _trade_signature(ledger)
        signer, other = (p.seller, p.core) if side == "seller" else (p.core, p.seller)
        bystanders = create_parties(ledger) if batched else p

        def send(message: Trade, signature: bytes) -> Any:
            fresh = sign(other, message)
            pair = (signature, fresh) if side == "seller" else (fresh, signature)
            signed = SignedTrade(message, *pair)
            if not batched:
                return ledger.trades.record(signed)
            valid = make_invoice(ledger, bystanders.seller, bystanders.core)
            batch = [sign_both(ledger, valid, bystanders.seller, bystanders.core), signed]
            outcome = item_of_a_batch(ledger.trades.record_batch(batch).outcomes)
            assert ledger.trades.status_of(valid) == TradeStatus.VERIFIED
            return outcome

        def observe() -> Any:
            return ledger.trades.trade_of_document(trade.doc_hash)

        return Attempt(signer, trade, sign, send, observe, counterparties=(other,))

    return prepare


def _propose(ledger: Ledger) -> Attempt:
    p = create_parties(ledger)
    trade = make_invoice(ledger, p.seller, p.core)
    return Attempt(
        p.seller,
        trade,
        _trade_signature(ledger),
        lambda message, signature: ledger.trades.propose(message, signature),
        lambda: ledger.trades.trade_of_document(trade.doc_hash),
        counterparties=(p.core,),
    )


def _proposed(ledger: Ledger) -> tuple[Parties, Trade, bytes]:
    p = create_parties(ledger)
    trade = make_invoice(ledger, p.seller, p.core)
    trade_id = ledger.trades.propose(
        trade, p.seller.sign_trade(trade, ledger.trades.domain)
    ).trade_id
    return p, trade, trade_id


def _confirm_trade(ledger: Ledger) -> Attempt:
    p, trade, trade_id = _proposed(ledger)
    return Attempt(
        p.core,
        trade,
        _trade_signature(ledger),
        lambda message, signature: ledger.trades.confirm(
            message.trade_id(ledger.trades.domain), signature
        ),
        lambda: ledger.trades.status_of(trade),
        counterparties=(p.seller,),
    )


def _reject_trade(ledger: Ledger) -> Attempt:
    p, trade, trade_id = _proposed(ledger)
    return Attempt(
        p.core,
        Reject(trade_id, REASON),
        lambda signer, message: signer.sign_reject(message, ledger.trades.domain),
        lambda message, signature: ledger.trades.reject(
            message.trade_id, message.reason, signature
        ),
        lambda: ledger.trades.status_of(trade),
        counterparties=(p.seller,),
    )


def _record_payment(ledger: Ledger) -> Attempt:
    p, trade, trade_id = _verified_invoice(ledger)
    payment = Payment(trade_id, trade.amount // 2, chain_now(ledger), os.urandom(32))
    return Attempt(
        p.seller,
        payment,
        lambda signer, message: signer.sign_payment(message, ledger.trades.domain),
        lambda message, signature: ledger.trades.record_payment(trade, message, signature),
        lambda: ledger.trades.paid_amount(trade_id),
        counterparties=(p.core,),
    )


# ─────────────────────────────────────────────────────────────── attestation ledger


def _digest_signature(ledger: Ledger) -> Callable[[Signer, Any], bytes]:
    """A signature of a device, dispute or carrier message (each knows its EIP-712 digest)."""
    return lambda signer, message: signer.sign_digest(message.digest(ledger.attestations.domain))


def _attestation_signature(ledger: Ledger) -> Callable[[Signer, Any], bytes]:
    domain = ledger.attestations.domain
    return lambda signer, message: sign_attestation(signer, message, domain).signature


def _oracle_and_device(ledger: Ledger) -> tuple[Signer, Signer, Device]:
    """An oracle, a supplier, and a device of the supplier's the oracle registered."""
    oracle, maker = create_oracle(ledger), create_firm(ledger, Role.SUPPLIER)
    return oracle, maker, register_device(ledger, oracle, maker)


def _verified_invoice(ledger: Ledger) -> tuple[Parties, Trade, bytes]:
    p = create_parties(ledger)
    trade = make_invoice(ledger, p.seller, p.core)
    return p, trade, ledger.trades.record(sign_both(ledger, trade, p.seller, p.core)).trade_id


def _register_device(ledger: Ledger) -> Attempt:
    oracle, maker = create_oracle(ledger), create_firm(ledger, Role.SUPPLIER)
    device = Device(os.urandom(32), maker.address, DeviceKind.FURNACE, 40)
    return Attempt(
        oracle,
        device,
        _digest_signature(ledger),
        lambda message, signature: ledger.attestations.register_device(
            message, oracle.address, signature
        ),
        lambda: ledger.attestations.device(device.device_id),
        counterparties=(maker,),
    )


def _dispute_device(ledger: Ledger) -> Attempt:
    _, maker, device = _oracle_and_device(ledger)
    return Attempt(
        maker,
        DisputeDevice(device.device_id, REASON),
        _digest_signature(ledger),
        lambda message, signature: ledger.attestations.dispute_device(
            message.device_id, message.reason, signature
        ),
        lambda: ledger.attestations.device(device.device_id).status,
    )


def _appoint_carrier_by(side: str) -> Callable[[Ledger], Attempt]:
    def prepare(ledger: Ledger) -> Attempt:
        p, trade, trade_id = _verified_invoice(ledger)
        oracle = create_oracle(ledger)
        party = p.seller if side == "seller" else p.core
        return Attempt(
            party,
            Carrier(trade_id, oracle.address),
            _digest_signature(ledger),
            lambda message, signature: ledger.attestations.appoint_carrier(
                trade, message.oracle, party.address, signature
            ),
            lambda: ledger.attestations.carrier(trade_id, oracle.address),
            counterparties=(oracle,),
        )

    return prepare


def _attest_by(oracle: Signer, ledger: Ledger, batched: bool) -> Callable[[Any, bytes], Any]:
    """``attestProduction`` / ``attestDelivery``; ``batched``: ``attestBatch``, the attestation
    sent after a valid one of another oracle's, in one batch (a refused item emits
    ``AttestationFailed`` and the others go on)."""
    bystander, bystanders_firm = create_oracle(ledger), create_firm(ledger, Role.SUPPLIER)

    def send(message: Any, signature: bytes) -> Any:
        item = SignedAttestation(message, oracle.address, signature)
        if not batched:
            return ledger.attestations.attest(item)
        device = register_device(ledger, bystander, bystanders_firm)
        valid = last_hour(ledger, device)
        batch = [signed(ledger, bystander, valid), item]
        outcome = item_of_a_batch(ledger.attestations.attest_batch(batch).outcomes)
        assert ledger.attestations.device(device.device_id).attested_until == valid.period_end
        return outcome

    return send


def _attest_production(batched: bool = False) -> Callable[[Ledger], Attempt]:
    def prepare(ledger: Ledger) -> Attempt:
        oracle, maker, device = _oracle_and_device(ledger)
        return Attempt(
            oracle,
            last_hour(ledger, device),
            _attestation_signature(ledger),
            _attest_by(oracle, ledger, batched),
            lambda: ledger.attestations.device(device.device_id).attested_until,
            counterparties=(maker,),
        )

    return prepare


def _attest_delivery(batched: bool = False) -> Callable[[Ledger], Attempt]:
    def prepare(ledger: Ledger) -> Attempt:
        p, trade, trade_id = _verified_invoice(ledger)
        oracle = create_oracle(ledger)
        appoint(ledger, trade, oracle, p.seller)
        return Attempt(
            oracle,
            delivery(ledger, trade_id),
            _attestation_signature(ledger),
            _attest_by(oracle, ledger, batched),
            lambda: ledger.attestations.carrier(trade_id, oracle.address),
            counterparties=(p.seller, p.core),
        )

    return prepare


# ─────────────────────────────────────────────────────────────── receivable ledger


def _holder_nonce_spender(ledger: Ledger, p: Parties, holder: Signer) -> Callable[[], None]:
    """Uses ``holder``'s next receivable nonce: a transfer of another receivable it holds."""

    def spend() -> None:
        _, other = issue_confirmed(ledger, p.seller, p.core)
        if holder is not p.seller:
            finance_receivable(ledger, p.seller, holder, other)
        split_receivable(ledger, holder, other.receivable_id, [(p.tier2, other.amount)])

    return spend


def _receivable_answer(answer: str) -> Callable[[Ledger], Attempt]:
    def prepare(ledger: Ledger) -> Attempt:
        p = create_parties(ledger)
        invoice, receivable = issue_pending(ledger, p.seller, p.core)
        rid = receivable.receivable_id
        if answer == "confirm":
            message: Any = invoice
            sign: Callable[[Signer, Any], bytes] = _trade_signature(ledger)

            def send(m: Any, signature: bytes) -> Any:
                return ledger.receivables.confirm(m.trade_id(ledger.trades.domain), signature)

        else:
            message = Reject(rid, REASON)

            def sign(signer: Signer, m: Any) -> bytes:
                return signer.sign_reject(m, ledger.trades.domain)

            def send(m: Any, signature: bytes) -> Any:
                return ledger.receivables.reject(m.trade_id, m.reason, signature)

        return Attempt(
            p.core,
            message,
            sign,
            send,
            lambda: ledger.receivables.receivable(rid).status,
            counterparties=(p.seller,),
        )

    return prepare


def _split(ledger: Ledger) -> Attempt:
    p = create_parties(ledger)
    _, receivable = issue_confirmed(ledger, p.seller, p.core)
    third = receivable.amount // 3
    parts = [(p.tier2, third), (p.tier2, receivable.amount - third)]
    return Attempt(
        p.seller,
        make_split(ledger, p.seller, receivable.receivable_id, parts),
        lambda signer, message: signer.sign_split(message, ledger.receivables.domain),
        lambda message, signature: ledger.receivables.split(message, signature),
        lambda: ledger.receivables.receivable(receivable.receivable_id).status,
        counterparties=(p.tier2,),
        spend_nonce=_holder_nonce_spender(ledger, p, p.seller),
    )


def _finance_by(side: str) -> Callable[[Ledger], Attempt]:
    def prepare(ledger: Ledger) -> Attempt:
        p = create_parties(ledger)
        _, receivable = issue_confirmed(ledger, p.seller, p.core)
        domain = ledger.receivables.domain
        signer, other = (p.seller, p.bank) if side == "holder" else (p.bank, p.seller)

        def send(message: Any, signature: bytes) -> Any:
            fresh = other.sign_finance(message, domain)
            pair = (signature, fresh) if side == "holder" else (fresh, signature)
            return ledger.receivables.finance(message, *pair)

        return Attempt(
            signer,
            make_finance(ledger, p.seller, p.bank, receivable),
            lambda s, message: s.sign_finance(message, domain),
            send,
            lambda: ledger.receivables.receivable(receivable.receivable_id).holder,
            counterparties=(other,),
            # the nonce is the holder's: only the holder's signature spends it
            spend_nonce=_holder_nonce_spender(ledger, p, p.seller) if side == "holder" else None,
        )

    return prepare


def _settle_by(holder_kind: str) -> Callable[[Ledger], Attempt]:
    def prepare(ledger: Ledger) -> Attempt:
        p = create_parties(ledger)
        _, receivable = issue_confirmed(ledger, p.seller, p.core)
        holder = p.seller
        if holder_kind == "bank":
            finance_receivable(ledger, p.seller, p.bank, receivable)
            holder = p.bank
        settlement = Settle(
            receivable.receivable_id, receivable.amount, chain_now(ledger), os.urandom(32)
        )
        return Attempt(
            holder,
            settlement,
            lambda signer, message: signer.sign_settle(message, ledger.receivables.domain),
            lambda message, signature: ledger.receivables.settle(message, signature),
            lambda: ledger.receivables.receivable(receivable.receivable_id).status,
        )

    return prepare


def _mark_default(ledger: Ledger) -> Attempt:
    p = create_parties(ledger)
    now = chain_now(ledger)
    # due 40 days ago: past the 30-day grace period without moving the clock
    _, receivable = issue_confirmed(
        ledger, p.seller, p.core, issued_at=now - 60 * DAY, due_at=now - 40 * DAY
    )
    return Attempt(
        p.seller,
        MarkDefault(receivable.receivable_id, ledger.receivables.nonce(p.seller.address)),
        lambda signer, message: signer.sign_mark_default(message, ledger.receivables.domain),
        lambda message, signature: ledger.receivables.mark_default(message, signature),
        lambda: ledger.receivables.receivable(receivable.receivable_id).status,
        spend_nonce=_holder_nonce_spender(ledger, p, p.seller),
    )


# ─────────────────────────────────────────────────────────────── consent registry


def _consent(ledger: Ledger, firm: Signer, bank: Signer) -> Consent:
    return Consent(
        firm.address,
        bank.address,
        ConsentScope.CREDIT_PROFILE,
        chain_now(ledger) + 90 * DAY,
        ledger.consents.nonce(firm.address),
    )


def _grant(ledger: Ledger, firm: Signer, bank: Signer) -> bytes:
    consent = _consent(ledger, firm, bank)
    signature = firm.sign_consent(consent, ledger.consents.domain)
    return ledger.consents.grant(consent, signature).consent_id


def _consent_nonce_spender(ledger: Ledger, firm: Signer) -> Callable[[], None]:
    """Uses ``firm``'s next consent nonce: a grant to another bank."""

    def spend() -> None:
        _grant(ledger, firm, create_firm(ledger, Role.BANK))

    return spend


def _grant_consent(ledger: Ledger) -> Attempt:
    firm, bank = create_firm(ledger, Role.SUPPLIER), create_firm(ledger, Role.BANK)
    return Attempt(
        firm,
        _consent(ledger, firm, bank),
        lambda signer, message: signer.sign_consent(message, ledger.consents.domain),
        lambda message, signature: ledger.consents.grant(message, signature),
        lambda: ledger.consents.current_consent(firm.address, bank.address),
        counterparties=(bank,),
        spend_nonce=_consent_nonce_spender(ledger, firm),
    )


def _revoke_consent(ledger: Ledger) -> Attempt:
    firm, bank = create_firm(ledger, Role.SUPPLIER), create_firm(ledger, Role.BANK)
    consent_id = _grant(ledger, firm, bank)
    return Attempt(
        firm,
        RevokeConsent(consent_id, ledger.consents.nonce(firm.address)),
        lambda signer, message: signer.sign_revoke_consent(message, ledger.consents.domain),
        lambda message, signature: ledger.consents.revoke(message, signature),
        lambda: ledger.consents.is_active(consent_id),
        spend_nonce=_consent_nonce_spender(ledger, firm),
    )


# ─────────────────────────────────────────────────────────────── the table


def _later(field_name: str, by: int = 1) -> Callable[[Any], Any]:
    return lambda message: dataclasses.replace(
        message, **{field_name: getattr(message, field_name) + by}
    )


def _in_the_past(field_name: str) -> Callable[[Ledger, Any], Any]:
    return lambda ledger, message: dataclasses.replace(
        message, **{field_name: chain_now(ledger) - 1}
    )


def _unchanged(_ledger: Ledger, message: Any) -> Any:
    return message


TRADE_SIGNATURE = "TradeLedgerInvalidSignature"
ATTESTATION_SIGNATURE = "AttestationLedgerInvalidSignature"
NOT_AN_ORACLE = "AttestationLedgerNotAnOracle"
#: The argument naming the firm out of standing, where an error does not call it ``firm``.
FIRM_ARGUMENT = {NOT_AN_ORACLE: "account"}
HOLDER = {
    "wrong_signer": "ReceivableLedgerNotHolder",
    "invalid_signature": "ReceivableLedgerInvalidSignature",
}
RECEIVABLE_NONCE = "ReceivableLedgerInvalidNonce"
#: Refusing is protective: an answer "no" from the buyer is never blocked by the seller's standing.
REJECTION = "a buyer may reject a suspended seller's proposal"
UNCHECKED_SELLER = (
    "the buyer's confirmation makes a proposal verified while its seller is suspended, "
    "though recordTrade refuses a suspended seller (a proposal does not store its seller)"
)

ENTRY_POINTS: tuple[EntryPoint, ...] = (
    EntryPoint(
        "TradeLedger.recordTrade (seller's signature)",
        _record_by("seller"),
        wrong_signer=TRADE_SIGNATURE,
        invalid_signature=TRADE_SIGNATURE,
        replayed="TradeLedgerDuplicateDocument",
        inactive="TradeLedgerInactiveFirm",
        tamper=_later("amount"),
        tampered=TRADE_SIGNATURE,
        inactive_counterparty="TradeLedgerInactiveFirm",
    ),
    EntryPoint(
        "TradeLedger.recordTrade (buyer's signature)",
        _record_by("buyer"),
        wrong_signer=TRADE_SIGNATURE,
        invalid_signature=TRADE_SIGNATURE,
        replayed="TradeLedgerDuplicateDocument",
        inactive="TradeLedgerInactiveFirm",
        tamper=_later("due_at", DAY),
        tampered=TRADE_SIGNATURE,
        inactive_counterparty="TradeLedgerInactiveFirm",
    ),
    EntryPoint(
        "TradeLedger.recordTrades (seller's signature, in a batch)",
        _record_by("seller", batched=True),
        wrong_signer=TRADE_SIGNATURE,
        invalid_signature=TRADE_SIGNATURE,
        replayed="TradeLedgerDuplicateDocument",
        inactive="TradeLedgerInactiveFirm",
        tamper=_later("amount"),
        tampered=TRADE_SIGNATURE,
        inactive_counterparty="TradeLedgerInactiveFirm",
    ),
    EntryPoint(
        "TradeLedger.recordTrades (buyer's signature, in a batch)",
        _record_by("buyer", batched=True),
        wrong_signer=TRADE_SIGNATURE,
        invalid_signature=TRADE_SIGNATURE,
        replayed="TradeLedgerDuplicateDocument",
        inactive="TradeLedgerInactiveFirm",
        tamper=_later("due_at", DAY),
        tampered=TRADE_SIGNATURE,
        inactive_counterparty="TradeLedgerInactiveFirm",
    ),
    EntryPoint(
        "TradeLedger.proposeTrade",
        _propose,
        wrong_signer=TRADE_SIGNATURE,
        invalid_signature=TRADE_SIGNATURE,
        replayed="TradeLedgerDuplicateDocument",
        inactive="TradeLedgerInactiveFirm",
        tamper=_later("amount"),
        tampered=TRADE_SIGNATURE,
        inactive_counterparty="TradeLedgerInactiveFirm",
    ),
    EntryPoint(
        "TradeLedger.confirmTrade",
        _confirm_trade,
        wrong_signer=TRADE_SIGNATURE,
        invalid_signature=TRADE_SIGNATURE,
        replayed="TradeLedgerInvalidStatus",
        inactive="TradeLedgerInactiveFirm",
        inactive_counterparty=None,
        finding=UNCHECKED_SELLER,
        expire=_unchanged,
        expired="TradeLedgerProposalExpired",
        time_travel=PROPOSAL_TTL + 60,
    ),
    EntryPoint(
        "TradeLedger.rejectTrade",
        _reject_trade,
        wrong_signer=TRADE_SIGNATURE,
        invalid_signature=TRADE_SIGNATURE,
        replayed="TradeLedgerInvalidStatus",
        inactive="TradeLedgerInactiveFirm",
        tamper=lambda message: dataclasses.replace(message, reason=b"\x02" * 32),
        tampered=TRADE_SIGNATURE,
        by_design=REJECTION,
        expire=_unchanged,
        expired="TradeLedgerProposalExpired",
        time_travel=PROPOSAL_TTL + 60,
    ),
    EntryPoint(
        "TradeLedger.recordPayment",
        _record_payment,
        wrong_signer=TRADE_SIGNATURE,
        invalid_signature=TRADE_SIGNATURE,
        replayed="TradeLedgerDuplicatePayment",
        inactive="TradeLedgerInactiveFirm",
        tamper=_later("amount"),
        tampered=TRADE_SIGNATURE,
        inactive_counterparty=None,
        by_design="a suspended buyer's debt can still be paid: the payee's standing is checked, "
        "the buyer's is not",
    ),
    EntryPoint(
        "ReceivableLedger.confirm",
        _receivable_answer("confirm"),
        wrong_signer="ReceivableLedgerNotObligor",
        invalid_signature=TRADE_SIGNATURE,
        replayed="ReceivableLedgerInvalidStatus",
        inactive="ReceivableLedgerInactiveFirm",
        inactive_counterparty=None,
        finding=UNCHECKED_SELLER,
        expire=_unchanged,
        expired="TradeLedgerProposalExpired",
        time_travel=PROPOSAL_TTL + 60,
    ),
    EntryPoint(
        "ReceivableLedger.reject",
        _receivable_answer("reject"),
        wrong_signer="ReceivableLedgerNotObligor",
        invalid_signature=TRADE_SIGNATURE,
        replayed="ReceivableLedgerInvalidStatus",
        inactive="TradeLedgerInactiveFirm",
        tamper=lambda message: dataclasses.replace(message, reason=b"\x02" * 32),
        tampered=TRADE_SIGNATURE,
        by_design=REJECTION,
        expire=_unchanged,
        expired="TradeLedgerProposalExpired",
        time_travel=PROPOSAL_TTL + 60,
    ),
    EntryPoint(
        "ReceivableLedger.split",
        _split,
        **HOLDER,
        replayed="ReceivableLedgerInvalidStatus",
        inactive="ReceivableLedgerInactiveFirm",
        tamper=lambda message: dataclasses.replace(message, amounts=message.amounts[::-1]),
        tampered="ReceivableLedgerInvalidSignature",
        inactive_counterparty="ReceivableLedgerInactiveFirm",
        invalid_nonce=RECEIVABLE_NONCE,
    ),
    EntryPoint(
        "ReceivableLedger.finance (holder's signature)",
        _finance_by("holder"),
        **HOLDER,
        replayed="ReceivableLedgerAlreadyFinanced",
        inactive="ReceivableLedgerInactiveFirm",
        tamper=_later("advance", -1),
        tampered="ReceivableLedgerInvalidSignature",
        inactive_counterparty="ReceivableLedgerInactiveFirm",
        invalid_nonce=RECEIVABLE_NONCE,
        expire=_in_the_past("deadline"),
        expired="ReceivableLedgerExpiredSignature",
    ),
    EntryPoint(
        "ReceivableLedger.finance (bank's signature)",
        _finance_by("bank"),
        wrong_signer="ReceivableLedgerInvalidSignature",
        invalid_signature="ReceivableLedgerInvalidSignature",
        replayed="ReceivableLedgerAlreadyFinanced",
        inactive="ReceivableLedgerInactiveFirm",
        tamper=_later("rate_bps"),
        tampered="ReceivableLedgerInvalidSignature",
        inactive_counterparty="ReceivableLedgerInactiveFirm",
        expire=_in_the_past("deadline"),
        expired="ReceivableLedgerExpiredSignature",
    ),
    EntryPoint(
        "ReceivableLedger.settle (by the seller holding it)",
        _settle_by("seller"),
        **HOLDER,
        replayed="ReceivableLedgerInvalidStatus",
        inactive="ReceivableLedgerInactiveFirm",
        tamper=lambda message: dataclasses.replace(message, pay_ref=os.urandom(32)),
        tampered="ReceivableLedgerInvalidSignature",
    ),
    EntryPoint(
        "ReceivableLedger.settle (by the bank that financed it)",
        _settle_by("bank"),
        **HOLDER,
        replayed="ReceivableLedgerInvalidStatus",
        inactive="ReceivableLedgerInactiveFirm",
        tamper=_later("paid_at", -1),
        tampered="ReceivableLedgerInvalidSignature",
    ),
    EntryPoint(
        "ReceivableLedger.markDefault",
        _mark_default,
        **HOLDER,
        replayed="ReceivableLedgerInvalidStatus",
        inactive="ReceivableLedgerInactiveFirm",
        invalid_nonce=RECEIVABLE_NONCE,
    ),
    EntryPoint(
        "AttestationLedger.registerDevice (oracle's signature)",
        _register_device,
        wrong_signer=ATTESTATION_SIGNATURE,
        invalid_signature=ATTESTATION_SIGNATURE,
        replayed="AttestationLedgerDuplicateDevice",
        inactive=NOT_AN_ORACLE,
        tamper=_later("rated_capacity"),
        tampered=ATTESTATION_SIGNATURE,
        inactive_counterparty="AttestationLedgerNotATrader",
    ),
    EntryPoint(
        "AttestationLedger.disputeDevice (operating firm's signature)",
        _dispute_device,
        wrong_signer=ATTESTATION_SIGNATURE,
        invalid_signature=ATTESTATION_SIGNATURE,
        replayed="AttestationLedgerDisputedDevice",
        inactive=None,
        tamper=lambda message: dataclasses.replace(message, reason=b"\x02" * 32),
        tampered=ATTESTATION_SIGNATURE,
        by_design="a suspended firm may still dispute a device registered to it (a dispute only "
        "stops attestations)",
    ),
    *(
        EntryPoint(
            f"AttestationLedger.appointCarrier ({side}'s signature)",
            _appoint_carrier_by(side),
            wrong_signer=ATTESTATION_SIGNATURE,
            invalid_signature=ATTESTATION_SIGNATURE,
            replayed=None,  # appointing the same carrier again changes nothing
            inactive="AttestationLedgerNotATrader",
            inactive_counterparty=NOT_AN_ORACLE,
        )
        for side in ("seller", "buyer")
    ),
    *(
        EntryPoint(
            f"AttestationLedger.{name} (oracle's signature{', in a batch' if batched else ''})",
            _attest_production(batched),
            wrong_signer=ATTESTATION_SIGNATURE,
            invalid_signature=ATTESTATION_SIGNATURE,
            replayed="AttestationLedgerPeriodOverlap",
            inactive=NOT_AN_ORACLE,
            tamper=_later("units"),
            tampered=ATTESTATION_SIGNATURE,
            inactive_counterparty=None,
            by_design="an oracle attests a device's output whatever the standing of the firm "
            "operating it (the figures are the oracle's word)",
        )
        for name, batched in (("attestProduction", False), ("attestBatch: production", True))
    ),
    *(
        EntryPoint(
            f"AttestationLedger.{name} (carrier's signature{', in a batch' if batched else ''})",
            _attest_delivery(batched),
            wrong_signer=ATTESTATION_SIGNATURE,
            invalid_signature=ATTESTATION_SIGNATURE,
            replayed="AttestationLedgerDuplicateDelivery",
            inactive=NOT_AN_ORACLE,
            tamper=_later("quantity"),
            tampered=ATTESTATION_SIGNATURE,
            inactive_counterparty=None,
            by_design="a carrier attests a delivery whatever the standing of the trade's parties "
            "(the delivery is the carrier's word)",
        )
        for name, batched in (("attestDelivery", False), ("attestBatch: delivery", True))
    ),
    EntryPoint(
        "ConsentRegistry.grantConsent",
        _grant_consent,
        wrong_signer="ConsentRegistryInvalidSignature",
        invalid_signature="ConsentRegistryInvalidSignature",
        replayed="ConsentRegistryDuplicateConsent",
        inactive="ConsentRegistryInactiveFirm",
        tamper=lambda message: dataclasses.replace(message, scope=ConsentScope.DOCUMENTS),
        tampered="ConsentRegistryInvalidSignature",
        inactive_counterparty="ConsentRegistryInactiveFirm",
        invalid_nonce="InvalidAccountNonce",
        expire=_in_the_past("expires_at"),
        expired="ConsentRegistryExpired",
    ),
    EntryPoint(
        "ConsentRegistry.revokeConsent",
        _revoke_consent,
        wrong_signer="ConsentRegistryInvalidSignature",
        invalid_signature="ConsentRegistryInvalidSignature",
        replayed="ConsentRegistryAlreadyRevoked",
        inactive=None,
        by_design="a suspended firm may still withdraw a consent it granted",
        invalid_nonce="InvalidAccountNonce",
    ),
)


def standing_arguments(error_name: str, firm: str) -> dict[str, Any]:
    """The arguments of an error refusing ``firm`` for its standing."""
    return {FIRM_ARGUMENT.get(error_name, "firm"): firm}


def applying(attribute: str) -> list[EntryPoint]:
    """The entry points a property applies to (its error is named)."""
    return [entry for entry in ENTRY_POINTS if getattr(entry, attribute) is not None]
