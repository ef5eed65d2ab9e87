"""Lifecycle of a local anvil node: start on a free port, wait until it answers, stop cleanly.

anvil comes from npm (``@foundry-rs/anvil``). It always runs with ``--prune-history 256``: without
it anvil keeps every block's state under ``~/.foundry`` and fills the disk.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

from backend.errors import LedgerError
from backend.settings import get_settings

logger = logging.getLogger(__name__)

DEFAULT_CHAIN_ID = 31337
PRUNE_HISTORY = "256"
# anvil mines on arrival, but transactions that do not fit the block wait for the next arrival:
# a relayer round (up to 1,000 trades, ~76M gas declared) must fit one block, or its tail stalls.
BLOCK_GAS_LIMIT = 300_000_000
PR_SET_PDEATHSIG = 1  # prctl option: the signal a child gets when its parent dies
_ARCHITECTURES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


class AnvilError(LedgerError, code="anvil_error", status=503):
    """The local anvil node did not start or stopped answering."""


def anvil_binary(node_modules: Path | None = None) -> Path:
    """The native anvil binary from the platform package npm installed."""
    node_modules = node_modules or get_settings().node_modules_dir
    system = platform.system().lower()
    architecture = _ARCHITECTURES.get(platform.machine().lower(), platform.machine().lower())
    binary = node_modules / "@foundry-rs" / f"anvil-{system}-{architecture}" / "bin" / "anvil"
    if not binary.exists():
        raise AnvilError(f"anvil not found at {binary}; run `npm ci` (make does it for you)")
    return binary


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Anvil:
    """A local anvil process. Use as a context manager, or call ``start()`` and ``stop()``."""

    def __init__(
        self,
        *,
        port: int | None = None,
        state_path: Path | None = None,
        block_time: float | None = None,
        chain_id: int = DEFAULT_CHAIN_ID,
        accounts: int = 10,
        startup_timeout: float = 30.0,
    ) -> None:
        self.port = port or free_port()
        self.state_path = state_path
        self.block_time = block_time
        self.chain_id = chain_id
        self.accounts = accounts
        self.startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        command = [
            str(anvil_binary()),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--chain-id", str(self.chain_id),
            "--accounts", str(self.accounts),
            "--prune-history", PRUNE_HISTORY,
            "--gas-limit", str(BLOCK_GAS_LIMIT),
            "--silent",
        ]  # fmt: skip
        if self.state_path is not None:
            command += ["--state", str(self.state_path)]
        if self.block_time is not None:
            command += ["--block-time", str(self.block_time)]
        return command

    def start(self) -> Anvil:
        if self._process is not None:
            return self
        if rpc_answers(self.url):
            # Otherwise the node already there would answer for ours, which failed to bind.
            raise AnvilError(f"port {self.port} is taken by another node; choose another port")
        if self.state_path is not None:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
        # Its own process group, so that stopping it never leaves a child behind; and on Linux
        # it is told to stop when its parent dies, even by SIGKILL.
        self._process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=_stop_with_parent,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        logger.info("anvil.started url=%s pid=%d", self.url, self._process.pid)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            # SIGTERM lets anvil write its --state file before it exits.
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
        if process.stderr is not None:
            process.stderr.close()
        logger.info("anvil.stopped url=%s", self.url)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                stderr = self._process.stderr.read().decode() if self._process.stderr else ""
                raise AnvilError(f"anvil exited with code {self._process.returncode}: {stderr}")
            if rpc_answers(self.url):
                return
            time.sleep(0.05)
        raise AnvilError(f"anvil did not answer on {self.url} within {self.startup_timeout} s")

    def __enter__(self) -> Anvil:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _stop_with_parent() -> None:
    """In the child, before exec: ask Linux for SIGTERM when the parent process dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def rpc_answers(url: str, timeout: float = 1.0) -> bool:
    """True when a JSON-RPC node answers ``eth_chainId`` at ``url``."""
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return "result" in json.loads(response.read())
    except (OSError, urllib.error.URLError, ValueError):
        return False
