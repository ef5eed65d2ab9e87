"""ReceivableLedger: the holder records the obligor's full payment (on time or late by N days), or,
once the due date plus the operator's grace period has passed, marks the receivable defaulted.
Nothing moves after SETTLED or DEFAULTED."""

from __future__ import annotations

import pytest
from eth_account import Account
from web3.logs import DISCARD

from backend.chain import reverts
from backend.chain.contracts import Ledger
from backend.enums import ReceivableStatus
from backend.sdk.typed_data import MarkDefault, Settle
from tests.factories import (
    DAY,
    advance_time,
    chain_now,
    chain_snapshot,
    create_parties,
    finance_receivable,
    issue_confirmed,
    make_finance,
    mark_default,
    settle_receivable,
    split_receivable,
)

pytestmark = pytest.mark.chain

MAX_CLOCK_SKEW = 300
INITIAL_GRACE = 30 * DAY
# anvil's second development key: someone who is not the operator (public, test only)
NOT_THE_OPERATOR = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


@pytest.fixture
def parties(ledger):
    return create_parties(ledger)


@pytest.fixture
def clock(ledger):
    """Time travel for one test: undone afterwards, so other tests see the real clock."""
    with chain_snapshot(ledger):
        yield lambda seconds: advance_time(ledger, seconds)


def _events(ledger, tx, name):
    receipt = ledger.w3.eth.get_transaction_receipt(tx.tx_hash)
    return list(ledger.receivables.contract.events[name]().process_receipt(receipt, errors=DISCARD))


# ─────────────────────────────────────────────────────────────── settle


def test_settle_on_or_before_the_due_date_is_not_late(ledger, parties):
    _, receivable = issue_confirmed(
        ledger, parties.seller, parties.core, due_at=chain_now(ledger) - DAY
    )
    settlement = settle_receivable(ledger, parties.seller, receivable, paid_at=receivable.due_at)
    assert settlement.late_days == 0
    settled = ledger.receivables.receivable(receivable.receivable_id)
    assert (settled.status, settled.paid_at, settled.late_days) == (
        ReceivableStatus.SETTLED,
        receivable.due_at,
        0,
    )


@pytest.mark.parametrize(
    "late_by, late_days", [(1, 1), (DAY, 1), (DAY + 1, 2), (3 * DAY + 1, 4), (10 * DAY, 10)]
)
def test_settle_after_the_due_date_records_the_days_late_rounded_up(
    ledger, parties, late_by, late_days
):
    _, receivable = issue_confirmed(
        ledger, parties.seller, parties.core, due_at=chain_now(ledger) - 20 * DAY
    )
    settlement = settle_receivable(
        ledger, parties.seller, receivable, paid_at=receivable.due_at + late_by
    )
    assert settlement.late_days == late_days
    assert ledger.receivables.receivable(receivable.receivable_id).late_days == late_days


def test_settle_emits_everything_an_indexer_needs(ledger, parties):
    _, receivable = issue_confirmed(
        ledger, parties.seller, parties.core, due_at=chain_now(ledger) - 2 * DAY
    )
    settlement = settle_receivable(
        ledger, parties.seller, receivable, paid_at=receivable.due_at + 2 * DAY
    )
    (event,) = _events(ledger, settlement.tx, "ReceivableSettled")
    assert dict(event.args) == {
        "receivableId": receivable.receivable_id,
        "holder": parties.seller.address,
        "obligor": parties.core.address,
        "amount": receivable.amount,
        "dueAt": receivable.due_at,
        "paidAt": receivable.due_at + 2 * DAY,
        "lateDays": 2,
        "payRef": settlement.pay_ref,
    }


def test_settle_of_a_financed_receivable_by_the_bank(ledger, parties):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    finance_receivable(ledger, parties.seller, parties.bank, receivable)
    with pytest.raises(reverts.ReceivableLedgerNotHolder):  # the seller no longer holds it
        settle_receivable(ledger, parties.seller, receivable)
    settlement = settle_receivable(ledger, parties.bank, receivable)
    assert settlement.holder == parties.bank.address
    settled = ledger.receivables.receivable(receivable.receivable_id)
    assert (settled.status, settled.financed) == (ReceivableStatus.SETTLED, True)


