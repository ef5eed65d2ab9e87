"""Submitting trades, answers and payments: validated off chain, then queued in the outbox.

Everything the contract would refuse is refused here first, with a 4xx and nothing written:
signatures must recover to the named parties (or their ERC-1271 wallets must approve, as the
ledger's own bounded static check decides), both parties must be active traders, the document and
the invoice identity must be new (neither recorded nor queued; a rejected or expired proposal
holds neither), fields sane. What passes is written to the outbox in the request's transaction
and answered 202.
"""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import Session, col, select

from backend.auth.checks import SubmissionChecks, queue
from backend.auth.errors import NotAParty
from backend.auth.service import Principal
from backend.enums import (
    MAX_CLOCK_SKEW,
    ZERO_32,
    OutboxKind,
    OutboxStatus,
    ReceivableStatus,
    TradeKind,
    TradeStatus,
)
from backend.errors import FutureTime, LedgerError
from backend.indexer.models import ChainEvent
from backend.money import is_known_currency
from backend.receivables.models import Receivable
from backend.relayer.models import OutboxItem
from backend.relayer.outbox import PENDING, Accepted, enqueue
from backend.relayer.status import (
    depth_status,
    indexed_head,
    latest_submission,
    submission_status,
)
from backend.schemas import SubmissionAccepted, hex_bytes
from backend.sdk.typed_data import Payment, Trade
from backend.services import Services
from backend.trades import schemas
from backend.trades.errors import (
    BatchTooLarge,
    DuplicateDocument,
    DuplicateInvoice,
    InvalidDueDate,
    InvalidInvoiceKey,
    MissingInvoiceKey,
    NotAnInvoice,
    Overpayment,
    PaidOnReceivable,
    ProposalExpired,
    SelfTrade,
    TradeNotFound,
    TradeWrongState,
    UnknownCurrency,
)
from backend.trades.models import Trade as TradeRow
from backend.trades.queries import paid_or_paying

#: The outbox kinds that carry a trade (both signatures, or the seller's proposal).
TRADE_KINDS = (OutboxKind.TRADE, OutboxKind.PROPOSE)


