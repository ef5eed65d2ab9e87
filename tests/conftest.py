"""Shared fixtures: one real anvil per test session, a fresh ledger deployment per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eth_account import Account
from web3 import Web3

from backend.chain.anvil import Anvil
from backend.chain.compiler import Artifact, compile_contracts
from backend.chain.contracts import Ledger
from backend.chain.deploy import deploy_ledger
from backend.chain.reverts import RevertDecoder
from backend.chain.transactor import Transactor
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
    deployer = Transactor(w3, operator, RevertDecoder([a.abi for a in artifacts.values()]))
    deployment = deploy_ledger(deployer, artifacts)
    return Ledger(w3, deployment, artifacts, operator)
