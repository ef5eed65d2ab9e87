"""ReceivableLedger: a receivable is born from an invoice owed by a core enterprise, confirmed by
it (PENDING until it signs), or rejected by it."""

from __future__ import annotations

import os

import pytest
from eth_account import Account
from web3.logs import DISCARD

from backend.chain import reverts
from backend.chain.contracts import Ledger
from backend.enums import ReceivableStatus, Role, TradeKind, TradeStatus
from backend.sdk.typed_data import Payment, Reject
from tests.factories import (
    DAY,
    chain_now,
    create_firm,
    create_multisig_firm,
    create_parties,
    issue_confirmed,
    issue_pending,
    make_invoice,
    sign_both,
)

pytestmark = pytest.mark.chain

ZERO = b"\x00" * 32
# anvil's second development key: another relayer than the operator (public, test only)
OTHER_RELAYER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"


@pytest.fixture
def parties(ledger):
    return create_parties(ledger)


def _events(ledger, tx, name):
    receipt = ledger.w3.eth.get_transaction_receipt(tx.tx_hash)
    return list(ledger.receivables.contract.events[name]().process_receipt(receipt, errors=DISCARD))


def _other_relayer(ledger: Ledger) -> Ledger:
    return Ledger(
        ledger.w3, ledger.deployment, ledger.artifacts, Account.from_key(OTHER_RELAYER_KEY)
    )


# ─────────────────────────────────────────────────────────────── issue


def test_issue_of_a_verified_invoice_to_a_core_enterprise_is_confirmed(ledger, parties):
    invoice = make_invoice(ledger, parties.seller, parties.core)
    ledger.trades.record(sign_both(ledger, invoice, parties.seller, parties.core))
    issued = ledger.receivables.issue(invoice)

    receivable_id = invoice.trade_id(ledger.trades.domain)
    assert issued.receivable == ledger.receivables.receivable(receivable_id)
    assert issued.receivable.status == ReceivableStatus.CONFIRMED
    assert (issued.receivable.holder, issued.receivable.obligor) == (invoice.seller, invoice.buyer)
    assert (issued.receivable.amount, issued.receivable.due_at) == (invoice.amount, invoice.due_at)
    assert (issued.receivable.root_id, issued.receivable.tier) == (receivable_id, 1)
    (event,) = _events(ledger, issued.tx, "ReceivableCreated")
    assert dict(event.args) == {
        "receivableId": receivable_id,
        "rootId": receivable_id,
        "holder": invoice.seller,
        "parentId": ZERO,
        "obligor": invoice.buyer,
        "amount": invoice.amount,
        "dueAt": invoice.due_at,
        "tier": 1,
        "status": ReceivableStatus.CONFIRMED,
    }


def test_issue_of_an_invoice_the_core_enterprise_has_not_signed_is_pending(ledger, parties):
    _, receivable = issue_pending(ledger, parties.seller, parties.core)
    assert receivable.status == ReceivableStatus.PENDING
    assert ledger.receivables.receivable(receivable.receivable_id) == receivable


def test_issue_reverts_when_issued_already_whoever_submits_it(ledger, parties):
    invoice, receivable = issue_confirmed(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.ReceivableLedgerAlreadyIssued) as raised:
        _other_relayer(ledger).receivables.issue(invoice)
    assert raised.value.arguments == {
        "receivableId": "0x" + receivable.receivable_id.hex(),
        "status": ReceivableStatus.CONFIRMED,
    }


def test_issue_reverts_for_an_order(ledger, parties):
    order = make_invoice(ledger, parties.seller, parties.core, kind=TradeKind.ORDER, due_at=0)
    ledger.trades.record(sign_both(ledger, order, parties.seller, parties.core))
    with pytest.raises(reverts.ReceivableLedgerNotAnInvoice) as raised:
        ledger.receivables.issue(order)
    assert raised.value.arguments["kind"] == TradeKind.ORDER


def test_issue_reverts_when_the_buyer_is_not_a_core_enterprise(ledger, parties):
    invoice = make_invoice(ledger, parties.tier2, parties.seller)
    ledger.trades.record(sign_both(ledger, invoice, parties.tier2, parties.seller))
    with pytest.raises(reverts.ReceivableLedgerUnauthorizedRole) as raised:
        ledger.receivables.issue(invoice)
    assert raised.value.arguments == {"firm": parties.seller.address, "requiredRoles": Role.CORE}


@pytest.mark.parametrize("side", ["buyer", "seller"])
def test_issue_reverts_when_a_party_is_suspended(ledger, parties, side):
    invoice = make_invoice(ledger, parties.seller, parties.core)
    ledger.trades.record(sign_both(ledger, invoice, parties.seller, parties.core))
    suspended = invoice.buyer if side == "buyer" else invoice.seller
    ledger.registry.suspend(suspended)
    with pytest.raises(reverts.ReceivableLedgerInactiveFirm) as raised:
        ledger.receivables.issue(invoice)
    assert raised.value.arguments == {"firm": suspended}


