"""Receivable operations over HTTP: checked off chain, queued, relayed.

The holder's signature moves a receivable (split, transfer, finance, settle, default); financing
also carries the bank's. Nonces are the holder's, as the contract counts them, plus what the
holder has in the outbox already.

Every rule ``ReceivableLedger`` enforces is checked here first, from the indexed state, and
refused with a 4xx before anything is written to the outbox (the README's "What the API refuses
before the chain does" lists each revert with its code): a receivable that exists and is in the
right state, no other operation on it still in flight, an active holder, active trader
recipients, parts that sum, a tier that can grow, an active bank that is not the holder, an
advance within the amount, live terms, the holder's next nonce, the signatures; for an issue, an
invoice to an active core enterprise from an active trader, not issued already and not paid at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlmodel import Session, col

from backend.auth.service import Forbidden, Principal
from backend.chain.contracts import FirmStatus, Role
from backend.receivables import schemas
from backend.receivables.models import Receivable
from backend.relayer.models import QUEUED, OutboxItem
from backend.schemas import hex_bytes
from backend.sdk.typed_data import Finance, MarkDefault, Settle, Split
from backend.services import Services
from backend.trades.models import Trade as TradeRow
from backend.trades.schemas import SubmissionAccepted
from backend.trades.service import (
    MAX_CLOCK_SKEW,
    Accepted,
    TradeChecks,
    check_next_nonce,
    enqueue,
    in_flight,
    paid_or_paying,
    refused,
)

CONFIRMED, FINANCED = 2, 5
MAX_TIER = 255  # the contract's uint8 tier
NONCED_KINDS = ("receivable_split", "receivable_finance", "receivable_default")
MOVES = ("receivable_split", "receivable_finance", "receivable_settle", "receivable_default")


def _receivable(session: Session, receivable_id: str) -> Receivable:
    row = session.get(Receivable, receivable_id)
    if row is None:
        raise refused("not_found", f"no receivable {receivable_id} on the ledger (yet)", 404)
    return row


def currency_of(session: Session, row: Receivable) -> int | None:
    """A receivable is in its invoice's currency: the root's id is the invoice's trade id."""
    invoice = session.get(TradeRow, row.root_id)
    return None if invoice is None else invoice.currency


def public(row: Receivable, currency: int | None) -> schemas.ReceivablePublic:
    return schemas.ReceivablePublic(
        receivable_id=row.receivable_id,
        root_id=row.root_id,
        parent_id=row.parent_id,
        tier=row.tier,
        obligor=row.obligor,
        creditor=row.creditor,
        holder=row.holder,
        amount=row.amount,
        currency=currency,
        due_at=row.due_at,
        status=schemas.STATUS_NAMES[row.status],  # type: ignore[arg-type]
        financed=row.financed,
        paid_at=row.paid_at,
        late_days=row.late_days,
    )


def read(session: Session, principal: Principal, receivable_id: str) -> schemas.ReceivablePublic:
    row = _receivable(session, receivable_id)
    if not principal.operator and principal.address not in (row.holder, row.obligor, row.creditor):
        raise Forbidden(
            "a receivable is read by its holder, obligor, creditor and the operator",
            code="not_a_party",
        )
    return public(row, currency_of(session, row))


def _require_status(row: Receivable, *allowed: int) -> None:
    if row.status not in allowed:
        names = " or ".join(schemas.STATUS_NAMES[s] for s in allowed)
        raise refused(
            "wrong_state", f"the receivable is {schemas.STATUS_NAMES[row.status]}, not {names}", 409
        )


def _require_nothing_in_flight(session: Session, row: Receivable) -> None:
    """One operation at a time: another one queued (or on chain but not yet indexed) would
    change the state this request was checked against, and one of the two would fail on chain."""
    if in_flight(session, OutboxItem.subject == row.receivable_id, col(OutboxItem.kind).in_(MOVES)):
        raise refused(
            "operation_in_flight",
            "another operation on this receivable is still being recorded; retry once it is",
            409,
        )


def _require_active_holder(checks: TradeChecks, row: Receivable) -> None:
    status, _ = checks.standing(row.holder)
    if status != FirmStatus.ACTIVE:
        raise refused(
            "holder_not_active", f"the holder {row.holder} is not an active registered firm", 403
        )


