"""`scf serve --workers 2`: two API worker processes on one port, the relayer and the indexer in
the parent behind their leader locks; every answer is still the API's own (JSON refusals of
oversized or unparseable requests from either HTTP parser)."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from backend.chain.deploy import save_deployment
from tests.indexer.helpers import scripted_history
from tests.workers.serve import serve_environment, start_serve, stop, wait_answering, wait_until

#: Each worker imports and connects on its own: a generous bound on a loaded machine, not a timing
#: assertion.
STARTUP_SECONDS = 300


def _raw(url: str, request: bytes) -> bytes:
    """What the server answers ``request`` on a fresh connection, up to its close."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as connection:
        try:
            connection.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-send: the answer was written before the close
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in children]


def _api_workers(pid: int) -> list[int]:
    """The parent's children that listen for HTTP: the uvicorn workers (not anvil, not
    multiprocessing's resource tracker)."""
    return [
        child
        for child in _children(pid)
        if "multiprocessing.spawn" in Path(f"/proc/{child}/cmdline").read_text()
        and "resource_tracker" not in Path(f"/proc/{child}/cmdline").read_text()
    ]


def assert_refusals_are_json(url: str) -> None:
    """A head past the app's limit (the app's 431), past the parser's bound (the protocol's
    431) and a request that is not HTTP (400) all answer with the JSON error body."""
    for size in (20 * 1024, 512 * 1024):
        answer = httpx.get(f"{url}/ledger", headers={"X-Padding": "a" * size}, timeout=60)
        assert answer.status_code == 431, answer.text
        assert answer.headers["content-type"] == "application/json"
        assert answer.json()["error"]["code"] == "headers_too_large"
    padding = b"a" * 600_000
    raw = _raw(url, b"GET /ledger HTTP/1.1\r\nHost: x\r\nX-Padding: " + padding + b"\r\n\r\n")
    assert raw.startswith(b"HTTP/1.1 431"), raw[:200]
    assert b'"headers_too_large"' in raw
    raw = _raw(url, b"GARBAGE\x00 / HTTP/1.1\r\n\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), raw
    assert b"content-type: application/json" in head.lower()
    assert httpx.Response(400, content=body).json()["error"]["code"] == "bad_request"


@pytest.mark.chain
def test_two_workers_serve_the_api_with_the_leaders_in_the_parent(
    private_anvil, private_ledger, postgres_url, tmp_path
):
    scripted_history(private_ledger, rounds=1)
    save_deployment(private_ledger.deployment, tmp_path / "deployments")
    env = serve_environment(tmp_path, private_anvil.url, postgres_url)
    served = start_serve(env, tmp_path, "--workers", "2")
    try:
        wait_answering(served, timeout=STARTUP_SECONDS)
        assert len(_api_workers(served.process.pid)) == 2
        # /readyz of a worker: the parent's indexer caught up with the node (its lag is read
        # from the database), the node and the database answer.
        wait_until(lambda: served.readyz()[0] == 200, what="the workers ready")
        ledger = served.get("/ledger").json()
        assert ledger["contracts"]["TradeLedger"] == private_ledger.deployment.contracts[
            "TradeLedger"
        ].address
        with httpx.Client(base_url=served.url, timeout=30) as client:
            answers = [client.get("/healthz", headers={"Connection": "close"}) for _ in range(20)]
        assert {answer.status_code for answer in answers} == {200}
        assert_refusals_are_json(served.url)
        assert served.process.poll() is None
        assert served.get("/ledger").status_code == 200
    finally:
        stop(served)
    assert served.process.returncode == 0, served.stderr()
    assert "Traceback" not in served.stderr()


@pytest.mark.parametrize("http", ["h11", "httptools"])
def test_either_parser_refuses_with_the_json_error_body(services, http):
    """The API under each parser, in this process (`scf serve --http h11|httptools`)."""
    import threading

    from backend.app import create_app
    from backend.chain.anvil import free_port
    from backend.server import api_server

    port = free_port()
    server = api_server(create_app(services), "127.0.0.1", port, http=http, loop="asyncio")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started, 60, "uvicorn to start")
        assert_refusals_are_json(f"http://127.0.0.1:{port}")
        assert httpx.get(f"http://127.0.0.1:{port}/ledger", timeout=30).status_code == 200
    finally:
        server.should_exit = True
        thread.join(timeout=30)
