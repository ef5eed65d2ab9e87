"""GET /evidence/trade/{id}, /evidence/payment/{id}, /evidence/event/{id}: on-chain evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.auth.errors import SIGNED_IN, Forbidden
from backend.auth.readers import require_reader
from backend.auth.service import Principal
from backend.auth.standing import ReaderNotABank, ReaderNotActive
from backend.enums import ConsentScope
from backend.errors import responses
from backend.evidence import service
from backend.evidence.errors import EvidenceNotFound
from backend.indexer.models import ChainEvent
from backend.schemas import MAX_SCHEMA_INT, Hex32
from backend.trades.models import Payment, Trade

READER = (*SIGNED_IN, EvidenceNotFound, Forbidden, ReaderNotActive, ReaderNotABank)

router = APIRouter(prefix="/evidence", tags=["evidence"], responses=responses(*SIGNED_IN))


def _check_reader(session: Any, principal: Principal, parties: tuple[str, ...]) -> None:
    """Parties, the operator, and banks with a party's consent may see a record's evidence."""
    require_reader(
        session,
        principal,
        parties,
        ConsentScope.CREDIT_PROFILE,
        Forbidden("evidence is for the parties, the operator and banks with consent"),
    )


@router.get("/trade/{trade_id}", responses=responses(*READER))
def read_trade_evidence(
    trade_id: Hex32, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> dict[str, Any]:
    """Transaction, block, log index, typed data and signatures: check them on any node."""
    trade = session.get(Trade, trade_id)
    if trade is None:
        raise EvidenceNotFound("trade", trade_id)
    _check_reader(session, principal, (trade.seller, trade.buyer))
    return service.trade_evidence(session, services, trade)


@router.get("/payment/{payment_id}", responses=responses(*READER))
def read_payment_evidence(
    payment_id: Hex32, principal: PrincipalDep, services: ServicesDep, session: SessionDep
) -> dict[str, Any]:
    """The payment's transaction, log, typed data and the payee's signature."""
    payment = session.get(Payment, payment_id)
    if payment is None:
        raise EvidenceNotFound("payment", payment_id)
    _check_reader(session, principal, (payment.payer, payment.payee))
    return service.payment_evidence(session, services, payment)


@router.get("/event/{event_id}", responses=responses(*READER))
def read_event_evidence(
    event_id: Annotated[int, Path(ge=0, le=MAX_SCHEMA_INT, description="a chain event's id")],
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """One indexed chain event (as the evidence pages of the credit profile list them)."""
    event = session.get(ChainEvent, event_id)
    if event is None:
        raise EvidenceNotFound("chain event", str(event_id))
    _check_reader(session, principal, _addresses(event.args))
    return service.chain_event_evidence(event)


def _addresses(args: dict[str, Any]) -> tuple[str, ...]:
    return tuple(v for v in args.values() if isinstance(v, str) and len(v) == 42)
