"""ReceivableLedger: a bank finances a confirmed receivable once, with the holder's and the bank's
signatures; every way of financing the same claim twice is refused."""

from __future__ import annotations

from dataclasses import replace

import pytest
from web3.logs import DISCARD

from backend.chain import reverts
from backend.enums import ReceivableStatus, Role
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Finance
from tests.factories import (
    DAY,
    advance_time,
    chain_now,
    chain_snapshot,
    create_firm,
    create_parties,
    finance_receivable,
    issue_confirmed,
    issue_pending,
    make_finance,
    settle_receivable,
    sign_both,
    split_receivable,
)

pytestmark = pytest.mark.chain


@pytest.fixture
def parties(ledger):
    return create_parties(ledger)


@pytest.fixture
def confirmed(ledger, parties):
    return issue_confirmed(ledger, parties.seller, parties.core)[1]


def _signatures(ledger, holder: Signer, bank: Signer, terms: Finance) -> tuple[bytes, bytes]:
    domain = ledger.receivables.domain
    return holder.sign_finance(terms, domain), bank.sign_finance(terms, domain)


# ─────────────────────────────────────────────────────────────── finance


def test_finance_makes_the_bank_the_holder(ledger, parties, confirmed):
    terms = make_finance(
        ledger, parties.seller, parties.bank, confirmed, advance=950_000, rate_bps=380
    )
    financing = ledger.receivables.finance(
        terms, *_signatures(ledger, parties.seller, parties.bank, terms)
    )

    financed = ledger.receivables.receivable(confirmed.receivable_id)
    assert (financed.holder, financed.status, financed.financed) == (
        parties.bank.address,
        ReceivableStatus.FINANCED,
        True,
    )
    assert (financed.amount, financed.obligor, financed.due_at) == (
        confirmed.amount,
        confirmed.obligor,
        confirmed.due_at,
    )
    assert ledger.receivables.nonce(parties.seller.address) == 1
    receipt = ledger.w3.eth.get_transaction_receipt(financing.tx.tx_hash)
    (event,) = ledger.receivables.contract.events.ReceivableFinanced().process_receipt(
        receipt, errors=DISCARD
    )
    assert dict(event.args) == {
        "receivableId": confirmed.receivable_id,
        "previousHolder": parties.seller.address,
        "bank": parties.bank.address,
        "amount": confirmed.amount,
        "advance": 950_000,
        "rateBps": 380,
        "nonce": 0,
    }


def test_finance_of_a_child_after_a_transfer(ledger, parties, confirmed):
    (child,) = split_receivable(
        ledger, parties.seller, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
    ).children
    finance_receivable(ledger, parties.tier2, parties.bank, child)
    assert ledger.receivables.receivable(child.receivable_id).holder == parties.bank.address


@pytest.mark.parametrize("bank_kind", ["supplier", "unregistered", "suspended bank"])
def test_finance_reverts_when_the_bank_is_not_an_active_bank(ledger, parties, confirmed, bank_kind):
    if bank_kind == "supplier":
        bank = parties.tier2
    elif bank_kind == "unregistered":
        bank = Signer.create()
    else:
        bank = parties.bank
        ledger.registry.suspend(bank.address)
    error = (
        reverts.ReceivableLedgerUnauthorizedRole
        if bank_kind == "supplier"
        else reverts.ReceivableLedgerInactiveFirm
    )
    with pytest.raises(error) as raised:
        finance_receivable(ledger, parties.seller, bank, confirmed)
    assert raised.value.arguments["firm"] == bank.address


def test_finance_reverts_when_the_advance_exceeds_the_amount(ledger, parties, confirmed):
    with pytest.raises(reverts.ReceivableLedgerAdvanceExceedsAmount) as raised:
        finance_receivable(
            ledger, parties.seller, parties.bank, confirmed, advance=confirmed.amount + 1
        )
    assert raised.value.arguments["advance"] == confirmed.amount + 1


def test_finance_of_the_whole_amount_is_allowed(ledger, parties, confirmed):
    financing = finance_receivable(
        ledger, parties.seller, parties.bank, confirmed, advance=confirmed.amount
    )
    assert financing.advance == confirmed.amount


