"""How ``scf serve`` runs the API under uvicorn: options that keep every answer the API's own.

uvicorn refuses a request it cannot parse with a plain-text 400 before the app sees it. Both
HTTP parsers here answer with the API's JSON error body instead: a head larger than
:data:`MAX_HEAD_BYTES` gets 431 ``headers_too_large``, anything else that is not HTTP/1.1 gets 400
``bad_request``. The bound is larger than the app's own header limit
(:data:`backend.app.MAX_HEADER_BYTES`), so a head between the two reaches the app, which answers
its JSON 431 itself.

``scf serve --workers N`` (N > 1) runs N uvicorn worker processes on one socket, each building
its own API services (:func:`worker_app`); the relayer and the indexer stay in the parent process,
behind their leader locks.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any, Literal

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.supervisors import Multiprocess

#: The largest request head (request line and headers) a connection may send before it is refused.
MAX_HEAD_BYTES = 256 * 1024
#: Kept under its old name: h11's buffer for a request's head (h11's default is 16 KiB).
H11_MAX_INCOMPLETE_EVENT_SIZE = MAX_HEAD_BYTES

#: How long a refused connection is kept open for the client to read the answer.
LINGER_SECONDS = 2.0

#: How long a worker may take to answer its parent's health check before it is killed and
#: replaced: a worker importing the app on a loaded machine can hold the GIL for seconds
#: (uvicorn's default, 5 s, had workers killed before they ever served).
WORKER_HEALTHCHECK_SECONDS = 60

HttpParser = Literal["h11", "httptools"]
EventLoop = Literal["asyncio", "uvloop"]


def _refusal(too_large: bool) -> tuple[int, bytes]:
    """The status and JSON body of a request refused before the app: 431 or 400."""
    if too_large:
        status, code = 431, "headers_too_large"
        message = f"request headers are limited to {MAX_HEAD_BYTES} bytes"
    else:
        status, code = 400, "bad_request"
        message = "the request is not valid HTTP/1.1"
    return status, json.dumps({"error": {"code": code, "message": message}}).encode()


def _refusal_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"connection", b"close"),
    ]


def _close_lingering(transport: Any) -> None:
    """Close a refused connection without losing the answer just written.

    Closing with the client's bytes unread would reset the connection, and a reset can discard
    the answer before the client reads it (a client still sending a huge head reads nothing
    until it is done). So: end the writing side, let the caller drop what still comes, and
    close once the client has had time to read."""
    if transport.can_write_eof():
        transport.write_eof()
    asyncio.get_running_loop().call_later(LINGER_SECONDS, transport.close)


class JsonErrorH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering unparseable requests with the API's JSON error body:
    431 ``headers_too_large`` when the head overflowed the buffer, else 400 ``bad_request``."""

    _refused = False

    def data_received(self, data: bytes) -> None:
        if not self._refused:  # else the rest of a refused request: dropped until the close
            super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        pending, _ = self.conn.trailing_data
        status, body = _refusal(len(pending) > MAX_HEAD_BYTES)
        response = h11.Response(status_code=status, headers=_refusal_headers(body))
        self.transport.write(self.conn.send(response))
        self.transport.write(self.conn.send(h11.Data(data=body)) or b"")
        self.transport.write(self.conn.send(h11.EndOfMessage()) or b"")
        self._refused = True
        _close_lingering(self.transport)


class JsonErrorHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools (llhttp) protocol with the same JSON refusals as the h11 one.

    llhttp buffers a head of any size, so the head's bytes are counted here: past
    :data:`MAX_HEAD_BYTES` before the headers are complete, the connection gets the JSON 431."""

    def connection_made(self, transport: Any) -> None:
        self._head_bytes = 0
        self._in_head = True
        self._refused = False
        super().connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # the rest of a refused request: read and dropped until the close
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._refuse(too_large=True)
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes = False, 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head = True  # the next bytes on this connection are the next request's head
        super().on_message_complete()

    def send_400_response(self, msg: str) -> None:
        self._refuse(too_large=False)

    def _refuse(self, too_large: bool) -> None:
        status, body = _refusal(too_large)
        reason = "Request Header Fields Too Large" if too_large else "Bad Request"
        head = [f"HTTP/1.1 {status} {reason}"]
        head += [f"{name.decode()}: {value.decode()}" for name, value in _refusal_headers(body)]
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        self._refused = True
        _close_lingering(self.transport)


PROTOCOLS: dict[str, type[Any]] = {
    "h11": JsonErrorH11Protocol,
    "httptools": JsonErrorHttpToolsProtocol,
}


def uvicorn_options(http: HttpParser = "httptools", loop: EventLoop = "uvloop") -> dict[str, Any]:
    """The options ``scf serve`` passes to uvicorn."""
    return {
        "http": PROTOCOLS[http],
        "loop": loop,
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
        "log_level": "warning",
    }


#: What ``scf serve`` announces once it listens: the console, the docs, health and metrics.
SERVED_PAGES = (
    ("console", "/"),
    ("API docs (Swagger UI)", "/docs"),
    ("API reference (ReDoc)", "/redoc"),
    ("health", "/healthz"),
    ("readiness", "/readyz"),
    ("metrics", "/metrics"),
)


def served_urls(host: str, port: int) -> list[tuple[str, str]]:
    """(what, URL) of each page; a wildcard host is shown as this machine's loopback."""
    shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return [(what, f"http://{shown}:{port}{path}") for what, path in SERVED_PAGES]


def announcement(host: str, port: int) -> str:
    lines = [f"scf serve: ready, listening on {host}:{port}"]
    lines += [f"  {what:<22} {url}" for what, url in served_urls(host, port)]
    return "\n".join(lines) + "\n"


class AnnouncingServer(uvicorn.Server):
    """A uvicorn server that calls ``on_ready`` once its socket listens (not before: a URL it
    prints answers)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and not self.should_exit:
            self.on_ready()


def print_announcement(host: str, port: int) -> None:
    sys.stdout.write(announcement(host, port))
    sys.stdout.flush()


def api_server(
    app: Any, host: str, port: int, http: HttpParser = "httptools", loop: EventLoop = "uvloop"
) -> uvicorn.Server:
    """The uvicorn server ``scf serve`` runs (``.run()``; ``should_exit`` stops it); it prints
    the URLs it serves once it listens."""
    config = uvicorn.Config(app, host=host, port=port, **uvicorn_options(http, loop))
    return AnnouncingServer(config, lambda: print_announcement(host, port))


def api_workers(
    host: str, port: int, workers: int, http: HttpParser = "httptools", loop: EventLoop = "uvloop"
) -> Multiprocess:
    """``workers`` uvicorn processes serving :func:`worker_app` on one socket bound here
    (``.run()`` supervises them: a dead worker is replaced; ``should_exit.set()`` stops them).

    Built in the main thread: it installs the signal handlers that stop the workers."""
    config = uvicorn.Config(
        "backend.server:worker_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **uvicorn_options(http, loop),
    )
    return Multiprocess(config, sockets=[config.bind_socket()])


def worker_app() -> Any:
    """The API of one worker process: its own engine and node connection, no background workers
    (the parent runs those). Reads the settings from the environment the parent passed on."""
    from backend.app import create_app
    from backend.runtime import api_services
    from backend.settings import get_settings

    stack = ExitStack()
    services = stack.enter_context(api_services(get_settings()))
    return create_app(services, extra_lifespan=lambda: stack.close)
