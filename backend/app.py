"""create_app(): the HTTP API, its error handling, limits, health and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
)
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend import docs
from backend.auth.router import router as auth_router
from backend.console import console_fallback, install_console
from backend.errors import (
    BodyTooLarge,
    InvalidRequest,
    JsonTooDeep,
    LedgerError,
    RateLimited,
    error_body,
)
from backend.limits import MAX_JSON_DEPTH, json_depth_exceeds, restore_recursion_limit
from backend.ops import public_rpc_url
from backend.ratelimit import retry_after_header
from backend.scoring.monitoring import PopulationShiftCollector
from backend.services import Services
from backend.settings import Settings, get_settings

logger = logging.getLogger(__name__)
restore_recursion_limit()  # web3 (imported above) raised it to 100,000

HTTP_CODES = {
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


#: The largest request head (header names and values together) the API reads.
MAX_HEADER_BYTES = 16 * 1024
#: The most header fields a request may carry (as Apache's LimitRequestFields default).
MAX_HEADER_COUNT = 100

# A document of this API's own: scripts, styles and data from this origin only, never framed.
APP_CSP = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'; "
    "frame-ancestors 'none'"
)
# /docs (Swagger UI) and /redoc load their bundles from this origin (backend/docs.py) and start
# with an inline script; ReDoc runs a worker from a blob.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; img-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "base-uri 'self'; object-src 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class HttpMiddleware:
    """A pure ASGI middleware of HTTP requests (``http``); anything else, the lifespan, passes
    through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class SecurityHeaders(HttpMiddleware):
    """Headers on every response: no MIME sniffing, no referrer, never framed, and a
    Content-Security-Policy (a looser one for the two API documentation pages only).
    A response that sets its own CSP (a served document) keeps it."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        csp = (DOCS_CSP if scope.get("path") in DOCS_PATHS else APP_CSP).encode()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {bytes(name).lower() for name, _ in headers}
                extra = [*SECURITY_HEADERS, (b"content-security-policy", csp)]
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class HeaderSizeLimit:
    """Refuse requests whose headers exceed ``limit`` bytes, or ``max_count`` fields, with 431
    and the JSON error body."""

    def __init__(
        self, app: ASGIApp, limit: int = MAX_HEADER_BYTES, max_count: int = MAX_HEADER_COUNT
    ) -> None:
        self.app = app
        self.limit = limit
        self.max_count = max_count

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = scope.get("headers", [])
            size = sum(len(name) + len(value) for name, value in headers)
            refusal = None
            if size > self.limit:
                refusal = f"request headers are limited to {self.limit} bytes"
            elif len(headers) > self.max_count:
                refusal = f"requests are limited to {self.max_count} header fields"
            if refusal is not None:
                response = JSONResponse(error_body("headers_too_large", refusal), status_code=431)
                await response(scope, _no_receive, send)
                return
        await self.app(scope, receive, send)


class BodySizeLimit(HttpMiddleware):
    """Refuse request bodies over ``limit`` bytes with 413, before any of it is parsed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        super().__init__(app)
        self.limit = limit

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
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
            error_body(BodyTooLarge.code, f"request bodies are limited to {self.limit} bytes"),
            status_code=BodyTooLarge.status,
        )
        await response({"type": "http"}, _no_receive, send)


class _BodyTooLarge(Exception):
    pass


class JsonDepthLimit:
    """Refuse request bodies that nest deeper than ``max_depth`` with 400 ``json_too_deep``,
    before anything parses them (the C JSON decoder would overflow the stack on deep input).

    The body is read whole (``BodySizeLimit``, outside, bounds it) and replayed to the app.
    Multipart bodies (document uploads) are not JSON and are not scanned."""

    #: Bodies larger than this are scanned in a worker thread, off the event loop.
    THREAD_ABOVE = 64 * 1024

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or _content_type(scope).startswith(b"multipart/"):
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if len(body) > self.THREAD_ABOVE:
            too_deep = await to_thread.run_sync(json_depth_exceeds, body, self.max_depth)
        else:
            too_deep = json_depth_exceeds(body, self.max_depth)
        if too_deep:
            logger.info("api.json_too_deep path=%s bytes=%s", scope.get("path"), len(body))
            response = JSONResponse(
                error_body(
                    JsonTooDeep.code, f"JSON bodies may nest at most {self.max_depth} levels deep"
                ),
                status_code=JsonTooDeep.status,
            )
            await response(scope, _no_receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return bytes(value).lower().strip()
    return b""


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
            error_body(InvalidRequest.code, _describe(error.errors())),
            status_code=InvalidRequest.status,
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404 and (page := console_fallback(request)) is not None:
            return page
        if error.status_code == 400:
            # The framework's own 400s are bodies it could not parse (bytes that are not UTF-8
            # JSON, broken multipart): what the schema calls an invalid request.
            return JSONResponse(
                error_body(InvalidRequest.code, str(error.detail)),
                status_code=InvalidRequest.status,
            )
        code = HTTP_CODES.get(error.status_code, "http_error")
        headers = dict(getattr(error, "headers", None) or {})
        if error.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(app, request.scope))
        return JSONResponse(
            error_body(code, str(error.detail)), status_code=error.status_code, headers=headers
        )

    @app.exception_handler(Exception)
    async def crash(_request: Request, error: Exception) -> JSONResponse:
        logger.exception("api.crash error=%s", type(error).__name__)
        return JSONResponse(
            error_body("internal_error", "the server failed; it has been logged"), status_code=500
        )


