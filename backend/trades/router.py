"""HTTP for trades and payments: thin; the work is in service.py."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.checks import RELAYED, CallerDep, accepted
from backend.auth.errors import (
    SIGNED_IN,
    FirmNotActive,
    InvalidSignature,
    NotAParty,
    RoleNotAllowed,
)
from backend.errors import FutureTime, responses
from backend.paging import Page, PagingDep
from backend.schemas import Address, Hex32, IsoDay, SubmissionAccepted
from backend.trades import errors, listing, payments, schemas, service

#: What every signed submission may be refused for, whatever it submits.
SUBMITTED = (*RELAYED, NotAParty, FirmNotActive, RoleNotAllowed, InvalidSignature)
ANSWER = (*SUBMITTED, errors.TradeNotFound, errors.TradeWrongState, errors.ProposalExpired)

router = APIRouter(tags=["trades"], responses=responses(*SIGNED_IN))


@router.get(
    "/trades",
    response_model=Page[schemas.TradeListed],
    responses=responses(*SIGNED_IN, errors.SideWithoutParty),
)
def list_trades(
    caller: CallerDep,
    paging: PagingDep,
    party: Annotated[Address | None, Query(description="trades this firm is party to")] = None,
    side: Annotated[
        listing.Side | None,
        Query(description="the party's side (without party: the caller's own side)"),
    ] = None,
    kind: Annotated[schemas.TradeKindName | None, Query()] = None,
    status: Annotated[schemas.LedgerStatusName | None, Query(description="ledger status")] = None,
    issued_from: Annotated[
        IsoDay | None, Query(alias="from", description="issued on or after this day (UTC)")
    ] = None,
    issued_to: Annotated[
        IsoDay | None, Query(alias="to", description="issued on or before this day (UTC)")
    ] = None,
) -> Page[schemas.TradeListed]:
    """Recorded trades, newest first: a firm's own; a bank's also those of firms with an active
    consent to it; all (operator)."""
    filters = listing.TradeFilters(party, side, kind, status, issued_from, issued_to)
    return listing.list_trades(caller.session, caller.principal, paging, filters)


@router.post(
    "/trades",
    **accepted(
        *SUBMITTED,
        errors.SelfTrade,
        errors.UnknownCurrency,
        FutureTime,
        errors.InvalidDueDate,
        errors.MissingInvoiceKey,
        errors.InvalidInvoiceKey,
        errors.DuplicateDocument,
        errors.DuplicateInvoice,
        model=schemas.TradeAccepted,
    ),
)
def create_trade(body: schemas.TradeCreate, caller: CallerDep) -> schemas.TradeAccepted:
    """Submit a trade signed by the seller, and by the buyer (or later, by confirming it)."""
    return service.submit_trade(*caller, body)


@router.post(
    "/trades/batch",
    **accepted(*SUBMITTED, errors.BatchTooLarge, model=schemas.TradesBatchAccepted),
)
def create_trades(
    body: schemas.TradesBatchCreate, caller: CallerDep
) -> schemas.TradesBatchAccepted:
    """Submit up to 1,000 trades; each item is queued or refused on its own."""
    return service.submit_batch(*caller, body)


@router.get(
    "/trades/{trade_id:hex32}",
    response_model=schemas.TradePublic,
    responses=responses(*SIGNED_IN, errors.TradeNotFound, NotAParty),
)
def read_trade(trade_id: Hex32, caller: CallerDep) -> schemas.TradePublic:
    return service.get_trade(*caller, trade_id)


@router.post("/trades/{trade_id}/confirm", **accepted(*ANSWER))
def confirm_trade(
    trade_id: Hex32, body: schemas.TradeConfirm, caller: CallerDep
) -> SubmissionAccepted:
    return service.confirm(*caller, trade_id, body)


@router.post("/trades/{trade_id}/reject", **accepted(*ANSWER))
def reject_trade(
    trade_id: Hex32, body: schemas.TradeReject, caller: CallerDep
) -> SubmissionAccepted:
    return service.reject(*caller, trade_id, body)


@router.get(
    "/payments",
    response_model=Page[schemas.PaymentListed],
    responses=responses(*SIGNED_IN, errors.SideWithoutParty),
)
def list_payments(
    caller: CallerDep,
    paging: PagingDep,
    party: Annotated[Address | None, Query(description="payments this firm made or got")] = None,
    side: Annotated[
        payments.Side | None,
        Query(description="the party's side (without party: the caller's own side)"),
    ] = None,
    trade: Annotated[Hex32 | None, Query(description="payments against this invoice")] = None,
    paid_from: Annotated[
        IsoDay | None, Query(alias="from", description="paid on or after this day (UTC)")
    ] = None,
    paid_to: Annotated[
        IsoDay | None, Query(alias="to", description="paid on or before this day (UTC)")
    ] = None,
) -> Page[schemas.PaymentListed]:
    """Recorded trade payments, newest first: a firm's own (as payer or payee); a bank's also
    those of firms with an active consent to it; all (operator)."""
    filters = payments.PaymentFilters(party, side, trade, paid_from, paid_to)
    return payments.list_payments(caller.session, caller.principal, paging, filters)


@router.post(
    "/payments",
    **accepted(
        *SUBMITTED,
        errors.TradeNotFound,
        errors.NotAnInvoice,
        errors.PaidOnReceivable,
        FutureTime,
        errors.Overpayment,
    ),
)
def create_payment(body: schemas.PaymentCreate, caller: CallerDep) -> SubmissionAccepted:
    """Record a payment against a verified invoice, signed by the payee (the seller)."""
    return service.submit_payment(*caller, body)
