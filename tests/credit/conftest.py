"""Fixtures of the credit tests: a chain of their own, a clock that sets block times, indexing.

These tests move the chain's clock forward by years (tenure, 365-day windows). On the session's
shared anvil that would make every later test's wall-clock business times look like the distant
past, so the credit tests get an anvil of their own (overriding ``anvil`` and ``w3`` here).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eth_account import Account
from sqlalchemy import Engine
from web3 import Web3

from backend.chain.anvil import Anvil
from backend.chain.compiler import Artifact
from backend.chain.contracts import Ledger
from backend.credit import network
from backend.credit.cache import refresh_records
from backend.db import make_engine
from backend.indexer.indexer import Indexer
from backend.indexer.rpc import JsonRpc
from backend.migrations import upgrade
from backend.settings import DEVELOPMENT_OPERATOR_KEY
from tests.conftest import _fresh_postgres_database
from tests.credit.history import History, build_history
from tests.credit.scenario import ChainClock, Script


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    with Anvil() as node:
        yield node


@pytest.fixture(scope="session")
def w3(anvil: Anvil) -> Web3:
    return Web3(Web3.HTTPProvider(anvil.url, request_kwargs={"timeout": 60}))


@pytest.fixture
def clock(w3: Web3) -> ChainClock:
    return ChainClock(w3)


class CappedRpc(JsonRpc):
    """A node whose head is held at ``cap``: indexes a finished history in steps."""

    def __init__(self, url: str, cap: int | None = None) -> None:
        super().__init__(url)
        self.cap = cap

    def block_number(self) -> int:
        head = super().block_number()
        return head if self.cap is None else min(head, self.cap)


def make_indexer(
    engine: Engine, url: str, ledger: Ledger, artifacts: dict[str, Artifact]
) -> Indexer:
    """The real indexer over ``ledger``, refreshing credit records as it writes."""
    rpc = CappedRpc(url)
    return Indexer(engine, rpc, ledger.deployment, artifacts, on_batch=refresh_records)


@pytest.fixture
def indexer(
    engine: Engine, anvil: Anvil, ledger: Ledger, artifacts: dict[str, Artifact]
) -> Indexer:
    """The real indexer over this test's own deployment."""
    return make_indexer(engine, anvil.url, ledger, artifacts)


@dataclass(frozen=True)
class ScriptedChain:
    """The scripted history of history.py on a deployment of its own, built once per session,
    with the block numbers at its checkpoints (to index it in steps)."""

    ledger: Ledger
    history: History
    checkpoints: list[int]


@pytest.fixture(scope="session")
def scripted(w3: Web3, artifacts: dict[str, Artifact]) -> ScriptedChain:
    ledger = deploy_ledger_on(w3, artifacts)
    clock = ChainClock(w3)
    checkpoints: list[int] = []
    history = build_history(
        Script(ledger, clock), clock.start(), lambda: checkpoints.append(w3.eth.block_number)
    )
    return ScriptedChain(ledger, history, checkpoints)


@pytest.fixture
def scripted_indexer(
    engine: Engine, anvil: Anvil, scripted: ScriptedChain, artifacts: dict[str, Artifact]
) -> Indexer:
    """The indexer over the scripted history, into this test's fresh database."""
    return make_indexer(engine, anvil.url, scripted.ledger, artifacts)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def indexed_scripted(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_unavailable: str | None,
    anvil: Anvil,
    scripted: ScriptedChain,
    artifacts: dict[str, Artifact],
) -> Iterator[Engine]:
    """The scripted history indexed once per module into each database, for tests that only
    read it (a fresh PostgreSQL database per test would cost a second each)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('credit') / 'scf.db'}"
        yield from _indexed(url, anvil, scripted, artifacts)
        return
    if postgres_unavailable:
        pytest.skip(postgres_unavailable)
    with _fresh_postgres_database() as url:
        yield from _indexed(url, anvil, scripted, artifacts)


def _indexed(
    url: str, anvil: Anvil, scripted: ScriptedChain, artifacts: dict[str, Artifact]
) -> Iterator[Engine]:
    upgrade(url)
    engine = make_engine(url)
    make_indexer(engine, anvil.url, scripted.ledger, artifacts).sync()
    yield engine
    engine.dispose()


def deploy_ledger_on(w3: Web3, artifacts: dict[str, Artifact]) -> Ledger:
    operator = Account.from_key(DEVELOPMENT_OPERATOR_KEY)
    return Ledger.deploy_new(w3, artifacts, operator)


@pytest.fixture(autouse=True)
def _fresh_pagerank_cache() -> Iterator[None]:
    """Each test starts with an empty PageRank cache, so no test passes on another's result."""
    network.clear_cache()
    yield
    network.clear_cache()
