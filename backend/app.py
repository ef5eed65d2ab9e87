"""create_app(): the HTTP API, its error handling, limits, health and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend.auth.deps import RateLimited
from backend.auth.router import router as auth_router
from backend.errors import LedgerError
from backend.ratelimit import retry_after_header
from backend.services import Services

logger = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
}


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    return {"error": {"code": code, "message": message}}


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before any of it is parsed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(
            error_body("body_too_large", f"request bodies are limited to {self.limit} bytes"),
            status_code=413,
        )
        await response({"type": "http"}, _no_receive, send)


class _BodyTooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LedgerError)
    async def ledger_error(_request: Request, error: LedgerError) -> JSONResponse:
        headers = {}
        if isinstance(error, RateLimited):
            headers["Retry-After"] = retry_after_header(error.retry_after)
        if error.status >= 500:
            logger.error("api.error code=%s message=%s", error.code, error.message)
        return JSONResponse(error.to_dict(), status_code=error.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            error_body("invalid_request", _describe(error.errors())), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = HTTP_CODES.get(error.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(error.detail)),
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def crash(_request: Request, error: Exception) -> JSONResponse:
        logger.exception("api.crash error=%s", type(error).__name__)
        return JSONResponse(
            error_body("internal_error", "the server failed; it has been logged"), status_code=500
        )


def _describe(errors: Any) -> str:
    """One sentence from pydantic's errors: where, and what is wrong."""
    parts = []
    for item in list(errors)[:3]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is not valid"


def _install_metrics(app: FastAPI) -> CollectorRegistry:
    registry = CollectorRegistry()
    requests = Counter(
        "scf_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "scf_http_request_seconds", "HTTP request latency", ["route"], registry=registry
    )

    @app.middleware("http")
    async def measure(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = getattr(request.scope.get("route"), "path", "unmatched")
        requests.labels(request.method, route, str(response.status_code)).inc()
        latency.labels(route).observe(time.perf_counter() - started)
        return response

    return registry


def create_app(services: Services, *, extra_lifespan: Callable[[], Any] | None = None) -> FastAPI:
    """The API over ``services``. ``extra_lifespan``: background work started with the app."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = extra_lifespan() if extra_lifespan else None
        try:
            yield
        finally:
            if callable(stop):
                stop()

    app = FastAPI(title="scf-ledger", version="0.1.0", lifespan=lifespan)
    app.state.services = services
    _install_error_handlers(app)
    metrics = _install_metrics(app)
    app.add_middleware(BodySizeLimit, limit=services.settings.max_body_bytes)

    for router in _routers():
        app.include_router(router)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, Any]:
        """Liveness and readiness: the database and the chain answer."""
        with services.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {
            "status": "ok",
            "chain_id": services.chain_id,
            "block": services.w3.eth.block_number,
        }

    @app.get("/ledger", tags=["ops"])
    def ledger_info() -> dict[str, Any]:
        """Where the ledger is: chain id and contract addresses (what clients sign against)."""
        contracts = {name: c.address for name, c in services.deployment.contracts.items()}
        return {"chain_id": services.chain_id, "contracts": contracts}

    @app.get("/metrics", tags=["ops"], response_class=Response)
    def metrics_endpoint() -> Response:
        return Response(generate_latest(metrics), media_type=CONTENT_TYPE_LATEST)

    return app


def _routers() -> list[Any]:
    from backend.consents.router import router as consents_router
    from backend.credit.router import router as credit_router
    from backend.decisions.router import router as decisions_router
    from backend.documents.router import router as documents_router
    from backend.evidence.router import router as evidence_router
    from backend.firms.router import router as firms_router
    from backend.receivables.router import router as receivables_router
    from backend.relayer.router import router as submissions_router
    from backend.trades.router import router as trades_router

    return [
        auth_router,
        firms_router,
        credit_router,
        decisions_router,
        trades_router,
        submissions_router,
        receivables_router,
        consents_router,
        evidence_router,
        documents_router,
    ]
