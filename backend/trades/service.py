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
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from backend.auth.service import Forbidden, Principal
from backend.chain.contracts import FirmStatus, Role
from backend.errors import LedgerError
from backend.firms.models import Firm
from backend.indexer.models import IndexerCursor
from backend.money import is_known_currency
from backend.receivables.models import Receivable
from backend.relayer.actions import TRADE
from backend.relayer.models import FAILED, QUEUED, SUBMITTED, OutboxItem
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
from backend.trades.models import Payment as PaymentRow
from backend.trades.models import Trade as TradeRow

MAX_CLOCK_SKEW = 300  # seconds a business time may run ahead of now (the contract's rule)
TRADER = Role.SUPPLIER | Role.CORE
LEDGER_STATUS = schemas.LEDGER_STATUS_NAMES
PROPOSED, VERIFIED, REJECTED = 1, 2, 3
RECEIVABLE_REJECTED = 3  # IReceivableLedger.ReceivableStatus.Rejected
ZERO_32 = schemas.ZERO_32


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
        self._known_invoices: set[str] | None = None
        self._released_documents: set[str] = set()
        self._chain_time: int | None = None

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
        if recover_address(digest, raw) == signer or self.services.ledger.trades.verify_signature(
            signer, digest, raw
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
        if data.kind == "invoice" and data.invoice_key == ZERO_32:
            raise refused(
                "missing_invoice_key",
                "an invoice needs its identity: invoice_key = keccak256(abi.encode(issuer USCC, "
                "invoice number)) for a Chinese e-invoice",
            )
        if data.kind != "invoice" and data.invoice_key != ZERO_32:
            raise refused("invalid_invoice_key", "only invoices have an invoice_key; send zero")
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
        if row.status == PROPOSED:
            return self.chain_time() <= row.recorded_time + self.services.ledger.trades.proposal_ttl
        return row.status == VERIFIED

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
                    OutboxItem.status != FAILED,
                )
            )
            if item.status in (QUEUED, SUBMITTED)
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
                    col(OutboxItem.status).in_([QUEUED, SUBMITTED]),
                    col(OutboxItem.kind).in_([TRADE, "propose"]),
                    queued_key.in_(keys),
                )
            )
        )

    def document_new(self, doc_hash: str, invoice_key: str) -> None:
        if self._known_documents is None or self._known_invoices is None:
            self.prefetch_documents([doc_hash], [invoice_key])
        assert self._known_documents is not None and self._known_invoices is not None
        if doc_hash in self._known_documents:
            raise refused("duplicate_document", f"document {doc_hash} is recorded already", 409)
        if invoice_key in self._known_invoices:
            raise refused(
                "duplicate_invoice",
                f"invoice {invoice_key} is recorded already (under another document, maybe)",
                409,
            )

    def release_documents(self, doc_hashes: list[str]) -> None:
        """Free the outbox dedupe keys that recorded proposals keep for documents they released
        (rejected or expired), so that the document can be queued again."""
        released = [h for h in doc_hashes if h in self._released_documents]
        if not released:
            return
        for item in self.session.exec(
            select(OutboxItem).where(
                col(OutboxItem.dedupe_key).in_([f"doc:{h}" for h in released]),
                col(OutboxItem.status).not_in([QUEUED, SUBMITTED]),
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


def in_flight(session: Session, *conditions: Any) -> list[OutboxItem]:
    """Outbox rows matching ``conditions`` that the index does not show yet: queued or
    submitted, or recorded in a block the indexer has not reached. Failed rows never count."""
    cursor = session.exec(select(func.max(IndexerCursor.last_block))).one()
    indexed_up_to = -1 if cursor is None else int(cursor)
    return list(
        session.exec(
            select(OutboxItem).where(
                *conditions,
                OutboxItem.status != FAILED,
                or_(
                    col(OutboxItem.status).in_([QUEUED, SUBMITTED]),
                    col(OutboxItem.block_number) > indexed_up_to,
                ),
            )
        )
    )


def signed_nonce(payload: dict[str, Any]) -> int | None:
    """The signer's ledger nonce an outbox payload spends (a consent keeps it in its body)."""
    value = payload.get("nonce", (payload.get("consent") or {}).get("nonce"))
    return None if value is None else int(value)


def check_next_nonce(
    session: Session,
    signer: str,
    kinds: Sequence[str],
    on_chain: Callable[[], int],
    nonce: int,
) -> None:
    """The nonce must be the signer's next one, each nonce counted once whether the chain has
    spent it, the outbox still carries it, or both (a transaction mined but not yet marked):
    ``max(chain's next nonce, highest nonce of the signer's rows in flight + 1)``.

    The outbox is read before the chain: a row the relayer marks in between was mined before it
    was marked, so the chain read that follows sees its nonce spent."""
    pending = [
        signed_nonce(item.payload)
        for item in session.exec(
            select(OutboxItem).where(
                OutboxItem.nonce_signer == signer,
                col(OutboxItem.kind).in_(list(kinds)),
                col(OutboxItem.status).in_([QUEUED, SUBMITTED]),
            )
        )
    ]
    highest = max((n for n in pending if n is not None), default=-1)
    expected = max(on_chain(), highest + 1)
    if nonce != expected:
        raise refused(
            "invalid_nonce", f"nonce {nonce} is not {signer}'s next one ({expected})", 409
        )


def submit_trade(
    session: Session, services: Services, principal: Principal, body: schemas.TradeCreate
) -> schemas.TradeAccepted:
    checks = TradeChecks(session, services, principal)
    accepted = checks.trade(body, int(time.time()))
    checks.release_documents([body.trade.doc_hash])
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
                raise refused("duplicate_document", "the same document twice in one batch", 409)
            if item.trade.invoice_key in seen_invoices:
                raise refused("duplicate_invoice", "the same invoice twice in one batch", 409)
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


def trade_in(row: TradeRow) -> schemas.TradeIn:
    """The typed-data fields of a recorded trade, as the API takes them."""
    return schemas.TradeIn(
        seller=row.seller,
        buyer=row.buyer,
        kind=schemas.KIND_NAMES[row.kind],
        doc_hash=row.doc_hash,
        amount=row.amount,
        currency=row.currency,
        issued_at=row.issued_at,
        due_at=row.due_at,
        ref=row.ref,
        invoice_key=row.invoice_key,
    )


def _recorded(session: Session, services: Services, row: TradeRow) -> schemas.TradePublic:
    from backend.indexer.models import ChainEvent

    event = session.get(ChainEvent, row.event_id)
    trade = trade_in(row)
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


def _proposal_buyer(session: Session, checks: TradeChecks, trade_id: str) -> str:
    """The buyer of a proposal still open (indexed, or queued but not yet on chain)."""
    row = session.get(TradeRow, trade_id)
    if row is not None:
        if row.status != PROPOSED:
            raise refused(
                "wrong_state", f"trade {trade_id} is {LEDGER_STATUS[row.status]}, not proposed", 409
            )
        if not checks.holds(row):
            raise refused(
                "proposal_expired",
                f"proposal {trade_id} waited longer than "
                f"{checks.services.ledger.trades.proposal_ttl} s for its buyer; "
                "it can no longer be answered (propose the trade again)",
                409,
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
    buyer = _proposal_buyer(session, checks, trade_id)
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
    _require_no_receivable(session, body.trade_id)
    if body.paid_at > int(time.time()) + MAX_CLOCK_SKEW:
        raise refused("future_time", "paid_at is in the future; record payments once they happen")
    paid = paid_or_paying(session, body.trade_id)
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


def paid_or_paying(session: Session, trade_id: str) -> int:
    """What is paid against an invoice: the indexed payments and those still in flight (the
    contract counts both once they are on chain, so the API counts both now)."""
    queued = sum(
        int(item.payload["amount"])
        for item in in_flight(session, OutboxItem.kind == "payment")
        if item.payload.get("trade_id") == trade_id
    )
    recorded = session.exec(
        select(func.coalesce(func.sum(PaymentRow.amount), 0)).where(PaymentRow.trade_id == trade_id)
    ).one()
    return int(recorded) + queued


def _require_no_receivable(session: Session, trade_id: str) -> None:
    """Once a receivable is issued from an invoice (or queued to be), the invoice is paid by
    settling the receivable, signed by its holder (a bank, after financing); a trade-level payment
    signed by the seller would claim money the seller may no longer be owed."""
    receivable = session.get(Receivable, trade_id)
    queued = session.exec(
        select(OutboxItem.id).where(
            OutboxItem.dedupe_key == f"issue:{trade_id}",
            col(OutboxItem.status).in_([QUEUED, SUBMITTED]),
        )
    ).first()
    if (receivable is not None and receivable.status != RECEIVABLE_REJECTED) or queued is not None:
        raise refused(
            "paid_on_receivable",
            f"a receivable was issued from invoice {trade_id}: it is paid by settling the "
            "receivable (POST /receivables/{id}/settle), not by a payment on the trade",
            409,
        )


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
        "invoice_key": row.invoice_key,
    }
