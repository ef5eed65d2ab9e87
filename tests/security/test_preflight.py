"""The API refuses what the chain would refuse: each rule the contracts enforce is checked before
anything is written to the outbox, and a row the chain refused never blocks a later valid one.

Preconditions are set on the chain directly (factories) and indexed; the requests under test go
through the real API, relayer and indexer."""

from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from backend.enums import ConsentScope, OutboxStatus, Role
from backend.relayer.models import OutboxItem
from backend.sdk.typed_data import Finance, Payment, Settle, Split
from tests.api.conftest import sign_in
from tests.api.test_consents import grant_body
from tests.api.test_trades_flow import signed_body
from tests.factories import (
    DAY,
    create_firm,
    create_parties,
    issue_confirmed,
    make_invoice,
    sign_both,
)

pytestmark = pytest.mark.chain


# ─────────────────────────────────────────────────────────────── helpers


def outbox_rows(engine) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(OutboxItem)).one())


def hex32(raw: bytes) -> str:
    return "0x" + raw.hex()


def split_body(ledger, holder, receivable_id: str, parts, nonce: int) -> dict:
    message = Split(
        bytes.fromhex(receivable_id[2:]),
        tuple(to for to, _ in parts),
        tuple(amount for _, amount in parts),
        nonce,
    )
    return {
        "to": list(message.to),
        "amounts": list(message.amounts),
        "nonce": nonce,
        "holder_signature": hex32(holder.sign_split(message, ledger.receivables.domain)),
    }


def finance_body(ledger, holder, bank, receivable_id: str, advance: int, nonce: int) -> dict:
    deadline = int(time.time()) + DAY
    terms = Finance(bytes.fromhex(receivable_id[2:]), bank.address, advance, 500, deadline, nonce)
    digest = terms.digest(ledger.receivables.domain)
    return {
        "bank": bank.address,
        "advance": advance,
        "rate_bps": 500,
        "deadline": deadline,
        "nonce": nonce,
        "holder_signature": hex32(holder.sign_digest(digest)),
        "bank_signature": hex32(bank.sign_digest(digest)),
    }


def settle_body(ledger, holder, receivable_id: str, amount: int) -> dict:
    settlement = Settle(bytes.fromhex(receivable_id[2:]), amount, int(time.time()) - 60)
    return {
        "amount": amount,
        "paid_at": settlement.paid_at,
        "pay_ref": hex32(settlement.pay_ref),
        "holder_signature": hex32(holder.sign_settle(settlement, ledger.receivables.domain)),
    }


def payment_body(ledger, seller, invoice, amount: int) -> dict:
    payment = Payment(
        invoice.trade_id(ledger.trades.domain), amount, int(time.time()) - 60, os.urandom(32)
    )
    return {
        "trade_id": hex32(payment.trade_id),
        "amount": amount,
        "paid_at": payment.paid_at,
        "pay_ref": hex32(payment.pay_ref),
        "payee_signature": hex32(seller.sign_payment(payment, ledger.trades.domain)),
    }


def refused_with(answer, status: int, code: str) -> None:
    code_seen = answer.json().get("error", {}).get("code") if answer.status_code >= 400 else None
    assert (answer.status_code, code_seen) == (status, code), answer.text


@pytest.fixture
def chain_world(ledger, client, indexer):
    """A supplier holding a confirmed receivable on a core enterprise, a tier-2 supplier, a bank."""
    parties = create_parties(ledger)
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    indexer.sync()
    headers = {
        name: sign_in(client, getattr(parties, name))
        for name in ("seller", "core", "tier2", "bank")
    }
    return parties, hex32(receivable.receivable_id), receivable.amount, headers


# ─────────────────────────────────────────────────────────────── one test per rule


