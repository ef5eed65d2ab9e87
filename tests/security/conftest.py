"""Fixtures of the attack tests: the API fixtures, and a real `scf serve` (uvicorn) process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from eth_account import Account

from tests.api.conftest import client, indexer, operator_headers, relayer, services, sign_in

__all__ = ["client", "indexer", "operator_headers", "relayer", "services", "sign_in"]

ROOT = Path(__file__).resolve().parents[2]  # the tree whose code is tested (not the venv's)
STARTUP_SECONDS = 120  # a generous bound for start-up on a loaded machine; not a timing assertion


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class LiveServer:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def answers(self) -> bool:
        return httpx.get(f"{self.url}/ledger", timeout=30).status_code == 200


@pytest.fixture(scope="module")
def live_server(anvil, tmp_path_factory, w3) -> Iterator[LiveServer]:
    """`scf serve --no-relayer --no-indexer` on a free port, on the session's anvil, with its own
    operator account (funded here), SQLite database and deployment directory."""
    home = tmp_path_factory.mktemp("live")
    operator = Account.create()
    w3.provider.make_request("anvil_setBalance", [operator.address, hex(10**21)])
    port = free_port()
    env = {
        **os.environ,
        "SCF_RPC_URL": anvil.url,
        "SCF_OPERATOR_KEY": "0x" + bytes(operator.key).hex(),
        "SCF_DATA_DIR": str(home / "data"),
        "SCF_DEPLOYMENTS_DIR": str(home / "deployments"),
        "SCF_MODELS_DIR": str(home / "models"),
        "SCF_DATABASE_URL": f"sqlite:///{home / 'scf.db'}",
        "PYTHONPATH": str(ROOT),
    }
    log = home / "serve.log"
    serve = ["serve", "--no-relayer", "--no-indexer", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(  # `scf serve`, run from this tree
            [sys.executable, "-c", "from backend.cli import app; app()", *serve],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            assert server.alive(), f"scf serve exited: {log.read_text()}"
            try:
                if server.answers():
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"scf serve did not start: {log.read_text()}"
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
