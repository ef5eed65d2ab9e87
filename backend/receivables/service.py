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

from backend.auth.checks import SubmissionChecks, check_next_nonce, queue
from backend.auth.errors import NotAParty
from backend.auth.service import Principal
from backend.db import from_row, get_or
from backend.enums import (
    MAX_CLOCK_SKEW,
    OutboxKind,
    ReceivableStatus,
    Role,
    TradeKind,
    TradeStatus,
)
from backend.errors import FutureTime
from backend.receivables import schemas
from backend.receivables.errors import (
    AdvanceExceedsAmount,
    AlreadyFinanced,
    AlreadyIssued,
    HolderNotActive,
    InvalidSplit,
    InvoiceNotFound,
    InvoicePaid,
    NotACoreBuyer,
    NotOverdue,
    NotTheHolder,
    OperationInFlight,
    ReceivableNotFound,
    ReceivableWrongState,
    SelfFinance,
    SettlementAmountMismatch,
    SplitAmountMismatch,
    TermsExpired,
    TierTooDeep,
)
from backend.receivables.models import Receivable
from backend.relayer.models import OutboxItem
from backend.relayer.outbox import Accepted, in_flight
from backend.schemas import SubmissionAccepted, hex_bytes
from backend.sdk.typed_data import Finance, MarkDefault, Settle, Split
from backend.services import Services
from backend.trades.models import Trade as TradeRow
from backend.trades.queries import paid_or_paying

MAX_TIER = 255  # the contract's uint8 tier
#: The outbox kinds that spend a holder's receivable-ledger nonce.
NONCED_KINDS = (
    OutboxKind.RECEIVABLE_SPLIT,
    OutboxKind.RECEIVABLE_FINANCE,
    OutboxKind.RECEIVABLE_DEFAULT,
)
#: The outbox kinds that move a receivable on (one at a time).
MOVES = (*NONCED_KINDS, OutboxKind.RECEIVABLE_SETTLE)


def _receivable(session: Session, receivable_id: str) -> Receivable:
    return get_or(session, Receivable, receivable_id, ReceivableNotFound(receivable_id))


def _ending(session: Session, principal: Principal, receivable_id: str) -> Receivable:
    """The receivable a settlement or a default ends: confirmed or financed, moved by its holder
    (or the operator), with no other operation in flight."""
    row = _receivable(session, receivable_id)
    _holder_or_operator(principal, row)
    _require_status(row, ReceivableStatus.CONFIRMED, ReceivableStatus.FINANCED)
    _require_nothing_in_flight(session, row)
    return row


def currency_of(session: Session, row: Receivable) -> int | None:
    """A receivable is in its invoice's currency: the root's id is the invoice's trade id."""
    invoice = session.get(TradeRow, row.root_id)
    return None if invoice is None else invoice.currency


def public(row: Receivable, currency: int | None) -> schemas.ReceivablePublic:
    return from_row(
        schemas.ReceivablePublic, row, currency=currency, status=_status_name(row.status)
    )


def read(session: Session, principal: Principal, receivable_id: str) -> schemas.ReceivablePublic:
    row = _receivable(session, receivable_id)
    if not principal.operator and principal.address not in (row.holder, row.obligor, row.creditor):
        raise NotAParty("a receivable is read by its holder, obligor, creditor and the operator")
    return public(row, currency_of(session, row))


def _require_status(row: Receivable, *allowed: int) -> None:
    if row.status not in allowed:
        names = " or ".join(_status_name(s) for s in allowed)
        raise ReceivableWrongState(row.receivable_id, _status_name(row.status), names)


def _require_nothing_in_flight(session: Session, row: Receivable) -> None:
    """One operation at a time: another one queued (or on chain but not yet indexed) would
    change the state this request was checked against, and one of the two would fail on chain."""
    if in_flight(session, OutboxItem.subject == row.receivable_id, col(OutboxItem.kind).in_(MOVES)):
        raise OperationInFlight(row.receivable_id)


