"""POST /credit-decisions and GET /credit-decisions/{id}."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.checks import CallerDep
from backend.auth.errors import SIGNED_IN, Forbidden, NoConsent, RoleNotAllowed
from backend.auth.standing import ReaderNotABank, ReaderNotActive
from backend.credit.cache import NothingIndexed
from backend.decisions import service
from backend.decisions.errors import (
    CurrencyMismatch,
    CurrencyNotSupported,
    DecisionNotFound,
    FirmNotRegistered,
    ReceivableNotEligible,
)
from backend.decisions.schemas import Decision, DecisionCreate, DecisionSummary
from backend.errors import responses
from backend.paging import Page, PagingDep
from backend.relayer.outbox import DuplicateSubmission
from backend.schemas import Address, Hex32
from backend.scoring.store import ModelUnavailable

BANK = (*SIGNED_IN, ReaderNotActive, ReaderNotABank)

router = APIRouter(prefix="/credit-decisions", tags=["decisions"], responses=responses(*SIGNED_IN))


@router.post(
    "",
    status_code=201,
    response_model=Decision,
    responses=responses(
        *BANK,
        RoleNotAllowed,
        NoConsent,
        FirmNotRegistered,
        ReceivableNotEligible,
        CurrencyNotSupported,
        CurrencyMismatch,
        DuplicateSubmission,
        ModelUnavailable,
        NothingIndexed,
    ),
)
def request_decision(body: DecisionCreate, caller: CallerDep) -> Decision:
    """A bank with the firm's consent (scope 4, decisions) asks for a decision on an amount and
    tenor: approve, decline or refer, with limit, price, PD, grade and reasons. Stored; its hash
    is anchored in DecisionLog by the relayer."""
    return service.request_decision(*caller, body)


@router.get("", response_model=Page[DecisionSummary], responses=responses(*BANK))
def list_decisions(
    caller: CallerDep,
    paging: PagingDep,
    firm: Annotated[Address | None, Query(description="only the decisions about this firm")] = None,
) -> Page[DecisionSummary]:
    """A bank's own decisions, a firm's decisions about it, or all (operator); newest first."""
    return service.list_decisions(caller.session, caller.principal, firm, paging)


@router.get(
    "/{decision_id}",
    response_model=Decision,
    responses=responses(*BANK, DecisionNotFound, Forbidden),
)
def read_decision(decision_id: Hex32, caller: CallerDep) -> Decision:
    """The decision with its snapshot; re-scored now with its model version and checked
    against its on-chain anchor (see ``verification``)."""
    return service.read_decision(*caller, decision_id)
