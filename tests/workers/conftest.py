"""Fixtures of the supervision tests: a private anvil (behind a proxy that can cut it off), a
ledger on it, a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from sqlalchemy import Engine
from web3 import Web3

from backend.chain.anvil import Anvil
from backend.chain.contracts import Ledger
from backend.db import make_engine
from backend.settings import DEVELOPMENT_OPERATOR_KEY
from tests.api.conftest import client, services  # noqa: F401  (the API's fixtures)
from tests.conftest import _fresh_postgres_database
from tests.workers.proxy import TcpProxy


@pytest.fixture
def private_anvil() -> Iterator[Anvil]:
    with Anvil() as node:
        yield node


@pytest.fixture
def private_ledger(private_anvil, artifacts) -> Ledger:
    w3 = Web3(Web3.HTTPProvider(private_anvil.url, request_kwargs={"timeout": 60}))
    return Ledger.deploy_new(w3, artifacts, Account.from_key(DEVELOPMENT_OPERATOR_KEY))


@pytest.fixture
def proxy(private_anvil) -> Iterator[TcpProxy]:
    proxy = TcpProxy(private_anvil.port).start()
    yield proxy
    proxy.stop()


@pytest.fixture
def postgres_url(postgres_unavailable, postgres_template) -> Iterator[str]:
    if postgres_unavailable:
        pytest.skip(postgres_unavailable)
    with _fresh_postgres_database(postgres_template) as url:
        yield url


@pytest.fixture
def pg_engine(postgres_url) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()
