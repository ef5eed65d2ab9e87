"""GET /firms/{address}/credit-profile and its evidence pages."""

from __future__ import annotations

from fastapi import APIRouter, Query

from backend.auth.deps import PrincipalDep, ServicesDep, SessionDep
from backend.auth.errors import SIGNED_IN, NoConsent
from backend.auth.readers import require_profile_reader
from backend.auth.standing import ReaderNotABank, ReaderNotActive
from backend.credit import cache, counterparties, service
from backend.credit.cache import NothingIndexed
from backend.credit.errors import InvalidPage, UnknownFigure
from backend.credit.record import FIGURES, InvalidAddress
from backend.credit.schemas import CreditProfile, EvidencePage
from backend.errors import responses
from backend.schemas import MAX_SCHEMA_INT, Address

READER = (*SIGNED_IN, NoConsent, ReaderNotActive, ReaderNotABank, InvalidAddress, NothingIndexed)

router = APIRouter(prefix="/firms", tags=["credit"], responses=responses(*SIGNED_IN))


#: Who may read a credit profile.
READERS = "a credit profile is read by its firm, the operator, or a bank with the firm's consent"


@router.get(
    "/{address}/credit-profile",
    response_model=CreditProfile,
    # a figure the record lacks is left out, not published as null
    response_model_exclude_unset=True,
    responses=responses(*READER),
)
def read_credit_profile(
    address: Address,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
    as_of: int | None = Query(None, ge=0, le=MAX_SCHEMA_INT, description="Unix time; default: now"),
) -> CreditProfile:
    """The firm's credit record, with a link to the chain evidence of every figure. Without
    ``as_of``: the record the indexer keeps (``as_of`` is the block time it was refreshed at,
    ``network`` the block of the network figures, or why they are not computed yet); every
    amount is in ``currency`` but those of ``by_currency``, each listed with its own."""
    require_profile_reader(session, principal, address, READERS)
    record = cache.get_record(services.engine, address, as_of)
    data = record.to_json(include_evidence=False)
    # the served record's evidence is paged from its stored references; a past one recomputed
    suffix = "" if as_of is None else f"&as_of={record.as_of}"
    data["evidence"] = {
        figure: f"/firms/{address}/credit-profile/evidence/{figure}?offset=0&limit=50{suffix}"
        for figure in FIGURES
    }
    return CreditProfile.model_validate(data)


@router.get(
    "/{address}/credit-profile/evidence/{figure}",
    response_model=EvidencePage,
    responses=responses(*READER, UnknownFigure, InvalidPage),
)
def read_credit_evidence(
    address: Address,
    figure: str,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
    as_of: int | None = Query(None, ge=0, le=MAX_SCHEMA_INT),
    offset: int = Query(0, ge=0, le=10**9),
    limit: int = Query(50, ge=1, le=500),
) -> EvidencePage:
    """One page of the chain events (tx hash, block, log index) a figure was computed from."""
    require_profile_reader(session, principal, address, READERS)
    return service.evidence(services.engine, address, figure, as_of, offset, limit)


@router.get(
    "/{address}/credit-profile/network",
    response_model=counterparties.CounterpartyNetwork,
    responses=responses(*READER),
)
def read_counterparty_network(
    address: Address,
    principal: PrincipalDep,
    services: ServicesDep,
    session: SessionDep,
    as_of: int | None = Query(None, ge=0, le=MAX_SCHEMA_INT, description="Unix time; default: now"),
    limit: int = Query(counterparties.DEFAULT_LIMIT, ge=1, le=counterparties.MAX_LIMIT),
) -> counterparties.CounterpartyNetwork:
    """The firm's direct counterparties in its verified invoices as of the profile's time (by
    default the block of the record the indexer keeps): one edge per seller, buyer and currency,
    the largest ``limit`` by amount, ``count`` of all; read as the credit profile is."""
    require_profile_reader(session, principal, address, READERS)
    if as_of is None:
        as_of = cache.get_record(services.engine, address).as_of
    with services.engine.connect() as connection:
        return counterparties.network_of(connection, address, as_of, limit)