def test_settle_of_split_parts_one_by_one(ledger, parties):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    kept, passed = split_receivable(
        ledger,
        parties.seller,
        receivable.receivable_id,
        [(parties.seller, 1), (parties.tier2, receivable.amount - 1)],
    ).children
    settle_receivable(ledger, parties.tier2, passed)
    assert ledger.receivables.receivable(kept.receivable_id).status == ReceivableStatus.CONFIRMED
    settle_receivable(ledger, parties.seller, kept)
    statuses = [
        r.status for r in ledger.receivables.receivables([kept.receivable_id, passed.receivable_id])
    ]
    assert statuses == [ReceivableStatus.SETTLED, ReceivableStatus.SETTLED]


@pytest.mark.parametrize("off_by", [-1, 1])
def test_settle_reverts_unless_the_full_amount_is_paid(ledger, parties, off_by):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    settlement = Settle(receivable.receivable_id, receivable.amount + off_by, chain_now(ledger))
    with pytest.raises(reverts.ReceivableLedgerSettlementAmountMismatch) as raised:
        ledger.receivables.settle(
            settlement, parties.seller.sign_settle(settlement, ledger.receivables.domain)
        )
    assert raised.value.arguments["paid"] == receivable.amount + off_by


def test_settle_accepts_a_payment_time_within_the_clock_skew(ledger, parties):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    paid_at = chain_now(ledger) + MAX_CLOCK_SKEW  # at most the skew ahead of the block's time
    settle_receivable(ledger, parties.seller, receivable, paid_at=paid_at)
    assert ledger.receivables.receivable(receivable.receivable_id).paid_at == paid_at


def test_settle_reverts_on_a_payment_time_in_the_future(ledger, parties):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    paid_at = chain_now(ledger) + 3_600
    with pytest.raises(reverts.ReceivableLedgerFutureTimestamp) as raised:
        settle_receivable(ledger, parties.seller, receivable, paid_at=paid_at)
    assert raised.value.arguments["businessTime"] == paid_at


def test_settle_reverts_when_signed_by_the_obligor(ledger, parties):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.ReceivableLedgerNotHolder) as raised:
        settle_receivable(ledger, parties.core, receivable)
    assert raised.value.arguments["holder"] == parties.seller.address


def test_settle_reverts_when_replayed(ledger, parties):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    settlement = Settle(receivable.receivable_id, receivable.amount, chain_now(ledger))
    signature = parties.seller.sign_settle(settlement, ledger.receivables.domain)
    ledger.receivables.settle(settlement, signature)
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
        ledger.receivables.settle(settlement, signature)
    assert raised.value.arguments["status"] == ReceivableStatus.SETTLED


def test_nothing_moves_after_settled(ledger, parties, clock):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    settle_receivable(ledger, parties.seller, receivable)
    clock(receivable.due_at - chain_now(ledger) + INITIAL_GRACE + DAY)
    attempts = {
        "split": lambda: split_receivable(
            ledger, parties.seller, receivable.receivable_id, [(parties.tier2, receivable.amount)]
        ),
        "finance": lambda: finance_receivable(ledger, parties.seller, parties.bank, receivable),
        "default": lambda: mark_default(ledger, parties.seller, receivable.receivable_id),
    }
    for name, attempt in attempts.items():
        with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
            attempt()
        assert raised.value.arguments["status"] == ReceivableStatus.SETTLED, name


# ─────────────────────────────────────────────────────────────── default


def test_mark_default_after_the_due_date_and_the_grace_period(ledger, parties, clock):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    clock(receivable.due_at + INITIAL_GRACE - chain_now(ledger) + 60)
    marked = mark_default(ledger, parties.seller, receivable.receivable_id)
    assert (
        ledger.receivables.receivable(receivable.receivable_id).status == ReceivableStatus.DEFAULTED
    )
    (event,) = _events(ledger, marked.tx, "ReceivableDefaulted")
    assert dict(event.args) == {
        "receivableId": receivable.receivable_id,
        "holder": parties.seller.address,
        "obligor": parties.core.address,
        "amount": receivable.amount,
        "dueAt": receivable.due_at,
        "markedAt": ledger.w3.eth.get_block(marked.tx.block_number)["timestamp"],
        "nonce": 0,
    }
    assert ledger.receivables.nonce(parties.seller.address) == 1


def test_mark_default_reverts_within_the_grace_period(ledger, parties, clock):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    clock(receivable.due_at + INITIAL_GRACE - chain_now(ledger) - 3_600)  # overdue, within grace
    with pytest.raises(reverts.ReceivableLedgerNotOverdue) as raised:
        mark_default(ledger, parties.seller, receivable.receivable_id)
    assert raised.value.arguments["defaultableAfter"] == receivable.due_at + INITIAL_GRACE


