"""ReceivableLedger: the holder splits a confirmed receivable and passes the parts down the supply
chain (a transfer is a split with one part). Amounts are never created or destroyed; the parent
never moves again; only the holder moves it."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from web3.logs import DISCARD

from backend.chain import reverts
from backend.chain.receivables import child_id
from backend.enums import ReceivableStatus, Role
from backend.sdk.signer import Signer
from backend.sdk.typed_data import MarkDefault, Settle, Split
from tests.factories import (
    DAY,
    chain_now,
    create_firm,
    create_multisig_firm,
    create_parties,
    issue_confirmed,
    issue_pending,
    make_finance,
    make_split,
    split_receivable,
)

pytestmark = pytest.mark.chain

ZERO = b"\x00" * 32


@pytest.fixture
def parties(ledger):
    return create_parties(ledger)


@pytest.fixture
def confirmed(ledger, parties):
    """A CONFIRMED receivable of 1,000,000 held by the seller, owed by the core enterprise."""
    return issue_confirmed(ledger, parties.seller, parties.core)[1]


def _events(ledger, tx, name):
    receipt = ledger.w3.eth.get_transaction_receipt(tx.tx_hash)
    return list(ledger.receivables.contract.events[name]().process_receipt(receipt, errors=DISCARD))


def _signed(ledger, holder: Signer, split: Split) -> bytes:
    return holder.sign_split(split, ledger.receivables.domain)


# ─────────────────────────────────────────────────────────────── split


def test_split_creates_children_that_keep_obligor_and_due_date(ledger, parties, confirmed):
    parent_id = confirmed.receivable_id
    result = split_receivable(
        ledger, parties.seller, parent_id, [(parties.seller, 300_000), (parties.tier2, 700_000)]
    )

    kept, passed = result.children
    assert [kept.receivable_id, passed.receivable_id] == [
        child_id(parent_id, 0),
        child_id(parent_id, 1),
    ]
    assert (kept.holder, kept.amount, kept.tier) == (parties.seller.address, 300_000, 1)
    assert (passed.holder, passed.amount, passed.tier) == (parties.tier2.address, 700_000, 2)
    for child in (kept, passed):
        assert child == ledger.receivables.receivable(child.receivable_id)
        assert (child.obligor, child.due_at) == (confirmed.obligor, confirmed.due_at)
        assert (child.root_id, child.status) == (parent_id, ReceivableStatus.CONFIRMED)
    parent = ledger.receivables.receivable(parent_id)
    assert (parent.status, parent.amount) == (ReceivableStatus.SPLIT, confirmed.amount)
    assert ledger.receivables.nonce(parties.seller.address) == 1


def test_split_emits_the_split_then_each_child_with_its_parent(ledger, parties, confirmed):
    result = split_receivable(
        ledger,
        parties.seller,
        confirmed.receivable_id,
        [(parties.tier2, 250_000), (parties.tier2, 750_000)],
    )
    (split_event,) = _events(ledger, result.tx, "ReceivableSplit")
    assert dict(split_event.args) == {
        "receivableId": confirmed.receivable_id,
        "holder": parties.seller.address,
        "children": 2,
        "nonce": 0,
    }
    created = _events(ledger, result.tx, "ReceivableCreated")
    assert split_event.logIndex < min(event.logIndex for event in created)
    assert [dict(event.args) for event in created] == [
        {
            "receivableId": child.receivable_id,
            "rootId": confirmed.receivable_id,
            "holder": parties.tier2.address,
            "parentId": confirmed.receivable_id,
            "obligor": confirmed.obligor,
            "amount": child.amount,
            "dueAt": confirmed.due_at,
            "tier": 2,
            "status": ReceivableStatus.CONFIRMED,
        }
        for child in result.children
    ]


def test_split_of_a_child_keeps_the_root_and_goes_one_tier_down(ledger, parties, confirmed):
    (first,) = split_receivable(
        ledger, parties.seller, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
    ).children
    tier3 = create_firm(ledger, Role.SUPPLIER)
    grandchildren = split_receivable(
        ledger, parties.tier2, first.receivable_id, [(tier3, 1), (parties.tier2, first.amount - 1)]
    ).children
    assert [(c.tier, c.root_id) for c in grandchildren] == [
        (3, confirmed.receivable_id),
        (2, confirmed.receivable_id),
    ]
    assert sum(c.amount for c in grandchildren) == confirmed.amount


@pytest.mark.parametrize("off_by", [1, -1])
def test_split_reverts_when_amounts_do_not_sum(ledger, parties, confirmed, off_by):
    parts = [(parties.seller, 400_000), (parties.tier2, 600_000 + off_by)]
    with pytest.raises(reverts.ReceivableLedgerSplitAmountMismatch) as raised:
        split_receivable(ledger, parties.seller, confirmed.receivable_id, parts)
    assert raised.value.arguments["total"] == confirmed.amount + off_by
    assert raised.value.arguments["amount"] == confirmed.amount


def test_split_reverts_on_a_zero_part(ledger, parties, confirmed):
    parts = [(parties.seller, 0), (parties.tier2, confirmed.amount)]
    with pytest.raises(reverts.ReceivableLedgerZeroAmount):
        split_receivable(ledger, parties.seller, confirmed.receivable_id, parts)


@pytest.mark.parametrize("recipients, amounts", [(0, 0), (2, 1), (1, 2)])
def test_split_reverts_when_recipients_and_amounts_do_not_pair(
    ledger, parties, confirmed, recipients, amounts
):
    split = Split(
        confirmed.receivable_id,
        (parties.tier2.address,) * recipients,
        (confirmed.amount,) * amounts,
        0,
    )
    with pytest.raises(reverts.ReceivableLedgerInvalidSplitLength) as raised:
        ledger.receivables.split(split, _signed(ledger, parties.seller, split))
    assert raised.value.arguments == {"recipients": recipients, "amounts": amounts}


def test_split_reverts_when_signed_by_a_firm_other_than_the_holder(ledger, parties, confirmed):
    split = make_split(
        ledger, parties.seller, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
    )
    with pytest.raises(reverts.ReceivableLedgerNotHolder) as raised:
        ledger.receivables.split(split, _signed(ledger, parties.tier2, split))
    assert raised.value.arguments == {
        "receivableId": "0x" + confirmed.receivable_id.hex(),
        "signer": parties.tier2.address,
        "holder": parties.seller.address,
    }


@pytest.mark.parametrize("signature", ["unregistered key", "malformed"])
def test_split_reverts_on_a_signature_that_is_not_the_holders(
    ledger, parties, confirmed, signature
):
    split = make_split(
        ledger, parties.seller, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
    )
    forged = (
        _signed(ledger, Signer.create(), split)
        if signature == "unregistered key"
        else os.urandom(65)
    )
    with pytest.raises(reverts.ReceivableLedgerInvalidSignature) as raised:
        ledger.receivables.split(split, forged)
    assert raised.value.arguments == {"signer": parties.seller.address}


def test_split_reverts_when_the_signed_fields_were_changed(ledger, parties, confirmed):
    split = make_split(
        ledger, parties.seller, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
    )
    signature = _signed(ledger, parties.seller, split)
    thief = create_firm(ledger, Role.SUPPLIER)
    with pytest.raises(reverts.ReceivableLedgerInvalidSignature):
        ledger.receivables.split(replace(split, to=(thief.address,)), signature)


def test_split_reverts_when_replayed(ledger, parties, confirmed):
    split = make_split(
        ledger, parties.seller, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
    )
    signature = _signed(ledger, parties.seller, split)
    ledger.receivables.split(split, signature)
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
        ledger.receivables.split(split, signature)
    assert raised.value.arguments["status"] == ReceivableStatus.SPLIT


def test_split_reverts_on_a_used_nonce(ledger, parties):
    _, first = issue_confirmed(ledger, parties.seller, parties.core)
    _, second = issue_confirmed(ledger, parties.seller, parties.core)
    split_receivable(ledger, parties.seller, first.receivable_id, [(parties.tier2, first.amount)])
    stale = make_split(
        ledger, parties.seller, second.receivable_id, [(parties.tier2, second.amount)], nonce=0
    )
    with pytest.raises(reverts.ReceivableLedgerInvalidNonce) as raised:
        ledger.receivables.split(stale, _signed(ledger, parties.seller, stale))
    assert raised.value.arguments == {"signer": parties.seller.address, "nonce": 0, "expected": 1}


@pytest.mark.parametrize("recipient", ["unregistered", "suspended"])
def test_split_reverts_for_a_recipient_that_is_not_an_active_firm(
    ledger, parties, confirmed, recipient
):
    to = Signer.create() if recipient == "unregistered" else parties.tier2
    if recipient == "suspended":
        ledger.registry.suspend(to.address)
    with pytest.raises(reverts.ReceivableLedgerInactiveFirm) as raised:
        split_receivable(ledger, parties.seller, confirmed.receivable_id, [(to, confirmed.amount)])
    assert raised.value.arguments == {"firm": to.address}


def test_split_reverts_for_a_recipient_outside_the_supply_chain(ledger, parties, confirmed):
    with pytest.raises(reverts.ReceivableLedgerUnauthorizedRole) as raised:
        split_receivable(
            ledger, parties.seller, confirmed.receivable_id, [(parties.bank, confirmed.amount)]
        )
    assert raised.value.arguments == {
        "firm": parties.bank.address,
        "requiredRoles": Role.SUPPLIER | Role.CORE,
    }


def test_split_reverts_when_the_holder_is_suspended(ledger, parties, confirmed):
    ledger.registry.suspend(parties.seller.address)
    with pytest.raises(reverts.ReceivableLedgerInactiveFirm) as raised:
        split_receivable(
            ledger, parties.seller, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
        )
    assert raised.value.arguments == {"firm": parties.seller.address}


def test_split_reverts_for_a_pending_receivable(ledger, parties):
    _, pending = issue_pending(ledger, parties.seller, parties.core)
    with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
        split_receivable(
            ledger, parties.seller, pending.receivable_id, [(parties.tier2, pending.amount)]
        )
    assert raised.value.arguments["status"] == ReceivableStatus.PENDING


def test_split_reverts_for_an_unknown_receivable(ledger, parties):
    with pytest.raises(reverts.ReceivableLedgerUnknownReceivable):
        split_receivable(ledger, parties.seller, os.urandom(32), [(parties.tier2, 1)])


def test_a_split_parent_never_moves_again(ledger, parties, confirmed):
    holder = parties.seller
    split_receivable(ledger, holder, confirmed.receivable_id, [(holder, confirmed.amount)])
    domain = ledger.receivables.domain
    finance = make_finance(ledger, holder, parties.bank, confirmed)
    settle = Settle(confirmed.receivable_id, confirmed.amount, chain_now(ledger), ZERO)
    mark = MarkDefault(confirmed.receivable_id, ledger.receivables.nonce(holder.address))
    attempts = {
        "split": lambda: split_receivable(
            ledger, holder, confirmed.receivable_id, [(holder, confirmed.amount)]
        ),
        "finance": lambda: ledger.receivables.finance(
            finance,
            holder.sign_finance(finance, domain),
            parties.bank.sign_finance(finance, domain),
        ),
        "settle": lambda: ledger.receivables.settle(settle, holder.sign_settle(settle, domain)),
        "default": lambda: ledger.receivables.mark_default(
            mark, holder.sign_mark_default(mark, domain)
        ),
    }
    for name, attempt in attempts.items():
        with pytest.raises(reverts.ReceivableLedgerInvalidStatus) as raised:
            attempt()
        assert raised.value.arguments["status"] == ReceivableStatus.SPLIT, name


# ─────────────────────────────────────────────────────────────── transfer


def test_transfer_passes_the_whole_receivable_one_tier_down(ledger, parties, confirmed):
    result = split_receivable(
        ledger, parties.seller, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
    )
    (moved,) = result.children
    assert (moved.holder, moved.amount, moved.tier) == (parties.tier2.address, confirmed.amount, 2)
    assert ledger.receivables.receivable(confirmed.receivable_id).status == ReceivableStatus.SPLIT
    with pytest.raises(reverts.ReceivableLedgerNotHolder):  # the old holder has no say any more
        split_receivable(
            ledger, parties.seller, moved.receivable_id, [(parties.seller, moved.amount)]
        )


def test_transfer_to_a_contract_wallet_which_then_moves_it_with_its_owners(
    ledger, artifacts, parties, confirmed
):
    wallet = create_multisig_firm(ledger, artifacts, Role.SUPPLIER)
    (held,) = split_receivable(
        ledger, parties.seller, confirmed.receivable_id, [(wallet, confirmed.amount)]
    ).children
    (onward,) = split_receivable(
        ledger, wallet, held.receivable_id, [(parties.tier2, held.amount)]
    ).children
    assert (onward.holder, onward.tier) == (parties.tier2.address, 3)


def test_transfer_reverts_past_the_deepest_tier(ledger, parties, confirmed):
    """Tier 255, the deepest: its holder cannot pass the receivable on (a part it keeps, it can)."""
    holders = [parties.seller, parties.tier2]
    contract, operator, w3 = ledger.receivables.contract, ledger.transactor.account, ledger.w3
    first_nonce, gas_price = w3.eth.get_transaction_count(operator.address), w3.eth.gas_price
    receivable_id, raw = confirmed.receivable_id, []
    for step in range(254):  # all known in advance: presigned, sent in one JSON-RPC batch
        holder, to = holders[step % 2], holders[(step + 1) % 2]
        split = Split(receivable_id, (to.address,), (confirmed.amount,), step // 2)
        call = contract.functions.split(split.as_tuple(), _signed(ledger, holder, split))
        transaction = call.build_transaction(
            {
                "from": operator.address,
                "nonce": first_nonce + step,
                "gas": 300_000,
                "gasPrice": gas_price,
                "chainId": w3.eth.chain_id,
            }
        )
        raw.append(
            (
                "eth_sendRawTransaction",
                ["0x" + operator.sign_transaction(transaction).raw_transaction.hex()],
            )
        )
        receivable_id = child_id(receivable_id, 0)
    hashes = [response["result"] for response in w3.provider.make_batch_request(raw)]
    w3.eth.wait_for_transaction_receipt(hashes[-1], poll_latency=0.01)
    ledger.transactor.reset_nonce()
    assert ledger.receivables.receivable(receivable_id).tier == 255
    holder, to = parties.seller, parties.tier2  # 254 transfers later, back with the seller
    split = Split(receivable_id, (to.address,), (confirmed.amount,), 127)
    with pytest.raises(reverts.ReceivableLedgerTierTooDeep) as raised:
        ledger.receivables.split(split, _signed(ledger, holder, split))
    assert raised.value.arguments["tier"] == 255
    kept = Split(receivable_id, (holder.address,), (confirmed.amount,), 127)
    (same_tier,) = ledger.receivables.split(kept, _signed(ledger, holder, kept)).children
    assert same_tier.tier == 255


def test_due_dates_and_obligor_survive_any_chain_of_transfers(ledger, parties):
    _, confirmed = issue_confirmed(
        ledger, parties.seller, parties.core, due_at=chain_now(ledger) + 7 * DAY
    )
    tier3 = create_firm(ledger, Role.SUPPLIER)
    (a,) = split_receivable(
        ledger, parties.seller, confirmed.receivable_id, [(parties.tier2, confirmed.amount)]
    ).children
    (b,) = split_receivable(ledger, parties.tier2, a.receivable_id, [(tier3, a.amount)]).children
    assert (b.obligor, b.due_at, b.root_id) == (
        confirmed.obligor,
        confirmed.due_at,
        confirmed.receivable_id,
    )