class TradeChecks(SubmissionChecks):
    """The off-chain checks of trades, with the lookups of one request cached."""

    def __init__(self, session: Session, services: Services, principal: Principal) -> None:
        super().__init__(session, services, principal)
        self.domain = services.ledger.trades.domain
        self._known_documents: set[str] | None = None
        self._known_invoices: set[str] | None = None
        self._released_documents: set[str] = set()
        self._chain_time: int | None = None

    # ───────────────────────────────────────────── parts

    def trade_fields(self, data: schemas.TradeIn, now: int) -> Trade:
        if data.seller == data.buyer:
            raise SelfTrade(data.seller)
        if not is_known_currency(data.currency):
            raise UnknownCurrency(data.currency)
        if data.issued_at > now + MAX_CLOCK_SKEW:
            raise FutureTime("issued_at", data.issued_at, "record trades once they happen")
        if data.kind == "invoice" and data.due_at < data.issued_at:
            raise InvalidDueDate(
                "an invoice cannot be due before it was issued", due_at=data.due_at
            )
        if data.kind != "invoice" and data.due_at != 0:
            raise InvalidDueDate("only invoices have a due date; send due_at 0", due_at=data.due_at)
        if data.kind == "invoice" and data.invoice_key == ZERO_32:
            raise MissingInvoiceKey()
        if data.kind != "invoice" and data.invoice_key != ZERO_32:
            raise InvalidInvoiceKey(data.invoice_key)
        return Trade(
            seller=data.seller,
            buyer=data.buyer,
            kind=TradeKind[data.kind.upper()],
            doc_hash=hex_bytes(data.doc_hash),
            amount=data.amount,
            currency=data.currency,
            issued_at=data.issued_at,
            due_at=data.due_at,
            ref=hex_bytes(data.ref),
            invoice_key=hex_bytes(data.invoice_key),
        )

    def chain_time(self) -> int:
        """The latest block's time: proposals expire by the chain's clock, not this machine's."""
        if self._chain_time is None:
            self._chain_time = int(self.services.w3.eth.get_block("latest")["timestamp"])
        return self._chain_time

    def holds(self, row: TradeRow) -> bool:
        """Whether an indexed trade still holds its document and invoice identity: verified, or a
        proposal neither rejected nor expired (the contract's rule, by the chain's clock)."""
        if row.status == TradeStatus.PROPOSED:
            return self.chain_time() <= row.recorded_time + self.services.ledger.trades.proposal_ttl
        return row.status == TradeStatus.VERIFIED

    def prefetch_documents(self, doc_hashes: list[str], invoice_keys: list[str]) -> None:
        """Look up, in a few queries, which of a batch's documents and invoice identities are
        held by a recorded trade or by one in flight."""
        held: set[str] = set()
        released: set[str] = set()
        rows = select(TradeRow).where(col(TradeRow.doc_hash).in_(doc_hashes))
        for row in self.session.exec(rows):
            (held if self.holds(row) else released).add(row.doc_hash)
        self._released_documents = released - held
        # A recorded proposal's outbox row keeps its dedupe key; once the proposal released the
        # document, only rows still in flight count.
        self._known_documents = held | {
            item.dedupe_key.removeprefix("doc:")
            for item in self.session.exec(
                select(OutboxItem).where(
                    col(OutboxItem.dedupe_key).in_([f"doc:{h}" for h in doc_hashes]),
                    OutboxItem.status != OutboxStatus.FAILED,
                )
            )
            if item.status in PENDING
            or item.dedupe_key.removeprefix("doc:") not in self._released_documents
        }
        keys = [key for key in invoice_keys if key != ZERO_32]
        self._known_invoices = set()
        if not keys:
            return
        # The explicit "not zero" lets the database use the partial index of invoices.
        rows = select(TradeRow).where(
            col(TradeRow.invoice_key).in_(keys), col(TradeRow.invoice_key) != ZERO_32
        )
        for row in self.session.exec(rows):
            if self.holds(row):
                self._known_invoices.add(row.invoice_key)
        queued_key = OutboxItem.payload["trade"]["invoice_key"].as_string()  # type: ignore[index]
        self._known_invoices |= set(
            self.session.exec(
                select(queued_key).where(
                    col(OutboxItem.status).in_(PENDING),
                    col(OutboxItem.kind).in_(TRADE_KINDS),
                    queued_key.in_(keys),
                )
            )
        )

    def document_new(self, doc_hash: str, invoice_key: str) -> None:
        if self._known_documents is None or self._known_invoices is None:
            self.prefetch_documents([doc_hash], [invoice_key])
        assert self._known_documents is not None and self._known_invoices is not None
        if doc_hash in self._known_documents:
            raise DuplicateDocument(doc_hash)
        if invoice_key in self._known_invoices:
            raise DuplicateInvoice(invoice_key)

    def release_documents(self, doc_hashes: list[str]) -> None:
        """Free the outbox dedupe keys that recorded proposals keep for documents they released
        (rejected or expired), so that the document can be queued again."""
        released = [h for h in doc_hashes if h in self._released_documents]
        if not released:
            return
        for item in self.session.exec(
            select(OutboxItem).where(
                col(OutboxItem.dedupe_key).in_([f"doc:{h}" for h in released]),
                col(OutboxItem.status).not_in(PENDING),
            )
        ):
            item.dedupe_key = f"{item.dedupe_key}:released:{item.id}"
            self.session.add(item)
        self.session.flush()

    # ───────────────────────────────────────────── whole submissions

    def trade(self, body: schemas.TradeCreate, now: int) -> Accepted:
        data = body.trade
        self.require_party(data.seller, data.buyer)
        trade = self.trade_fields(data, now)
        self.require_trader(trade.seller)
        self.require_trader(trade.buyer)
        trade_id = "0x" + trade.trade_id(self.domain).hex()
        digest = hex_bytes(trade_id)
        self.require_signature(trade.seller, digest, body.seller_signature, "seller")
        if body.buyer_signature is not None:
            self.require_signature(trade.buyer, digest, body.buyer_signature, "buyer")
        self.document_new(data.doc_hash, data.invoice_key)
        payload = {
            "trade_id": trade_id,
            "trade": {**data.model_dump(mode="json"), "kind": TradeKind[data.kind.upper()]},
            "seller_signature": body.seller_signature,
            "buyer_signature": body.buyer_signature,
        }
        kind = OutboxKind.TRADE if body.buyer_signature is not None else OutboxKind.PROPOSE
        return Accepted(trade_id, kind, f"doc:{data.doc_hash}", payload)


