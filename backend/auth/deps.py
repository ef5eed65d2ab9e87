"""Request dependencies: services, a database session per request, the caller, rate limiting."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from backend.auth.errors import Forbidden, NotAuthenticated
from backend.auth.service import Principal, principal_from_token
from backend.errors import RateLimited
from backend.services import Services

bearer = HTTPBearer(auto_error=False)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_session(services: ServicesDep) -> Iterator[Session]:
    """One unit of work per request: committed when the handler returns, else rolled back."""
    with Session(services.engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# scope "function": committed before the response is sent, so a 202 means the row is durable.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def optional_principal(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal | None:
    principal = None
    if credentials is not None:
        principal = principal_from_token(services.settings, credentials.credentials)
    caller = (
        principal.address if principal else f"ip:{request.client.host if request.client else '-'}"
    )
    wait = services.rate_limiter.acquire(caller)
    if wait > 0:
        raise RateLimited(wait)
    return principal


def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise NotAuthenticated("sign in first: send `Authorization: Bearer <token>`")
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def require_operator(principal: PrincipalDep) -> Principal:
    if not principal.operator:
        raise Forbidden("only the operator may do this")
    return principal


OperatorDep = Annotated[Principal, Depends(require_operator)]
