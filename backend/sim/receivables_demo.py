"""The demo's second act: receivables down the chain of supply.

The core enterprise confirms its invoices; a tier-1 supplier splits a receivable between two
tier-2 suppliers, one of which passes part on to a tier-3 supplier; a bank finances one piece;
time passes; most pieces settle on time, one late, and one receivable defaults.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from rich.console import Console
from rich.tree import Tree

from backend.chain.contracts import Ledger, SignedTrade
from backend.chain.receivables import Receivable
from backend.enums import DAY, TradeKind
from backend.sdk.typed_data import Finance, MarkDefault, Settle, Split, Trade
from backend.sim.demo_firms import DemoFirm

CNY = 156


@dataclass
class Book:
    """Names of the demo's firms, and every receivable id seen, by root."""

    names: dict[str, str]
    roots: list[bytes] = field(default_factory=list)
    children: dict[bytes, list[bytes]] = field(default_factory=dict)


def _chain_now(ledger: Ledger) -> int:
    return int(ledger.w3.eth.get_block("latest")["timestamp"])


def _advance(ledger: Ledger, seconds: int) -> None:
    ledger.w3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    ledger.w3.provider.make_request("evm_mine", [])  # type: ignore[arg-type]


def _invoice(ledger: Ledger, seller: DemoFirm, buyer: DemoFirm, amount: int) -> Trade:
    now = _chain_now(ledger)
    return Trade(
        seller.signer.address,
        buyer.signer.address,
        TradeKind.INVOICE,
        os.urandom(32),
        amount,
        CNY,
        now - 10 * DAY,
        now + 30 * DAY,
        invoice_key=os.urandom(32),
    )


def confirmed_receivable(
    ledger: Ledger, seller: DemoFirm, core: DemoFirm, amount: int, book: Book
) -> Receivable:
    invoice = _invoice(ledger, seller, core, amount)
    domain = ledger.trades.domain
    signed = SignedTrade(
        invoice, seller.signer.sign_trade(invoice, domain), core.signer.sign_trade(invoice, domain)
    )
    ledger.trades.record(signed)
    receivable = ledger.receivables.issue(invoice).receivable
    book.roots.append(receivable.receivable_id)
    return receivable


def _pending_then_confirmed(
    ledger: Ledger, seller: DemoFirm, core: DemoFirm, amount: int, book: Book
) -> Receivable:
    """A seller-only invoice: PENDING until the core enterprise signs it."""
    invoice = _invoice(ledger, seller, core, amount)
    domain = ledger.trades.domain
    ledger.trades.propose(invoice, seller.signer.sign_trade(invoice, domain))
    pending = ledger.receivables.issue(invoice).receivable
    ledger.receivables.confirm(pending.receivable_id, core.signer.sign_trade(invoice, domain))
    book.roots.append(pending.receivable_id)
    return ledger.receivables.receivable(pending.receivable_id)


def _split(
    ledger: Ledger,
    holder: DemoFirm,
    receivable: Receivable,
    parts: list[tuple[DemoFirm, int]],
    book: Book,
) -> list[Receivable]:
    nonce = ledger.receivables.nonce(holder.signer.address)
    message = Split(
        receivable.receivable_id,
        tuple(f.signer.address for f, _ in parts),
        tuple(amount for _, amount in parts),
        nonce,
    )
    signature = holder.signer.sign_split(message, ledger.receivables.domain)
    children = ledger.receivables.split(message, signature).children
    book.children[receivable.receivable_id] = [c.receivable_id for c in children]
    return children


def _finance(ledger: Ledger, holder: DemoFirm, bank: DemoFirm, receivable: Receivable) -> None:
    terms = Finance(
        receivable.receivable_id,
        bank.signer.address,
        receivable.amount * 9 // 10,
        600,
        _chain_now(ledger) + DAY,
        ledger.receivables.nonce(holder.signer.address),
    )
    domain = ledger.receivables.domain
    ledger.receivables.finance(
        terms, holder.signer.sign_finance(terms, domain), bank.signer.sign_finance(terms, domain)
    )


def _settle(ledger: Ledger, holder: DemoFirm, receivable: Receivable, days_late: int) -> None:
    settlement = Settle(
        receivable.receivable_id, receivable.amount, receivable.due_at + days_late * DAY
    )
    ledger.receivables.settle(
        settlement, holder.signer.sign_settle(settlement, ledger.receivables.domain)
    )


def run_receivables(console: Console, ledger: Ledger, firms: list[DemoFirm]) -> None:
    core, battery, cable, cells, castings, fasteners, bank = firms
    book = Book({f.signer.address: f.name for f in firms})
    first = confirmed_receivable(ledger, battery, core, 1_000_000_00, book)
    second = _pending_then_confirmed(ledger, cable, core, 400_000_00, book)
    doomed = confirmed_receivable(ledger, cable, core, 250_000_00, book)
    slow = confirmed_receivable(ledger, battery, core, 300_000_00, book)

    to_cells, to_castings = _split(
        ledger, battery, first, [(cells, 600_000_00), (castings, 400_000_00)], book
    )
    kept, to_fasteners = _split(
        ledger, castings, to_castings, [(castings, 250_000_00), (fasteners, 150_000_00)], book
    )
    _finance(ledger, cells, bank, to_cells)

    _advance(ledger, to_cells.due_at - _chain_now(ledger) + 10 * DAY)  # past the due dates
    for holder, piece in (
        (bank, to_cells),
        (castings, kept),
        (fasteners, to_fasteners),
        (cable, second),
    ):
        _settle(ledger, holder, piece, days_late=-1)  # paid the day before it was due
    _settle(ledger, battery, slow, days_late=8)
    _advance(ledger, ledger.receivables.grace_period())  # and past the grace period
    mark = MarkDefault(doomed.receivable_id, ledger.receivables.nonce(cable.signer.address))
    ledger.receivables.mark_default(
        mark, cable.signer.sign_mark_default(mark, ledger.receivables.domain)
    )
    _print_trees(console, ledger, book)


def _print_trees(console: Console, ledger: Ledger, book: Book) -> None:
    for root in book.roots:
        tree = Tree(_label(ledger.receivables.receivable(root), book))
        _grow(tree, root, ledger, book)
        console.print(tree)


def _grow(tree: Tree, parent: bytes, ledger: Ledger, book: Book) -> None:
    for child in book.children.get(parent, []):
        branch = tree.add(_label(ledger.receivables.receivable(child), book))
        _grow(branch, child, ledger, book)


def _label(receivable: Receivable, book: Book) -> str:
    status = receivable.status.name.lower()
    late = f", {receivable.late_days} days late" if receivable.late_days else ""
    financed = ", financed" if receivable.financed else ""
    holder = book.names.get(receivable.holder, receivable.holder)
    return (
        f"0x{receivable.receivable_id.hex()[:12]}… tier {receivable.tier}  "
        f"{receivable.amount / 100:,.2f} CNY  holder {holder}  "
        f"[bold]{status}[/bold]{financed}{late}"
    )