def test_finance_reverts_on_a_zero_advance(ledger, parties, confirmed):
    with pytest.raises(reverts.ReceivableLedgerZeroAmount):
        finance_receivable(ledger, parties.seller, parties.bank, confirmed, advance=0)


def test_finance_reverts_after_the_deadline(ledger, parties, confirmed):
    deadline = chain_now(ledger) - 1
    with pytest.raises(reverts.ReceivableLedgerExpiredSignature) as raised:
        finance_receivable(ledger, parties.seller, parties.bank, confirmed, deadline=deadline)
    assert raised.value.arguments["deadline"] == deadline


def test_finance_reverts_without_the_banks_signature(ledger, parties, confirmed):
    terms = make_finance(ledger, parties.seller, parties.bank, confirmed)
    holder_signature, _ = _signatures(ledger, parties.seller, parties.bank, terms)
    other_bank = create_firm(ledger, Role.BANK)
    with pytest.raises(reverts.ReceivableLedgerInvalidSignature) as raised:
        ledger.receivables.finance(
            terms, holder_signature, other_bank.sign_finance(terms, ledger.receivables.domain)
        )
    assert raised.value.arguments == {"signer": parties.bank.address}


def test_finance_reverts_without_the_holders_signature(ledger, parties, confirmed):
    terms = make_finance(ledger, parties.seller, parties.bank, confirmed)
    _, bank_signature = _signatures(ledger, parties.seller, parties.bank, terms)
    with pytest.raises(reverts.ReceivableLedgerNotHolder) as raised:
        ledger.receivables.finance(
            terms, parties.bank.sign_finance(terms, ledger.receivables.domain), bank_signature
        )
    assert raised.value.arguments["signer"] == parties.bank.address


def test_finance_reverts_when_the_holder_would_finance_itself(ledger, parties):
    supplier_bank = create_firm(ledger, Role.SUPPLIER | Role.BANK)
    _, receivable = issue_confirmed(ledger, supplier_bank, parties.core)
    with pytest.raises(reverts.ReceivableLedgerSelfFinance):
        finance_receivable(ledger, supplier_bank, supplier_bank, receivable)


