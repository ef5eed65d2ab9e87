"""Factories for tests: registered firms with their own keys, trades, signatures."""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from eth_utils import to_checksum_address

from backend.chain.compiler import Artifact
from backend.chain.contracts import Ledger, SignedTrade
from backend.chain.receivables import (
    DefaultMark,
    Financing,
    Receivable,
    Settlement,
    SplitResult,
)
from backend.enums import DAY, Role, TradeKind
from backend.firms.credit_code import credit_code_hash, make_credit_code
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Finance, MarkDefault, Settle, Split, Trade

_serial = itertools.count(1)
CNY = 156


def new_credit_code() -> str:
    return make_credit_code(f"91{next(_serial) + int.from_bytes(os.urandom(5)):015d}"[:17])


def create_firm(ledger: Ledger, roles: Role = Role.SUPPLIER) -> Signer:
    """A new key, registered as an active firm with ``roles``."""
    signer = Signer.create()
    ledger.registry.register(signer.address, roles, credit_code_hash(new_credit_code()))
    return signer


def make_trade(seller: Signer | str, buyer: Signer | str, **overrides: object) -> Trade:
    """An invoice from ``seller`` to ``buyer`` (signers or addresses), issued 30 days ago."""
    now = int(time.time())
    fields: dict[str, object] = {
        "seller": seller if isinstance(seller, str) else seller.address,
        "buyer": buyer if isinstance(buyer, str) else buyer.address,
        "kind": TradeKind.INVOICE,
        "doc_hash": os.urandom(32),
        "amount": 1_000_000,
        "currency": CNY,
        "issued_at": now - 30 * DAY,
        "due_at": now + 30 * DAY,
    }
    fields.update(overrides)
    if fields["kind"] == TradeKind.INVOICE and "invoice_key" not in overrides:
        fields["invoice_key"] = os.urandom(32)  # each invoice its own identity
    return Trade(**fields)  # type: ignore[arg-type]


def sign_both(ledger: Ledger, trade: Trade, seller: Signer, buyer: Signer) -> SignedTrade:
    domain = ledger.trades.domain
    return SignedTrade(trade, seller.sign_trade(trade, domain), buyer.sign_trade(trade, domain))


# ─────────────────────────────────────────────────────────────── receivables


class MultisigSigner(Signer):
    """An ERC-1271 contract wallet (contracts/test/TestMultisigWallet.sol) as a signing firm: its
    signature is its owners' signatures, concatenated in ascending owner-address order."""

    def __init__(self, wallet: str, owners: list[Signer]) -> None:
        self.wallet = to_checksum_address(wallet)
        self.owners = sorted(owners, key=lambda owner: int(owner.address, 16))

    @property
    def address(self) -> str:
        return self.wallet

    def sign_digest(self, digest: bytes) -> bytes:
        return b"".join(owner.sign_digest(digest) for owner in self.owners)


def create_multisig_firm(
    ledger: Ledger,
    artifacts: dict[str, Artifact],
    roles: Role = Role.CORE,
    *,
    owners: int = 3,
    threshold: int = 2,
) -> MultisigSigner:
    """A ``threshold``-of-``owners`` wallet registered with ``roles``; it signs with its first
    ``threshold`` owners (a maker-checker approval)."""
    keys = sorted((Signer.create() for _ in range(owners)), key=lambda s: int(s.address, 16))
    artifact = artifacts["TestMultisigWallet"]
    receipt = ledger.transactor.deploy(
        artifact.abi, artifact.bytecode, [key.address for key in keys], threshold
    )
    wallet = str(receipt["contractAddress"])
    ledger.registry.register(wallet, roles, credit_code_hash(new_credit_code()))
    return MultisigSigner(wallet, keys[:threshold])


def chain_now(ledger: Ledger) -> int:
    """The latest block's time: what the contracts compare business times with."""
    return int(ledger.w3.eth.get_block("latest")["timestamp"])


def advance_time(ledger: Ledger, seconds: int) -> int:
    """Move the chain's clock forward (anvil) and mine a block; returns the new time."""
    ledger.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    ledger.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]
    return chain_now(ledger)


def make_invoice(
    ledger: Ledger, seller: Signer | str, buyer: Signer | str, **overrides: object
) -> Trade:
    """An invoice issued 30 days and due in 30 days, by the chain's clock (which tests move)."""
    now = chain_now(ledger)
    fields: dict[str, object] = {"issued_at": now - 30 * DAY, "due_at": now + 30 * DAY}
    fields.update(overrides)
    return make_trade(seller, buyer, **fields)


