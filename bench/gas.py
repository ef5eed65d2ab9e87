"""Gas per ledger operation on a real anvil, printed with the ratio to DESIGN's floor.

Run: ``make bench`` (or ``.venv/bin/python bench/gas.py``). Printed, never asserted.

Floor for one verified trade, in DESIGN's terms (~45k): one new storage slot (22,100), two
ecrecovers (2 x 3,000), two cold role reads (2 x 2,100) and the registry's cold account (2,600),
calldata (~640 bytes, ~8,000), one log with 4 topics and 7 words (~3,700). An invoice adds its
identity: one more new slot (`invoiceKey => tradeId`, 22,100), its calldata word (~500) and its
log word (256).

Floors for consents and decisions, whole transactions (21,000 base included):
- first grant of a firm: four new slots (two for the consent, the pair's current id, the firm's
  nonce: 88,400), one ecrecover, the registry's cold account and two cold standing reads (9,800),
  calldata (~324 bytes, ~2,700), a 4-topic log with 4 words (~2,900).
- a grant replacing the pair's live consent: two new slots (44,200), the pair's id and the nonce
  rewritten (2 x 5,000), the replaced consent's two cold slots read (4,200), the rest as above.
- revoke: one slot rewritten (5,000) and the other read (2,100), the nonce (5,000), one ecrecover,
  calldata (~228 bytes, ~2,100), a 4-topic log with 1 word (~2,150); no registry call.
- anchor: three new slots (66,300), the recorder role's cold read (2,100), the registry's cold
  account and two standing reads (6,800), calldata (132 bytes, ~1,700), a 4-topic log with 2 words
  (~2,400).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eth_account import Account  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from backend.chain.anvil import Anvil  # noqa: E402
from backend.chain.compiler import compile_contracts  # noqa: E402
from backend.chain.contracts import Ledger, SignedTrade  # noqa: E402
from backend.chain.node import connect  # noqa: E402
from backend.chain.receivables import Receivable  # noqa: E402
from backend.enums import DAY, Role  # noqa: E402
from backend.firms.credit_code import credit_code_hash, make_credit_code  # noqa: E402
from backend.sdk.signer import Signer  # noqa: E402
from backend.sdk.typed_data import (  # noqa: E402
    Consent,
    ConsentScope,
    Finance,
    RevokeConsent,
    Settle,
    Split,
    Trade,
    TradeKind,
)
from backend.settings import DEVELOPMENT_OPERATOR_KEY  # noqa: E402

TRADE_FLOOR = 22_100 + 2 * 3_000 + 2 * 2_100 + 2_600 + 8_000 + 3_700
INVOICE_KEY_FLOOR = 22_100 + 500 + 256
TRANSACTION_BASE = 21_000  # paid once per transaction: a single trade pays it alone
_SIGNED_CALL = 3_000 + 2_600 + 2 * 2_100  # ecrecover, registry account, two standing reads
FIRST_GRANT_FLOOR = 4 * 22_100 + _SIGNED_CALL + 2_700 + 2_900 + TRANSACTION_BASE
REPLACING_GRANT_FLOOR = (
    2 * 22_100 + 2 * 5_000 + 4_200 + _SIGNED_CALL + 2_700 + 2_900 + TRANSACTION_BASE
)
REVOKE_FLOOR = 5_000 + 2_100 + 5_000 + 3_000 + 2_100 + 2_150 + TRANSACTION_BASE
ANCHOR_FLOOR = 3 * 22_100 + 2_100 + 2_600 + 2 * 2_100 + 1_700 + 2_400 + TRANSACTION_BASE
BATCH_SIZE = 100
FIRMS_IN_BATCH = 20


def new_ledger(url: str) -> Ledger:
    artifacts = compile_contracts()
    operator = Account.from_key(DEVELOPMENT_OPERATOR_KEY)
    return Ledger.deploy_new(connect(url), artifacts, operator)


def register(ledger: Ledger, count: int, roles: Role) -> list[Signer]:
    firms = []
    for _ in range(count):
        signer = Signer.create()
        body = f"91{int.from_bytes(os.urandom(7)):015d}"[:17]
        ledger.registry.register(signer.address, roles, credit_code_hash(make_credit_code(body)))
        firms.append(signer)
    return firms


def signed_invoice(ledger: Ledger, seller: Signer, buyer: Signer) -> SignedTrade:
    now = int(time.time())
    trade = Trade(seller.address, buyer.address, TradeKind.INVOICE, os.urandom(32), 12_345_600,
                  156, now - 10 * DAY, now + 50 * DAY, invoice_key=os.urandom(32))  # fmt: skip
    domain = ledger.trades.domain
    return SignedTrade(trade, seller.sign_trade(trade, domain), buyer.sign_trade(trade, domain))


def signed_order(ledger: Ledger, seller: Signer, buyer: Signer) -> SignedTrade:
    now = int(time.time())
    trade = Trade(seller.address, buyer.address, TradeKind.ORDER, os.urandom(32), 12_345_600,
                  156, now - 10 * DAY)  # fmt: skip
    domain = ledger.trades.domain
    return SignedTrade(trade, seller.sign_trade(trade, domain), buyer.sign_trade(trade, domain))


def measure_trades(ledger: Ledger) -> list[tuple[str, int, int | None]]:
    """(operation, gas, floor) rows for verified invoices and orders, single and batched."""
    sellers = register(ledger, FIRMS_IN_BATCH, Role.SUPPLIER)
    buyers = register(ledger, FIRMS_IN_BATCH, Role.CORE)
    rows: list[tuple[str, int, int | None]] = []
    for name, make, floor in (
        ("invoice", signed_invoice, TRADE_FLOOR + INVOICE_KEY_FLOOR),
        ("order (no invoice identity)", signed_order, TRADE_FLOOR),
    ):
        single = ledger.trades.record(make(ledger, sellers[0], buyers[0])).tx.gas_used
        items = [
            make(ledger, sellers[i % FIRMS_IN_BATCH], buyers[(i * 7) % FIRMS_IN_BATCH])
            for i in range(BATCH_SIZE)
        ]
        batch = ledger.trades.record_batch(items)
        assert batch.recorded == BATCH_SIZE, "every batch item should have been recorded"
        rows += [
            (f"verified {name}, single (own transaction)", single, floor + TRANSACTION_BASE),
            (
                f"verified {name}, per trade in a batch of {BATCH_SIZE} "
                f"({FIRMS_IN_BATCH} sellers x {FIRMS_IN_BATCH} buyers)",
                batch.tx.gas_used // BATCH_SIZE,
                floor,
            ),  # fmt: skip
        ]
    return rows


# A receivable's storage: three new slots (holder/due date/tier/status | amount | root id); the
# floor of one more part in a split adds its recipient's cold role read and its ReceivableCreated
# log (4 topics, 6 words). Other receivable rows print no floor: the trade ledger's share and the
# refunds make one figure misleading.
SPLIT_CHILD_FLOOR = 3 * 22_100 + 2_100 + 375 * 5 + 6 * 32 * 8


def measure_receivables(ledger: Ledger) -> list[tuple[str, int, int | None]]:
    """(operation, gas, floor) rows for the receivable lifecycle.

    Each holder has signed once before (a first signed message also pays for its nonce's slot,
    17,100 more), and split parts go to distinct firms, as down a real supply chain.
    """
    (seller,) = register(ledger, 1, Role.SUPPLIER)
    (core,) = register(ledger, 1, Role.CORE)
    (bank,) = register(ledger, 1, Role.BANK)
    tier2 = register(ledger, 10, Role.SUPPLIER)
    domain, trades_domain = ledger.receivables.domain, ledger.trades.domain
    nonce = iter(range(1_000))

    def confirmed() -> Receivable:
        signed = signed_invoice(ledger, seller, core)
        ledger.trades.record(signed)
        return ledger.receivables.issue(signed.trade).receivable

    def split(receivable: Receivable, recipients: list[Signer]) -> int:
        share, parts = receivable.amount // len(recipients), len(recipients)
        amounts = [share] * (parts - 1) + [receivable.amount - share * (parts - 1)]
        message = Split(receivable.receivable_id, tuple(r.address for r in recipients),
                        tuple(amounts), next(nonce))  # fmt: skip
        return ledger.receivables.split(message, seller.sign_split(message, domain)).tx.gas_used

    split(confirmed(), tier2[:1])  # the seller's first signed message: its nonce's slot
    signed = signed_invoice(ledger, seller, core)
    ledger.trades.record(signed)
    issue = ledger.receivables.issue(signed.trade).tx.gas_used

    proposed = signed_invoice(ledger, seller, core).trade
    ledger.trades.propose(proposed, seller.sign_trade(proposed, trades_domain))
    pending = ledger.receivables.issue(proposed).receivable
    approval = core.sign_trade(proposed, trades_domain)
    confirm = ledger.receivables.confirm(pending.receivable_id, approval).tx.gas_used

    split_2, split_10 = split(confirmed(), tier2[:2]), split(confirmed(), tier2)
    transfer = split(confirmed(), tier2[-1:])

    receivable = confirmed()
    now = int(ledger.w3.eth.get_block("latest")["timestamp"])
    terms = Finance(receivable.receivable_id, bank.address, receivable.amount * 96 // 100, 420,
                    now + DAY, next(nonce))  # fmt: skip
    finance = ledger.receivables.finance(
        terms, seller.sign_finance(terms, domain), bank.sign_finance(terms, domain)
    ).tx.gas_used
    settlement = Settle(receivable.receivable_id, receivable.amount, now, os.urandom(32))
    settle = ledger.receivables.settle(settlement, bank.sign_settle(settlement, domain)).tx.gas_used
    return [
        ("receivable: issue from a verified invoice", issue, None),
        ("receivable: confirm by the core enterprise (and its trade)", confirm, None),
        ("receivable: split into 2", split_2, None),
        ("receivable: split into 10", split_10, None),
        ("receivable: split, per part beyond 2", (split_10 - split_2) // 8, SPLIT_CHILD_FLOOR),
        ("receivable: transfer (a split into 1)", transfer, None),
        ("receivable: finance (holder and bank sign)", finance, None),
        ("receivable: settle (by the bank that financed it)", settle, None),
    ]


def measure_consents(ledger: Ledger) -> list[tuple[str, int, int | None]]:
    """(operation, gas, floor) rows for consent grants and revocations and decision anchors."""
    (firm,) = register(ledger, 1, Role.SUPPLIER)
    (bank,) = register(ledger, 1, Role.BANK)
    domain = ledger.consents.domain
    expires_at = int(time.time()) + 90 * DAY

    def grant(scope: ConsentScope) -> tuple[bytes, int]:
        nonce = ledger.consents.nonce(firm.address)
        consent = Consent(firm.address, bank.address, scope, expires_at, nonce)
        granted = ledger.consents.grant(consent, firm.sign_consent(consent, domain))
        return granted.consent_id, granted.tx.gas_used

    _, first = grant(ConsentScope.CREDIT_PROFILE | ConsentScope.DECISIONS)
    current, replacing = grant(ConsentScope.CREDIT_PROFILE)
    revoke = RevokeConsent(current, ledger.consents.nonce(firm.address))
    revoked = ledger.consents.revoke(revoke, firm.sign_revoke_consent(revoke, domain)).gas_used
    anchored = ledger.decisions.anchor(
        os.urandom(32), bank.address, firm.address, os.urandom(32)
    ).gas_used
    return [
        ("consent grant, a firm's first (new pair, new nonce slot)", first, FIRST_GRANT_FLOOR),
        ("consent grant replacing the pair's live consent", replacing, REPLACING_GRANT_FLOOR),
        ("consent revocation", revoked, REVOKE_FLOOR),
        ("decision anchor", anchored, ANCHOR_FLOOR),
    ]


def print_rows(rows: list[tuple[str, int, int | None]]) -> None:
    table = Table(title="Gas per operation (anvil, solc 0.8.37, optimizer 10,000 runs)")
    table.add_column("operation")
    table.add_column("gas", justify="right")
    table.add_column("floor", justify="right")
    table.add_column("gas / floor", justify="right")
    for name, gas, floor in rows:
        ratio = f"{gas / floor:.2f}" if floor else "-"
        table.add_row(name, f"{gas:,}", f"{floor:,}" if floor else "-", ratio)
    Console(width=140).print(table)


def main() -> None:
    with Anvil() as node:
        ledger = new_ledger(node.url)
        rows = measure_trades(ledger)
        rows += measure_receivables(ledger)
        rows += measure_consents(ledger)
    print_rows(rows)


if __name__ == "__main__":
    main()