def submit_trade(
    session: Session, services: Services, principal: Principal, body: schemas.TradeCreate
) -> schemas.TradeAccepted:
    checks = TradeChecks(session, services, principal)
    accepted = checks.trade(body, int(time.time()))
    checks.release_documents([body.trade.doc_hash])
    enqueue(session, principal, [accepted])
    return schemas.TradeAccepted(trade_id=accepted.subject, status=OutboxStatus.QUEUED)


def submit_batch(
    session: Session, services: Services, principal: Principal, body: schemas.TradesBatchCreate
) -> schemas.TradesBatchAccepted:
    if len(body.items) > services.settings.max_batch_items:
        raise BatchTooLarge(services.settings.max_batch_items)
    checks = TradeChecks(session, services, principal)
    # Who may submit is decided for the whole request; what is valid, item by item.
    for item in body.items:
        checks.require_party(item.trade.seller, item.trade.buyer)
    checks.prefetch_documents(
        [item.trade.doc_hash for item in body.items],
        [item.trade.invoice_key for item in body.items],
    )
    now = int(time.time())
    results: list[schemas.BatchItemResult] = []
    accepted: list[Accepted] = []
    seen: set[str] = set()
    seen_invoices: set[str] = set()
    for index, item in enumerate(body.items):
        try:
            if item.trade.doc_hash in seen:
                raise DuplicateDocument(item.trade.doc_hash, in_batch=True)
            if item.trade.invoice_key in seen_invoices:
                raise DuplicateInvoice(item.trade.invoice_key, in_batch=True)
            one = checks.trade(item, now)
        except LedgerError as error:
            detail = schemas.ErrorDetail(code=error.code, message=error.message)
            results.append(
                schemas.BatchItemResult(index=index, trade_id=None, status="refused", error=detail)
            )
            continue
        seen.add(item.trade.doc_hash)
        if item.trade.invoice_key != ZERO_32:
            seen_invoices.add(item.trade.invoice_key)
        accepted.append(one)
        results.append(schemas.BatchItemResult(index=index, trade_id=one.subject, status="queued"))
    checks.release_documents([item.trade.doc_hash for item in body.items])
    enqueue(session, principal, accepted)
    return schemas.TradesBatchAccepted(
        data=results, accepted=len(accepted), refused=len(results) - len(accepted)
    )


# ─────────────────────────────────────────────────────────────── reading


def get_trade(
    session: Session, services: Services, principal: Principal, trade_id: str
) -> schemas.TradePublic:
    """The trade as the indexed canonical chain has it, or its submission's status: never more
    than the indexer has seen (``submitted`` until its event is in an indexed block)."""
    row = session.get(TradeRow, trade_id)
    item = latest_submission(session, list(TRADE_KINDS), trade_id)
    if row is not None:
        _require_reader(principal, row.seller, row.buyer)
        return _recorded(session, services, row)
    if item is None:
        raise TradeNotFound(trade_id)
    _require_reader(principal, item.payload["trade"]["seller"], item.payload["trade"]["buyer"])
    return _submitted(session, services, trade_id, item)