def issue_confirmed(
    ledger: Ledger, seller: Signer, core: Signer, **overrides: object
) -> tuple[Trade, Receivable]:
    """A verified invoice to ``core`` and its CONFIRMED receivable, held by ``seller``."""
    invoice = make_invoice(ledger, seller, core, **overrides)
    ledger.trades.record(sign_both(ledger, invoice, seller, core))
    return invoice, ledger.receivables.issue(invoice).receivable


def issue_pending(
    ledger: Ledger, seller: Signer, core: Signer, **overrides: object
) -> tuple[Trade, Receivable]:
    """An invoice proposed by ``seller`` only and its PENDING receivable."""
    invoice = make_invoice(ledger, seller, core, **overrides)
    ledger.trades.propose(invoice, seller.sign_trade(invoice, ledger.trades.domain))
    return invoice, ledger.receivables.issue(invoice).receivable


def make_split(
    ledger: Ledger,
    holder: Signer,
    receivable_id: bytes,
    parts: list[tuple[Signer | str, int]],
    nonce: int | None = None,
) -> Split:
    """A Split of ``receivable_id`` into ``(recipient, amount)`` parts, at the next nonce."""
    return Split(
        receivable_id,
        tuple(to if isinstance(to, str) else to.address for to, _ in parts),
        tuple(amount for _, amount in parts),
        ledger.receivables.nonce(holder.address) if nonce is None else nonce,
    )


def split_receivable(
    ledger: Ledger, holder: Signer, receivable_id: bytes, parts: list[tuple[Signer | str, int]]
) -> SplitResult:
    """Split (one part: transfer) a receivable, signed by ``holder``."""
    split = make_split(ledger, holder, receivable_id, parts)
    return ledger.receivables.split(split, holder.sign_split(split, ledger.receivables.domain))


def make_finance(
    ledger: Ledger, holder: Signer, bank: Signer, receivable: Receivable, **overrides: object
) -> Finance:
    """Financing terms: 95% advance at 450 bps, valid for a day, at the holder's next nonce."""
    fields: dict[str, object] = {
        "receivable_id": receivable.receivable_id,
        "bank": bank.address,
        "advance": receivable.amount * 95 // 100,
        "rate_bps": 450,
        "deadline": chain_now(ledger) + DAY,
        "nonce": ledger.receivables.nonce(holder.address),
    }
    fields.update(overrides)
    return Finance(**fields)  # type: ignore[arg-type]


def finance_receivable(
    ledger: Ledger, holder: Signer, bank: Signer, receivable: Receivable, **overrides: object
) -> Financing:
    terms = make_finance(ledger, holder, bank, receivable, **overrides)
    domain = ledger.receivables.domain
    return ledger.receivables.finance(
        terms, holder.sign_finance(terms, domain), bank.sign_finance(terms, domain)
    )


def settle_receivable(
    ledger: Ledger, holder: Signer, receivable: Receivable, paid_at: int | None = None
) -> Settlement:
    """The holder acknowledges full payment, by default paid now."""
    settlement = Settle(
        receivable.receivable_id,
        receivable.amount,
        chain_now(ledger) if paid_at is None else paid_at,
        os.urandom(32),
    )
    signature = holder.sign_settle(settlement, ledger.receivables.domain)
    return ledger.receivables.settle(settlement, signature)


def mark_default(ledger: Ledger, holder: Signer, receivable_id: bytes) -> DefaultMark:
    mark = MarkDefault(receivable_id, ledger.receivables.nonce(holder.address))
    signature = holder.sign_mark_default(mark, ledger.receivables.domain)
    return ledger.receivables.mark_default(mark, signature)


@dataclass(frozen=True)
class Parties:
    """A supply chain around one core enterprise: its tier-1 supplier (the seller of the
    invoices), a tier-2 supplier, and a bank."""

    seller: Signer
    core: Signer
    tier2: Signer
    bank: Signer


def create_parties(ledger: Ledger) -> Parties:
    return Parties(
        seller=create_firm(ledger, Role.SUPPLIER),
        core=create_firm(ledger, Role.CORE),
        tier2=create_firm(ledger, Role.SUPPLIER),
        bank=create_firm(ledger, Role.BANK),
    )


@contextmanager
def chain_snapshot(ledger: Ledger) -> Iterator[None]:
    """Undo everything (time travel included) done on the chain inside the block."""
    snapshot = ledger.w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield
    finally:
        ledger.w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
        ledger.transactor.reset_nonce()


def trade_events(ledger, tx, name: str) -> list:
    """The trade ledger's ``name`` events in the receipt of ``tx``."""
    receipt = ledger.w3.eth.get_transaction_receipt(tx.tx_hash)
    return list(ledger.trades.contract.events[name]().process_receipt(receipt))
