"""HTTP for trades and payments: thin; the work is in service.py."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.auth.errors import (
    SIGNED_IN,
    FirmNotActive,
    InvalidSignature,
    NotAParty,
    RoleNotAllowed,
)
from backend.chain.node import ChainUnavailable
from backend.errors import FutureTime, responses
from backend.relayer.outbox import DuplicateSubmission
from backend.schemas import Hex32
from backend.trades import schemas, service
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

#: What every signed submission may be refused for, whatever it submits.
SUBMITTED = (
    *SIGNED_IN,
    NotAParty,
    FirmNotActive,
    RoleNotAllowed,
    InvalidSignature,
    DuplicateSubmission,
    ChainUnavailable,
)
ANSWER = (*SUBMITTED, TradeNotFound, TradeWrongState, ProposalExpired)

router = APIRouter(tags=["trades"], responses=responses(*SIGNED_IN))


@router.post(
    "/trades",
    status_code=202,
    response_model=schemas.TradeAccepted,
    responses=responses(
        *SUBMITTED,
        SelfTrade,
        UnknownCurrency,
        FutureTime,
        InvalidDueDate,
        MissingInvoiceKey,
        InvalidInvoiceKey,
        DuplicateDocument,
        DuplicateInvoice,
    ),
)
def create_trade(
    body: schemas.TradeCreate, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> schemas.TradeAccepted:
    """Submit a trade signed by the seller, and by the buyer (or later, by confirming it)."""
    return service.submit_trade(session, services, principal, body)


@router.post(
    "/trades/batch",
    status_code=202,
    response_model=schemas.TradesBatchAccepted,
    responses=responses(*SUBMITTED, BatchTooLarge),
)
def create_trades(
    body: schemas.TradesBatchCreate,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> schemas.TradesBatchAccepted:
    """Submit up to 1,000 trades; each item is queued or refused on its own."""
    return service.submit_batch(session, services, principal, body)


@router.get(
    "/trades/{trade_id:hex32}",
    response_model=schemas.TradePublic,
    responses=responses(*SIGNED_IN, TradeNotFound, NotAParty),
)
def read_trade(
    trade_id: Hex32, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> schemas.TradePublic:
    return service.get_trade(session, services, principal, trade_id)


@router.post(
    "/trades/{trade_id}/confirm",
    status_code=202,
    response_model=schemas.SubmissionAccepted,
    responses=responses(*ANSWER),
)
def confirm_trade(
    trade_id: Hex32,
    body: schemas.TradeConfirm,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> schemas.SubmissionAccepted:
    return service.answer(session, services, principal, trade_id, body)


@router.post(
    "/trades/{trade_id}/reject",
    status_code=202,
    response_model=schemas.SubmissionAccepted,
    responses=responses(*ANSWER),
)
def reject_trade(
    trade_id: Hex32,
    body: schemas.TradeReject,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> schemas.SubmissionAccepted:
    return service.answer(session, services, principal, trade_id, body)


@router.post(
    "/payments",
    status_code=202,
    response_model=schemas.SubmissionAccepted,
    responses=responses(
        *SUBMITTED, TradeNotFound, NotAnInvoice, PaidOnReceivable, FutureTime, Overpayment
    ),
)
def create_payment(
    body: schemas.PaymentCreate, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> schemas.SubmissionAccepted:
    """Record a payment against a verified invoice, signed by the payee (the seller)."""
    return service.submit_payment(session, services, principal, body)
