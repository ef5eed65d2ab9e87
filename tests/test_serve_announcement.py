"""`scf serve` says what it serves once it listens: each URL printed answers at that moment."""

from __future__ import annotations

import socket
import threading
import time

import httpx
from fastapi import FastAPI

from backend.chain.anvil import free_port
from backend.server import SERVED_PAGES, api_server, served_urls


def test_the_urls_are_printed_once_the_server_listens(capsys):
    app = FastAPI()
    answered: list[int] = []

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    port = free_port()
    server = api_server(app, "127.0.0.1", port)
    ready = server.on_ready  # type: ignore[attr-defined]

    def on_ready() -> None:  # the socket listens when the announcement is made
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            answered.append(port)
        ready()

    server.on_ready = on_ready  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).status_code == 200
    server.should_exit = True
    thread.join(timeout=30)
    printed = capsys.readouterr().out
    assert answered == [port]
    assert f"listening on 127.0.0.1:{port}" in printed
    for what, url in served_urls("127.0.0.1", port):
        assert what in printed and url in printed
    assert {path for _, path in SERVED_PAGES} >= {"/", "/docs", "/redoc", "/healthz", "/metrics"}


def test_a_wildcard_host_is_shown_as_the_loopback():
    assert dict(served_urls("0.0.0.0", 8000))["health"] == "http://127.0.0.1:8000/healthz"
    assert dict(served_urls("::", 8000))["console"] == "http://[::1]:8000/"
    assert dict(served_urls("10.1.2.3", 80))["metrics"] == "http://10.1.2.3:80/metrics"
