"""A batch that sinks as a whole (one item's ERC-1271 wallet burns all the gas) is split in halves
down to that item: every other trade is recorded, only the culprit fails."""

from __future__ import annotations

import time
import uuid

import pytest
from sqlmodel import Session, select

from backend.enums import OutboxKind, OutboxStatus, Role, TradeKind, TradeStatus
from backend.firms.credit_code import credit_code_hash
from backend.indexer.rpc import JsonRpc
from backend.relayer import relayer as relayer_module
from backend.relayer.models import OutboxItem
from backend.relayer.relayer import Relayer
from tests.factories import create_firm, make_trade, new_credit_code

pytestmark = pytest.mark.chain


def _griefing_wallet(ledger, artifacts) -> str:
    artifact = artifacts["TestGasBurnerWallet"]
    receipt = ledger.transactor.deploy(artifact.abi, artifact.bytecode)
    wallet = str(receipt["contractAddress"])
    ledger.registry.register(wallet, Role.SUPPLIER, credit_code_hash(new_credit_code()))
    return wallet


def _row(ledger, trade, seller_signature: bytes, buyer_signature: bytes) -> OutboxItem:
    """An outbox row as the API writes one (written directly: the API's own checks would refuse
    the griefing wallet before it ever reached the relayer)."""
    trade_id = "0x" + trade.trade_id(ledger.trades.domain).hex()
    now = time.time()
    payload = {
        "trade_id": trade_id,
        "trade": {
            "seller": trade.seller,
            "buyer": trade.buyer,
            "kind": int(TradeKind(trade.kind)),
            "doc_hash": "0x" + trade.doc_hash.hex(),
            "amount": trade.amount,
            "currency": trade.currency,
            "issued_at": trade.issued_at,
            "due_at": trade.due_at,
            "ref": "0x" + trade.ref.hex(),
            "invoice_key": "0x" + trade.invoice_key.hex(),
        },
        "seller_signature": "0x" + seller_signature.hex(),
        "buyer_signature": "0x" + buyer_signature.hex(),
    }
    return OutboxItem(
        id=uuid.uuid4().hex,
        kind=OutboxKind.TRADE,
        subject=trade_id,
        dedupe_key=f"doc:0x{trade.doc_hash.hex()}",
        payload=payload,
        submitter=trade.seller,
        status=OutboxStatus.QUEUED,
        created_at=now,
        updated_at=now,
    )


def test_a_sunk_batch_is_bisected_and_only_the_culprit_fails(
    ledger, artifacts, anvil, engine, monkeypatch
):
    # SignatureVerifier's ERC-1271 stipend keeps one such wallet from sinking a batch at the
    # relayer's usual gas budget; with a tighter budget per trade (a costlier item than planned
    # for, another node's gas schedule) a batch still sinks as a whole, which bisection is for.
    monkeypatch.setattr(relayer_module, "BATCH_GAS_PER_TRADE", 60_000)
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    wallet = _griefing_wallet(ledger, artifacts)
    good = [make_trade(seller, buyer) for _ in range(11)]
    culprit = make_trade(wallet, buyer)
    domain = ledger.trades.domain

    def dual_signed(trade) -> OutboxItem:
        return _row(
            ledger, trade, seller.sign_trade(trade, domain), buyer.sign_trade(trade, domain)
        )

    rows = [dual_signed(trade) for trade in good[:5]]
    rows.append(_row(ledger, culprit, b"\x01" * 65, buyer.sign_trade(culprit, domain)))
    rows += [dual_signed(trade) for trade in good[5:]]
    with Session(engine) as session:
        session.add_all(rows)
        session.commit()

    relayer = Relayer(engine, ledger, JsonRpc(anvil.url), batch_size=12, max_wait=0)
    first = relayer.run_once()
    (sunk,) = first.transactions
    assert ledger.w3.eth.get_transaction_receipt(sunk)["status"] == 0  # the whole batch sank
    rounds = 1
    while _count(engine, OutboxStatus.QUEUED) and rounds < 10:
        relayer.run_once()
        rounds += 1

    with Session(engine) as session:
        outcome = {row.subject: row for row in session.exec(select(OutboxItem))}
    culprit_id = "0x" + culprit.trade_id(ledger.trades.domain).hex()
    assert outcome[culprit_id].status == OutboxStatus.FAILED
    # Alone (or in a batch small enough that the 1/64 of gas left covers the rest), the
    # contract's per-item isolation names its own failure; otherwise the relayer names it.
    assert outcome[culprit_id].error_code in ("sinks_batch", "trade_ledger_invalid_signature")
    others = [row for subject, row in outcome.items() if subject != culprit_id]
    assert {row.status for row in others} == {OutboxStatus.RECORDED}
    for trade in good:
        assert ledger.trades.status_of(trade) == TradeStatus.VERIFIED
    assert rounds <= 5  # 12 -> 6 -> 3 -> 2 -> 1: a bisection, not one retry per item


def _count(engine, status: str) -> int:
    with Session(engine) as session:
        return len(list(session.exec(select(OutboxItem.id).where(OutboxItem.status == status))))
