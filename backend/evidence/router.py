"""GET /evidence/{kind}/{id}: the on-chain evidence of a record."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.auth.service import Principal
from backend.consents.models import SCOPE_CREDIT_PROFILE
from backend.consents.service import require_reader
from backend.evidence import service
from backend.indexer.models import ChainEvent
from backend.schemas import ERROR_RESPONSES
from backend.trades.models import Payment, Trade

router = APIRouter(prefix="/evidence", tags=["evidence"], responses=ERROR_RESPONSES)
EvidenceKind = Literal["trade", "payment", "event"]


def _check_reader(session: Any, principal: Principal, parties: tuple[str, ...]) -> None:
    """Parties, the operator, and banks with a party's consent may see a record's evidence."""
    require_reader(
        session,
        principal,
        parties,
        SCOPE_CREDIT_PROFILE,
        "evidence is for the parties, the operator and banks with consent",
    )


@router.get("/{kind}/{record_id}")
def read_evidence(
    kind: EvidenceKind,
    record_id: str,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Transaction, block, log index, typed data and signatures: check them on any node."""
    if kind == "trade":
        trade = session.get(Trade, record_id.lower())
        if trade is None:
            raise service.not_found("trade", record_id)
        _check_reader(session, principal, (trade.seller, trade.buyer))
        return service.trade_evidence(session, services, trade)
    if kind == "payment":
        payment = session.get(Payment, record_id.lower())
        if payment is None:
            raise service.not_found("payment", record_id)
        _check_reader(session, principal, (payment.payer, payment.payee))
        return service.payment_evidence(session, services, payment)
    if not record_id.isdigit():
        raise service.not_found("chain event", record_id)
    event = session.get(ChainEvent, int(record_id))
    if event is None:
        raise service.not_found("chain event", record_id)
    _check_reader(session, principal, _addresses(event.args))
    return service.chain_event_evidence(event)


def _addresses(args: dict[str, Any]) -> tuple[str, ...]:
    return tuple(v for v in args.values() if isinstance(v, str) and len(v) == 42)
