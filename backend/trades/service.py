"""Submitting trades, answers and payments: validated off chain, then queued in the outbox.

Everything the contract would refuse is refused here first, with a 4xx and nothing written:
signatures must recover to the named parties (or their ERC-1271 wallets must approve), both
parties must be active traders, the document must be new (neither recorded nor queued), fields
sane. What passes is written to the outbox in the request's transaction and answered 202.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.auth.service import Forbidden, Principal
from backend.chain.contracts import FirmStatus, Role
from backend.chain.wallets import wallet_approves
from backend.errors import LedgerError
from backend.firms.models import Firm
from backend.relayer.actions import TRADE
from backend.relayer.models import QUEUED, SUBMITTED, OutboxItem
from backend.relayer.status import (
    depth_status,
    indexed_head,
    latest_submission,
    submission_status,
)
from backend.schemas import hex_bytes
from backend.sdk.typed_data import Payment, Trade, TradeKind
from backend.sdk.verify import recover_address
from backend.services import Services
from backend.trades import schemas
from backend.trades.currencies import is_known_currency
from backend.trades.models import Payment as PaymentRow
from backend.trades.models import Trade as TradeRow

MAX_CLOCK_SKEW = 300  # seconds a business time may run ahead of now (the contract's rule)
TRADER = Role.SUPPLIER | Role.CORE
LEDGER_STATUS = {1: "proposed", 2: "verified", 3: "rejected"}


def refused(code: str, message: str, status: int = 422) -> LedgerError:
    return LedgerError(message, code=code, status=status)


@dataclass(frozen=True)
class Accepted:
    subject: str
    kind: str
    dedupe_key: str
    payload: dict[str, Any]
    nonce_signer: str | None = None


class TradeChecks:
    """The off-chain checks, with the lookups of one request cached."""

    def __init__(self, session: Session, services: Services, principal: Principal) -> None:
        self.session = session
        self.services = services
        self.principal = principal
        self.domain = services.ledger.trades.domain
        self._standing: dict[str, tuple[FirmStatus, Role]] = {}
        self._known_documents: set[str] | None = None

    # ───────────────────────────────────────────── parts

    def standing(self, address: str) -> tuple[FirmStatus, Role]:
        """From the indexed firms; from the chain when the index does not (yet) have it active."""
        if address not in self._standing:
            row = self.session.get(Firm, address)
            if row is not None and row.status == FirmStatus.ACTIVE:
                self._standing[address] = (FirmStatus(row.status), Role(row.roles))
            else:
                chain = self.services.ledger.registry.standing(address)
                self._standing[address] = (chain.status, chain.roles)
        return self._standing[address]

    def require_trader(self, address: str) -> None:
        status, roles = self.standing(address)
        if status != FirmStatus.ACTIVE:
            raise refused("firm_not_active", f"{address} is not an active registered firm")
        if not roles & TRADER:
            raise refused(
                "role_not_allowed", f"{address} is not a supplier or core enterprise", 403
            )

    def require_party(self, *parties: str) -> None:
        if not self.principal.operator and self.principal.address not in parties:
            raise Forbidden(
                "only a party to the trade (or the operator) may submit this", code="not_a_party"
            )

    def require_signature(self, signer: str, digest: bytes, signature: str, role: str) -> None:
        raw = hex_bytes(signature)
        if recover_address(digest, raw) == signer or wallet_approves(
            self.services.w3, signer, digest, raw
        ):
            return
        raise refused("invalid_signature", f"the {role} signature does not come from {signer}")

    def trade_fields(self, data: schemas.TradeIn, now: int) -> Trade:
        if data.seller == data.buyer:
            raise refused("self_trade", "seller and buyer must be different firms")
        if not is_known_currency(data.currency):
            raise refused("unknown_currency", f"{data.currency} is not an ISO 4217 numeric code")
        if data.issued_at > now + MAX_CLOCK_SKEW:
            raise refused(
                "future_time", "issued_at is in the future; record trades once they happen"
            )
        if data.kind == "invoice" and data.due_at < data.issued_at:
            raise refused("invalid_due_date", "an invoice cannot be due before it was issued")
        if data.kind != "invoice" and data.due_at != 0:
            raise refused("invalid_due_date", "only invoices have a due date; send due_at 0")
        return Trade(
            seller=data.seller,
            buyer=data.buyer,
            kind=TradeKind(schemas.KIND_NUMBERS[data.kind]),
            doc_hash=hex_bytes(data.doc_hash),
            amount=data.amount,
            currency=data.currency,
            issued_at=data.issued_at,
            due_at=data.due_at,
            ref=hex_bytes(data.ref),
        )

    def prefetch_documents(self, doc_hashes: list[str]) -> None:
        """Look up, in two queries, which of a batch's documents are recorded or queued."""
        self._known_documents = set(
            self.session.exec(
                select(TradeRow.doc_hash).where(col(TradeRow.doc_hash).in_(doc_hashes))
            )
        ) | {
            key.removeprefix("doc:")
            for key in self.session.exec(
                select(OutboxItem.dedupe_key).where(
                    col(OutboxItem.dedupe_key).in_([f"doc:{h}" for h in doc_hashes])
                )
            )
        }

    def document_new(self, doc_hash: str) -> None:
        if self._known_documents is None:
            self.prefetch_documents([doc_hash])
        assert self._known_documents is not None
        if doc_hash in self._known_documents:
            raise refused("duplicate_document", f"document {doc_hash} is recorded already", 409)

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
        self.document_new(data.doc_hash)
        payload = {
            "trade_id": trade_id,
            "trade": {**data.model_dump(mode="json"), "kind": schemas.KIND_NUMBERS[data.kind]},
            "seller_signature": body.seller_signature,
            "buyer_signature": body.buyer_signature,
        }
        kind = TRADE if body.buyer_signature is not None else "propose"
        return Accepted(trade_id, kind, f"doc:{data.doc_hash}", payload)


