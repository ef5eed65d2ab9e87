"""``make demo``: a small supply chain recorded on a throw-away local anvil.

One core enterprise, five suppliers and a bank are registered; the suppliers record orders,
deliveries and invoices co-signed by their buyers, some one by one and some in one batch that
also carries a deliberately duplicated invoice, which the ledger refuses.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from eth_account import Account
from eth_utils import keccak
from rich.console import Console
from rich.table import Table

from backend.chain.anvil import Anvil
from backend.chain.compiler import compile_contracts
from backend.chain.contracts import Ledger, SignedTrade, TxResult
from backend.chain.node import connect
from backend.enums import DAY, Role, TradeKind
from backend.money import format_money
from backend.sdk.typed_data import Trade, invoice_key
from backend.settings import get_settings
from backend.sim.attestations_demo import run_attestations
from backend.sim.decisions_demo import run_decisions
from backend.sim.demo_firms import DemoFirm, register_demo_firm
from backend.sim.demo_serve import serve_demo
from backend.sim.receivables_demo import run_receivables

CNY = 156
SUPPLIER_NAMES = (
    "Tier-1 Battery Systems",
    "Tier-1 Cable Harness",
    "Tier-2 Cell Materials",
    "Tier-2 Precision Castings",
    "Tier-3 Fasteners",
)


@dataclass(frozen=True)
class TradeRow:
    trade: Trade
    trade_id: bytes
    tx: TxResult
    gas_per_trade: int
    how: str


def run_demo(console: Console, *, seed: int = 7, serve: tuple[str, int] | None = None) -> None:
    """The demo; with ``serve`` (host, port), the service then stays up on its chain."""
    rng = random.Random(seed)
    settings = get_settings()
    artifacts = compile_contracts()
    operator = Account.from_key(settings.operator_key)
    with Anvil() as node:
        w3 = connect(node.url)
        ledger = Ledger.deploy_new(w3, artifacts, operator)
        console.print(
            f"anvil at {node.url}, ledger deployed at block {ledger.deployment.deploy_block}"
        )
        firms = _register_firms(ledger, seed)
        _print_firms(console, firms)
        core, suppliers = firms[0], firms[1:6]
        pairs = [
            (suppliers[0], core),
            (suppliers[1], core),
            (suppliers[2], suppliers[0]),
            (suppliers[3], suppliers[0]),
            (suppliers[4], suppliers[3]),
        ]
        rows = _record_one_by_one(ledger, pairs, rng)
        rows += _record_batch(ledger, pairs, rng, console)
        _print_trades(console, rows)
        console.print(f"{len(rows)} trades recorded.")
        console.rule("Receivables down the chain of supply")
        run_receivables(console, ledger, firms)
        console.rule("A bank decides, and checks its decisions")
        run_decisions(console, ledger, node.url, firms)
        console.rule("Machines vouch for the invoices")
        run_attestations(console, ledger, node.url, firms)
        if serve is not None:
            console.rule("The console")
            serve_demo(console, ledger, node.url, firms, *serve)
    console.print("anvil stopped.")


def _register_firms(ledger: Ledger, seed: int) -> list[DemoFirm]:
    plan = [("Core: Huaxin Automotive", Role.CORE)]
    plan += [(name, Role.SUPPLIER) for name in SUPPLIER_NAMES]
    plan += [("Bank: Merchants Commercial Bank", Role.BANK)]
    return [
        register_demo_firm(ledger, name, roles, f"scf-demo-{seed}-{index}", index)
        for index, (name, roles) in enumerate(plan)
    ]


def _doc_hash(rng: random.Random) -> bytes:
    return keccak(rng.randbytes(64))  # stands for SHA-256 of a document's bytes


def _trade_chain(
    ledger: Ledger, seller: DemoFirm, buyer: DemoFirm, rng: random.Random, now: int
) -> list[Trade]:
    amount = rng.randrange(50_000, 5_000_000) * 100
    ordered = now - rng.randrange(40, 200) * DAY
    delivered = ordered + rng.randrange(3, 15) * DAY
    terms = rng.choice((30, 60, 90)) * DAY
    domain = ledger.trades.domain
    parties = (seller.signer.address, buyer.signer.address)
    order = Trade(*parties, TradeKind.ORDER, _doc_hash(rng), amount, CNY, ordered)
    delivery = Trade(
        *parties,
        TradeKind.DELIVERY,
        _doc_hash(rng),
        amount,
        CNY,
        delivered,
        ref=order.trade_id(domain),
    )
    invoice = Trade(
        *parties,
        TradeKind.INVOICE,
        _doc_hash(rng),
        amount,
        CNY,
        delivered,
        delivered + terms,
        delivery.trade_id(domain),
        # The e-invoice's identity: issuer (the seller's USCC) and invoice number.
        invoice_key(seller.credit_code, f"{rng.randrange(10**8):08d}"),
    )
    return [order, delivery, invoice]


def _sign(ledger: Ledger, trade: Trade, seller: DemoFirm, buyer: DemoFirm) -> SignedTrade:
    domain = ledger.trades.domain
    return SignedTrade(
        trade, seller.signer.sign_trade(trade, domain), buyer.signer.sign_trade(trade, domain)
    )


def _record_one_by_one(
    ledger: Ledger, pairs: list[tuple[DemoFirm, DemoFirm]], rng: random.Random
) -> list[TradeRow]:
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    rows = []
    for seller, buyer in pairs:
        for trade in _trade_chain(ledger, seller, buyer, rng, now):
            recorded = ledger.trades.record(_sign(ledger, trade, seller, buyer))
            rows.append(
                TradeRow(trade, recorded.trade_id, recorded.tx, recorded.tx.gas_used, "single")
            )
    return rows


def _record_batch(
    ledger: Ledger, pairs: list[tuple[DemoFirm, DemoFirm]], rng: random.Random, console: Console
) -> list[TradeRow]:
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    items: list[SignedTrade] = []
    for seller, buyer in pairs * 2:
        items += [
            _sign(ledger, t, seller, buyer) for t in _trade_chain(ledger, seller, buyer, rng, now)
        ]
    # The classic fraud: the same invoice presented again, here by another seller to another buyer.
    original = items[2].trade
    seller, buyer = pairs[1]
    duplicate = Trade(
        seller.signer.address,
        buyer.signer.address,
        TradeKind.INVOICE,
        original.doc_hash,
        original.amount,
        CNY,
        original.issued_at,
        original.due_at,
        invoice_key=original.invoice_key,
    )
    items.append(_sign(ledger, duplicate, seller, buyer))

    result = ledger.trades.record_batch(items)
    gas_each = result.tx.gas_used // len(items)
    for outcome in result.outcomes:
        if outcome.error is not None:
            console.print(
                f"[yellow]batch item {outcome.index} refused:[/yellow] {outcome.error.message}"
            )
    return [
        TradeRow(items[o.index].trade, o.trade_id, result.tx, gas_each, f"batch of {len(items)}")
        for o in result.outcomes
        if o.recorded
    ]


def _print_firms(console: Console, firms: list[DemoFirm]) -> None:
    table = Table(title="Registered firms")
    for column in ("firm", "address", "roles"):
        table.add_column(column)
    for firm in firms:
        table.add_row(firm.name, firm.signer.address, str(firm.roles.name))
    console.print(table)


def _print_trades(console: Console, rows: list[TradeRow]) -> None:
    table = Table(title="Verified trades (both parties signed)")
    for column in ("#", "trade id", "kind", "amount", "tx hash", "block", "gas/trade", "how"):
        table.add_column(
            column,
            justify="right" if column in ("#", "amount", "block", "gas/trade") else "left",
        )
    for number, row in enumerate(rows, 1):
        table.add_row(
            str(number),
            "0x" + row.trade_id.hex()[:16] + "…",
            row.trade.kind.name.lower(),
            format_money(row.trade.amount, row.trade.currency),
            row.tx.tx_hash[:18] + "…",
            str(row.tx.block_number),
            f"{row.gas_per_trade:,}",
            row.how,
        )
    console.print(table)
