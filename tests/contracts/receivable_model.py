"""A plain-Python reference model of the receivable ledger, for the stateful tests.

It models the ReceivableLedger and the slice of the TradeLedger and FirmRegistry that it reads, with
no web3 in sight: each operation either applies its transition or raises :class:`Refused` naming the
custom error (and its arguments) the contract must revert with. The checks run in the contract's
order, so that when several are violated at once the model names the same error as the chain.

Signatures are modelled by who made them: an operation carries the address of its signer, and the
test gives the contract a genuine signature by that firm (an EOA's key, or a wallet's owners). A
signature is valid when its signer is the party with authority; a refused one is reported as
"not the holder / not the obligor" when its signer is a registered EOA (its key recovers to a known
firm), and as an invalid signature otherwise (an unregistered key, a contract wallet's approval).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak

from backend.enums import DAY, TRADER, Role, TradeKind, TradeStatus
from backend.enums import ReceivableStatus as Status

MAX_CLOCK_SKEW = 5 * 60
INITIAL_GRACE_PERIOD = 30 * DAY
MAX_GRACE_PERIOD = 365 * DAY
ROOT_TIER = 1
MAX_TIER = 255
ZERO_ID = b"\x00" * 32
PROPOSAL_TTL = 30 * DAY


OUTSTANDING = (Status.CONFIRMED, Status.FINANCED)


class Refused(Exception):
    """The contract must revert with custom error ``error``. An argument given as ``None`` is not
    predicted (the block's time)."""

    def __init__(self, error: str, **arguments: Any) -> None:
        super().__init__(f"{error}({arguments})")
        self.error = error
        self.arguments = arguments


@dataclass
class Firm:
    address: str
    roles: int
    active: bool = True
    contract: bool = False  # an ERC-1271 wallet: its approval recovers to no key


@dataclass
class TradeRecord:
    trade_id: bytes
    doc_hash: bytes
    seller: str
    buyer: str
    kind: int
    amount: int
    due_at: int
    status: TradeStatus = TradeStatus.NONE
    proposed: bool = False  # kept a proposal record on the trade ledger (seller signed alone)
    paid: int = 0
    invoice_key: bytes = ZERO_ID
    proposed_at: int = 0  # the block time of the proposal (the test sets it from the receipt)

    @property
    def proposal_status(self) -> TradeStatus:
        """The trade ledger's proposal record: deleted (NONE) once the buyer confirmed."""
        if not self.proposed or self.status == TradeStatus.VERIFIED:
            return TradeStatus.NONE
        return self.status


@dataclass
class Node:
    receivable_id: bytes
    parent_id: bytes
    root_id: bytes
    tier: int
    holder: str
    obligor: str
    amount: int
    due_at: int
    status: Status
    financed: bool = False
    paid_at: int = 0
    late_days: int = 0
    children: list[bytes] = field(default_factory=list)


def child_id(parent_id: bytes, index: int) -> bytes:
    return keccak(abi_encode(["bytes32", "uint256"], [parent_id, index]))


def _hex(value: bytes) -> str:
    return "0x" + value.hex()


class ReceivableModel:
    """The expected state of the ledger; every method mirrors one contract entry point."""

    def __init__(self, firms: Iterable[Firm]) -> None:
        self.firms: dict[str, Firm] = {firm.address: firm for firm in firms}
        self.trades: dict[bytes, TradeRecord] = {}
        self.documents: dict[bytes, bytes] = {}  # docHash -> trade id (the trade ledger's rule)
        self.invoices: dict[bytes, bytes] = {}  # invoiceKey -> trade id (likewise)
        self.now = 0  # the chain's time, set by the test before each operation
        self.nodes: dict[bytes, Node] = {}
        self.nonces: defaultdict[str, int] = defaultdict(int)
        self.grace_period = INITIAL_GRACE_PERIOD

    # ─────────────────────────────────────────────────── registry

    def set_active(self, address: str, active: bool) -> None:
        self.firms[address].active = active

    def _standing(self, address: str) -> tuple[bool, int]:
        firm = self.firms.get(address)
        return (firm is not None and firm.active, firm.roles if firm else 0)

    def _check_firm(
        self, address: str, any_of_roles: int, prefix: str = "ReceivableLedger"
    ) -> None:
        active, roles = self._standing(address)
        if not active:
            raise Refused(f"{prefix}InactiveFirm", firm=address)
        if roles & any_of_roles == 0:
            raise Refused(f"{prefix}UnauthorizedRole", firm=address, requiredRoles=any_of_roles)

    def _check_active(self, address: str) -> None:
        if not self._standing(address)[0]:
            raise Refused("ReceivableLedgerInactiveFirm", firm=address)

    def _is_registered_key(self, address: str) -> bool:
        """A refused signature by this signer recovers to a registered firm's key."""
        firm = self.firms.get(address)
        return firm is not None and not firm.contract

    # ─────────────────────────────────────────────────── trade ledger

    def _expired(self, trade: TradeRecord) -> bool:
        """An open proposal older than the TTL: it can no longer be answered."""
        return (
            trade.proposal_status == TradeStatus.PROPOSED
            and self.now > trade.proposed_at + PROPOSAL_TTL
        )

    def _released(self, holder_id: bytes, trade_id: bytes) -> bool:
        """Whether trade ``holder_id`` gave up its document and invoice key (rejected, expired)."""
        if holder_id == trade_id:
            return False
        holder = self.trades[holder_id]
        return holder.proposal_status == TradeStatus.REJECTED or self._expired(holder)

    def record_trade(self, trade: TradeRecord, *, buyer_signed: bool) -> None:
        """``recordTrade`` (both signed) or ``proposeTrade`` (seller only); fields are valid."""
        if (trade.kind == TradeKind.INVOICE) == (trade.invoice_key == ZERO_ID):
            raise Refused(
                "TradeLedgerInvalidInvoiceKey", kind=trade.kind, invoiceKey=_hex(trade.invoice_key)
            )
        existing = self.documents.get(trade.doc_hash)
        if existing is not None and not self._released(existing, trade.trade_id):
            raise Refused(
                "TradeLedgerDuplicateDocument", docHash=_hex(trade.doc_hash), tradeId=_hex(existing)
            )
        if trade.invoice_key != ZERO_ID:
            existing = self.invoices.get(trade.invoice_key)
            if existing is not None and not self._released(existing, trade.trade_id):
                raise Refused(
                    "TradeLedgerDuplicateInvoice",
                    invoiceKey=_hex(trade.invoice_key),
                    tradeId=_hex(existing),
                )
        self._check_firm(trade.seller, TRADER, "TradeLedger")
        self._check_firm(trade.buyer, TRADER, "TradeLedger")
        trade.status = TradeStatus.VERIFIED if buyer_signed else TradeStatus.PROPOSED
        trade.proposed = not buyer_signed
        trade.proposed_at = self.now
        self.documents[trade.doc_hash] = trade.trade_id
        if trade.invoice_key != ZERO_ID:
            self.invoices[trade.invoice_key] = trade.trade_id
        self.trades[trade.trade_id] = trade

    def answer_trade(self, trade: TradeRecord, *, confirm: bool, signer: str) -> None:
        """``confirmTrade`` / ``rejectTrade`` on the trade ledger directly, by ``signer``."""
        self._check_buyer_answer(trade, signer, diagnose=False)
        trade.status = TradeStatus.VERIFIED if confirm else TradeStatus.REJECTED
        # The trade ledger reports the answer to the receivable ledger (``tradeAnswered``).
        node = self.nodes.get(trade.trade_id)
        if node is not None and node.status == Status.PENDING:
            if not confirm:
                node.status = Status.REJECTED
            elif self._standing(node.obligor)[0] and self._standing(node.obligor)[1] & Role.CORE:
                node.status = Status.CONFIRMED

    def _check_buyer_answer(self, trade: TradeRecord, signer: str, *, diagnose: bool) -> None:
        actual = trade.proposal_status
        if actual != TradeStatus.PROPOSED:
            raise Refused(
                "TradeLedgerInvalidStatus",
                tradeId=_hex(trade.trade_id),
                actual=int(actual),
                expected=int(TradeStatus.PROPOSED),
            )
        if self._expired(trade):
            raise Refused(
                "TradeLedgerProposalExpired", tradeId=_hex(trade.trade_id), expiredAt=None
            )
        self._check_firm(trade.buyer, TRADER, "TradeLedger")
        if signer != trade.buyer:
            if diagnose and self._is_registered_key(signer):
                raise Refused(
                    "ReceivableLedgerNotObligor",
                    receivableId=_hex(trade.trade_id),
                    signer=signer,
                    obligor=trade.buyer,
                )
            raise Refused("TradeLedgerInvalidSignature", signer=trade.buyer)

    def record_payment(self, trade_id: bytes, amount: int) -> None:
        """A payment the test only makes when the trade ledger accepts it, but for a receivable
        issued from the invoice (it is paid by settling the receivable then) and a payee (the
        seller) out of standing; the buyer's standing is not checked."""
        trade = self.trades[trade_id]
        assert trade.status == TradeStatus.VERIFIED and trade.kind == TradeKind.INVOICE
        node = self.nodes.get(trade_id)
        if node is not None and node.status != Status.REJECTED:
            raise Refused("TradeLedgerPaidOnReceivable", tradeId=_hex(trade_id))
        assert 0 < amount <= trade.amount - trade.paid
        self._check_firm(trade.seller, TRADER, "TradeLedger")
        trade.paid += amount

    def _trade_status_of(self, trade: TradeRecord) -> TradeStatus:
        """``statusOf(trade)``: REJECTED once rejected; else NONE when its document is held by
        another trade or its proposal expired."""
        if trade.proposal_status == TradeStatus.REJECTED:
            return TradeStatus.REJECTED
        if self.documents.get(trade.doc_hash) != trade.trade_id or self._expired(trade):
            return TradeStatus.NONE
        return trade.status

    # ─────────────────────────────────────────────────── receivable ledger

    def issue(self, trade: TradeRecord) -> Node:
        rid = trade.trade_id
        if trade.kind != TradeKind.INVOICE:
            raise Refused("ReceivableLedgerNotAnInvoice", tradeId=_hex(rid), kind=trade.kind)
        existing = self.nodes.get(rid)
        if existing is not None:
            raise Refused(
                "ReceivableLedgerAlreadyIssued", receivableId=_hex(rid), status=int(existing.status)
            )
        trade_status = self._trade_status_of(trade)
        if trade_status == TradeStatus.VERIFIED:
            status = Status.CONFIRMED
        elif trade_status == TradeStatus.PROPOSED:
            status = Status.PENDING
        else:
            recorded = self.documents.get(trade.doc_hash)
            if trade_status == TradeStatus.NONE and recorded is not None:
                raise Refused(
                    "ReceivableLedgerDuplicateDocument",
                    docHash=_hex(trade.doc_hash),
                    tradeId=_hex(recorded),
                )
            raise Refused(
                "ReceivableLedgerInvalidTradeStatus", tradeId=_hex(rid), status=int(trade_status)
            )
        recorded_trade = self.trades[rid]
        if recorded_trade.paid:
            raise Refused(
                "ReceivableLedgerInvoicePaid", tradeId=_hex(rid), paid=recorded_trade.paid
            )
        self._check_firm(trade.buyer, Role.CORE)
        self._check_firm(trade.seller, TRADER)
        node = Node(
            rid,
            ZERO_ID,
            rid,
            ROOT_TIER,
            trade.seller,
            trade.buyer,
            trade.amount,
            trade.due_at,
            status,
        )
        self.nodes[rid] = node
        return node

    def confirm(self, receivable_id: bytes, signer: str) -> Node:
        node = self._with_status(receivable_id, Status.PENDING)
        self._check_firm(node.obligor, Role.CORE)
        trade = self.trades[receivable_id]
        self._check_buyer_answer(trade, signer, diagnose=True)
        trade.status = TradeStatus.VERIFIED
        node.status = Status.CONFIRMED
        return node

    def reject(self, receivable_id: bytes, signer: str) -> Node:
        node = self._with_status(receivable_id, Status.PENDING)
        trade = self.trades[receivable_id]
        self._check_buyer_answer(trade, signer, diagnose=True)
        trade.status = TradeStatus.REJECTED
        node.status = Status.REJECTED
        return node

    def sync(self, trade: TradeRecord) -> Node:
        node = self._with_status(trade.trade_id, Status.PENDING)
        trade_status = self._trade_status_of(trade)
        if trade_status == TradeStatus.VERIFIED:
            self._check_firm(node.obligor, Role.CORE)
            node.status = Status.CONFIRMED
        elif trade_status in (TradeStatus.REJECTED, TradeStatus.NONE):  # NONE: expired
            node.status = Status.REJECTED
        else:
            raise Refused(
                "ReceivableLedgerInvalidTradeStatus",
                tradeId=_hex(trade.trade_id),
                status=int(trade_status),
            )
        return node

    def split(
        self, receivable_id: bytes, to: list[str], amounts: list[int], nonce: int, signer: str
    ) -> list[Node]:
        parent = self._with_status(receivable_id, Status.CONFIRMED)
        if not to or len(to) != len(amounts):
            raise Refused(
                "ReceivableLedgerInvalidSplitLength", recipients=len(to), amounts=len(amounts)
            )
        holder = parent.holder
        self._check_active(holder)
        self._check_holder_signature(parent, signer)
        self._check_nonce(holder, nonce)
        children = []
        for index, (recipient, amount) in enumerate(zip(to, amounts, strict=True)):
            if amount == 0:
                raise Refused("ReceivableLedgerZeroAmount")
            self._check_firm(recipient, TRADER)
            tier = parent.tier
            if recipient != holder:
                if tier == MAX_TIER:
                    raise Refused(
                        "ReceivableLedgerTierTooDeep", receivableId=_hex(receivable_id), tier=tier
                    )
                tier += 1
            children.append(
                Node(
                    child_id(receivable_id, index),
                    receivable_id,
                    parent.root_id,
                    tier,
                    recipient,
                    parent.obligor,
                    amount,
                    parent.due_at,
                    Status.CONFIRMED,
                )
            )
        total = sum(amounts)
        if total != parent.amount:
            raise Refused(
                "ReceivableLedgerSplitAmountMismatch",
                receivableId=_hex(receivable_id),
                total=total,
                amount=parent.amount,
            )
        self.nonces[holder] += 1
        parent.status = Status.SPLIT
        for child in children:
            parent.children.append(child.receivable_id)
            self.nodes[child.receivable_id] = child
        return children

    def finance(
        self,
        receivable_id: bytes,
        *,
        bank: str,
        advance: int,
        deadline: int,
        nonce: int,
        holder_signer: str,
        bank_signer: str,
        now: int,
    ) -> Node:
        node = self._existing(receivable_id)
        rid = _hex(receivable_id)
        if node.financed:
            raise Refused("ReceivableLedgerAlreadyFinanced", receivableId=rid)
        self._check_status(node, Status.CONFIRMED)
        if advance == 0:
            raise Refused("ReceivableLedgerZeroAmount")
        if advance > node.amount:
            raise Refused(
                "ReceivableLedgerAdvanceExceedsAmount",
                receivableId=rid,
                advance=advance,
                amount=node.amount,
            )
        if now > deadline:
            raise Refused("ReceivableLedgerExpiredSignature", deadline=deadline, blockTime=None)
        holder = node.holder
        if bank == holder:
            raise Refused("ReceivableLedgerSelfFinance", receivableId=rid, bank=bank)
        self._check_active(holder)
        self._check_firm(bank, Role.BANK)
        self._check_holder_signature(node, holder_signer)
        if bank_signer != bank:
            raise Refused("ReceivableLedgerInvalidSignature", signer=bank)
        self._check_nonce(holder, nonce)
        self.nonces[holder] += 1
        node.holder = bank
        node.status = Status.FINANCED
        node.financed = True
        return node

    def settle(
        self, receivable_id: bytes, *, amount: int, paid_at: int, signer: str, now: int
    ) -> Node:
        node = self._existing(receivable_id)
        self._check_outstanding(node)
        if amount != node.amount:
            raise Refused(
                "ReceivableLedgerSettlementAmountMismatch",
                receivableId=_hex(receivable_id),
                paid=amount,
                amount=node.amount,
            )
        if paid_at > now + MAX_CLOCK_SKEW:
            raise Refused("ReceivableLedgerFutureTimestamp", businessTime=paid_at, blockTime=None)
        self._check_active(node.holder)
        self._check_holder_signature(node, signer)
        node.status = Status.SETTLED
        node.paid_at = paid_at
        node.late_days = -(-(paid_at - node.due_at) // DAY) if paid_at > node.due_at else 0
        return node

    def mark_default(self, receivable_id: bytes, *, nonce: int, signer: str, now: int) -> Node:
        node = self._existing(receivable_id)
        self._check_outstanding(node)
        defaultable_after = node.due_at + self.grace_period
        if now <= defaultable_after:
            raise Refused(
                "ReceivableLedgerNotOverdue",
                receivableId=_hex(receivable_id),
                defaultableAfter=defaultable_after,
                blockTime=None,
            )
        self._check_active(node.holder)
        self._check_holder_signature(node, signer)
        self._check_nonce(node.holder, nonce)
        self.nonces[node.holder] += 1
        node.status = Status.DEFAULTED
        return node

    def set_grace_period(self, seconds: int) -> None:
        if seconds > MAX_GRACE_PERIOD:
            raise Refused("ReceivableLedgerInvalidGracePeriod", gracePeriod=seconds)
        self.grace_period = seconds

    # ─────────────────────────────────────────────────── invariants

    def roots(self) -> list[Node]:
        return [node for node in self.nodes.values() if node.parent_id == ZERO_ID]

    def family(self, root_id: bytes) -> list[Node]:
        found, stack = [], [root_id]
        while stack:
            node = self.nodes[stack.pop()]
            found.append(node)
            stack.extend(node.children)
        return found

    def ancestors(self, receivable_id: bytes) -> list[bytes]:
        chain, node = [], self.nodes[receivable_id]
        while node.parent_id != ZERO_ID:
            chain.append(node.parent_id)
            node = self.nodes[node.parent_id]
        return chain

    # ─────────────────────────────────────────────────── helpers

    def _existing(self, receivable_id: bytes) -> Node:
        node = self.nodes.get(receivable_id)
        if node is None:
            raise Refused("ReceivableLedgerUnknownReceivable", receivableId=_hex(receivable_id))
        return node

    def _with_status(self, receivable_id: bytes, expected: Status) -> Node:
        node = self._existing(receivable_id)
        self._check_status(node, expected)
        return node

    @staticmethod
    def _check_status(node: Node, expected: Status) -> None:
        if node.status != expected:
            raise Refused(
                "ReceivableLedgerInvalidStatus",
                receivableId=_hex(node.receivable_id),
                status=int(node.status),
            )

    @staticmethod
    def _check_outstanding(node: Node) -> None:
        if node.status not in OUTSTANDING:
            raise Refused(
                "ReceivableLedgerInvalidStatus",
                receivableId=_hex(node.receivable_id),
                status=int(node.status),
            )

    def _check_nonce(self, signer: str, nonce: int) -> None:
        expected = self.nonces[signer]
        if nonce != expected:
            raise Refused(
                "ReceivableLedgerInvalidNonce", signer=signer, nonce=nonce, expected=expected
            )

    def _check_holder_signature(self, node: Node, signer: str) -> None:
        if signer == node.holder:
            return
        if self._is_registered_key(signer):
            raise Refused(
                "ReceivableLedgerNotHolder",
                receivableId=_hex(node.receivable_id),
                signer=signer,
                holder=node.holder,
            )
        raise Refused("ReceivableLedgerInvalidSignature", signer=node.holder)