def _require_reader(principal: Principal, *parties: str) -> None:
    if not principal.operator and principal.address not in parties:
        raise NotAParty("only the trade's parties and the operator may read it")


def _submitted(
    session: Session, services: Services, trade_id: str, item: OutboxItem
) -> schemas.TradePublic:
    """A trade not (yet) indexed, as its submission's status shows it."""
    state = submission_status(
        session, item, chain_id=services.chain_id, final_depth=services.settings.final_depth
    )
    error = (
        schemas.ErrorDetail(code=state.error_code, message=state.error_message or "")
        if state.error_code
        else None
    )
    return schemas.TradePublic(
        trade_id=trade_id,
        status=state.status,  # type: ignore[arg-type]
        trade=trade_in(item.payload["trade"]),
        tx_hash=state.tx_hash,
        block_number=state.block_number,
        confirmations=state.confirmations,
        error=error,
    )


def _recorded(session: Session, services: Services, row: TradeRow) -> schemas.TradePublic:
    event = session.get(ChainEvent, row.event_id)
    trade = trade_in(row.payload())
    status, confirmations = depth_status(
        row.recorded_block,
        indexed_head(session, services.chain_id),
        services.settings.final_depth,
    )
    return schemas.TradePublic(
        trade_id=row.trade_id,
        status=status,  # type: ignore[arg-type]
        ledger_status=_ledger_status(row),  # type: ignore[arg-type]
        trade=trade,
        tx_hash=event.tx_hash if event else None,
        block_number=row.recorded_block,
        confirmations=confirmations,
    )


# ─────────────────────────────────────────────────────────────── answers and payments


def _proposal_buyer(session: Session, checks: TradeChecks, trade_id: str) -> str:
    """The buyer of a proposal still open (indexed, or queued but not yet on chain)."""
    row = session.get(TradeRow, trade_id)
    if row is not None:
        if row.status != TradeStatus.PROPOSED:
            raise TradeWrongState(trade_id, _ledger_status(row))
        if not checks.holds(row):
            raise ProposalExpired(trade_id, checks.services.ledger.trades.proposal_ttl)
        return row.buyer
    item = session.exec(
        select(OutboxItem).where(
            OutboxItem.subject == trade_id,
            OutboxItem.kind == OutboxKind.PROPOSE,
            OutboxItem.status != OutboxStatus.FAILED,
        )
    ).first()
    if item is None:
        raise TradeNotFound(trade_id, f"no proposed trade {trade_id}")
    return str(item.payload["trade"]["buyer"])


def confirm(
    session: Session,
    services: Services,
    principal: Principal,
    trade_id: str,
    body: schemas.TradeConfirm,
) -> SubmissionAccepted:
    """The buyer's confirmation of a proposal: its signature of the trade id."""
    checks, buyer = _answering(session, services, principal, trade_id)
    payload = {"trade_id": trade_id, "buyer_signature": body.buyer_signature}
    digest = hex_bytes(trade_id)
    return _queue_answer(checks, buyer, digest, body.buyer_signature, OutboxKind.CONFIRM, payload)


def reject(
    session: Session,
    services: Services,
    principal: Principal,
    trade_id: str,
    body: schemas.TradeReject,
) -> SubmissionAccepted:
    """The buyer's rejection of a proposal: its signed ``Reject`` (trade id and reason)."""
    checks, buyer = _answering(session, services, principal, trade_id)
    payload = {"trade_id": trade_id, "reason": body.reason, "buyer_signature": body.buyer_signature}
    digest = checks.domain.digest(
        "Reject", {"tradeId": hex_bytes(trade_id), "reason": hex_bytes(body.reason)}
    )
    return _queue_answer(checks, buyer, digest, body.buyer_signature, OutboxKind.REJECT, payload)


