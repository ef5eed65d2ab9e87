"""POST /credit-decisions and GET /credit-decisions/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.decisions import service
from backend.decisions.schemas import Decision, DecisionCreate, DecisionSummary
from backend.paging import Page, PagingDep
from backend.schemas import ERROR_RESPONSES, Address, Hex32

router = APIRouter(prefix="/credit-decisions", tags=["decisions"], responses=ERROR_RESPONSES)


@router.post("", status_code=201, response_model=Decision)
def request_decision(
    body: DecisionCreate, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> Decision:
    """A bank with the firm's consent (scope 4, decisions) asks for a decision on an amount and
    tenor: approve, decline or refer, with limit, price, PD, grade and reasons. Stored; its hash
    is anchored in DecisionLog by the relayer."""
    return service.request_decision(session, services, principal, body)


@router.get("", response_model=Page[DecisionSummary])
def list_decisions(
    principal: PrincipalDep,
    session: SessionDep,
    paging: PagingDep,
    firm: Annotated[Address | None, Query(description="only the decisions about this firm")] = None,
) -> Page[DecisionSummary]:
    """A bank's own decisions, a firm's decisions about it, or all (operator); newest first."""
    return service.list_decisions(session, principal, firm, paging)


@router.get("/{decision_id}", response_model=Decision)
def read_decision(
    decision_id: Hex32, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> Decision:
    """The decision with its snapshot; re-scored now with its model version and checked
    against its on-chain anchor (see ``verification``)."""
    return service.read_decision(session, services, principal, decision_id)
