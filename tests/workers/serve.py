"""`scf serve` as a subprocess against a test's own anvil and PostgreSQL database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx

from backend.chain.anvil import free_port

SCF = str(Path(sys.executable).with_name("scf"))
T = TypeVar("T")


def wait_until(check: Callable[[], T], timeout: float = 90.0, what: str = "") -> T:
    """The first truthy value of ``check()``, polled; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or check}")
        time.sleep(0.1)


def serve_environment(tmp_path: Path, rpc_url: str, database_url: str, **extra: str) -> dict:
    return {
        **os.environ,
        "SCF_RPC_URL": rpc_url,
        "SCF_DATABASE_URL": database_url,
        "SCF_DATA_DIR": str(tmp_path / "data"),
        "SCF_DEPLOYMENTS_DIR": str(tmp_path / "deployments"),
        "SCF_INDEXER_POLL_SECONDS": "0.2",
        "SCF_WORKER_BACKOFF_INITIAL_SECONDS": "0.2",
        "SCF_WORKER_BACKOFF_MAX_SECONDS": "1",
        "SCF_RPC_READ_RETRIES": "0",
        "SCF_RPC_TIMEOUT_SECONDS": "5",
        "SCF_READY_TIMEOUT_SECONDS": "2",
        **extra,
    }


@dataclass
class Served:
    process: subprocess.Popen[str]
    url: str
    stderr_path: Path

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.url + path, timeout=10)

    def readyz(self) -> tuple[int, dict[str, Any]]:
        try:
            answer = self.get("/readyz")
        except httpx.HTTPError:
            return 0, {}
        return answer.status_code, answer.json() if answer.status_code in (200, 503) else {}

    def metric(self, name: str, **labels: str) -> float:
        """The value of one sample of /metrics (0 when absent)."""
        text = self.get("/metrics").text
        wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "")
        match = re.search(rf"^{pattern} (\S+)$", text, re.MULTILINE)
        return float(match.group(1)) if match else 0.0

    def stderr(self) -> str:
        return self.stderr_path.read_text()


def start_serve(env: dict, tmp_path: Path, *args: str, name: str = "serve") -> Served:
    port = free_port()
    stderr_path = tmp_path / f"{name}.stderr"
    process = subprocess.Popen(
        [SCF, "serve", "--port", str(port), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr_path.open("w"),
        text=True,
    )
    return Served(process, f"http://127.0.0.1:{port}", stderr_path)


def wait_answering(served: Served, timeout: float = 120.0) -> None:
    def answering() -> bool:
        if served.process.poll() is not None:
            raise AssertionError(f"scf serve exited early:\n{served.stderr()}")
        try:
            return served.get("/healthz").status_code == 200
        except httpx.HTTPError:
            return False

    wait_until(answering, timeout, "scf serve to answer /healthz")


def stop(served: Served) -> None:
    if served.process.poll() is None:
        served.process.terminate()
        try:
            served.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait()
