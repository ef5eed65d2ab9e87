"""The operations endpoints: liveness, readiness, where the ledger is, Prometheus metrics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, Field

from backend.auth.deps import ServicesDep
from backend.errors import responses
from backend.schemas import Address
from backend.services import Services
from backend.workers.metrics import REGISTRY as WORKER_METRICS
from backend.workers.readiness import readiness, update_queue_gauges_within

router = APIRouter(tags=["ops"])


class Health(BaseModel):
    status: Literal["ok"]


class LedgerInfo(BaseModel):
    chain_id: int
    contracts: dict[str, Address] = Field(
        description="address of each contract by name (TradeLedger, ReceivableLedger, …): the "
        "EIP-712 domains clients sign against"
    )
    rpc_url: str = Field(
        description="the node's JSON-RPC URL, where a client reads the chain itself to check the "
        "API (``SCF_PUBLIC_RPC_URL``, else the node the API uses)"
    )


class Readiness(BaseModel):
    """What ``/readyz`` checked; a measure is absent when its check did not answer."""

    ready: bool
    reasons: list[str] = Field(description="why not ready, one sentence each (empty: ready)")
    queue: dict[str, int] | None = Field(
        None, description="relayer submissions by status (absent: the database did not answer)"
    )
    head: int | None = Field(None, description="the node's head block (absent: no answer)")
    indexed: int | None = Field(None, description="the last block indexed")
    lag: int | None = Field(None, description="blocks the indexer is behind the head")


@router.get("/healthz", response_model=Health, responses=responses())
def healthz() -> Health:
    """Liveness: the process answers (no database or node call: that is ``/readyz``)."""
    return Health(status="ok")


@router.get(
    "/readyz",
    responses={
        **responses(),
        200: {"model": Readiness, "description": "ready"},
        503: {
            "model": Readiness,
            "description": "not ready: `reasons` says why, one sentence each",
        },
    },
)
def readyz(services: ServicesDep) -> JSONResponse:
    """Readiness: the database and the node answer, the workers run, the indexer keeps up
    with the head and the queue moves; else 503 with the reasons."""
    settings = services.settings
    report = readiness(
        engine=services.engine,
        rpc_url=str(services.w3.provider.endpoint_uri),  # type: ignore[attr-defined]
        chain_id=services.chain_id,
        deploy_block=services.deployment.deploy_block,
        supervisor=services.supervisor,
        max_lag_blocks=settings.ready_max_lag_blocks,
        max_queue_age_seconds=settings.ready_max_queue_age_seconds,
        timeout=settings.ready_timeout_seconds,
    )
    # through the model, so the answer is the one documented
    answer = Readiness.model_validate(report).model_dump(exclude_unset=True)
    return JSONResponse(answer, status_code=200 if report["ready"] else 503)


@router.get("/ledger", response_model=LedgerInfo, responses=responses())
def ledger_info(services: ServicesDep) -> LedgerInfo:
    """Where the ledger is: chain id, contract addresses (what clients sign against) and the
    node's JSON-RPC URL (where a client reads the chain itself, to check the API)."""
    contracts = {name: c.address for name, c in services.deployment.contracts.items()}
    return LedgerInfo(
        chain_id=services.chain_id, contracts=contracts, rpc_url=public_rpc_url(services)
    )


def public_rpc_url(services: Services) -> str:
    return services.settings.public_rpc_url or str(
        services.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    )


@router.get(
    "/metrics",
    response_class=Response,
    responses={
        **responses(),
        200: {
            "description": "the Prometheus text exposition format",
            "content": {"text/plain": {"schema": {"type": "string"}}},
        },
    },
)
def metrics_endpoint(request: Request, services: ServicesDep) -> Response:
    """Prometheus: the API's requests, and the workers' (indexer, relayer, supervision)."""
    update_queue_gauges_within(services.engine, services.settings.ready_timeout_seconds)
    body = generate_latest(request.app.state.metrics) + generate_latest(WORKER_METRICS)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
