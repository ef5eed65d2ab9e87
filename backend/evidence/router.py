"""GET /evidence/trade/{id}, /evidence/payment/{id}, /evidence/event/{id}: on-chain evidence."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path
from sqlmodel import SQLModel

from backend.auth.checks import Caller, CallerDep
from backend.auth.errors import SIGNED_IN, Forbidden
from backend.auth.readers import require_reader
from backend.auth.standing import ReaderNotABank, ReaderNotActive
from backend.db import get_or
from backend.enums import ConsentScope
from backend.errors import responses
from backend.evidence import service
from backend.evidence.errors import EvidenceNotFound
from backend.evidence.schemas import EventEvidence, PaymentEvidence, TradeEvidence
from backend.indexer.models import ChainEvent
from backend.schemas import MAX_SCHEMA_INT, Hex32
from backend.trades.models import Payment, Trade

READER = (*SIGNED_IN, EvidenceNotFound, Forbidden, ReaderNotActive, ReaderNotABank)

R = TypeVar("R", bound=SQLModel)
#: The firms a record is about (who, with the operator and their consented banks, may read it).
Parties = Callable[[Any], tuple[str, ...]]

router = APIRouter(prefix="/evidence", tags=["evidence"], responses=responses(*SIGNED_IN))


def _readable(caller: Caller, model: type[R], key: Any, what: str, parties: Parties) -> R:
    """The ``what`` row ``key``, once the caller may see its evidence: the parties ``parties``
    names, the operator, and banks with a party's consent."""
    row = get_or(caller.session, model, key, EvidenceNotFound(what, str(key)))
    require_reader(
        caller.session,
        caller.principal,
        parties(row),
        ConsentScope.CREDIT_PROFILE,
        Forbidden("evidence is for the parties, the operator and banks with consent"),
    )
    return row


@router.get("/trade/{trade_id}", response_model=TradeEvidence, responses=responses(*READER))
def read_trade_evidence(trade_id: Hex32, caller: CallerDep) -> dict[str, Any]:
    """Transaction, block, log index, typed data and signatures: check them on any node."""
    trade = _readable(caller, Trade, trade_id, "trade", lambda t: (t.seller, t.buyer))
    return service.trade_evidence(caller.session, caller.services, trade)


@router.get("/payment/{payment_id}", response_model=PaymentEvidence, responses=responses(*READER))
def read_payment_evidence(payment_id: Hex32, caller: CallerDep) -> dict[str, Any]:
    """The payment's transaction, log, typed data and the payee's signature."""
    payment = _readable(caller, Payment, payment_id, "payment", lambda p: (p.payer, p.payee))
    return service.payment_evidence(caller.session, caller.services, payment)


@router.get("/event/{event_id}", response_model=EventEvidence, responses=responses(*READER))
def read_event_evidence(
    event_id: Annotated[int, Path(ge=0, le=MAX_SCHEMA_INT, description="a chain event's id")],
    caller: CallerDep,
) -> dict[str, Any]:
    """One indexed chain event (as the evidence pages of the credit profile list them)."""
    event = _readable(caller, ChainEvent, event_id, "chain event", lambda e: _addresses(e.args))
    return service.chain_event_evidence(event)


def _addresses(args: dict[str, Any]) -> tuple[str, ...]:
    return tuple(v for v in args.values() if isinstance(v, str) and len(v) == 42)