def _allowed_methods(app: FastAPI, scope: Scope) -> list[str]:
    """Every method some route of this path answers (Starlette's 405 names only the methods of
    the first route that matched the path), asked of the app's own routing, so path convertors
    count (``/trades/{trade_id:hex32}`` does not answer ``/trades/batch``)."""
    methods = {
        method
        for method in _METHODS
        if any(
            route.matches({**scope, "method": method})[0] == Match.FULL
            for route in app.router.routes
        )
    }
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _describe(errors: Any) -> str:
    """One sentence from pydantic's errors: where, and what is wrong."""
    parts = []
    for item in list(errors)[:3]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is not valid"


class RequestMetrics(HttpMiddleware):
    """Counts each request by method, route and status, and times it by route (pure ASGI: no
    per-request task or body streaming of Starlette's ``BaseHTTPMiddleware``).

    The route is known once routing ran (inside, after the response started), so it is read
    from the scope when the response ends."""

    def __init__(self, app: ASGIApp, requests: Counter, latency: Histogram) -> None:
        super().__init__(app)
        self.requests = requests
        self.latency = latency

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500  # what the client gets when the app fails before it answers

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.requests.labels(scope["method"], route, str(status)).inc()
            self.latency.labels(route).observe(time.perf_counter() - started)


def _install_metrics(app: FastAPI) -> CollectorRegistry:
    registry = CollectorRegistry()
    requests = Counter(
        "scf_http_requests_total", "HTTP requests", ["method", "route", "status"], registry=registry
    )
    latency = Histogram(
        "scf_http_request_seconds", "HTTP request latency", ["route"], registry=registry
    )
    registry.register(PopulationShiftCollector(app.state.services.settings.models_dir))
    app.add_middleware(RequestMetrics, requests=requests, latency=latency)
    return registry


def create_app(
    services: Services,
    *,
    extra_lifespan: Callable[[], Any] | None = None,
    with_console: bool = True,
) -> FastAPI:
    """The API over ``services``. ``extra_lifespan``: background work started with the app;
    ``with_console``: serve the browser console at ``/`` (backend/console.py)."""
    restore_recursion_limit()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = extra_lifespan() if extra_lifespan else None
        try:
            yield
        finally:
            if callable(stop):
                stop()

    app = FastAPI(
        title=docs.TITLE,
        version="0.1.0",
        description=docs.DESCRIPTION,
        openapi_tags=docs.TAGS,
        docs_url=None,  # served by docs.install_docs, with their assets from this app
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.services = services
    _install_error_handlers(app)
    app.state.metrics = _install_metrics(app)
    # Outermost last: security headers on every answer, then the header, size and depth limits.
    app.add_middleware(JsonDepthLimit, max_depth=MAX_JSON_DEPTH)
    app.add_middleware(BodySizeLimit, limit=services.settings.max_body_bytes)
    app.add_middleware(HeaderSizeLimit, limit=MAX_HEADER_BYTES)
    app.add_middleware(SecurityHeaders)

    for router in _routers():
        app.include_router(router)
    docs.install_docs(app)

    if with_console:
        install_console(app, rpc_url=public_rpc_url(services))
    return app


class _SchemaOnly:
    """What building the app needs of `Services` to describe the API: settings only (every
    route reads the node and the database per request)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI document, built without a node or a database (``scf openapi``)."""
    app = create_app(cast(Services, _SchemaOnly(get_settings())), with_console=False)
    return app.openapi()


def _routers() -> list[Any]:
    from backend.attestations.router import router as attestations_router
    from backend.consents.router import router as consents_router
    from backend.credit.router import router as credit_router
    from backend.decisions.router import router as decisions_router
    from backend.documents.router import router as documents_router
    from backend.evidence.router import router as evidence_router
    from backend.firms.router import router as firms_router
    from backend.ops import router as ops_router
    from backend.receivables.offers_router import router as financing_router
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
        financing_router,
        consents_router,
        evidence_router,
        documents_router,
        attestations_router,
        ops_router,
    ]
