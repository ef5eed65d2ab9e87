"""POST /financing-offers, GET /financing-offers[/{id}], POST .../accept and .../withdraw."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.checks import CallerDep, accepted
from backend.auth.errors import SIGNED_IN, InvalidNonce, InvalidSignature, NoConsent, NotABank
from backend.auth.standing import ReaderNotABank, ReaderNotActive
from backend.errors import responses
from backend.paging import Page, PagingDep
from backend.receivables import errors, offers, schemas
from backend.receivables.router import FINANCE, NONCED
from backend.schemas import Hex32, SubmissionAccepted

#: What an offer's terms may be refused for: a financing's own checks, bar the holder's signature.
TERMS = (
    errors.ReceivableNotFound,
    errors.ReceivableWrongState,
    errors.OperationInFlight,
    errors.HolderNotActive,
    errors.SelfFinance,
    *FINANCE,
    NotABank,
    InvalidNonce,
    InvalidSignature,
)

router = APIRouter(prefix="/financing-offers", tags=["financing"], responses=responses(*SIGNED_IN))


@router.post(
    "",
    status_code=201,
    response_model=schemas.OfferPublic,
    responses=responses(
        *SIGNED_IN, ReaderNotActive, ReaderNotABank, NoConsent, *TERMS, errors.OfferExists
    ),
)
def make_offer(body: schemas.OfferCreate, caller: CallerDep) -> schemas.OfferPublic:
    """A bank offers to finance a confirmed receivable of a firm that consents to it (credit
    profile), with its signature of the ``Finance`` terms; the holder accepts it later."""
    return offers.make_offer(*caller, body)


@router.get("", response_model=Page[schemas.OfferPublic], responses=responses(*SIGNED_IN))
def list_offers(
    caller: CallerDep,
    paging: PagingDep,
    receivable: Annotated[Hex32 | None, Query(description="offers on this receivable")] = None,
    status: Annotated[schemas.OfferStatus | None, Query()] = None,
) -> Page[schemas.OfferPublic]:
    """Offers made to the caller as holder, made by it as bank, or all (operator); newest first."""
    return offers.list_offers(caller.session, caller.principal, paging, receivable, status)


@router.get(
    "/{offer_id}",
    response_model=schemas.OfferPublic,
    responses=responses(*SIGNED_IN, errors.OfferNotFound),
)
def read_offer(offer_id: Hex32, caller: CallerDep) -> schemas.OfferPublic:
    return offers.read(caller.session, caller.principal, offer_id)


@router.post(
    "/{offer_id}/accept",
    **accepted(
        *NONCED,
        *FINANCE,
        errors.SelfFinance,
        NotABank,
        errors.OfferNotFound,
        errors.NotTheOfferee,
        errors.OfferNotOpen,
        errors.OfferExpired,
    ),
)
def accept_offer(
    offer_id: Hex32, body: schemas.OfferAccept, caller: CallerDep
) -> SubmissionAccepted:
    """The holder accepts an open offer with its signature of the same ``Finance``: submitted
    as ``POST /receivables/{id}/finance`` is; the receivable's other open offers lapse."""
    return offers.accept(*caller, offer_id, body)


@router.post(
    "/{offer_id}/withdraw",
    response_model=schemas.OfferPublic,
    responses=responses(
        *SIGNED_IN,
        errors.OfferNotFound,
        errors.NotTheOfferingBank,
        errors.OfferNotOpen,
        errors.OfferExpired,
    ),
)
def withdraw_offer(offer_id: Hex32, caller: CallerDep) -> schemas.OfferPublic:
    """The offering bank withdraws an open offer."""
    return offers.withdraw(caller.session, caller.principal, offer_id)
