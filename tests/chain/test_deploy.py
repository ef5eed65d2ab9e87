"""Deploy: `scf deploy` writes deployments/<chainId>.json; code loads addresses from there."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account

from backend.chain.contracts import Ledger
from backend.chain.deploy import DeploymentError, load_deployment, save_deployment
from backend.settings import DEVELOPMENT_OPERATOR_KEY

pytestmark = pytest.mark.chain
SCF = str(Path(sys.executable).with_name("scf"))


def test_scf_deploy_writes_a_deployment_that_the_code_loads(anvil, w3, artifacts, tmp_path):
    env = {**os.environ, "SCF_RPC_URL": anvil.url, "SCF_DEPLOYMENTS_DIR": str(tmp_path)}
    result = subprocess.run([SCF, "deploy"], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

    written = json.loads((tmp_path / f"{w3.eth.chain_id}.json").read_text())
    assert set(written["contracts"]) >= {"FirmRegistry", "TradeLedger"}
    deployment = load_deployment(tmp_path, w3.eth.chain_id)
    for name, deployed in deployment.contracts.items():
        assert deployed.abi_hash == artifacts[name].abi_hash
        assert w3.eth.get_code(deployed.address) != b""
    assert deployment.deploy_block == min(c.block for c in deployment.contracts.values())

    ledger = Ledger(w3, deployment, artifacts, Account.from_key(DEVELOPMENT_OPERATOR_KEY))
    assert ledger.trades.domain.verifying_contract == deployment.address("TradeLedger")


def test_a_deployment_from_other_sources_is_refused_as_stale(ledger, artifacts, tmp_path):
    registry = ledger.deployment.contracts["FirmRegistry"]
    stale = dataclasses.replace(
        ledger.deployment,
        contracts={
            **ledger.deployment.contracts,
            "FirmRegistry": dataclasses.replace(registry, abi_hash="0x" + "00" * 32),
        },
    )
    save_deployment(stale, tmp_path)
    with pytest.raises(DeploymentError, match="stale for FirmRegistry"):
        load_deployment(tmp_path, stale.chain_id).check_current(artifacts)


def test_loading_a_missing_deployment_says_what_to_do(tmp_path):
    with pytest.raises(DeploymentError, match="run `scf deploy`"):
        load_deployment(tmp_path, 999)
