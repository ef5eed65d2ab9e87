"""POST /auth/challenge and POST /auth/token."""

from __future__ import annotations

from fastapi import APIRouter

from backend.auth import service
from backend.auth.deps import ServicesDep, SessionDep
from backend.auth.errors import (
    ChallengeExpired,
    ChallengeReplayed,
    SignInFirmNotActive,
    SignInSignatureInvalid,
    UnknownChallenge,
)
from backend.auth.schemas import ChallengeCreate, ChallengePublic, TokenCreate, TokenPublic
from backend.chain.node import ChainUnavailable
from backend.errors import responses
from backend.schemas import hex_bytes

router = APIRouter(prefix="/auth", tags=["auth"], responses=responses())


@router.post("/challenge", response_model=ChallengePublic, status_code=201, responses=responses())
def create_challenge(
    body: ChallengeCreate, services: ServicesDep, session: SessionDep
) -> ChallengePublic:
    challenge = service.create_challenge(
        session, services.settings, body.address, services.chain_id
    )
    return ChallengePublic(
        message=challenge.message, nonce=challenge.nonce, expires_at=challenge.expires_at
    )


@router.post(
    "/token",
    response_model=TokenPublic,
    responses=responses(
        UnknownChallenge,
        ChallengeExpired,
        SignInSignatureInvalid,
        ChallengeReplayed,
        SignInFirmNotActive,
        ChainUnavailable,
    ),
)
def create_token(body: TokenCreate, services: ServicesDep, session: SessionDep) -> TokenPublic:
    principal, token, expires_at = service.redeem_challenge(
        session, services.settings, services.ledger, body.message, hex_bytes(body.signature)
    )
    return TokenPublic(
        access_token=token,
        expires_at=expires_at,
        address=principal.address,
        roles=[role.name or "" for role in type(principal.roles) if role in principal.roles],
        operator=principal.operator,
    )