def _require_active_holder(checks: SubmissionChecks, row: Receivable) -> None:
    if not checks.is_active(row.holder):
        raise HolderNotActive(row.holder)


def _holder_or_operator(principal: Principal, row: Receivable, *others: str) -> None:
    if not principal.operator and principal.address not in (row.holder, *others):
        raise NotTheHolder()


def _chain_nonce(services: Services, row: Receivable) -> Callable[[], int]:
    return lambda: services.ledger.receivables.nonce(row.holder)


def _accept(
    session: Session,
    principal: Principal,
    kind: OutboxKind,
    subject: str,
    key: str,
    payload: dict[str, Any],
    nonce_signer: str | None = None,
) -> SubmissionAccepted:
    return queue(session, principal, Accepted(subject, kind, key, payload, nonce_signer))


def _queue_move(
    session: Session,
    principal: Principal,
    kind: OutboxKind,
    row: Receivable,
    body: schemas.ReceivableSplit | schemas.ReceivableFinance,
) -> SubmissionAccepted:
    """Queue a holder's move (a split or a financing): it spends the holder's nonce."""
    payload = {"receivable_id": row.receivable_id, **body.model_dump(mode="json")}
    key = f"move:{row.receivable_id}"
    return _accept(session, principal, kind, row.receivable_id, key, payload, row.holder)


