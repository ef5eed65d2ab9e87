"""GET /consents, POST /consents and POST /consents/{id}/revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.checks import RELAYED, CallerDep, accepted
from backend.auth.errors import SIGNED_IN, FirmNotActive, InvalidNonce, InvalidSignature, NotABank
from backend.consents import errors, schemas, service
from backend.errors import responses
from backend.paging import Page, PagingDep
from backend.schemas import Address, Hex32, SubmissionAccepted

SIGNED = (*RELAYED, errors.NotTheFirm, InvalidNonce, InvalidSignature)

router = APIRouter(prefix="/consents", tags=["consents"], responses=responses(*SIGNED_IN))


@router.get("", response_model=Page[schemas.ConsentPublic], responses=responses(*SIGNED_IN))
def list_consents(
    caller: CallerDep,
    paging: PagingDep,
    firm: Annotated[Address | None, Query(description="given by this firm")] = None,
    bank: Annotated[Address | None, Query(description="given to this bank")] = None,
    active: Annotated[
        bool | None, Query(description="only those that let the bank read now")
    ] = None,
) -> Page[schemas.ConsentPublic]:
    """The consents a firm gave, those given to a bank, or all (operator); newest first."""
    return service.list_consents(caller.session, caller.principal, paging, firm, bank, active)


@router.post("", **accepted(*SIGNED, FirmNotActive, NotABank, errors.ConsentExpired))
def grant_consent(body: schemas.ConsentCreate, caller: CallerDep) -> SubmissionAccepted:
    """A firm lets a bank read its records (scope) until a time, with its signed Consent."""
    return service.grant(*caller, body)


@router.post(
    "/{consent_id}/revoke", **accepted(*SIGNED, errors.ConsentNotFound, errors.AlreadyRevoked)
)
def revoke_consent(
    consent_id: Hex32, body: schemas.ConsentRevoke, caller: CallerDep
) -> SubmissionAccepted:
    """Revocation takes effect as soon as it is accepted; the chain records it shortly after."""
    return service.revoke(*caller, consent_id, body)
