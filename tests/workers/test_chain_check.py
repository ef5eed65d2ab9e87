"""Before a worker (re)starts, the node must still be the deployment's chain: another chain id,
or a node without the contracts (restarted without its state), is fatal, not retried."""

from __future__ import annotations

from dataclasses import replace

import pytest

from backend.chain.deploy import DeployedContract
from backend.indexer.rpc import JsonRpc
from backend.runtime import ChainMismatch, chain_check
from backend.workers.errors import Outcome, classify

pytestmark = pytest.mark.chain


def test_the_deployments_own_chain_passes(ledger, anvil):
    chain_check(JsonRpc(anvil.url), ledger.deployment)()


def test_another_chain_id_is_fatal(ledger, anvil):
    elsewhere = replace(ledger.deployment, chain_id=ledger.deployment.chain_id + 1)
    with pytest.raises(ChainMismatch, match="serves chain") as raised:
        chain_check(JsonRpc(anvil.url), elsewhere)()
    assert classify(raised.value) is Outcome.FATAL


def test_a_node_without_the_contracts_is_fatal(ledger, anvil):
    gone = DeployedContract("0x" + "00" * 19 + "01", "0x", 0)
    lost = replace(ledger.deployment, contracts={**ledger.deployment.contracts, "Gone": gone})
    with pytest.raises(ChainMismatch, match="no code at Gone"):
        chain_check(JsonRpc(anvil.url), lost)()
