"""How ``scf serve`` runs the API under uvicorn: options that keep every answer the API's own.

uvicorn (h11) refuses a request whose headers do not fit its buffer with a plain-text 400 before
the app sees it. The buffer here is larger than the app's own header limit
(:data:`backend.app.MAX_HEADER_BYTES`), so the app answers oversized headers with its JSON 431;
what is larger still, or not HTTP at all, gets the same JSON error body from the protocol.
"""

from __future__ import annotations

import json
import socket
import sys
from collections.abc import Callable
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

#: h11's buffer for a request's head (its default is 16 KiB).
H11_MAX_INCOMPLETE_EVENT_SIZE = 256 * 1024


class JsonErrorH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, answering unparseable requests with the API's JSON error body:
    431 ``headers_too_large`` when the head overflowed the buffer, else 400 ``bad_request``."""

    def send_400_response(self, msg: str) -> None:
        pending, _ = self.conn.trailing_data
        if len(pending) > H11_MAX_INCOMPLETE_EVENT_SIZE:
            status, code = 431, "headers_too_large"
            message = f"request headers are limited to {H11_MAX_INCOMPLETE_EVENT_SIZE} bytes"
        else:
            status, code = 400, "bad_request"
            message = "the request is not valid HTTP/1.1"
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"connection", b"close"),
        ]
        self.transport.write(self.conn.send(h11.Response(status_code=status, headers=headers)))
        self.transport.write(self.conn.send(h11.Data(data=body)) or b"")
        self.transport.write(self.conn.send(h11.EndOfMessage()) or b"")
        self.transport.close()


def uvicorn_options() -> dict[str, Any]:
    """The options ``scf serve`` passes to ``uvicorn.run``."""
    return {
        "http": JsonErrorH11Protocol,
        "h11_max_incomplete_event_size": H11_MAX_INCOMPLETE_EVENT_SIZE,
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


def _print_announcement(host: str, port: int) -> None:
    sys.stdout.write(announcement(host, port))
    sys.stdout.flush()


def api_server(app: Any, host: str, port: int) -> uvicorn.Server:
    """The uvicorn server ``scf serve`` runs (``.run()``; ``should_exit`` stops it); it prints
    the URLs it serves once it listens."""
    config = uvicorn.Config(app, host=host, port=port, **uvicorn_options())
    return AnnouncingServer(config, lambda: _print_announcement(host, port))