def test_issue_reverts_for_an_invoice_not_on_the_trade_ledger(ledger, parties):
    invoice = make_invoice(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.ReceivableLedgerInvalidTradeStatus) as raised:
        ledger.receivables.issue(invoice)
    assert raised.value.arguments["status"] == TradeStatus.NONE


def test_issue_reverts_for_an_invoice_the_buyer_rejected(ledger, parties):
    invoice = make_invoice(ledger, parties.seller, parties.core)
    proposed = ledger.trades.propose(
        invoice, parties.seller.sign_trade(invoice, ledger.trades.domain)
    )
    reject = Reject(proposed.trade_id, b"\x01" * 32)
    ledger.trades.reject(
        proposed.trade_id, reject.reason, parties.core.sign_reject(reject, ledger.trades.domain)
    )
    with pytest.raises(reverts.ReceivableLedgerInvalidTradeStatus) as raised:
        ledger.receivables.issue(invoice)
    assert raised.value.arguments["status"] == TradeStatus.REJECTED


def test_issue_reverts_when_a_payment_was_recorded_against_the_invoice(ledger, parties):
    invoice = make_invoice(ledger, parties.seller, parties.core)
    recorded = ledger.trades.record(sign_both(ledger, invoice, parties.seller, parties.core))
    payment = Payment(recorded.trade_id, 1, chain_now(ledger) - DAY, os.urandom(32))
    ledger.trades.record_payment(
        invoice, payment, parties.seller.sign_payment(payment, ledger.trades.domain)
    )
    with pytest.raises(reverts.ReceivableLedgerInvoicePaid) as raised:
        ledger.receivables.issue(invoice)
    assert raised.value.arguments["paid"] == 1


# ─────────────────────────────────────────────────────────────── confirm


def test_confirm_makes_a_pending_receivable_confirmed_and_verifies_its_trade(ledger, parties):
    invoice, pending = issue_pending(ledger, parties.seller, parties.core)
    signature = parties.core.sign_trade(invoice, ledger.trades.domain)
    change = ledger.receivables.confirm(pending.receivable_id, signature)

    assert change.status == ReceivableStatus.CONFIRMED
    assert change.obligor == parties.core.address
    assert ledger.receivables.receivable(pending.receivable_id).status == ReceivableStatus.CONFIRMED
    assert ledger.trades.status_of(invoice) == TradeStatus.VERIFIED
    (event,) = _events(ledger, change.tx, "ReceivableConfirmed")
    assert dict(event.args) == {
        "receivableId": pending.receivable_id,
        "obligor": parties.core.address,
    }


def test_confirm_by_a_core_enterprise_with_a_multisig_contract_wallet(ledger, artifacts, parties):
    wallet = create_multisig_firm(ledger, artifacts, Role.CORE)
    invoice, pending = issue_pending(ledger, parties.seller, wallet)
    approval = wallet.sign_trade(invoice, ledger.trades.domain)  # two owners of three
    ledger.receivables.confirm(pending.receivable_id, approval)
    confirmed = ledger.receivables.receivable(pending.receivable_id)
    assert (confirmed.status, confirmed.obligor) == (ReceivableStatus.CONFIRMED, wallet.address)


def test_confirm_reverts_when_a_wallet_approval_is_one_owner_short(ledger, artifacts, parties):
    wallet = create_multisig_firm(ledger, artifacts, Role.CORE)
    invoice, pending = issue_pending(ledger, parties.seller, wallet)
    one_owner = wallet.owners[0].sign_trade(invoice, ledger.trades.domain)
    with pytest.raises(reverts.TradeLedgerInvalidSignature) as raised:
        ledger.receivables.confirm(pending.receivable_id, one_owner)
    assert raised.value.arguments == {"signer": wallet.address}


@pytest.mark.parametrize("who", ["seller", "another core enterprise"])
def test_confirm_reverts_when_signed_by_a_firm_other_than_the_obligor(ledger, parties, who):
    invoice, pending = issue_pending(ledger, parties.seller, parties.core)
    signer = parties.seller if who == "seller" else create_firm(ledger, Role.CORE)
    with pytest.raises(reverts.ReceivableLedgerNotObligor) as raised:
        ledger.receivables.confirm(
            pending.receivable_id, signer.sign_trade(invoice, ledger.trades.domain)
        )
    assert raised.value.arguments == {
        "receivableId": "0x" + pending.receivable_id.hex(),
        "signer": signer.address,
        "obligor": parties.core.address,
    }


def test_confirm_reverts_on_a_malformed_signature(ledger, parties):
    _, pending = issue_pending(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.TradeLedgerInvalidSignature):
        ledger.receivables.confirm(pending.receivable_id, os.urandom(65))


