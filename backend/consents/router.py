"""POST /consents and POST /consents/{id}/revoke."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.auth.errors import (
    SIGNED_IN,
    FirmNotActive,
    InvalidNonce,
    InvalidSignature,
    NotABank,
)
from backend.chain.node import ChainUnavailable
from backend.consents import schemas, service
from backend.consents.errors import AlreadyRevoked, ConsentExpired, ConsentNotFound, NotTheFirm
from backend.errors import responses
from backend.relayer.outbox import DuplicateSubmission
from backend.schemas import Hex32
from backend.trades.schemas import SubmissionAccepted

SIGNED = (
    *SIGNED_IN,
    NotTheFirm,
    InvalidNonce,
    InvalidSignature,
    DuplicateSubmission,
    ChainUnavailable,
)

router = APIRouter(prefix="/consents", tags=["consents"], responses=responses(*SIGNED_IN))


@router.post(
    "",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(*SIGNED, FirmNotActive, NotABank, ConsentExpired),
)
def grant_consent(
    body: schemas.ConsentCreate, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> SubmissionAccepted:
    """A firm lets a bank read its records (scope) until a time, with its signed Consent."""
    return service.grant(session, services, principal, body)


@router.post(
    "/{consent_id}/revoke",
    status_code=202,
    response_model=SubmissionAccepted,
    responses=responses(*SIGNED, ConsentNotFound, AlreadyRevoked),
)
def revoke_consent(
    consent_id: Hex32,
    body: schemas.ConsentRevoke,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> SubmissionAccepted:
    """Revocation takes effect as soon as it is accepted; the chain records it shortly after."""
    return service.revoke(session, services, principal, consent_id, body)
