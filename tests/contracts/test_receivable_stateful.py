"""ReceivableLedger against its reference model: random sequences of operations on a real anvil.

A Hypothesis rule-based state machine issues invoices, confirms and rejects them, splits, transfers,
finances, settles and defaults receivables, moves the chain's clock and suspends firms, with valid
and invalid inputs mixed. Before each step the plain-Python model (``receivable_model.py``) says
what must happen: the transition, or the custom error (with its arguments) the chain must refuse
with. After each step the chain's receivables must equal the model's, and the invariants must
hold on the chain's data: under each root, the live (unsplit) receivables add up to the root's
amount; no receivable is financed twice, nor with a financed ancestor.

Examples are independent: each starts from an ``evm_snapshot`` of one deployment with its firms
registered. ``scripts/receivable_campaign.py`` runs the same machine for a long campaign.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

import pytest
from eth_account import Account
from eth_utils import keccak
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from web3 import Web3

from backend.chain.compiler import Artifact
from backend.chain.contracts import Ledger, SignedTrade
from backend.chain.receivables import Receivable
from backend.chain.reverts import ContractRevert
from backend.enums import ReceivableStatus, Role, TradeKind
from backend.firms.credit_code import credit_code_hash
from backend.sdk.signer import Signer
from backend.sdk.typed_data import (
    Finance,
    MarkDefault,
    Payment,
    Reject,
    Settle,
    Split,
    Trade,
)
from backend.settings import DEVELOPMENT_OPERATOR_KEY
from tests.contracts.receivable_model import (
    DAY,
    OUTSTANDING,
    PROPOSAL_TTL,
    ZERO_ID,
    Firm,
    Node,
    ReceivableModel,
    Refused,
    Status,
    TradeRecord,
    TradeStatus,
)
from tests.factories import CNY, create_multisig_firm, new_credit_code

pytestmark = pytest.mark.chain

HOUR = 3_600
# Business times are drawn half an hour off whole hours, the clock moves in whole hours, so a time
# check is never decided by the few seconds between reading the clock and mining the transaction.
HALF_HOUR = 1_800
MARGIN = 10 * 60
# Derandomized: CI runs the same bounded set of examples every time (so that the check that the
# interesting transitions were reached cannot flake); the campaign script explores at random.
CI_SETTINGS = settings(
    max_examples=25,
    stateful_step_count=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
T = TypeVar("T")


# ─────────────────────────────────────────────────────────────── the world


@dataclass
class Actor:
    name: str
    signer: Signer
    roles: Role | None  # None: never registered
    contract: bool = False

    @property
    def address(self) -> str:
        return self.signer.address


@dataclass
class World:
    """One deployment with its firms, and a snapshot each example starts from."""

    w3: Web3
    ledger: Ledger
    actors: dict[str, Actor]
    base: str = ""  # the chain before the deployment
    start: str = ""  # the chain with the deployment and its firms
    by_address: dict[str, Actor] = field(default_factory=dict)

    @classmethod
    def build(cls, w3: Web3, artifacts: dict[str, Artifact]) -> World:
        base = _rpc(w3, "evm_snapshot")
        operator = Account.from_key(DEVELOPMENT_OPERATOR_KEY)
        ledger = Ledger.deploy_new(w3, artifacts, operator)
        actors: dict[str, Actor] = {}
        plan = [
            ("core", Role.CORE),
            ("s1", Role.SUPPLIER),
            ("s2", Role.SUPPLIER),
            ("s3", Role.SUPPLIER),
            ("s4", Role.SUPPLIER | Role.CORE),
            ("bank1", Role.BANK),
            ("bank2", Role.BANK),
            ("oracle", Role.ORACLE),
        ]
        for index, (name, roles) in enumerate(plan):
            signer = Signer.from_key(keccak(text=f"receivable-machine-{index}"))
            ledger.registry.register(signer.address, roles, credit_code_hash(new_credit_code()))
            actors[name] = Actor(name, signer, roles)
        wallet = create_multisig_firm(ledger, artifacts, Role.CORE)
        actors["wallet"] = Actor("wallet", wallet, Role.CORE, contract=True)
        actors["outsider"] = Actor("outsider", Signer.from_key(keccak(text="outsider")), None)
        world = cls(w3, ledger, actors, base=base)
        world.by_address = {actor.address: actor for actor in actors.values()}
        world.start = _rpc(w3, "evm_snapshot")
        return world

    def restore(self) -> None:
        """Back to the start (a snapshot is used up by reverting to it: take it again)."""
        assert _rpc(self.w3, "evm_revert", [self.start]) is True
        self.start = _rpc(self.w3, "evm_snapshot")
        self.ledger.transactor.reset_nonce()

    def close(self) -> None:
        """Back to the chain before the deployment (its time included)."""
        _rpc(self.w3, "evm_revert", [self.base])
        self.ledger.transactor.reset_nonce()

    def model_firms(self) -> list[Firm]:
        return [
            Firm(actor.address, int(actor.roles), contract=actor.contract)
            for actor in self.actors.values()
            if actor.roles is not None
        ]


def _rpc(w3: Web3, method: str, params: list[Any] | None = None) -> Any:
    response = w3.provider.make_request(method, params or [])  # type: ignore[arg-type]
    assert "error" not in response, response
    return response["result"]


SELLERS = ["s1", "s2", "s3", "s4", "core", "oracle", "outsider"]
BUYERS = ["core", "wallet", "s4", "s2", "bank1"]
TRADERS = ["s1", "s2", "s3", "s4", "core", "wallet"]
NOT_RECIPIENTS = ["bank1", "oracle", "outsider"]
SUSPENDABLE = ["s1", "core", "bank1", "wallet"]
SIGNATURE_FLAWS = ["nonce", "signer"]


# ─────────────────────────────────────────────────────────────── the machine


class ReceivableMachine(RuleBasedStateMachine):
    """Drives the chain and the model side by side; see the module docstring.

    Each operation draws at most one flaw (mostly none): sound operations move receivables
    along their lifecycle, flawed ones must be refused with the error the model names. Which
    operations run at all is Hypothesis's choice, so some examples leave whole rules out.
    """

    world: ClassVar[World]
    stats: ClassVar[Counter[str]] = Counter()
    examples: ClassVar[int] = 0
    steps: ClassVar[int] = 0

    def __init__(self) -> None:
        super().__init__()
        self.world.restore()
        self.ledger = self.world.ledger
        self.receivables = self.ledger.receivables
        self.model = ReceivableModel(self.world.model_firms())
        self.invoices: dict[bytes, Trade] = {}
        self.records: dict[bytes, TradeRecord] = {}
        self.serial = 0
        type(self).examples += 1

    # ─────────────────────────────────────────────────── invoices and the trade ledger

    @rule(data=st.data())
    def invoice(self, data: st.DataObject) -> None:
        """Mostly a supplier's invoice to a core enterprise, recorded and issued at once; now and
        then a wild one (any parties, an order, a document recorded already) that is not."""
        wild = data.draw(st.sampled_from([False, False, False, True]), label="wild")
        if wild:
            seller = self.world.actors[data.draw(st.sampled_from(SELLERS), label="seller")]
            buyers = [name for name in BUYERS if name != seller.name]
            kind = data.draw(st.sampled_from([TradeKind.INVOICE, TradeKind.ORDER]), label="kind")
        else:
            seller = self.world.actors[data.draw(st.sampled_from(["s1", "s2", "s3", "s4"]))]
            buyers = [name for name in ("core", "wallet", "s4") if name != seller.name]
            kind = TradeKind.INVOICE
        buyer = self.world.actors[data.draw(st.sampled_from(buyers), label="buyer")]
        tiny = data.draw(st.sampled_from([False, False, False, True]), label="tiny")
        amount = data.draw(st.integers(1, 6) if tiny else st.integers(1, 10**12), label="amount")
        due_days = data.draw(st.sampled_from([30, 60, 1, 10, -10, -40]), label="due_days")
        buyer_signs = data.draw(st.booleans(), label="buyer_signs")
        if wild and self.records and data.draw(st.booleans(), label="same_document"):
            # The same document again, from whoever: the classic double-financing fraud.
            documents = sorted(record.doc_hash for record in self.records.values())
            document = data.draw(st.sampled_from(documents), label="document")
        else:
            self.serial += 1
            document = keccak(text=f"document-{self.serial}")
        now = self._now()
        due_at = now + due_days * DAY + HALF_HOUR if kind == TradeKind.INVOICE else 0
        # An invoice's identity follows its document: the same document is the same invoice.
        key = keccak(b"invoice" + document) if kind == TradeKind.INVOICE else ZERO_ID
        trade = Trade(
            seller.address, buyer.address, kind, document, amount, CNY, now - 90 * DAY, due_at,
            invoice_key=key,
        )  # fmt: skip
        record = self._record(trade, seller, buyer, buyer_signs)
        if not wild and record.trade_id in self.model.trades:
            self._issue(record)

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def trade_ledger(self, data: st.DataObject) -> None:
        """On the trade ledger directly: the buyer confirms or rejects a proposed invoice (its
        receivable must then sync), or the seller records a payment (its invoice can no longer
        become a receivable)."""
        if data.draw(st.sampled_from([False, False, False, True]), label="pay"):
            self._pay(data)
            return
        proposed = [r for r in self.records.values() if r.proposal_status == TradeStatus.PROPOSED]
        record = self._prefer(data, proposed, list(self.records.values()))
        buyer = self.world.by_address[record.buyer]
        confirm = data.draw(st.booleans(), label="confirm")
        if confirm:
            signature = buyer.signer.sign_digest(record.trade_id)
            act: Callable[[], Any] = lambda: self.ledger.trades.confirm(record.trade_id, signature)  # noqa: E731
        else:
            signature = buyer.signer.sign_reject(Reject(record.trade_id), self.ledger.trades.domain)
            act = lambda: self.ledger.trades.reject(record.trade_id, ZERO_ID, signature)  # noqa: E731
        self._run(
            "trade_ledger_confirm" if confirm else "trade_ledger_reject",
            lambda: self.model.answer_trade(record, confirm=confirm, signer=record.buyer),
            act,
        )

    # ─────────────────────────────────────────────────── receivables

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def issue(self, data: st.DataObject) -> None:
        """Issue any recorded (or refused) trade: a second issue, an order, a duplicate document,
        a rejected or paid invoice, a non-core buyer are all refused."""
        fresh = [r for r in self.records.values() if r.trade_id not in self.model.nodes]
        self._issue(self._prefer(data, fresh, list(self.records.values())))

    @precondition(lambda self: self.records)
    @rule(data=st.data())
    def sync(self, data: st.DataObject) -> None:
        pending = [r for r in self.records.values() if r.trade_id in self._ids(Status.PENDING)]
        record = self._prefer(data, pending, list(self.records.values()))
        self._run(
            "sync",
            lambda: self.model.sync(record),
            lambda: self.receivables.sync(self.invoices[record.trade_id]),
        )

    @precondition(lambda self: self._ids(Status.PENDING))
    @rule(data=st.data())
    def answer(self, data: st.DataObject) -> None:
        """The obligor confirms or rejects a PENDING receivable (or someone else tries to)."""
        receivable_id = self._pick_receivable(data, Status.PENDING)
        signer = self._pick_signer(data, self._party(receivable_id, "obligor"))
        if not data.draw(st.sampled_from([False, False, False, True]), label="reject"):
            signature = signer.signer.sign_digest(receivable_id)  # the invoice's trade id
            self._run(
                "confirm",
                lambda: self.model.confirm(receivable_id, signer.address),
                lambda: self.receivables.confirm(receivable_id, signature),
            )
            return
        reason = keccak(text="goods not received")
        reject = Reject(receivable_id, reason)
        signature = signer.signer.sign_reject(reject, self.ledger.trades.domain)
        self._run(
            "reject",
            lambda: self.model.reject(receivable_id, signer.address),
            lambda: self.receivables.reject(receivable_id, reason, signature),
        )

    @precondition(lambda self: self._ids(Status.CONFIRMED))
    @rule(data=st.data())
    def split(self, data: st.DataObject) -> None:
        receivable_id = self._pick_receivable(data, Status.CONFIRMED)
        amount = self._amount(receivable_id)
        flaw = self._flaw(data, ["zero", "more", "less", "length", "recipient", *SIGNATURE_FLAWS])
        parts = data.draw(st.integers(2, 5), label="parts")
        recipients = [data.draw(st.sampled_from(TRADERS), label="to") for _ in range(parts)]
        amounts = _partition(data, amount, parts)
        if flaw == "recipient":
            recipients[-1] = data.draw(st.sampled_from(NOT_RECIPIENTS))
        elif flaw == "zero":
            amounts[1] += amounts[0]
            amounts[0] = 0
        elif flaw == "more":
            amounts[-1] += 1
        elif flaw == "less" and amounts[-1] > 0:
            amounts[-1] -= 1
        elif flaw == "length":
            amounts = amounts[:-1]
        self._split("split", data, flaw, receivable_id, recipients, amounts)

    @precondition(lambda self: self._ids(Status.CONFIRMED))
    @rule(data=st.data())
    def transfer(self, data: st.DataObject) -> None:
        receivable_id = self._pick_receivable(data, Status.CONFIRMED)
        flaw = self._flaw(data, ["empty", "recipient", "amount", *SIGNATURE_FLAWS])
        recipients = [data.draw(st.sampled_from(TRADERS), label="to")]
        amounts = [self._amount(receivable_id)]
        if flaw == "empty":
            recipients, amounts = [], []
        elif flaw == "recipient":
            recipients = [data.draw(st.sampled_from(NOT_RECIPIENTS))]
        elif flaw == "amount":
            amounts = [amounts[0] + data.draw(st.sampled_from([1, -1]))]
        self._split("transfer", data, flaw, receivable_id, recipients, amounts)

    @precondition(lambda self: self._ids(Status.CONFIRMED))
    @rule(data=st.data())
    def finance(self, data: st.DataObject) -> None:
        receivable_id = self._pick_receivable(
            data, Status.CONFIRMED, also=lambda node: not node.financed
        )
        amount, holder = self._amount(receivable_id), self._party(receivable_id, "holder")
        flaw = self._flaw(
            data, ["bank", "self", "advance", "expired", "bank_signer", *SIGNATURE_FLAWS]
        )
        bank = self.world.actors[data.draw(st.sampled_from(["bank1", "bank2"]), label="bank")]
        if flaw == "bank":
            bank = self.world.actors[data.draw(st.sampled_from(["s1", "oracle", "outsider"]))]
        elif flaw == "self":
            bank = self.world.by_address[holder]
        advance = data.draw(st.integers(1, amount), label="advance")
        if flaw == "advance":
            advance = data.draw(st.sampled_from([0, amount + 1]))
        now = self._now()
        deadline = now + data.draw(st.sampled_from([DAY, HALF_HOUR]), label="deadline")
        if flaw == "expired":
            deadline = now - data.draw(st.sampled_from([HALF_HOUR, 2 * HOUR]))
        rate_bps = data.draw(st.integers(0, 2_000), label="rate_bps")
        nonce = self._nonce(data, flaw, holder)
        terms = Finance(receivable_id, bank.address, advance, rate_bps, deadline, nonce)
        holder_signer = self._signer(data, flaw, holder)
        bank_signer = self._signer(data, "signer" if flaw == "bank_signer" else "", bank.address)
        domain = self.receivables.domain
        holder_signature = holder_signer.signer.sign_finance(terms, domain)
        bank_signature = bank_signer.signer.sign_finance(terms, domain)
        outcome = self._run(
            "finance",
            lambda: self.model.finance(
                receivable_id,
                bank=bank.address,
                advance=advance,
                deadline=deadline,
                nonce=nonce,
                holder_signer=holder_signer.address,
                bank_signer=bank_signer.address,
                now=now,
            ),
            lambda: self.receivables.finance(terms, holder_signature, bank_signature),
        )
        if outcome is not None:
            _, financing = outcome
            event = (financing.previous_holder, financing.bank, financing.advance)
            assert event == (holder, bank.address, advance), "finance: ReceivableFinanced event"
        self._check_nonce(holder)

    @precondition(lambda self: self._ids(*OUTSTANDING))
    @rule(data=st.data())
    def settle(self, data: st.DataObject) -> None:
        receivable_id = self._pick_receivable(data, *OUTSTANDING)
        amount, holder = self._amount(receivable_id), self._party(receivable_id, "holder")
        flaw = self._flaw(data, ["amount", "future", "signer"])
        if flaw == "amount":
            amount = max(amount + data.draw(st.sampled_from([1, -1])), 0)
        now = self._now()
        offsets = [HOUR, 2 * DAY] if flaw == "future" else [-40 * DAY, -10 * DAY, -HOUR, 0]
        paid_at = now + data.draw(st.sampled_from(offsets), label="paid_at")
        signer = self._signer(data, flaw, holder)
        settlement = Settle(receivable_id, amount, paid_at, keccak(text="bank transfer"))
        signature = signer.signer.sign_settle(settlement, self.receivables.domain)
        outcome = self._run(
            "settle",
            lambda: self.model.settle(
                receivable_id, amount=amount, paid_at=paid_at, signer=signer.address, now=now
            ),
            lambda: self.receivables.settle(settlement, signature),
        )
        if outcome is not None:
            settled, event = outcome
            seen = (event.late_days, event.paid_at, event.amount)
            assert seen == (settled.late_days, paid_at, amount), "settle: ReceivableSettled event"

    @precondition(lambda self: self._ids(*OUTSTANDING))
    @rule(data=st.data())
    def mark_default(self, data: st.DataObject) -> None:
        receivable_id = self._pick_receivable(data, *OUTSTANDING)
        holder = self._party(receivable_id, "holder")
        node = self.model.nodes.get(receivable_id)
        now = self._now()
        if node and abs(now - (node.due_at + self.model.grace_period)) < MARGIN:
            self.stats["mark_default:skipped at the boundary"] += 1
            return
        flaw = self._flaw(data, SIGNATURE_FLAWS)
        mark = MarkDefault(receivable_id, self._nonce(data, flaw, holder))
        signer = self._signer(data, flaw, holder)
        signature = signer.signer.sign_mark_default(mark, self.receivables.domain)
        self._run(
            "mark_default",
            lambda: self.model.mark_default(
                receivable_id, nonce=mark.nonce, signer=signer.address, now=now
            ),
            lambda: self.receivables.mark_default(mark, signature),
        )
        self._check_nonce(holder)

    # ─────────────────────────────────────────────────── the clock, the operator

    @rule(data=st.data())
    def world_changes(self, data: st.DataObject) -> None:
        """Time passes (most often), the operator sets the grace period or suspends a firm."""
        change = data.draw(st.sampled_from(["time"] * 4 + ["grace", "suspension"]))
        if change == "time":
            hours = data.draw(st.sampled_from([1, 12, 24, 7 * 24, 30 * 24, 45 * 24, 90 * 24]))
            _rpc(self.world.w3, "evm_increaseTime", [hours * HOUR])
            _rpc(self.world.w3, "evm_mine")
            self._count("time_passes", None)
        elif change == "grace":
            seconds = data.draw(st.sampled_from([0, 1, 7, 30, 366])) * DAY
            self._run(
                "set_grace_period",
                lambda: self.model.set_grace_period(seconds),
                lambda: self.receivables.set_grace_period(seconds),
            )
        else:
            actor = self.world.actors[data.draw(st.sampled_from(SUSPENDABLE))]
            active = self.model.firms[actor.address].active
            if active:
                self.ledger.registry.suspend(actor.address)
            else:
                self.ledger.registry.reactivate(actor.address)
            self.model.set_active(actor.address, not active)
            self._count("suspend" if active else "reactivate", None)

    # ─────────────────────────────────────────────────── invariants

    @invariant()
    def chain_matches_model(self) -> None:
        ids = list(self.model.nodes)
        if not ids:
            return
        rows = {row.receivable_id: row for row in self.receivables.receivables(ids)}
        for receivable_id, node in self.model.nodes.items():
            assert rows[receivable_id] == _expected(node), f"0x{receivable_id.hex()} differs"
        for root in self.model.roots():
            family = self.model.family(root.receivable_id)
            live = [rows[n.receivable_id] for n in family if n.status != Status.SPLIT]
            assert sum(r.amount for r in live) == rows[root.receivable_id].amount, "amount created"
            financed = [n.receivable_id for n in family if rows[n.receivable_id].financed]
            for receivable_id in financed:
                ancestors = self.model.ancestors(receivable_id)
                assert not any(rows[a].financed for a in ancestors), "financed twice in a family"
            assert sum(rows[f].amount for f in financed) <= rows[root.receivable_id].amount

    # ─────────────────────────────────────────────────── helpers

    def _record(self, trade: Trade, seller: Actor, buyer: Actor, buyer_signs: bool) -> TradeRecord:
        """Record (both signed) or propose (seller only) ``trade`` on the trade ledger."""
        domain = self.ledger.trades.domain
        trade_id = trade.trade_id(domain)
        self.invoices[trade_id] = trade
        record = self.records.setdefault(
            trade_id,
            TradeRecord(
                trade_id,
                trade.doc_hash,
                trade.seller,
                trade.buyer,
                int(trade.kind),
                trade.amount,
                trade.due_at,
                invoice_key=trade.invoice_key,
            ),
        )
        seller_signature = seller.signer.sign_trade(trade, domain)
        if buyer_signs:
            signed = SignedTrade(trade, seller_signature, buyer.signer.sign_trade(trade, domain))
            self._run(
                "record_trade",
                lambda: self.model.record_trade(record, buyer_signed=True),
                lambda: self.ledger.trades.record(signed),
            )
        else:
            outcome = self._run(
                "propose_trade",
                lambda: self.model.record_trade(record, buyer_signed=False),
                lambda: self.ledger.trades.propose(trade, seller_signature),
            )
            if outcome is not None:
                block = self.world.w3.eth.get_block(outcome[1].tx.block_number)
                record.proposed_at = int(block["timestamp"])
        return record

    def _issue(self, record: TradeRecord) -> None:
        trade = self.invoices[record.trade_id]
        outcome = self._run(
            "issue", lambda: self.model.issue(record), lambda: self.receivables.issue(trade)
        )
        if outcome is not None:
            node, issued = outcome
            assert issued.receivable == _expected(node), "issue: ReceivableCreated event"

    def _pay(self, data: st.DataObject) -> None:
        payable = [
            r
            for r in self.model.trades.values()
            if r.status == TradeStatus.VERIFIED
            and r.kind == TradeKind.INVOICE
            and r.paid < r.amount
        ]
        if not payable:
            return
        record = data.draw(st.sampled_from(payable), label="invoice")
        amount = data.draw(st.integers(1, record.amount - record.paid), label="paid")
        self.serial += 1
        payment = Payment(
            record.trade_id, amount, self._now() - DAY, keccak(text=f"payment-{self.serial}")
        )
        seller = self.world.by_address[record.seller]
        signature = seller.signer.sign_payment(payment, self.ledger.trades.domain)
        trade = self.invoices[record.trade_id]
        self._run(
            "trade_ledger_payment",
            lambda: self.model.record_payment(record.trade_id, amount),
            lambda: self.ledger.trades.record_payment(trade, payment, signature),
        )

    def _split(
        self,
        kind: str,
        data: st.DataObject,
        flaw: str,
        receivable_id: bytes,
        recipients: list[str],
        amounts: list[int],
    ) -> None:
        holder = self._party(receivable_id, "holder")
        to = tuple(self.world.actors[name].address for name in recipients)
        split = Split(receivable_id, to, tuple(amounts), self._nonce(data, flaw, holder))
        signer = self._signer(data, flaw, holder)
        signature = signer.signer.sign_split(split, self.receivables.domain)
        outcome = self._run(
            kind,
            lambda: self.model.split(
                receivable_id, list(split.to), list(split.amounts), split.nonce, signer.address
            ),
            lambda: self.receivables.split(split, signature),
        )
        if outcome is not None:
            children, result = outcome
            assert result.children == [_expected(child) for child in children], f"{kind}: events"
        self._check_nonce(holder)

    def _run(
        self, kind: str, predict: Callable[[], T], act: Callable[[], Any]
    ) -> tuple[T, Any] | None:
        """Ask the model, then the chain; they must agree on the outcome, refusal included."""
        self.model.now = self._now()
        if self._near_a_proposal_expiry():
            self.stats[f"{kind}:skipped at a proposal's expiry"] += 1
            return None
        try:
            expected = predict()
        except Refused as refused:
            try:
                act()
            except ContractRevert as error:
                assert error.error_name == refused.error, (
                    f"{kind}: the model expects {refused}, the chain raised {error}"
                )
                for name, value in refused.arguments.items():
                    if value is not None:
                        assert error.arguments[name] == value, f"{kind}: {name} in {error}"
            else:
                raise AssertionError(f"{kind}: the model expects {refused}, the chain accepted")
            self._count(kind, refused.error)
            return None
        try:
            result = act()
        except ContractRevert as error:
            raise AssertionError(f"{kind}: the model accepts, the chain raised {error}") from None
        self._count(kind, None)
        return expected, result

    def _near_a_proposal_expiry(self) -> bool:
        """A proposal expires within a few minutes of now: the seconds between reading the clock
        and mining would decide (the clock moves in whole hours, so this is rare)."""
        return any(
            abs(self.model.now - (t.proposed_at + PROPOSAL_TTL)) < MARGIN
            for t in self.model.trades.values()
            if t.proposal_status == TradeStatus.PROPOSED
        )

    def _count(self, kind: str, error: str | None) -> None:
        type(self).steps += 1
        self.stats[f"{kind}:{error or 'ok'}"] += 1

    def _now(self) -> int:
        return int(self.world.w3.eth.get_block("latest")["timestamp"])

    def _ids(self, *statuses: Status) -> list[bytes]:
        return [rid for rid, node in self.model.nodes.items() if node.status in statuses]

    def _prefer(self, data: st.DataObject, preferred: list[T], anything: list[T]) -> T:
        """Mostly something the operation applies to; now and then anything at all."""
        if preferred and data.draw(st.sampled_from([True] * 4 + [False]), label="prefer"):
            return data.draw(st.sampled_from(preferred))
        return data.draw(st.sampled_from(anything))

    def _pick_receivable(
        self, data: st.DataObject, *statuses: Status, also: Callable[[Node], bool] | None = None
    ) -> bytes:
        if data.draw(st.sampled_from([False] * 29 + [True]), label="unknown"):
            return keccak(text="no such receivable")
        fitting = [
            rid
            for rid, node in self.model.nodes.items()
            if node.status in statuses and (also is None or also(node))
        ]
        return self._prefer(data, fitting, list(self.model.nodes))

    def _amount(self, receivable_id: bytes) -> int:
        node = self.model.nodes.get(receivable_id)
        return node.amount if node else 10

    def _party(self, receivable_id: bytes, role: str) -> str:
        node = self.model.nodes.get(receivable_id)
        if node is None:
            return self.world.actors["s1"].address
        return str(getattr(node, role))

    @staticmethod
    def _flaw(data: st.DataObject, flaws: list[str]) -> str:
        """None most of the time (two in three), else one of ``flaws``."""
        return data.draw(st.sampled_from(["none"] * (2 * len(flaws)) + flaws), label="flaw")

    def _signer(self, data: st.DataObject, flaw: str, expected: str) -> Actor:
        """The party with authority, or with the "signer" flaw anyone at all (another firm, an
        outsider, a wallet; the right party too, now and then)."""
        actor = self.world.by_address.get(expected)
        if flaw != "signer" and actor is not None:
            return actor
        return self.world.actors[data.draw(st.sampled_from(sorted(self.world.actors)))]

    def _pick_signer(self, data: st.DataObject, expected: str) -> Actor:
        """Mostly the party with authority; now and then anyone."""
        return self._signer(data, self._flaw(data, ["signer"]), expected)

    def _nonce(self, data: st.DataObject, flaw: str, signer: str) -> int:
        """The next nonce, or with the "nonce" flaw a used one (a replay) or a later one."""
        current = self.model.nonces[signer]
        if flaw != "nonce":
            return current
        offset = data.draw(st.sampled_from([-1, 1]), label="nonce_off")
        return current + 1 if current + offset < 0 else current + offset

    def _check_nonce(self, signer: str) -> None:
        assert self.receivables.nonce(signer) == self.model.nonces[signer], f"nonce of {signer}"


def _partition(data: st.DataObject, amount: int, parts: int) -> list[int]:
    """``parts`` positive amounts adding up to ``amount`` (zeros when it is too small)."""
    if amount < parts:
        return [amount] + [0] * (parts - 1)
    cuts = sorted(
        data.draw(
            st.sets(st.integers(1, amount - 1), min_size=parts - 1, max_size=parts - 1),
            label="cuts",
        )
    )
    bounds = [0, *cuts, amount]
    return [high - low for low, high in zip(bounds, bounds[1:], strict=False)]


def _expected(node: Node) -> Receivable:
    return Receivable(
        receivable_id=node.receivable_id,
        root_id=node.root_id,
        tier=node.tier,
        holder=node.holder,
        obligor=node.obligor,
        amount=node.amount,
        due_at=node.due_at,
        status=ReceivableStatus(node.status),
        financed=node.financed,
        paid_at=node.paid_at,
        late_days=node.late_days,
    )


# ─────────────────────────────────────────────────────────────── the test


@pytest.fixture(scope="module")
def world(w3: Web3, artifacts: dict[str, Artifact]) -> Iterator[World]:
    built = World.build(w3, artifacts)
    yield built
    built.close()


def test_receivable_ledger_matches_its_model_over_random_operations(world: World) -> None:
    ReceivableMachine.world = world
    ReceivableMachine.stats.clear()
    run_state_machine_as_test(ReceivableMachine, settings=CI_SETTINGS)
    # The run must have reached the interesting transitions, not only refusals.
    reached = {key for key, count in ReceivableMachine.stats.items() if count}
    for transition in (
        "issue:ok",
        "confirm:ok",
        "split:ok",
        "transfer:ok",
        "finance:ok",
        "settle:ok",
    ):
        assert transition in reached, f"{transition} never happened in {sorted(reached)}"
