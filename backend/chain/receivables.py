"""The receivable ledger's wrapper and its domain objects (DESIGN.md "Receivable lifecycle").

A receivable is born from a verified invoice owed by a core enterprise (or waits, PENDING, for the
core enterprise's signature), is split and passed along the supply chain, financed once by a bank,
and ends SETTLED or DEFAULTED. Every write is authorised by the signatures of the firms with
authority (built with :mod:`backend.sdk.typed_data`, signed with :mod:`backend.sdk.signer`); the
operator's account only submits them. A refusal raises the exception named after the Solidity error
(``reverts.ReceivableLedgerNotHolder`` ...).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address
from web3.contract import Contract

from backend.chain.contracts import TxResult, _Wrapper
from backend.chain.transactor import Transactor
from backend.enums import ReceivableStatus
from backend.sdk.typed_data import Domain, Finance, MarkDefault, Settle, Split, Trade

ZERO_ID = b"\x00" * 32


@dataclass(frozen=True)
class Receivable:
    """A receivable as the chain holds it; amounts in minor units, times in Unix seconds (UTC)."""

    receivable_id: bytes
    root_id: bytes
    tier: int
    holder: str
    obligor: str
    amount: int
    due_at: int
    status: ReceivableStatus
    financed: bool = False
    paid_at: int = 0
    late_days: int = 0


@dataclass(frozen=True)
class IssuedReceivable:
    receivable: Receivable
    tx: TxResult


@dataclass(frozen=True)
class SplitResult:
    """A split (a transfer when there is one child): the parent is SPLIT, the children CONFIRMED."""

    parent_id: bytes
    children: list[Receivable]
    nonce: int
    tx: TxResult


@dataclass(frozen=True)
class StatusChange:
    """The obligor's answer to a PENDING receivable: CONFIRMED or REJECTED."""

    receivable_id: bytes
    status: ReceivableStatus
    obligor: str
    reason: bytes
    tx: TxResult


@dataclass(frozen=True)
class Financing:
    receivable_id: bytes
    previous_holder: str
    bank: str
    amount: int
    advance: int
    rate_bps: int
    nonce: int
    tx: TxResult


@dataclass(frozen=True)
class Settlement:
    receivable_id: bytes
    holder: str
    obligor: str
    amount: int
    due_at: int
    paid_at: int
    late_days: int
    pay_ref: bytes
    tx: TxResult


@dataclass(frozen=True)
class DefaultMark:
    receivable_id: bytes
    holder: str
    obligor: str
    amount: int
    due_at: int
    marked_at: int
    nonce: int
    tx: TxResult


def child_id(parent_id: bytes, index: int) -> bytes:
    """The id of part ``index`` of a split: ``keccak256(abi.encode(parentId, index))``."""
    return keccak(abi_encode(["bytes32", "uint256"], [parent_id, index]))


def receivable_from_created(args: Any) -> Receivable:
    """The new receivable a ``ReceivableCreated`` event announces."""
    return Receivable(
        receivable_id=bytes(args.receivableId),
        root_id=bytes(args.rootId),
        tier=int(args.tier),
        holder=to_checksum_address(args.holder),
        obligor=to_checksum_address(args.obligor),
        amount=int(args.amount),
        due_at=int(args.dueAt),
        status=ReceivableStatus(args.status),
    )


