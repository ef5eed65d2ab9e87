"""Oracle fixtures: a real chain, database, relayer and indexer; an oracle firm with a device."""

from __future__ import annotations

import pytest

from backend.attestations.typed_data import DeviceKind
from backend.chain.contracts import Role
from backend.indexer.indexer import Indexer
from backend.indexer.rpc import JsonRpc
from backend.relayer.relayer import Relayer
from tests.attestation_factories import create_oracle, register_device
from tests.factories import create_firm


@pytest.fixture
def relayer(engine, ledger, anvil) -> Relayer:
    return Relayer(engine, ledger, JsonRpc(anvil.url), batch_size=50)


@pytest.fixture
def indexer(engine, ledger, anvil, artifacts) -> Indexer:
    return Indexer(engine, JsonRpc(anvil.url), ledger.deployment, artifacts)


@pytest.fixture
def plant(ledger, indexer):
    """A battery maker with a production line and an energy meter, read by an oracle (indexed)."""
    oracle, maker = create_oracle(ledger), create_firm(ledger, Role.SUPPLIER)
    line = register_device(ledger, oracle, maker, DeviceKind.PRODUCTION_LINE, rated_capacity=100)
    meter = register_device(ledger, oracle, maker, DeviceKind.ENERGY_METER, rated_capacity=50_000)
    indexer.sync()
    return {"oracle": oracle, "maker": maker, "line": line, "meter": meter}