def _holder_or_operator(principal: Principal, row: Receivable, *others: str) -> None:
    if not principal.operator and principal.address not in (row.holder, *others):
        raise Forbidden(
            "only the holder (or the operator relaying for it) moves a receivable",
            code="not_the_holder",
        )


def _chain_nonce(services: Services, row: Receivable) -> Callable[[], int]:
    return lambda: services.ledger.receivables.nonce(row.holder)


def _accept(
    session: Session,
    principal: Principal,
    kind: str,
    subject: str,
    key: str,
    payload: dict[str, Any],
    nonce_signer: str | None = None,
) -> SubmissionAccepted:
    accepted = Accepted(subject, kind, key, payload, nonce_signer=nonce_signer)
    (row_id,) = enqueue(session, principal, [accepted])
    return SubmissionAccepted(id=row_id, subject=subject, status=QUEUED)


def _holder_signed(
    session: Session,
    services: Services,
    principal: Principal,
    row: Receivable,
    digest: bytes,
    body: schemas.ReceivableSettle | schemas.ReceivableDefault,
    kind: str,
) -> SubmissionAccepted:
    """Check the holder's signature of an ending (settle or default), then queue it."""
    checks = TradeChecks(session, services, principal)
    checks.require_signature(row.holder, digest, body.holder_signature, "holder")
    payload = {"receivable_id": row.receivable_id, **body.model_dump(mode="json")}
    # Of the two endings only a default spends the holder's nonce (a settlement carries none).
    nonce_signer = row.holder if kind == "receivable_default" else None
    return _accept(
        session,
        principal,
        kind,
        row.receivable_id,
        f"end:{row.receivable_id}",
        payload,
        nonce_signer,
    )


def issue(
    session: Session, services: Services, principal: Principal, body: schemas.ReceivableIssue
) -> SubmissionAccepted:
    trade = session.get(TradeRow, body.trade_id)
    if trade is None or trade.kind != 2 or trade.status not in (1, 2):
        raise refused("not_found", f"no recorded or proposed invoice {body.trade_id}", 404)
    checks = TradeChecks(session, services, principal)
    checks.require_party(trade.seller, trade.buyer)
    status, roles = checks.standing(trade.buyer)
    if status != FirmStatus.ACTIVE or not roles & Role.CORE:
        raise refused("not_a_core_buyer", "receivables are born from invoices to core enterprises")
    checks.require_trader(trade.seller)
    if session.get(Receivable, body.trade_id) is not None:
        raise refused("already_issued", "this invoice's receivable exists already", 409)
    paid = paid_or_paying(session, trade.trade_id)
    if paid:
        raise refused(
            "invoice_paid",
            f"{paid} is paid (or being paid) against this invoice; only an unpaid one is issued",
            409,
        )
    payload = {
        "trade_id": trade.trade_id,
        "trade": {
            "seller": trade.seller,
            "buyer": trade.buyer,
            "kind": trade.kind,
            "doc_hash": trade.doc_hash,
            "amount": trade.amount,
            "currency": trade.currency,
            "issued_at": trade.issued_at,
            "due_at": trade.due_at,
            "ref": trade.ref,
            "invoice_key": trade.invoice_key,
        },
    }
    return _accept(
        session, principal, "receivable_issue", trade.trade_id, f"issue:{trade.trade_id}", payload
    )


def split(
    session: Session,
    services: Services,
    principal: Principal,
    receivable_id: str,
    body: schemas.ReceivableSplit,
) -> SubmissionAccepted:
    row = _receivable(session, receivable_id)
    _holder_or_operator(principal, row)
    _require_status(row, CONFIRMED)
    _require_nothing_in_flight(session, row)
    if len(body.to) != len(body.amounts):
        raise refused("invalid_split", "one amount for each recipient")
    if sum(body.amounts) != row.amount:
        raise refused(
            "split_amount_mismatch", f"the parts sum to {sum(body.amounts)}, not {row.amount}"
        )
    if row.tier >= MAX_TIER and any(to != row.holder for to in body.to):
        raise refused("tier_too_deep", f"a tier-{row.tier} receivable cannot pass further down")
    checks = TradeChecks(session, services, principal)
    _require_active_holder(checks, row)
    for recipient in body.to:
        checks.require_trader(recipient)
    check_next_nonce(session, row.holder, NONCED_KINDS, _chain_nonce(services, row), body.nonce)
    message = Split(hex_bytes(receivable_id), tuple(body.to), tuple(body.amounts), body.nonce)
    checks.require_signature(
        row.holder,
        message.digest(services.ledger.receivables.domain),
        body.holder_signature,
        "holder",
    )
    payload = {"receivable_id": receivable_id, **body.model_dump(mode="json")}
    return _accept(
        session,
        principal,
        "receivable_split",
        receivable_id,
        f"move:{receivable_id}",
        payload,
        nonce_signer=row.holder,
    )