def test_mark_default_of_a_financed_receivable_by_the_bank(ledger, parties, clock):
    _, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    finance_receivable(ledger, parties.seller, parties.bank, receivable)
    clock(receivable.due_at + INITIAL_GRACE - chain_now(ledger) + 60)
    with pytest.raises(reverts.ReceivableLedgerNotHolder):
        mark_default(ledger, parties.seller, receivable.receivable_id)
    mark_default(ledger, parties.bank, receivable.receivable_id)
    defaulted = ledger.receivables.receivable(receivable.receivable_id)
    assert (defaulted.status, defaulted.holder) == (
        ReceivableStatus.DEFAULTED,
        parties.bank.address,
    )


def test_mark_default_reverts_on_a_replayed_signature(ledger, parties, clock):
    _, first = issue_confirmed(
        ledger,
        parties.seller,
        parties.core,
        issued_at=chain_now(ledger) - 60 * DAY,
        due_at=chain_now(ledger) - 40 * DAY,
    )
    _, second = issue_confirmed(
        ledger,
        parties.seller,
        parties.core,
        issued_at=chain_now(ledger) - 60 * DAY,
        due_at=chain_now(ledger) - 40 * DAY,
    )
    mark = MarkDefault(first.receivable_id, 0)
    signature = parties.seller.sign_mark_default(mark, ledger.receivables.domain)
    ledger.receivables.mark_default(mark, signature)
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus):
        ledger.receivables.mark_default(mark, signature)
    stale = MarkDefault(second.receivable_id, 0)
    with pytest.raises(reverts.ReceivableLedgerInvalidNonce):
        ledger.receivables.mark_default(
            stale, parties.seller.sign_mark_default(stale, ledger.receivables.domain)
        )


def test_nothing_moves_after_defaulted(ledger, parties):
    _, receivable = issue_confirmed(
        ledger,
        parties.seller,
        parties.core,
        issued_at=chain_now(ledger) - 60 * DAY,
        due_at=chain_now(ledger) - 40 * DAY,
    )
    mark_default(ledger, parties.seller, receivable.receivable_id)
    terms = make_finance(ledger, parties.seller, parties.bank, receivable)
    domain = ledger.receivables.domain
    attempts = {
        "split": lambda: split_receivable(
            ledger, parties.seller, receivable.receivable_id, [(parties.tier2, receivable.amount)]
        ),
        "finance": lambda: ledger.receivables.finance(
            terms,
            parties.seller.sign_finance(terms, domain),
            parties.bank.sign_finance(terms, domain),
        ),
        "settle": lambda: settle_receivable(ledger, parties.seller, receivable),
        "default": lambda: mark_default(ledger, parties.seller, receivable.receivable_id),
    }
    for name, attempt in attempts.items():
        with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
            attempt()
        assert raised.value.arguments["status"] == ReceivableStatus.DEFAULTED, name


# ─────────────────────────────────────────────────────────────── grace period


def test_set_grace_period_applies_to_every_receivable_at_once(ledger, parties):
    _, receivable = issue_confirmed(
        ledger, parties.seller, parties.core, due_at=chain_now(ledger) - 2 * DAY
    )
    assert ledger.receivables.grace_period() == INITIAL_GRACE
    with pytest.raises(reverts.ReceivableLedgerNotOverdue):
        mark_default(ledger, parties.seller, receivable.receivable_id)
    tx = ledger.receivables.set_grace_period(DAY)
    (event,) = _events(ledger, tx, "GracePeriodSet")
    assert dict(event.args) == {"previousGracePeriod": INITIAL_GRACE, "gracePeriod": DAY}
    mark_default(ledger, parties.seller, receivable.receivable_id)


def test_set_grace_period_reverts_beyond_a_year(ledger):
    with pytest.raises(reverts.ReceivableLedgerInvalidGracePeriod):
        ledger.receivables.set_grace_period(366 * DAY)


def test_set_grace_period_reverts_unless_called_by_the_operator(ledger):
    outsider = Ledger(
        ledger.w3, ledger.deployment, ledger.artifacts, Account.from_key(NOT_THE_OPERATOR)
    )
    with pytest.raises(reverts.AccessControlUnauthorizedAccount):
        outsider.receivables.set_grace_period(DAY)
