"""TradeLedger: a trade counts only when both parties signed it, and is recorded exactly once."""

from __future__ import annotations

import dataclasses
import os
import time

import pytest

from backend.chain import reverts
from backend.chain.contracts import SignedTrade
from backend.enums import Role, TradeKind, TradeStatus
from backend.sdk.signer import Signer
from backend.sdk.typed_data import Payment, Reject
from tests.factories import DAY, create_firm, make_trade, sign_both, trade_events

pytestmark = pytest.mark.chain


# ─────────────────────────────────────────────────────────────── recordTrade


def test_record_trade_stores_the_trade_and_emits_everything_an_indexer_needs(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer, ref=os.urandom(32))
    recorded = ledger.trades.record(sign_both(ledger, trade, seller, buyer))
    assert recorded.trade_id == trade.trade_id(ledger.trades.domain)
    assert ledger.trades.status_of(trade) == TradeStatus.VERIFIED
    assert ledger.trades.trade_of_document(trade.doc_hash) == (
        recorded.trade_id,
        TradeStatus.VERIFIED,
    )
    (event,) = trade_events(ledger, recorded.tx, "TradeRecorded")
    assert dict(event.args) == {
        "tradeId": recorded.trade_id,
        "seller": trade.seller,
        "buyer": trade.buyer,
        "kind": 2,
        "docHash": trade.doc_hash,
        "amount": trade.amount,
        "currency": 156,
        "issuedAt": trade.issued_at,
        "dueAt": trade.due_at,
        "ref": trade.ref,
        "invoiceKey": trade.invoice_key,
    }


def test_record_trade_reverts_on_a_malformed_signature(ledger, parties):
    seller, buyer = parties
    signed = sign_both(ledger, make_trade(seller, buyer), seller, buyer)
    with pytest.raises(reverts.TradeLedgerInvalidSignature) as raised:
        ledger.trades.record(dataclasses.replace(signed, seller_signature=os.urandom(65)))
    assert raised.value.arguments == {"signer": seller.address}


def test_record_trade_reverts_when_someone_else_signs_for_the_buyer(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    impostor = Signer.create()
    signed = SignedTrade(
        trade,
        seller.sign_trade(trade, ledger.trades.domain),
        impostor.sign_trade(trade, ledger.trades.domain),
    )
    with pytest.raises(reverts.TradeLedgerInvalidSignature) as raised:
        ledger.trades.record(signed)
    assert raised.value.arguments == {"signer": buyer.address}


def test_record_trade_reverts_when_the_signed_fields_were_changed(ledger, parties):
    seller, buyer = parties
    signed = sign_both(ledger, make_trade(seller, buyer), seller, buyer)
    tampered = dataclasses.replace(signed, trade=dataclasses.replace(signed.trade, amount=10**12))
    with pytest.raises(reverts.TradeLedgerInvalidSignature):
        ledger.trades.record(tampered)


def test_record_trade_reverts_when_replayed(ledger, parties):
    seller, buyer = parties
    signed = sign_both(ledger, make_trade(seller, buyer), seller, buyer)
    recorded = ledger.trades.record(signed)
    with pytest.raises(reverts.TradeLedgerDuplicateDocument) as raised:
        ledger.trades.record(signed)
    assert raised.value.arguments["tradeId"] == "0x" + recorded.trade_id.hex()


def test_record_trade_reverts_when_another_seller_presents_the_same_document(ledger, parties):
    seller, buyer = parties
    first = make_trade(seller, buyer)
    ledger.trades.record(sign_both(ledger, first, seller, buyer))
    other_seller, other_buyer = create_firm(ledger), create_firm(ledger, Role.CORE)
    copy = make_trade(other_seller, other_buyer, doc_hash=first.doc_hash)
    with pytest.raises(reverts.TradeLedgerDuplicateDocument):
        ledger.trades.record(sign_both(ledger, copy, other_seller, other_buyer))


@pytest.mark.parametrize("side", ["seller", "buyer"])
def test_record_trade_reverts_for_an_unregistered_firm(ledger, parties, side):
    seller, buyer = parties
    stranger = Signer.create()
    seller, buyer = (stranger, buyer) if side == "seller" else (seller, stranger)
    with pytest.raises(reverts.TradeLedgerInactiveFirm) as raised:
        ledger.trades.record(sign_both(ledger, make_trade(seller, buyer), seller, buyer))
    assert raised.value.arguments == {"firm": stranger.address}


def test_record_trade_reverts_for_a_suspended_firm_and_works_after_reactivation(ledger, parties):
    seller, buyer = parties
    ledger.registry.suspend(buyer.address)
    trade = make_trade(seller, buyer)
    with pytest.raises(reverts.TradeLedgerInactiveFirm):
        ledger.trades.record(sign_both(ledger, trade, seller, buyer))
    ledger.registry.reactivate(buyer.address)
    ledger.trades.record(sign_both(ledger, trade, seller, buyer))


def test_record_trade_reverts_when_a_party_is_not_a_trader(ledger, parties):
    seller, _ = parties
    bank = create_firm(ledger, Role.BANK)
    with pytest.raises(reverts.TradeLedgerUnauthorizedRole) as raised:
        ledger.trades.record(sign_both(ledger, make_trade(seller, bank), seller, bank))
    assert raised.value.arguments == {"firm": bank.address, "requiredRoles": 3}


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"amount": 0}, "TradeLedgerZeroAmount"),
        ({"currency": 0}, "TradeLedgerInvalidCurrency"),
        ({"issued_at": 1_700_000_000, "due_at": 1_699_999_999}, "TradeLedgerInvalidDueDate"),
        ({"kind": TradeKind.ORDER}, "TradeLedgerInvalidDueDate"),  # an order has no due date
        (
            {"issued_at": int(time.time()) + 2 * DAY, "due_at": int(time.time()) + 40 * DAY},
            "TradeLedgerFutureTimestamp",
        ),
    ],
)
def test_record_trade_reverts_on_invalid_fields(ledger, parties, overrides, error):
    seller, buyer = parties
    trade = make_trade(seller, buyer, **overrides)
    with pytest.raises(reverts.revert_class(error)):
        ledger.trades.record(sign_both(ledger, trade, seller, buyer))