class ReceivableLedgerContract(_Wrapper):
    """Receivables: issue, confirm / reject, split and transfer, finance, settle, default."""

    def __init__(self, contract: Contract, transactor: Transactor, chain_id: int) -> None:
        super().__init__(contract, transactor)
        self.domain = Domain(chain_id=chain_id, verifying_contract=self.address)

    # ─────────────────────────────────────────────────── writes

    def issue(self, invoice: Trade) -> IssuedReceivable:
        """The receivable of a verified (CONFIRMED) or proposed (PENDING) invoice."""
        call = self.contract.functions.issue(invoice.as_tuple())
        created, tx = self._send_for_event(call, "ReceivableCreated")
        return IssuedReceivable(receivable_from_created(created), tx)

    def sync(self, invoice: Trade) -> StatusChange:
        """Bring a PENDING receivable in line with its trade, answered on the trade ledger."""
        receipt = self.transactor.send(self.contract.functions.sync(invoice.as_tuple()))
        return self._status_change(receipt)

    def confirm(self, receivable_id: bytes, obligor_signature: bytes) -> StatusChange:
        """The obligor's signature of the invoice's trade id confirms a PENDING receivable."""
        call = self.contract.functions.confirm(receivable_id, obligor_signature)
        return self._status_change(self.transactor.send(call))

    def reject(self, receivable_id: bytes, reason: bytes, obligor_signature: bytes) -> StatusChange:
        """The obligor's signed trade-ledger ``Reject`` refuses a PENDING receivable."""
        call = self.contract.functions.reject(receivable_id, reason, obligor_signature)
        return self._status_change(self.transactor.send(call))

    def split(self, split: Split, holder_signature: bytes) -> SplitResult:
        """Split (or, with one recipient, transfer) a CONFIRMED receivable."""
        call = self.contract.functions.split(split.as_tuple(), holder_signature)
        receipt = self.transactor.send(call)
        created = self._events(receipt, "ReceivableCreated")
        children = [receivable_from_created(event.args) for event in created]
        return SplitResult(split.receivable_id, children, split.nonce, TxResult.of(receipt))

    def finance(self, terms: Finance, holder_signature: bytes, bank_signature: bytes) -> Financing:
        call = self.contract.functions.finance(terms.as_tuple(), holder_signature, bank_signature)
        args, tx = self._send_for_event(call, "ReceivableFinanced")
        return Financing(bytes(args.receivableId), args.previousHolder, args.bank, args.amount,
                         args.advance, args.rateBps, args.nonce, tx)  # fmt: skip

    def settle(self, settlement: Settle, holder_signature: bytes) -> Settlement:
        call = self.contract.functions.settle(settlement.as_tuple(), holder_signature)
        args, tx = self._send_for_event(call, "ReceivableSettled")
        return Settlement(bytes(args.receivableId), args.holder, args.obligor, args.amount,
                          args.dueAt, args.paidAt, args.lateDays, bytes(args.payRef),
                          tx)  # fmt: skip

    def mark_default(self, mark: MarkDefault, holder_signature: bytes) -> DefaultMark:
        call = self.contract.functions.markDefault(mark.as_tuple(), holder_signature)
        args, tx = self._send_for_event(call, "ReceivableDefaulted")
        return DefaultMark(bytes(args.receivableId), args.holder, args.obligor, args.amount,
                           args.dueAt, args.markedAt, args.nonce, tx)  # fmt: skip

    def set_grace_period(self, seconds: int) -> TxResult:
        """Operator only: the time after a due date before a default may be marked."""
        return TxResult.of(self.transactor.send(self.contract.functions.setGracePeriod(seconds)))

    # ─────────────────────────────────────────────────── reads

    def receivable(self, receivable_id: bytes) -> Receivable:
        """The receivable (status NONE when unknown)."""
        fields = self.transactor.call(self.contract.functions.receivable(receivable_id))
        return _from_view(receivable_id, fields)

    def receivables(self, receivable_ids: Sequence[bytes]) -> list[Receivable]:
        """Many receivables in one call, in order."""
        rows = self.transactor.call(self.contract.functions.receivables(list(receivable_ids)))
        return [_from_view(rid, row) for rid, row in zip(receivable_ids, rows, strict=True)]

    def nonce(self, signer: str) -> int:
        """The next nonce of ``signer`` for its Split, Finance and MarkDefault messages."""
        call = self.contract.functions.nonces(to_checksum_address(signer))
        return int(self.transactor.call(call))

    def grace_period(self) -> int:
        return int(self.transactor.call(self.contract.functions.gracePeriod()))

    def hash_split(self, split: Split) -> bytes:
        return bytes(self.transactor.call(self.contract.functions.hashSplit(split.as_tuple())))

    def hash_finance(self, terms: Finance) -> bytes:
        return bytes(self.transactor.call(self.contract.functions.hashFinance(terms.as_tuple())))

    def hash_settle(self, settlement: Settle) -> bytes:
        call = self.contract.functions.hashSettle(settlement.as_tuple())
        return bytes(self.transactor.call(call))

    def hash_mark_default(self, mark: MarkDefault) -> bytes:
        return bytes(self.transactor.call(self.contract.functions.hashMarkDefault(mark.as_tuple())))

    def domain_separator(self) -> bytes:
        return bytes(self.transactor.call(self.contract.functions.DOMAIN_SEPARATOR()))

    def _status_change(self, receipt: Any) -> StatusChange:
        tx = TxResult.of(receipt)
        for name, status in (("ReceivableConfirmed", ReceivableStatus.CONFIRMED),
                             ("ReceivableRejected", ReceivableStatus.REJECTED)):  # fmt: skip
            for event in self._events(receipt, name):
                args = event.args
                reason = bytes(args.reason) if "reason" in args else ZERO_ID
                return StatusChange(bytes(args.receivableId), status, args.obligor, reason, tx)
        raise LookupError("the transaction emitted no ReceivableConfirmed or ReceivableRejected")


def _from_view(receivable_id: bytes, fields: Sequence[Any]) -> Receivable:
    holder, obligor, amount, due_at, root_id, tier, status, financed, paid_at, late_days = fields
    return Receivable(
        receivable_id=bytes(receivable_id),
        root_id=bytes(root_id),
        tier=int(tier),
        holder=to_checksum_address(holder),
        obligor=to_checksum_address(obligor),
        amount=int(amount),
        due_at=int(due_at),
        status=ReceivableStatus(status),
        financed=bool(financed),
        paid_at=int(paid_at),
        late_days=int(late_days),
    )
