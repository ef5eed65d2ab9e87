"""HTTP for receivables."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.receivables import schemas, service
from backend.schemas import ERROR_RESPONSES, Hex32
from backend.trades.schemas import SubmissionAccepted

router = APIRouter(prefix="/receivables", tags=["receivables"], responses=ERROR_RESPONSES)


@router.post("", status_code=202, response_model=SubmissionAccepted)
def issue_receivable(
    body: schemas.ReceivableIssue,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    """Issue the receivable of an invoice to a core enterprise (confirmed, or pending)."""
    return service.issue(session, services, principal, body)


@router.get("/{receivable_id}", response_model=schemas.ReceivablePublic)
def read_receivable(
    receivable_id: Hex32, principal: PrincipalDep, session: SessionDep
) -> schemas.ReceivablePublic:
    return service.read(session, principal, receivable_id)


@router.post("/{receivable_id}/split", status_code=202, response_model=SubmissionAccepted)
def split_receivable(
    receivable_id: Hex32,
    body: schemas.ReceivableSplit,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    """Split (or, with one recipient, transfer) a confirmed receivable; signed by its holder."""
    return service.split(session, services, principal, receivable_id, body)


@router.post("/{receivable_id}/finance", status_code=202, response_model=SubmissionAccepted)
def finance_receivable(
    receivable_id: Hex32,
    body: schemas.ReceivableFinance,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    """A bank finances a confirmed receivable; terms signed by the holder and the bank."""
    return service.finance(session, services, principal, receivable_id, body)


@router.post("/{receivable_id}/settle", status_code=202, response_model=SubmissionAccepted)
def settle_receivable(
    receivable_id: Hex32,
    body: schemas.ReceivableSettle,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    return service.settle(session, services, principal, receivable_id, body)


@router.post("/{receivable_id}/default", status_code=202, response_model=SubmissionAccepted)
def default_receivable(
    receivable_id: Hex32,
    body: schemas.ReceivableDefault,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    return service.mark_default(session, services, principal, receivable_id, body)