def test_confirm_reverts_unless_pending(ledger, parties):
    invoice, confirmed = issue_confirmed(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
        ledger.receivables.confirm(
            confirmed.receivable_id, parties.core.sign_trade(invoice, ledger.trades.domain)
        )
    assert raised.value.arguments["status"] == ReceivableStatus.CONFIRMED


def test_confirm_reverts_for_an_unknown_receivable(ledger, parties):
    with pytest.raises(reverts.ReceivableLedgerUnknownReceivable):
        ledger.receivables.confirm(os.urandom(32), os.urandom(65))


def test_confirm_reverts_when_the_obligor_is_no_longer_a_core_enterprise(ledger, parties):
    invoice, pending = issue_pending(ledger, parties.seller, parties.core)
    ledger.registry.set_roles(parties.core.address, Role.SUPPLIER)
    with pytest.raises(reverts.ReceivableLedgerUnauthorizedRole):
        ledger.receivables.confirm(
            pending.receivable_id, parties.core.sign_trade(invoice, ledger.trades.domain)
        )


# ─────────────────────────────────────────────────────────────── reject


def test_reject_makes_a_pending_receivable_rejected_and_rejects_its_trade(ledger, parties):
    invoice, pending = issue_pending(ledger, parties.seller, parties.core)
    reason = b"wrong quantity".ljust(32, b"\x00")
    signature = parties.core.sign_reject(
        Reject(pending.receivable_id, reason), ledger.trades.domain
    )
    change = ledger.receivables.reject(pending.receivable_id, reason, signature)

    assert (change.status, change.reason) == (ReceivableStatus.REJECTED, reason)
    assert ledger.receivables.receivable(pending.receivable_id).status == ReceivableStatus.REJECTED
    assert ledger.trades.status_of(invoice) == TradeStatus.REJECTED


def test_reject_reverts_when_signed_by_the_seller(ledger, parties):
    _, pending = issue_pending(ledger, parties.seller, parties.core)
    reject = Reject(pending.receivable_id, ZERO)
    with pytest.raises(reverts.ReceivableLedgerNotObligor):
        ledger.receivables.reject(
            pending.receivable_id, ZERO, parties.seller.sign_reject(reject, ledger.trades.domain)
        )


def test_reject_reverts_unless_pending(ledger, parties):
    _, confirmed = issue_confirmed(ledger, parties.seller, parties.core)
    reject = Reject(confirmed.receivable_id, ZERO)
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus):
        ledger.receivables.reject(
            confirmed.receivable_id, ZERO, parties.core.sign_reject(reject, ledger.trades.domain)
        )


def test_a_rejected_receivable_can_never_be_confirmed(ledger, parties):
    invoice, pending = issue_pending(ledger, parties.seller, parties.core)
    reject = Reject(pending.receivable_id, ZERO)
    ledger.receivables.reject(
        pending.receivable_id, ZERO, parties.core.sign_reject(reject, ledger.trades.domain)
    )
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
        ledger.receivables.confirm(
            pending.receivable_id, parties.core.sign_trade(invoice, ledger.trades.domain)
        )
    assert raised.value.arguments["status"] == ReceivableStatus.REJECTED


# ─────────────────────────────────────────────────────────────── sync


def test_sync_confirms_once_the_obligor_is_a_core_enterprise_again(ledger, parties):
    """A confirmation on the trade ledger reaches the receivable in the same transaction
    (``tradeAnswered``), unless the obligor was not an active core enterprise then: the receivable
    stays PENDING until ``sync`` finds it one again."""
    invoice, pending = issue_pending(ledger, parties.seller, parties.core)
    ledger.registry.set_roles(parties.core.address, Role.SUPPLIER)
    ledger.trades.confirm(
        pending.receivable_id, parties.core.sign_trade(invoice, ledger.trades.domain)
    )
    assert ledger.receivables.receivable(pending.receivable_id).status == ReceivableStatus.PENDING
    ledger.registry.set_roles(parties.core.address, Role.CORE)
    with pytest.raises(reverts.TradeLedgerInvalidStatus):  # confirming again is refused ...
        ledger.receivables.confirm(
            pending.receivable_id, parties.core.sign_trade(invoice, ledger.trades.domain)
        )
    change = ledger.receivables.sync(invoice)  # ... syncing brings the receivable in line
    assert change.status == ReceivableStatus.CONFIRMED
    assert ledger.receivables.receivable(pending.receivable_id).status == ReceivableStatus.CONFIRMED


def test_a_rejection_on_the_trade_ledger_rejects_the_receivable_at_once(ledger, parties):
    invoice, pending = issue_pending(ledger, parties.seller, parties.core)
    reject = Reject(pending.receivable_id, b"\x02" * 32)
    ledger.trades.reject(
        pending.receivable_id, reject.reason, parties.core.sign_reject(reject, ledger.trades.domain)
    )
    assert ledger.receivables.receivable(pending.receivable_id).status == ReceivableStatus.REJECTED
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus):  # nothing left to sync
        ledger.receivables.sync(invoice)


def test_sync_reverts_while_the_trade_awaits_its_buyer(ledger, parties):
    invoice, _ = issue_pending(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.ReceivableLedgerInvalidTradeStatus) as raised:
        ledger.receivables.sync(invoice)
    assert raised.value.arguments["status"] == TradeStatus.PROPOSED


def test_sync_reverts_unless_pending(ledger, parties):
    invoice, _ = issue_confirmed(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus):
        ledger.receivables.sync(invoice)
