"""TradeLedger: bounded ERC-1271 checks, one invoice identity per invoice, proposals that release
their document when rejected or expired, and trade payments closed once a receivable exists."""

from __future__ import annotations

import dataclasses
import os

import pytest

from backend.chain import reverts
from backend.chain.contracts import SignedTrade
from backend.chain.wallets import VERIFY_CALL_GAS
from backend.enums import ReceivableStatus, Role, TradeKind, TradeStatus
from backend.relayer.relayer import batch_gas
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Payment, Reject, invoice_key
from tests.factories import (
    DAY,
    advance_time,
    chain_now,
    chain_snapshot,
    create_firm,
    create_multisig_firm,
    issue_confirmed,
    issue_pending,
    make_invoice,
    make_trade,
    sign_both,
)

pytestmark = pytest.mark.chain


def deploy_griefing_wallet(ledger, artifacts, roles=Role.CORE):
    """A registered firm whose ERC-1271 wallet writes state while it approves its owner's
    signatures (contracts/test/TestGriefingWallet.sol)."""
    owner = Signer.create()
    artifact = artifacts["TestGriefingWallet"]
    receipt = ledger.transactor.deploy(artifact.abi, artifact.bytecode, owner.address)
    wallet = str(receipt["contractAddress"])
    ledger.registry.register(wallet, roles, os.urandom(32))
    return wallet, owner


# ─────────────────────────────────────────────────────────────── ERC-1271 gas stipend


def test_record_trades_fails_only_the_item_whose_wallet_burns_its_gas(ledger, artifacts):
    """One firm's hostile wallet used to run the whole batch out of gas (OpenZeppelin's
    SignatureChecker forwards all of it); with the stipend its item fails alone."""
    griefer, owner = deploy_griefing_wallet(ledger, artifacts)
    seller = create_firm(ledger)
    domain = ledger.trades.domain
    honest = []
    for _ in range(5):
        buyer = create_firm(ledger, Role.CORE)
        honest.append(sign_both(ledger, make_trade(seller, buyer), seller, buyer))
    hostile = make_trade(seller, griefer)
    hostile_item = SignedTrade(
        hostile, seller.sign_trade(hostile, domain), owner.sign_trade(hostile, domain)
    )
    items = [*honest[:2], hostile_item, *honest[2:]]

    # The relayer's fixed gas limit for a batch (an estimate would hide the attack: with enough gas
    # the 1/64 a call keeps back covers the rest of the batch).
    result = ledger.trades.record_batch(items, gas=batch_gas(len(items)))

    assert result.recorded == 5
    failed = [outcome for outcome in result.outcomes if not outcome.recorded]
    assert [outcome.index for outcome in failed] == [2]
    assert isinstance(failed[0].error, reverts.TradeLedgerInvalidSignature)
    assert failed[0].error.arguments["signer"] == griefer
    for item in honest:
        assert ledger.trades.status_of(item.trade) == TradeStatus.VERIFIED
    assert ledger.trades.status_of(hostile) == TradeStatus.NONE


def test_record_trade_reverts_with_invalid_signature_when_the_wallet_burns_its_gas(
    ledger, artifacts
):
    griefer, owner = deploy_griefing_wallet(ledger, artifacts)
    seller = create_firm(ledger)
    trade = make_trade(seller, griefer)
    domain = ledger.trades.domain
    signed = SignedTrade(trade, seller.sign_trade(trade, domain), owner.sign_trade(trade, domain))
    call = ledger.trades.contract.functions.recordTrade(*signed.as_tuple())
    with pytest.raises(reverts.TradeLedgerInvalidSignature) as raised:
        ledger.transactor.send(call, gas=400_000)  # the relayer's limit for one transaction
    assert raised.value.arguments["signer"] == griefer


def test_verify_signature_refuses_a_wallet_that_writes_state_and_accepts_a_multisig(
    ledger, artifacts
):
    """The view the API calls decides as the contracts do, under the API's gas cap."""
    griefer, owner = deploy_griefing_wallet(ledger, artifacts)
    multisig = create_multisig_firm(ledger, artifacts)
    digest = os.urandom(32)
    verify = ledger.trades.contract.functions.verifySignature
    cap = {"gas": VERIFY_CALL_GAS}
    assert verify(griefer, digest, owner.sign_digest(digest)).call(cap) is False
    assert verify(multisig.address, digest, multisig.sign_digest(digest)).call(
        {"gas": VERIFY_CALL_GAS}
    )
    assert ledger.trades.verify_signature(griefer, digest, owner.sign_digest(digest)) is False
    assert ledger.trades.verify_signature(multisig.address, digest, multisig.sign_digest(digest))


# ─────────────────────────────────────────────────────────────── invoice identity