def _holder_signed(
    checks: SubmissionChecks,
    row: Receivable,
    message: Settle | MarkDefault,
    body: schemas.ReceivableSettle | schemas.ReceivableDefault,
    kind: OutboxKind,
) -> SubmissionAccepted:
    """Check the holder's signature of an ending (settle or default), then queue it."""
    digest = message.digest(checks.services.ledger.receivables.domain)
    checks.require_signature(row.holder, digest, body.holder_signature, "holder")
    payload = {"receivable_id": row.receivable_id, **body.model_dump(mode="json")}
    # Of the two endings only a default spends the holder's nonce (a settlement carries none).
    nonce_signer = row.holder if kind == OutboxKind.RECEIVABLE_DEFAULT else None
    return _accept(
        checks.session,
        checks.principal,
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
    issuable = (TradeStatus.PROPOSED, TradeStatus.VERIFIED)
    if trade is None or trade.kind != TradeKind.INVOICE or trade.status not in issuable:
        raise InvoiceNotFound(body.trade_id)
    checks = SubmissionChecks(session, services, principal)
    checks.require_party(trade.seller, trade.buyer)
    if not checks.is_active(trade.buyer, Role.CORE):
        raise NotACoreBuyer(trade.buyer)
    checks.require_trader(trade.seller)
    if session.get(Receivable, body.trade_id) is not None:
        raise AlreadyIssued(body.trade_id)
    paid = paid_or_paying(session, trade.trade_id)
    if paid:
        raise InvoicePaid(trade.trade_id, paid)
    payload = {"trade_id": trade.trade_id, "trade": trade.payload()}
    return _accept(
        session,
        principal,
        OutboxKind.RECEIVABLE_ISSUE,
        trade.trade_id,
        f"issue:{trade.trade_id}",
        payload,
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
    _require_status(row, ReceivableStatus.CONFIRMED)
    _require_nothing_in_flight(session, row)
    if len(body.to) != len(body.amounts):
        raise InvalidSplit()
    if sum(body.amounts) != row.amount:
        raise SplitAmountMismatch(sum(body.amounts), row.amount)
    if row.tier >= MAX_TIER and any(to != row.holder for to in body.to):
        raise TierTooDeep(row.tier)
    checks = SubmissionChecks(session, services, principal)
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
    return _queue_move(session, principal, OutboxKind.RECEIVABLE_SPLIT, row, body)


def receivable(session: Session, receivable_id: str) -> Receivable:
    """The indexed receivable ``receivable_id``, else 404."""
    return _receivable(session, receivable_id)


def check_finance_terms(
    checks: SubmissionChecks, row: Receivable, terms: schemas.FinanceTerms
) -> None:
    """Everything a financing's terms must pass before its signatures are looked at (the
    ledger's own refusals, checked here first): a confirmed receivable not financed, nothing
    else in flight on it, an advance within its amount, live terms, an active holder, an active
    bank that is not the holder, and the holder's next nonce. A bank's offer passes the same."""
    if row.financed:
        raise AlreadyFinanced(row.receivable_id)
    _require_status(row, ReceivableStatus.CONFIRMED)
    _require_nothing_in_flight(checks.session, row)
    if terms.advance > row.amount:
        raise AdvanceExceedsAmount(terms.advance, row.amount)
    if terms.deadline <= int(time.time()):
        raise TermsExpired(terms.deadline)
    if terms.bank == row.holder:
        raise SelfFinance(terms.bank)
    _require_active_holder(checks, row)
    checks.require_bank(terms.bank)
    services = checks.services
    check_next_nonce(
        checks.session, row.holder, NONCED_KINDS, _chain_nonce(services, row), terms.nonce
    )


def finance_digest(services: Services, receivable_id: str, terms: schemas.FinanceTerms) -> bytes:
    """The ``Finance`` digest the holder and the bank both sign."""
    message = Finance(
        hex_bytes(receivable_id),
        terms.bank,
        terms.advance,
        terms.rate_bps,
        terms.deadline,
        terms.nonce,
    )
    return message.digest(services.ledger.receivables.domain)


def finance(
    session: Session,
    services: Services,
    principal: Principal,
    receivable_id: str,
    body: schemas.ReceivableFinance,
) -> SubmissionAccepted:
    row = _receivable(session, receivable_id)
    _holder_or_operator(principal, row, body.bank)
    checks = SubmissionChecks(session, services, principal)
    check_finance_terms(checks, row, body)
    digest = finance_digest(services, receivable_id, body)
    checks.require_signature(row.holder, digest, body.holder_signature, "holder")
    checks.require_signature(body.bank, digest, body.bank_signature, "bank")
    return _queue_move(session, principal, OutboxKind.RECEIVABLE_FINANCE, row, body)


def settle(
    session: Session,
    services: Services,
    principal: Principal,
    receivable_id: str,
    body: schemas.ReceivableSettle,
) -> SubmissionAccepted:
    row = _ending(session, principal, receivable_id)
    if body.amount != row.amount:
        raise SettlementAmountMismatch(row.amount)
    if body.paid_at > int(time.time()) + MAX_CLOCK_SKEW:
        raise FutureTime("paid_at", body.paid_at)
    checks = SubmissionChecks(session, services, principal)
    _require_active_holder(checks, row)
    message = Settle(hex_bytes(receivable_id), body.amount, body.paid_at, hex_bytes(body.pay_ref))
    return _holder_signed(checks, row, message, body, OutboxKind.RECEIVABLE_SETTLE)


def mark_default(
    session: Session,
    services: Services,
    principal: Principal,
    receivable_id: str,
    body: schemas.ReceivableDefault,
) -> SubmissionAccepted:
    row = _ending(session, principal, receivable_id)
    chain_now = int(services.w3.eth.get_block("latest")["timestamp"])
    if chain_now <= row.due_at + services.ledger.receivables.grace_period():
        raise NotOverdue(receivable_id)
    checks = SubmissionChecks(session, services, principal)
    _require_active_holder(checks, row)
    check_next_nonce(session, row.holder, NONCED_KINDS, _chain_nonce(services, row), body.nonce)
    message = MarkDefault(hex_bytes(receivable_id), body.nonce)
    return _holder_signed(checks, row, message, body, OutboxKind.RECEIVABLE_DEFAULT)


def _status_name(status: int) -> str:
    """A receivable status as the API names it (``confirmed``, ``financed`` ...)."""
    return ReceivableStatus(status).name.lower()