def _answering(
    session: Session, services: Services, principal: Principal, trade_id: str
) -> tuple[TradeChecks, str]:
    """The checks of an answer, and the proposal's buyer, who alone (or the operator) answers."""
    checks = TradeChecks(session, services, principal)
    buyer = _proposal_buyer(session, checks, trade_id)
    checks.require_party(buyer)
    return checks, buyer


def _queue_answer(
    checks: TradeChecks,
    buyer: str,
    digest: bytes,
    signature: str,
    kind: OutboxKind,
    payload: dict[str, Any],
) -> SubmissionAccepted:
    checks.require_trader(buyer)
    checks.require_signature(buyer, digest, signature, "buyer")
    trade_id = str(payload["trade_id"])
    answer = Accepted(trade_id, kind, f"answer:{trade_id}", payload)
    return queue(checks.session, checks.principal, answer)


def submit_payment(
    session: Session, services: Services, principal: Principal, body: schemas.PaymentCreate
) -> SubmissionAccepted:
    """A payment against a verified invoice, signed by the payee (the seller)."""
    checks = TradeChecks(session, services, principal)
    trade = _payable_invoice(session, checks, body)
    payment = Payment(hex_bytes(body.trade_id), body.amount, body.paid_at, hex_bytes(body.pay_ref))
    payment_id = "0x" + payment.payment_id(checks.domain).hex()
    # the payee's standing, as the ledger checks it; a suspended buyer's debt can still be paid
    checks.require_trader(trade.seller)
    checks.require_signature(trade.seller, hex_bytes(payment_id), body.payee_signature, "payee")
    payload = {"payment_id": payment_id, "trade": trade.payload(), **body.model_dump(mode="json")}
    accepted = Accepted(payment_id, OutboxKind.PAYMENT, f"payment:{payment_id}", payload)
    return queue(session, principal, accepted)


def _payable_invoice(
    session: Session, checks: TradeChecks, body: schemas.PaymentCreate
) -> TradeRow:
    """The verified invoice ``body`` pays, once the payment is checked against it: by one of
    its parties, not settled through a receivable, not in the future, not above what is owed."""
    trade = session.get(TradeRow, body.trade_id)
    if trade is None or trade.status != TradeStatus.VERIFIED:
        message = f"no verified trade {body.trade_id} on the ledger (yet)"
        raise TradeNotFound(body.trade_id, message)
    if trade.kind != TradeKind.INVOICE:
        raise NotAnInvoice(body.trade_id)
    checks.require_party(trade.seller, trade.buyer)
    _require_no_receivable(session, body.trade_id)
    if body.paid_at > int(time.time()) + MAX_CLOCK_SKEW:
        raise FutureTime("paid_at", body.paid_at, "record payments once they happen")
    paid = paid_or_paying(session, body.trade_id)
    if paid + body.amount > trade.amount:
        raise Overpayment(paid + body.amount, trade.amount)
    return trade


def _require_no_receivable(session: Session, trade_id: str) -> None:
    """Once a receivable is issued from an invoice (or queued to be), the invoice is paid by
    settling the receivable, signed by its holder (a bank, after financing); a trade-level payment
    signed by the seller would claim money the seller may no longer be owed."""
    receivable = session.get(Receivable, trade_id)
    queued = session.exec(
        select(OutboxItem.id).where(
            OutboxItem.dedupe_key == f"issue:{trade_id}",
            col(OutboxItem.status).in_(PENDING),
        )
    ).first()
    issued = receivable is not None and receivable.status != ReceivableStatus.REJECTED
    if issued or queued is not None:
        raise PaidOnReceivable(trade_id)


def trade_in(payload: dict[str, Any]) -> schemas.TradeIn:
    """A trade's payload as the API shows it (the kind by its name)."""
    return schemas.TradeIn(**{**payload, "kind": TradeKind(payload["kind"]).name.lower()})


def _ledger_status(row: TradeRow) -> str:
    """The trade's status on the ledger as the API names it (``proposed``, ``verified`` ...)."""
    return TradeStatus(row.status).name.lower()