def test_self_finance_is_refused_and_the_holder_can_still_transfer(
    ledger, client, relayer, indexer, services
):
    """ReceivableLedgerSelfFinance: a firm that is both supplier and bank finances its own."""
    both, core, tier2 = (
        create_firm(ledger, Role.SUPPLIER | Role.BANK),
        create_firm(ledger, Role.CORE),
        create_firm(ledger),
    )
    _, receivable = issue_confirmed(ledger, both, core)
    indexer.sync()
    headers = sign_in(client, both)
    rid = hex32(receivable.receivable_id)
    before = outbox_rows(services.engine)
    answer = client.post(
        f"/receivables/{rid}/finance",
        json=finance_body(ledger, both, both, rid, receivable.amount // 2, 0),
        headers=headers,
    )
    refused_with(answer, 422, "self_finance")
    assert outbox_rows(services.engine) == before
    transfer = client.post(
        f"/receivables/{rid}/split",
        json=split_body(ledger, both, rid, [(tier2.address, receivable.amount)], 0),
        headers=headers,
    )
    assert transfer.status_code == 202, transfer.text
    assert relayer.run_once().recorded == 1


@pytest.mark.parametrize("payment_state", ["indexed", "queued"])
def test_an_invoice_paid_in_part_issues_no_receivable(
    ledger, client, relayer, indexer, services, payment_state
):
    """ReceivableLedgerInvoicePaid: only an invoice with nothing paid against it is issued."""
    seller, core = create_firm(ledger), create_firm(ledger, Role.CORE)
    invoice = make_invoice(ledger, seller, core)
    ledger.trades.record(sign_both(ledger, invoice, seller, core))
    indexer.sync()
    headers = sign_in(client, seller)
    paid = client.post(
        "/payments", json=payment_body(ledger, seller, invoice, 1_000), headers=headers
    )
    assert paid.status_code == 202, paid.text
    if payment_state == "indexed":
        assert relayer.run_once().recorded == 1
        indexer.sync()
    before = outbox_rows(services.engine)
    trade_id = hex32(invoice.trade_id(ledger.trades.domain))
    answer = client.post("/receivables", json={"trade_id": trade_id}, headers=headers)
    refused_with(answer, 409, "invoice_paid")
    assert outbox_rows(services.engine) == before


def test_payments_in_flight_count_towards_an_overpayment(ledger, client, indexer, services):
    """TradeLedgerOverpayment counts every recorded payment: the API counts queued ones too."""
    seller, core = create_firm(ledger), create_firm(ledger, Role.CORE)
    invoice = make_invoice(ledger, seller, core, amount=1_000)
    ledger.trades.record(sign_both(ledger, invoice, seller, core))
    indexer.sync()
    headers = sign_in(client, seller)
    first = client.post(
        "/payments", json=payment_body(ledger, seller, invoice, 600), headers=headers
    )
    assert first.status_code == 202, first.text
    before = outbox_rows(services.engine)
    second = client.post(
        "/payments", json=payment_body(ledger, seller, invoice, 600), headers=headers
    )
    refused_with(second, 422, "overpayment")
    assert outbox_rows(services.engine) == before


def test_a_suspended_seller_issues_no_receivable(ledger, client, indexer, services):
    """ReceivableLedgerInactiveFirm (the invoice's seller)."""
    seller, core = create_firm(ledger), create_firm(ledger, Role.CORE)
    invoice = make_invoice(ledger, seller, core)
    ledger.trades.record(sign_both(ledger, invoice, seller, core))
    headers = sign_in(client, seller)
    ledger.registry.suspend(seller.address)
    indexer.sync()
    trade_id = hex32(invoice.trade_id(ledger.trades.domain))
    answer = client.post("/receivables", json={"trade_id": trade_id}, headers=headers)
    refused_with(answer, 422, "firm_not_active")
    assert outbox_rows(services.engine) == 0


@pytest.mark.parametrize("operation", ["transfer", "split", "finance", "settle"])
def test_a_suspended_holder_moves_nothing(
    ledger, client, indexer, services, chain_world, operation
):
    """ReceivableLedgerInactiveFirm (the holder) in split, finance, settle."""
    parties, rid, amount, headers = chain_world
    ledger.registry.suspend(parties.seller.address)
    indexer.sync()
    seller, tier2 = parties.seller, parties.tier2.address
    path, body, who = {
        "transfer": ("split", split_body(ledger, seller, rid, [(tier2, amount)], 0), "seller"),
        "split": (
            "split",
            split_body(ledger, seller, rid, [(tier2, 1), (seller.address, amount - 1)], 0),
            "seller",
        ),
        "finance": (
            "finance",
            finance_body(ledger, seller, parties.bank, rid, amount // 2, 0),
            "bank",
        ),
        "settle": ("settle", settle_body(ledger, seller, rid, amount), "seller"),
    }[operation]
    # The holder's token was issued before the suspension; the bank submits the financing.
    answer = client.post(f"/receivables/{rid}/{path}", json=body, headers=headers[who])
    refused_with(answer, 403, "holder_not_active")
    assert outbox_rows(services.engine) == 0


def test_an_operation_in_flight_blocks_a_conflicting_one(ledger, client, services, chain_world):
    """A queued transfer and a settlement of the same receivable: one would fail on chain
    (ReceivableLedgerInvalidStatus)."""
    parties, rid, amount, headers = chain_world
    transfer = client.post(
        f"/receivables/{rid}/split",
        json=split_body(ledger, parties.seller, rid, [(parties.tier2.address, amount)], 0),
        headers=headers["seller"],
    )
    assert transfer.status_code == 202, transfer.text
    before = outbox_rows(services.engine)
    settle = client.post(
        f"/receivables/{rid}/settle",
        json=settle_body(ledger, parties.seller, rid, amount),
        headers=headers["seller"],
    )
    refused_with(settle, 409, "operation_in_flight")
    assert outbox_rows(services.engine) == before


def test_a_suspended_bank_asks_for_no_credit_decision(ledger, client, relayer, indexer, services):
    """DecisionLogInactiveFirm / DecisionLogNotABank: the token's roles are those at sign-in; the
    bank's standing now decides."""
    sme, bank, demoted = (
        create_firm(ledger),
        create_firm(ledger, Role.BANK),
        create_firm(ledger, Role.BANK),
    )
    headers = {s.address: sign_in(client, s) for s in (sme, bank, demoted)}
    for nonce, reader in enumerate((bank, demoted)):
        granted = client.post(
            "/consents",
            json=grant_body(ledger, sme, reader, scope=ConsentScope.DECISIONS, nonce=nonce),
            headers=headers[sme.address],
        )
        assert granted.status_code == 202, granted.text
    assert relayer.run_once().recorded == 2
    ledger.registry.suspend(bank.address)
    ledger.registry.set_roles(demoted.address, Role.SUPPLIER)
    indexer.sync()
    before = outbox_rows(services.engine)
    ask = {"firm": sme.address, "amount": 1_000_000, "tenor_days": 60}
    refused_with(
        client.post("/credit-decisions", json=ask, headers=headers[bank.address]),
        403,
        "firm_not_active",
    )
    refused_with(
        client.post("/credit-decisions", json=ask, headers=headers[demoted.address]),
        403,
        "not_a_bank",
    )
    assert outbox_rows(services.engine) == before


# ─────────────────────────────────────────────────────────────── failed rows release their key


def test_a_failed_move_does_not_block_a_later_valid_one(
    ledger, client, relayer, indexer, services, chain_world
):
    """A transfer accepted, then refused on chain (its holder was suspended before the relayer
    sent it): once the holder is active again, the same transfer is accepted and recorded."""
    parties, rid, amount, headers = chain_world
    body = split_body(ledger, parties.seller, rid, [(parties.tier2.address, amount)], 0)
    assert (
        client.post(f"/receivables/{rid}/split", json=body, headers=headers["seller"]).status_code
        == 202
    )
    ledger.registry.suspend(parties.seller.address)
    assert relayer.run_once().failed == 1
    ledger.registry.reactivate(parties.seller.address)
    indexer.sync()
    again = client.post(f"/receivables/{rid}/split", json=body, headers=headers["seller"])
    assert again.status_code == 202, again.text
    assert relayer.run_once().recorded == 1
    indexer.sync()
    assert client.get(f"/receivables/{rid}", headers=headers["seller"]).json()["status"] == "split"


def test_a_trade_whose_batch_failed_is_accepted_again_with_the_same_document(
    ledger, client, relayer, indexer, services
):
    seller, buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    headers = sign_in(client, seller)
    body = signed_body(ledger, make_invoice(ledger, seller, buyer), seller, buyer)
    assert client.post("/trades", json=body, headers=headers).status_code == 202
    ledger.registry.suspend(seller.address)
    assert relayer.run_once().failed == 1
    with Session(services.engine) as session:
        (failed,) = session.exec(select(OutboxItem)).all()
    assert failed.status == OutboxStatus.FAILED and failed.dedupe_key == f"failed:{failed.id}"
    ledger.registry.reactivate(seller.address)
    indexer.sync()
    again = client.post("/trades", json=body, headers=headers)
    assert again.status_code == 202, again.text
    assert relayer.run_once().recorded == 1


# ─────────────────────────────────────────────────────────────── nonces


def test_forty_fast_transfers_and_splits_each_take_the_next_nonce(
    ledger, client, relayer, indexer, services
):
    """With the relayer and the indexer running, a holder's 40 operations in a row at nonces
    0..39 are all accepted: a transaction mined but not yet marked in the outbox is counted
    once. A wrong nonce is still refused."""
    core, holder, tier2 = create_firm(ledger, Role.CORE), create_firm(ledger), create_firm(ledger)
    receivables = [hex32(issue_confirmed(ledger, holder, core)[1].receivable_id) for _ in range(40)]
    indexer.sync()
    headers = sign_in(client, holder)
    amount = 1_000_000
    stop = threading.Event()
    workers = [
        threading.Thread(target=relayer.follow, args=(stop, 0.001), daemon=True),
        threading.Thread(target=indexer.follow, args=(stop, 0.01), daemon=True),
    ]
    for worker in workers:
        worker.start()
    try:
        for nonce, rid in enumerate(receivables):
            parts = (
                [(tier2.address, amount)]
                if nonce % 2 == 0
                else [(tier2.address, 1), (holder.address, amount - 1)]
            )
            answer = client.post(
                f"/receivables/{rid}/split",
                json=split_body(ledger, holder, rid, parts, nonce),
                headers=headers,
            )
            assert answer.status_code == 202, (nonce, answer.text)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with Session(services.engine) as session:
                open_rows = session.exec(
                    select(func.count())
                    .select_from(OutboxItem)
                    .where(OutboxItem.status.in_([OutboxStatus.QUEUED, OutboxStatus.SUBMITTED]))  # type: ignore[attr-defined]
                ).one()
            if open_rows == 0:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    with Session(services.engine) as session:
        statuses = session.exec(select(OutboxItem.status)).all()
    assert statuses == [OutboxStatus.RECORDED] * 40
    assert ledger.receivables.nonce(holder.address) == 40
    indexer.sync()
    # A wrong nonce is refused: a used one, and one ahead of the next.
    _, extra = issue_confirmed(ledger, holder, core)
    indexer.sync()
    rid = hex32(extra.receivable_id)
    for wrong in (39, 41):
        answer = client.post(
            f"/receivables/{rid}/split",
            json=split_body(ledger, holder, rid, [(tier2.address, amount)], wrong),
            headers=headers,
        )
        refused_with(answer, 409, "invalid_nonce")
    assert outbox_rows(services.engine) == 40