def test_record_trade_reverts_when_the_invoice_is_recorded_under_another_document(ledger, parties):
    """The classic fraud: the same invoice, one byte of its document changed, signed again."""
    seller, buyer = parties
    key = invoice_key("91350211MA2XYZ1234", "No. 04412345")
    first = make_trade(seller, buyer, invoice_key=key)
    recorded = ledger.trades.record(sign_both(ledger, first, seller, buyer))
    again = dataclasses.replace(first, doc_hash=os.urandom(32))
    with pytest.raises(reverts.TradeLedgerDuplicateInvoice) as raised:
        ledger.trades.record(sign_both(ledger, again, seller, buyer))
    assert raised.value.arguments == {
        "invoiceKey": "0x" + key.hex(),
        "tradeId": "0x" + recorded.trade_id.hex(),
    }
    assert ledger.trades.trade_of_invoice(key) == (recorded.trade_id, TradeStatus.VERIFIED)


def test_record_trade_reverts_when_another_pair_presents_the_same_invoice(ledger, parties):
    seller, buyer = parties
    first = make_trade(seller, buyer)
    ledger.trades.record(sign_both(ledger, first, seller, buyer))
    other_seller, other_buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    again = make_trade(other_seller, other_buyer, invoice_key=first.invoice_key)
    with pytest.raises(reverts.TradeLedgerDuplicateInvoice):
        ledger.trades.propose(again, other_seller.sign_trade(again, ledger.trades.domain))


def test_record_trade_reverts_when_an_invoice_has_no_invoice_key(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer, invoice_key=b"\x00" * 32)
    with pytest.raises(reverts.TradeLedgerInvalidInvoiceKey) as raised:
        ledger.trades.record(sign_both(ledger, trade, seller, buyer))
    assert raised.value.arguments["kind"] == TradeKind.INVOICE


def test_record_trade_reverts_when_an_order_carries_an_invoice_key(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer, kind=TradeKind.ORDER, due_at=0, invoice_key=os.urandom(32))
    with pytest.raises(reverts.TradeLedgerInvalidInvoiceKey):
        ledger.trades.record(sign_both(ledger, trade, seller, buyer))


def test_record_trades_fails_the_item_whose_invoice_is_recorded_already(ledger, parties):
    seller, buyer = parties
    first = make_trade(seller, buyer)
    again = dataclasses.replace(first, doc_hash=os.urandom(32))
    other = make_trade(seller, buyer)
    result = ledger.trades.record_batch(
        [sign_both(ledger, t, seller, buyer) for t in (first, again, other)]
    )
    assert [outcome.recorded for outcome in result.outcomes] == [True, False, True]
    assert isinstance(result.outcomes[1].error, reverts.TradeLedgerDuplicateInvoice)


def test_the_trade_type_hash_includes_the_invoice_key(ledger):
    assert ledger.trades.contract.functions.TRADE_TYPEHASH().call() == ledger.w3.keccak(
        text="Trade(address seller,address buyer,uint8 kind,bytes32 docHash,uint128 amount,"
        "uint16 currency,uint64 issuedAt,uint64 dueAt,bytes32 ref,bytes32 invoiceKey)"
    )


# ─────────────────────────────────────────────────────────────── proposals release documents


def _reject(ledger, buyer, trade_id):
    reject = Reject(trade_id, b"\x07" * 32)
    return ledger.trades.reject(
        trade_id, reject.reason, buyer.sign_reject(reject, ledger.trades.domain)
    )


def test_a_rejected_proposal_releases_its_document_and_invoice_key(ledger, parties):
    seller, buyer = parties
    squat = make_trade(seller, buyer)
    proposed = ledger.trades.propose(squat, seller.sign_trade(squat, ledger.trades.domain))
    _reject(ledger, buyer, proposed.trade_id)

    honest = dataclasses.replace(squat, amount=squat.amount + 1)
    recorded = ledger.trades.record(sign_both(ledger, honest, seller, buyer))

    assert ledger.trades.trade_of_document(squat.doc_hash) == (
        recorded.trade_id,
        TradeStatus.VERIFIED,
    )
    assert ledger.trades.trade_of_invoice(squat.invoice_key)[0] == recorded.trade_id
    assert ledger.trades.status_of(squat) == TradeStatus.REJECTED  # the dispute stays on record


