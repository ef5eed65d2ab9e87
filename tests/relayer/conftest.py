"""Relayer reconciliation fixtures: a node of the test's own that can be killed and restarted from
an older state, and the API's fixtures (over the session's node) for the anchor and batch tests."""

from __future__ import annotations

import gzip
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from eth_account import Account
from fastapi.testclient import TestClient
from web3 import Web3

from backend.app import create_app
from backend.chain.anvil import Anvil
from backend.chain.contracts import Ledger
from backend.indexer.indexer import Indexer
from backend.indexer.rpc import JsonRpc
from backend.relayer.relayer import Relayer
from backend.services import Services
from backend.settings import DEVELOPMENT_OPERATOR_KEY, Settings
from tests import error_schema
from tests.api.conftest import client, indexer, operator_headers, relayer, services  # noqa: F401

FINAL_DEPTH = 16  # deeper than any rewind these tests make


class Node:
    """An anvil whose state can be saved at a moment and that can be killed (SIGKILL) and
    started again on the same port from a saved state: the chain loses what came after it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.anvil = Anvil().start()
        self.port = self.anvil.port
        self._saved = 0

    @property
    def url(self) -> str:
        return self.anvil.url

    def save_state(self) -> Path:
        rpc = JsonRpc(self.url)
        dump = rpc.call("anvil_dumpState", [])
        self._saved += 1
        path = self.directory / f"state-{self._saved}.json"
        path.write_bytes(gzip.decompress(bytes.fromhex(dump[2:])))
        return path

    def restart_from(self, state: Path) -> None:
        assert self.anvil.pid is not None
        os.killpg(self.anvil.pid, signal.SIGKILL)
        self.anvil.stop()
        copy = self.directory / f"restart-from-{state.name}"
        copy.write_bytes(state.read_bytes())
        self.anvil = Anvil(port=self.port, state_path=copy).start()

    def mine(self, blocks: int) -> None:
        JsonRpc(self.url).call("anvil_mine", [hex(blocks)])

    def stop(self) -> None:
        self.anvil.stop()


@pytest.fixture
def node(tmp_path: Path) -> Iterator[Node]:
    started = Node(tmp_path)
    yield started
    started.stop()


@pytest.fixture
def node_ledger(node: Node, artifacts) -> Ledger:
    w3 = Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 60}))
    return Ledger.deploy_new(w3, artifacts, Account.from_key(DEVELOPMENT_OPERATOR_KEY))


@pytest.fixture
def node_services(node_ledger: Ledger, engine, models_dir) -> Services:
    settings = Settings(
        rate_limit_per_second=1_000,
        rate_limit_burst=10_000,
        models_dir=models_dir,
        final_depth=FINAL_DEPTH,
    )
    return Services(settings, engine, node_ledger)


@pytest.fixture
def node_client(node_services: Services) -> Iterator[TestClient]:
    app = create_app(node_services)
    with TestClient(app) as test_client:
        error_schema.install(test_client, app)
        yield test_client


def node_relayer(on: Services, node: Node, **overrides: object) -> Relayer:
    options: dict[str, object] = {
        "batch_size": 10,
        "final_depth": FINAL_DEPTH,
        "receipt_timeout": 5.0,
    } | overrides
    return Relayer(on.engine, on.ledger, JsonRpc(node.url), **options)  # type: ignore[arg-type]


def node_indexer(on: Services, node: Node) -> Indexer:
    return Indexer(
        on.engine,
        JsonRpc(node.url),
        on.deployment,
        on.artifacts,
        final_depth=FINAL_DEPTH,
    )
