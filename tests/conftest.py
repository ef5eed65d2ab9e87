"""Shared fixtures: one real anvil per test session, a fresh ledger deployment per test."""

from __future__ import annotations

import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from eth_account import Account
from sqlalchemy import Engine
from web3 import Web3

from backend.chain.anvil import Anvil
from backend.chain.compiler import Artifact, compile_contracts
from backend.chain.contracts import Ledger
from backend.db import make_engine
from backend.migrations import upgrade
from backend.scoring.scorecard import Scorecard
from backend.scoring.store import load_model
from backend.scoring.training import train, write_model
from backend.settings import DEVELOPMENT_OPERATOR_KEY


@pytest.fixture(scope="session")
def artifacts() -> dict[str, Artifact]:
    return compile_contracts()


@pytest.fixture(scope="session")
def anvil() -> Iterator[Anvil]:
    with Anvil() as node:
        yield node


@pytest.fixture(scope="session")
def w3(anvil: Anvil) -> Web3:
    return Web3(Web3.HTTPProvider(anvil.url, request_kwargs={"timeout": 60}))


@pytest.fixture
def ledger(w3: Web3, artifacts: dict[str, Artifact]) -> Ledger:
    """A freshly deployed ledger, so that tests never see each other's state."""
    operator = Account.from_key(DEVELOPMENT_OPERATOR_KEY)
    return Ledger.deploy_new(w3, artifacts, operator)


# ─────────────────────────────────────────────────────────────── databases

POSTGRES_ADMIN_URL = os.environ.get(
    "SCF_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _postgres_reachable() -> str | None:
    """None when the test server answers, else the reason it does not."""
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL.replace("+psycopg", ""), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {error}"


@pytest.fixture(scope="session")
def postgres_unavailable() -> str | None:
    return _postgres_reachable()


@contextmanager
def _fresh_postgres_database(template: str | None = None) -> Iterator[str]:
    name = f"scf_test_{uuid.uuid4().hex[:12]}"
    admin = POSTGRES_ADMIN_URL.replace("+psycopg", "")
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"{copy}')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Running the migrations takes a second or more; a test's database is a copy of one migrated
# once per session (a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL). The
# migrations themselves are still run by every session, and by the tests that test them.


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "scf.db"
    upgrade(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:  # fold the WAL into the file, which is copied
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_unavailable) -> Iterator[str | None]:
    if postgres_unavailable:
        yield None
        return
    with _fresh_postgres_database() as url:
        upgrade(url)
        yield url.rsplit("/", 1)[-1]


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path, postgres_unavailable) -> Iterator[str]:
    """A new, migrated, empty database: SQLite in a temp dir, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "scf.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    if postgres_unavailable:
        pytest.skip(postgres_unavailable)
    with _fresh_postgres_database(request.getfixturevalue("postgres_template")) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_database_url(request, tmp_path, postgres_unavailable) -> Iterator[str]:
    """A new, empty database nothing has migrated (for the tests of a migration itself)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    if postgres_unavailable:
        pytest.skip(postgres_unavailable)
    with _fresh_postgres_database() as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scorecard trained once per session on a small simulated world, written as
    `scf model train` writes it (the API's model directory in tests)."""
    directory = tmp_path_factory.mktemp("models")
    write_model(train(seed=3, n_firms=600, german=False), directory)
    return directory


@pytest.fixture(scope="session")
def trained_model(models_dir: Path) -> Scorecard:
    (path,) = models_dir.glob("*.json")
    return load_model(path)