def test_record_trade_reverts_on_self_trade_and_unknown_kind(ledger, parties):
    seller, _ = parties
    self_trade = make_trade(seller, seller)
    with pytest.raises(reverts.TradeLedgerSelfTrade):
        ledger.trades.record(sign_both(ledger, self_trade, seller, seller))
    raw = list(make_trade(seller, parties[1]).as_tuple())
    raw[2] = 3  # no such kind; the SDK itself refuses to build one
    call = ledger.trades.contract.functions.recordTrade(tuple(raw), b"", b"")
    with pytest.raises(reverts.TradeLedgerInvalidKind):
        ledger.transactor.send(call)


# ─────────────────────────────────────────────────────────────── propose / confirm / reject


def test_proposed_trade_is_verified_by_the_buyer_signature(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    domain = ledger.trades.domain
    proposed = ledger.trades.propose(trade, seller.sign_trade(trade, domain))
    assert ledger.trades.status_of(trade) == TradeStatus.PROPOSED
    tx = ledger.trades.confirm(proposed.trade_id, buyer.sign_trade(trade, domain))
    assert ledger.trades.status_of(trade) == TradeStatus.VERIFIED
    (event,) = trade_events(ledger, tx, "TradeConfirmed")
    assert (event.args.tradeId, event.args.buyer) == (proposed.trade_id, buyer.address)


def test_propose_reserves_the_document(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    ledger.trades.propose(trade, seller.sign_trade(trade, ledger.trades.domain))
    with pytest.raises(reverts.TradeLedgerDuplicateDocument):
        ledger.trades.record(sign_both(ledger, trade, seller, buyer))


def test_propose_reverts_on_a_signature_not_from_the_seller(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    with pytest.raises(reverts.TradeLedgerInvalidSignature):
        ledger.trades.propose(trade, buyer.sign_trade(trade, ledger.trades.domain))


def test_confirm_reverts_on_a_signature_not_from_the_buyer(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    domain = ledger.trades.domain
    proposed = ledger.trades.propose(trade, seller.sign_trade(trade, domain))
    with pytest.raises(reverts.TradeLedgerInvalidSignature) as raised:
        ledger.trades.confirm(proposed.trade_id, seller.sign_trade(trade, domain))
    assert raised.value.arguments == {"signer": buyer.address}


def test_confirm_reverts_unless_proposed(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    signed = sign_both(ledger, trade, seller, buyer)
    with pytest.raises(reverts.TradeLedgerInvalidStatus):  # never proposed
        ledger.trades.confirm(trade.trade_id(ledger.trades.domain), signed.buyer_signature)
    proposed = ledger.trades.propose(trade, signed.seller_signature)
    ledger.trades.confirm(proposed.trade_id, signed.buyer_signature)
    with pytest.raises(reverts.TradeLedgerInvalidStatus):  # confirmed already
        ledger.trades.confirm(proposed.trade_id, signed.buyer_signature)


def test_reject_records_the_dispute_and_blocks_confirmation(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    domain = ledger.trades.domain
    proposed = ledger.trades.propose(trade, seller.sign_trade(trade, domain))
    reason = b"short delivery".ljust(32, b"\x00")
    rejection = buyer.sign_reject(Reject(proposed.trade_id, reason), domain)
    tx = ledger.trades.reject(proposed.trade_id, reason, rejection)
    assert ledger.trades.status_of(trade) == TradeStatus.REJECTED
    (event,) = trade_events(ledger, tx, "TradeRejected")
    assert (event.args.buyer, event.args.reason) == (buyer.address, reason)
    with pytest.raises(reverts.TradeLedgerInvalidStatus):
        ledger.trades.confirm(proposed.trade_id, buyer.sign_trade(trade, domain))
    with pytest.raises(reverts.TradeLedgerDuplicateDocument):  # the document stays recorded
        ledger.trades.propose(trade, seller.sign_trade(trade, domain))


def test_reject_reverts_when_the_seller_signs_it(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    domain = ledger.trades.domain
    proposed = ledger.trades.propose(trade, seller.sign_trade(trade, domain))
    with pytest.raises(reverts.TradeLedgerInvalidSignature):
        ledger.trades.reject(
            proposed.trade_id, b"\x00" * 32, seller.sign_reject(Reject(proposed.trade_id), domain)
        )


# ─────────────────────────────────────────────────────────────── payments


@pytest.fixture
def invoice(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer, amount=1_000)
    recorded = ledger.trades.record(sign_both(ledger, trade, seller, buyer))
    return trade, recorded.trade_id


def test_record_payment_accumulates_up_to_the_invoice_amount(ledger, parties, invoice):
    seller, _ = parties
    trade, trade_id = invoice
    domain = ledger.trades.domain
    paid_at = int(time.time()) - DAY
    first = Payment(trade_id, 600, paid_at, os.urandom(32))
    tx = ledger.trades.record_payment(trade, first, seller.sign_payment(first, domain))
    (event,) = trade_events(ledger, tx, "PaymentRecorded")
    assert (event.args.payee, event.args.payer, event.args.amount) == (
        trade.seller,
        trade.buyer,
        600,
    )
    with pytest.raises(reverts.TradeLedgerDuplicatePayment):
        ledger.trades.record_payment(trade, first, seller.sign_payment(first, domain))
    too_much = Payment(trade_id, 401, paid_at, os.urandom(32))
    with pytest.raises(reverts.TradeLedgerOverpayment):
        ledger.trades.record_payment(trade, too_much, seller.sign_payment(too_much, domain))
    rest = Payment(trade_id, 400, paid_at, os.urandom(32))
    ledger.trades.record_payment(trade, rest, seller.sign_payment(rest, domain))
    assert ledger.trades.paid_amount(trade_id) == 1_000


def test_record_payment_reverts_unless_signed_by_the_payee(ledger, parties, invoice):
    _, buyer = parties
    trade, trade_id = invoice
    payment = Payment(trade_id, 10, int(time.time()) - DAY)
    with pytest.raises(reverts.TradeLedgerInvalidSignature):
        ledger.trades.record_payment(
            trade, payment, buyer.sign_payment(payment, ledger.trades.domain)
        )


def test_record_payment_reverts_on_future_time_mismatch_and_non_invoice(ledger, parties, invoice):
    seller, buyer = parties
    trade, trade_id = invoice
    domain = ledger.trades.domain
    future = Payment(trade_id, 10, int(time.time()) + DAY)
    with pytest.raises(reverts.TradeLedgerFutureTimestamp):
        ledger.trades.record_payment(trade, future, seller.sign_payment(future, domain))
    other = Payment(os.urandom(32), 10, int(time.time()) - DAY)
    with pytest.raises(reverts.TradeLedgerPaymentTradeMismatch):
        ledger.trades.record_payment(trade, other, seller.sign_payment(other, domain))
    order = make_trade(seller, buyer, kind=TradeKind.ORDER, due_at=0)
    order_id = ledger.trades.record(sign_both(ledger, order, seller, buyer)).trade_id
    on_order = Payment(order_id, 10, int(time.time()) - DAY)
    with pytest.raises(reverts.TradeLedgerNotAnInvoice):
        ledger.trades.record_payment(order, on_order, seller.sign_payment(on_order, domain))


def test_record_payment_reverts_on_a_trade_not_verified(ledger, parties):
    seller, buyer = parties
    trade = make_trade(seller, buyer)
    domain = ledger.trades.domain
    proposed = ledger.trades.propose(trade, seller.sign_trade(trade, domain))
    payment = Payment(proposed.trade_id, 10, int(time.time()) - DAY)
    with pytest.raises(reverts.TradeLedgerInvalidStatus):
        ledger.trades.record_payment(trade, payment, seller.sign_payment(payment, domain))


# ─────────────────────────────────────────────────────────────── batch


def test_record_trades_records_the_good_items_and_reports_each_bad_one(ledger, parties):
    seller, buyer = parties
    good = [sign_both(ledger, make_trade(seller, buyer), seller, buyer) for _ in range(3)]
    bad_signature = dataclasses.replace(good[0], trade=make_trade(seller, buyer))
    stranger = Signer.create()
    unregistered = sign_both(ledger, make_trade(stranger, buyer), stranger, buyer)
    zero_amount = sign_both(ledger, make_trade(seller, buyer, amount=0), seller, buyer)
    items = [good[0], bad_signature, good[1], good[1], unregistered, zero_amount, good[2]]

    result = ledger.trades.record_batch(items)

    assert [o.recorded for o in result.outcomes] == [True, False, True, False, False, False, True]
    errors = {o.index: type(o.error).__name__ for o in result.outcomes if o.error}
    assert errors == {
        1: "TradeLedgerInvalidSignature",
        3: "TradeLedgerDuplicateDocument",  # the same item twice in one batch
        4: "TradeLedgerInactiveFirm",
        5: "TradeLedgerZeroAmount",
    }
    for item, outcome in zip(items, result.outcomes, strict=True):
        assert outcome.trade_id == item.trade.trade_id(ledger.trades.domain)
    for signed in good:
        assert ledger.trades.status_of(signed.trade) == TradeStatus.VERIFIED
    assert ledger.trades.status_of(bad_signature.trade) == TradeStatus.NONE


# ─────────────────────────────────────────────────────────────── ERC-1271 wallets


@pytest.fixture
def multisig(ledger, artifacts):
    """A 2-of-3 contract wallet registered as a core enterprise (maker-checker approval)."""
    owners = sorted((Signer.create() for _ in range(3)), key=lambda s: int(s.address, 16))
    artifact = artifacts["TestMultisigWallet"]
    receipt = ledger.transactor.deploy(
        artifact.abi, artifact.bytecode, [o.address for o in owners], 2
    )
    wallet = receipt["contractAddress"]
    ledger.registry.register(wallet, Role.CORE, os.urandom(32))
    return wallet, owners


def test_a_contract_wallet_signs_as_buyer(ledger, parties, multisig):
    seller, _ = parties
    wallet, owners = multisig
    trade = make_trade(seller, wallet)
    domain = ledger.trades.domain
    approval = owners[0].sign_trade(trade, domain) + owners[2].sign_trade(trade, domain)
    ledger.trades.record(SignedTrade(trade, seller.sign_trade(trade, domain), approval))
    assert ledger.trades.status_of(trade) == TradeStatus.VERIFIED


def test_a_contract_wallet_refuses_one_signature_short_of_its_threshold(ledger, parties, multisig):
    seller, _ = parties
    wallet, owners = multisig
    trade = make_trade(seller, wallet)
    domain = ledger.trades.domain
    with pytest.raises(reverts.TradeLedgerInvalidSignature) as raised:
        ledger.trades.record(
            SignedTrade(
                trade, seller.sign_trade(trade, domain), owners[1].sign_trade(trade, domain)
            )
        )
    assert raised.value.arguments == {"signer": wallet}