def finance(
    session: Session,
    services: Services,
    principal: Principal,
    receivable_id: str,
    body: schemas.ReceivableFinance,
) -> SubmissionAccepted:
    row = _receivable(session, receivable_id)
    _holder_or_operator(principal, row, body.bank)
    if row.financed:
        raise refused("already_financed", "this receivable was financed already", 409)
    _require_status(row, CONFIRMED)
    _require_nothing_in_flight(session, row)
    if body.advance > row.amount:
        raise refused("advance_exceeds_amount", f"the advance {body.advance} exceeds {row.amount}")
    if body.deadline <= int(time.time()):
        raise refused("expired", "the financing terms' deadline has passed")
    if body.bank == row.holder:
        raise refused("self_finance", "a bank cannot finance a receivable it holds itself")
    checks = TradeChecks(session, services, principal)
    _require_active_holder(checks, row)
    status, roles = checks.standing(body.bank)
    if status != FirmStatus.ACTIVE or not roles & Role.BANK:
        raise refused("not_a_bank", f"{body.bank} is not an active bank")
    check_next_nonce(session, row.holder, NONCED_KINDS, _chain_nonce(services, row), body.nonce)
    terms = Finance(
        hex_bytes(receivable_id), body.bank, body.advance, body.rate_bps, body.deadline, body.nonce
    )
    digest = terms.digest(services.ledger.receivables.domain)
    checks.require_signature(row.holder, digest, body.holder_signature, "holder")
    checks.require_signature(body.bank, digest, body.bank_signature, "bank")
    payload = {"receivable_id": receivable_id, **body.model_dump(mode="json")}
    return _accept(
        session,
        principal,
        "receivable_finance",
        receivable_id,
        f"move:{receivable_id}",
        payload,
        nonce_signer=row.holder,
    )


def settle(
    session: Session,
    services: Services,
    principal: Principal,
    receivable_id: str,
    body: schemas.ReceivableSettle,
) -> SubmissionAccepted:
    row = _receivable(session, receivable_id)
    _holder_or_operator(principal, row)
    _require_status(row, CONFIRMED, FINANCED)
    _require_nothing_in_flight(session, row)
    if body.amount != row.amount:
        raise refused("settlement_amount_mismatch", f"settlement is in full: {row.amount}")
    if body.paid_at > int(time.time()) + MAX_CLOCK_SKEW:
        raise refused("future_time", "paid_at is in the future")
    _require_active_holder(TradeChecks(session, services, principal), row)
    message = Settle(hex_bytes(receivable_id), body.amount, body.paid_at, hex_bytes(body.pay_ref))
    return _holder_signed(
        session,
        services,
        principal,
        row,
        message.digest(services.ledger.receivables.domain),
        body,
        "receivable_settle",
    )


def mark_default(
    session: Session,
    services: Services,
    principal: Principal,
    receivable_id: str,
    body: schemas.ReceivableDefault,
) -> SubmissionAccepted:
    row = _receivable(session, receivable_id)
    _holder_or_operator(principal, row)
    _require_status(row, CONFIRMED, FINANCED)
    _require_nothing_in_flight(session, row)
    chain_now = int(services.w3.eth.get_block("latest")["timestamp"])
    if chain_now <= row.due_at + services.ledger.receivables.grace_period():
        raise refused(
            "not_overdue", "a receivable defaults only after its due date and the grace period"
        )
    _require_active_holder(TradeChecks(session, services, principal), row)
    check_next_nonce(session, row.holder, NONCED_KINDS, _chain_nonce(services, row), body.nonce)
    message = MarkDefault(hex_bytes(receivable_id), body.nonce)
    return _holder_signed(
        session,
        services,
        principal,
        row,
        message.digest(services.ledger.receivables.domain),
        body,
        "receivable_default",
    )