def test_finance_reverts_for_a_pending_receivable(ledger, parties):
    _, pending = issue_pending(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
        finance_receivable(ledger, parties.seller, parties.bank, pending)
    assert raised.value.arguments["status"] == ReceivableStatus.PENDING


def test_a_financed_receivable_cannot_be_split_or_transferred(ledger, parties, confirmed):
    finance_receivable(ledger, parties.seller, parties.bank, confirmed)
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
        split_receivable(
            ledger, parties.bank, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
        )
    assert raised.value.arguments["status"] == ReceivableStatus.FINANCED


# ─────────────────────────────────────────────────────────────── financed at most once


def test_finance_reverts_when_the_same_receivable_is_financed_again(ledger, parties, confirmed):
    finance_receivable(ledger, parties.seller, parties.bank, confirmed)
    second_bank = create_firm(ledger, Role.BANK)
    bank_holding = ledger.receivables.receivable(confirmed.receivable_id)
    with pytest.raises(reverts.ReceivableLedgerAlreadyFinanced):
        # even by its new holder, with fresh signatures and the right nonce
        finance_receivable(ledger, parties.bank, second_bank, bank_holding)


def test_finance_reverts_when_a_settled_financed_receivable_is_financed_again(
    ledger, parties, confirmed
):
    finance_receivable(ledger, parties.seller, parties.bank, confirmed)
    settle_receivable(ledger, parties.bank, confirmed)
    with pytest.raises(reverts.ReceivableLedgerAlreadyFinanced):
        finance_receivable(ledger, parties.bank, create_firm(ledger, Role.BANK), confirmed)


def test_finance_reverts_for_a_parent_after_it_was_split(ledger, parties, confirmed):
    children = split_receivable(
        ledger,
        parties.seller,
        confirmed.receivable_id,
        [(parties.seller, 400_000), (parties.tier2, 600_000)],
    ).children
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
        finance_receivable(ledger, parties.seller, parties.bank, confirmed)
    assert raised.value.arguments["status"] == ReceivableStatus.SPLIT
    # its parts can each be financed, and together they are exactly the parent, never more
    for child, holder in zip(children, (parties.seller, parties.tier2), strict=True):
        finance_receivable(ledger, holder, parties.bank, child, advance=child.amount)
    financed = ledger.receivables.receivables([c.receivable_id for c in children])
    assert sum(r.amount for r in financed if r.financed) == confirmed.amount


def test_a_replayed_finance_signature_is_refused(ledger, parties, confirmed):
    terms = make_finance(ledger, parties.seller, parties.bank, confirmed)
    signatures = _signatures(ledger, parties.seller, parties.bank, terms)
    ledger.receivables.finance(terms, *signatures)
    with pytest.raises(reverts.ReceivableLedgerAlreadyFinanced):
        ledger.receivables.finance(terms, *signatures)


def test_a_finance_signature_does_not_carry_over_to_another_receivable(ledger, parties, confirmed):
    _, other = issue_confirmed(ledger, parties.seller, parties.core)
    terms = make_finance(ledger, parties.seller, parties.bank, confirmed)
    signatures = _signatures(ledger, parties.seller, parties.bank, terms)
    with pytest.raises(reverts.ReceivableLedgerInvalidSignature) as raised:
        ledger.receivables.finance(replace(terms, receivable_id=other.receivable_id), *signatures)
    assert raised.value.arguments == {"signer": parties.seller.address}


def test_a_finance_signature_whose_nonce_was_used_meanwhile_is_refused(ledger, parties, confirmed):
    _, other = issue_confirmed(ledger, parties.seller, parties.core)
    terms = make_finance(ledger, parties.seller, parties.bank, confirmed)  # nonce 0
    signatures = _signatures(ledger, parties.seller, parties.bank, terms)
    split_receivable(
        ledger, parties.seller, other.receivable_id, [(parties.tier2, other.amount)]
    )  # uses nonce 0
    with pytest.raises(reverts.ReceivableLedgerInvalidNonce) as raised:
        ledger.receivables.finance(terms, *signatures)
    assert raised.value.arguments == {"signer": parties.seller.address, "nonce": 0, "expected": 1}


def test_the_same_invoice_presented_by_another_seller_is_refused(ledger, parties):
    """The classic fraud: one invoice document, financed twice through two presentations."""
    original, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    accomplice = create_firm(ledger, Role.SUPPLIER)
    copy = replace(original, seller=accomplice.address)
    with pytest.raises(reverts.TradeLedgerDuplicateDocument):
        ledger.trades.record(sign_both(ledger, copy, accomplice, parties.core))
    with pytest.raises(reverts.TradeLedgerDuplicateDocument):
        ledger.trades.propose(copy, accomplice.sign_trade(copy, ledger.trades.domain))
    with pytest.raises(reverts.ReceivableLedgerDuplicateDocument) as raised:
        ledger.receivables.issue(copy)
    assert raised.value.arguments == {
        "docHash": "0x" + original.doc_hash.hex(),
        "tradeId": "0x" + receivable.receivable_id.hex(),
    }


def test_the_same_invoice_issued_again_is_refused(ledger, parties):
    invoice, _ = issue_confirmed(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.ReceivableLedgerAlreadyIssued):
        ledger.receivables.issue(invoice)


def test_financing_terms_expire_with_time(ledger, parties, confirmed):
    """The same signatures are good before the deadline and refused after it."""
    terms = make_finance(
        ledger, parties.seller, parties.bank, confirmed, deadline=chain_now(ledger) + DAY
    )
    signatures = _signatures(ledger, parties.seller, parties.bank, terms)
    with chain_snapshot(ledger):
        advance_time(ledger, DAY + 60)
        with pytest.raises(reverts.ReceivableLedgerExpiredSignature):
            ledger.receivables.finance(terms, *signatures)
    ledger.receivables.finance(terms, *signatures)
    assert ledger.receivables.receivable(confirmed.receivable_id).financed