def enqueue(session: Session, principal: Principal, accepted: list[Accepted]) -> list[str]:
    """Write the outbox rows now (one bulk insert), so a conflict is a 409 here and not a failed
    commit later. Returns the rows' ids."""
    now = time.time()
    rows = [
        {
            "id": uuid.uuid4().hex,
            "kind": a.kind,
            "subject": a.subject,
            "dedupe_key": a.dedupe_key,
            "payload": a.payload,
            "submitter": principal.address,
            "nonce_signer": a.nonce_signer,
            "status": QUEUED,
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for a in accepted
    ]
    if not rows:
        return []
    try:
        with session.begin_nested():
            session.execute(insert(OutboxItem), rows)
    except IntegrityError:
        raise refused(
            "duplicate_submission", "this was submitted already; see its status", 409
        ) from None
    return [str(row["id"]) for row in rows]


def check_next_nonce(
    session: Session, signer: str, kinds: tuple[str, ...], on_chain: int, nonce: int
) -> None:
    """The nonce must be the signer's next: the chain's count plus its items still in flight."""
    in_flight = session.exec(
        select(func.count())
        .select_from(OutboxItem)
        .where(
            OutboxItem.nonce_signer == signer,
            col(OutboxItem.kind).in_(kinds),
            col(OutboxItem.status).in_([QUEUED, SUBMITTED]),
        )
    ).one()
    expected = on_chain + int(in_flight)
    if nonce != expected:
        raise refused(
            "invalid_nonce", f"nonce {nonce} is not {signer}'s next one ({expected})", 409
        )


def submit_trade(
    session: Session, services: Services, principal: Principal, body: schemas.TradeCreate
) -> schemas.TradeAccepted:
    accepted = TradeChecks(session, services, principal).trade(body, int(time.time()))
    enqueue(session, principal, [accepted])
    return schemas.TradeAccepted(trade_id=accepted.subject, status=QUEUED)


def submit_batch(
    session: Session, services: Services, principal: Principal, body: schemas.TradesBatchCreate
) -> schemas.TradesBatchAccepted:
    if len(body.items) > services.settings.max_batch_items:
        raise refused("batch_too_large", f"at most {services.settings.max_batch_items} items")
    checks = TradeChecks(session, services, principal)
    # Who may submit is decided for the whole request; what is valid, item by item.
    for item in body.items:
        checks.require_party(item.trade.seller, item.trade.buyer)
    checks.prefetch_documents([item.trade.doc_hash for item in body.items])
    now = int(time.time())
    results: list[schemas.BatchItemResult] = []
    accepted: list[Accepted] = []
    seen: set[str] = set()
    for index, item in enumerate(body.items):
        try:
            if item.trade.doc_hash in seen:
                raise refused("duplicate_document", "the same document twice in one batch", 409)
            one = checks.trade(item, now)
        except LedgerError as error:
            detail = schemas.ErrorDetail(code=error.code, message=error.message)
            results.append(
                schemas.BatchItemResult(index=index, trade_id=None, status="refused", error=detail)
            )
            continue
        seen.add(item.trade.doc_hash)
        accepted.append(one)
        results.append(schemas.BatchItemResult(index=index, trade_id=one.subject, status="queued"))
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
    item = latest_submission(session, [TRADE, "propose"], trade_id)
    if row is None and item is None:
        raise refused("not_found", f"no trade {trade_id}", 404)
    if row is not None:
        parties = (row.seller, row.buyer)
    else:
        assert item is not None
        parties = (item.payload["trade"]["seller"], item.payload["trade"]["buyer"])
    if not principal.operator and principal.address not in parties:
        raise Forbidden("only the trade's parties and the operator may read it", code="not_a_party")
    if row is not None:
        return _recorded(session, services, row)
    assert item is not None
    state = submission_status(
        session, item, chain_id=services.chain_id, final_depth=services.settings.final_depth
    )
    error = (
        schemas.ErrorDetail(code=state.error_code, message=state.error_message or "")
        if state.error_code
        else None
    )
    trade = dict(item.payload["trade"], kind=schemas.KIND_NAMES[item.payload["trade"]["kind"]])
    return schemas.TradePublic(
        trade_id=trade_id,
        status=state.status,  # type: ignore[arg-type]
        trade=schemas.TradeIn(**trade),
        tx_hash=state.tx_hash,
        block_number=state.block_number,
        confirmations=state.confirmations,
        error=error,
    )


def _recorded(session: Session, services: Services, row: TradeRow) -> schemas.TradePublic:
    from backend.indexer.models import ChainEvent

    event = session.get(ChainEvent, row.event_id)
    trade = schemas.TradeIn(
        seller=row.seller,
        buyer=row.buyer,
        kind=schemas.KIND_NAMES[row.kind],
        doc_hash=row.doc_hash,
        amount=row.amount,
        currency=row.currency,
        issued_at=row.issued_at,
        due_at=row.due_at,
        ref=row.ref,
    )
    status, confirmations = depth_status(
        row.recorded_block,
        indexed_head(session, services.chain_id),
        services.settings.final_depth,
    )
    return schemas.TradePublic(
        trade_id=row.trade_id,
        status=status,  # type: ignore[arg-type]
        ledger_status=LEDGER_STATUS[row.status],  # type: ignore[arg-type]
        trade=trade,
        tx_hash=event.tx_hash if event else None,
        block_number=row.recorded_block,
        confirmations=confirmations,
    )


# ─────────────────────────────────────────────────────────────── answers and payments


def _proposal_buyer(session: Session, trade_id: str) -> str:
    """The buyer of a proposal still open (indexed, or queued but not yet on chain)."""
    row = session.get(TradeRow, trade_id)
    if row is not None:
        if row.status != 1:
            raise refused(
                "wrong_state", f"trade {trade_id} is {LEDGER_STATUS[row.status]}, not proposed", 409
            )
        return row.buyer
    item = session.exec(
        select(OutboxItem).where(
            OutboxItem.subject == trade_id,
            OutboxItem.kind == "propose",
            OutboxItem.status != "failed",
        )
    ).first()
    if item is None:
        raise refused("not_found", f"no proposed trade {trade_id}", 404)
    return str(item.payload["trade"]["buyer"])


def answer(
    session: Session,
    services: Services,
    principal: Principal,
    trade_id: str,
    body: schemas.TradeConfirm | schemas.TradeReject,
) -> schemas.SubmissionAccepted:
    """The buyer's confirmation or rejection of a proposal."""
    checks = TradeChecks(session, services, principal)
    buyer = _proposal_buyer(session, trade_id)
    checks.require_party(buyer)
    if isinstance(body, schemas.TradeReject):
        digest = checks.domain.digest(
            "Reject", {"tradeId": hex_bytes(trade_id), "reason": hex_bytes(body.reason)}
        )
        kind, payload = (
            "reject",
            {"trade_id": trade_id, "reason": body.reason, "buyer_signature": body.buyer_signature},
        )
    else:
        digest = hex_bytes(trade_id)
        kind, payload = "confirm", {"trade_id": trade_id, "buyer_signature": body.buyer_signature}
    checks.require_trader(buyer)
    checks.require_signature(buyer, digest, body.buyer_signature, "buyer")
    (row_id,) = enqueue(
        session, principal, [Accepted(trade_id, kind, f"answer:{trade_id}", payload)]
    )
    return schemas.SubmissionAccepted(id=row_id, subject=trade_id, status=QUEUED)


def submit_payment(
    session: Session, services: Services, principal: Principal, body: schemas.PaymentCreate
) -> schemas.SubmissionAccepted:
    checks = TradeChecks(session, services, principal)
    trade = session.get(TradeRow, body.trade_id)
    if trade is None or trade.status != 2:
        raise refused("not_found", f"no verified trade {body.trade_id} on the ledger (yet)", 404)
    if trade.kind != TradeKind.INVOICE:
        raise refused("not_an_invoice", "payments are recorded against invoices")
    checks.require_party(trade.seller, trade.buyer)
    if body.paid_at > int(time.time()) + MAX_CLOCK_SKEW:
        raise refused("future_time", "paid_at is in the future; record payments once they happen")
    paid = session.exec(
        select(func.coalesce(func.sum(PaymentRow.amount), 0)).where(
            PaymentRow.trade_id == body.trade_id
        )
    ).one()
    if paid + body.amount > trade.amount:
        raise refused(
            "overpayment",
            f"payments would total {paid + body.amount}, above the invoice's {trade.amount}",
        )
    payment = Payment(hex_bytes(body.trade_id), body.amount, body.paid_at, hex_bytes(body.pay_ref))
    payment_id = "0x" + payment.payment_id(checks.domain).hex()
    checks.require_signature(trade.seller, hex_bytes(payment_id), body.payee_signature, "payee")
    record = _trade_payload(trade)
    payload = {"payment_id": payment_id, "trade": record, **body.model_dump(mode="json")}
    (row_id,) = enqueue(
        session, principal, [Accepted(payment_id, "payment", f"payment:{payment_id}", payload)]
    )
    return schemas.SubmissionAccepted(id=row_id, subject=payment_id, status=QUEUED)


def _trade_payload(row: TradeRow) -> dict[str, Any]:
    return {
        "seller": row.seller,
        "buyer": row.buyer,
        "kind": row.kind,
        "doc_hash": row.doc_hash,
        "amount": row.amount,
        "currency": row.currency,
        "issued_at": row.issued_at,
        "due_at": row.due_at,
        "ref": row.ref,
    }
