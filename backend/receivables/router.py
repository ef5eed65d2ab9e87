"""HTTP for receivables."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.auth.errors import (
    SIGNED_IN,
    FirmNotActive,
    InvalidNonce,
    InvalidSignature,
    NotABank,
    NotAParty,
    RoleNotAllowed,
)
from backend.chain.node import ChainUnavailable
from backend.errors import FutureTime, responses
from backend.receivables import schemas, service
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
from backend.relayer.outbox import DuplicateSubmission
from backend.schemas import Hex32
from backend.trades.schemas import SubmissionAccepted

#: What every move of a receivable by its holder may be refused for.
MOVE = (
    *SIGNED_IN,
    ReceivableNotFound,
    NotTheHolder,
    ReceivableWrongState,
    OperationInFlight,
    HolderNotActive,
    InvalidSignature,
    DuplicateSubmission,
    ChainUnavailable,
)

router = APIRouter(prefix="/receivables", tags=["receivables"], responses=responses(*SIGNED_IN))


@router.post(
    "",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(
        *SIGNED_IN,
        InvoiceNotFound,
        NotAParty,
        NotACoreBuyer,
        FirmNotActive,
        RoleNotAllowed,
        AlreadyIssued,
        InvoicePaid,
        DuplicateSubmission,
        ChainUnavailable,
    ),
)
def issue_receivable(
    body: schemas.ReceivableIssue,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    """Issue the receivable of an invoice to a core enterprise (confirmed, or pending)."""
    return service.issue(session, services, principal, body)


@router.get(
    "/{receivable_id}",
    response_model=schemas.ReceivablePublic,
    responses=responses(*SIGNED_IN, ReceivableNotFound, NotAParty),
)
def read_receivable(
    receivable_id: Hex32, principal: PrincipalDep, session: SessionDep
) -> schemas.ReceivablePublic:
    return service.read(session, principal, receivable_id)


@router.post(
    "/{receivable_id}/split",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(
        *MOVE,
        InvalidSplit,
        SplitAmountMismatch,
        TierTooDeep,
        FirmNotActive,
        RoleNotAllowed,
        InvalidNonce,
    ),
)
def split_receivable(
    receivable_id: Hex32,
    body: schemas.ReceivableSplit,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    """Split (or, with one recipient, transfer) a confirmed receivable; signed by its holder."""
    return service.split(session, services, principal, receivable_id, body)


@router.post(
    "/{receivable_id}/finance",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(
        *MOVE,
        AlreadyFinanced,
        AdvanceExceedsAmount,
        TermsExpired,
        SelfFinance,
        NotABank,
        InvalidNonce,
    ),
)
def finance_receivable(
    receivable_id: Hex32,
    body: schemas.ReceivableFinance,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    """A bank finances a confirmed receivable; terms signed by the holder and the bank."""
    return service.finance(session, services, principal, receivable_id, body)


@router.post(
    "/{receivable_id}/settle",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(*MOVE, SettlementAmountMismatch, FutureTime),
)
def settle_receivable(
    receivable_id: Hex32,
    body: schemas.ReceivableSettle,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    return service.settle(session, services, principal, receivable_id, body)


@router.post(
    "/{receivable_id}/default",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(*MOVE, NotOverdue, InvalidNonce),
)
def default_receivable(
    receivable_id: Hex32,
    body: schemas.ReceivableDefault,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    return service.mark_default(session, services, principal, receivable_id, body)