def test_a_rejected_trade_cannot_be_recorded_again_as_it_was(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    proposed = ledger.trades.propose(trade, seller.sign_trade(trade, ledger.trades.domain))
    _reject(ledger, buyer, proposed.trade_id)
    with pytest.raises(reverts.TradeLedgerDuplicateDocument):
        ledger.trades.record(sign_both(ledger, trade, seller, buyer))


def test_an_open_proposal_still_holds_its_document_until_its_ttl(ledger, parties):
    seller, buyer = parties
    ttl = ledger.trades.proposal_ttl
    squat = make_invoice(ledger, seller, buyer)
    with chain_snapshot(ledger):
        ledger.trades.propose(squat, seller.sign_trade(squat, ledger.trades.domain))
        advance_time(ledger, ttl - DAY)
        honest = dataclasses.replace(squat, amount=squat.amount + 1)
        with pytest.raises(reverts.TradeLedgerDuplicateDocument):
            ledger.trades.record(sign_both(ledger, honest, seller, buyer))


def test_an_unanswered_proposal_expires_and_releases_its_document(ledger, parties):
    seller, buyer = parties
    ttl = ledger.trades.proposal_ttl
    squatter = create_firm(ledger)
    squat = make_invoice(ledger, squatter, buyer)
    with chain_snapshot(ledger):
        proposed = ledger.trades.propose(squat, squatter.sign_trade(squat, ledger.trades.domain))
        advance_time(ledger, ttl + 60)
        assert ledger.trades.status_of(squat) == TradeStatus.NONE

        with pytest.raises(reverts.TradeLedgerProposalExpired) as raised:
            ledger.trades.confirm(proposed.trade_id, buyer.sign_trade(squat, ledger.trades.domain))
        assert raised.value.arguments["tradeId"] == "0x" + proposed.trade_id.hex()

        honest = make_invoice(
            ledger, seller, buyer, doc_hash=squat.doc_hash, invoice_key=squat.invoice_key
        )
        recorded = ledger.trades.record(sign_both(ledger, honest, seller, buyer))
        assert ledger.trades.trade_of_document(squat.doc_hash) == (
            recorded.trade_id,
            TradeStatus.VERIFIED,
        )
        # The squatter's proposal can never come back to life.
        with pytest.raises(reverts.TradeLedgerProposalExpired):
            ledger.trades.confirm(proposed.trade_id, buyer.sign_trade(squat, ledger.trades.domain))


def test_the_proposal_ttl_is_thirty_days(ledger):
    assert ledger.trades.proposal_ttl == 30 * DAY


# ─────────────────────────────────────────────────────────────── payments and receivables


def _pay(ledger, seller, trade, amount):
    payment = Payment(trade.trade_id(ledger.trades.domain), amount, chain_now(ledger) - 60)
    return ledger.trades.record_payment(
        trade, payment, seller.sign_payment(payment, ledger.trades.domain)
    )


def test_record_payment_reverts_once_a_receivable_was_issued_from_the_invoice(ledger, parties):
    """A financed invoice is paid by settling its receivable (to the bank), not by the seller
    acknowledging a payment on the trade."""
    seller, core = parties
    invoice, receivable = issue_confirmed(ledger, seller, core)
    with pytest.raises(reverts.TradeLedgerPaidOnReceivable) as raised:
        _pay(ledger, seller, invoice, invoice.amount)
    assert raised.value.arguments["tradeId"] == "0x" + receivable.receivable_id.hex()


def test_record_payment_still_works_on_an_invoice_without_receivable(ledger, parties):
    seller, buyer = parties
    invoice = make_invoice(ledger, seller, buyer)
    ledger.trades.record(sign_both(ledger, invoice, seller, buyer))
    _pay(ledger, seller, invoice, invoice.amount // 2)
    assert ledger.trades.paid_amount(invoice.trade_id(ledger.trades.domain)) == invoice.amount // 2


def test_the_receivable_ledger_is_bound_once_by_the_deployer(ledger):
    assert ledger.trades.contract.functions.receivableLedger().call() == ledger.receivables.address
    with pytest.raises(reverts.TradeLedgerUnauthorizedBinding):
        ledger.transactor.send(
            ledger.trades.contract.functions.bindReceivableLedger(ledger.registry.address)
        )


# ─────────────────────────────────────────────────────────────── answers reach the receivable


def test_confirm_trade_confirms_the_pending_receivable_in_the_same_transaction(ledger, parties):
    seller, core = parties
    invoice, pending = issue_pending(ledger, seller, core)
    ledger.trades.confirm(pending.receivable_id, core.sign_trade(invoice, ledger.trades.domain))
    assert ledger.receivables.receivable(pending.receivable_id).status == (
        ReceivableStatus.CONFIRMED
    )


def test_reject_trade_rejects_the_pending_receivable_in_the_same_transaction(ledger, parties):
    seller, core = parties
    _, pending = issue_pending(ledger, seller, core)
    _reject(ledger, core, pending.receivable_id)
    assert ledger.receivables.receivable(pending.receivable_id).status == (
        ReceivableStatus.REJECTED
    )


def test_trade_answered_reverts_unless_called_by_the_trade_ledger(ledger, parties):
    seller, core = parties
    _, pending = issue_pending(ledger, seller, core)
    with pytest.raises(reverts.ReceivableLedgerNotTradeLedger):
        ledger.transactor.send(
            ledger.receivables.contract.functions.tradeAnswered(
                pending.receivable_id, True, b"\x00" * 32
            )
        )
    assert ledger.receivables.receivable(pending.receivable_id).status == ReceivableStatus.PENDING


def test_sync_rejects_a_pending_receivable_whose_proposal_expired(ledger, parties):
    seller, core = parties
    with chain_snapshot(ledger):
        invoice, pending = issue_pending(ledger, seller, core)
        advance_time(ledger, ledger.trades.proposal_ttl + 60)
        change = ledger.receivables.sync(invoice)
        assert change.status == ReceivableStatus.REJECTED
