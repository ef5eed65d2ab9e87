"""HTTP for receivables."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.checks import RELAYED, CallerDep, accepted
from backend.auth.errors import (
    SIGNED_IN,
    FirmNotActive,
    InvalidNonce,
    InvalidSignature,
    NotABank,
    NotAParty,
    RoleNotAllowed,
)
from backend.errors import FutureTime, responses
from backend.paging import Page, PagingDep
from backend.receivables import errors, listing, schemas, service
from backend.schemas import Address, Hex32, IsoDay, SubmissionAccepted

#: What every move of a receivable by its holder may be refused for.
MOVE = (
    *RELAYED,
    errors.ReceivableNotFound,
    errors.NotTheHolder,
    errors.ReceivableWrongState,
    errors.OperationInFlight,
    errors.HolderNotActive,
    InvalidSignature,
)
#: A split, a financing and a default also spend the holder's nonce (a settlement does not).
NONCED = (*MOVE, InvalidNonce)
#: A split's own refusals: its parts, and the tier they would reach.
SPLIT = (errors.InvalidSplit, errors.SplitAmountMismatch, errors.TierTooDeep)
#: A financing's own refusals: the receivable financed once, and the terms.
FINANCE = (errors.AlreadyFinanced, errors.AdvanceExceedsAmount, errors.TermsExpired)

router = APIRouter(prefix="/receivables", tags=["receivables"], responses=responses(*SIGNED_IN))


@router.get("", response_model=Page[schemas.ReceivablePublic], responses=responses(*SIGNED_IN))
def list_receivables(
    caller: CallerDep,
    paging: PagingDep,
    holder: Annotated[Address | None, Query()] = None,
    obligor: Annotated[Address | None, Query()] = None,
    state: Annotated[schemas.StateName | None, Query()] = None,
    due_from: Annotated[IsoDay | None, Query(description="due on or after this day (UTC)")] = None,
    due_to: Annotated[IsoDay | None, Query(description="due on or before this day (UTC)")] = None,
    root: Annotated[
        Hex32 | None, Query(description="one tree: the receivables whose root_id is this")
    ] = None,
) -> Page[schemas.ReceivablePublic]:
    """Receivables, newest first: those a firm holds, owes or was created for; a bank's also
    those it financed or held by firms with an active consent to it; all (operator). With
    ``root``: the nodes of that tree the caller may read (the others are not counted)."""
    filters = listing.ReceivableFilters(holder, obligor, state, due_from, due_to, root)
    return listing.list_receivables(caller.session, caller.principal, paging, filters)


@router.get(
    "/{receivable_id}",
    response_model=schemas.ReceivablePublic,
    responses=responses(*SIGNED_IN, errors.ReceivableNotFound, NotAParty),
)
def read_receivable(receivable_id: Hex32, caller: CallerDep) -> schemas.ReceivablePublic:
    return service.read(caller.session, caller.principal, receivable_id)


@router.post(
    "",
    **accepted(
        *RELAYED,
        errors.InvoiceNotFound,
        NotAParty,
        errors.NotACoreBuyer,
        FirmNotActive,
        RoleNotAllowed,
        errors.AlreadyIssued,
        errors.InvoicePaid,
    ),
)
def issue_receivable(body: schemas.ReceivableIssue, caller: CallerDep) -> SubmissionAccepted:
    """Issue the receivable of an invoice to a core enterprise (confirmed, or pending)."""
    return service.issue(*caller, body)


@router.post("/{receivable_id}/split", **accepted(*NONCED, *SPLIT, FirmNotActive, RoleNotAllowed))
def split_receivable(
    receivable_id: Hex32, body: schemas.ReceivableSplit, caller: CallerDep
) -> SubmissionAccepted:
    """Split (or, with one recipient, transfer) a confirmed receivable; signed by its holder."""
    return service.split(*caller, receivable_id, body)


@router.post(
    "/{receivable_id}/finance", **accepted(*NONCED, *FINANCE, errors.SelfFinance, NotABank)
)
def finance_receivable(
    receivable_id: Hex32, body: schemas.ReceivableFinance, caller: CallerDep
) -> SubmissionAccepted:
    """A bank finances a confirmed receivable; terms signed by the holder and the bank."""
    return service.finance(*caller, receivable_id, body)


@router.post(
    "/{receivable_id}/settle", **accepted(*MOVE, errors.SettlementAmountMismatch, FutureTime)
)
def settle_receivable(
    receivable_id: Hex32, body: schemas.ReceivableSettle, caller: CallerDep
) -> SubmissionAccepted:
    return service.settle(*caller, receivable_id, body)


@router.post("/{receivable_id}/default", **accepted(*NONCED, errors.NotOverdue))
def default_receivable(
    receivable_id: Hex32, body: schemas.ReceivableDefault, caller: CallerDep
) -> SubmissionAccepted:
    return service.mark_default(*caller, receivable_id, body)
